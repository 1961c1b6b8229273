//! `netplay hex`: the offline view of a file or stdin, with the renderer of
//! the live dump, so a capture (`netplay tcp serve --raw > capture.bin`)
//! reads the way the connection did. Input streams: each read is shown as
//! soon as it returns, and memory stays the same whatever the input's size.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::mpsc;
use std::thread;

use anyhow::{Context, Result};

use crate::config::hex::{HexConfig, Source};
use crate::decode::{DecodeError, Format, Values};
use crate::hexdump::{self, Dumper, Layout, Renderer};
use crate::sink::OutputError;

/// Bytes asked per read, and rendered as one block by one thread. Small
/// enough that a block's text (about 13 times its size with colour on random
/// bytes) stays in the core's cache until it is written; large enough that a
/// block costs far more to render than to hand from thread to thread.
const BLOCK: usize = 128 << 10;
/// Rendering threads at most; the reading and writing threads come on top.
const MAX_WORKERS: usize = 4;

/// Dumps the input to `out`. Reading errors name the input; writing errors
/// are [`OutputError`]s, so a closed pipe ends the run quietly. A `--skip`
/// past the end of the input shows nothing, with one line on `notes` saying
/// so, and is no failure: the dump of nothing is complete (xxd exits 0
/// too, silently).
pub(crate) fn run(config: &HexConfig, color: bool, out: &mut dyn Write, notes: &mut dyn Write) -> Result<()> {
    let (mut input, name) = open(&config.source)?;
    let skipped = match skip(&mut *input, config.skip)
        .with_context(|| crate::msg!("hex-skip", n = config.skip, name = name.as_str()))?
    {
        Skipped::To(offset) => offset,
        Skipped::PastEnd { size } => {
            let what = match input.size() {
                Some(_) => crate::msg!("hex-has-bytes", name = name.as_str(), size = size),
                None => crate::msg!("hex-ended-after", name = name.as_str(), size = size),
            };
            let line = crate::msg!("hex-nothing-to-show", what = what, skip = config.skip);
            let line = crate::msg!("error-line", what = line).to_string();
            let _ = writeln!(notes, "{}", crate::width::fit_stderr(&line, config.columns));
            return Ok(());
        }
    };
    // Offsets are 64-bit: the last byte a dump can number is at
    // ffffffffffffffff, and the dump stops there rather than count from 0
    // again (`-s 18446744073709551615 /dev/zero`).
    let room = (u64::MAX - skipped).saturating_add(1);
    let capped = skipped > 0 && config.length.is_none_or(|n| n > room);
    let left = config.length.unwrap_or(u64::MAX).min(room);
    let unshown = match &config.decode {
        None => {
            let dumper = Dumper::new(config.layout, color, skipped).with_renderer(config.renderer);
            let workers = thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WORKERS));
            pipeline(Reader { input, name, left, block: BLOCK }, dumper, workers, out)?
        }
        Some(format) => {
            // Decoding: one thread, in order, so each record follows its line.
            let mut view = View::new(config.layout, config.renderer, format, color, skipped, config.columns);
            let mut reader = Reader { input, name, left, block: BLOCK };
            let mut buf = vec![0u8; BLOCK];
            let width = view.dumper.layout().width as u64;
            while let Some(n) = reader.read(&mut buf, view.dumper.offset() % width)? {
                view.show(&buf[..n], out)?;
            }
            view.finish(out)?;
            reader.left
        }
    };
    if capped && unshown == 0 {
        let line = crate::msg!("hex-numbering-ends", offset = format!("{:x}", u64::MAX));
        let line = crate::msg!("error-line", what = line).to_string();
        let _ = writeln!(notes, "{}", crate::width::fit_stderr(&line, config.columns));
    }
    Ok(())
}

/// The input, read in blocks.
struct Reader {
    input: Box<dyn ReadSeek>,
    name: String,
    /// Bytes still to show (`--length`).
    left: u64,
    block: usize,
}

