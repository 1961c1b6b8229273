//! The raw relay's direct path. With `--raw` and nothing that reads the
//! bytes (no `--decode`), what a connection receives goes from the socket
//! straight to stdout, and its input from stdin or a `--file` straight to
//! the socket: no event per chunk, no report queue in between. The kernel
//! moves the bytes itself where it can (sendfile and splice, see
//! [`zerocopy`]); where it refuses, or on a terminal or a socket, they are
//! copied with read and write. Byte counts, EOF, shutdown and errors are
//! reported as on the event path, and a note says what the kernel moved.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Seek, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::event::{Dir, Event};
use crate::i18n::{Arg, Msg};
use crate::input::Input;
use crate::msg;
use crate::net::describe_msg;
use crate::report::Report;
use crate::sys::zerocopy::{self, Kind, Moved};
use crate::tcp::HalfClose;
use crate::tcp::serve::{ServeConfig, StdinMode};

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
/// no better (docs/benchmarks.md). What is received is copied in pieces of
/// --recv-size (64 KiB by default: 256 KiB and 1 MiB did no better).
const COPY: usize = 256 << 10;

/// Whether the direct path may carry this input: a --file or stdin (each
/// -m message is one send, reported as such).
pub fn carries(input: &Input) -> bool {
    zerocopy::AVAILABLE && !matches!(input, Input::Messages(_))
}

/// Whether `tcp serve` takes the direct path ([`serve`]): `--once` with
/// `--raw` and nothing that reads the bytes, nothing that answers the
/// client (--echo, --reply) or relays it (--broadcast), and stdin a stream
/// (a pipe or a file; lines typed at a terminal are the event path's).
pub fn serves(config: &ServeConfig) -> bool {
    zerocopy::AVAILABLE
        && config.direct
        && config.once
        && config.stdin == StdinMode::Raw
        && !config.echo
        && config.reply.is_none()
        && !config.broadcast
        && !std::io::stdin().is_terminal()
}

/// Whether received bytes may take the direct path on this system.
pub fn receives() -> bool {
    zerocopy::AVAILABLE
}

/// What a client sends on the direct path, opened.
pub struct Opened {
    pub file: File,
    /// How notes name it: `stdin`, `--file PATH`.
    pub name: String,
    /// What failed when it cannot be read.
    pub reading: Msg,
}

/// Opens what a client sends, for [`send`].
pub fn open_input(input: &Input) -> Result<Option<Opened>> {
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
pub fn stdout() -> io::Result<File> {
    zerocopy::stdout()
}

/// Why a direction stopped.
#[derive(Debug)]
pub enum Failure {
    /// Reading the input failed.
    Input(io::Error),
    /// The socket failed: the peer reset, or went away.
    Socket(io::Error),
    /// Writing stdout failed (a closed pipe, a full disk).
    Output(io::Error),
    /// The peer took nothing for the socket's send timeout (SO_SNDTIMEO);
    /// `waiting` bytes were to go.
    Stalled { waiting: u64 },
}

impl Failure {
    /// The I/O error behind it (a stall as a timed-out send).
    pub fn into_io(self) -> io::Error {
        match self {
            Failure::Input(e) | Failure::Socket(e) | Failure::Output(e) => e,
            Failure::Stalled { .. } => io::ErrorKind::TimedOut.into(),
        }
    }
}

/// How one direction's bytes went, for the note that says so.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Bytes that went through the socket.
    pub total: u64,
    /// Of those, the bytes the kernel moved end to end (sendfile, splice).
    pub kernel: u64,
    /// The call that moved them: "sendfile(2)", "splice(2)".
    call: &'static str,
    /// Where they went: "stdin (a pipe) → socket".
    path: Msg,
}

impl Tally {
    fn new(call: &'static str, path: Msg) -> Tally {
        Tally { total: 0, kernel: 0, call, path }
    }

    /// "16.0 MiB received with splice(2), socket → stdout (a pipe): ...",
    /// or nothing when the kernel moved nothing end to end.
    pub fn note(&self, dir: Dir) -> Option<Msg> {
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
            | WouldBlock
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
    )
}

