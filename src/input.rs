//! What a client sends: `-m` messages (one send each), `--hex` bytes, a
//! `--file`, or stdin. Shared by `tcp connect` (a stream, fed in pieces) and
//! `udp send` (datagrams, each checked against a maximum before it is sent).

use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::sys::ready::Patient;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::PathBuf;

use anyhow::{Context, Result};

/// Bytes read from stdin or a file for one send, where each send is an
/// event (the event path: without --raw, or with --decode). Measured with
/// the ends together (docs/benchmarks.md, issue 15): 64 KiB moved 1 GiB
/// in 0.70-0.90x the time of 16 KiB, from a file or a pipe, either way;
/// with the receiver at --recv-size 1M, 0.70-0.75x.
pub(crate) const SEND_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// Each message is one send call (one datagram in UDP).
    Messages(Vec<Vec<u8>>),
    File(PathBuf),
    Stdin,
}

impl Input {
    /// Fails now, before any connection, if a --file cannot be opened
    /// (missing, not readable) or is a directory: opening a directory
    /// works, only reading it fails, and that would come after connecting.
    pub(crate) fn check(&self) -> Result<()> {
        if let Input::File(path) = self {
            open_file(path)?;
        }
        Ok(())
    }

    /// Feeds the input to `send` in pieces: each message whole, a file or
    /// stdin in reads of at most `chunk` bytes. Stops at the first error.
    /// A regular file (a --file, or stdin) that ends short of the size it
    /// had when feeding began shrank while it was sent: [`Shrunk`].
    pub(crate) fn feed(&self, chunk: usize, mut send: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        match self {
            Input::Messages(messages) => messages.iter().try_for_each(|m| send(m)),
            Input::File(path) => {
                let file = open_file(path)?;
                let what = Watched {
                    name: format!("--file {}", crate::hexdump::shown_os(path.as_os_str())),
                    expected: expected(&file),
                };
                feed_reader(file, chunk, &mut send, what, || {
                    msg!("input-read-file", path = crate::hexdump::shown_os(path.as_os_str()))
                })
            }
            Input::Stdin => {
                let file = crate::sys::terminal::stdin_file();
                let what = Watched { name: "stdin".into(), expected: file.as_ref().and_then(expected) };
                feed_reader(Patient(io::stdin().lock()), chunk, &mut send, what, || msg!("input-read-stdin"))
            }
        }
    }
}

/// A regular file (a --file, or stdin) that ended before the size it had
/// when sending began: it was truncated while it was sent. What the peer
/// got is not the file: a prefix, and where the kernel sent the file's own
/// pages (sendfile), maybe zeros or old bytes the truncation left in them.
#[derive(Debug, thiserror::Error)]
#[error("{}", msg!("error-input-shrank", what = self.what.as_str(), size = Arg::bytes(self.size), sent = Arg::bytes(self.sent)))]
pub(crate) struct Shrunk {
    /// `stdin`, `--file PATH`.
    pub(crate) what: String,
    /// Its bytes from where sending began, when it began.
    pub(crate) size: u64,
    /// Bytes sent when its end came.
    pub(crate) sent: u64,
}

impl Shrunk {
    /// Why a connection was closed, for its `closed` line.
    pub(crate) fn reason(&self) -> Msg {
        msg!(
            "reason-input-shrank",
            what = self.what.as_str(),
            size = Arg::bytes(self.size),
            sent = Arg::bytes(self.sent)
        )
    }
}

/// A datagram longer than the most the protocol carries, found before it
/// was sent.
#[derive(Debug, thiserror::Error)]
#[error("{what} is {}", self.size_text())]
pub(crate) struct TooLong {
    /// Which input: "message 2", "--file big.bin", "stdin line 3".
    pub(crate) what: Msg,
    /// Its length, when known; a stream cut at `max + 1` bytes has only a
    /// lower bound.
    pub(crate) len: u64,
    pub(crate) exact: bool,
    pub(crate) max: usize,
}

impl TooLong {
    /// "70000 bytes, more than the 65507 a datagram may carry".
    pub(crate) fn size_text(&self) -> Msg {
        match self.exact {
            true => msg!("too-long-exact", len = self.len, max = self.max),
            false => msg!("too-long-stream", max = self.max),
        }
    }
}

