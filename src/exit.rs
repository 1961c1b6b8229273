//! Exit codes, in one table, and the one line a failure prints: what failed,
//! where, and what to try.

use std::io;
use std::net::SocketAddr;

use crate::event::{Proto, Role};
use crate::i18n::{Arg, Lang, Msg};
use crate::model::Op;
use crate::model::front::{Front, nc_connect, nc_listen, nc_listen_address};
use crate::msg;
use crate::net::NetError;
use crate::sink::OutputError;
use crate::sys::in_use::{Holder, Program, TIME_WAIT_LEN};

pub(crate) use crate::model::Code;

/// The table in `lang`, in the words true on this system (`--help`).
pub(crate) fn table_in(lang: Lang) -> String {
    msg!(
        "exit-table",
        refused = crate::sys::refused::exit_code_note(),
        privileged = crate::sys::privileged::exit_code_note()
    )
    .render(lang)
}

/// The table, in the words true on this system, in English (the man page).
pub(crate) fn table() -> String {
    table_in(Lang::En)
}

pub(crate) use crate::config::UsageError;

pub(crate) use crate::nc::NcExit;

/// The process's exit status for a failed run, and the line to print:
/// [`outcome`]'s, or for `netplay nc` nc's status ([`NcExit`]).
pub fn status(err: &anyhow::Error) -> (u8, Option<String>) {
    match err.downcast_ref::<NcExit>() {
        Some(nc) => {
            let line =
                nc.cause.as_ref().and_then(|cause| outcome_from(crate::i18n::current(), nc.front, cause).1);
            (nc.code, line)
        }
        None => {
            let (code, line) = outcome(err);
            (code as u8, line)
        }
    }
}

/// How a failed run ends: the code, and the line to print (None when it
/// ends quietly, as when stdout is a closed pipe), in the run's language.
pub fn outcome(err: &anyhow::Error) -> (Code, Option<String>) {
    outcome_in(crate::i18n::current(), err)
}

/// [`outcome`] in `lang`.
pub(crate) fn outcome_in(lang: Lang, err: &anyhow::Error) -> (Code, Option<String>) {
    outcome_from(lang, Front::Native, err)
}

/// [`outcome`] in `lang`, its hint in the words of the command line the
/// person typed (`front`).
fn outcome_from(lang: Lang, front: Front, err: &anyhow::Error) -> (Code, Option<String>) {
    if let Some(OutputError(e)) = err.downcast_ref::<OutputError>()
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        return (Code::Ok, None);
    }
    let line = |what: Msg| Some(msg!("error-line", what = what).render(lang));
    // Said when it happened, one line: the run ends with its code alone.
    if err.downcast_ref::<crate::packets::PcapFailed>().is_some() {
        return (Code::Failure, None);
    }
    if let Some(UsageError(usage)) = err.downcast_ref::<UsageError>() {
        return (Code::Usage, line(usage.clone()));
    }
    if let Some(crate::udp::send::TooLongForUdp(usage)) = err.downcast_ref() {
        return (Code::Usage, line(usage.clone()));
    }
    if let Some(cut) = err.downcast_ref::<crate::tcp::connect::InputCut>() {
        return (Code::Failure, line(cut.message()));
    }
    if let Some(failed) = err.downcast_ref::<crate::script::Failed>() {
        return (Code::Script, line(failed.message()));
    }
    if let Some(failed) = err.downcast_ref::<crate::script::SomeFailed>() {
        return (Code::Script, line(failed.message()));
    }
    if err.chain().any(|cause| cause.is::<crate::input::Shrunk>()) {
        return (Code::InputShrank, line(Msg::text(chain_text(lang, err))));
    }
    let Some(net) = err.downcast_ref::<NetError>() else {
        return (Code::Failure, line(Msg::text(chain_text(lang, err))));
    };
    let code = net.code();
    let what = match hint(net, front) {
        Some(hint) => msg!("error-with-hint", error = net.message_for(front), hint = hint),
        None => net.message_for(front),
    };
    (code, line(what))
}

/// An error and its causes on one line, OS errors in plain words.
fn chain_text(lang: Lang, err: &anyhow::Error) -> String {
    let separator = msg!("error-cause-separator").render(lang);
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = match cause.downcast_ref::<io::Error>() {
            Some(io) => crate::net::describe_msg(io).render(lang),
            None => match cause.downcast_ref::<NetError>() {
                Some(net) => net.message().render(lang),
                None => match cause.downcast_ref::<OutputError>() {
                    Some(OutputError(io)) => {
                        msg!("error-writing-output", error = crate::net::describe_msg(io)).render(lang)
                    }
                    None => cause.to_string(),
                },
            },
        };
        // An error whose text already ends with its cause's (`writing
        // output: no space left on device`) says it once.
        if !parts.last().is_some_and(|last| last.ends_with(&text)) {
            parts.push(text);
        }
    }
    parts.join(&separator)
}

