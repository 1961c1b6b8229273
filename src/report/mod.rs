//! Reporters turn events into output: coloured text with hex dumps for people,
//! JSON lines for programs, or the raw payload for pipes. Runners only ever
//! see [`Report`], a cloneable handle, so they cannot print by themselves.

pub mod background;
pub mod explain;
pub mod html;
pub mod human;
pub mod json;
pub mod ladder;
pub mod packets;
pub mod queue;
pub mod raw;
pub mod script;
pub mod tables;
pub mod width;

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::decode::Format;
use crate::event::{Event, Role};
use crate::hexdump;
use crate::model::clock::Stamp;
pub use background::{Afterwards, Background, Stopper};
use queue::Queue;

/// Something that renders events to its writer. Only the report queue's
/// output thread calls it, with events in the order they happened.
pub trait Reporter: Send {
    /// `at` is when the event happened, on the process clock.
    fn event(&mut self, at: Stamp, event: &Event) -> io::Result<()>;

    /// The events given so far may be written together now: the output
    /// thread calls it after each batch it releases, so a reporter may
    /// gather a batch's writes into one.
    fn batch_done(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Waits until everything reported is written, and returns the error
    /// of any write still unreported.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// The run is stopping, and `event` (data, a datagram, a packet) came
    /// too late to be shown before the run ends (see
    /// [`Report::stop_within`]): it is passed over, and the reporter counts
    /// it, to say so before the totals.
    fn skipped(&mut self, _event: &Event) {}
}

/// Writing to our own output failed (a closed pipe, a full disk). Kept apart
/// from socket errors so that `netplay ... | head` ends quietly.
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::msg!("error-writing-output", error = crate::i18n::describe_msg(.0)))]
pub struct OutputError(#[source] pub io::Error);

/// Once a run is stopping, how long stdout gets to take what waits for it
/// before it is given up (see [`to_terminal`]): less than a stopping server
/// gives its clients to close, so that their last events, waiting behind
/// stdout, still come out.
pub const STDOUT_PATIENCE: Duration = Duration::from_millis(200);

/// What a stopping run's last lines get at least, once its runner is done
/// (see [`Report::finish`]).
pub const FINAL_GRACE: Duration = Duration::from_millis(200);

/// Called with every event as it is emitted, before it waits in the queue:
/// the demo records what its runners did this way.
pub type Tap = Arc<dyn Fn(&Event) + Send + Sync>;

/// The handle runners emit events through; cheap to clone, one per end.
/// Events go to a bounded queue that an output thread renders in the order
/// they happened (see [`queue`]): emitting never writes, so a runner never
/// waits on stdout itself, only for room in the queue.
#[derive(Clone)]
pub struct Report {
    queue: Option<Arc<Queue>>,
    end: usize,
    tap: Option<Tap>,
    /// Set when the run is stopping (a signal): the last flush waits only
    /// this long for an output that may be blocked.
    give_up: Arc<Mutex<Option<Instant>>>,
    /// The writers on stdout, told when to give up on it.
    stoppers: Arc<Mutex<Vec<Stopper>>>,
    /// The output shows what is sent (`--raw` shows only what is received):
    /// when it does not, a runner need not copy or order its sends.
    sends: bool,
    /// Payload bytes of the whole run, for the `end` event.
    totals: Arc<Totals>,
}

/// Payload bytes received and sent over a run, counted by the runners as
/// their sockets move them (shared by every clone of a report).
#[derive(Debug, Default)]
pub struct Totals {
    bytes_in: std::sync::atomic::AtomicU64,
    bytes_out: std::sync::atomic::AtomicU64,
}

impl Totals {
    /// (received, sent) so far.
    pub fn get(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.bytes_in.load(Relaxed), self.bytes_out.load(Relaxed))
    }
}

