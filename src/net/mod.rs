//! Everything about sockets that is not about output: address parsing and
//! resolution, access rules, port facts, process limits, and the socket2
//! builder that reports each step.

pub mod access;
pub mod addr;
pub mod limits;
pub mod ports;
pub mod socket;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::event::{Family, Proto, Role};
use crate::sys::in_use::Holder;

/// A network operation that failed, with what was attempted and where.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot resolve host '{host}': {}", describe(source))]
    Resolve {
        host: String,
        #[source]
        source: io::Error,
    },
    #[error("host '{host}' has no {} address", family_name(*family))]
    NoAddressInFamily { host: String, family: Family },
    #[error("{op} {addr}: {}", describe(source))]
    Socket {
        op: &'static str,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("connect to {host} port {port}: {}", attempts_text(attempts))]
    AllAttemptsFailed { host: String, port: u16, attempts: Vec<(SocketAddr, io::Error)> },
    #[error("{what} {addr}: nothing for {}", crate::units::format_duration(*after))]
    Idle { what: &'static str, addr: SocketAddr, after: Duration },
    /// Input that could not all be sent: the peer closed or reset first.
    #[error("send to {addr}: {} after {} of the input had been sent", describe(source), crate::units::format_bytes(*sent))]
    Unsent {
        addr: SocketAddr,
        sent: u64,
        #[source]
        source: io::Error,
    },
    /// bind() found the address taken; `holder` says by what, `reuse`
    /// whether this socket had SO_REUSEADDR.
    #[error("bind {addr}: address already in use")]
    InUse { proto: Proto, role: Role, addr: SocketAddr, holder: Holder, reuse: bool },
}

impl NetError {
    pub fn socket(op: &'static str, addr: SocketAddr, source: io::Error) -> NetError {
        NetError::Socket { op, addr, source }
    }

    /// The OS error behind this failure, when there is one.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            NetError::Resolve { .. } | NetError::NoAddressInFamily { .. } => None,
            NetError::Socket { source, .. } | NetError::Unsent { source, .. } => Some(source.kind()),
            NetError::AllAttemptsFailed { attempts, .. } => attempts.last().map(|(_, e)| e.kind()),
            NetError::Idle { .. } => Some(io::ErrorKind::TimedOut),
            NetError::InUse { .. } => Some(io::ErrorKind::AddrInUse),
        }
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::V4 => "IPv4 (-4)",
        Family::V6 => "IPv6 (-6)",
    }
}

fn attempts_text(attempts: &[(SocketAddr, io::Error)]) -> String {
    match attempts {
        [(_, e)] => describe(e),
        _ => {
            attempts.iter().map(|(addr, e)| format!("{addr} {}", describe(e))).collect::<Vec<_>>().join(", ")
        }
    }
}

/// An OS error in the words of the socket man pages, without Rust's
/// "(os error 111)" suffix.
pub fn describe(err: &io::Error) -> String {
    use io::ErrorKind::*;
    let text = match err.kind() {
        ConnectionRefused => "connection refused",
        ConnectionReset => "connection reset by peer",
        ConnectionAborted => "connection aborted",
        BrokenPipe => "broken pipe: the peer closed the connection",
        AddrInUse => "address already in use",
        AddrNotAvailable => "address not available on this machine",
        PermissionDenied => "permission denied",
        TimedOut | WouldBlock => "timed out",
        HostUnreachable => "host unreachable",
        NetworkUnreachable => "network unreachable",
        _ => {
            let full = err.to_string();
            let trimmed = match full.find(" (os error") {
                Some(i) => &full[..i],
                None => &full,
            };
            let mut chars = trimmed.chars();
            return match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => trimmed.to_string(),
            };
        }
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_without_os_error_suffix() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(describe(&refused), "connection refused");
        let raw = io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(describe(&raw), "no such file or directory");
    }

    #[test]
    fn socket_error_names_op_and_address() {
        let err = NetError::socket(
            "bind",
            "127.0.0.1:80".parse().unwrap(),
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert_eq!(err.to_string(), "bind 127.0.0.1:80: permission denied");
    }
}
