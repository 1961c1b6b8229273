//! The direct path's receiver: what the socket receives, to stdout, by
//! splice (straight into a pipe, or through a pipe of our own into a file)
//! or recv and write.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::{COPY, Failure, KERNEL_CHUNK, PIPE, Tally, kind_name};
use crate::msg;
use crate::sys::ready::{self, Bell, Interest, Waitable, Waited};
use crate::sys::zerocopy::{self, Kind, Moved};

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
    tally.add(n, kernel);
    received(n);
}

/// Waits for room in stdout, or the bell.
fn room(out: &File, bell: Option<&Bell>) -> Result<(), Failure> {
    match ready::wait(&[(out, Interest::Write)], bell, None).map_err(Failure::Output)? {
        Waited::Rang => Err(Failure::Stopped),
        _ => Ok(()),
    }
}