impl Input {
    /// The datagrams of an input that ends: each message, the whole file, or
    /// with `stdin_whole` all of stdin as one. Every one is checked against
    /// `max` before any is sent. `None` for stdin read line by line, which
    /// [`stdin_lines`] feeds as it comes.
    pub(crate) fn datagrams(&self, max: usize, stdin_whole: bool) -> Result<Option<Vec<Vec<u8>>>> {
        match self {
            Input::Messages(messages) => {
                for (i, m) in messages.iter().enumerate() {
                    if m.len() > max {
                        let what = msg!("input-message", n = i + 1);
                        return Err(TooLong { what, len: m.len() as u64, exact: true, max }.into());
                    }
                }
                Ok(Some(messages.clone()))
            }
            Input::File(path) => {
                let what = || msg!("input-file", path = crate::hexdump::shown_os(path.as_os_str()));
                let file = open_file(path)?;
                // A regular file says its size; a pipe or device is read up
                // to one byte past the maximum, never more.
                let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
                if let Some(len) = size.filter(|&len| len > max as u64) {
                    return Err(TooLong { what: what(), len, exact: true, max }.into());
                }
                let bytes = read_at_most(file, max).with_context(|| msg!("input-read", what = what()))?;
                check_read(bytes, max, what())
            }
            Input::Stdin if stdin_whole => {
                let bytes = read_at_most(Patient(io::stdin().lock()), max)
                    .with_context(|| msg!("input-read-stdin"))?;
                check_read(bytes, max, msg!("input-stdin-datagram"))
            }
            Input::Stdin => Ok(None),
        }
    }
}

/// Reads a whole --reply-file, naming it when that fails.
pub(crate) fn read_reply_file(path: &std::path::Path) -> Result<Vec<u8>> {
    let path_text = || path.display().to_string();
    if path.is_dir() {
        return Err(anyhow::Error::msg(msg!("input-reply-file-is-dir", path = path_text())));
    }
    std::fs::read(path).with_context(|| msg!("input-read-reply-file", path = path_text()))
}

/// Opens a --file to read, refusing a directory with a line that says so.
fn open_file(path: &std::path::Path) -> Result<File> {
    let file = File::open(path)
        .with_context(|| msg!("input-open-file", path = crate::hexdump::shown_os(path.as_os_str())))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(anyhow::Error::msg(msg!(
            "input-file-is-dir",
            path = crate::hexdump::shown_os(path.as_os_str())
        )));
    }
    Ok(file)
}

fn read_at_most(reader: impl Read, max: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn check_read(bytes: Vec<u8>, max: usize, what: Msg) -> Result<Option<Vec<Vec<u8>>>> {
    if bytes.len() > max {
        return Err(TooLong { what, len: bytes.len() as u64, exact: false, max }.into());
    }
    Ok(Some(vec![bytes]))
}

/// How `udp send` cuts stdin into datagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdinDatagrams {
    /// One datagram a line, without its line end: what a person types.
    Lines,
    /// One datagram a read() of stdin, of at most the largest datagram,
    /// unchanged (--raw, as nc -u): a file of 100 bytes is one datagram of
    /// 100; a pipe, what each of its writes put in it (up to the maximum).
    Reads,
    /// All of stdin, one datagram (--stdin-datagram).
    Whole,
}

/// Feeds stdin to `send` one read() at a time, each at most `max` bytes,
/// unchanged; stops at the end of stdin or the first error.
pub(crate) fn stdin_reads(max: usize, mut send: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    let what = Watched { name: "stdin".into(), expected: None };
    feed_reader(Patient(io::stdin().lock()), max, &mut send, what, || msg!("input-read-stdin"))
}

/// Feeds stdin to `send` one line at a time, without its line end (`\n` or
/// `\r\n`); an empty line is an empty datagram. A line longer than `max` is
/// an error, found before that line is sent; no line is read whole into
/// memory beyond `max` bytes.
pub(crate) fn stdin_lines(max: usize, send: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    lines_of(io::BufReader::new(Patient(io::stdin())), max, send)
}