impl Report {
    /// A report rendered by `reporter` on an output thread of its own.
    pub fn new(reporter: Box<dyn Reporter>) -> io::Result<Report> {
        Ok(Report {
            queue: Some(Queue::start(reporter)?),
            end: 0,
            tap: None,
            give_up: Arc::default(),
            stoppers: Arc::default(),
            sends: true,
            totals: Arc::default(),
        })
    }

    /// A report that shows nothing (its tap, if given, still sees events).
    pub fn discard() -> Report {
        Report {
            queue: None,
            end: 0,
            tap: None,
            give_up: Arc::default(),
            stoppers: Arc::default(),
            sends: false,
            totals: Arc::default(),
        }
    }

    /// Counts `n` payload bytes received, for the run's `end`.
    pub fn count_in(&self, n: u64) {
        self.totals.bytes_in.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Counts `n` payload bytes sent, for the run's `end`.
    pub fn count_out(&self, n: u64) {
        self.totals.bytes_out.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// The run's totals so far.
    pub fn totals(&self) -> (u64, u64) {
        self.totals.get()
    }

    /// The same report, for an output that never shows what is sent.
    pub fn without_sends(mut self) -> Report {
        self.sends = false;
        self
    }

    /// Whether sends (data and datagrams going out) are shown or tapped:
    /// when not, a runner skips their events, their copies and their order.
    pub fn shows_sends(&self) -> bool {
        self.sends || self.tap.is_some()
    }

    /// The same report, with `tap` called on every event emitted through it.
    pub fn with_tap(mut self, tap: Tap) -> Report {
        self.tap = Some(tap);
        self
    }

    /// Another end on the same output and in the same order (the demo's
    /// server and client), rendered by `reporter`.
    pub fn add_end(&self, reporter: Box<dyn Reporter>) -> Report {
        let mut other = self.clone();
        other.tap = None;
        if let Some(queue) = &self.queue {
            other.end = queue.add_end(reporter);
        }
        other
    }

    /// Calls the tap, if any, once `event` has its place in the order: what
    /// the tap's owner does next comes after it.
    fn tapped(&self, event: Option<Event>) {
        if let (Some(tap), Some(event)) = (&self.tap, event) {
            tap(&event);
        }
    }

    /// Reports an effect (accept, recv, EOF, a step), stamped now; waits
    /// for room in the queue. An error means output is gone; runners stop.
    pub fn emit(&self, event: Event) -> Result<(), OutputError> {
        // A benchmark counts its bytes itself; its result is the run's total.
        let moved = match &event {
            Event::TcpBench(r) => Some((r.received.as_ref(), r.sent.as_ref())),
            Event::UdpBench(r) => Some((r.received.as_ref(), r.sent.as_ref())),
            _ => None,
        };
        if let Some((received, sent)) = moved {
            self.count_in(received.map_or(0, |m| m.bytes));
            self.count_out(sent.map_or(0, |m| m.bytes));
        }
        let copy = self.tap.as_ref().map(|_| event.clone());
        if let Some(queue) = &self.queue {
            queue.emit(self.end, event)?;
        }
        self.tapped(copy);
        Ok(())
    }

    /// [`Report::emit`] for async tasks: awaits room instead of blocking.
    pub async fn send(&self, event: Event) -> Result<(), OutputError> {
        let copy = self.tap.as_ref().map(|_| event.clone());
        if let Some(queue) = &self.queue {
            queue.emit_async(self.end, event).await?;
        }
        self.tapped(copy);
        Ok(())
    }

    /// Takes a cause (connect, send, shutdown) just before its call, with
    /// room for `payload` bytes; its event, given to [`Cause::emit`] after
    /// the call, is stamped now and shown before whatever the call caused.
    pub fn cause(&self, payload: usize) -> Result<Cause, OutputError> {
        let inner = match &self.queue {
            Some(queue) => Some(queue::Cause::blocking(queue, self.end, payload)?),
            None => None,
        };
        Ok(Cause { inner, tap: self.tap.clone() })
    }

    /// [`Report::cause`] for async tasks.
    pub async fn cause_async(&self, payload: usize) -> Result<Cause, OutputError> {
        let inner = match &self.queue {
            Some(queue) => Some(queue::Cause::waiting(queue, self.end, payload).await?),
            None => None,
        };
        Ok(Cause { inner, tap: self.tap.clone() })
    }

    /// The output error, once output has failed (a closed pipe): a runner
    /// that waits in steps checks between them, so `| head` ends it.
    pub fn check(&self) -> Result<(), OutputError> {
        match &self.queue {
            Some(queue) => queue.check(),
            None => Ok(()),
        }
    }

    /// Runs `hook` if output fails (a closed pipe): a runner blocked on a
    /// socket gives it a way to wake up, and its next event then fails.
    pub fn on_output_failure(&self, hook: impl FnOnce() + Send + 'static) {
        if let Some(queue) = &self.queue {
            queue.on_failure(Box::new(hook));
        }
    }

    /// A mark for a producer of events stamped in the past (the packet
    /// capture), starting now.
    pub fn watermark(&self) -> Result<Watermark, OutputError> {
        let inner = match &self.queue {
            Some(queue) => Some(queue::Watermark::new(queue, self.end)?),
            None => None,
        };
        Ok(Watermark { inner })
    }

    /// Waits until everything reported so far is written.
    pub fn flush(&self) -> Result<(), OutputError> {
        match &self.queue {
            Some(queue) => queue.flush(*self.give_up.lock().unwrap_or_else(|e| e.into_inner())),
            None => Ok(()),
        }
    }

    /// The run is stopping: from now on, waiting for output gives up after
    /// `within` (an output nobody reads must not keep the process alive),
    /// and waiting for stdout after [`STDOUT_PATIENCE`] (so that what goes
    /// to stderr, the totals, does not wait behind it).
    pub fn stop_within(&self, within: Duration) {
        let now = Instant::now();
        *self.give_up.lock().unwrap_or_else(|e| e.into_inner()) = Some(now + within);
        for stopper in self.stoppers.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            stopper.give_up_at(now + STDOUT_PATIENCE.min(within / 2));
        }
        // Past half the patience, what is still queued of a flood (data,
        // datagrams, packets) is passed over and counted, so that the last
        // lines (closed, the totals) are written within it.
        if let Some(queue) = &self.queue {
            queue.skip_bulk_after(now + within / 2);
        }
    }

    /// `stopper` is told when to give up on its output ([`Report::stop_within`]).
    pub fn on_stop(&self, stopper: Stopper) {
        self.stoppers.lock().unwrap_or_else(|e| e.into_inner()).push(stopper);
    }

    /// Writes what is left and ends the output thread: the last call of a
    /// run. Returns the first output error.
    pub fn finish(&self) -> Result<(), OutputError> {
        // A stopping run's last lines (its totals) come after its runner's
        // own last steps, which may have used up the patience: they get
        // FINAL_GRACE more (stdout is given up by then if it takes nothing,
        // and the bulk of a flood passed over).
        let deadline = self
            .give_up
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|at| at.max(Instant::now() + FINAL_GRACE));
        let flushed = match &self.queue {
            Some(queue) => queue.flush(deadline),
            None => Ok(()),
        };
        if let Some(queue) = &self.queue {
            queue.close(deadline);
        }
        flushed
    }
}

