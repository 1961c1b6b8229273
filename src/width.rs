//! How wide the reader's terminal is, and lines that fit it: wrapped at
//! word boundaries with a hanging indent, colours carried across the break,
//! so nothing a learner reads is cut mid-word or wrapped by the terminal
//! (which would lose the demo's `server │` label on the second half).

/// The columns to fit, if any: `--columns N` when given; else the
/// terminal's width when the stream is one; else `COLUMNS` when set; else
/// none (a pipe or a file gets whole lines).
pub(crate) fn columns(
    explicit: Option<usize>,
    stream_is_terminal: bool,
    terminal: Option<usize>,
) -> Option<usize> {
    explicit
        .or(terminal.filter(|_| stream_is_terminal))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|&n| n > 0)
}

/// The width of stdout's terminal, if it is one.
pub(crate) fn stdout_terminal() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
}

/// The width of stderr's terminal, if it is one.
pub(crate) fn stderr_terminal() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stderr()).map(|(w, _)| usize::from(w.0))
}

/// `text` (one line or several) as it goes to stderr: each line wrapped by
/// the width rule when stderr has a width (its terminal's, `--columns`, or
/// `COLUMNS`), whole otherwise. A failure's line is read in a terminal as
/// the rest is; in a pipe or a file it stays one line.
pub fn fit_stderr(text: &str, explicit: Option<usize>) -> String {
    use std::io::IsTerminal;
    let Some(width) = columns(explicit, std::io::stderr().is_terminal(), stderr_terminal()) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        out.push_str(&wrap(body, width).join("\n"));
        out.push_str(newline);
    }
    out
}

/// Columns `text` takes on a terminal: escape sequences take none.
pub(crate) fn display_width(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// `text` as lines of at most `width` columns, broken between words; the
/// lines after the first are indented by the first's indent and two more
/// spaces. A word longer than a line stays whole (an address, a path):
/// cutting it would change what it says. Colours open at a break are
/// closed at the end of the line and opened again after the indent.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    if display_width(text) <= width {
        return vec![text.to_string()];
    }
    // The indent counts the spaces at the start, colour codes among them
    // or not ("\x1b[2m      recv()..." is indented by six).
    let (escapes, body) = leading_escapes(text);
    let trimmed = body.trim_start_matches(' ');
    let indent = " ".repeat(body.len() - trimmed.len());
    let body = format!("{escapes}{trimmed}");
    let hanging = format!("{indent}  ");
    let options = textwrap::Options::new(width)
        .initial_indent(&indent)
        .subsequent_indent(&hanging)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace);
    carry_colours(wrap_with(&body, options), &hanging)
}

/// Word-wraps `text` to `width` columns for a cell (the demo's table, a
/// packet's explanation): a number kept with its unit, a word longer than
/// a line cut, and one empty line for an empty text.
pub(crate) fn wrap_cell(text: &str, width: usize) -> Vec<String> {
    let lines = wrap_with(text, textwrap::Options::new(width).break_words(true));
    if lines.is_empty() { vec![String::new()] } else { lines }
}

/// textwrap's wrap of `text`, never breaking a line between a number and
/// its unit, inside a command between backticks (`` `ss -tan state
/// time-wait` ``: it is copied whole), or at a hyphen (`32768-60999`,
/// `--no-reuse-addr`): every wrap of netplay's (this file's lines, the demo
/// table's cells) goes through it.
pub(crate) fn wrap_with(text: &str, options: textwrap::Options) -> Vec<String> {
    let glued = glue_units(text);
    let options = options.word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(glued.as_deref().unwrap_or(text), options)
        .into_iter()
        .map(|l| if glued.is_some() { l.replace(GLUE, " ") } else { l.into_owned() })
        .collect()
}

/// Stands for a space that must not break, while a line is wrapped: one
/// column wide, as the space it replaces; never in netplay's own lines.
const GLUE: char = '\u{E000}';

/// The units netplay writes after a number (units.rs), in English: a line
/// never breaks between `17` and `B` (French has no-break spaces there).
const UNITS: [&str; 11] =
    ["B", "KiB", "MiB", "GiB", "TiB", "bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "bytes"];

/// `text` with the space between a number and its unit, and every space
/// of a span between backticks, made unbreakable (GLUE), or None when there
/// is none (or GLUE is already in it).
fn glue_units(text: &str) -> Option<String> {
    if text.contains(GLUE) {
        return None;
    }
    let words: Vec<&str> = text.split(' ').collect();
    let mut out = String::with_capacity(text.len());
    let mut glued = false;
    let mut in_command = false;
    for (i, word) in words.iter().enumerate() {
        out.push_str(word);
        in_command ^= word.matches('`').count() % 2 == 1;
        let Some(next) = words.get(i + 1) else { break };
        let unit = next.trim_end_matches([',', '.', ';', ':', ')']);
        if in_command || (word.ends_with(|c: char| c.is_ascii_digit()) && UNITS.contains(&unit)) {
            out.push(GLUE);
            glued = true;
        } else {
            out.push(' ');
        }
    }
    glued.then_some(out)
}

/// The escape sequences at the very start of `text`, and the rest.
fn leading_escapes(text: &str) -> (&str, &str) {
    let mut at = 0;
    while text[at..].starts_with("\x1b[") {
        match text[at..].find('m') {
            Some(end) => at += end + 1,
            None => break,
        }
    }
    text.split_at(at)
}

/// Closes the colour still open at the end of each line and reopens it on
/// the next, after its indent.
fn carry_colours(lines: Vec<String>, hanging: &str) -> Vec<String> {
    let mut open = String::new();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let mut line = if open.is_empty() {
            line
        } else {
            let body = line.strip_prefix(hanging).unwrap_or(&line);
            format!("{hanging}{open}{body}")
        };
        open = open_colour(&line, open);
        if !open.is_empty() {
            line.push_str("\x1b[0m");
        }
        out.push(line);
    }
    out
}

