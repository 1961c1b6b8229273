//! Addresses as people type them (`HOST PORT`, `HOST:PORT`, `[::1]:PORT`,
//! `fe80::1%lo`) and name resolution, with the address family filter of
//! `-4`/`-6`.

use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use crate::event::Family;
use crate::i18n::Msg;
use crate::msg;
use crate::net::NetError;

/// A port from the command line. Errors say what a port is.
pub fn parse_port(text: &str) -> Result<u16, Msg> {
    match text.trim().parse::<u64>() {
        Ok(n) if n <= 65535 => Ok(n as u16),
        Ok(n) => Err(msg!("port-out-of-range", port = n.to_string())),
        Err(_) => Err(msg!("port-not-a-number", text = text)),
    }
}

/// Where to connect or send: a host (name or address) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    /// The target of a known address (the demo's and the benchmarks' own
    /// servers).
    pub fn of(addr: SocketAddr) -> Target {
        Target { host: addr.ip().to_string(), port: addr.port() }
    }

    /// Reads `HOST PORT`, or a single `HOST:PORT` / `[v6]:PORT`. A target
    /// is where to connect or send, so its port is never 0 (which only
    /// means "let the OS choose" in bind).
    pub fn parse(first: &str, second: Option<&str>) -> Result<Target, Msg> {
        let target = Target::read(first, second)?;
        if target.port == 0 {
            return Err(msg!("target-port-zero"));
        }
        Ok(target)
    }

    fn read(first: &str, second: Option<&str>) -> Result<Target, Msg> {
        let looks_like_port = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if let Some(port) = second {
            if looks_like_port(first) && !looks_like_port(port) {
                return Err(msg!("target-swapped", first = first, port = port));
            }
            return Ok(Target { host: strip_brackets(first).to_string(), port: parse_port(port)? });
        }
        if looks_like_port(first) {
            return Err(msg!("target-host-missing", first = first));
        }
        if let Some(rest) = first.strip_prefix('[') {
            let (host, after) =
                rest.split_once(']').ok_or_else(|| msg!("target-no-bracket", first = first))?;
            let port = after
                .strip_prefix(':')
                .ok_or_else(|| msg!("target-v6-no-port", first = first, host = host))?;
            return Ok(Target { host: host.to_string(), port: parse_port(port)? });
        }
        match first.rsplit_once(':') {
            Some((host, last)) if host.contains(':') => {
                // "::1:4000" may be an address, or an address and a port;
                // "::1:40001" only the second (a group has 4 hex digits at
                // most). A hint suggests only what is an address.
                let is_v6 =
                    |text: &str| text.split('%').next().is_some_and(|ip| ip.parse::<Ipv6Addr>().is_ok());
                Err(match (is_v6(first), is_v6(host) && looks_like_port(last)) {
                    (true, true) => msg!("target-v6-guess", first = first, last = last, ip = host),
                    (true, false) => msg!("target-v6", first = first),
                    (false, true) => msg!("target-v6-port", first = first, last = last, ip = host),
                    (false, false) => msg!("target-not-v6", first = first),
                })
            }
            Some((host, port)) if !host.is_empty() => {
                Ok(Target { host: host.to_string(), port: parse_port(port)? })
            }
            _ => Err(msg!("target-no-port", first = first)),
        }
    }
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// Resolves `host` to the addresses to try, in the resolver's order, keeping
/// only `family` when one is asked for.
pub fn resolve(host: &str, port: u16, family: Option<Family>) -> Result<Vec<SocketAddr>, NetError> {
    let host = strip_brackets(host);
    let all: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => (host, port)
            .to_socket_addrs()
            .map_err(|source| NetError::Resolve { host: host.to_string(), source })?
            .collect(),
    };
    let mut kept: Vec<SocketAddr> = Vec::with_capacity(all.len());
    for addr in all {
        if family.is_none_or(|f| f == Family::of(&addr)) && !kept.contains(&addr) {
            kept.push(addr);
        }
    }
    match (kept.is_empty(), family) {
        (false, _) => Ok(kept),
        (true, Some(family)) => Err(NetError::NoAddressInFamily { host: host.to_string(), family }),
        (true, None) => Err(NetError::Resolve {
            host: host.to_string(),
            source: io::Error::new(io::ErrorKind::NotFound, "no address found"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(host: &str, port: u16) -> Target {
        Target { host: host.to_string(), port }
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("0"), Ok(0));
        assert_eq!(parse_port("12345"), Ok(12345));
        assert_eq!(parse_port("65535"), Ok(65535));
        assert!(parse_port("65536").unwrap_err().to_string().contains("out of range"));
        assert!(parse_port("99999999999999999999").unwrap_err().to_string().contains("not a number"));
        assert!(parse_port("http").unwrap_err().to_string().contains("'http' is not a number"));
        assert!(parse_port("-1").is_err());
    }

    #[test]
    fn targets() {
        assert_eq!(Target::parse("localhost", Some("80")), Ok(t("localhost", 80)));
        assert_eq!(Target::parse("127.0.0.1:12345", None), Ok(t("127.0.0.1", 12345)));
        assert_eq!(Target::parse("[::1]:12345", None), Ok(t("::1", 12345)));
        assert_eq!(Target::parse("[::1]", Some("7")), Ok(t("::1", 7)));
        assert_eq!(Target::parse("::1", Some("7")), Ok(t("::1", 7)));
        assert_eq!(Target::parse("[fe80::1%lo]:9", None), Ok(t("fe80::1%lo", 9)));
        assert!(Target::parse("::1", None).unwrap_err().to_string().contains("IPv6"));
        // Every address a hint suggests is one: "[::1:40001]" is not.
        let hint = Target::parse("::1:40001", None).unwrap_err().to_string();
        assert!(hint.contains("[::1]:40001") && !hint.contains("[::1:40001]"), "{hint}");
        let hint = Target::parse("::1:4000", None).unwrap_err().to_string();
        assert!(hint.contains("[::1:4000]:PORT") && hint.contains("[::1]:4000"), "{hint}");
        let hint = Target::parse("abc:def:ghi", None).unwrap_err().to_string();
        assert!(!hint.contains("[abc:def:ghi]"), "{hint}");
        assert!(Target::parse("localhost", None).unwrap_err().to_string().contains("no port"));
        assert!(Target::parse("[::1", None).is_err());
        assert!(Target::parse("[::1]", None).unwrap_err().to_string().contains("no port"));
        assert!(Target::parse("host:70000", None).unwrap_err().to_string().contains("out of range"));
        assert!(Target::parse(":80", None).is_err());
    }

    #[test]
    fn resolves_literals_and_filters_family() {
        let v4 = resolve("127.0.0.1", 5, None).unwrap();
        assert_eq!(v4, vec!["127.0.0.1:5".parse().unwrap()]);
        let v6 = resolve("[::1]", 5, Some(Family::V6)).unwrap();
        assert_eq!(v6, vec!["[::1]:5".parse().unwrap()]);
        assert!(matches!(resolve("127.0.0.1", 5, Some(Family::V6)), Err(NetError::NoAddressInFamily { .. })));
    }

    #[test]
    fn unknown_host_is_a_resolve_error() {
        // The .invalid TLD is reserved and never resolves (RFC 2606).
        assert!(matches!(resolve("no-such-host.invalid", 5, None), Err(NetError::Resolve { .. })));
    }
}
