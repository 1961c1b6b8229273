//! What a client sends: `-m` messages (one send each), `--hex` bytes, a
//! `--file`, or stdin. Shared by `tcp connect` and `udp send`.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use anyhow::{Context, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Each message is one send call (one datagram in UDP).
    Messages(Vec<Vec<u8>>),
    File(PathBuf),
    Stdin,
}

impl Input {
    /// Feeds the input to `send` in pieces: each message whole, a file or
    /// stdin in reads of at most `chunk` bytes. Stops at the first error.
    pub fn feed(&self, chunk: usize, mut send: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        match self {
            Input::Messages(messages) => messages.iter().try_for_each(|m| send(m)),
            Input::File(path) => {
                let file = File::open(path).with_context(|| format!("open --file {}", path.display()))?;
                feed_reader(file, chunk, &mut send, || format!("read --file {}", path.display()))
            }
            Input::Stdin => feed_reader(io::stdin().lock(), chunk, &mut send, || "read stdin".to_string()),
        }
    }
}

fn feed_reader(
    mut reader: impl Read,
    chunk: usize,
    send: &mut impl FnMut(&[u8]) -> Result<()>,
    what: impl Fn() -> String,
) -> Result<()> {
    let mut buf = vec![0u8; chunk.max(1)];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => send(&buf[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(what),
        }
    }
}

/// Reads `--hex` text such as `01 02 ff`, `0102ff`, `de:ad:be:ef` or
/// `0x01,0x02` into bytes.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let mut digits = Vec::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | ':' | ',' | '-' => {}
            '0' if matches!(chars.peek(), Some((_, 'x' | 'X'))) => {
                // A 0x prefix: skip it, the digits follow.
                chars.next();
            }
            c if c.is_ascii_hexdigit() => digits.push(c.to_digit(16).unwrap_or(0) as u8),
            c => {
                return Err(format!(
                    "--hex '{text}': '{c}' at position {} is not a hex digit; write bytes like \"01 02 ff\"",
                    at + 1
                ));
            }
        }
    }
    if digits.len() % 2 == 1 {
        return Err(format!(
            "--hex '{text}': {} hex digits is an odd count; each byte takes two (write 0f, not f)",
            digits.len()
        ));
    }
    Ok(digits.chunks(2).map(|pair| pair[0] << 4 | pair[1]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms() {
        assert_eq!(parse_hex("01 02 ff"), Ok(vec![1, 2, 255]));
        assert_eq!(parse_hex("0102FF"), Ok(vec![1, 2, 255]));
        assert_eq!(parse_hex("de:ad:be:ef"), Ok(vec![0xde, 0xad, 0xbe, 0xef]));
        assert_eq!(parse_hex("0x01,0x02"), Ok(vec![1, 2]));
        assert_eq!(parse_hex(""), Ok(vec![]));
        assert!(parse_hex("01 0g").unwrap_err().contains("'g' at position 5"));
        assert!(parse_hex("012").unwrap_err().contains("odd"));
    }

    #[test]
    fn messages_are_fed_whole() {
        let input = Input::Messages(vec![b"a".to_vec(), b"bc".to_vec()]);
        let mut seen = Vec::new();
        input
            .feed(1, |m| {
                seen.push(m.to_vec());
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, vec![b"a".to_vec(), b"bc".to_vec()]);
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let err = Input::File("/no/such/file".into()).feed(16, |_| Ok(())).unwrap_err();
        assert!(format!("{err:#}").contains("/no/such/file"));
    }
}