/// A producer of events stamped in the past (see [`queue::Watermark`]).
pub struct Watermark {
    inner: Option<queue::Watermark>,
}

impl Watermark {
    /// Reports an event that happened at `stamp`.
    pub fn emit_at(&self, stamp: Stamp, event: Event) -> Result<(), OutputError> {
        match &self.inner {
            Some(inner) => inner.emit_at(stamp, event),
            None => Ok(()),
        }
    }

    /// Reports events that happened at their stamps, all at once; returns
    /// how many captured packets were not shown (the queue held
    /// [`queue::CAPTURED_LIMIT`] already).
    pub fn emit_all(&self, events: Vec<(Stamp, Event)>) -> Result<u64, OutputError> {
        match &self.inner {
            Some(inner) => inner.emit_all(events),
            None => Ok(0),
        }
    }

    /// Nothing this producer emits from now on is stamped before `to`.
    pub fn advance(&mut self, to: Stamp) {
        if let Some(inner) = &mut self.inner {
            inner.advance(to);
        }
    }
}

/// A cause under way (see [`Report::cause`]).
pub struct Cause {
    inner: Option<queue::Cause>,
    tap: Option<Tap>,
}

impl Cause {
    /// Reports the cause's event, stamped when the cause was taken.
    pub fn emit(self, event: Event) -> Result<(), OutputError> {
        let copy = self.tap.as_ref().map(|_| event.clone());
        if let Some(inner) = self.inner {
            inner.emit(event)?;
        }
        if let (Some(tap), Some(event)) = (&self.tap, copy) {
            tap(&event);
        }
        Ok(())
    }
}

