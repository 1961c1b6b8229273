//! `netplay hex`: the offline view of a file or stdin, with the renderer of
//! the live dump, so a capture (`netplay tcp serve --raw > capture.bin`)
//! reads the way the connection did. Input streams: each read is shown as
//! soon as it returns, and memory stays the same whatever the input's size.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::thread;

use anyhow::{Context, Result};

use crate::decode::{DecodeError, Format, Values};
use crate::hexdump::{self, Dumper, Layout};
use crate::report::OutputError;

/// Bytes asked per read. Large enough that a file is read in few calls and
/// that rendering can be split between two threads; the output of one block
/// is about 13 times its size with colour on random bytes.
const BLOCK: usize = 1 << 20;
/// Below this, a block is rendered on one thread: a thread's start costs
/// more than the rendering it would save.
const PARALLEL_MIN: usize = 128 << 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

#[derive(Debug, Clone)]
pub struct HexConfig {
    pub source: Source,
    /// Bytes to skip from the start; offsets count from the input's start.
    pub skip: u64,
    /// Bytes to show at most.
    pub length: Option<u64>,
    pub layout: Layout,
    /// Decode consecutive records with this format, like Python's
    /// `struct.iter_unpack`.
    pub decode: Option<Format>,
}

/// Dumps the input to `out`. Reading errors name the input; writing errors
/// are [`OutputError`]s, so a closed pipe ends the run quietly.
pub fn run(config: &HexConfig, color: bool, out: &mut dyn Write) -> Result<()> {
    let (mut input, name) = open(&config.source)?;
    let skipped =
        skip(&mut input, config.skip).with_context(|| format!("skip {} bytes of {name}", config.skip))?;
    let mut view = View::new(config, color, skipped);
    let mut buf = vec![0u8; BLOCK];
    let mut left = config.length.unwrap_or(u64::MAX);
    let width = view.dumper.layout().width as u64;
    while left > 0 {
        // Reads end on the line grid where they can, so a file's lines are
        // never cut in two by a read boundary.
        let grid = (view.dumper.offset() % width) as usize;
        let want = (BLOCK - grid).min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match input.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("read {name}")),
        };
        left -= n as u64;
        view.show(&buf[..n], out)?;
    }
    view.finish(out)
}

fn open(source: &Source) -> Result<(Box<dyn ReadSeek>, String)> {
    Ok(match source {
        Source::File(path) => {
            let name = path.display().to_string();
            let file = File::open(path).with_context(|| format!("open {name}"))?;
            (Box::new(file), name)
        }
        Source::Stdin => (Box::new(StdinReader(io::stdin())), "stdin".to_string()),
    })
}

trait ReadSeek: Read {
    /// Seeks forward when the input can; false when it must be read instead.
    fn seek_to(&mut self, offset: u64) -> bool;
}

impl ReadSeek for File {
    fn seek_to(&mut self, offset: u64) -> bool {
        self.metadata().is_ok_and(|m| m.is_file()) && self.seek(SeekFrom::Start(offset)).is_ok()
    }
}

struct StdinReader(io::Stdin);

impl Read for StdinReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.lock().read(buf)
    }
}

impl ReadSeek for StdinReader {
    fn seek_to(&mut self, _: u64) -> bool {
        false
    }
}

/// Skips `count` bytes: a seek on a file, reading and dropping on a pipe.
/// Returns the offset reached, which is less than `count` when the input is
/// shorter (seeking past a file's end reads nothing afterwards, as in xxd).
fn skip(input: &mut Box<dyn ReadSeek>, count: u64) -> io::Result<u64> {
    if count == 0 || input.seek_to(count) {
        return Ok(count);
    }
    io::copy(&mut input.by_ref().take(count), &mut io::sink())
}

/// The dump being written: the dumper, its output buffers, and the record
/// being decoded.
struct View<'a> {
    dumper: Dumper,
    color: bool,
    /// One output buffer per rendering thread, reused for every block.
    outs: [Vec<u8>; 2],
    records: Option<Records<'a>>,
    threads: bool,
}

