//! IPv6 and dual-stack, for tcp and udp alike: the IPv6 loopback, IPv4
//! peers of an IPv6 socket shown as IPv4-mapped addresses, IPV6_V6ONLY read
//! back, -4/-6 with a host name, a name with several addresses, and a
//! link-local address with its scope.
//!
//! Tests that bind the wildcard `::`, add an address or need their own
//! /etc/hosts run in a network namespace they create (`ip netns`, root
//! only); where that is not allowed they say SKIPPED on stderr and pass.

use crate::common;

use std::net::TcpStream;

use common::{Netns, Proc, bound, events, hex, named, netplay, tcp_server};
use predicates::prelude::*;

/// localhost as many systems list it: IPv6 first, then IPv4.
const BOTH_LOCALHOSTS: &str = "::1 localhost\n127.0.0.1 localhost\n";

#[test]
fn tcp_over_the_ipv6_loopback() {
    let (mut server, addr) = tcp_server(&["-6", "--reply", "six"]);
    assert_eq!(addr.ip().to_string(), "::1");
    let out = netplay()
        .args(["--json", "tcp", "connect", &format!("[::1]:{}", addr.port()), "-m", "hello"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let client = events(&out.stdout);
    assert_eq!(named(&client, "step").iter().find(|s| s["step"] == "socket").unwrap()["family"], "ipv6");
    let connected = named(&client, "connected")[0];
    assert!(connected["local"].as_str().unwrap().starts_with("[::1]:"), "{connected}");
    assert!(client.iter().any(|e| e["event"] == "data" && e["hex"] == hex(b"six")));
    let accepted = server.event("accepted");
    assert_eq!(accepted["peer"], connected["local"]);
}

#[test]
fn tcp_ipv4_client_of_an_ipv6_socket_is_ipv4_mapped() {
    // The IPv4-mapped loopback on an IPv6 socket: dual-stack without
    // opening anything beyond loopback.
    let mut server =
        Proc::start(&["--color", "never", "tcp", "serve", "--port", "0", "--host", "::ffff:127.0.0.1"]);
    server.expect(|l| l.starts_with("▸ socket(AF_INET6, SOCK_STREAM)"));
    server.expect(|l| l.starts_with("▸ IPV6_V6ONLY = 0"));
    let line = server.expect(|l| l.starts_with("● listening on [::ffff:127.0.0.1]:"));
    let port: u16 = line.rsplit(':').next().unwrap().split(' ').next().unwrap().parse().unwrap();
    let client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let local = client.local_addr().unwrap();
    server.expect(|l| {
        l.contains(&format!(
            "accepted [::ffff:127.0.0.1]:{} (IPv4-mapped: the IPv4 peer 127.0.0.1)",
            local.port()
        ))
    });
}

#[test]
fn v6only_on_an_ipv4_socket_is_a_usage_error() {
    for proto in ["tcp", "udp"] {
        netplay().args([proto, "serve", "--port", "0", "--v6only", "false"]).assert().code(2).stderr(
            "netplay: --v6only applies to IPv6 sockets, and 127.0.0.1 is IPv4; add -6 or --host ::\n",
        );
        netplay()
            .args([proto, "serve", "--port", "0", "-4", "--host", "0.0.0.0", "--v6only", "true"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("0.0.0.0 is IPv4"));
    }
}

#[test]
fn v6only_is_set_and_read_back_on_the_ipv6_loopback() {
    for (value, read_back) in [("true", 1), ("false", 0)] {
        let mut server = Proc::start(&["--json", "udp", "serve", "--port", "0", "-6", "--v6only", value]);
        let step = server.event_with("step", "step", "set_option");
        assert_eq!(step["name"], "IPV6_V6ONLY");
        assert_eq!(step["value"], read_back);
    }
}

#[test]
fn a_family_flag_against_a_literal_of_the_other_family() {
    netplay()
        .args(["tcp", "connect", "-6", "127.0.0.1", "9"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("host '127.0.0.1' has no IPv6 (-6) address"));
}

#[test]
fn dual_stack_wildcard_shows_ipv4_peers_as_mapped() {
    let Some(ns) = Netns::new(None) else { return };
    for proto in ["tcp", "udp"] {
        // No --v6only: the OS default (0 on Linux) is read back and shown.
        let mut server = ns.start(&["--json", proto, "serve", "--port", "0", "--host", "::"]);
        let step = server.event_with("step", "step", "read_option");
        assert_eq!((step["name"].as_str(), step["value"].as_i64()), (Some("IPV6_V6ONLY"), Some(0)));
        let (mut server, addr) = bound(server);
        assert_eq!(addr.ip().to_string(), "::");
        let port = addr.port().to_string();
        let verb = if proto == "tcp" { "connect" } else { "send" };
        let out =
            ns.netplay().args(["--json", proto, verb, "127.0.0.1", &port, "-m", "v4"]).output().unwrap();
        assert!(out.status.success(), "{proto}: {}", String::from_utf8_lossy(&out.stderr));
        let peer = if proto == "tcp" {
            server.event("accepted")["peer"].as_str().unwrap().to_string()
        } else {
            server.event_with("datagram", "dir", "in")["peer"].as_str().unwrap().to_string()
        };
        assert!(peer.starts_with("[::ffff:127.0.0.1]:"), "{proto}: {peer}");
        // The same server, reached over IPv6.
        let out = ns.netplay().args(["--json", proto, verb, "::1", &port, "-m", "v6"]).output().unwrap();
        assert!(out.status.success(), "{proto}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn v6only_true_keeps_ipv4_peers_out() {
    let Some(ns) = Netns::new(None) else { return };
    for proto in ["tcp", "udp"] {
        let mut server =
            ns.start(&["--json", proto, "serve", "--port", "0", "--host", "::", "--v6only", "true"]);
        // (tcp serve sets SO_REUSEADDR first.)
        let step = server.event_with("step", "name", "IPV6_V6ONLY");
        assert_eq!((step["step"].as_str(), step["value"].as_i64()), (Some("set_option"), Some(1)));
        let (_server, addr) = bound(server);
        let port = addr.port().to_string();
        let refused = match proto {
            "tcp" => ns.netplay().args(["tcp", "connect", "127.0.0.1", &port, "-m", "v4"]).assert(),
            // A connected UDP socket hears the ICMP port unreachable.
            _ => ns
                .netplay()
                .args(["udp", "send", "--connect", "127.0.0.1", &port, "-m", "v4", "--wait", "5s"])
                .assert(),
        };
        refused.code(4).stderr(predicate::str::contains("connection refused"));
    }
}

#[test]
fn localhost_tries_each_address_and_reports_each_failure() {
    let Some(ns) = Netns::new(Some(BOTH_LOCALHOSTS)) else { return };
    // Nothing listens: both addresses fail, both are named.
    ns.netplay()
        .args(["--color", "never", "tcp", "connect", "localhost", "12345", "-m", "x"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains("▸ resolve localhost → ::1, 127.0.0.1"))
        .stdout(predicate::str::contains("✗ [::1]:12345: connection refused"))
        .stdout(predicate::str::contains("✗ 127.0.0.1:12345: connection refused"))
        .stderr(predicate::str::contains(
            "connect to localhost port 12345: [::1]:12345 connection refused, 127.0.0.1:12345 connection refused",
        ));

    // A server on IPv4 only: ::1 is refused, then 127.0.0.1 answers (the
    // fallback netcat users miss).
    let (mut server, addr) =
        bound(ns.start(&["--json", "tcp", "serve", "-4", "--port", "0", "--reply", "v4"]));
    let out = ns
        .netplay()
        .args(["--json", "tcp", "connect", "localhost", &addr.port().to_string(), "-m", "x"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let client = events(&out.stdout);
    let failed = named(&client, "connect_failed");
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["addr"].as_str().unwrap().starts_with("[::1]:"));
    assert_eq!(failed[0]["error"], "connection refused");
    assert_eq!(named(&client, "connected")[0]["peer"], addr.to_string());
    server.event("accepted");
}

#[test]
fn family_flags_pick_from_a_names_addresses() {
    let Some(ns) = Netns::new(Some(BOTH_LOCALHOSTS)) else { return };
    for (flag, want) in [("-4", "127.0.0.1:9"), ("-6", "[::1]:9")] {
        let out =
            ns.netplay().args(["--json", "udp", "send", flag, "localhost", "9", "-m", "x"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let client = events(&out.stdout);
        let resolve = named(&client, "step")[0];
        assert_eq!(resolve["addrs"], serde_json::json!([want]), "{flag}");
        assert_eq!(named(&client, "datagram")[0]["peer"], want);
    }
    // Without a flag UDP cannot fall back, and says so.
    ns.netplay()
        .args(["--color", "never", "udp", "send", "localhost", "9", "-m", "x"])
        .assert()
        .success()
        .stdout(predicate::str::contains("localhost has 2 addresses"))
        .stdout(predicate::str::contains("all go to the first, [::1]:9 (-4 or -6 picks the family)"));
}

#[test]
fn link_local_with_a_scope_id() {
    let Some(ns) = Netns::new(None) else { return };
    ns.ip(&["-6", "addr", "add", "fe80::1/64", "dev", "lo", "nodad"]);
    let (mut udp, addr) = bound(ns.start(&["--json", "udp", "serve", "--port", "0", "--host", "fe80::1%lo"]));
    assert_eq!(addr.to_string(), format!("[fe80::1%1]:{}", addr.port()));
    let out = ns
        .netplay()
        .args(["--color", "never", "udp", "send", "fe80::1%lo", &addr.port().to_string(), "-m", "scoped"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("▸ resolve fe80::1%lo → fe80::1%1"));
    assert_eq!(udp.event_with("datagram", "dir", "in")["hex"], hex(b"scoped"));

    let (mut tcp, addr) =
        bound(ns.start(&["--json", "tcp", "serve", "--port", "0", "--host", "fe80::1%lo", "--reply", "ok"]));
    ns.netplay()
        .args(["--raw", "tcp", "connect", &format!("[fe80::1%lo]:{}", addr.port()), "-m", "scoped"])
        .assert()
        .success()
        .stdout("ok");
    tcp.event("accepted");

    // A zone that names no interface is a usage error, never a lookup
    // (issue 18): the error says which name is unknown.
    ns.netplay()
        .args(["udp", "send", "fe80::1%nosuchif", "9", "-m", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'fe80::1%nosuchif': no interface is named 'nosuchif' here"));
}
