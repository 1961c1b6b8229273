//! The course's notation: values as Python prints them (`b'f\xc3\xaate'`,
//! `'fête'`, `('127.0.0.1', 45390)`), `bytes.decode()` with the error
//! Python would raise, and bytes literals typed as in Python
//! (`b'\x01\x02Hello'`), so a learner reads and types what the course shows.

use std::fmt::{self, Write};
use std::net::SocketAddr;

/// A str as Python's `repr()` prints it: quotes, escapes for what is not
/// printable (`str.isprintable()`), the rest as itself.
pub(crate) struct PyStr<'a>(pub &'a str);

impl fmt::Display for PyStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
        f.write_char(quote)?;
        for c in text.chars() {
            match c {
                '\t' => f.write_str("\\t")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\\' => f.write_str("\\\\")?,
                _ if c == quote => write!(f, "\\{c}")?,
                _ if printable(c) => f.write_char(c)?,
                _ if (c as u32) < 0x100 => write!(f, "\\x{:02x}", c as u32)?,
                _ if (c as u32) < 0x10000 => write!(f, "\\u{:04x}", c as u32)?,
                _ => write!(f, "\\U{:08x}", c as u32)?,
            }
        }
        f.write_char(quote)
    }
}

/// Python's `str.isprintable()` for one character: not a control, format,
/// surrogate, private-use or unassigned character, nor a separator other
/// than the space.
fn printable(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::{GeneralCategory, GeneralCategoryGroup as Group};
    if c == ' ' {
        return true;
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    !Group::Other.contains(category) && !Group::Separator.contains(category)
}

/// What `data.decode()` gives in Python: the text, or the message of the
/// UnicodeDecodeError it raises, word for word.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(text.to_string()),
        Err(error) => error,
    };
    let at = error.valid_up_to();
    let (end, why) = match error.error_len() {
        // The character is cut: its first bytes are all there is.
        None => (bytes.len() - 1, "unexpected end of data"),
        Some(len) => {
            let start = bytes[at];
            let can_start = matches!(start, 0xc2..=0xf4);
            (at + len - 1, if can_start { "invalid continuation byte" } else { "invalid start byte" })
        }
    };
    let which = if end == at {
        format!("byte 0x{:02x} in position {at}", bytes[at])
    } else {
        format!("bytes in position {at}-{end}")
    };
    Err(format!("'utf-8' codec can't decode {which}: {why}"))
}

/// An address as Python's socket module gives it back (accept, recvfrom,
/// getsockname): `('127.0.0.1', 45390)`, and for IPv6 the four fields
/// `('::1', 45390, 0, 0)`.
pub(crate) fn returned_addr(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(v4) => format!("('{}', {})", v4.ip(), v4.port()),
        SocketAddr::V6(v6) => {
            format!("('{}', {}, {}, {})", v6.ip(), v6.port(), v6.flowinfo(), v6.scope_id())
        }
    }
}

/// Reads a Python bytes literal, `b'\x01\x02Hello\x07'` or `b"..."`, into
/// its bytes; None when `text` is not one (then it is plain text to send).
/// The escapes are Python's: `\\ \' \" \a \b \f \n \r \t \v \xhh \ooo`, and
/// a backslash before anything else stays a backslash, as in Python.
pub(crate) fn bytes_literal(text: &str) -> Option<Result<Vec<u8>, String>> {
    let body = text.strip_prefix('b').or_else(|| text.strip_prefix('B'))?;
    let quote = body.chars().next().filter(|&q| q == '\'' || q == '"')?;
    let inner = body.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(unescape(inner, quote))
}

