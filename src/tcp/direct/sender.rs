//! The direct path's sender: what a client sends (a file, a pipe, a
//! terminal or a socket) into the socket, by sendfile, splice, a mapping
//! of the file or read and write, as [`plan`] chooses, with the stall
//! clock and the check that a file did not shrink while it went.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::{COPY, Failure, KERNEL_CHUNK, PIPE, Tally, kind_name, socket_error};
use crate::msg;
use crate::sys::mapped::{self, Mapped};
use crate::sys::ready::{self, Bell, Interest, Waitable, Waited};
use crate::sys::zerocopy::{self, Kind, Moved};
use crate::tcp::plan::{self, FileWay, PipeWay, Trial};

/// Whether the peer of `socket` is on this machine: a loopback address,
/// or one of ours (the connection then goes through the loopback device).
fn same_machine(socket: &TcpStream) -> bool {
    match (socket.peer_addr(), socket.local_addr()) {
        (Ok(peer), Ok(local)) => peer.ip().is_loopback() || peer.ip() == local.ip(),
        _ => false,
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

    /// Whether the file shrank: it is `now` bytes long, shorter than when
    /// sending began, or it ended (`ended`) with fewer than expected `sent`.
    fn shrunk(&self, now: u64, ended: bool, sent: u64) -> bool {
        now < self.size || (ended && sent < self.expected)
    }

    /// What of the file waits to be sent once `sent` bytes went, or the
    /// `buffered` bytes of ours that wait, if more.
    fn waiting(&self, sent: u64, buffered: u64) -> u64 {
        self.expected.saturating_sub(sent).max(buffered)
    }
}

/// Bytes asked of one sendfile or send from a mapping: a whole
/// [`KERNEL_CHUNK`], or what is left of `limit` once `done` went.
fn ask(limit: Option<u64>, done: u64) -> usize {
    limit.map_or(KERNEL_CHUNK as u64, |limit| (limit - done).min(KERNEL_CHUNK as u64)) as usize
}

/// The buffer a copy reads into: a pipe of `pipe` bytes is read up to its
/// size, between [`COPY`] and [`PIPE`]; anything else [`COPY`] a call.
fn copy_buffer(pipe: Option<usize>) -> usize {
    pipe.map_or(COPY, |size| size.clamp(COPY, PIPE))
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
        self.tally.add(moved, kernel);
        self.since = None;
        (self.sent)(moved);
    }

    /// A regular file that is now shorter than when sending began, or that
    /// ended (`ended`) before its size then: it shrank.
    fn check_size(&self, ended: bool) -> Result<(), Failure> {
        let Some(watch) = self.watch else { return Ok(()) };
        let now = self.input.metadata().map(|m| m.len()).unwrap_or(watch.size);
        if watch.shrunk(now, ended, self.tally.total) {
            return Err(Failure::Shrunk { size: watch.expected, sent: self.tally.total });
        }
        Ok(())
    }

    /// What waits to be sent, for a stall's message: the rest of a file,
    /// what a pipe holds.
    fn waiting(&self, buffered: u64) -> u64 {
        match self.watch {
            Some(watch) => watch.waiting(self.tally.total, buffered),
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
            match zerocopy::sendfile(self.socket, self.input, ask(limit, done)) {
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
            let sent = match &self.map {
                Some(map) => map.send(self.socket, at as usize, ask(limit, done)),
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
        let mut buf = vec![0u8; copy_buffer(self.tally.pipe)];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_expects_the_file_from_its_offset_on() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&[7u8; 1000]).unwrap();
        file.seek(io::SeekFrom::Start(300)).unwrap();
        let watch = Watch::of(&file).unwrap();
        assert_eq!((watch.size, watch.expected), (1000, 700));
        // Past the end: nothing expected, not a wrap.
        file.seek(io::SeekFrom::Start(5000)).unwrap();
        assert_eq!(Watch::of(&file).unwrap().expected, 0);
    }

    #[test]
    fn a_file_shrank_when_shorter_or_ended_before_the_bytes_expected() {
        let watch = Watch { expected: 700, size: 1000 };
        // The same size, not at its end, or at its end with all of it sent.
        assert!(!watch.shrunk(1000, false, 0));
        assert!(!watch.shrunk(1000, true, 700));
        // Grown: not shrunk, even at an end past what was expected.
        assert!(!watch.shrunk(1200, true, 900));
        // Shorter than it was, sent or not.
        assert!(watch.shrunk(999, false, 0));
        assert!(watch.shrunk(999, true, 700));
        // Ended one byte short.
        assert!(watch.shrunk(1000, true, 699));
    }

    #[test]
    fn what_waits_is_the_rest_of_the_file_or_our_bytes_if_more() {
        let watch = Watch { expected: 700, size: 1000 };
        assert_eq!(watch.waiting(0, 0), 700);
        assert_eq!(watch.waiting(650, 10), 50);
        assert_eq!(watch.waiting(650, 80), 80);
        // Sent more than expected (a file that grew): no wrap.
        assert_eq!(watch.waiting(900, 0), 0);
    }

    #[test]
    fn each_call_asks_a_chunk_or_what_is_left_of_the_limit() {
        assert_eq!(ask(None, 0), KERNEL_CHUNK);
        assert_eq!(ask(None, 123 << 20), KERNEL_CHUNK);
        let limit = Some(2 * KERNEL_CHUNK as u64 + 5);
        assert_eq!(ask(limit, 0), KERNEL_CHUNK);
        assert_eq!(ask(limit, KERNEL_CHUNK as u64), KERNEL_CHUNK);
        assert_eq!(ask(limit, 2 * KERNEL_CHUNK as u64), 5);
        assert_eq!(ask(Some(10), 3), 7);
    }

    #[test]
    fn a_pipe_is_read_up_to_its_size_within_copy_and_pipe() {
        assert_eq!(copy_buffer(None), COPY);
        assert_eq!(copy_buffer(Some(64 << 10)), COPY);
        assert_eq!(copy_buffer(Some(512 << 10)), 512 << 10);
        assert_eq!(copy_buffer(Some(PIPE)), PIPE);
        assert_eq!(copy_buffer(Some(4 * PIPE)), PIPE);
    }
}
