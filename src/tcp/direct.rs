//! The raw relay's direct path. With `--raw` and nothing that reads the
//! bytes (no `--decode`), what a connection receives goes from the socket
//! straight to stdout, and its input from stdin or a `--file` straight to
//! the socket: no event per chunk, no report queue in between. The kernel
//! moves the bytes itself where it can (sendfile and splice, see
//! [`zerocopy`]); where it refuses, or on a terminal or a socket, they are
//! copied with read and write. Byte counts, EOF, shutdown and errors are
//! reported as on the event path, and a note says what the kernel moved.
//!
//! The socket is non-blocking and every wait is a poll(2) ([`ready`]) on
//! what the next call needs (the socket, stdin, stdout) and on a bell:
//! so a stop (a signal, a stall of the other direction) ends both
//! directions at once, between two calls, with counts that are exact; a
//! stall is timed as the event path times it (from when the socket is
//! found full with bytes waiting); and a stdin or stdout a parent left
//! non-blocking is waited for, never taken for its end.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Seek, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::event::{Dir, Event};
use crate::i18n::{Arg, Msg};
use crate::input::Input;
use crate::msg;
use crate::net::describe_msg;
use crate::sink::Report;
use crate::sys::mapped::{self, Mapped};
use crate::sys::ready::{self, Bell, Interest, Waitable, Waited};
use crate::sys::zerocopy::{self, Kind, Moved};

use crate::config::tcp::{BytePath, Clients, HalfClose, ServeConfig, StdinMode};
use crate::tcp::plan::{self, FileWay, PipeWay, Trial};

/// Bytes asked of one sendfile or splice call. A splice from a socket
/// moves what has arrived (at most what the pipe holds), a sendfile what
/// the socket's buffer takes: a larger ask only saves calls. See
/// docs/benchmarks.md for the measurements behind these sizes.
const KERNEL_CHUNK: usize = 1 << 20;
/// The pipe between the socket and stdout when stdout is a file: 1 MiB,
/// the most a user may ask (fs.pipe-max-size) and 16 times the default,
/// so each splice moves up to 1 MiB instead of 64 KiB.
const PIPE: usize = 1 << 20;
/// Bytes read per call when the input is copied through our memory: 256
/// KiB sent 1 GiB in 0.73x the time of 128 KiB, and 512 KiB or 1 MiB did
/// no better (docs/benchmarks.md). A pipe as input is grown to [`PIPE`]
/// and read up to [`PIPE`] a call: 0.6 s for 1 GiB from `cat` against
/// 0.65-0.75 s with 256 KiB reads (docs/benchmarks.md, "A pipe as
/// input"). What is received is copied in pieces of --recv-size (64 KiB
/// by default: 256 KiB and 1 MiB did no better).
const COPY: usize = 256 << 10;

/// Whether the direct path may carry this input: a --file or stdin (each
/// -m message is one send, reported as such).
pub(crate) fn carries(input: &Input) -> bool {
    zerocopy::AVAILABLE && !matches!(input, Input::Messages(_))
}

/// Whether `tcp serve` takes the direct path ([`serve`]): `--once` with
/// `--raw` and nothing that reads the bytes, nothing that answers the
/// client (--echo, --reply) or relays it (--broadcast), and stdin a stream
/// (a pipe or a file; lines typed at a terminal are the event path's).
pub(crate) fn serves(config: &ServeConfig) -> bool {
    zerocopy::AVAILABLE
        && config.path == BytePath::Kernel
        && config.once
        && config.stdin == StdinMode::Raw
        // CR LF line ends, and --quit-after's clock, are the event path's.
        && !config.crlf
        && config.quit_after.is_none()
        && !config.answer.echoes()
        && config.answer.reply().is_none()
        && config.clients != Clients::Broadcast
        && !std::io::stdin().is_terminal()
}

/// Whether received bytes may take the direct path on this system.
pub(crate) fn receives() -> bool {
    zerocopy::AVAILABLE
}

/// What a client sends on the direct path, opened.
pub(crate) struct Opened {
    pub file: File,
    /// How notes name it: `stdin`, `--file PATH`.
    pub name: String,
    /// What failed when it cannot be read.
    pub reading: Msg,
}

/// Opens what a client sends, for [`send`].
pub(crate) fn open_input(input: &Input) -> Result<Option<Opened>> {
    match input {
        Input::Messages(_) => Ok(None),
        Input::File(path) => {
            let path_text = crate::hexdump::shown_os(path.as_os_str());
            let file = File::open(path).with_context(|| msg!("input-open-file", path = &path_text))?;
            let reading = msg!("input-read-file", path = &path_text);
            Ok(Some(Opened { file, name: format!("--file {path_text}"), reading }))
        }
        Input::Stdin => {
            let file = zerocopy::stdin().with_context(|| msg!("input-read-stdin"))?;
            Ok(Some(Opened { file, name: "stdin".to_string(), reading: msg!("input-read-stdin") }))
        }
    }
}

/// The process's stdout, for a [`Receiver`].
pub(crate) fn stdout() -> io::Result<File> {
    zerocopy::stdout()
}

/// Why a direction stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Reading the input failed.
    Input(io::Error),
    /// The socket failed: the peer reset, or went away.
    Socket(io::Error),
    /// Writing stdout failed (a closed pipe, a full disk).
    Output(io::Error),
    /// The peer took nothing for the stall timeout while `waiting` bytes
    /// were ready to go.
    Stalled { waiting: u64 },
    /// The input, a regular file of `size` bytes (from where sending
    /// began) when sending began, was truncated while it was sent: the
    /// bytes from `sent` on never came, and some already sent may be the
    /// truncation's (zeros, old pages).
    Shrunk { size: u64, sent: u64 },
    /// Stopped from outside (the bell rang): a signal, or the other
    /// direction failed.
    Stopped,
}

