//! The hex dump's colour legend, in the catalogues' words: `netplay
//! --legend`, `--help`, the manual page and the HTML page show it. The
//! renderer (hexdump) gives each category its colour and glyph; this names
//! them for a reader.

use super::paint::{Paint, paint};
use crate::hexdump::Category;
use crate::i18n::Lang;
use crate::msg;

/// The colour legend, one line a category (two for the longer ones), at
/// most 80 columns wide. Every start builds it (it is part of `--help`), so
/// it does without the renderer's tables: a run that dumps nothing never
/// builds them.
pub(crate) fn legend(color: bool) -> String {
    legend_in(Lang::En, color)
}

/// [`legend`] in `lang`.
pub(crate) fn legend_in(lang: Lang, color: bool) -> String {
    let mut text = msg!("legend-title").render(lang);
    text.push('\n');
    for (category, name, describe) in legend_entries(lang) {
        let name = format!("{name:<10}");
        let sample = category.glyph();
        let mut lines = describe.lines();
        let first = lines.next().unwrap_or_default();
        let shown = paint(&format!("{name} {sample}"), Paint::Fg(category.color()), color);
        text.push_str(&format!("  {shown}  {first}\n"));
        for more in lines {
            text.push_str(&format!("{:16}{more}\n", ""));
        }
    }
    text
}

/// Each category with its name and what it holds, in `lang`: the legend's
/// lines, for the terminal and for the page (report/html).
pub(crate) fn legend_entries(lang: Lang) -> Vec<(Category, String, String)> {
    Category::ALL
        .iter()
        .map(|&category| {
            let (name, describe) = match category {
                Category::Null => (msg!("legend-name-null"), msg!("legend-null")),
                Category::Printable => (msg!("legend-name-printable"), msg!("legend-printable")),
                Category::Control => (msg!("legend-name-control"), msg!("legend-control")),
                Category::NonAscii => (msg!("legend-name-non-ascii"), msg!("legend-non-ascii")),
            };
            (category, name.render(lang), describe.render(lang))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_names_every_category() {
        let text = legend(false);
        assert_eq!(text.lines().count(), 1 + Category::ALL.len() + 2, "{text}");
        // The course's ranges, in the course's words.
        assert!(text.contains("printable ASCII (32-126)"), "{text}");
        assert!(text.contains("not printable (1-31, 127)"), "{text}");
        assert!(!text.contains("hitespace"), "{text}");
        let french = legend_in(Lang::Fr, true);
        assert!(
            french.contains("ASCII imprimable (32-126)") && french.contains("non imprimables (1-31, 127)")
        );
        for line in text.lines().chain(legend(true).lines()).chain(french.lines()) {
            use unicode_width::UnicodeWidthStr;
            let mut visible = line.to_string();
            while let Some(start) = visible.find('\x1b') {
                let end = start + visible[start..].find('m').unwrap();
                visible.replace_range(start..=end, "");
            }
            assert!(visible.width() <= 80, "{} columns: {line}", visible.width());
        }
    }
}