/// Who holds the port of `addr`, as far as the system lets us see, and what
/// to do, in the words of the command line the person typed.
fn in_use_hint(
    proto: Proto,
    role: Role,
    addr: SocketAddr,
    holder: &Holder,
    reuse: bool,
    front: Front,
) -> Msg {
    let port = addr.port();
    let nc = front != Front::Native;
    let other = match (role, nc) {
        (Role::Server, false) => msg!("hint-other-port"),
        (Role::Server, true) => {
            msg!("hint-other-port-nc", command = nc_listen(proto, nc_listen_address(addr.ip()), 0))
        }
        (Role::Client, false) => msg!("hint-other-source-port"),
        (Role::Client, true) => msg!("hint-other-source-port-nc"),
    };
    let program = |program: &Option<Program>| match program {
        Some(Program { pid, command }) => {
            msg!("hint-program", command = crate::hexdump::shown_text(command.as_bytes()), pid = *pid)
        }
        None => msg!("hint-another-program"),
    };
    match (proto, holder) {
        (Proto::Tcp, Holder::Socket { program: p }) => {
            msg!("hint-in-use-tcp-listens", program = program(p), port = port, other = other)
        }
        (Proto::Udp, Holder::Socket { program: p }) => {
            msg!("hint-in-use-udp-bound", program = program(p), port = port, other = other)
        }
        (_, Holder::Connections { time_wait: 0, open, .. }) => {
            msg!("hint-in-use-open", open = *open, port = port, other = other)
        }
        (_, Holder::Connections { time_wait, left, .. }) => {
            let what = match (role, TIME_WAIT_LEN, left) {
                (Role::Server, Some(len), Some(left)) => msg!(
                    "hint-time-wait-server-len",
                    n = *time_wait,
                    len = len.as_secs(),
                    left = left.as_secs() + 1
                ),
                (Role::Server, _, _) => msg!("hint-time-wait-server", n = *time_wait),
                (Role::Client, Some(len), Some(left)) => msg!(
                    "hint-time-wait-client-len",
                    n = *time_wait,
                    len = len.as_secs(),
                    left = left.as_secs() + 1
                ),
                (Role::Client, _, _) => msg!("hint-time-wait-client", n = *time_wait),
            };
            match (role, reuse) {
                // nc has no flag for SO_REUSEADDR to name.
                (Role::Server, false) if nc => msg!("hint-time-wait-wait", what = what, other = other),
                (Role::Server, false) => msg!("hint-time-wait-no-reuse", what = what, other = other),
                (_, true) => msg!("hint-time-wait-reuse", what = what, other = other),
                (Role::Client, false) => msg!("hint-time-wait-wait", what = what, other = other),
            }
        }
        (Proto::Tcp, Holder::Unknown) => msg!("hint-in-use-tcp-unknown", port = port, other = other),
        (Proto::Udp, Holder::Unknown) => msg!("hint-in-use-udp-unknown", port = port, other = other),
    }
}

/// A command a person may paste into a shell: each word quoted where the
/// shell would otherwise read it differently.
pub(crate) fn shell_command(words: &[&str]) -> String {
    shell_words::join(words)
}