impl Reader {
    /// Reads the next block into `buf` (grown to the block size), or gives
    /// `None` at the end. `column` is where the dump's line stands: reads end
    /// on the line grid where they can, so a file's lines are never cut in
    /// two by a read boundary.
    fn read(&mut self, buf: &mut Vec<u8>, column: u64) -> Result<Option<usize>> {
        buf.resize(self.block, 0);
        let want = (self.block - column as usize).min(usize::try_from(self.left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(None);
        }
        loop {
            match self.input.read(&mut buf[..want]) {
                Ok(0) => return Ok(None),
                Ok(n) => {
                    self.left -= n as u64;
                    return Ok(Some(n));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e).with_context(|| crate::msg!("hex-read", name = self.name.as_str())),
            }
        }
    }
}

/// A block on its way through the pipeline: the bytes read, the dumper as
/// it stands at their start, and the text rendered from them.
struct Block {
    bytes: Vec<u8>,
    len: usize,
    dumper: Dumper,
    text: Vec<u8>,
    end: usize,
}

/// Dumps the input with `workers` threads rendering blocks in turn, while
/// this thread writes them in order and another reads. Each block is shown
/// as soon as it is read and rendered, so a stream prints as it arrives.
///
/// The reader gives each block a copy of the dumper advanced to the block's
/// start (cheap: it only needs the last lines), so the text is what one
/// dumper pushed every block would give. Blocks come back to the reader to
/// be reused, so memory is fixed: two blocks per worker.
///
/// A closed output ends the run at once, without waiting for the other
/// threads: the reader may be waiting for input that never comes (`tail -f
/// log | netplay hex | head`). They end with the process, or sooner, when a
/// channel they use closes.
fn pipeline(mut reader: Reader, mut dumper: Dumper, workers: usize, out: &mut dyn Write) -> Result<u64> {
    let width = dumper.layout().width as u64;
    let (free, recycled) = mpsc::channel::<Block>();
    let mut to_workers = Vec::new();
    let mut from_workers = Vec::new();
    let mut renderers = Vec::new();
    for _ in 0..workers {
        let (jobs, job) = mpsc::channel::<Block>();
        let (done, finished) = mpsc::channel::<Block>();
        renderers.push(thread::spawn(move || {
            for mut block in job {
                block.end = block.dumper.render_at(&block.bytes[..block.len], &mut block.text, 0);
                if done.send(block).is_err() {
                    break;
                }
            }
        }));
        to_workers.push(jobs);
        from_workers.push(finished);
    }
    for _ in 0..2 * workers {
        let block = Block { bytes: Vec::new(), len: 0, dumper: dumper.clone(), text: Vec::new(), end: 0 };
        free.send(block).expect("the receiver is alive");
    }
    let reading = thread::spawn(move || -> Result<(Dumper, u64)> {
        for worker in (0..workers).cycle() {
            let Ok(mut block) = recycled.recv() else { break };
            let Some(n) = reader.read(&mut block.bytes, dumper.offset() % width)? else { break };
            block.len = n;
            block.dumper.clone_from(&dumper);
            dumper.advance(&block.bytes[..n]);
            if to_workers[worker].send(block).is_err() {
                break;
            }
        }
        Ok((dumper, reader.left))
    });
    // Block i is rendered by worker i % workers, and each worker keeps
    // their order: the first worker with nothing more to give marks the end.
    for worker in (0..workers).cycle() {
        let Ok(block) = from_workers[worker].recv() else { break };
        out.write_all(&block.text[..block.end]).map_err(OutputError)?;
        // The reader may have finished: then the block is not needed.
        let _ = free.send(block);
    }
    for renderer in renderers {
        renderer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    }
    let (mut dumper, unshown) = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let mut text = Vec::new();
    dumper.finish(&mut text);
    out.write_all(&text).map_err(OutputError)?;
    out.flush().map_err(OutputError)?;
    Ok(unshown)
}

fn open(source: &Source) -> Result<(Box<dyn ReadSeek>, String)> {
    Ok(match source {
        Source::File(path) => {
            let name = hexdump::shown_os(path.as_os_str());
            let file = File::open(path).with_context(|| crate::msg!("hex-open", name = name.as_str()))?;
            (Box::new(file), name)
        }
        Source::Stdin => match stdin_file() {
            Some(file) => (Box::new(file), "stdin".to_string()),
            None => (Box::new(StdinReader(io::stdin())), "stdin".to_string()),
        },
    })
}

/// Standard input as a file of its own, so that `--skip` can seek it when
/// it is a file or a device: `netplay hex -s 1G < big.bin` starts at once.
/// Reads go straight to the descriptor, in blocks, as from a file (each
/// system's way: [`crate::sys::terminal::stdin_file`]).
fn stdin_file() -> Option<File> {
    crate::sys::terminal::stdin_file()
}

trait ReadSeek: Read + Send {
    /// Moves to `offset` without reading when the input can: a file, or a
    /// device such as /dev/zero. False when it must be read instead: a pipe,
    /// a terminal, a socket.
    fn seek_to(&mut self, offset: u64) -> bool;

