//! How a UDP socket learns that a datagram it sent met a closed port: the
//! peer's system answered with an ICMP port unreachable.
//!
//! - Linux and macOS: only a connected socket is told: its next send() or
//!   recv() fails with ECONNREFUSED ("connection refused"). A socket that
//!   is not connected is never told (checked on Linux: tests/suite/udp.rs).
//! - Windows: every UDP socket is told, connected or not: its next recv()
//!   or recvfrom() fails with WSAECONNRESET (10054, "connection reset"),
//!   a reset though no connection exists. Under Wine, which runs on
//!   Linux's sockets, a connected socket gets WSAECONNREFUSED instead.

use std::io;

use crate::i18n::Msg;
use crate::model::front::Front;

/// The error's name, as the system's documentation spells it.
#[cfg(not(windows))]
pub(crate) const NAME: &str = "ECONNREFUSED";
#[cfg(windows)]
pub(crate) const NAME: &str = "WSAECONNRESET";

/// The error a refused TCP connect() gets (for every system, the peer's
/// RST): ECONNREFUSED, WSAECONNREFUSED (10061) on Windows.
#[cfg(not(windows))]
pub(crate) const TCP_NAME: &str = "ECONNREFUSED";
#[cfg(windows)]
pub(crate) const TCP_NAME: &str = "WSAECONNREFUSED";

/// Whether a socket that is not connected is told too.
pub(crate) const UNCONNECTED_TOLD: bool = cfg!(windows);

/// When exit code 4 applies to UDP, for the exit-code table: with
/// --connect only; Windows reports it with or without --connect. From the
/// catalogues, in the reader's language.
pub(crate) fn exit_code_note() -> crate::i18n::Msg {
    if cfg!(windows) { crate::msg!("exit-note-refused-windows") } else { crate::msg!("exit-note-refused") }
}

/// Whether `err`, on a UDP socket, means an ICMP port unreachable came back.
pub(crate) fn is_refusal(err: &io::Error) -> bool {
    is_refusal_kind(err.kind())
}

/// [`is_refusal`] for an error's kind.
pub(crate) fn is_refusal_kind(kind: io::ErrorKind) -> bool {
    kind == io::ErrorKind::ConnectionRefused || (cfg!(windows) && kind == io::ErrorKind::ConnectionReset)
}

/// The note under a connected UDP socket.
pub(crate) fn connected_note() -> Msg {
    if cfg!(windows) { crate::msg!("udp-connected-what-windows") } else { crate::msg!("udp-connected-what") }
}

/// The note under a socket that is not connected.
pub(crate) fn unconnected_note() -> Msg {
    if cfg!(windows) {
        crate::msg!("udp-unconnected-what-windows")
    } else {
        crate::msg!("udp-unconnected-what")
    }
}

/// What connect() on a UDP socket changes, for `--explain`.
pub(crate) fn connect_explained() -> Msg {
    if cfg!(windows) {
        crate::msg!("explain-connect-udp-windows")
    } else {
        crate::msg!("explain-connect-udp")
    }
}

/// What a connected send() risks, for `--explain`.
pub(crate) fn send_explained() -> Msg {
    if cfg!(windows) {
        crate::msg!("explain-udp-send-connected-windows")
    } else {
        crate::msg!("explain-udp-send-connected")
    }
}

/// The hint after a refused UDP exchange. Windows tells it to a socket
/// that is not connected too, which netplay's --connect would change; nc's
/// -u always connects, so under `netplay nc` (`front`) there is no flag to
/// name.
pub(crate) fn hint(addr: std::net::SocketAddr, front: Front) -> Msg {
    if UNCONNECTED_TOLD && front != Front::Native {
        crate::msg!("hint-udp-refused-windows-nc", port = addr.port(), ip = addr.ip())
    } else if UNCONNECTED_TOLD {
        crate::msg!("hint-udp-refused-windows", port = addr.port(), ip = addr.ip())
    } else {
        crate::msg!("hint-udp-refused", port = addr.port(), ip = addr.ip())
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
        let addr = "127.0.0.1:9".parse().unwrap();
        let native = hint(addr, Front::Native).render(crate::i18n::Lang::En);
        assert!(native.contains("port 9"), "{native}");
        // Windows's names --connect, which nc -u does not have (it connects).
        assert_eq!(native.contains("--connect"), cfg!(windows), "{native}");
        let nc = hint(addr, Front::Nc { udp: true }).render(crate::i18n::Lang::En);
        assert!(nc.contains("port 9") && !nc.contains("--"), "{nc}");
    }
}