/// How output looks; decided once from the flags and the environment.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    pub mode: Mode,
    pub color: ColorChoice,
    pub explain: bool,
    pub quiet: bool,
    pub dump: hexdump::Layout,
    /// The code that draws the dump's lines (`--hex-renderer`).
    pub renderer: hexdump::Renderer,
    /// Bytes asked per recv call, named in the explanations.
    pub recv_size: usize,
    /// `--decode`: each data event's bytes decoded with this struct format.
    pub decode: Option<Format>,
    /// `--columns N`: fit every human line in N columns; otherwise the
    /// terminal's width (or COLUMNS), and no limit in a pipe.
    pub columns: Option<usize>,
    /// The language people read (`--lang`, else the locale); JSON and raw
    /// output do not change with it.
    pub lang: crate::i18n::Lang,
    /// `--html FILE`, `--svg FILE`: the session as a picture.
    pub picture: html::PictureSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Human,
    Json,
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour on or off for a writer, from the flag and the environment.
    pub fn resolve(self, is_terminal: bool) -> bool {
        if !self.resolve_with(is_terminal, |name| std::env::var_os(name)) {
            return false;
        }
        // A Windows console shows escapes only once told to; `auto` gives
        // up colour on a console that cannot be told.
        crate::sys::terminal::enable_ansi() || self == ColorChoice::Always || !is_terminal
    }

    /// `auto` follows the conventions other tools share, first that applies:
    /// NO_COLOR non-empty: never (no-color.org); CLICOLOR_FORCE non-empty
    /// and not 0: always, even into a pipe; CLICOLOR=0: never; TERM=dumb:
    /// never; otherwise only on a terminal. `always` and `never` win over
    /// the environment.
    pub fn resolve_with(self, is_terminal: bool, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
        let set = |name: &str| env(name).filter(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR").is_some() => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
            ColorChoice::Auto if set("CLICOLOR").is_some_and(|v| v == "0") => false,
            ColorChoice::Auto if set("TERM").is_some_and(|v| v == "dumb") => false,
            ColorChoice::Auto => is_terminal,
        }
    }
}

/// An unbuffered handle on stdout or stderr. Rust's `Stdout` is line
/// buffered, which would cost a write per dump line; we build each event's
/// text whole and write it with one call instead (how, per system: see
/// [`crate::sys::terminal`]).
pub fn raw_stream(stream: impl crate::sys::terminal::Standard) -> io::Result<crate::sys::terminal::Stream> {
    stream.stream()
}

