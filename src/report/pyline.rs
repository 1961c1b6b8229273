//! A `--explain` Python line laid out at the width rule so that Python
//! still runs it as printed: a literal too long for a line is cut into
//! whole literals that Python joins again (`b'ab' b'cd'` is `b'abcd'`,
//! implicit concatenation), the statement's pieces inside its call's
//! parentheses, under the literal's start; the comment (what the call
//! returned) on lines of their own, each starting with `#`. Nothing is
//! left out: a learner who pastes the lines sends the very bytes.

use crate::width::display_width;

/// A piece of a line: a string or bytes literal (cut only between its
/// characters or escapes), or plain text (cut only at a space, and in a
/// statement only inside parentheses).
#[derive(Debug, Clone, PartialEq)]
enum Atom<'a> {
    Literal { prefix: &'a str, quote: char, units: Vec<&'a str>, space_before: bool },
    Word { text: &'a str, space_before: bool, breakable: bool },
}

impl Atom<'_> {
    fn width(&self) -> usize {
        match self {
            Atom::Literal { prefix, units, .. } => {
                display_width(prefix) + 2 + units.iter().map(|u| display_width(u)).sum::<usize>()
            }
            Atom::Word { text, .. } => display_width(text),
        }
    }

    fn space_before(&self) -> bool {
        match self {
            Atom::Literal { space_before, .. } | Atom::Word { space_before, .. } => *space_before,
        }
    }
}

/// `python` as lines of at most `width` columns: the first starts with
/// `head` (`      python: `), a comment line with `comment_head`
/// (`              # `). A line that fits is returned as one.
pub(super) fn lay_out(python: &str, head: &str, comment_head: &str, width: usize) -> Vec<String> {
    if display_width(head) + display_width(python) <= width {
        return vec![format!("{head}{python}")];
    }
    let (statement, comment) = split_comment(python);
    let mut lines = Vec::new();
    if !statement.is_empty() {
        let atoms = atoms(statement, false);
        // Continuation lines start under the first literal that is cut,
        // or under the call's opening parenthesis, when that leaves room.
        let open = statement.find('(').map(|i| display_width(head) + display_width(&statement[..=i]));
        let indent = match open {
            Some(column) if column <= width / 2 => column,
            _ => display_width(head) + 4,
        };
        lines = fill(&atoms, head, &" ".repeat(indent), width);
    }
    if let Some(comment) = comment {
        let atoms = atoms(comment, true);
        let first = if statement.is_empty() { head.to_string() + "# " } else { comment_head.to_string() };
        let mut commented = fill(&atoms, &first, comment_head, width);
        lines.append(&mut commented);
    }
    lines
}

/// The statement and its comment (`  # ` outside any literal), or a whole
/// comment line.
pub(crate) fn split_comment(python: &str) -> (&str, Option<&str>) {
    if let Some(comment) = python.strip_prefix("# ") {
        return ("", Some(comment));
    }
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in python.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if literal_start(python, i) => quote = Some(c),
            None if python[i..].starts_with("  # ") => return (&python[..i], Some(&python[i + 4..])),
            None => {}
        }
    }
    (python, None)
}

/// True when the quote at byte `i` opens a literal: at the start, or after
/// a space, `(`, `[`, `,`, `=`, or a `b` prefix that is itself so placed
/// (the apostrophe of `can't` or `d'accept` opens nothing).
fn literal_start(text: &str, i: usize) -> bool {
    let c = text[i..].chars().next();
    if !matches!(c, Some('\'' | '"')) {
        return false;
    }
    let before = &text[..i];
    let opener = |s: &str| s.is_empty() || s.ends_with([' ', '(', '[', ',', '=']);
    opener(before) || before.strip_suffix('b').is_some_and(opener)
}

/// The length in bytes of the literal opening at `i` (its quote), or None
/// when it does not close.
fn literal_len(text: &str, i: usize, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (j, c) in text[i + 1..].char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return Some(j + 2);
        }
    }
    None
}

