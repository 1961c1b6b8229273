//! The direct path for one client of `tcp serve --once --raw`: the
//! receiver on this thread, the sender on another, a [`Kick`] that stops
//! both, and how the connection ended ([`Served`], [`Ended`]).

use std::fs::File;
use std::io;
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::{End, Failure, Receiver, reset_not_eof, send};
use crate::config::tcp::HalfClose;
use crate::event::{Dir, Event};
use crate::msg;
use crate::net::describe_msg;
use crate::sink::Report;
use crate::sys::ready::Bell;
use crate::sys::zerocopy;

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
    /// the connection is then aborted (RST, see [`crate::tcp::cut`]) so the
    /// client cannot take what it got for the whole stream.
    fn cuts(&self) -> bool {
        matches!(self, Served::Stalled { .. } | Served::Output(_) | Served::Shrunk { .. } | Served::Kicked)
    }
}

/// How a served connection's direct path ended, and what its abort did.
#[derive(Debug)]
pub(crate) struct Ended {
    pub(crate) served: Served,
    /// What the socket was given (and counted out) that the client had not
    /// acknowledged when the connection was cut.
    pub(crate) cut: crate::tcp::cut::Cut,
    /// stdout's reader left before the client had all of stdin.
    pub(crate) input_cut: Option<crate::tcp::owed::InputCut>,
}

/// What bounds a served connection's direct path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How long the client may take nothing while bytes wait for it.
    pub(crate) stall: Duration,
    /// How long it may send nothing, with --idle-timeout.
    pub(crate) idle: Option<Duration>,
    /// Bytes asked per recv where the bytes are copied.
    pub(crate) recv_size: usize,
    /// When stdin's end is followed by our FIN.
    pub(crate) half_close: HalfClose,
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
                true => crate::tcp::owed::untaken(&sock, crate::tcp::owed::End::Accepted, sent, &mut None),
                false => {
                    crate::tcp::owed::untaken_after_drain(&sock, crate::tcp::owed::End::Accepted, sent, None)
                }
            };
            (pending || owed.any()).then_some(crate::tcp::owed::InputCut { sent, pending, owed })
        }
        _ => None,
    };
    last(&socket);
    let cut = match served.cuts() {
        true => crate::tcp::cut::abort(socket2::SockRef::from(&socket), pending || input_cut.is_some()),
        false => crate::tcp::cut::Cut::default(),
    };
    // Closed at once, the counts just read: the kernel sends nothing more.
    drop(socket);
    Ended { served, cut, input_cut }
}

/// What [`serve`] tells as bytes move: `received` bytes written to stdout,
/// `sent` bytes the socket took (each with the socket, to read TCP_INFO
/// from), and `last`, once both directions have ended, before the close.
pub(crate) struct Counts<R, S, L> {
    pub(crate) received: R,
    pub(crate) sent: S,
    pub(crate) last: L,
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
    settle(served, sent, kick.kicked())
}

/// How the connection ended, from how each direction did: the receiving
/// side's own end (`received`; None when the bell stopped it), the
/// sender's, and whether a [`Kick`] rang the bell.
fn settle(received: Option<Served>, sent: Served, kicked: bool) -> Served {
    match (received, sent) {
        // A stall or a shrinking stdin is why the receiving side stopped.
        (None, sent @ (Served::Stalled { .. } | Served::Shrunk { .. } | Served::SendFailed(_))) => sent,
        (None, _) if kicked => Served::Kicked,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_cut_when_bytes_may_be_left_on_either_side() {
        let broken = || io::Error::from(io::ErrorKind::BrokenPipe);
        for (served, cuts) in [
            (Served::Done, false),
            (Served::RecvFailed(broken()), false),
            (Served::SendFailed(broken()), false),
            (Served::Idle(Duration::from_secs(1)), false),
            (Served::Stalled { waiting: 1 }, true),
            (Served::Output(broken()), true),
            (Served::Shrunk { size: 2, sent: 1 }, true),
            (Served::Kicked, true),
        ] {
            assert_eq!(served.cuts(), cuts, "{served:?}");
        }
    }

    #[test]
    fn the_end_told_is_the_direction_that_caused_it() {
        let reset = || io::Error::from(io::ErrorKind::ConnectionReset);
        // The receiving side ended by itself: its end, whatever the sender's.
        let idle = settle(Some(Served::Idle(Duration::from_secs(3))), Served::Kicked, true);
        assert!(matches!(idle, Served::Idle(after) if after == Duration::from_secs(3)), "{idle:?}");
        let failed = settle(Some(Served::RecvFailed(reset())), Served::Done, false);
        assert!(matches!(failed, Served::RecvFailed(_)), "{failed:?}");
        // Stopped by the bell: the sender's stall, shrink or failure rang it,
        // even when a kick rang it too.
        for kicked in [false, true] {
            let stalled = settle(None, Served::Stalled { waiting: 9 }, kicked);
            assert!(matches!(stalled, Served::Stalled { waiting: 9 }), "{stalled:?}");
            let shrunk = settle(None, Served::Shrunk { size: 5, sent: 4 }, kicked);
            assert!(matches!(shrunk, Served::Shrunk { size: 5, sent: 4 }), "{shrunk:?}");
            let failed = settle(None, Served::SendFailed(reset()), kicked);
            assert!(matches!(failed, Served::SendFailed(_)), "{failed:?}");
        }
        // Otherwise a kick is why; without one, the sender's end.
        let output = || Served::Output(io::ErrorKind::BrokenPipe.into());
        assert!(matches!(settle(None, output(), true), Served::Kicked));
        assert!(matches!(settle(None, output(), false), Served::Output(_)));
        assert!(matches!(settle(None, Served::Done, true), Served::Kicked));
        assert!(matches!(settle(None, Served::Done, false), Served::Done));
        assert!(matches!(settle(None, Served::Kicked, false), Served::Kicked));
    }
}