/// Builds the report for a run on the real stdout and stderr; with a
/// picture, it records every event too, as the end `role` tells them.
///
/// Once the run is stopping (a signal: [`Report::stop_within`]), stdout gets
/// [`STDOUT_PATIENCE`] more to take what waits; then it is given up, so that
/// nothing goes on waiting behind a pipe nobody reads: with `--raw` the
/// payload left is counted and said on stderr, where the reports and the
/// totals go; a report for people or programs goes on on stderr, after one
/// line that says so.
pub fn to_terminal(config: &OutputConfig, picture: Option<(&html::Picture, Role)>) -> io::Result<Report> {
    let stdout = raw_stream(io::stdout())?;
    let lang = config.lang;
    let on_stderr = || -> io::Result<Box<dyn Write + Send>> { Ok(Box::new(raw_stream(io::stderr())?)) };
    let mut stoppers = Vec::new();
    let reporter: Box<dyn Reporter> = match config.mode {
        Mode::Human => {
            let terminal = io::stdout().is_terminal();
            let color = config.color.resolve(terminal);
            let width = width::columns(config.columns, terminal, width::stdout_terminal());
            let note = Box::new(move || {
                let line = crate::msg!("error-line", what = crate::msg!("notice-stdout-given-up"));
                format!("{}\n", line.render(lang))
            });
            let stdout = Background::new(stdout, Afterwards::Elsewhere { out: on_stderr()?, note })?;
            stoppers.push(stdout.stopper());
            Box::new(human::Human::in_background(stdout, human::Style::from_config(config, color, width)))
        }
        Mode::Json => {
            // JSON lines only, there too.
            let note = Box::new(String::new);
            let stdout = Background::new(stdout, Afterwards::Elsewhere { out: on_stderr()?, note })?;
            stoppers.push(stdout.stopper());
            Box::new(json::Json::new(Box::new(stdout)).decoding(config.decode.clone()))
        }
        Mode::Raw => {
            let terminal = io::stderr().is_terminal();
            let color = config.color.resolve(terminal);
            let width = width::columns(config.columns, terminal, width::stderr_terminal());
            let mut style = human::Style::from_config(config, color, width);
            style.dumps = false;
            let stderr = human::Human::new(on_stderr()?, style);
            let payload = Background::new(stdout, Afterwards::Discard)?;
            stoppers.push(payload.stopper());
            Box::new(raw::Raw::new(payload, stderr, config.quiet, config.decode.is_some()))
        }
    };
    let report = match picture {
        Some((picture, role)) => Report::new(picture.tee(reporter, html::End::Run(role)))?,
        None => Report::new(reporter)?,
    };
    for stopper in stoppers {
        report.on_stop(stopper);
    }
    // The picture shows what is sent, whatever stdout shows.
    Ok(if config.mode == Mode::Raw && picture.is_none() { report.without_sends() } else { report })
}

/// Output for a run with several ends at once (the demo): each end gets a
/// reporter of its own, with its own state, and all of them write to one
/// output, in one order, each event in one piece. Human lines carry the
/// end's label; JSON objects carry `part` and `end` fields.
pub struct Board {
    main: Report,
    out: SharedWriter,
    /// `--html`, `--svg`: every end's events are recorded for the picture too.
    picture: Option<html::Picture>,
    config: OutputConfig,
    color: bool,
    /// Columns to fit, the labels included.
    width: Option<usize>,
}

impl Board {
    pub fn new(
        out: Box<dyn Write + Send>,
        config: OutputConfig,
        color: bool,
        width: Option<usize>,
    ) -> io::Result<Board> {
        Board::with_picture(out, config, color, width, None)
    }

    /// A board whose ends' events `picture` records too.
    pub fn with_picture(
        out: Box<dyn Write + Send>,
        config: OutputConfig,
        color: bool,
        width: Option<usize>,
        picture: Option<html::Picture>,
    ) -> io::Result<Board> {
        let out = SharedWriter(Arc::new(Mutex::new(out)));
        let main = reporter(&out, &config, color, width, None);
        let main = match &picture {
            Some(picture) => picture.tee(main, html::End::Main),
            None => main,
        };
        let main = Report::new(main)?;
        Ok(Board { main, out, picture, config, color, width })
    }