impl Failure {
    /// The I/O error behind it (a stall as a timed-out send).
    pub(crate) fn into_io(self) -> io::Error {
        match self {
            Failure::Input(e) | Failure::Socket(e) | Failure::Output(e) => e,
            Failure::Stalled { .. } => io::ErrorKind::TimedOut.into(),
            Failure::Shrunk { .. } => io::ErrorKind::UnexpectedEof.into(),
            Failure::Stopped => io::ErrorKind::Interrupted.into(),
        }
    }
}

/// A failed call on the socket: EPIPE is a reset ([`super::cut::send_error`]).
fn socket_error(e: io::Error) -> Failure {
    Failure::Socket(super::cut::send_error(e))
}

/// True when recv's 0 came from a reset, not from the peer's FIN: the
/// socket is hung up (poll's POLLHUP: both directions shut, or closed)
/// while our own side was not shut down. A FIN alone shuts only the
/// receiving direction.
pub(crate) fn reset_not_eof(socket: &TcpStream, ours_shut: bool) -> bool {
    !ours_shut && ready::hung_up(socket)
}

/// How one direction's bytes went, for the note that says so.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    /// Bytes that went through the socket.
    pub total: u64,
    /// Of those, the bytes the kernel moved end to end (sendfile, splice).
    pub kernel: u64,
    /// The call that moved them: "sendfile(2)", "splice(2)".
    call: &'static str,
    /// Where they went: "stdin (a pipe) → socket".
    path: Msg,
    /// Of those, the bytes sent from a mapping of the file ([`plan`]).
    pub mapped: u64,
    /// The way a regular file went, and whether NETPLAY_SEND forced it.
    kept: Option<(FileWay, bool)>,
    /// The mapping was the rule's, without trials: the peer is on this
    /// machine ([`plan`]).
    local: bool,
    /// The input was a pipe of this size, read and sent.
    pipe: Option<usize>,
}

impl Tally {
    fn new(call: &'static str, path: Msg) -> Tally {
        Tally { total: 0, kernel: 0, call, path, mapped: 0, kept: None, local: false, pipe: None }
    }

    /// How the bytes the kernel did not move end to end went, when that is
    /// worth a note: "900 MiB sent with send(2) from an mmap(2) of the
    /// file, ...", "1.00 GiB sent with read(2) and send(2), stdin (a pipe)
    /// ...". Nothing when they were copied from a file or a socket.
    pub(crate) fn way_note(&self) -> Option<Msg> {
        if let Some(size) = self.pipe.filter(|_| self.total > self.kernel) {
            let amount = Arg::bytes(self.total - self.kernel);
            return Some(msg!(
                "notice-direct-pipe-read",
                amount = amount,
                path = self.path.clone(),
                size = Arg::bytes(size as u64)
            ));
        }
        if self.mapped == 0 {
            return None;
        }
        let (amount, path) = (Arg::bytes(self.mapped), self.path.clone());
        Some(match self.kept {
            Some((_, true)) => msg!("notice-direct-mapped-forced", amount = amount, path = path),
            Some((FileWay::Mapped, false)) if self.local => {
                msg!("notice-direct-mapped-kept-local", amount = amount, path = path)
            }
            Some((FileWay::Mapped, false)) => msg!("notice-direct-mapped-kept", amount = amount, path = path),
            _ => msg!("notice-direct-mapped-trials", amount = amount, path = path),
        })
    }

    /// "16.0 MiB received with splice(2), socket → stdout (a pipe): ...",
    /// or nothing when the kernel moved nothing end to end.
    pub(crate) fn note(&self, dir: Dir) -> Option<Msg> {
        if self.kernel == 0 {
            return None;
        }
        let amount = if self.kernel == self.total {
            Arg::bytes(self.total)
        } else {
            msg!("direct-part", kernel = Arg::bytes(self.kernel), total = Arg::bytes(self.total)).into()
        };
        let (call, path) = (self.call, self.path.clone());
        Some(match dir {
            Dir::In => msg!("notice-direct-received", amount = amount, call = call, path = path),
            Dir::Out => msg!("notice-direct-sent", amount = amount, call = call, path = path),
        })
    }
}

/// Whether the peer of `socket` is on this machine: a loopback address,
/// or one of ours (the connection then goes through the loopback device).
fn same_machine(socket: &TcpStream) -> bool {
    match (socket.peer_addr(), socket.local_addr()) {
        (Ok(peer), Ok(local)) => peer.ip().is_loopback() || peer.ip() == local.ip(),
        _ => false,
    }
}

/// How notes name what a descriptor is: "a pipe", "a file".
fn kind_name(kind: Kind) -> Msg {
    match kind {
        Kind::Pipe => msg!("direct-kind-pipe"),
        Kind::File => msg!("direct-kind-file"),
        Kind::Terminal => msg!("direct-kind-terminal"),
        Kind::Socket => msg!("direct-kind-socket"),
        Kind::Device => msg!("direct-kind-device"),
    }
}

/// Errors of a sendfile that are the socket's, not the input's.
fn socket_side(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        BrokenPipe
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | TimedOut
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
    )
}

/// How [`send`] moves the input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// sendfile(2) from the input (a file) to the socket.
    Sendfile,
    /// splice(2) from the input (a pipe) to the socket.
    Splice,
    /// read and write, through a buffer.
    Copy,
}