/// The escape sequences still in force at the end of `line`, given those
/// in force at its start: a reset clears them.
fn open_colour(line: &str, mut open: String) -> String {
    let mut rest = line;
    while let Some(start) = rest.find("\x1b[") {
        let after = &rest[start..];
        let Some(end) = after.find('m') else { break };
        let code = &after[..=end];
        if code == "\x1b[0m" || code == "\x1b[m" {
            open.clear();
        } else {
            open.push_str(code);
        }
        rest = &after[end + 1..];
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Before, `... 5 out, 17 B acked` broke as `17` / `B acked`.
    #[test]
    fn a_number_and_its_unit_stay_on_one_line() {
        let text = "  TCP_INFO in FIN_WAIT1: rtt 34µs (±19µs), cwnd 11, 0 retransmitted, 2 segments in, 5 out, 17 B acked";
        for width in 60..text.len() {
            for line in wrap(text, width) {
                assert!(!line.ends_with(" 17"), "{width}: {line:?}");
                assert!(!line.trim_start().starts_with("B acked"), "{width}: {line:?}");
                assert!(!line.contains(GLUE));
            }
        }
        let rate = "sent 195,325 datagrams in 1.00s = 195,299/s, 100.0 Mbit/s";
        for width in 30..rate.len() {
            assert!(wrap(rate, width).iter().all(|l| !l.trim_start().starts_with("Mbit/s")), "{width}");
        }
    }

    /// Before, `32768-60999` broke after its hyphen, and `` (`ss -tan
    /// state time-wait`) `` between its words: both are copied whole.
    #[test]
    fn a_range_and_a_command_are_never_split() {
        let text = "Why 40212 and not 12345? The client's OS chose a free one, an ephemeral port of its range 32768-60999, and `ss -tan state time-wait` shows it, or `sudo setcap cap_net_raw+ep \"$(command -v netplay)\"` grants it.";
        for width in 20..text.len() {
            let lines = wrap(text, width);
            let joined = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
            for whole in [
                "32768-60999",
                "`ss -tan state time-wait`",
                "`sudo setcap cap_net_raw+ep \"$(command -v netplay)\"`",
            ] {
                assert!(lines.iter().any(|l| l.contains(whole)), "{width}: {whole} split in:\n{joined}");
            }
        }
    }

    #[test]
    fn short_lines_stay_whole() {
        assert_eq!(wrap("  a short line", 80), ["  a short line"]);
    }

    #[test]
    fn long_lines_break_between_words_with_a_hanging_indent() {
        let text = "  port 47228 is ephemeral: the OS chose it at the first sendto(), the socket had none.";
        let lines = wrap(text, 40);
        assert!(lines.iter().all(|l| display_width(l) <= 40), "{lines:?}");
        assert_eq!(lines[0], "  port 47228 is ephemeral: the OS chose");
        assert!(lines[1..].iter().all(|l| l.starts_with("    ") && !l.starts_with("     ")), "{lines:?}");
        assert_eq!(
            lines.join(" ").split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_colour_open_at_a_break_is_closed_and_reopened() {
        let text = "\x1b[2m      recv() returns what has arrived so far, at most 1024 bytes\x1b[0m";
        let lines = wrap(text, 30);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(display_width(line) <= 30, "{line:?}");
            assert!(line.ends_with("\x1b[0m"), "{line:?}");
        }
        assert!(lines[1].starts_with("        \x1b[2m"), "{:?}", lines[1]);
    }

    #[test]
    fn a_word_longer_than_the_line_stays_whole() {
        let lines = wrap("see [fe80::1234:5678:9abc:def0%eth0]:12345 now", 20);
        assert!(lines.iter().any(|l| l.contains("[fe80::1234:5678:9abc:def0%eth0]:12345")), "{lines:?}");
    }

    #[test]
    fn the_width_comes_from_the_flag_the_terminal_or_columns() {
        assert_eq!(columns(Some(60), true, Some(100)), Some(60));
        assert_eq!(columns(None, true, Some(100)), Some(100));
        // A terminal's width means nothing for a pipe.
        if std::env::var_os("COLUMNS").is_none() {
            assert_eq!(columns(None, false, Some(100)), None);
        }
    }

    #[test]
    fn a_cell_wraps_on_words() {
        assert_eq!(wrap_cell("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap_cell("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap_cell("", 4), vec![""]);
        // Before, the demo's table cell broke as `... calls of 10` / `bytes each`.
        assert_eq!(
            wrap_cell("5 datagrams, 5 recvfrom() calls of 10 bytes each", 37),
            vec!["5 datagrams, 5 recvfrom() calls of", "10 bytes each"]
        );
    }
}