    /// A board on the real stdout.
    pub fn to_terminal(config: &OutputConfig, picture: Option<html::Picture>) -> io::Result<Board> {
        let terminal = io::stdout().is_terminal();
        let color = config.color.resolve(terminal);
        let width = width::columns(config.columns, terminal, width::stdout_terminal());
        Board::with_picture(Box::new(raw_stream(io::stdout())?), config.clone(), color, width, picture)
    }

    /// `reporter`, teed to the picture (if any) as `end`.
    fn teed(&self, reporter: Box<dyn Reporter>, end: html::End) -> Box<dyn Reporter> {
        match &self.picture {
            Some(picture) => picture.tee(reporter, end),
            None => reporter,
        }
    }

    /// The report of the run's own events, without a label.
    pub fn main(&self) -> Report {
        self.main.clone()
    }

    /// A report for one end of one part, in the same order as the others.
    pub fn end(&self, part: &'static str, end: Role) -> Report {
        let width = self.width.map(|w| w.saturating_sub(human::label_columns(self.config.lang)).max(20));
        let reporter = reporter(&self.out, &self.config, self.color, width, Some((part, end)));
        self.main.add_end(self.teed(reporter, html::End::Part(part, end)))
    }

    /// A report for the packets of one part (`--packets`), in the same
    /// order as its ends: human lines labelled `wire`, JSON objects with
    /// `"part"` and `"end":"wire"`.
    pub fn wire(&self, part: &'static str) -> Report {
        let out = self.out.clone();
        let reporter: Box<dyn Reporter> = match self.config.mode {
            Mode::Json => {
                Box::new(json::Json::new(Box::new(out)).with_fields(&[("part", part), ("end", "wire")]))
            }
            _ => {
                let out = Labelled::new(out, packets::label(self.config.lang, self.color));
                let width =
                    self.width.map(|w| w.saturating_sub(human::label_columns(self.config.lang)).max(20));
                let style = human::Style::from_config(&self.config, self.color, width);
                Box::new(human::Human::new(Box::new(out), style))
            }
        };
        self.main.add_end(self.teed(reporter, html::End::Wire(part)))
    }
}

fn reporter(
    out: &SharedWriter,
    config: &OutputConfig,
    color: bool,
    width: Option<usize>,
    end: Option<(&'static str, Role)>,
) -> Box<dyn Reporter> {
    let out = out.clone();
    match (config.mode, end) {
        (Mode::Json, None) => Box::new(json::Json::new(Box::new(out)).decoding(config.decode.clone())),
        (Mode::Json, Some((part, role))) => {
            let role = match role {
                Role::Server => "server",
                Role::Client => "client",
            };
            Box::new(
                json::Json::new(Box::new(out))
                    .decoding(config.decode.clone())
                    .with_fields(&[("part", part), ("end", role)]),
            )
        }
        (_, end) => {
            let style = human::Style::from_config(config, color, width);
            let out: Box<dyn Write + Send> = match end {
                None => Box::new(out),
                Some((_, role)) => Box::new(Labelled::new(out, human::label(config.lang, role, color))),
            };
            Box::new(human::Human::new(out, style))
        }
    }
}

/// One writer shared by several reporters; each write goes through whole.
#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).write_all(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).flush()
    }
}

/// Puts a label at the start of every line, and writes each piece it is
/// given (one event, for the human reporter) in one write.
struct Labelled {
    out: SharedWriter,
    label: String,
    at_line_start: bool,
    buf: Vec<u8>,
}

impl Labelled {
    fn new(out: SharedWriter, label: String) -> Labelled {
        Labelled { out, label, at_line_start: true, buf: Vec::new() }
    }
}