fn timed_out(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// How [`send`] moves the input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// sendfile(2) from the input (a file) to the socket.
    Sendfile,
    /// splice(2) from the input (a pipe) to the socket.
    Splice,
    /// splice(2) from the input (a pipe) into a pipe of our own, then from
    /// it to the socket: each send then knows what it was offered, so a
    /// short one tells a stall (see [`send`]).
    SpliceVia,
    /// read and write, through a buffer.
    Copy,
}

/// Sends all of `input` (named `name` in notes) to `socket`, calling
/// `sent` with each count the socket took. Ends at the end of the input;
/// the caller half-closes.
///
/// `stall`: the socket's send timeout (SO_SNDTIMEO), if it has one. A
/// blocked send then ends after that long with nothing taken (EAGAIN), or
/// short of what it was offered: that is a client that took no data for
/// the whole timeout, as the event path's writer finds when the socket
/// stays unwritable. Inside one sendfile or splice the kernel may wait more
/// than once, so only a call that lasted the timeout and came back short
/// counts; a slow client that keeps taking bytes never does.
pub fn send(
    input: &File,
    name: &str,
    socket: &TcpStream,
    stall: Option<Duration>,
    sent: impl FnMut(usize),
) -> Result<Tally, Failure> {
    let kind = zerocopy::kind(input);
    let call = match kind {
        _ if zerocopy::nonblocking(input) => Call::Copy,
        Kind::Pipe if stall.is_some() => Call::SpliceVia,
        Kind::Pipe => Call::Splice,
        // sendfile reads through the page cache, from any file that has
        // one; a device such as /dev/null may refuse.
        Kind::File | Kind::Device => Call::Sendfile,
        Kind::Terminal | Kind::Socket => Call::Copy,
    };
    let call_name = match call {
        Call::Sendfile => "sendfile(2)",
        _ => "splice(2)",
    };
    let tally = Tally::new(call_name, msg!("direct-path-in", input = name, kind = kind_name(kind)));
    let mut sender = Sender { input, socket, stall, sent, tally };
    let ended = match call {
        Call::Sendfile | Call::Splice => sender.kernel(call)?,
        Call::SpliceVia => sender.via_pipe()?,
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
    sent: F,
    tally: Tally,
}

impl<F: FnMut(usize)> Sender<'_, F> {
    /// Counts `moved` bytes; a stall if the call that moved them began at
    /// `started`, lasted the send timeout, and came back short of `offered`.
    fn moved(&mut self, moved: usize, kernel: bool, started: Instant, offered: u64) -> Result<(), Failure> {
        self.tally.total += moved as u64;
        if kernel {
            self.tally.kernel += moved as u64;
        }
        (self.sent)(moved);
        let short = (moved as u64) < offered;
        match self.stall {
            Some(stall) if short && started.elapsed() >= stall => {
                Err(Failure::Stalled { waiting: offered - moved as u64 })
            }
            _ => Ok(()),
        }
    }

    /// sendfile or splice straight from the input to the socket, until the
    /// input ends (true) or the kernel refuses (false: copy the rest).
    fn kernel(&mut self, call: Call) -> Result<bool, Failure> {
        // Where a stall must be told, what is left of a file (read once:
        // the file's offset moves on by what each sendfile took).
        let mut left = match self.stall {
            Some(_) if call == Call::Sendfile => left_in(self.input),
            _ => None,
        };
        loop {
            let started = Instant::now();
            // What this call is offered: a chunk, or less at the end of a file.
            let offered = left.unwrap_or(u64::MAX).min(KERNEL_CHUNK as u64);
            let result = match call {
                Call::Sendfile => zerocopy::sendfile(self.socket, self.input, KERNEL_CHUNK),
                _ => zerocopy::splice(self.input, self.socket, KERNEL_CHUNK),
            };
            match result {
                Ok(Moved::Bytes(0)) => return Ok(true),
                Ok(Moved::Bytes(n)) => {
                    left = left.map(|left| left.saturating_sub(n as u64));
                    self.moved(n, true, started, offered)?
                }
                // Whatever moved so far is gone from the input (a file's
                // offset moved on, a pipe's bytes were taken): reading goes
                // on from there.
                Ok(Moved::Refused) => return Ok(false),
                Err(e) if timed_out(&e) => return Err(Failure::Stalled { waiting: offered }),
                // A pipe does not fail to be read: the socket did.
                Err(e) if call == Call::Splice || socket_side(&e) => return Err(Failure::Socket(e)),
                Err(e) => return Err(Failure::Input(e)),
            }
        }
    }

    /// splice from the input into a pipe of our own, then from it to the
    /// socket, each send offered exactly what our pipe holds. True at the
    /// end of the input, false when the kernel refuses.
    fn via_pipe(&mut self) -> Result<bool, Failure> {
        let Ok((read, write)) = zerocopy::pipe(PIPE) else { return self.kernel(Call::Splice) };
        loop {
            let mut left = match zerocopy::splice(self.input, &write, KERNEL_CHUNK).map_err(Failure::Input)? {
                Moved::Bytes(0) => return Ok(true),
                Moved::Bytes(n) => n,
                Moved::Refused => return Ok(false),
            };
            while left > 0 {
                let started = Instant::now();
                match zerocopy::splice(&read, self.socket, left) {
                    Ok(Moved::Bytes(m)) => {
                        self.moved(m, true, started, left as u64)?;
                        left -= m;
                    }
                    Ok(Moved::Refused) => {
                        // What our pipe holds goes by read and write.
                        let mut buf = vec![0u8; left.min(COPY)];
                        while left > 0 {
                            let n = (&read).read(&mut buf[..left.min(COPY)]).map_err(Failure::Input)?;
                            self.write_all(&buf[..n])?;
                            left -= n;
                        }
                        return Ok(false);
                    }
                    Err(e) if timed_out(&e) => return Err(Failure::Stalled { waiting: left as u64 }),
                    Err(e) => return Err(Failure::Socket(e)),
                }
            }
        }
    }

    /// read and write until the input ends.
    fn copy(&mut self) -> Result<(), Failure> {
        let mut buf = vec![0u8; COPY];
        loop {
            let n = match self.input.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Failure::Input(e)),
            };
            self.write_all(&buf[..n])?;
        }
    }

    /// Writes `bytes` to the socket: a blocking write with a send timeout
    /// comes back short, or with EAGAIN, only when the timeout ran out.
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let mut done = 0;
        while done < bytes.len() {
            let started = Instant::now();
            match (&*self.socket).write(&bytes[done..]) {
                Ok(0) => return Err(Failure::Socket(io::ErrorKind::WriteZero.into())),
                Ok(m) => {
                    self.moved(m, false, started, (bytes.len() - done) as u64)?;
                    done += m;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if timed_out(&e) => {
                    return Err(Failure::Stalled { waiting: (bytes.len() - done) as u64 });
                }
                Err(e) => return Err(Failure::Socket(e)),
            }
        }
        Ok(())
    }
}

