//! Everything about sockets that is not about output: address parsing and
//! resolution, access rules, port facts, process limits, and the socket2
//! builder that reports each step.

pub(crate) mod access;
pub(crate) mod addr;
pub(crate) mod limits;
pub(crate) mod ports;
pub(crate) mod socket;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::event::{Family, Proto, Role};
pub(crate) use crate::i18n::describe_msg;
use crate::i18n::{Arg, Msg};
pub(crate) use crate::model::Code;
pub(crate) use crate::model::Op;
use crate::model::front::Front;
use crate::msg;
use crate::sys::in_use::Holder;

/// A network operation that failed, with what was attempted and where.
#[derive(Debug)]
pub(crate) enum NetError {
    Resolve {
        host: String,
        source: io::Error,
    },
    NoAddressInFamily {
        host: String,
        family: Family,
    },
    /// A host that cannot be one (`256.0.0.1`, `fe80::1%nosuchif`), refused
    /// before any name lookup: a usage error.
    BadHost {
        why: Msg,
    },
    /// A client bound to an address of one family, and a host with none
    /// of that family to connect or send to.
    BindFamily {
        host: String,
        bind: SocketAddr,
    },
    Socket {
        op: Op,
        addr: SocketAddr,
        source: io::Error,
    },
    AllAttemptsFailed {
        host: String,
        port: u16,
        attempts: Vec<(SocketAddr, io::Error)>,
    },
    Idle {
        what: Op,
        addr: SocketAddr,
        after: Duration,
        /// The option that set this limit, for the hint (`--timeout` on tcp
        /// connect, `--idle-timeout` on tcp serve, nc's `-w`).
        flag: &'static str,
    },
    /// Input that could not all be sent: the peer closed or reset first.
    Unsent {
        addr: SocketAddr,
        sent: u64,
        source: io::Error,
    },
    /// bind() found the address taken; `holder` says by what, `reuse`
    /// whether this socket had SO_REUSEADDR.
    InUse {
        proto: Proto,
        role: Role,
        addr: SocketAddr,
        holder: Holder,
        reuse: bool,
    },
}

impl NetError {
    pub(crate) fn socket(op: Op, addr: SocketAddr, source: io::Error) -> NetError {
        NetError::Socket { op, addr, source }
    }