impl Write for Labelled {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.clear();
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            if self.at_line_start {
                self.buf.extend_from_slice(self.label.as_bytes());
            }
            self.buf.extend_from_slice(line);
            self.at_line_start = line.ends_with(b"\n");
        }
        self.out.write_all(&self.buf)?;
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A writer that several holders can share; lets tests read what a reporter
/// wrote while it still owns its writer.
#[derive(Clone, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    /// `auto` with these variables set, on a terminal and into a pipe.
    fn auto(vars: &[(&str, &str)]) -> (bool, bool) {
        let env = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from(v));
        (ColorChoice::Auto.resolve_with(true, env), ColorChoice::Auto.resolve_with(false, env))
    }

    #[test]
    fn colour_follows_the_shared_conventions() {
        assert_eq!(auto(&[]), (true, false));
        assert_eq!(auto(&[("NO_COLOR", "1")]), (false, false));
        assert_eq!(auto(&[("NO_COLOR", "")]), (true, false), "an empty NO_COLOR is unset");
        assert_eq!(auto(&[("CLICOLOR_FORCE", "1")]), (true, true));
        assert_eq!(auto(&[("CLICOLOR_FORCE", "0")]), (true, false));
        assert_eq!(auto(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), (false, false));
        assert_eq!(auto(&[("CLICOLOR", "0")]), (false, false));
        assert_eq!(auto(&[("CLICOLOR", "1")]), (true, false));
        assert_eq!(auto(&[("TERM", "dumb")]), (false, false));
        assert_eq!(auto(&[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")]), (true, true));
        let all = |_: &str| Some(OsString::from("1"));
        assert!(ColorChoice::Always.resolve_with(false, all));
        assert!(!ColorChoice::Never.resolve_with(true, |_| None));
    }

    /// A writer that fails once told to, like a pipe whose reader left.
    struct Failing(SharedBuf, Arc<Mutex<bool>>);

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if *self.1.lock().unwrap() {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            self.0.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn background_writes_everything_in_order() {
        let buf = SharedBuf::default();
        let mut out = Background::new(buf.clone(), Afterwards::Discard).unwrap();
        for i in 0..100u8 {
            out.write_all(&[i; 1000]).unwrap();
        }
        out.flush().unwrap();
        let written = buf.contents();
        assert_eq!(written.len(), 100_000);
        assert!(written.chunks(1000).enumerate().all(|(i, c)| c.iter().all(|&b| usize::from(b) == i)));
    }

    #[test]
    fn a_background_write_error_comes_back() {
        let fail = Arc::new(Mutex::new(false));
        let mut out =
            Background::new(Failing(SharedBuf::default(), fail.clone()), Afterwards::Discard).unwrap();
        out.write_all(b"fine").unwrap();
        *fail.lock().unwrap() = true;
        // This write fails on the thread; the next call or flush says so.
        let later = out.write_all(b"lost").and_then(|()| out.flush());
        assert_eq!(later.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn dropping_background_writes_what_is_queued() {
        let buf = SharedBuf::default();
        let mut out = Background::new(buf.clone(), Afterwards::Discard).unwrap();
        out.write_all(b"last words").unwrap();
        drop(out);
        assert_eq!(buf.contents(), b"last words");
    }

    #[test]
    fn sent_buffers_are_written_in_order_and_come_back_empty() {
        let buf = SharedBuf::default();
        let mut out = Background::new(buf.clone(), Afterwards::Discard).unwrap();
        let mut expected = Vec::new();
        let mut mine = Vec::new();
        for i in 0..50u8 {
            mine.extend_from_slice(&[i; 3000]);
            expected.extend_from_slice(&mine);
            out.send(&mut mine).unwrap();
            assert!(mine.is_empty());
            // Plain writes and sends mix, in order.
            out.write_all(b"|").unwrap();
            expected.push(b'|');
        }
        out.flush().unwrap();
        assert!(buf.contents() == expected);
    }
}
