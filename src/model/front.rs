//! Which command line the person typed: netplay's own subcommands and
//! flags, or OpenBSD nc's through `netplay nc`. A hint or a note that tells
//! what to type next names that command line's options: under `netplay nc`,
//! `--port` or `--host` would be flags nc does not have.

use std::net::{IpAddr, Ipv4Addr};

use super::{Proto, Role};

/// The command line a run was asked for with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Front {
    /// `netplay tcp serve --port 12345`, ...
    #[default]
    Native,
    /// `netplay nc -l 12345`; `udp` when nc's -u was given.
    Nc { udp: bool },
}

impl Front {
    /// The option that bounds a wait while nothing moves, as this command
    /// line spells it for the end that runs: `tcp serve --idle-timeout`,
    /// `tcp connect --timeout`, nc's `-w` for both. An idle close's reason
    /// and its hint name it, so they never name a flag the person's command
    /// line does not have.
    pub(crate) fn idle_flag(self, role: Role) -> &'static str {
        match (self, role) {
            (Front::Nc { .. }, _) => "-w",
            (Front::Native, Role::Server) => "--idle-timeout",
            (Front::Native, Role::Client) => "--timeout",
        }
    }

    /// The protocol nc's command line asks for (None on the native one,
    /// whose every command names its own).
    pub(crate) fn nc_proto(self) -> Option<Proto> {
        match self {
            Front::Native => None,
            Front::Nc { udp: true } => Some(Proto::Udp),
            Front::Nc { udp: false } => Some(Proto::Tcp),
        }
    }
}

/// `nc [-u] -l [ADDRESS] PORT`: nc listening on `ip` and `port`; no
/// address when `ip` is None (`netplay nc -l` then listens on 0.0.0.0, or
/// on :: with -6).
pub(crate) fn nc_listen(proto: Proto, ip: Option<IpAddr>, port: u16) -> String {
    let port = port.to_string();
    let ip = ip.map(|ip| ip.to_string());
    let mut words = vec!["nc"];
    if proto == Proto::Udp {
        words.push("-u");
    }
    words.push("-l");
    words.extend(ip.as_deref());
    words.push(&port);
    shell_words::join(words)
}

/// The address to write in an nc listener's command for a socket bound to
/// `ip`: none for 0.0.0.0, where `nc -l PORT` listens unless told.
pub(crate) fn nc_listen_address(ip: IpAddr) -> Option<IpAddr> {
    (ip != IpAddr::V4(Ipv4Addr::UNSPECIFIED)).then_some(ip)
}

/// `nc [-u] HOST PORT`: nc connecting to (with -u, sending to) `host`.
pub(crate) fn nc_connect(proto: Proto, host: &str, port: u16) -> String {
    let port = port.to_string();
    let mut words = vec!["nc"];
    if proto == Proto::Udp {
        words.push("-u");
    }
    words.push(host);
    words.push(&port);
    shell_words::join(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nc_commands_are_written_as_nc_takes_them() {
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        let v6: IpAddr = "::".parse().unwrap();
        assert_eq!(nc_listen(Proto::Tcp, nc_listen_address(any), 12345), "nc -l 12345");
        assert_eq!(nc_listen(Proto::Udp, nc_listen_address(v6), 12345), "nc -u -l :: 12345");
        assert_eq!(nc_listen(Proto::Tcp, Some(any), 80), "nc -l 0.0.0.0 80");
        assert_eq!(nc_connect(Proto::Udp, "::1", 9), "nc -u ::1 9");
        assert_eq!(Front::Nc { udp: true }.nc_proto(), Some(Proto::Udp));
        assert_eq!(Front::Native.nc_proto(), None);
        assert_eq!(Front::Native.idle_flag(Role::Server), "--idle-timeout");
        assert_eq!(Front::Native.idle_flag(Role::Client), "--timeout");
        assert_eq!(Front::Nc { udp: false }.idle_flag(Role::Client), "-w");
    }
}