    /// The OS error behind this failure, when there is one.
    pub(crate) fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            NetError::Resolve { .. }
            | NetError::NoAddressInFamily { .. }
            | NetError::BadHost { .. }
            | NetError::BindFamily { .. } => None,
            NetError::Socket { source, .. } | NetError::Unsent { source, .. } => Some(source.kind()),
            NetError::AllAttemptsFailed { attempts, .. } => attempts.last().map(|(_, e)| e.kind()),
            NetError::Idle { .. } => Some(io::ErrorKind::TimedOut),
            NetError::InUse { .. } => Some(io::ErrorKind::AddrInUse),
        }
    }

    /// The exit code this failure means (README's "Exit codes").
    pub(crate) fn code(&self) -> Code {
        match self {
            NetError::BadHost { .. } => Code::Usage,
            NetError::Resolve { .. } | NetError::NoAddressInFamily { .. } | NetError::BindFamily { .. } => {
                Code::Resolve
            }
            _ if self.udp_refused() => Code::Refused,
            _ => match self.io_kind() {
                Some(io::ErrorKind::ConnectionRefused) => Code::Refused,
                Some(io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Code::Timeout,
                Some(io::ErrorKind::AddrInUse) => Code::AddrInUse,
                Some(io::ErrorKind::PermissionDenied) => Code::Permission,
                Some(
                    io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe,
                ) => Code::Reset,
                _ => Code::Failure,
            },
        }
    }

    /// A UDP client's send or receive failed because an ICMP port
    /// unreachable came back (how each system says so: [`crate::sys::refused`]).
    pub(crate) fn udp_refused(&self) -> bool {
        match self {
            NetError::Socket { op, source, .. } => {
                op.is_udp_client() && crate::sys::refused::is_refusal(source)
            }
            _ => false,
        }
    }

    /// What failed and where, in the catalogues' words.
    pub(crate) fn message(&self) -> Msg {
        self.message_for(Front::Native)
    }

    /// [`NetError::message`], naming the options of the command line the
    /// person typed (`front`): nc's -s where netplay's is --bind.
    pub(crate) fn message_for(&self, front: Front) -> Msg {
        match self {
            NetError::Resolve { host, source } => {
                msg!("net-resolve", host = host, error = describe_msg(source))
            }
            NetError::NoAddressInFamily { host, family } => msg!(
                "net-no-address-in-family",
                host = host,
                family = match family {
                    Family::V4 => "IPv4 (-4)",
                    Family::V6 => "IPv6 (-6)",
                }
            ),
            NetError::BadHost { why } => why.clone(),
            NetError::BindFamily { host, bind } => {
                let family = Family::of(bind).name();
                match front {
                    Front::Native => msg!("net-bind-family", host = host, bind = bind.ip(), family = family),
                    Front::Nc { .. } => {
                        msg!("net-bind-family-nc", host = host, bind = bind.ip(), family = family)
                    }
                }
            }
            NetError::Socket { op, addr, source } => {
                msg!("net-socket", op = op_msg(*op), addr = addr, error = describe_msg(source))
            }
            NetError::AllAttemptsFailed { host, port, attempts } => {
                msg!("net-all-attempts", host = host, port = *port, errors = attempts_msg(attempts))
            }
            NetError::Idle { what, addr, after, .. } => {
                msg!("net-idle", op = op_msg(*what), addr = addr, after = Arg::duration(*after))
            }
            NetError::Unsent { addr, sent, source } => {
                msg!("net-unsent", addr = addr, error = describe_msg(source), sent = Arg::bytes(*sent))
            }
            NetError::InUse { addr, .. } => msg!("net-in-use", addr = addr),
        }
    }
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for NetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NetError::Resolve { source, .. }
            | NetError::Socket { source, .. }
            | NetError::Unsent { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What was attempted (`connect to`, `recv from`): the call's name stays as
/// it is; the words around it are the catalogue's.
/// What was attempted, in the catalogues' words.
pub(crate) fn op_msg(op: Op) -> Msg {
    match op {
        Op::Socket => msg!("op-socket"),
        Op::Bind => msg!("op-bind"),
        Op::Listen => msg!("op-listen"),
        Op::Accept => msg!("op-accept"),
        Op::GetSockName => msg!("op-getsockname"),
        Op::GetPeerName => msg!("op-getpeername"),
        Op::SetNonBlocking => msg!("op-set-nonblocking"),
        Op::CloneSocket => msg!("op-clone-socket"),
        Op::Dup => msg!("op-dup"),
        Op::Register => msg!("op-register"),
        Op::SetTimeout => msg!("op-set-timeout"),
        Op::Shutdown => msg!("op-shutdown"),
        Op::Close => msg!("op-close"),
        Op::Recv => msg!("op-recv"),
        Op::Send => msg!("op-send"),
        Op::RecvFrom => msg!("op-recvfrom"),
        Op::SendTo => msg!("op-sendto"),
        Op::RecvMsg => msg!("op-recvmsg"),
        Op::RecvConnectedUdp => msg!("op-recv-connected-udp"),
        Op::SendConnectedUdp => msg!("op-send-connected-udp"),
        Op::RecvFromSending => msg!("op-recvfrom-sending"),
        Op::ReadCount => msg!("op-read-count"),
        Op::SetOption(option) => msg!("op-set-option", option = option.name()),
        Op::ReadOption(option) => msg!("op-read-option", option = option.name()),
        Op::WaitData => msg!("op-waiting-data"),
        Op::WaitDatagrams => msg!("op-waiting-datagrams"),
        Op::WaitDatagramsFrom => msg!("op-waiting-datagrams-from"),
        Op::ConnectUdp => msg!("op-connect-udp"),
    }
}

fn attempts_msg(attempts: &[(SocketAddr, io::Error)]) -> Arg {
    match attempts {
        [(_, e)] => describe_msg(e).into(),
        _ => {
            let lang = crate::i18n::current();
            attempts
                .iter()
                .map(|(addr, e)| format!("{addr} {}", describe_msg(e).render(lang)))
                .collect::<Vec<_>>()
                .join(", ")
                .into()
        }
    }
}

/// An OS error in the words of the socket man pages, without Rust's
/// "(os error 111)" suffix, in the language of the run.
pub(crate) fn describe(err: &io::Error) -> String {
    describe_msg(err).to_string()
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
            Op::Bind,
            "127.0.0.1:80".parse().unwrap(),
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert_eq!(err.to_string(), "bind 127.0.0.1:80: permission denied");
    }
}