    /// The input's size, when it is a regular file.
    fn size(&self) -> Option<u64> {
        None
    }
}

impl ReadSeek for File {
    fn seek_to(&mut self, offset: u64) -> bool {
        // lseek fails with ESPIPE on pipes, sockets and terminals.
        self.seek(SeekFrom::Start(offset)).is_ok()
    }

    fn size(&self) -> Option<u64> {
        self.metadata().ok().filter(|m| m.is_file()).map(|m| m.len())
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

/// Where `--skip` left the input.
#[derive(Debug, PartialEq, Eq)]
enum Skipped {
    /// At this offset, with bytes perhaps left to show.
    To(u64),
    /// At or past the end: the input has `size` bytes, no more than skipped.
    PastEnd { size: u64 },
}

/// Skips `count` bytes: a seek on a file or a device, reading and dropping
/// on a pipe (or anything else that cannot seek).
fn skip(input: &mut dyn ReadSeek, count: u64) -> io::Result<Skipped> {
    if count == 0 {
        return Ok(Skipped::To(0));
    }
    if input.seek_to(count) {
        return Ok(match input.size() {
            Some(size) if size <= count => Skipped::PastEnd { size },
            _ => Skipped::To(count),
        });
    }
    let read = io::copy(&mut input.take(count), &mut io::sink())?;
    Ok(if read < count { Skipped::PastEnd { size: read } } else { Skipped::To(count) })
}

/// A dump with decoded records: the dumper, its output buffer, and the
/// record being decoded.
struct View<'a> {
    dumper: Dumper,
    color: bool,
    out: Vec<u8>,
    records: Records<'a>,
}

impl<'a> View<'a> {
    fn new(
        layout: Layout,
        renderer: Renderer,
        format: &'a Format,
        color: bool,
        start: u64,
        columns: Option<usize>,
    ) -> View<'a> {
        // A run of squeezed lines would hide the records decoded in it.
        let layout = Layout { squeeze: false, ..layout };
        View {
            dumper: Dumper::new(layout, color, start).with_renderer(renderer),
            color,
            out: Vec::new(),
            records: Records { columns, ..Records::new(format, start) },
        }
    }

    /// Renders one read and writes it.
    fn show(&mut self, bytes: &[u8], out: &mut dyn Write) -> Result<(), OutputError> {
        self.out.clear();
        self.records.show(&mut self.dumper, bytes, self.color, &mut self.out);
        out.write_all(&self.out).map_err(OutputError)
    }

    fn finish(&mut self, out: &mut dyn Write) -> Result<()> {
        self.out.clear();
        self.dumper.finish(&mut self.out);
        self.records.finish(self.color, &mut self.out);
        out.write_all(&self.out).map_err(OutputError)?;
        out.flush().map_err(OutputError)?;
        Ok(())
    }
}

/// Consecutive records of a format, like `struct.iter_unpack`: each record's
/// values show on a line under the dump line where its last byte is.
struct Records<'a> {
    format: &'a Format,
    /// Bytes of the record in progress, and its offset.
    pending: Vec<u8>,
    start: u64,
    /// Columns each decoded line fits in, wrapped between words.
    columns: Option<usize>,
}

impl<'a> Records<'a> {
    fn new(format: &'a Format, start: u64) -> Records<'a> {
        Records { format, pending: Vec::with_capacity(format.size()), start, columns: None }
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
                push_record(self.start, &decoded, color, self.columns, out);
                self.start = self.start.wrapping_add(size as u64);
                self.pending.clear();
            }
        }
    }

    /// Bytes left at the end that do not make a whole record get a note.
    fn finish(&mut self, color: bool, out: &mut Vec<u8>) {
        if !self.pending.is_empty() {
            let decoded = self.format.unpack_from(&self.pending);
            push_record(self.start, &decoded, color, self.columns, out);
        }
    }
}

