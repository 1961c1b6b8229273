//! `--allow` / `--deny`: which peers a server accepts, decided from the
//! peer's address at accept time. Pure, so the rules are tested here.
//!
//! Two facts of IPv6 make a rule and a peer look different when they are
//! the same host, and both are handled here, once:
//! - a dual-stack socket sees an IPv4 peer as `::ffff:a.b.c.d`. A peer and a
//!   rule are compared in both forms, so `127.0.0.1`, `::ffff:127.0.0.1` and
//!   `::ffff:127.0.0.0/104` all match that peer, whichever form it came in.
//! - a link-local address (`fe80::/10`) exists once per link: `fe80::99` on
//!   eth0 and on wlan0 are two hosts. A rule with a zone (`fe80::99%eth0`,
//!   or `%2` by interface index) matches only peers on that interface; a
//!   rule without one matches that address on every link.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::{IpNet, Ipv6Net};

/// One `--allow` / `--deny` value: an address block, and for a link-local
/// block, perhaps the one interface it is limited to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) net: IpNet,
    pub(crate) zone: Option<Zone>,
}

/// An IPv6 zone (RFC 4007): the interface a link-local address lives on,
/// as written (`eth0` or `2`) and as the index the kernel reports in a
/// peer's scope id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Zone {
    pub(crate) text: String,
    pub(crate) index: u32,
}

impl Rule {
    /// True when `peer` is in this rule's block (in either of an IPv4
    /// peer's two forms) and, for a zoned rule, on its interface.
    pub(crate) fn matches(&self, peer: &SocketAddr) -> bool {
        let ip = peer.ip().to_canonical();
        let in_block = match ip {
            IpAddr::V4(v4) => self.net.contains(&ip) || self.net.contains(&IpAddr::V6(v4.to_ipv6_mapped())),
            IpAddr::V6(_) => self.net.contains(&ip),
        };
        let on_link = match (&self.zone, peer) {
            (None, _) => true,
            (Some(zone), SocketAddr::V6(v6)) => v6.scope_id() == zone.index,
            (Some(_), SocketAddr::V4(_)) => false,
        };
        in_block && on_link
    }
}

impl fmt::Display for Rule {
    /// `10.0.0.0/8`, `::1/128`, `fe80::99%eth0/128` (the zone after the
    /// address, the prefix last, as RFC 4007 writes it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.zone {
            None => write!(f, "{}", self.net),
            Some(zone) => write!(f, "{}%{}/{}", self.net.addr(), zone.text, self.net.prefix_len()),
        }
    }
}

/// The access rules of a server. With no `--allow`, every peer not denied is
/// accepted; with some, a peer must match one of them. A `--deny` always wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Access {
    pub(crate) allow: Vec<Rule>,
    pub(crate) deny: Vec<Rule>,
}

/// Why a peer is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    Denied(Rule),
    NotAllowed(Vec<Rule>),
}