fn unescape(inner: &str, quote: char) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == quote {
            return Err(format!("a {quote} inside the literal ends it: write \\{quote}"));
        }
        if !c.is_ascii() {
            return Err(format!(
                "'{c}' is not ASCII: a bytes literal takes ASCII only (in Python too); write its bytes, e.g. \\x{:02x}",
                c.to_string().as_bytes()[0]
            ));
        }
        if c != '\\' {
            out.push(c as u8);
            continue;
        }
        match chars.next() {
            None => return Err("the literal ends with a lone backslash".to_string()),
            Some('\\') => out.push(b'\\'),
            Some('\'') => out.push(b'\''),
            Some('"') => out.push(b'"'),
            Some('a') => out.push(0x07),
            Some('b') => out.push(0x08),
            Some('f') => out.push(0x0c),
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('v') => out.push(0x0b),
            Some('x') => {
                let hex: String = (0..2).filter_map(|_| chars.next()).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(byte) if hex.len() == 2 => out.push(byte),
                    _ => return Err(format!("\\x{hex} needs two hex digits, as in \\x0a")),
                }
            }
            Some(d @ '0'..='7') => {
                let mut value = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            value = value * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(
                    u8::try_from(value).map_err(|_| format!("\\{value:o} is more than a byte (\\377)"))?,
                );
            }
            // Python keeps an unknown escape as it is.
            Some(other) => {
                out.push(b'\\');
                out.push(other as u8);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_print_as_python_prints_them() {
        assert_eq!(PyStr("fête").to_string(), "'fête'");
        assert_eq!(PyStr("it's").to_string(), "\"it's\"");
        assert_eq!(PyStr("a\tb\n").to_string(), "'a\\tb\\n'");
        assert_eq!(PyStr("\u{7}\u{85}\u{200b}").to_string(), "'\\x07\\x85\\u200b'");
        assert_eq!(PyStr("\u{a0}").to_string(), "'\\xa0'");
    }

    /// Each message as python3 printed it here, for these bytes.
    #[test]
    fn decode_errors_are_pythons_word_for_word() {
        assert_eq!(decode("fête".as_bytes()), Ok("fête".to_string()));
        let cases: [(&[u8], &str); 8] = [
            (b"f\xc3", "byte 0xc3 in position 1: unexpected end of data"),
            (b"\xff", "byte 0xff in position 0: invalid start byte"),
            (b"a\xe2\x82", "bytes in position 1-2: unexpected end of data"),
            (b"\xe2(\xa1", "byte 0xe2 in position 0: invalid continuation byte"),
            (b"ab\xf0\x9f", "bytes in position 2-3: unexpected end of data"),
            (b"\x80abc", "byte 0x80 in position 0: invalid start byte"),
            (b"\xed\xa0\x80", "byte 0xed in position 0: invalid continuation byte"),
            (b"\xc0\xaf", "byte 0xc0 in position 0: invalid start byte"),
        ];
        for (bytes, message) in cases {
            assert_eq!(decode(bytes), Err(format!("'utf-8' codec can't decode {message}")), "{bytes:?}");
        }
    }

    #[test]
    fn bytes_literals_read_as_python_reads_them() {
        assert_eq!(
            bytes_literal("b'\\x01\\x02Hello\\x07\\x08'"),
            Some(Ok(b"\x01\x02Hello\x07\x08".to_vec()))
        );
        assert_eq!(bytes_literal("b\"it's\\n\""), Some(Ok(b"it's\n".to_vec())));
        assert_eq!(bytes_literal("b'\\0\\101\\q'"), Some(Ok(b"\0A\\q".to_vec())));
        assert_eq!(bytes_literal("Hello"), None);
        assert_eq!(bytes_literal("b'open"), None);
        assert!(bytes_literal("b'\\x1'").unwrap().unwrap_err().contains("two hex digits"));
        assert!(bytes_literal("b'fête'").unwrap().unwrap_err().contains("ASCII"));
    }

    #[test]
    fn addresses_as_python_returns_them() {
        assert_eq!(returned_addr(&"127.0.0.1:45390".parse().unwrap()), "('127.0.0.1', 45390)");
        assert_eq!(returned_addr(&"[::1]:45390".parse().unwrap()), "('::1', 45390, 0, 0)");
    }
}
