//! Exit codes, in one table, and the one line a failure prints: what failed,
//! where, and what to try.

use std::io;

use crate::event::{Proto, Role};
use crate::net::NetError;
use crate::report::OutputError;
use crate::sys::in_use::{Holder, Program, TIME_WAIT_LEN};

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

/// The table, in the words true on this system.
pub fn table() -> String {
    format!(
        "\
Exit codes:
  0  success (also when output is closed early, as by `| head`)
  1  other failure (e.g. a file that cannot be read)
  2  bad command line: unknown flag, bad value, a datagram too big for UDP
  3  host name not resolved (or no address in the family asked for)
  4  connection refused: nothing listens at that address and port (UDP: {})
  5  timed out (--timeout)
  6  address already in use
  7  permission denied ({})
  8  connection reset or aborted by the peer",
        crate::sys::refused::EXIT_CODE_NOTE,
        crate::sys::privileged::EXIT_CODE_NOTE
    )
}

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

/// Who holds the port, as far as the system lets us see, and what to do.
fn in_use_hint(proto: Proto, role: Role, port: u16, holder: &Holder, reuse: bool) -> String {
    let other = match role {
        Role::Server => "choose another --port (0 lets the OS choose)",
        Role::Client => "choose another --source-port, or none (the OS then picks a free one)",
    };
    let program = |program: &Option<Program>| match program {
        Some(Program { pid, command }) => format!("`{command}` (pid {pid})"),
        None => {
            "another program (which one, this user may not see: as root, `ss -lntup` names it)".to_string()
        }
    };
    match (proto, holder) {
        (Proto::Tcp, Holder::Socket { program: p }) => {
            format!("{} listens on TCP port {port}: stop it, or {other}", program(p))
        }
        (Proto::Udp, Holder::Socket { program: p }) => format!(
            "{} has a socket bound to UDP port {port} (UDP has no TIME_WAIT: the port is free as soon as that socket closes): stop it, or {other}",
            program(p)
        ),
        (_, Holder::Connections { time_wait: 0, open, .. }) => format!(
            "{open} open {} use{} port {port} (a client's port, or connections of an earlier server still open): close them, or {other}",
            if *open == 1 { "connection" } else { "connections" },
            if *open == 1 { "s" } else { "" }
        ),
        (_, Holder::Connections { time_wait, left, .. }) => {
            let how_long = match (TIME_WAIT_LEN, left) {
                (Some(len), Some(left)) => format!(
                    " (TIME_WAIT lasts {}s on this system; {} within {}s)",
                    len.as_secs(),
                    if *time_wait == 1 { "it ends" } else { "the last of them ends" },
                    left.as_secs() + 1
                ),
                _ => String::new(),
            };
            let (one, many) = match role {
                Role::Server => {
                    ("connection an earlier server closed waits", "connections an earlier server closed wait")
                }
                Role::Client => {
                    ("earlier connection from this port waits", "earlier connections from this port wait")
                }
            };
            let what = match time_wait {
                1 => format!("1 {one} in TIME_WAIT{how_long}"),
                n => format!("{n} {many} in TIME_WAIT{how_long}"),
            };
            match (role, reuse) {
                (Role::Server, false) => format!(
                    "{what}, and this socket did not set SO_REUSEADDR (--no-reuse-addr): drop --no-reuse-addr (then bind() may take the port beside them, if that server had set it too), wait, or {other}"
                ),
                (_, true) => format!(
                    "{what}, left by a socket that had not set SO_REUSEADDR (TIME_WAIT keeps that setting), so this one must wait although it sets it: wait, or {other}"
                ),
                (Role::Client, false) => format!("{what}: wait, or {other}"),
            }
        }
        (Proto::Tcp, Holder::Unknown) => format!(
            "another socket holds TCP port {port}, or connections of an earlier server wait in TIME_WAIT: stop it, wait, or {other}"
        ),
        (Proto::Udp, Holder::Unknown) => {
            format!("another socket is bound to UDP port {port} (UDP has no TIME_WAIT): stop it, or {other}")
        }
    }
}

/// When the port is open on this machine in the other protocol: TCP and
/// UDP ports are separate, a thing the course's learners often meet.
fn other_protocol(other: Proto, addr: std::net::SocketAddr) -> String {
    let ip = addr.ip();
    if !ip.is_loopback() && !crate::sys::local_addrs::list().addresses.contains(&ip) {
        return String::new();
    }
    let (kind, mine, what) = match other {
        Proto::Udp => ("a UDP socket is bound", "TCP", "udp send reaches it"),
        Proto::Tcp => ("a TCP server listens", "UDP", "tcp connect reaches it"),
    };
    match crate::sys::in_use::holder(other, addr) {
        crate::sys::in_use::Holder::Socket { program } => {
            let by = program.map(|p| format!(" (`{}`, pid {})", p.command, p.pid)).unwrap_or_default();
            format!(
                " Note: {kind} to port {}{by}, but TCP and UDP ports are separate: {mine} port {} is another port; {what}",
                addr.port(),
                addr.port()
            )
        }
        _ => String::new(),
    }
}

