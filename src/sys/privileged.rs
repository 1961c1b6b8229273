//! Which ports need privileges to bind, and what to say when bind() is
//! refused with "permission denied".
//!
//! - Linux: ports below net.ipv4.ip_unprivileged_port_start (1024 unless
//!   changed; /proc/sys/net/ipv4/ip_unprivileged_port_start) need root or
//!   CAP_NET_BIND_SERVICE.
//! - macOS (since 10.14 Mojave): any user may bind a port below 1024 on
//!   the wildcard address (0.0.0.0, ::), but binding one on a single
//!   address (127.0.0.1, the default here) needs root.
//! - Windows: no port is privileged. "Permission denied" (WSAEACCES) on
//!   bind means the port lies in a range the system excluded (Hyper-V, WSL
//!   and Docker reserve some: `netsh int ipv4 show excludedportrange
//!   protocol=tcp`), or another socket holds it with SO_EXCLUSIVEADDRUSE.

use std::net::IpAddr;

use crate::i18n::Msg;
use crate::model::Proto;
use crate::model::front::{Front, nc_listen, nc_listen_address};
use crate::model::ports;

/// What exit code 7 means most often here, for the exit-code table: ports
/// below 1024 need privileges; on Windows, a port the system reserved or one
/// held with SO_EXCLUSIVEADDRUSE. From the catalogues, in the reader's
/// language.
pub(crate) fn exit_code_note() -> crate::i18n::Msg {
    if cfg!(windows) {
        crate::msg!("exit-note-privileged-windows")
    } else {
        crate::msg!("exit-note-privileged")
    }
}

/// The first port any user may bind on `ip` (None: every port).
#[cfg(target_os = "linux")]
pub(crate) fn first_unprivileged(_ip: IpAddr) -> Option<u16> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start").ok();
    Some(text.and_then(|t| t.trim().parse().ok()).unwrap_or(ports::FIRST_UNPRIVILEGED))
}

#[cfg(target_os = "macos")]
pub(crate) fn first_unprivileged(ip: IpAddr) -> Option<u16> {
    (!ip.is_unspecified()).then_some(ports::FIRST_UNPRIVILEGED)
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub(crate) fn first_unprivileged(_ip: IpAddr) -> Option<u16> {
    None
}

/// What to try when binding `port` on `ip` was refused with "permission
/// denied"; None when this system gives no reason to name. Under `netplay
/// nc` (`front`), the commands to try are nc's.
pub(crate) fn denied_hint(ip: IpAddr, port: u16, front: Front) -> Option<Msg> {
    if let Some(proto) = front.nc_proto() {
        return nc_denied_hint(ip, port, proto);
    }
    let service = ports::service(port);
    match first_unprivileged(ip) {
        Some(first) if port != 0 && port < first => Some(match (cfg!(target_os = "linux"), service) {
            (true, Some(service)) => crate::msg!("hint-privileged-service", port = port, service = service),
            (true, None) => crate::msg!("hint-privileged"),
            (false, Some(service)) => {
                crate::msg!("hint-privileged-service-macos", port = port, service = service)
            }
            (false, None) => crate::msg!("hint-privileged-macos"),
        }),
        Some(_) => None,
        None => Some(crate::msg!("hint-privileged-windows")),
    }
}

/// [`denied_hint`] for `nc [-u] -l [ADDRESS] PORT`: the same facts, and
/// nc's command with a port any user may bind (12345, as the native hint
/// says), on the address the person gave.
fn nc_denied_hint(ip: IpAddr, port: u16, proto: Proto) -> Option<Msg> {
    let service = ports::service(port);
    let command = nc_listen(proto, nc_listen_address(ip), 12345);
    match first_unprivileged(ip) {
        Some(first) if port != 0 && port < first => Some(match (cfg!(target_os = "linux"), service) {
            (true, Some(service)) => {
                crate::msg!("hint-privileged-service-nc", port = port, service = service, command = command)
            }
            (true, None) => crate::msg!("hint-privileged-nc", command = command),
            (false, service) => {
                // macOS: `nc -l PORT` listens on the wildcard address.
                let any = (!ip.is_ipv4()).then_some(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED));
                let wildcard = nc_listen(proto, any, port);
                match service {
                    Some(service) => crate::msg!(
                        "hint-privileged-service-macos-nc",
                        port = port,
                        service = service,
                        wildcard = wildcard,
                        command = command
                    ),
                    None => crate::msg!("hint-privileged-macos-nc", wildcard = wildcard, command = command),
                }
            }
        }),
        Some(_) => None,
        None => Some(crate::msg!("hint-privileged-windows-nc", command = command)),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_names_the_capability() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let first = first_unprivileged(loopback).unwrap();
        assert!(first > 80, "this test assumes port 80 is privileged here");
        let hint = denied_hint(loopback, 80, Front::Native).unwrap().render(crate::i18n::Lang::En);
        assert!(hint.contains("CAP_NET_BIND_SERVICE") && hint.contains("(80 is HTTP's)"), "{hint}");
        assert!(hint.ends_with("try --port 12345"), "{hint}");
        assert_eq!(denied_hint(loopback, 40000, Front::Native), None);
    }

    /// Under `netplay nc`, the command to try is nc's, with the address
    /// given (none for 0.0.0.0, nc -l's own) and -u for UDP.
    #[cfg(target_os = "linux")]
    #[test]
    fn nc_s_hint_names_nc_s_command() {
        let en = |ip: &str, port, udp| {
            let hint = denied_hint(ip.parse().unwrap(), port, Front::Nc { udp }).unwrap();
            hint.render(crate::i18n::Lang::En)
        };
        let hint = en("0.0.0.0", 80, false);
        assert!(hint.contains("(80 is HTTP's)") && hint.ends_with("try `nc -l 12345`"), "{hint}");
        assert!(!hint.contains("--"), "{hint}");
        assert!(en("127.0.0.1", 81, true).ends_with("try `nc -u -l 127.0.0.1 12345`"));
        assert!(en("::", 81, false).ends_with("try `nc -l :: 12345`"));
    }
}