/// A regular file's size when sending began, to tell one that shrank.
#[derive(Clone, Copy)]
struct Watch {
    /// Bytes from the offset sending began at to the end of the file.
    expected: u64,
    /// The file's size then.
    size: u64,
}

impl Watch {
    fn of(file: &File) -> Option<Watch> {
        let size = file.metadata().ok().filter(|m| m.is_file())?.len();
        let at = (&*file).stream_position().ok()?;
        Some(Watch { expected: size.saturating_sub(at), size })
    }
}

/// Sends all of `input` (named `name` in notes) to `socket`, which must be
/// in non-blocking mode, calling `sent` with each count the socket took.
/// Ends at the end of the input; the caller half-closes.
///
/// `stall`: how long the socket may stay full while bytes wait for room
/// before the peer counts as taking nothing (`--stall-timeout`; none: no
/// limit). `bell`: rung to stop ([`Failure::Stopped`]).
pub(crate) fn send(
    input: &File,
    name: &str,
    socket: &TcpStream,
    stall: Option<Duration>,
    bell: Option<&Bell>,
    sent: impl FnMut(usize),
) -> Result<Tally, Failure> {
    let kind = zerocopy::kind(input);
    let mut tally_pipe = None;
    let call = match kind {
        // A pipe is grown, so its writer waits less and each call moves
        // more, then read and sent ([`plan`] says why), or spliced if
        // asked; splice never waits on the pipe (SPLICE_F_NONBLOCK), so a
        // pipe a parent left non-blocking is spliced as any other.
        Kind::Pipe => {
            let size = zerocopy::grow_pipe(input, PIPE);
            match plan::pipe_way(std::env::var(plan::FORCE).ok().as_deref()) {
                PipeWay::Splice => Call::Splice,
                PipeWay::Copy => {
                    tally_pipe = size;
                    Call::Copy
                }
            }
        }
        // sendfile reads through the page cache, from any file that has
        // one; a device such as /dev/null may refuse.
        Kind::File | Kind::Device => Call::Sendfile,
        Kind::Terminal | Kind::Socket => Call::Copy,
    };
    let call_name = match call {
        Call::Sendfile => "sendfile(2)",
        _ => "splice(2)",
    };
    let mut tally = Tally::new(call_name, msg!("direct-path-in", input = name, kind = kind_name(kind)));
    tally.pipe = tally_pipe;
    let watch = Watch::of(input);
    let mut sender =
        Sender { input, socket, stall, bell, sent, tally, watch, since: None, map: None, chosen: None };
    let ended = match call {
        Call::Sendfile => sender.file()?,
        Call::Splice => sender.splice()?,
        Call::Copy => false,
    };
    if !ended {
        sender.copy()?;
    }
    Ok(sender.tally)
}

/// The state of [`send`].
struct Sender<'a, F> {
    input: &'a File,
    socket: &'a TcpStream,
    stall: Option<Duration>,
    bell: Option<&'a Bell>,
    sent: F,
    tally: Tally,
    /// Set for a regular file.
    watch: Option<Watch>,
    /// Since when the socket has been full with bytes waiting: the stall
    /// clock, stopped by any progress.
    since: Option<Instant>,
    /// The file, mapped, once the mapping is tried.
    map: Option<Mapped>,
    /// The way a regular file went after the trials (or forced).
    chosen: Option<FileWay>,
}

/// Where a run of one way stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The input ended.
    Ended,
    /// The kernel refused: copy the rest.
    Refused,
    /// The limit was reached (or the way cannot go on): another way goes on.
    Reached,
}