/// The units of a literal's body: an escape (`\x00`, `\n`, `\u00e9`) or
/// one character, never cut.
fn units(body: &str) -> Vec<&str> {
    let mut units = Vec::new();
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        let len = if c == '\\' {
            match rest[1..].chars().next() {
                Some('x') => 4,
                Some('u') => 6,
                Some('U') => 10,
                Some(other) => 1 + other.len_utf8(),
                None => 1,
            }
        } else {
            c.len_utf8()
        };
        let len = len.min(rest.len());
        units.push(&rest[..len]);
        rest = &rest[len..];
    }
    units
}

/// `text` as atoms. In a comment, plain text breaks at any space; in a
/// statement, only at a space inside parentheses (where Python reads a
/// new line as a space).
fn atoms(text: &str, comment: bool) -> Vec<Atom<'_>> {
    let mut atoms = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut word_start = 0;
    let mut space_before = false;
    fn flush<'a>(atoms: &mut Vec<Atom<'a>>, word: &'a str, space_before: &mut bool, breakable: bool) {
        if !word.is_empty() {
            atoms.push(Atom::Word { text: word, space_before: *space_before, breakable });
            *space_before = false;
        }
    }
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        let prefixed = c == 'b' && text[i + 1..].starts_with(['\'', '"']) && literal_start(text, i + 1);
        let at = if prefixed { i + 1 } else { i };
        if (prefixed || literal_start(text, i))
            && let Some(quote) = text[at..].chars().next()
            && let Some(len) = literal_len(text, at, quote)
        {
            flush(&mut atoms, &text[word_start..i], &mut space_before, comment || depth > 0);
            let body = &text[at + 1..at + len - 1];
            atoms.push(Atom::Literal { prefix: &text[i..at], quote, units: units(body), space_before });
            space_before = false;
            i = at + len;
            word_start = i;
            continue;
        }
        match c {
            ' ' if comment || depth > 0 => {
                flush(&mut atoms, &text[word_start..i], &mut space_before, comment || depth > 0);
                space_before = true;
                word_start = i + 1;
            }
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += c.len_utf8();
    }
    flush(&mut atoms, &text[word_start..], &mut space_before, comment || depth > 0);
    atoms
}