fn push_record(
    offset: u64,
    decoded: &Result<Values, DecodeError>,
    color: bool,
    columns: Option<usize>,
    out: &mut Vec<u8>,
) {
    let label = match decoded {
        Ok(_) => format!("{offset:08x} "),
        Err(_) => format!("{offset:08x} {} ", crate::msg!("hex-at-the-end")),
    };
    let mut line = Vec::new();
    crate::decode::push_decoded(&label, decoded, color, &mut line);
    let text = String::from_utf8_lossy(&line);
    let text = text.trim_end_matches('\n');
    match columns {
        Some(width) if crate::width::display_width(text) > width => {
            for part in crate::width::wrap(text, width) {
                out.extend_from_slice(part.as_bytes());
                out.push(b'\n');
            }
        }
        _ => out.extend_from_slice(&line),
    }
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
            renderer: Renderer::best(),
            decode: decode.map(|f| f.parse().unwrap()),
            columns: None,
        }
    }

    fn view_of(config: &HexConfig, reads: &[&[u8]]) -> String {
        let format = config.decode.as_ref().unwrap();
        let mut view = View::new(config.layout, config.renderer, format, false, 0, None);
        let mut out = Vec::new();
        for read in reads {
            view.show(read, &mut out).unwrap();
        }
        view.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Reads `bytes` in pieces of at most `piece` bytes, as a pipe would.
    struct Pieces {
        bytes: Vec<u8>,
        at: usize,
        piece: usize,
    }

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.piece).min(self.bytes.len() - self.at);
            buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    impl ReadSeek for Pieces {
        fn seek_to(&mut self, _: u64) -> bool {
            false
        }
    }

    #[test]
    fn the_pipeline_renders_what_one_dumper_would() {
        // Squeezed runs that cross blocks, lines cut by short reads, every
        // width, one to four workers.
        let mut bytes: Vec<u8> = (0..9000).map(|i| (i * 7 / 3 % 251) as u8).collect();
        bytes.extend_from_slice(&[0u8; 3000]);
        bytes.extend((0..5000).map(|i| (i % 97) as u8));
        for (start, piece, block) in [(0, usize::MAX, 1024), (5, 1000, 512), (16, 77, 4096), (3, 4096, 96)] {
            for layout in
                [Layout::default(), Layout { width: 32, squeeze: false }, Layout { width: 8, squeeze: true }]
            {
                for color in [true, false] {
                    let mut one = Dumper::new(layout, color, start);
                    let mut expected = Vec::new();
                    // The reads the pipeline makes: up to a block, ending
                    // on the grid; the input gives at most `piece`.
                    let mut rest = &bytes[..];
                    while !rest.is_empty() {
                        let column = (one.offset() % layout.width as u64) as usize;
                        let take = piece.min(block - column).min(rest.len());
                        one.push(&rest[..take], &mut expected);
                        rest = &rest[take..];
                    }
                    one.finish(&mut expected);
                    for workers in 1..=4 {
                        let input = Box::new(Pieces { bytes: bytes.clone(), at: 0, piece });
                        let reader = Reader { input, name: "test".into(), left: u64::MAX, block };
                        let mut out = Vec::new();
                        pipeline(reader, Dumper::new(layout, color, start), workers, &mut out).unwrap();
                        let case = format!(
                            "start {start}, piece {piece}, block {block}, {layout:?}, {workers} workers"
                        );
                        assert!(out == expected, "{case}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_closed_output_stops_the_pipeline() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let input = Box::new(Pieces { bytes: vec![7; 1 << 20], at: 0, piece: 4096 });
        let reader = Reader { input, name: "test".into(), left: u64::MAX, block: 4096 };
        let error = pipeline(reader, Dumper::new(Layout::default(), true, 0), 2, &mut Closed).unwrap_err();
        assert!(error.downcast_ref::<OutputError>().is_some(), "{error:#}");
    }

    #[test]
    fn skipping_seeks_what_can_seek_and_reads_the_rest() {
        let mut pipe = Pieces { bytes: vec![1; 300], at: 0, piece: 7 };
        assert_eq!(skip(&mut pipe, 100).unwrap(), Skipped::To(100));
        assert_eq!(pipe.at, 100, "a pipe is read up to the skip");
        assert_eq!(skip(&mut pipe, 500).unwrap(), Skipped::PastEnd { size: 200 });

        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&[2; 256]).unwrap();
        assert_eq!(skip(&mut file, 10).unwrap(), Skipped::To(10));
        let mut rest = Vec::new();
        file.read_to_end(&mut rest).unwrap();
        assert_eq!(rest.len(), 246);
        assert_eq!(skip(&mut file, 256).unwrap(), Skipped::PastEnd { size: 256 });
        assert_eq!(skip(&mut file, 1 << 40).unwrap(), Skipped::PastEnd { size: 256 });
    }

    #[test]
    fn a_skip_past_the_end_says_so_once() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&[3; 256]).unwrap();
        let config = HexConfig { source: Source::File(file.path().into()), skip: 4096, ..config(None) };
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        run(&config, false, &mut out, &mut notes).unwrap();
        assert!(out.is_empty());
        let notes = String::from_utf8(notes).unwrap();
        let expected = format!(
            "netplay: nothing to show: {} has 256 bytes, and --skip starts at byte 4096\n",
            file.path().display()
        );
        assert_eq!(notes, expected);
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
