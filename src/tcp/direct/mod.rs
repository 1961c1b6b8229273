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
//!
//! One job a file: [`sender`] moves what a client sends into the socket,
//! [`receiver`] what the socket receives to stdout, [`mod@serve`] joins both
//! for one client of `tcp serve`, and [`tally`] counts how each direction's
//! bytes went, for the note that says so. Here: whether the path is taken,
//! opening its ends, and why a direction stopped.

use std::fs::File;
use std::io::{self, IsTerminal};
use std::net::TcpStream;

use anyhow::{Context, Result};

use crate::config::tcp::{BytePath, Clients, ServeConfig, StdinMode};
use crate::i18n::Msg;
use crate::input::Input;
use crate::msg;
use crate::sys::ready;
use crate::sys::zerocopy::{self, Kind};

mod receiver;
mod sender;
mod serve;
mod tally;

pub(crate) use receiver::{End, Receiver};
pub(crate) use sender::send;
pub(crate) use serve::{Counts, Ended, Kick, Limits, Served, serve};
pub(crate) use tally::Tally;

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

/// Whether `tcp serve` takes the direct path ([`serve()`]): `--once` with
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
    pub(crate) file: File,
    /// How notes name it: `stdin`, `--file PATH`.
    pub(crate) name: String,
    /// What failed when it cannot be read.
    pub(crate) reading: Msg,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_the_io_error_behind_it() {
        let kind = |failure: Failure| failure.into_io().kind();
        let e = || io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(kind(Failure::Input(e())), io::ErrorKind::PermissionDenied);
        assert_eq!(kind(Failure::Socket(e())), io::ErrorKind::PermissionDenied);
        assert_eq!(kind(Failure::Output(e())), io::ErrorKind::PermissionDenied);
        assert_eq!(kind(Failure::Stalled { waiting: 1 }), io::ErrorKind::TimedOut);
        assert_eq!(kind(Failure::Shrunk { size: 2, sent: 1 }), io::ErrorKind::UnexpectedEof);
        assert_eq!(kind(Failure::Stopped), io::ErrorKind::Interrupted);
    }
}