impl<F: FnMut(usize)> Sender<'_, F> {
    fn moved(&mut self, moved: usize, kernel: bool) {
        self.tally.total += moved as u64;
        if kernel {
            self.tally.kernel += moved as u64;
        }
        self.since = None;
        (self.sent)(moved);
    }

    /// A regular file that is now shorter than when sending began, or that
    /// ended (`ended`) before its size then: it shrank.
    fn check_size(&self, ended: bool) -> Result<(), Failure> {
        let Some(watch) = self.watch else { return Ok(()) };
        let now = self.input.metadata().map(|m| m.len()).unwrap_or(watch.size);
        if now < watch.size || (ended && self.tally.total < watch.expected) {
            return Err(Failure::Shrunk { size: watch.expected, sent: self.tally.total });
        }
        Ok(())
    }

    /// What waits to be sent, for a stall's message: the rest of a file,
    /// what a pipe holds.
    fn waiting(&self, buffered: u64) -> u64 {
        match self.watch {
            Some(watch) => watch.expected.saturating_sub(self.tally.total).max(buffered),
            None => zerocopy::waiting_in(self.input, PIPE).map_or(buffered, |n| n as u64 + buffered),
        }
    }

    /// Waits for room in the socket and, `with_input`, for the input to
    /// have bytes (or its end). The stall clock runs while bytes wait for
    /// room: `buffered` of ours, or the input's once it is ready.
    fn ready(&mut self, with_input: bool, buffered: u64) -> Result<(), Failure> {
        let (mut input, mut room) = (!with_input, false);
        while !(input && room) {
            let mut on: Vec<(&dyn Waitable, Interest)> = Vec::with_capacity(2);
            if !input {
                on.push((self.input, Interest::Read));
            }
            if !room {
                on.push((self.socket, Interest::Write));
            }
            let deadline = match (input, self.stall) {
                (true, Some(stall)) => Some(*self.since.get_or_insert_with(Instant::now) + stall),
                _ => None,
            };
            match ready::wait(&on, self.bell, deadline).map_err(Failure::Socket)? {
                Waited::Ready(mask) => (input, room) = ready::both_ready(mask, (input, room)),
                Waited::Rang => return Err(Failure::Stopped),
                Waited::TimedOut => return Err(Failure::Stalled { waiting: self.waiting(buffered) }),
            }
        }
        Ok(())
    }

    /// A regular file (or a device): by sendfile, or the way the planner
    /// keeps ([`plan`]), until it ends (true) or the kernel refuses (false:
    /// copy the rest).
    fn file(&mut self) -> Result<bool, Failure> {
        let expected = self.watch.map_or(0, |w| w.expected);
        let asked = plan::asked(std::env::var(plan::FORCE).ok().as_deref()).unwrap_or(plan::Asked::Rule);
        let forced = matches!(asked, plan::Asked::Way(_));
        let way = match asked {
            plan::Asked::Way(way) => way,
            _ if self.watch.is_none() || expected < plan::MEASURED_FROM => FileWay::Sendfile,
            // The peer on this machine: the mapping ([`plan`] says why).
            plan::Asked::Rule if same_machine(self.socket) => {
                self.tally.local = true;
                FileWay::Mapped
            }
            _ => match self.trials()? {
                Some(Step::Ended) => return Ok(true),
                Some(Step::Refused) => return Ok(false),
                _ => self.chosen.unwrap_or(FileWay::Sendfile),
            },
        };
        self.chosen = Some(way);
        self.tally.kept = Some((way, forced));
        match way {
            FileWay::Copy => Ok(false),
            FileWay::Sendfile => Ok(self.sendfile(None)? == Step::Ended),
            FileWay::Mapped => match self.mapped(None)? {
                // Past the mapping (a file that grew): sendfile goes on.
                Step::Reached => Ok(self.sendfile(None)? == Step::Ended),
                step => Ok(step == Step::Ended),
            },
        }
    }

    /// The planner's trials: a warm-up, then [`plan::TRIAL`] bytes each way
    /// in turns; keeps the faster in `chosen`. A step that ended the input
    /// (or met a refusal) ends the trials.
    fn trials(&mut self) -> Result<Option<Step>, Failure> {
        let step = self.sendfile(Some(plan::WARM_UP))?;
        if step != Step::Reached {
            return Ok(Some(step));
        }
        let mut trials = Vec::with_capacity(2 * plan::TRIALS);
        for _ in 0..plan::TRIALS {
            for way in [FileWay::Sendfile, FileWay::Mapped] {
                let (before, started) = (self.tally.total, Instant::now());
                let step = match way {
                    FileWay::Sendfile => self.sendfile(Some(plan::TRIAL))?,
                    _ => self.mapped(Some(plan::TRIAL))?,
                };
                if step != Step::Reached {
                    return Ok(Some(step));
                }
                trials.push(Trial { way, bytes: self.tally.total - before, took: started.elapsed() });
            }
        }
        self.chosen = Some(plan::choose(&trials, FileWay::Sendfile));
        Ok(None)
    }

    /// sendfile from the input's offset until it ends, the kernel refuses
    /// (the file's offset moved on by what went: reading goes on from
    /// there), or `limit` bytes went.
    fn sendfile(&mut self, limit: Option<u64>) -> Result<Step, Failure> {
        let mut done = 0u64;
        loop {
            let ask = limit.map_or(KERNEL_CHUNK as u64, |limit| (limit - done).min(KERNEL_CHUNK as u64));
            match zerocopy::sendfile(self.socket, self.input, ask as usize) {
                Ok(Moved::Bytes(0)) => {
                    self.check_size(true)?;
                    return Ok(Step::Ended);
                }
                Ok(Moved::Bytes(n)) => {
                    self.moved(n, true);
                    self.check_size(false)?;
                    done += n as u64;
                    if limit.is_some_and(|limit| done >= limit) {
                        return Ok(Step::Reached);
                    }
                }
                Ok(Moved::Refused) => return Ok(Step::Refused),
                // A file is always readable: the socket is full.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.ready(false, 0)?,
                Err(e) if socket_side(&e) => return Err(socket_error(e)),
                Err(e) => return Err(Failure::Input(e)),
            }
        }
    }

    /// send from a mapping of the file (made on first use), from the
    /// file's offset, until the mapping's end ([`Step::Reached`] if the
    /// file grew past it, else [`Step::Ended`]) or `limit` bytes; the
    /// file's offset then moves on by what went, as sendfile's does.
    fn mapped(&mut self, limit: Option<u64>) -> Result<Step, Failure> {
        let Some(watch) = self.watch else { return Ok(Step::Refused) };
        if self.map.is_none() {
            match Mapped::new(self.input, watch.size as usize) {
                Ok(map) => self.map = Some(map),
                // No mapping here: sendfile goes on instead.
                Err(_) => return Ok(Step::Reached),
            }
        }
        let mut at = (&*self.input).stream_position().map_err(Failure::Input)?;
        let mut done = 0u64;
        let result = loop {
            let size = self.map.as_ref().map_or(0, |map| map.size() as u64);
            if at >= size {
                break if self.input.metadata().map(|m| m.len()).unwrap_or(size) > size {
                    Ok(Step::Reached)
                } else {
                    self.check_size(true).map(|()| Step::Ended)
                };
            }
            if limit.is_some_and(|limit| done >= limit) {
                break Ok(Step::Reached);
            }
            let ask = limit.map_or(KERNEL_CHUNK as u64, |limit| (limit - done).min(KERNEL_CHUNK as u64));
            let sent = match &self.map {
                Some(map) => map.send(self.socket, at as usize, ask as usize),
                None => break Ok(Step::Reached),
            };
            match sent {
                Ok(n) => {
                    self.tally.mapped += n as u64;
                    self.moved(n, false);
                    at += n as u64;
                    done += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if let Err(failure) = self.ready(false, 0) {
                        break Err(failure);
                    }
                }
                // A page past the end of a file that shrank.
                Err(e) if mapped::shrank(&e) => {
                    break Err(Failure::Shrunk { size: watch.expected, sent: self.tally.total });
                }
                Err(e) => break Err(socket_error(e)),
            }
        };
        (&*self.input).seek(std::io::SeekFrom::Start(at)).map_err(Failure::Input)?;
        result
    }

    /// splice from the input, a pipe, until it ends (true) or the kernel
    /// refuses (false).
    fn splice(&mut self) -> Result<bool, Failure> {
        loop {
            match zerocopy::splice(self.input, self.socket, KERNEL_CHUNK) {
                Ok(Moved::Bytes(0)) => return Ok(true),
                Ok(Moved::Bytes(n)) => self.moved(n, true),
                // Nothing moved yet: the pipe's bytes are still there.
                Ok(Moved::Refused) => return Ok(false),
                // The pipe is empty, or the socket full: wait for both.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.ready(true, 0)?,
                // A pipe does not fail to be read: the socket did.
                Err(e) => return Err(socket_error(e)),
            }
        }
    }

    /// read and write until the input ends.
    fn copy(&mut self) -> Result<(), Failure> {
        // A pipe is read up to its size (grown to PIPE), a call.
        let mut buf = vec![0u8; self.tally.pipe.map_or(COPY, |size| size.clamp(COPY, PIPE))];
        loop {
            // A regular file is always ready; anything else is waited for
            // with the bell, so a stop never waits on a quiet input.
            if self.watch.is_none() {
                let waited = ready::wait(&[(self.input, Interest::Read)], self.bell, None);
                if waited.map_err(Failure::Input)? == Waited::Rang {
                    return Err(Failure::Stopped);
                }
            }
            let n = match self.input.read(&mut buf) {
                Ok(0) => return self.check_size(true),
                Ok(n) => n,
                Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock) => {
                    continue;
                }
                Err(e) => return Err(Failure::Input(e)),
            };
            self.write_all(&buf[..n])?;
            self.check_size(false)?;
        }
    }

    /// Writes `bytes` to the socket, waiting for room as the stall allows.
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let mut done = 0;
        while done < bytes.len() {
            match (&*self.socket).write(&bytes[done..]) {
                Ok(0) => return Err(Failure::Socket(io::ErrorKind::WriteZero.into())),
                Ok(m) => {
                    self.moved(m, false);
                    done += m;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.ready(false, (bytes.len() - done) as u64)?;
                }
                Err(e) => return Err(socket_error(e)),
            }
        }
        Ok(())
    }
}

