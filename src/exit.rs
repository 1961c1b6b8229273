//! Exit codes, in one table, and the one line a failure prints: what failed,
//! where, and what to try.

use std::io;

use crate::net::NetError;
use crate::report::OutputError;

/// The documented exit codes (README, `netplay --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    /// Anything not listed below (a file that cannot be read, ...).
    Failure = 1,
    /// A bad flag or value (a datagram too big for UDP too); clap uses 2
    /// for its own usage errors too.
    Usage = 2,
    /// A host name did not resolve, or not in the family asked for.
    Resolve = 3,
    /// Connection refused: nothing listens there (for UDP, an ICMP port
    /// unreachable on a connected socket).
    Refused = 4,
    /// Connecting or waiting for data took longer than --timeout.
    Timeout = 5,
    /// Address already in use.
    AddrInUse = 6,
    /// Permission denied (a privileged port, most often).
    Permission = 7,
    /// The peer reset or aborted the connection.
    Reset = 8,
}

pub const TABLE: &str = "\
Exit codes:
  0  success (also when output is closed early, as by `| head`)
  1  other failure (e.g. a file that cannot be read)
  2  bad command line: unknown flag, bad value, a datagram too big for UDP
  3  host name not resolved (or no address in the family asked for)
  4  connection refused: nothing listens at that address and port (UDP: --connect only)
  5  timed out (--timeout)
  6  address already in use
  7  permission denied (ports below 1024 need privileges)
  8  connection reset or aborted by the peer";

/// A bad value met after clap's parsing (a port, a host:port, a hex string).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// How a failed run ends: the code, and the line to print (None when it
/// ends quietly, as when stdout is a closed pipe).
pub fn outcome(err: &anyhow::Error) -> (Code, Option<String>) {
    if let Some(OutputError(e)) = err.downcast_ref::<OutputError>()
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        return (Code::Ok, None);
    }
    if err.downcast_ref::<UsageError>().is_some() {
        return (Code::Usage, Some(format!("netplay: {err}")));
    }
    let Some(net) = err.downcast_ref::<NetError>() else {
        return (Code::Failure, Some(format!("netplay: {}", chain_text(err))));
    };
    let code = match net {
        NetError::Resolve { .. } | NetError::NoAddressInFamily { .. } => Code::Resolve,
        _ if udp_refused(net) => Code::Refused,
        _ => match net.io_kind() {
            Some(io::ErrorKind::ConnectionRefused) => Code::Refused,
            Some(io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Code::Timeout,
            Some(io::ErrorKind::AddrInUse) => Code::AddrInUse,
            Some(io::ErrorKind::PermissionDenied) => Code::Permission,
            Some(
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe,
            ) => Code::Reset,
            _ => Code::Failure,
        },
    };
    let line = match hint(net) {
        Some(hint) => format!("netplay: {err}; {hint}"),
        None => format!("netplay: {err}"),
    };
    (code, Some(line))
}

/// A UDP client's send or receive failed because an ICMP port unreachable
/// came back (how each system says so: [`crate::sys::refused`]).
fn udp_refused(err: &NetError) -> bool {
    match err {
        NetError::Socket { op, source, .. } => {
            let udp =
                op.contains("UDP") || op.starts_with("sendto") || op.starts_with("recvfrom on the socket");
            udp && crate::sys::refused::is_refusal(source)
        }
        _ => false,
    }
}

/// An error and its causes on one line, OS errors in plain words.
fn chain_text(err: &anyhow::Error) -> String {
    err.chain()
        .map(|cause| match cause.downcast_ref::<io::Error>() {
            Some(io) => crate::net::describe(io),
            None => cause.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// What a person can try, given what failed and where.
fn hint(err: &NetError) -> Option<String> {
    use io::ErrorKind::*;
    let port = match err {
        NetError::AllAttemptsFailed { port, .. } => *port,
        NetError::Socket { addr, .. } | NetError::Idle { addr, .. } | NetError::Unsent { addr, .. } => {
            addr.port()
        }
        NetError::Resolve { .. } | NetError::NoAddressInFamily { .. } => 0,
    };
    Some(match err {
        NetError::Resolve { .. } => "check the spelling, or give an IP address such as 127.0.0.1".to_string(),
        NetError::NoAddressInFamily { .. } => {
            "drop -4/-6, or give an address of the other family".to_string()
        }
        NetError::Idle { .. } => "raise --timeout, or check that the peer sends anything".to_string(),
        NetError::Socket { op: "bind", .. } => match err.io_kind()? {
            AddrInUse => format!(
                "another socket holds port {port}: stop it, choose another --port (0 lets the OS choose), or add --reuse-addr if it is an earlier server's TIME_WAIT"
            ),
            PermissionDenied => match err {
                NetError::Socket { addr, .. } => crate::sys::privileged::denied_hint(addr.ip(), port)?,
                _ => return None,
            },
            AddrNotAvailable => {
                "that address is not one of this machine's; try 127.0.0.1, 0.0.0.0 or ::".to_string()
            }
            _ => return None,
        },
        NetError::Socket { .. } if udp_refused(err) => crate::sys::refused::hint(port),
        _ => match err.io_kind()? {
            ConnectionRefused => {
                format!("nothing listens on port {port} there: is the server running, on this port?")
            }
            TimedOut => "no answer within --timeout: check the address, or raise --timeout".to_string(),
            ConnectionReset | ConnectionAborted => {
                "the peer closed the connection abruptly (RST)".to_string()
            }
            _ => return None,
        },
    })
}