/// What holds `addr`'s port on this machine instead, when something does:
/// a socket of the other protocol there (TCP and UDP ports are separate, a
/// thing the course's learners often meet), or a socket of the same
/// protocol on the other family's loopback (a `tcp serve -6` on ::1 is
/// not reached from 127.0.0.1). The hint then names it and the command
/// that reaches it, instead of asking whether the server runs.
fn held_elsewhere(proto: Proto, addr: SocketAddr, front: Front) -> Option<Msg> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let ip = addr.ip();
    if !ip.is_loopback() && !crate::sys::local_addrs::list().addresses.contains(&ip) {
        return None;
    }
    let by = |program: Option<Program>| -> Arg {
        match program {
            Some(p) => msg!(
                "hint-by-program",
                command = crate::hexdump::shown_text(p.command.as_bytes()),
                pid = p.pid
            )
            .into(),
            None => "".into(),
        }
    };
    let port = addr.port().to_string();
    let other = match proto {
        Proto::Tcp => Proto::Udp,
        Proto::Udp => Proto::Tcp,
    };
    if let Holder::Socket { program } = crate::sys::in_use::holder(other, addr) {
        let host = ip.to_string();
        return Some(match other {
            Proto::Udp => msg!(
                "hint-other-protocol-udp",
                port = addr.port(),
                by = by(program),
                command = match front {
                    Front::Native => shell_command(&["netplay", "udp", "send", &host, &port]),
                    Front::Nc { .. } => nc_connect(Proto::Udp, &host, addr.port()),
                }
            ),
            Proto::Tcp => msg!(
                "hint-other-protocol-tcp",
                port = addr.port(),
                by = by(program),
                command = match front {
                    Front::Native => shell_command(&["netplay", "tcp", "connect", &host, &port]),
                    Front::Nc { .. } => nc_connect(Proto::Tcp, &host, addr.port()),
                }
            ),
        });
    }
    // Only loopback has a twin in the other family that is surely this
    // machine's.
    let twin: IpAddr = match ip {
        IpAddr::V4(v4) if v4.is_loopback() => Ipv6Addr::LOCALHOST.into(),
        IpAddr::V6(v6) if v6.is_loopback() => Ipv4Addr::LOCALHOST.into(),
        _ => return None,
    };
    let Holder::Socket { program } = crate::sys::in_use::holder(proto, SocketAddr::new(twin, addr.port()))
    else {
        return None;
    };
    let (host, sub) = (
        twin.to_string(),
        match proto {
            Proto::Tcp => ["tcp", "connect"],
            Proto::Udp => ["udp", "send"],
        },
    );
    Some(msg!(
        "hint-other-family",
        proto = proto.name(),
        ip = ip,
        port = addr.port(),
        holder = SocketAddr::new(twin, addr.port()),
        by = by(program),
        command = match front {
            Front::Native => shell_command(&["netplay", sub[0], sub[1], &host, &port]),
            Front::Nc { .. } => nc_connect(proto, &host, addr.port()),
        }
    ))
}

/// What a person can try, given what failed and where.
fn hint(err: &NetError, front: Front) -> Option<Msg> {
    let nc = front != Front::Native;
    use io::ErrorKind::*;
    let port = match err {
        NetError::AllAttemptsFailed { port, .. } => *port,
        NetError::Socket { addr, .. }
        | NetError::Idle { addr, .. }
        | NetError::Unsent { addr, .. }
        | NetError::InUse { addr, .. } => addr.port(),
        NetError::Resolve { .. }
        | NetError::NoAddressInFamily { .. }
        | NetError::BadHost { .. }
        | NetError::BindFamily { .. } => 0,
    };
    Some(match err {
        NetError::Resolve { .. } => msg!("hint-resolve"),
        NetError::NoAddressInFamily { .. } => msg!("hint-no-address-in-family"),
        NetError::BadHost { .. } => return None,
        NetError::BindFamily { bind, .. } => match (bind.is_ipv4(), nc) {
            (true, false) => msg!("hint-bind-family-v4"),
            (false, false) => msg!("hint-bind-family-v6"),
            (true, true) => msg!("hint-bind-family-v4-nc"),
            (false, true) => msg!("hint-bind-family-v6-nc"),
        },
        NetError::Idle { flag, .. } => msg!("hint-idle", flag = *flag),
        NetError::InUse { proto, role, addr, holder, reuse } => {
            in_use_hint(*proto, *role, *addr, holder, *reuse, front)
        }
        NetError::Socket { op: Op::Bind, .. } => match err.io_kind()? {
            PermissionDenied => match err {
                NetError::Socket { addr, .. } => crate::sys::privileged::denied_hint(addr.ip(), port, front)?,
                _ => return None,
            },
            AddrNotAvailable => msg!("hint-not-this-machine"),
            _ => return None,
        },
        NetError::Socket { addr, .. } if err.udp_refused() => held_elsewhere(Proto::Udp, *addr, front)
            .unwrap_or_else(|| crate::sys::refused::hint(*addr, front)),
        _ => match err.io_kind()? {
            ConnectionRefused => {
                let tried = match err {
                    NetError::AllAttemptsFailed { attempts, .. } => attempts.last().map(|(addr, _)| *addr),
                    NetError::Socket { addr, .. } => Some(*addr),
                    _ => None,
                };
                match tried {
                    Some(addr) => held_elsewhere(Proto::Tcp, addr, front)
                        .unwrap_or_else(|| msg!("hint-tcp-refused", port = port, ip = addr.ip())),
                    None => msg!("hint-tcp-refused-here", port = port),
                }
            }
            TimedOut if nc => msg!("hint-timed-out-nc"),
            TimedOut => msg!("hint-timed-out"),
            ConnectionReset | ConnectionAborted => msg!("hint-reset"),
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