/// How a [`Receiver`] moves bytes to stdout.
enum Way {
    /// splice(2) from the socket into stdout, a pipe.
    Splice,
    /// splice(2) into a pipe of our own, then from it into stdout (a file
    /// or a device): splice needs a pipe on one side.
    Pipe { read: File, write: File },
    /// recv and write, through a buffer.
    Copy,
}

/// Why [`Receiver::next`] returned without an error.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// recv returned 0: the peer finished sending.
    Eof,
    /// Nothing came for the idle time asked.
    TimedOut,
}

/// Moves what the socket (non-blocking) receives to stdout.
pub(crate) struct Receiver<'a> {
    socket: &'a TcpStream,
    out: &'a File,
    way: Way,
    buf: Vec<u8>,
    recv_size: usize,
    tally: Tally,
    bell: Option<&'a Bell>,
}

impl<'a> Receiver<'a> {
    /// `recv_size`: bytes asked per recv where the bytes are copied.
    /// `bell`: rung to stop ([`Failure::Stopped`]).
    pub(crate) fn new(
        socket: &'a TcpStream,
        out: &'a File,
        recv_size: usize,
        bell: Option<&'a Bell>,
    ) -> Receiver<'a> {
        let kind = zerocopy::kind(out);
        let way = match kind {
            Kind::Pipe => Way::Splice,
            Kind::File | Kind::Device => match zerocopy::pipe(PIPE) {
                Ok((read, write)) => Way::Pipe { read, write },
                Err(_) => Way::Copy,
            },
            Kind::Terminal | Kind::Socket => Way::Copy,
        };
        let path = match way {
            Way::Pipe { .. } => msg!("direct-path-via-pipe", kind = kind_name(kind)),
            _ => msg!("direct-path-out", kind = kind_name(kind)),
        };
        let tally = Tally::new("splice(2)", path);
        Receiver { socket, out, way, buf: Vec::new(), recv_size: recv_size.max(1), tally, bell }
    }

    /// What has been received so far, and how.
    pub(crate) fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Waits for the socket to have bytes (or its end) and, with
    /// `to_stdout`, stdout to have room; nothing from the socket until
    /// `idle` ends it ([`End::TimedOut`], `Ok(false)`).
    fn ready(&self, to_stdout: bool, idle: Option<Instant>) -> Result<bool, Failure> {
        let (mut data, mut room) = (false, !to_stdout);
        while !(data && room) {
            let mut on: Vec<(&dyn Waitable, Interest)> = Vec::with_capacity(2);
            if !data {
                on.push((self.socket, Interest::Read));
            }
            if !room {
                on.push((self.out, Interest::Write));
            }
            // Only the peer's silence is idleness, not a slow stdout.
            let deadline = if room { idle } else { None };
            match ready::wait(&on, self.bell, deadline).map_err(Failure::Socket)? {
                Waited::Ready(mask) => (data, room) = ready::both_ready(mask, (data, room)),
                Waited::Rang => return Err(Failure::Stopped),
                Waited::TimedOut => return Ok(false),
            }
        }
        Ok(true)
    }

    /// Receives until the peer's EOF, `idle` with nothing from the peer,
    /// or a failure, calling `received` with each count written to stdout.
    pub(crate) fn next(
        &mut self,
        idle: Option<Duration>,
        mut received: impl FnMut(usize),
    ) -> Result<End, Failure> {
        let mut deadline = idle.map(|idle| Instant::now() + idle);
        loop {
            match &self.way {
                Way::Splice => match zerocopy::splice(self.socket, self.out, KERNEL_CHUNK) {
                    Ok(Moved::Bytes(0)) => return Ok(End::Eof),
                    Ok(Moved::Bytes(n)) => {
                        count(&mut self.tally, n, true, &mut received);
                        deadline = idle.map(|idle| Instant::now() + idle);
                    }
                    Ok(Moved::Refused) => self.way = Way::Copy,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        if !self.ready(true, deadline)? {
                            return Ok(End::TimedOut);
                        }
                    }
                    // The socket side never says EPIPE: stdout's reader left.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(Failure::Output(e)),
                    Err(e) => return Err(Failure::Socket(e)),
                },
                Way::Pipe { write, .. } => {
                    let n = match zerocopy::splice(self.socket, write, KERNEL_CHUNK) {
                        Ok(Moved::Bytes(0)) => return Ok(End::Eof),
                        Ok(Moved::Bytes(n)) => n,
                        Ok(Moved::Refused) => {
                            self.way = Way::Copy;
                            continue;
                        }
                        // Our pipe is empty between two rounds: the socket is.
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            if !self.ready(false, deadline)? {
                                return Ok(End::TimedOut);
                            }
                            continue;
                        }
                        Err(e) => return Err(Failure::Socket(e)),
                    };
                    deadline = idle.map(|idle| Instant::now() + idle);
                    self.drain(n, &mut received)?;
                }
                Way::Copy => {
                    self.buf.resize(self.recv_size, 0);
                    let n = match (&*self.socket).read(&mut self.buf) {
                        Ok(0) => return Ok(End::Eof),
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            if !self.ready(false, deadline)? {
                                return Ok(End::TimedOut);
                            }
                            continue;
                        }
                        Err(e) => return Err(Failure::Socket(e)),
                    };
                    deadline = idle.map(|idle| Instant::now() + idle);
                    let mut done = 0;
                    while done < n {
                        match (&*self.out).write(&self.buf[done..n]) {
                            Ok(0) => return Err(Failure::Output(io::ErrorKind::WriteZero.into())),
                            Ok(m) => {
                                done += m;
                                count(&mut self.tally, m, false, &mut received);
                            }
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => room(self.out, self.bell)?,
                            Err(e) => return Err(Failure::Output(e)),
                        }
                    }
                }
            }
        }
    }

    /// Moves the `n` bytes our pipe holds into stdout (a file or a device).
    fn drain(&mut self, n: usize, received: &mut impl FnMut(usize)) -> Result<(), Failure> {
        let Way::Pipe { read, .. } = &self.way else { return Ok(()) };
        let (tally, buf, out, bell) = (&mut self.tally, &mut self.buf, self.out, self.bell);
        let mut left = n;
        let mut refused = false;
        while left > 0 && !refused {
            match zerocopy::splice(read, out, left) {
                Ok(Moved::Bytes(0)) => return Err(Failure::Output(io::ErrorKind::WriteZero.into())),
                Ok(Moved::Bytes(m)) => {
                    left -= m;
                    count(tally, m, true, received);
                }
                // Refused (a file opened for appending): what is in our
                // pipe is read out and written, and so is everything after
                // it.
                Ok(Moved::Refused) => refused = true,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => room(out, bell)?,
                Err(e) => return Err(Failure::Output(e)),
            }
        }
        if refused {
            buf.resize(COPY, 0);
            let (mut from, mut to) = (read, out);
            while left > 0 {
                let got = from.read(&mut buf[..left.min(COPY)]).map_err(Failure::Output)?;
                if got == 0 {
                    return Err(Failure::Output(io::ErrorKind::UnexpectedEof.into()));
                }
                ready::Patient(&mut to).write_all(&buf[..got]).map_err(Failure::Output)?;
                left -= got;
                count(tally, got, false, received);
            }
            self.way = Way::Copy;
        }
        Ok(())
    }
}

