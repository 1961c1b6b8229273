//! Cutting a connection so that its peer knows it was cut. A close()
//! sends a FIN after whatever the socket still holds, and a FIN reads as
//! "the sender finished": a client that got a stopped server's FIN would
//! take a truncated file for a whole one and exit 0. With SO_LINGER set to
//! 0, close() aborts the connection instead: a RST, the bytes the socket
//! still held thrown away, and the peer's next recv or send fails with
//! "connection reset by peer". (The kernel does the same by itself when
//! received bytes were left unread; this makes it so when bytes were left
//! unsent.)

use std::io;
use std::time::Duration;

use socket2::SockRef;

use crate::i18n::{Arg, Msg};
use crate::msg;

/// What the abort of a connection did to the bytes the socket was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cut {
    /// Sent and not acknowledged yet: on their way, the peer may still
    /// read them (on loopback it does), or may not.
    pub(crate) flight: u64,
    /// Never sent: thrown away.
    pub(crate) unsent: u64,
}

impl Cut {
    /// The bytes given to the socket that the peer did not acknowledge:
    /// not counted out.
    pub(crate) fn unacknowledged(&self) -> u64 {
        self.flight + self.unsent
    }

    /// The note that says so, when there were any.
    pub(crate) fn note(&self) -> Option<Msg> {
        (self.unacknowledged() > 0).then(|| {
            msg!(
                "notice-cut-unacknowledged",
                total = Arg::bytes(self.unacknowledged()),
                flight = Arg::bytes(self.flight),
                unsent = Arg::bytes(self.unsent),
            )
        })
    }
}

/// Makes the last close of `socket` abort the connection (RST) where the
/// stream is cut: bytes the peer had not acknowledged, or `pending` (more
/// was to be sent). Says what of the bytes the socket was given the peer
/// had not acknowledged (read from the kernel on Linux; nothing where the
/// system does not say). A connection with nothing owed either way
/// closes as usual, with a FIN (and its TIME_WAIT, which the course
/// shows).
pub(crate) fn abort(socket: SockRef<'_>, pending: bool) -> Cut {
    let cut = unacknowledged(&socket);
    // Where the system does not say, a cut is assumed.
    if pending || cut.as_ref().is_none_or(|cut| cut.unacknowledged() > 0) {
        let _ = socket.set_linger(Some(Duration::ZERO));
    }
    cut.unwrap_or_default()
}

/// `tcpi_state` while our FIN is sent and not acknowledged: FIN_WAIT1,
/// LAST_ACK, CLOSING. The kernel counts it as one byte of the send queue.
const FIN_UNACKNOWLEDGED: [u8; 3] = [4, 9, 11];

fn unacknowledged(socket: &SockRef<'_>) -> Option<Cut> {
    let queued = crate::capture::unsent(&**socket).ok()?;
    let info = crate::capture::tcp_info(&**socket).ok()?;
    let fin = FIN_UNACKNOWLEDGED.contains(&info.state);
    let queued = if fin { queued.saturating_sub(1) } else { queued };
    let unsent = info.notsent.min(queued);
    Some(Cut { flight: queued - unsent, unsent })
}

/// The error of a send that failed on a connected socket. EPIPE there, on
/// a socket we have not shut down, means the connection was reset: the
/// peer's RST sets an error that the first call to look takes (the other
/// direction's, maybe), and the kernel reports a RST that follows the
/// peer's FIN as EPIPE "as BSD does". What a person must hear is that the
/// peer reset it.
pub(crate) fn send_error(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::BrokenPipe => io::ErrorKind::ConnectionReset.into(),
        _ => e,
    }
}
