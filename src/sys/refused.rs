//! How a UDP socket learns that a datagram it sent met a closed port: the
//! peer's system answered with an ICMP port unreachable.
//!
//! - Linux and macOS: only a connected socket is told: its next send() or
//!   recv() fails with ECONNREFUSED ("connection refused"). A socket that
//!   is not connected is never told (checked on Linux: tests/udp.rs).
//! - Windows: every UDP socket is told, connected or not: its next recv()
//!   or recvfrom() fails with WSAECONNRESET (10054, "connection reset"),
//!   a reset though no connection exists. Under Wine, which runs on
//!   Linux's sockets, a connected socket gets WSAECONNREFUSED instead.

use std::io;

/// The error's name, as the system's documentation spells it.
#[cfg(not(windows))]
pub const NAME: &str = "ECONNREFUSED";
#[cfg(windows)]
pub const NAME: &str = "WSAECONNRESET";

/// The error a refused TCP connect() gets (for every system, the peer's
/// RST): ECONNREFUSED, WSAECONNREFUSED (10061) on Windows.
#[cfg(not(windows))]
pub const TCP_NAME: &str = "ECONNREFUSED";
#[cfg(windows)]
pub const TCP_NAME: &str = "WSAECONNREFUSED";

/// Whether a socket that is not connected is told too.
pub const UNCONNECTED_TOLD: bool = cfg!(windows);

/// When exit code 4 applies to UDP, in the exit-code table.
#[cfg(not(windows))]
pub const EXIT_CODE_NOTE: &str = "--connect only";
#[cfg(windows)]
pub const EXIT_CODE_NOTE: &str = "Windows reports it with or without --connect";

/// Whether `err`, on a UDP socket, means an ICMP port unreachable came back.
pub fn is_refusal(err: &io::Error) -> bool {
    is_refusal_kind(err.kind())
}

/// [`is_refusal`] for an error's kind.
pub fn is_refusal_kind(kind: io::ErrorKind) -> bool {
    kind == io::ErrorKind::ConnectionRefused || (cfg!(windows) && kind == io::ErrorKind::ConnectionReset)
}

/// The note under a connected UDP socket.
#[cfg(not(windows))]
pub const CONNECTED_NOTE: &str = "connect() sent nothing: it fixed the peer, so the kernel drops datagrams from any other address, and an ICMP port unreachable from the peer shows as 'connection refused'";
#[cfg(windows)]
pub const CONNECTED_NOTE: &str = "connect() sent nothing: it fixed the peer, so the system drops datagrams from any other address, and an ICMP port unreachable from the peer shows as 'connection reset' (WSAECONNRESET) on a later recv()";

/// The note under a socket that is not connected.
#[cfg(not(windows))]
pub const UNCONNECTED_NOTE: &str =
    "each sendto() names its destination; nothing tells the sender whether anyone receives a datagram";
#[cfg(windows)]
pub const UNCONNECTED_NOTE: &str = "each sendto() names its destination; nothing tells the sender that a datagram arrived, though Windows reports an ICMP port unreachable as 'connection reset' (WSAECONNRESET) on a later recvfrom()";

/// What connect() on a UDP socket changes, for `--explain`.
#[cfg(not(windows))]
pub const CONNECT_EXPLAINED: &str = "On a UDP socket connect() sends nothing and waits for nothing: it records the peer, so send() needs no address, the kernel drops datagrams from any other address, and an ICMP port unreachable from the peer comes back as ECONNREFUSED on a later send() or recv().";
#[cfg(windows)]
pub const CONNECT_EXPLAINED: &str = "On a UDP socket connect() sends nothing and waits for nothing: it records the peer, so send() needs no address and the system drops datagrams from any other address. An ICMP port unreachable from the peer comes back as WSAECONNRESET on a later recv(); on Windows a socket that is not connected is told too.";

/// What a connected send() risks, for `--explain`.
#[cfg(not(windows))]
pub const SEND_EXPLAINED: &str = "send() on a connected UDP socket sends one datagram to the connected peer; it fails with ECONNREFUSED when an earlier one brought back an ICMP port unreachable.";
#[cfg(windows)]
pub const SEND_EXPLAINED: &str = "send() on a connected UDP socket sends one datagram to the connected peer; when an earlier one brought back an ICMP port unreachable, the next recv() fails with WSAECONNRESET.";

/// The hint after a refused UDP exchange.
pub fn hint(port: u16) -> String {
    if UNCONNECTED_TOLD {
        format!(
            "an ICMP port unreachable came back (Windows reports it as {NAME}, even without --connect): no socket is bound to UDP port {port} there; is the server running, on this port?"
        )
    } else {
        format!(
            "an ICMP port unreachable came back: no socket is bound to UDP port {port} there; is the server running, on this port?"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_named_per_system() {
        assert!(is_refusal(&io::Error::from(io::ErrorKind::ConnectionRefused)));
        assert_eq!(is_refusal(&io::Error::from(io::ErrorKind::ConnectionReset)), cfg!(windows));
        assert!(!is_refusal(&io::Error::from(io::ErrorKind::TimedOut)));
        assert!(hint(9).contains("port 9"));
    }
}