/// Counts `n` bytes written to stdout.
fn count(tally: &mut Tally, n: usize, kernel: bool, received: &mut impl FnMut(usize)) {
    tally.total += n as u64;
    if kernel {
        tally.kernel += n as u64;
    }
    received(n);
}

/// Waits for room in stdout, or the bell.
fn room(out: &File, bell: Option<&Bell>) -> Result<(), Failure> {
    match ready::wait(&[(out, Interest::Write)], bell, None).map_err(Failure::Output)? {
        Waited::Rang => Err(Failure::Stopped),
        _ => Ok(()),
    }
}

/// Ends a served connection's direct path from outside (the server is
/// stopping, or its sender stalled): the bell wakes both directions, which
/// stop between two calls, and the flag tells this was no failure of theirs.
#[derive(Clone)]
pub(crate) struct Kick {
    kicked: Arc<AtomicBool>,
    bell: Arc<Bell>,
}

impl Kick {
    pub(crate) fn new() -> io::Result<Kick> {
        Ok(Kick { kicked: Arc::default(), bell: Arc::new(Bell::new()?) })
    }

    pub(crate) fn kick(&self) {
        self.kicked.store(true, Ordering::SeqCst);
        self.bell.ring();
    }

    fn kicked(&self) -> bool {
        self.kicked.load(Ordering::SeqCst)
    }
}

