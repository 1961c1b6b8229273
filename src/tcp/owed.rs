//! stdout's reader left (`| head`) while netplay was giving its input to a
//! peer: was the input all sent? `tcp connect` and `tcp serve` answer the
//! same way. Input still to be read, or bytes the peer had not
//! acknowledged once the socket had a moment to send them, make an upload
//! cut: the connection is aborted with a RST (the last close, the peer's
//! bytes unread, throws away what the socket held anyway) and the run
//! says how much was sent, exit 1 ([`InputCut`]).

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

/// [`owed`] once the socket had up to [`DRAIN`] to send it: on loopback,
/// or with a peer that reads, the rest leaves within milliseconds; a peer
/// that reads nothing more keeps it all. 0 where the system does not say
/// (nothing is claimed then).
pub(crate) fn owed_after_drain(socket: &Socket, end: End, handed: u64) -> u64 {
    let deadline = Instant::now() + DRAIN;
    loop {
        let owed = owed(socket, end, handed).unwrap_or(0);
        if owed == 0 || Instant::now() >= deadline {
            return owed;
        }
        std::thread::sleep(POLL);
    }
}

/// [`owed_after_drain`] for a task of the event loop, which must not block.
pub(crate) async fn owed_after_drain_async(socket: &Socket, end: End, handed: u64) -> u64 {
    let deadline = Instant::now() + DRAIN;
    loop {
        let owed = owed(socket, end, handed).unwrap_or(0);
        if owed == 0 || Instant::now() >= deadline {
            return owed;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// stdout's reader left (`| head`) before the peer had the whole input:
/// the upload is cut, which is not a success (exit 1). `sent`: the bytes of
/// the input handed to the socket by then; `pending`: more input was still
/// to be read or written; `owed`: of `sent`, what the peer had not
/// acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InputCut {
    pub(crate) sent: u64,
    pub(crate) pending: bool,
    pub(crate) owed: u64,
}

impl InputCut {
    pub(crate) fn message(&self) -> crate::i18n::Msg {
        match self.pending {
            true => msg!("error-input-cut", sent = Arg::bytes(self.sent)),
            false => {
                msg!("error-input-unacknowledged", sent = Arg::bytes(self.sent), owed = Arg::bytes(self.owed))
            }
        }
    }

    /// One line for a server whose several clients were cut at once: the
    /// furthest client's counts (each got the same input, or its turn of it).
    pub(crate) fn with(self, other: InputCut) -> InputCut {
        InputCut {
            sent: self.sent.max(other.sent),
            pending: self.pending || other.pending,
            owed: self.owed.max(other.owed),
        }
    }
}

impl std::fmt::Display for InputCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().render(crate::i18n::Lang::En))
    }
}

impl std::error::Error for InputCut {}