/// What is left to read of a regular file, from its offset; None for
/// anything else (a device has no end to tell).
fn left_in(file: &File) -> Option<u64> {
    let size = file.metadata().ok().filter(|m| m.is_file())?.len();
    let at = (&*file).stream_position().ok()?;
    Some(size.saturating_sub(at))
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
pub enum End {
    /// recv returned 0: the peer finished sending.
    Eof,
    /// Nothing came for the socket's receive timeout (SO_RCVTIMEO).
    TimedOut,
}

/// Moves what the socket receives to stdout.
pub struct Receiver<'a> {
    socket: &'a TcpStream,
    out: &'a File,
    way: Way,
    buf: Vec<u8>,
    recv_size: usize,
    tally: Tally,
}

impl<'a> Receiver<'a> {
    /// `recv_size`: bytes asked per recv where the bytes are copied.
    pub fn new(socket: &'a TcpStream, out: &'a File, recv_size: usize) -> Receiver<'a> {
        let kind = zerocopy::kind(out);
        let way = match kind {
            _ if zerocopy::nonblocking(out) => Way::Copy,
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
        Receiver { socket, out, way, buf: Vec::new(), recv_size: recv_size.max(1), tally }
    }

    /// What has been received so far, and how.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Receives until the peer's EOF or a receive timeout, calling
    /// `received` with each count taken from the socket.
    pub fn next(&mut self, mut received: impl FnMut(usize)) -> Result<End, Failure> {
        loop {
            match &self.way {
                Way::Splice => match zerocopy::splice(self.socket, self.out, KERNEL_CHUNK) {
                    Ok(Moved::Bytes(0)) => return Ok(End::Eof),
                    Ok(Moved::Bytes(n)) => {
                        self.tally.total += n as u64;
                        self.tally.kernel += n as u64;
                        received(n);
                    }
                    Ok(Moved::Refused) => self.way = Way::Copy,
                    Err(e) if timed_out(&e) => return Ok(End::TimedOut),
                    // The socket side never says EPIPE: stdout's reader left.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(Failure::Output(e)),
                    Err(e) => return Err(Failure::Socket(e)),
                },
                Way::Pipe { read, write } => {
                    let n = match zerocopy::splice(self.socket, write, KERNEL_CHUNK) {
                        Ok(Moved::Bytes(0)) => return Ok(End::Eof),
                        Ok(Moved::Bytes(n)) => n,
                        Ok(Moved::Refused) => {
                            self.way = Way::Copy;
                            continue;
                        }
                        Err(e) if timed_out(&e) => return Ok(End::TimedOut),
                        Err(e) => return Err(Failure::Socket(e)),
                    };
                    self.tally.total += n as u64;
                    received(n);
                    let mut left = n;
                    let mut refused = false;
                    while left > 0 {
                        match zerocopy::splice(read, self.out, left) {
                            Ok(Moved::Bytes(m)) => {
                                left -= m;
                                self.tally.kernel += m as u64;
                            }
                            // Refused (a file opened for appending): what is
                            // in our pipe is read out and written, and so is
                            // everything after it.
                            Ok(Moved::Refused) => {
                                copy_out(read, self.out, left, &mut self.buf).map_err(Failure::Output)?;
                                left = 0;
                                refused = true;
                            }
                            Err(e) => return Err(Failure::Output(e)),
                        }
                    }
                    if refused {
                        self.way = Way::Copy;
                    }
                }
                Way::Copy => {
                    self.buf.resize(self.recv_size, 0);
                    let n = match (&*self.socket).read(&mut self.buf) {
                        Ok(0) => return Ok(End::Eof),
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) if timed_out(&e) => return Ok(End::TimedOut),
                        Err(e) => return Err(Failure::Socket(e)),
                    };
                    self.tally.total += n as u64;
                    received(n);
                    (&*self.out).write_all(&self.buf[..n]).map_err(Failure::Output)?;
                }
            }
        }
    }
}

