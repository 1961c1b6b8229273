//! `--allow` / `--deny`: which peers a server accepts, decided from the
//! peer's address at accept time. Pure, so the rules are tested here.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// The access rules of a server. With no `--allow`, every peer not denied is
/// accepted; with some, a peer must match one of them. A `--deny` always wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub allow: Vec<IpNet>,
    pub deny: Vec<IpNet>,
}

/// Why a peer is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Denied(IpNet),
    NotAllowed(Vec<IpNet>),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Denied(net) => write!(f, "denied by --deny {net}"),
            Refusal::NotAllowed(nets) => {
                let list: Vec<String> = nets.iter().map(IpNet::to_string).collect();
                write!(f, "not in --allow {}", list.join(", "))
            }
        }
    }
}

impl Access {
    pub fn is_open(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// Accepts or refuses `ip`. An IPv4-mapped IPv6 address (a dual-stack
    /// socket's IPv4 peer) is checked as the IPv4 address it stands for.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let ip = ip.to_canonical();
        if let Some(net) = self.deny.iter().find(|net| net.contains(&ip)) {
            return Err(Refusal::Denied(*net));
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|net| net.contains(&ip)) {
            return Err(Refusal::NotAllowed(self.allow.clone()));
        }
        Ok(())
    }
}

/// Parses `10.0.0.0/8`, `::1/128`, or a bare address (one host).
pub fn parse_cidr(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(IpNet::from(ip));
    }
    let net: IpNet = text.parse().map_err(|_| {
        format!("'{text}' is not an address or a CIDR block; try 192.168.1.0/24, ::1 or 10.0.0.7")
    })?;
    // 10.1.2.3/8 is accepted as 10.0.0.0/8: what the prefix says.
    Ok(net.trunc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|t| parse_cidr(t).unwrap()).collect()
    }

    #[test]
    fn parses_blocks_and_bare_addresses() {
        assert_eq!(parse_cidr("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_cidr("127.0.0.1").unwrap().to_string(), "127.0.0.1/32");
        assert_eq!(parse_cidr("::1").unwrap().to_string(), "::1/128");
        assert!(parse_cidr("10.0.0.0/33").unwrap_err().contains("'10.0.0.0/33'"));
        assert!(parse_cidr("localhost").is_err());
    }

    #[test]
    fn deny_wins_and_allow_restricts() {
        let open = Access::default();
        assert!(open.is_open());
        assert_eq!(open.check("8.8.8.8".parse().unwrap()), Ok(()));

        let rules = Access { allow: nets(&["127.0.0.0/8"]), deny: nets(&["127.0.0.2"]) };
        assert_eq!(rules.check("127.0.0.1".parse().unwrap()), Ok(()));
        let denied = rules.check("127.0.0.2".parse().unwrap()).unwrap_err();
        assert_eq!(denied.to_string(), "denied by --deny 127.0.0.2/32");
        let outside = rules.check("10.0.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(outside.to_string(), "not in --allow 127.0.0.0/8");
    }

    #[test]
    fn ipv4_mapped_peers_are_checked_as_ipv4() {
        let rules = Access { allow: vec![], deny: nets(&["127.0.0.0/8"]) };
        assert!(rules.check("::ffff:127.0.0.1".parse().unwrap()).is_err());
        assert_eq!(rules.check("::1".parse().unwrap()), Ok(()));
    }
}
