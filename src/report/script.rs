//! How a person reads a script's steps: a line per step (✓ or ✗, its line
//! in the file, the step as written), what it bound or took when that is
//! not in its text, and under a failure the reason and a hex diff with the
//! first differing byte marked.

use crate::decode::PyBytes;
use crate::event::script::{Outcome, ScriptEnd, ScriptStep};
use crate::i18n::{Lang, Msg};
use crate::msg;

/// The lines of one step, not yet painted: (text, is it a failure).
pub(crate) fn step_lines(lang: Lang, step: &ScriptStep, width: Option<usize>) -> Vec<(String, bool)> {
    let tag = step.conn.map(|c| format!("#{c} ")).unwrap_or_default();
    let pass = match step.pass {
        Some(n) => format!("  {}", msg!("script-pass", n = n).render(lang)),
        None => String::new(),
    };
    let failed = step.outcome != Outcome::Passed;
    let head = match failed {
        false => msg!("script-step-passed", line = step.line, text = step.text.as_str()),
        true => msg!("script-step-failed", line = step.line, text = step.text.as_str()),
    };
    let mut lines = vec![(format!("{tag}{}{pass}", head.render(lang)), failed)];
    if !failed {
        let detail = match (&step.bound[..], &step.bytes) {
            ([], Some(bytes)) if step.bytes_hidden() => Some(short(bytes)),
            ([], _) => None,
            (bound, _) => {
                Some(bound.iter().map(|b| format!("{} = {}", b.name, b.value)).collect::<Vec<_>>().join(", "))
            }
        };
        if let Some(detail) = detail {
            lines.push((format!("      → {detail}"), false));
        }
        return lines;
    }
    if let Some(why) = &step.why {
        lines.push((format!("      {}", why.render(lang)), true));
    }
    if let (Some(expected), Some(came), Some(offset)) = (&step.expected, &step.bytes, step.offset) {
        lines.extend(hex_diff(lang, expected, came, offset, width).into_iter().map(|l| (l, false)));
    }
    lines
}

/// The script's end: a line when it passed or the peer did not follow it
/// (any other failure has its own line on stderr).
/// A server's client is tagged with its number (`#2 ✓ ...`), a udp serve
/// run says which; their failure is not the run's exit code.
pub(crate) fn end_line(lang: Lang, end: &ScriptEnd) -> Option<(String, bool)> {
    let file = end.file.as_str();
    let tag = end.conn.map(|c| format!("#{c} ")).unwrap_or_default();
    let (text, bad) = match (end.exit_code, end.line, end.run) {
        (0, _, Some(run)) => (msg!("script-end-passed-run", file = file, run = run), false),
        (0, _, None) => (msg!("script-end-passed", file = file), false),
        (9, Some(line), Some(run)) => {
            (msg!("script-end-failed-run", file = file, line = line, run = run), true)
        }
        (9, Some(line), None) if end.conn.is_some() => {
            (msg!("script-end-failed-client", file = file, line = line), true)
        }
        (9, Some(line), None) => (msg!("script-end-failed", file = file, line = line), true),
        _ => return None,
    };
    Some((format!("{tag}{}", text.render(lang)), bad))
}

/// At most 48 bytes in the course's notation, and the count.
fn short(bytes: &[u8]) -> String {
    const MOST: usize = 48;
    match bytes.len() > MOST {
        true => format!("{}… ({} B)", PyBytes(&bytes[..MOST]), bytes.len()),
        false => PyBytes(bytes).to_string(),
    }
}

/// Two rows of hex, expected above what came, from the row where they
/// first differ, with `^^` under that byte: 16 bytes a row, 8 where the
/// terminal is narrower than the row.
pub(crate) fn hex_diff(
    lang: Lang,
    expected: &[u8],
    came: &[u8],
    offset: usize,
    width: Option<usize>,
) -> Vec<String> {
    let labels = [msg!("script-diff-expected"), msg!("script-diff-came")].map(|m: Msg| m.render(lang));
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let lead = 6 + 8 + 2 + label_width + 2;
    let per_row = if width.is_some_and(|w| w < lead + 16 * 3) { 8 } else { 16 };
    let start = offset / per_row * per_row;
    let hex = |bytes: &[u8]| -> String {
        let row = bytes.get(start..).unwrap_or_default();
        row.iter().take(per_row).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
    };
    let mut lines = Vec::new();
    for (i, (label, bytes)) in labels.iter().zip([expected, came]).enumerate() {
        let at = if i == 0 { format!("{start:08x}") } else { " ".repeat(8) };
        let row = hex(bytes);
        let row = if row.is_empty() { msg!("script-diff-nothing").render(lang) } else { row };
        lines.push(format!("      {at}  {label:<label_width$}  {row}"));
    }
    let marker = " ".repeat(lead + 3 * (offset - start)) + "^^";
    lines.push(marker);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_marks_the_first_differing_byte() {
        let lines = hex_diff(Lang::En, b"Bonjour client !", b"Bonjour toi !", 8, None);
        assert_eq!(
            lines,
            [
                "      00000000  expected  42 6f 6e 6a 6f 75 72 20 63 6c 69 65 6e 74 20 21",
                "                came      42 6f 6e 6a 6f 75 72 20 74 6f 69 20 21",
                "                                                  ^^",
            ]
        );
        for line in &lines {
            assert!(line.chars().count() <= 80, "{line}");
        }
        let narrow = hex_diff(Lang::En, &[0; 40], &[0; 39], 39, Some(60));
        assert!(narrow[0].starts_with("      00000020  expected  00 00 00 00 00 00 00 00"), "{narrow:?}");
        assert!(narrow.iter().all(|l| l.chars().count() <= 60), "{narrow:?}");
    }
}