impl Refusal {
    /// Why, in the catalogues' words.
    pub(crate) fn message(&self) -> crate::i18n::Msg {
        match self {
            Refusal::Denied(rule) => crate::msg!("reject-denied", rule = rule.to_string()),
            Refusal::NotAllowed(rules) => {
                let list: Vec<String> = rules.iter().map(Rule::to_string).collect();
                crate::msg!("reject-not-allowed", rules = list.join(", "))
            }
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl Access {
    #[cfg(test)]
    pub(crate) fn is_open(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// Accepts or refuses `peer`.
    pub(crate) fn check(&self, peer: &SocketAddr) -> Result<(), Refusal> {
        if let Some(rule) = self.deny.iter().find(|rule| rule.matches(peer)) {
            return Err(Refusal::Denied(rule.clone()));
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|rule| rule.matches(peer)) {
            return Err(Refusal::NotAllowed(self.allow.clone()));
        }
        Ok(())
    }
}

/// Parses `10.0.0.0/8`, `::1/128`, a bare address (one host), and a
/// link-local block with its zone: `fe80::99%eth0`, `fe80::%2/64` or
/// `fe80::/64%eth0`. A zone name is looked up among this machine's
/// interfaces now, so a typo fails here rather than never matching.
pub(crate) fn parse_rule(text: &str) -> Result<Rule, String> {
    parse_rule_with(text, interface_index)
}

fn parse_rule_with(text: &str, lookup: impl Fn(&str) -> Result<u32, String>) -> Result<Rule, String> {
    let text = text.trim();
    // As typed, for the messages: as the hex panel shows it.
    let shown = |text: &str| crate::hexdump::shown_text(text.as_bytes());
    let Some((addr, rest)) = text.split_once('%') else {
        return Ok(Rule { net: parse_cidr(text)?, zone: None });
    };
    // The zone ends at '/' when the prefix follows it (fe80::%eth0/64).
    let (zone_text, block) = match rest.split_once('/') {
        Some((zone, prefix)) => (zone, format!("{addr}/{prefix}")),
        None => (rest, addr.to_string()),
    };
    if zone_text.is_empty() {
        return Err(format!("'{}' has an empty zone after %; write fe80::1%eth0 or fe80::1%2", shown(text)));
    }
    let net = parse_cidr(&block)?;
    let link_local = Ipv6Net::new(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10).expect("a valid prefix");
    match net {
        IpNet::V6(v6) if link_local.contains(&v6) => {}
        _ => {
            let (text, zone_text) = (shown(text), shown(zone_text));
            return Err(format!(
                "'{text}': a zone (%{zone_text}) names the link of a link-local IPv6 address (fe80::/10), and {net} is not one; drop the %{zone_text}"
            ));
        }
    }
    let index = lookup(zone_text).map_err(|why| format!("'{}': {}", shown(text), shown(&why)))?;
    Ok(Rule { net, zone: Some(Zone { text: zone_text.to_string(), index }) })
}

/// Parses `10.0.0.0/8`, `::1/128`, or a bare address (one host).
pub(crate) fn parse_cidr(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(IpNet::from(ip));
    }
    let net: IpNet = text.parse().map_err(|_| {
        let text = crate::hexdump::shown_text(text.as_bytes());
        format!(
            "'{text}' is not an address or a CIDR block; try 192.168.1.0/24, ::1, 10.0.0.7 or fe80::1%eth0"
        )
    })?;
    // 10.1.2.3/8 is accepted as 10.0.0.0/8: what the prefix says.
    Ok(net.trunc())
}

/// The index of the interface a zone names (each system's way:
/// [`crate::sys::interfaces`]).
fn interface_index(zone: &str) -> Result<u32, String> {
    crate::sys::interfaces::index_of(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[&str]) -> Vec<Rule> {
        list.iter().map(|t| parse_rule_with(t, fake_interfaces).unwrap()).collect()
    }

    /// eth0 is 2, eth1 is 3: the tests do not depend on this machine's links.
    fn fake_interfaces(zone: &str) -> Result<u32, String> {
        match zone {
            "eth0" | "2" => Ok(2),
            "eth1" | "3" => Ok(3),
            _ => Err(format!("no interface is named '{zone}' here")),
        }
    }

    fn peer(text: &str) -> SocketAddr {
        text.parse().unwrap()
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
        assert_eq!(open.check(&peer("8.8.8.8:1")), Ok(()));

        let access = Access { allow: rules(&["127.0.0.0/8"]), deny: rules(&["127.0.0.2"]) };
        assert_eq!(access.check(&peer("127.0.0.1:1")), Ok(()));
        let denied = access.check(&peer("127.0.0.2:1")).unwrap_err();
        assert_eq!(denied.to_string(), "denied by --deny 127.0.0.2/32");
        let outside = access.check(&peer("10.0.0.1:1")).unwrap_err();
        assert_eq!(outside.to_string(), "not in --allow 127.0.0.0/8");
    }

    #[test]
    fn an_ipv4_peer_matches_in_either_form_whichever_form_the_rule_takes() {
        let v4 = peer("127.0.0.1:5");
        let mapped = peer("[::ffff:127.0.0.1]:5");
        for rule in ["127.0.0.0/8", "127.0.0.1", "::ffff:127.0.0.1", "::ffff:127.0.0.0/104", "::ffff:0:0/96"]
        {
            let deny = Access { allow: vec![], deny: rules(&[rule]) };
            assert!(deny.check(&v4).is_err(), "--deny {rule} lets {v4} in");
            assert!(deny.check(&mapped).is_err(), "--deny {rule} lets {mapped} in");
            let allow = Access { allow: rules(&[rule]), deny: vec![] };
            assert_eq!(allow.check(&v4), Ok(()), "--allow {rule} refuses {v4}");
            assert_eq!(allow.check(&mapped), Ok(()), "--allow {rule} refuses {mapped}");
        }
        // Other IPv4 and IPv6 peers are not caught by a mapped rule.
        let access = Access { allow: vec![], deny: rules(&["::ffff:127.0.0.0/104"]) };
        assert_eq!(access.check(&peer("10.0.0.1:5")), Ok(()));
        assert_eq!(access.check(&peer("[::1]:5")), Ok(()));
        assert_eq!(access.check(&peer("[::ffff:10.0.0.1]:5")), Ok(()));
        // An IPv4 rule leaves IPv6 peers alone.
        let access = Access { allow: vec![], deny: rules(&["0.0.0.0/0"]) };
        assert_eq!(access.check(&peer("[::1]:5")), Ok(()));
        assert!(access.check(&peer("[::ffff:8.8.8.8]:5")).is_err());
    }

    #[test]
    fn a_zoned_rule_matches_only_its_link() {
        let on = |scope: u32| {
            SocketAddr::V6(std::net::SocketAddrV6::new("fe80::99".parse().unwrap(), 5, 0, scope))
        };
        let access = Access { allow: rules(&["fe80::99%eth0"]), deny: vec![] };
        assert_eq!(access.check(&on(2)), Ok(()));
        assert_eq!(access.check(&on(3)).unwrap_err().to_string(), "not in --allow fe80::99%eth0/128");
        // Zone by index, prefix before or after the zone.
        for text in ["fe80::%3/64", "fe80::/64%3", "fe80::/64%eth1"] {
            let deny = Access { allow: vec![], deny: rules(&[text]) };
            assert!(deny.check(&on(3)).is_err(), "{text}");
            assert_eq!(deny.check(&on(2)), Ok(()), "{text}");
        }
        // Without a zone: that address on every link.
        let any = Access { allow: vec![], deny: rules(&["fe80::99"]) };
        assert!(any.check(&on(2)).is_err() && any.check(&on(3)).is_err());
    }

    #[test]
    fn zone_errors_say_what_is_wrong() {
        let err = |text| parse_rule_with(text, fake_interfaces).unwrap_err();
        assert!(err("fe80::1%wlan9").contains("no interface is named 'wlan9'"), "{}", err("fe80::1%wlan9"));
        assert!(err("2001:db8::1%eth0").contains("is not one; drop the %eth0"));
        assert!(err("10.0.0.1%eth0").contains("fe80::/10"));
        assert!(err("fe80::1%").contains("empty zone"));
        assert!(err("fe80::1%eth0/129").contains("is not an address or a CIDR block"));
    }

    // Every Unix system has a loopback interface; lo on Linux.
    #[cfg(target_os = "linux")]
    #[test]
    fn this_machines_loopback_is_a_zone() {
        let rule = parse_rule("fe80::1%lo").unwrap();
        assert_eq!(rule.zone.unwrap().index, nix::net::if_::if_nametoindex("lo").unwrap());
        assert!(parse_rule("fe80::1%no-such-link").unwrap_err().contains("no interface is named"));
    }
}