fn lines_of(mut reader: impl BufRead, max: usize, mut send: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    let mut line = Vec::new();
    for number in 1u64.. {
        line.clear();
        // The line, its "\r\n", and one byte more tells a line too long.
        let read = (&mut reader).take(max as u64 + 3).read_until(b'\n', &mut line);
        match read {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| msg!("input-read-stdin")),
        }
        let ended = line.last() == Some(&b'\n');
        if ended {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        if line.len() > max {
            let what = msg!("input-stdin-line", n = number);
            return Err(TooLong { what, len: line.len() as u64, exact: ended, max }.into());
        }
        send(&line)?;
    }
    Ok(())
}

/// An input fed, and what a regular file held when feeding began.
struct Watched {
    /// How messages name it: `stdin`, `--file PATH`.
    name: String,
    /// A regular file's bytes from its offset to its end, then.
    expected: Option<u64>,
}

/// What is left to read of `file` if it is a regular file.
fn expected(file: &File) -> Option<u64> {
    let size = file.metadata().ok().filter(|m| m.is_file())?.len();
    let at = std::io::Seek::stream_position(&mut &*file).ok()?;
    Some(size.saturating_sub(at))
}

fn feed_reader(
    mut reader: impl Read,
    chunk: usize,
    send: &mut impl FnMut(&[u8]) -> Result<()>,
    input: Watched,
    what: impl Fn() -> Msg,
) -> Result<()> {
    let mut buf = vec![0u8; chunk.max(1)];
    let mut fed = 0u64;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => {
                return match input.expected {
                    Some(size) if fed < size => Err(Shrunk { what: input.name, size, sent: fed }.into()),
                    _ => Ok(()),
                };
            }
            Ok(n) => {
                send(&buf[..n])?;
                fed += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(what),
        }
    }
}

/// `--crlf` (nc -C): each line end sent as CR LF. A LF that a CR does not
/// already come before becomes CR LF; every other byte goes unchanged. It
/// remembers the last byte across pieces, so a CR at the end of one read
/// and its LF at the start of the next stay one line end (nc -C sends
/// CR CR LF there).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Crlf {
    after_cr: bool,
}

impl Crlf {
    /// `bytes` with its bare line ends as CR LF; borrowed when none is bare.
    pub(crate) fn convert<'a>(&mut self, bytes: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        let before = self.after_cr;
        let bare = |at: usize| bytes[at] == b'\n' && if at == 0 { !before } else { bytes[at - 1] != b'\r' };
        let Some(first) = (0..bytes.len()).find(|&at| bare(at)) else {
            if let Some(&last) = bytes.last() {
                self.after_cr = last == b'\r';
            }
            return std::borrow::Cow::Borrowed(bytes);
        };
        let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16 + 1);
        out.extend_from_slice(&bytes[..first]);
        for (at, &byte) in bytes.iter().enumerate().skip(first) {
            if bare(at) {
                out.push(b'\r');
            }
            out.push(byte);
        }
        self.after_cr = bytes.last() == Some(&b'\r');
        std::borrow::Cow::Owned(out)
    }
}

