//! The hex dump in the page: the terminal's own dump (src/hexdump.rs, its
//! glyphs, its squeezed lines, its offsets), with each colour escape turned
//! into a span of the byte category's class, so both show the same bytes
//! the same way. The legend says the categories' names, glyphs and colours
//! in the catalogues' words.

use crate::hexdump::{Category, Dumper, Layout};
use crate::i18n::Lang;

/// The CSS class of a category's bytes.
pub(super) fn class(category: Category) -> &'static str {
    match category {
        Category::Null => "bn",
        Category::Printable => "bp",
        Category::Control => "bc",
        Category::NonAscii => "bx",
    }
}

/// `bytes`, which start at stream offset `offset`, as the terminal dumps
/// them, in HTML.
pub(super) fn html(bytes: &[u8], offset: u64, out: &mut String) {
    let mut text = Vec::new();
    let mut dumper = Dumper::new(Layout::default(), true, offset);
    dumper.push(bytes, &mut text);
    dumper.finish(&mut text);
    ansi_to_html(&String::from_utf8_lossy(&text), out);
}

/// The dumper's colour escapes (`ESC[<code>m` per category, `ESC[0m`) as
/// spans; the text escaped for HTML.
fn ansi_to_html(text: &str, out: &mut String) {
    let codes: Vec<(String, &str)> =
        Category::ALL.iter().map(|c| (c.color().to_fg_str().to_string(), class(*c))).collect();
    let mut open = false;
    let mut rest = text;
    while let Some(at) = rest.find('\x1b') {
        escape_into(&rest[..at], out);
        rest = &rest[at..];
        let Some(end) = rest.find('m') else { break };
        let code = &rest[2..end];
        rest = &rest[end + 1..];
        if open {
            out.push_str("</span>");
            open = false;
        }
        if let Some((_, class)) = codes.iter().find(|(c, _)| c == code) {
            out.push_str("<span class=");
            out.push_str(class);
            out.push('>');
            open = true;
        }
    }
    escape_into(rest, out);
    if open {
        out.push_str("</span>");
    }
}

/// Text as HTML shows it, in an element or an attribute.
pub(super) fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            // XML (the SVG file) forbids the other control characters:
            // their control pictures, as the dump's text panel shows them.
            '\t' | '\n' => out.push(c),
            c if u32::from(c) < 0x20 => out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            c => out.push(c),
        }
    }
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

/// The legend of the dump's colours, in `lang`.
pub(super) fn legend(lang: Lang, out: &mut String) {
    out.push_str("<h2>");
    escape_into(crate::msg!("legend-title").render(lang).trim_end_matches([':', ' ', '\u{a0}']), out);
    out.push_str("</h2><dl class=legend>");
    for (category, name, describe) in crate::report::legend::legend_entries(lang) {
        out.push_str(&format!("<dt><span class={}>{} ", class(category), category.glyph()));
        escape_into(&name, out);
        out.push_str("</span></dt><dd>");
        escape_into(&describe.replace('\n', " "), out);
        out.push_str("</dd>");
    }
    out.push_str("</dl>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dump_is_the_terminals_with_classes_for_colours() {
        let mut out = String::new();
        html(b"Hi\n\x00\xc3<", 0, &mut out);
        // A span a run of bytes of one category, as the terminal's escapes.
        assert!(out.starts_with("00000000  <span class=bp>48 69 </span>"), "{out}");
        assert!(out.contains("<span class=bc>0a </span>"), "{out}");
        assert!(out.contains("<span class=bn>00 </span>"), "{out}");
        assert!(out.contains("<span class=bx>c3 </span>"), "{out}");
        // The text panel's glyphs, '<' escaped.
        assert!(out.contains("<span class=bp>&lt;</span>"), "{out}");
        assert!(out.contains('␊') && out.contains('⋄'), "{out}");
        assert!(!out.contains('\x1b'), "{out}");
        let plain = crate::hexdump::dump(b"Hi\n\x00\xc3<", Layout::default(), false);
        let stripped = regex_free_strip(&out);
        assert_eq!(stripped, plain.replace('<', "&lt;"));
    }

    /// The page's text without its tags.
    #[test]
    fn control_characters_become_their_pictures() {
        assert_eq!(escape("a\x01b\x7f<\tc"), "a\u{2401}b\u{2421}&lt;\tc");
    }

    fn regex_free_strip(html: &str) -> String {
        let mut out = String::new();
        let mut inside = false;
        for c in html.chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                c if !inside => out.push(c),
                _ => {}
            }
        }
        out
    }
}