/// What a person can try, given what failed and where.
fn hint(err: &NetError) -> Option<String> {
    use io::ErrorKind::*;
    let port = match err {
        NetError::AllAttemptsFailed { port, .. } => *port,
        NetError::Socket { addr, .. }
        | NetError::Idle { addr, .. }
        | NetError::Unsent { addr, .. }
        | NetError::InUse { addr, .. } => addr.port(),
        NetError::Resolve { .. } | NetError::NoAddressInFamily { .. } => 0,
    };
    Some(match err {
        NetError::Resolve { .. } => "check the spelling, or give an IP address such as 127.0.0.1".to_string(),
        NetError::NoAddressInFamily { .. } => {
            "drop -4/-6, or give an address of the other family".to_string()
        }
        NetError::Idle { .. } => "raise --timeout, or check that the peer sends anything".to_string(),
        NetError::InUse { proto, role, holder, reuse, .. } => {
            in_use_hint(*proto, *role, port, holder, *reuse)
        }
        NetError::Socket { op: "bind", .. } => match err.io_kind()? {
            PermissionDenied => match err {
                NetError::Socket { addr, .. } => crate::sys::privileged::denied_hint(addr.ip(), port)?,
                _ => return None,
            },
            AddrNotAvailable => {
                "that address is not one of this machine's; try 127.0.0.1, 0.0.0.0 or ::".to_string()
            }
            _ => return None,
        },
        NetError::Socket { addr, .. } if udp_refused(err) => {
            format!("{}{}", crate::sys::refused::hint(port), other_protocol(Proto::Tcp, *addr))
        }
        _ => match err.io_kind()? {
            ConnectionRefused => {
                let tried = match err {
                    NetError::AllAttemptsFailed { attempts, .. } => attempts.last().map(|(addr, _)| *addr),
                    NetError::Socket { addr, .. } => Some(*addr),
                    _ => None,
                };
                format!(
                    "nothing listens on TCP port {port} there: is the server running, on this port?{}",
                    tried.map(|addr| other_protocol(Proto::Udp, addr)).unwrap_or_default()
                )
            }
            TimedOut => "no answer within --timeout: check the address, or raise --timeout".to_string(),
            ConnectionReset | ConnectionAborted => {
                "the peer reset the connection (RST): a peer resets when it \
                closes while bytes it has not read are waiting (a server that accepts and closes without \
                recv(), as the course's first server does), or when its program dies; make the peer read \
                everything it is sent before it closes, then try again"
                    .to_string()
            }
            _ => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_use(proto: Proto, role: Role, holder: Holder, reuse: bool) -> (Code, String) {
        let err = anyhow::Error::from(NetError::InUse {
            proto,
            role,
            addr: "127.0.0.1:12345".parse().unwrap(),
            holder,
            reuse,
        });
        let (code, line) = outcome(&err);
        (code, line.unwrap())
    }

    #[test]
    fn address_in_use_says_what_holds_it() {
        let program = Some(Program { pid: 42, command: "python3 server.py".into() });
        let (code, line) = in_use(Proto::Tcp, Role::Server, Holder::Socket { program }, true);
        assert_eq!(code, Code::AddrInUse);
        assert_eq!(
            line,
            "netplay: bind 127.0.0.1:12345: address already in use; `python3 server.py` (pid 42) listens on TCP port 12345: stop it, or choose another --port (0 lets the OS choose)"
        );
        let waiting = Holder::Connections {
            time_wait: 3,
            left: Some(std::time::Duration::from_millis(41_500)),
            open: 0,
        };
        let (_, line) = in_use(Proto::Tcp, Role::Server, waiting, false);
        assert!(line.contains("3 connections an earlier server closed wait in TIME_WAIT"), "{line}");
        assert!(line.contains("drop --no-reuse-addr"), "{line}");
        if cfg!(target_os = "linux") {
            assert!(
                line.contains("(TIME_WAIT lasts 60s on this system; the last of them ends within 42s)"),
                "{line}"
            );
        }
        let open = Holder::Connections { time_wait: 0, left: None, open: 1 };
        let (_, line) = in_use(Proto::Tcp, Role::Client, open, true);
        assert!(line.contains("1 open connection uses port 12345"), "{line}");
        assert!(line.contains("choose another --source-port"), "{line}");
        // Where the system tells nothing, one plain sentence per protocol.
        let (_, line) = in_use(Proto::Udp, Role::Server, Holder::Unknown, false);
        assert!(line.ends_with("another socket is bound to UDP port 12345 (UDP has no TIME_WAIT): stop it, or choose another --port (0 lets the OS choose)"), "{line}");
        let (_, line) = in_use(Proto::Tcp, Role::Server, Holder::Unknown, true);
        assert!(line.contains("or connections of an earlier server wait in TIME_WAIT"), "{line}");
    }
}