/// Copies `len` bytes from the pipe `from` to `to` through `buf`.
fn copy_out(mut from: &File, mut to: &File, mut len: usize, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.resize(COPY, 0);
    while len > 0 {
        let n = from.read(&mut buf[..len.min(COPY)])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        to.write_all(&buf[..n])?;
        len -= n;
    }
    Ok(())
}

/// Ends a served connection's direct path from outside (the server is
/// stopping, or its sender stalled): shutdown(SHUT_RDWR) wakes a thread
/// blocked on the socket, and the flag tells it this was no EOF.
#[derive(Clone)]
pub struct Kick {
    socket: Arc<TcpStream>,
    kicked: Arc<AtomicBool>,
}

impl Kick {
    pub fn new(socket: &TcpStream) -> io::Result<Kick> {
        Ok(Kick { socket: Arc::new(socket.try_clone()?), kicked: Arc::default() })
    }

    /// The socket (to read TCP_INFO from).
    pub fn socket(&self) -> &TcpStream {
        &self.socket
    }

    pub fn kick(&self) {
        self.kicked.store(true, Ordering::SeqCst);
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    fn kicked(&self) -> bool {
        self.kicked.load(Ordering::SeqCst)
    }
}

/// How a served connection's direct path ended.
#[derive(Debug)]
pub enum Served {
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
    /// Kicked from outside.
    Kicked,
}

/// What bounds a served connection's direct path.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long the client may take nothing while we send (SO_SNDTIMEO).
    pub stall: Duration,
    /// How long it may send nothing (SO_RCVTIMEO), with --idle-timeout.
    pub idle: Option<Duration>,
    /// Bytes asked per recv where the bytes are copied.
    pub recv_size: usize,
    /// When stdin's end is followed by our FIN.
    pub half_close: HalfClose,
}