impl<'a> View<'a> {
    fn new(config: &'a HexConfig, color: bool, start: u64) -> View<'a> {
        // A run of squeezed lines would hide the records decoded in it.
        let layout = Layout { squeeze: config.layout.squeeze && config.decode.is_none(), ..config.layout };
        View {
            dumper: Dumper::new(layout, color, start),
            color,
            outs: [Vec::new(), Vec::new()],
            records: config.decode.as_ref().map(|format| Records::new(format, start)),
            threads: thread::available_parallelism().is_ok_and(|n| n.get() > 1),
        }
    }

    /// Renders one read and writes it.
    fn show(&mut self, bytes: &[u8], out: &mut dyn Write) -> Result<(), OutputError> {
        let [first, second] = &mut self.outs;
        first.clear();
        second.clear();
        if let Some(records) = &mut self.records {
            records.show(&mut self.dumper, bytes, self.color, first);
        } else if self.threads && bytes.len() >= PARALLEL_MIN {
            render_in_two(&mut self.dumper, bytes, first, second);
        } else {
            self.dumper.push(bytes, first);
        }
        out.write_all(first).map_err(OutputError)?;
        out.write_all(second).map_err(OutputError)
    }

    fn finish(&mut self, out: &mut dyn Write) -> Result<()> {
        let buf = &mut self.outs[0];
        buf.clear();
        self.dumper.finish(buf);
        if let Some(records) = &mut self.records {
            records.finish(self.color, buf);
        }
        out.write_all(buf).map_err(OutputError)?;
        out.flush().map_err(OutputError)?;
        Ok(())
    }
}

/// Renders the first half of `bytes` here and the second half on another
/// thread, which starts from the state the dumper will have at the split.
/// The split falls on the line grid, so the output is the same as one push.
fn render_in_two(dumper: &mut Dumper, bytes: &[u8], first: &mut Vec<u8>, second: &mut Vec<u8>) {
    let width = dumper.layout().width as u64;
    let half = bytes.len() / 2;
    let mid = half - (dumper.offset().wrapping_add(half as u64) % width) as usize;
    let (head, tail) = bytes.split_at(mid);
    let mut rest = dumper.clone();
    rest.advance(head);
    *dumper = thread::scope(|scope| {
        let worker = scope.spawn(move || {
            rest.push(tail, second);
            rest
        });
        dumper.push(head, first);
        worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
}

/// Consecutive records of a format, like `struct.iter_unpack`: each record's
/// values show on a line under the dump line where its last byte is.
struct Records<'a> {
    format: &'a Format,
    /// Bytes of the record in progress, and its offset.
    pending: Vec<u8>,
    start: u64,
}

impl<'a> Records<'a> {
    fn new(format: &'a Format, start: u64) -> Records<'a> {
        Records { format, pending: Vec::with_capacity(format.size()), start }
    }

    fn show(&mut self, dumper: &mut Dumper, mut bytes: &[u8], color: bool, out: &mut Vec<u8>) {
        let width = dumper.layout().width as u64;
        while !bytes.is_empty() {
            let take = (width - dumper.offset() % width).min(bytes.len() as u64) as usize;
            let (line, rest) = bytes.split_at(take);
            dumper.push(line, out);
            self.feed(line, color, out);
            bytes = rest;
        }
    }

    fn feed(&mut self, mut bytes: &[u8], color: bool, out: &mut Vec<u8>) {
        let size = self.format.size();
        while !bytes.is_empty() {
            let take = (size - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == size {
                let decoded = self.format.unpack_from(&self.pending);
                push_record(self.start, &decoded, color, out);
                self.start = self.start.wrapping_add(size as u64);
                self.pending.clear();
            }
        }
    }

    /// Bytes left at the end that do not make a whole record get a note.
    fn finish(&mut self, color: bool, out: &mut Vec<u8>) {
        if !self.pending.is_empty() {
            let decoded = self.format.unpack_from(&self.pending);
            push_record(self.start, &decoded, color, out);
        }
    }
}

fn push_record(offset: u64, decoded: &Result<Values, DecodeError>, color: bool, out: &mut Vec<u8>) {
    let label = match decoded {
        Ok(_) => format!("{offset:08x} "),
        Err(_) => format!("{offset:08x} at the end of the input: "),
    };
    hexdump::push_decoded(&label, decoded, color, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(decode: Option<&str>) -> HexConfig {
        HexConfig {
            source: Source::Stdin,
            skip: 0,
            length: None,
            layout: Layout::default(),
            decode: decode.map(|f| f.parse().unwrap()),
        }
    }

    fn view_of(config: &HexConfig, reads: &[&[u8]]) -> String {
        let mut view = View::new(config, false, 0);
        let mut out = Vec::new();
        for read in reads {
            view.show(read, &mut out).unwrap();
        }
        view.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn two_threads_render_what_one_would() {
        let bytes: Vec<u8> = (0..PARALLEL_MIN * 3 + 7).map(|i| (i * 7 / 3 % 251) as u8).collect();
        for start in [0, 5, 16] {
            for layout in [Layout::default(), Layout { width: 32, squeeze: false }] {
                let mut one = Dumper::new(layout, true, start);
                let mut expected = Vec::new();
                one.push(&bytes, &mut expected);

                let mut two = Dumper::new(layout, true, start);
                let (mut a, mut b) = (Vec::new(), Vec::new());
                render_in_two(&mut two, &bytes, &mut a, &mut b);
                a.extend_from_slice(&b);
                assert!(a == expected, "start {start}, {layout:?}");
                assert_eq!(two.offset(), one.offset());
            }
        }
    }

    #[test]
    fn records_decode_one_after_the_other() {
        let text = view_of(&config(Some(">h")), &[&[1, 2, 3], &[4, 0xff]]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("00000000  01 02 03"), "{text}");
        // The second read continues the line on a new one, at the same offset.
        assert!(lines.iter().any(|l| l.ends_with("↳ 00000000 (258,)")), "{text}");
        assert!(lines.iter().any(|l| l.ends_with("↳ 00000002 (772,)")), "{text}");
        let last = lines.last().unwrap();
        assert!(
            last.contains("00000004 at the end of the input: format '>h' needs 2 bytes, got 1"),
            "{text}"
        );
    }

    #[test]
    fn a_record_shows_under_the_line_of_its_last_byte() {
        let bytes: Vec<u8> = (0..20).collect();
        let text = view_of(&config(Some("<5s")), &[&bytes]);
        let lines: Vec<&str> = text.lines().collect();
        // Records end at 5, 10, 15 (line 0) and 20 (line 1).
        assert!(lines[0].starts_with("00000000"), "{text}");
        assert_eq!(lines[1..4].iter().filter(|l| l.contains('↳')).count(), 3, "{text}");
        assert!(lines[4].starts_with("00000010"), "{text}");
        assert!(lines[5].contains("↳ 0000000f (b'\\x0f\\x10\\x11\\x12\\x13',)"), "{text}");
    }

    #[test]
    fn decoding_turns_squeeze_off() {
        let text = view_of(&config(Some("B")), &[&[0u8; 48]]);
        assert!(!text.contains('*'), "{text}");
        assert_eq!(text.lines().filter(|l| l.contains("↳")).count(), 48);
    }
}
