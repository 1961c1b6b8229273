//! stdout's reader left (`| head`) while netplay was giving its input to a
//! peer: was the input all taken? `tcp connect` and `tcp serve` answer the
//! same way. Input still to be read, bytes the peer had not acknowledged,
//! or, with a peer on this machine, bytes acknowledged that its program had
//! not read, once the socket had a moment: each makes an upload cut. The
//! last close, the peer's bytes unread here, is a RST: it throws away what
//! this socket held, and a peer that meets the reset may stop reading what
//! its own socket held (OpenBSD nc does, on the poll(2) error; Linux keeps
//! it readable to a plain recv until then). The connection is aborted and
//! the run says how much was sent, exit 1 ([`InputCut`]).

use std::time::{Duration, Instant};

use socket2::Socket;

use crate::i18n::Arg;
use crate::msg;

/// How long the socket is given to send what it holds after stdout's
/// reader left, before the run ends.
pub(crate) const DRAIN: Duration = Duration::from_millis(500);

/// How often the acknowledgements are read while draining.
const POLL: Duration = Duration::from_millis(5);

/// Which end of the connection a socket is: TCP_INFO's `bytes_acked`
/// counts the SYN of the end that connected (its ACK moves `snd_una`), not
/// the accepting end's SYN-ACK (Linux creates the accepted socket with
/// `snd_una` already past it: 0 acknowledged before any data, measured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Connected,
    Accepted,
}

/// Of `handed` bytes given to the socket, those the peer has not
/// acknowledged: TCP_INFO's `bytes_acked` counts, besides the data, the
/// SYN of the end that connected ([`End`]) and, once acknowledged, the
/// FIN, one sequence number each. Read with getsockopt on the descriptor,
/// which answers in every state (sock_diag loses a socket that sent the
/// first FIN). None where the system does not say.
pub(crate) fn owed(socket: &Socket, end: End, handed: u64) -> Option<u64> {
    let info = crate::capture::tcp_info(socket).ok()?;
    let syn = u64::from(end == End::Connected);
    Some((handed + syn).saturating_sub(info.bytes_acked))
}

/// What the peer had not taken of the bytes handed to the socket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Owed {
    /// Not acknowledged ([`owed`]; 0 where the system does not say).
    pub(crate) unacked: u64,
    /// Acknowledged, and still in the peer's socket, unread by its program:
    /// known only for a peer on this machine (sock_diag finds its socket),
    /// 0 otherwise.
    pub(crate) unread: u64,
}

impl Owed {
    pub(crate) fn any(self) -> bool {
        self.unacked > 0 || self.unread > 0
    }
}

/// [`Owed`] now. `seen`: the peer's unread bytes as last read (see
/// [`untaken_after_drain`]), kept when its socket is no longer found.
pub(crate) fn untaken(socket: &Socket, end: End, handed: u64, seen: &mut Option<u64>) -> Owed {
    let unacked = owed(socket, end, handed).unwrap_or(0);
    let unread = match crate::capture::peer_unread(socket).ok().flatten() {
        Some(unread) => {
            *seen = Some(unread);
            unread
        }
        // A peer elsewhere (never found), or one whose socket is gone:
        // reset (by this end's shutdown as more bytes came, or its own
        // close) with what it held unread, which its program may never
        // read now.
        None => seen.unwrap_or(0),
    };
    Owed { unacked, unread }
}

/// [`untaken`] once the socket and the peer had up to [`DRAIN`]: on
/// loopback, or with a peer that reads, the rest leaves and is read within
/// milliseconds; a peer that reads nothing more keeps it all. `seen`: the
/// peer's unread bytes read before this end shut its socket down (a
/// shutdown for reading makes the next bytes that come a RST, after which
/// sock_diag no longer finds the peer's socket), or None.
pub(crate) fn untaken_after_drain(socket: &Socket, end: End, handed: u64, mut seen: Option<u64>) -> Owed {
    let deadline = Instant::now() + DRAIN;
    loop {
        let owed = untaken(socket, end, handed, &mut seen);
        if !owed.any() || Instant::now() >= deadline {
            return owed;
        }
        std::thread::sleep(POLL);
    }
}

/// [`untaken_after_drain`] for a task of the event loop, which must not
/// block.
pub(crate) async fn untaken_after_drain_async(socket: &Socket, end: End, handed: u64) -> Owed {
    let deadline = Instant::now() + DRAIN;
    let mut seen = None;
    loop {
        let owed = untaken(socket, end, handed, &mut seen);
        if !owed.any() || Instant::now() >= deadline {
            return owed;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// stdout's reader left (`| head`) before the peer had the whole input:
/// the upload is cut, which is not a success (exit 1). `sent`: the bytes of
/// the input handed to the socket by then; `pending`: more input was still
/// to be read or written; `owed`: of `sent`, what the peer had not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InputCut {
    pub(crate) sent: u64,
    pub(crate) pending: bool,
    pub(crate) owed: Owed,
}

impl InputCut {
    pub(crate) fn message(&self) -> crate::i18n::Msg {
        match self.pending {
            true => msg!("error-input-cut", sent = Arg::bytes(self.sent)),
            false if self.owed.unacked > 0 => msg!(
                "error-input-unacknowledged",
                sent = Arg::bytes(self.sent),
                owed = Arg::bytes(self.owed.unacked)
            ),
            false => msg!(
                "error-input-unread",
                sent = Arg::bytes(self.sent),
                unread = Arg::bytes(self.owed.unread)
            ),
        }
    }

    /// One line for a server whose several clients were cut at once: the
    /// furthest client's counts (each got the same input, or its turn of it).
    pub(crate) fn with(self, other: InputCut) -> InputCut {
        InputCut {
            sent: self.sent.max(other.sent),
            pending: self.pending || other.pending,
            owed: Owed {
                unacked: self.owed.unacked.max(other.owed.unacked),
                unread: self.owed.unread.max(other.owed.unread),
            },
        }
    }
}

impl std::fmt::Display for InputCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().render(crate::i18n::Lang::En))
    }
}

impl std::error::Error for InputCut {}