/// Reads `--hex` text such as `01 02 ff`, `0102ff`, `de:ad:be:ef` or
/// `0x01,0x02` into bytes.
pub(crate) fn parse_hex(text: &str) -> Result<Vec<u8>, Msg> {
    let mut digits = Vec::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | ':' | ',' | '-' => {}
            '0' | '\\' if matches!(chars.peek(), Some((_, 'x' | 'X'))) => {
                // A 0x or \x prefix: skip it, the digits follow.
                chars.next();
            }
            c if c.is_ascii_hexdigit() => digits.push(c.to_digit(16).unwrap_or(0) as u8),
            c => {
                return Err(msg!(
                    "hex-not-digit",
                    text = crate::hexdump::shown_text(text.as_bytes()),
                    c = crate::hexdump::shown_text(c.to_string().as_bytes()),
                    at = at + 1
                ));
            }
        }
    }
    if digits.len() % 2 == 1 {
        return Err(msg!("hex-odd", text = crate::hexdump::shown_text(text.as_bytes()), n = digits.len()));
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
        assert!(parse_hex("01 0g").unwrap_err().to_string().contains("'g' at position 5"));
        assert!(parse_hex("012").unwrap_err().to_string().contains("odd"));
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
    fn lines_are_datagrams_without_their_line_end() {
        let mut seen = Vec::new();
        let input: &[u8] = b"one\ntwo\r\n\nlast";
        lines_of(input, 10, |d| {
            seen.push(d.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![b"one".to_vec(), b"two".to_vec(), b"".to_vec(), b"last".to_vec()]);
    }

    #[test]
    fn a_line_too_long_stops_before_it_is_sent() {
        let mut sent = 0;
        let input: &[u8] = b"12345\n123456\nnever";
        let err = lines_of(input, 5, |_| {
            sent += 1;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(sent, 1);
        let too_long = err.downcast_ref::<TooLong>().unwrap();
        assert_eq!(
            (too_long.what.to_string().as_str(), too_long.len, too_long.exact),
            ("stdin line 2", 6, true)
        );
        // A line with no end in sight is cut just past the maximum.
        let endless = [b'x'; 100];
        let err = lines_of(&endless[..], 5, |_| Ok(())).unwrap_err();
        assert_eq!(err.to_string(), "stdin line 1 is longer than the 5 bytes a datagram may carry");
    }

    #[test]
    fn datagrams_are_checked_before_any_is_sent() {
        let input = Input::Messages(vec![b"ok".to_vec(), vec![0; 6]]);
        let err = input.datagrams(5, false).unwrap_err();
        assert_eq!(err.to_string(), "message 2 is 6 bytes, more than the 5 a datagram may carry");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        std::fs::write(&path, [1u8; 9]).unwrap();
        let err = Input::File(path.clone()).datagrams(8, false).unwrap_err();
        assert!(err.to_string().contains("big.bin is 9 bytes"), "{err}");
        assert_eq!(Input::File(path).datagrams(9, false).unwrap(), Some(vec![vec![1u8; 9]]));
        assert_eq!(Input::Stdin.datagrams(9, false).unwrap(), None);
    }

    #[test]
    fn crlf_turns_bare_line_ends_into_cr_lf_across_pieces() {
        let mut crlf = Crlf::default();
        assert_eq!(&*crlf.convert(b"GET / HTTP/1.0\n\n"), b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!(&*crlf.convert(b"ok\r\n"), b"ok\r\n");
        assert!(matches!(crlf.convert(b"no line end"), std::borrow::Cow::Borrowed(_)));
        // A CR that ends one piece and the LF that starts the next.
        assert_eq!(&*crlf.convert(b"a\r"), b"a\r");
        assert_eq!(&*crlf.convert(b"\nb\n"), b"\nb\r\n");
        assert_eq!(&*crlf.convert(b"\n"), b"\r\n");
        assert_eq!(&*crlf.convert(b""), b"");
        assert_eq!(&*crlf.convert(b"\n"), b"\r\n");
        assert_eq!(&*crlf.convert(b"\r\r\n\x00\n"), b"\r\r\n\x00\r\n");
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let err = Input::File("/no/such/file".into()).feed(16, |_| Ok(())).unwrap_err();
        assert!(format!("{err:#}").contains("/no/such/file"));
    }

    #[test]
    fn a_file_that_shrinks_while_fed_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shrinks.bin");
        std::fs::write(&path, vec![1u8; 100_000]).unwrap();
        let mut fed = 0;
        let err = Input::File(path.clone())
            .feed(10_000, |bytes| {
                fed += bytes.len();
                if fed == 10_000 {
                    // Truncated after the first piece was sent.
                    std::fs::OpenOptions::new().write(true).open(&path)?.set_len(30_000)?;
                }
                Ok(())
            })
            .unwrap_err();
        let shrunk = err.downcast_ref::<Shrunk>().expect("a Shrunk error");
        assert_eq!((shrunk.size, shrunk.sent), (100_000, 30_000));
        assert_eq!(fed, 30_000);
        // A file that keeps its size is fed whole, with no error.
        std::fs::write(&path, vec![1u8; 25_000]).unwrap();
        Input::File(path).feed(10_000, |_| Ok(())).unwrap();
    }
}