/// Serves one client of `tcp serve --once --raw` on this thread and one
/// more: what it sends goes to stdout, stdin goes to it, then the FIN, as
/// on the event path (reading stdin only now that a client is connected).
/// Blocks until the client's EOF and the end of stdin, or a failure, or a
/// [`Kick`].
pub fn serve(
    socket: TcpStream,
    kick: &Kick,
    limits: Limits,
    report: &Report,
    conn: u64,
    received: impl FnMut(usize),
    sent: impl FnMut(usize) + Send + 'static,
) -> Served {
    let files = zerocopy::stdin().and_then(|stdin| Ok((stdin, zerocopy::stdout()?)));
    let (stdin, stdout) = match files {
        Ok(files) => files,
        Err(e) => return Served::Output(e),
    };
    let blocking = socket
        .set_nonblocking(false)
        .and_then(|()| socket.set_write_timeout(Some(limits.stall)))
        .and_then(|()| socket.set_read_timeout(limits.idle));
    if let Err(e) = blocking {
        return Served::SendFailed(e);
    }
    let (done, sending) = std::sync::mpsc::sync_channel(1);
    let spawned = socket.try_clone().and_then(|writer| {
        let (report, kick) = (report.clone(), kick.clone());
        std::thread::Builder::new().name("send".into()).spawn(move || {
            let sent = send_all(&stdin, &writer, limits, &report, conn, sent);
            let stalled = matches!(sent, Served::Stalled { .. });
            let _ = done.send(sent);
            if stalled {
                // The receiving side ends too: the connection is cut.
                kick.kick();
            }
        })
    });
    if let Err(e) = spawned {
        return Served::SendFailed(e);
    }
    let mut receiver = Receiver::new(&socket, &stdout, limits.recv_size);
    let end = receiver.next(received);
    // After a kick, recv's 0 or error is its consequence, not the peer's.
    if kick.kicked() {
        return match sending.try_recv() {
            Ok(stalled @ Served::Stalled { .. }) => stalled,
            _ => Served::Kicked,
        };
    }
    match end {
        Ok(End::TimedOut) => Served::Idle(limits.idle.unwrap_or_default()),
        Ok(End::Eof) => {
            if let Some(note) = receiver.tally().note(Dir::In) {
                let _ = report.emit(Event::Notice { conn: Some(conn), message: note });
            }
            if let Err(e) = report.emit(Event::Eof { conn }) {
                return Served::Output(e.0);
            }
            // The rest of stdin still goes to the client (`nc -N -l <
            // file` delivers it whole).
            sending.recv().unwrap_or(Served::Kicked)
        }
        Err(Failure::Output(e)) => {
            kick.kick();
            Served::Output(e)
        }
        Err(failure) => {
            let e = failure.into_io();
            let message = msg!("error-recv", error = describe_msg(&e));
            let _ = report.emit(Event::Error { conn: Some(conn), message });
            Served::RecvFailed(e)
        }
    }
}

/// The sending thread of [`serve`]: stdin, the note, then shutdown(SHUT_WR)
/// if `limits.half_close` says so after what stdin brought; without it, the
/// connection ends when the client closes.
fn send_all(
    stdin: &File,
    socket: &TcpStream,
    limits: Limits,
    report: &Report,
    conn: u64,
    sent: impl FnMut(usize),
) -> Served {
    match send(stdin, "stdin", socket, Some(limits.stall), sent) {
        Ok(tally) => {
            if let Some(note) = tally.note(Dir::Out) {
                let _ = report.emit(Event::Notice { conn: Some(conn), message: note });
            }
            match limits.half_close.after(tally.total) {
                true => shut(socket, report, conn),
                false => Served::Done,
            }
        }
        Err(Failure::Stalled { waiting }) => Served::Stalled { waiting },
        // As on the event path, stdin that cannot be read has ended.
        Err(Failure::Input(_)) => shut(socket, report, conn),
        Err(failure) => Served::SendFailed(failure.into_io()),
    }
}

/// shutdown(SHUT_WR) once stdin has ended: the client reads EOF.
fn shut(socket: &TcpStream, report: &Report, conn: u64) -> Served {
    // Stamped before the call: the client's EOF shows after it.
    let cause = match report.cause(0) {
        Ok(cause) => cause,
        Err(e) => return Served::Output(e.0),
    };
    match socket.shutdown(Shutdown::Write) {
        Ok(()) => match cause.emit(Event::Shutdown { conn }) {
            Ok(()) => Served::Done,
            Err(e) => Served::Output(e.0),
        },
        Err(e) => Served::SendFailed(e),
    }
}
