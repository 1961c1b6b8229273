//! --allow / --deny against real peers: an IPv4 peer of an IPv6 socket
//! (seen as ::ffff:a.b.c.d) is matched by a rule in either form, and a
//! link-local rule with a zone matches only its link.
//!
//! The IPv4-mapped peers come from a socket bound to ::ffff:127.0.0.1 (no
//! privilege needed, loopback only) and, where the machine allows a network
//! namespace of the test's own, from the dual-stack wildcard `-6 --host ::
//! --v6only false` itself. Zones need addresses added: namespace only.

use crate::common;

use std::net::{SocketAddr, TcpStream};

use common::{Netns, Proc, bound, netplay};
use predicates::prelude::*;

/// The verdict on one IPv4 client: the accepted or rejected event.
fn verdict(server: &mut Proc) -> serde_json::Value {
    let line = server.expect(|l| l.contains(r#""event":"accepted""#) || l.contains(r#""event":"rejected""#));
    serde_json::from_str(&line).unwrap()
}

/// (rule flag, rule, whether 127.0.0.1 must be let in)
const CASES: &[(&str, &str, bool)] = &[
    ("--deny", "::ffff:127.0.0.0/104", false),
    ("--deny", "::ffff:127.0.0.1", false),
    ("--deny", "127.0.0.1", false),
    ("--allow", "::ffff:127.0.0.1", true),
    ("--allow", "127.0.0.0/8", true),
    ("--allow", "::ffff:10.0.0.0/104", false),
];

fn check_case(mut server: Proc, flag: &str, rule: &str, let_in: bool, connect: impl Fn(SocketAddr)) {
    let listening = server.event("listening");
    let addr: SocketAddr = listening["local"].as_str().unwrap().parse().unwrap();
    connect(addr);
    let verdict = verdict(&mut server);
    let peer = verdict["peer"].as_str().unwrap();
    assert!(peer.starts_with("[::ffff:127.0.0.1]:"), "{flag} {rule}: the peer is {peer}");
    if let_in {
        assert_eq!(verdict["event"], "accepted", "{flag} {rule} must let 127.0.0.1 in: {verdict}");
    } else {
        assert_eq!(verdict["event"], "rejected", "{flag} {rule} let 127.0.0.1 in: {verdict}");
        let reason = verdict["reason"].as_str().unwrap();
        assert!(reason.contains(&format!("{flag} ")), "{reason}");
    }
}

#[test]
fn ipv4_mapped_rules_apply_to_the_ipv4_peer_of_an_ipv6_socket() {
    for &(flag, rule, let_in) in CASES {
        let server =
            Proc::start(&["--json", "tcp", "serve", "--port", "0", "--host", "::ffff:127.0.0.1", flag, rule]);
        check_case(server, flag, rule, let_in, |addr| {
            let _ = TcpStream::connect(("127.0.0.1", addr.port())).unwrap();
        });
    }
}

#[test]
fn ipv4_mapped_rules_apply_on_a_dual_stack_wildcard() {
    let Some(ns) = Netns::new(None) else { return };
    for &(flag, rule, let_in) in CASES {
        let server = ns.start(&[
            "--json", "tcp", "serve", "--port", "0", "-6", "--host", "::", "--v6only", "false", flag, rule,
        ]);
        check_case(server, flag, rule, let_in, |addr| {
            let out = ns
                .netplay()
                .args(["--raw", "tcp", "connect", "127.0.0.1", &addr.port().to_string(), "-m", "hi"])
                .output()
                .unwrap();
            // Accepted, or closed at once: either way the client got in touch.
            let code = out.status.code();
            assert!(matches!(code, Some(0 | 8)), "{code:?}: {}", String::from_utf8_lossy(&out.stderr));
        });
    }
}

#[test]
fn a_zoned_rule_matches_only_peers_on_its_link() {
    let Some(ns) = Netns::new(None) else { return };
    ns.ip(&["-6", "addr", "add", "fe80::1/64", "dev", "lo", "nodad"]);
    // A second link, so that a zone other than lo exists.
    ns.ip(&["link", "add", "np-veth0", "type", "veth", "peer", "name", "np-veth1"]);
    // (rule flag, rule, whether a peer on lo is let in)
    let cases = [
        ("--allow", "fe80::1%lo", true),
        ("--allow", "fe80::1%np-veth0", false),
        ("--allow", "fe80::/64%1", true),
        ("--deny", "fe80::1%lo", false),
        ("--deny", "fe80::1%np-veth0", true),
        ("--deny", "fe80::1", false),
    ];
    for (flag, rule, let_in) in cases {
        let (mut server, addr) =
            bound(ns.start(&["--json", "tcp", "serve", "--port", "0", "--host", "fe80::1%lo", flag, rule]));
        let out = ns
            .netplay()
            .args(["--raw", "tcp", "connect", &format!("[fe80::1%lo]:{}", addr.port()), "-m", "hi"])
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 8)), "{}", String::from_utf8_lossy(&out.stderr));
        let verdict = verdict(&mut server);
        let want = if let_in { "accepted" } else { "rejected" };
        assert_eq!(verdict["event"], want, "{flag} {rule}: {verdict}");
        if !let_in {
            let shown = if rule.contains('/') { rule.to_string() } else { format!("{rule}/128") };
            assert!(verdict["reason"].as_str().unwrap().contains(&shown), "{verdict}");
        }
    }
}

#[test]
fn a_zone_that_names_no_interface_is_a_usage_error() {
    netplay()
        .args(["tcp", "serve", "--port", "0", "--allow", "fe80::99%no-such-link0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no interface is named 'no-such-link0'"));
    netplay()
        .args(["tcp", "serve", "--port", "0", "--deny", "10.0.0.1%lo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("link-local IPv6 address (fe80::/10)"));
}