/// How a served connection's direct path ended.
#[derive(Debug)]
pub(crate) enum Served {
    /// The client finished sending, and stdin went whole, then our FIN
    /// (unless --half-close said not to).
    Done,
    /// recv failed (reported already, as an error event).
    RecvFailed(io::Error),
    /// send or shutdown failed.
    SendFailed(io::Error),
    /// The client took nothing for the stall timeout.
    Stalled { waiting: u64 },
    /// Writing stdout failed.
    Output(io::Error),
    /// Nothing came from the client for `--idle-timeout`.
    Idle(Duration),
    /// stdin, a regular file, shrank while it was sent.
    Shrunk { size: u64, sent: u64 },
    /// Kicked from outside.
    Kicked,
}

impl Served {
    /// Whether the stream was cut with bytes possibly left on either side:
    /// the connection is then aborted (RST, see [`super::cut`]) so the
    /// client cannot take what it got for the whole stream.
    fn cuts(&self) -> bool {
        matches!(self, Served::Stalled { .. } | Served::Output(_) | Served::Shrunk { .. } | Served::Kicked)
    }
}

/// How a served connection's direct path ended, and what its abort did.
#[derive(Debug)]
pub(crate) struct Ended {
    pub served: Served,
    /// What the socket was given (and counted out) that the client had not
    /// acknowledged when the connection was cut.
    pub cut: super::cut::Cut,
    /// stdout's reader left before the client had all of stdin.
    pub input_cut: Option<super::owed::InputCut>,
}

/// What bounds a served connection's direct path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How long the client may take nothing while bytes wait for it.
    pub stall: Duration,
    /// How long it may send nothing, with --idle-timeout.
    pub idle: Option<Duration>,
    /// Bytes asked per recv where the bytes are copied.
    pub recv_size: usize,
    /// When stdin's end is followed by our FIN.
    pub half_close: HalfClose,
}

/// Serves one client of `tcp serve --once --raw` on this thread and one
/// more: what it sends goes to stdout, stdin goes to it, then the FIN, as
/// on the event path (reading stdin only now that a client is connected).
/// Returns once both directions have ended: the client's EOF and the end
/// of stdin, or a failure, or a [`Kick`]; the counts given to `received`
/// (bytes written to stdout) and `sent` (bytes the socket took, less
/// what [`Ended::cut`] says was not acknowledged) are then final.
pub(crate) fn serve<R, S, L>(
    socket: TcpStream,
    kick: &Kick,
    limits: Limits,
    report: &Report,
    conn: u64,
    counts: Counts<R, S, L>,
) -> Ended
where
    R: FnMut(usize, &TcpStream),
    S: FnMut(usize, &TcpStream) + Send + 'static,
    L: FnOnce(&TcpStream),
{
    let Counts { mut received, mut sent, last } = counts;
    let shut = Arc::new(AtomicBool::new(false));
    let handed = Arc::new(AtomicU64::new(0));
    let counted = {
        let handed = handed.clone();
        move |n: usize, socket: &TcpStream| {
            handed.fetch_add(n as u64, Ordering::Relaxed);
            sent(n, socket);
        }
    };
    let served = serve_both(&socket, kick, limits, report, conn, &shut, |n| received(n, &socket), counted);
    // Cut before stdin ended, the stream is not whole even where the
    // socket holds nothing: a FIN would say it is.
    let mut pending = !shut.load(Ordering::SeqCst);
    // stdout's reader left: stdin was all sent only if the client took
    // all of it, given the socket and the client a moment (tcp::owed).
    let input_cut = match &served {
        Served::Output(_) => {
            // The sender stopped before it looked: an empty stdin (`<
            // /dev/null`) held nothing to cut. The kernel moved every
            // byte read straight to the socket: none is held here.
            pending = pending && !crate::sys::ready::stdin_at_end();
            let sent = handed.load(Ordering::Relaxed);
            let sock = socket2::SockRef::from(&socket);
            let owed = match pending {
                true => super::owed::untaken(&sock, super::owed::End::Accepted, sent, &mut None),
                false => super::owed::untaken_after_drain(&sock, super::owed::End::Accepted, sent, None),
            };
            (pending || owed.any()).then_some(super::owed::InputCut { sent, pending, owed })
        }
        _ => None,
    };
    last(&socket);
    let cut = match served.cuts() {
        true => super::cut::abort(socket2::SockRef::from(&socket), pending || input_cut.is_some()),
        false => super::cut::Cut::default(),
    };
    // Closed at once, the counts just read: the kernel sends nothing more.
    drop(socket);
    Ended { served, cut, input_cut }
}

/// What [`serve`] tells as bytes move: `received` bytes written to stdout,
/// `sent` bytes the socket took (each with the socket, to read TCP_INFO
/// from), and `last`, once both directions have ended, before the close.
pub(crate) struct Counts<R, S, L> {
    pub received: R,
    pub sent: S,
    pub last: L,
}