/// Lays `atoms` out greedily: the first line after `first`, the others
/// after `next`; a literal that does not fit is cut into literals.
fn fill(atoms: &[Atom<'_>], first: &str, next: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut used = display_width(first);
    let start = display_width(next);
    let mut empty = true;
    for (i, atom) in atoms.iter().enumerate() {
        let space = usize::from(atom.space_before() && !empty);
        let fits = used + space + atom.width() <= width;
        // What is glued to the atom's end (a comma after a literal) stays
        // on its line.
        let glued = atoms.get(i + 1).filter(|a| !a.space_before()).map_or(0, Atom::width);
        match atom {
            Atom::Word { text, breakable, .. } => {
                if !fits && !empty && *breakable && space == 1 {
                    lines.push(std::mem::replace(&mut line, next.to_string()));
                    used = start;
                } else if space == 1 {
                    line.push(' ');
                    used += 1;
                }
                line.push_str(text);
                used += display_width(text);
            }
            Atom::Literal { prefix, quote, units, .. } => {
                if space == 1 {
                    line.push(' ');
                    used += 1;
                }
                let frame = display_width(prefix) + 2;
                // Not worth a piece of its own: the literal starts a line.
                if !fits && !empty && width.saturating_sub(used) < frame + 8 {
                    lines.push(std::mem::replace(&mut line, next.to_string()));
                    used = start;
                }
                let mut rest = &units[..];
                loop {
                    let room = width.saturating_sub(used + frame);
                    let whole: usize = rest.iter().map(|u| display_width(u)).sum();
                    let take = if whole + glued <= room {
                        rest.len()
                    } else {
                        piece(rest, room).min(rest.len() - 1).max(1)
                    };
                    line.push_str(prefix);
                    line.push(*quote);
                    for unit in &rest[..take] {
                        line.push_str(unit);
                    }
                    line.push(*quote);
                    used += frame + rest[..take].iter().map(|u| display_width(u)).sum::<usize>();
                    rest = &rest[take..];
                    if rest.is_empty() {
                        break;
                    }
                    lines.push(std::mem::replace(&mut line, next.to_string()));
                    used = start;
                }
            }
        }
        empty = false;
    }
    lines.push(line);
    lines
}

/// How many of `units` go in a piece of `room` columns (at least one): as
/// many as fit, ending after a space or a `\n` when one is in the last
/// third, so that the pieces read as words and lines.
fn piece(units: &[&str], room: usize) -> usize {
    let mut used = 0;
    let mut take = 0;
    for unit in units {
        let w = display_width(unit);
        if used + w > room {
            break;
        }
        used += w;
        take += 1;
    }
    if take == units.len() || take == 0 {
        return take.max(1);
    }
    let floor = take * 2 / 3;
    (floor..take).rev().find(|&k| matches!(units[k], " " | "\\n")).map_or(take, |k| k + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "      python: ";
    const COMMENT: &str = "              # ";

    fn widths_ok(lines: &[String], width: usize) {
        for line in lines {
            assert!(display_width(line) <= width, "{} > {width}: {line:?}", display_width(line));
        }
    }

    #[test]
    fn a_line_that_fits_stays_whole() {
        let line = "data = client_socket.recv(1024)  # b'Hello'";
        assert_eq!(lay_out(line, HEAD, COMMENT, 80), [format!("{HEAD}{line}")]);
    }

    #[test]
    fn a_long_literal_is_cut_into_literals_python_joins_again() {
        let body = "Bonjour le serveur, ceci est un long message. ".repeat(4);
        let line = format!("client_socket.sendall(b'{body}\\x00\\xff')");
        let lines = lay_out(&line, HEAD, COMMENT, 80);
        widths_ok(&lines, 80);
        assert!(lines.len() > 2, "{lines:#?}");
        // Each continuation starts under the literal, with a literal.
        let column = HEAD.len() + "client_socket.sendall(".len();
        for line in &lines[1..] {
            assert_eq!(&line[..column], " ".repeat(column), "{line:?}");
            assert!(line[column..].starts_with("b'"), "{line:?}");
        }
        // Joined as Python joins them, the pieces are the literal again.
        let joined: Vec<&str> = lines.iter().map(|l| l.trim_start().trim_start_matches("python: ")).collect();
        assert_eq!(joined.join("").replace("'b'", ""), line, "{lines:#?}");
        // No escape is cut.
        assert!(lines.iter().all(|l| !l.contains("\\'") && !l.contains("\\x0'")), "{lines:#?}");
    }

    #[test]
    fn a_comment_goes_on_lines_of_its_own_each_a_comment() {
        let body = "ab\\x00".repeat(40);
        let line = format!("data, address = sock.recvfrom(1024)  # b'{body}', ('127.0.0.1', 40000)");
        let lines = lay_out(&line, HEAD, COMMENT, 60);
        widths_ok(&lines, 60);
        assert_eq!(lines[0], format!("{HEAD}data, address = sock.recvfrom(1024)"));
        assert!(lines[1..].iter().all(|l| l.starts_with(COMMENT)), "{lines:#?}");
        let comment: Vec<&str> = lines[1..].iter().map(|l| &l[COMMENT.len()..]).collect();
        assert_eq!(comment.join(" ").replace("' b'", ""), format!("b'{body}', ('127.0.0.1', 40000)"));
    }

    #[test]
    fn apostrophes_in_words_open_no_literal() {
        let line = "data.decode()  # UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc3 in position 40: invalid continuation byte";
        let lines = lay_out(line, HEAD, COMMENT, 50);
        widths_ok(&lines, 50);
        let comment: Vec<&str> = lines[1..].iter().map(|l| &l[COMMENT.len()..]).collect();
        assert_eq!(comment.join(" "), line.split_once("  # ").unwrap().1);
    }

    #[test]
    fn a_literal_holding_a_comment_mark_is_no_comment() {
        let line = "client_socket.sendall(b'a  # b')";
        assert_eq!(split_comment(line), (line, None));
        assert_eq!(split_comment("x = 1  # 2"), ("x = 1", Some("2")));
    }
}