/// [`serve`], up to the close.
#[allow(clippy::too_many_arguments)]
fn serve_both(
    socket: &TcpStream,
    kick: &Kick,
    limits: Limits,
    report: &Report,
    conn: u64,
    shut: &Arc<AtomicBool>,
    received: impl FnMut(usize),
    mut sent: impl FnMut(usize, &TcpStream) + Send + 'static,
) -> Served {
    let files = zerocopy::stdin().and_then(|stdin| Ok((stdin, zerocopy::stdout()?)));
    let (stdin, stdout) = match files {
        Ok(files) => files,
        Err(e) => return Served::Output(e),
    };
    if let Err(e) = socket.set_nonblocking(true) {
        return Served::SendFailed(e);
    }
    let sender = socket.try_clone().and_then(|writer| {
        let (report, kick, shut) = (report.clone(), kick.clone(), shut.clone());
        std::thread::Builder::new().name("send".into()).spawn(move || {
            let counted = |n: usize| sent(n, &writer);
            let sent = send_all(&stdin, &writer, limits, &kick.bell, &shut, &report, conn, counted);
            if !matches!(sent, Served::Done) {
                // The receiving side ends too: the connection is cut.
                kick.bell.ring();
            }
            sent
        })
    });
    let sender = match sender {
        Ok(sender) => sender,
        Err(e) => return Served::SendFailed(e),
    };
    let join = |sender: std::thread::JoinHandle<Served>| sender.join().unwrap_or(Served::Kicked);
    let mut receiver = Receiver::new(socket, &stdout, limits.recv_size, Some(&kick.bell));
    let end = receiver.next(limits.idle, received);
    let end = match end {
        Ok(End::Eof) if reset_not_eof(socket, shut.load(Ordering::SeqCst)) => {
            Err(Failure::Socket(io::ErrorKind::ConnectionReset.into()))
        }
        end => end,
    };
    let served = match end {
        Ok(End::Eof) => {
            if let Some(note) = receiver.tally().note(Dir::In) {
                let _ = report.emit(Event::Notice { conn: Some(conn), message: note });
            }
            if let Err(e) = report.emit(Event::Eof { conn }) {
                kick.bell.ring();
                let _ = join(sender);
                return Served::Output(e.0);
            }
            // The rest of stdin still goes to the client (`nc -N -l <
            // file` delivers it whole).
            let sent = join(sender);
            return sent;
        }
        // Stopped by the bell: a kick, or the sender's failure.
        Err(Failure::Stopped) => None,
        Ok(End::TimedOut) => Some(Served::Idle(limits.idle.unwrap_or_default())),
        Err(Failure::Output(e)) => Some(Served::Output(e)),
        Err(failure) => {
            let e = failure.into_io();
            let message = msg!("error-recv", error = describe_msg(&e));
            let _ = report.emit(Event::Error { conn: Some(conn), message });
            Some(Served::RecvFailed(e))
        }
    };
    // Both directions end before anything is told: the counts are final.
    kick.bell.ring();
    let sent = join(sender);
    match (served, sent) {
        // A stall or a shrinking stdin is why the receiving side stopped.
        (None, sent @ (Served::Stalled { .. } | Served::Shrunk { .. } | Served::SendFailed(_))) => sent,
        (None, _) if kick.kicked() => Served::Kicked,
        (None, sent) => sent,
        (Some(served), _) => served,
    }
}

/// The sending thread of [`serve`]: stdin, the note, then shutdown(SHUT_WR)
/// if `limits.half_close` says so after what stdin brought; without it, the
/// connection ends when the client closes. `shut` is set once our side is
/// finished, FIN or not.
#[allow(clippy::too_many_arguments)]
fn send_all(
    stdin: &File,
    socket: &TcpStream,
    limits: Limits,
    bell: &Bell,
    shut: &AtomicBool,
    report: &Report,
    conn: u64,
    sent: impl FnMut(usize),
) -> Served {
    match send(stdin, "stdin", socket, Some(limits.stall), Some(bell), sent) {
        Ok(tally) => {
            for note in tally.note(Dir::Out).into_iter().chain(tally.way_note()) {
                let _ = report.emit(Event::Notice { conn: Some(conn), message: note });
            }
            match limits.half_close.after(tally.total) {
                true => shut_down(socket, shut, report, conn),
                false => {
                    shut.store(true, Ordering::SeqCst);
                    Served::Done
                }
            }
        }
        Err(Failure::Stalled { waiting }) => Served::Stalled { waiting },
        Err(Failure::Shrunk { size, sent }) => Served::Shrunk { size, sent },
        Err(Failure::Stopped) => Served::Kicked,
        // As on the event path, stdin that cannot be read has ended.
        Err(Failure::Input(_)) => shut_down(socket, shut, report, conn),
        Err(failure) => Served::SendFailed(failure.into_io()),
    }
}

/// shutdown(SHUT_WR) once stdin has ended: the client reads EOF.
fn shut_down(socket: &TcpStream, shut: &AtomicBool, report: &Report, conn: u64) -> Served {
    // Stamped before the call: the client's EOF shows after it.
    let cause = match report.cause(0) {
        Ok(cause) => cause,
        Err(e) => return Served::Output(e.0),
    };
    // Said before the call: a hang-up seen from here on may be ours.
    shut.store(true, Ordering::SeqCst);
    match socket.shutdown(Shutdown::Write) {
        Ok(()) => match cause.emit(Event::Shutdown { conn }) {
            Ok(()) => Served::Done,
            Err(e) => Served::Output(e.0),
        },
        Err(e) => Served::SendFailed(e),
    }
}
