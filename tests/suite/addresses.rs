//! What cannot be a host is a usage error, said in one line and never sent
//! to a name resolver (issue 18, item 11): an address with its port where
//! only an address goes, digits and dots that are no IPv4 address, a zone
//! that names no interface. The proof is strace: the run opens none of the
//! resolver's files and connects to no port 53. Each run is in a network
//! namespace of its own (`unshare -n`, where allowed), so that even a
//! regression would send no query off the machine.

use crate::common;

use std::process::Command;

use common::{BIN, PATIENCE, can_unshare, have, netplay, offline};

/// Each malformed address, and words its one line must hold.
const MALFORMED: &[(&[&str], &str)] = &[
    (&["tcp", "connect", "127.0.0.1:12345", "12345"], "'127.0.0.1:12345' has its port (12345)"),
    (
        &["tcp", "connect", "127.0.0.1", "9", "--bind", "127.0.0.1:99999"],
        "--bind '127.0.0.1:99999' has a port",
    ),
    (&["tcp", "serve", "--host", "256.0.0.1"], "'256.0.0.1' is not an IPv4 address"),
    (&["tcp", "serve", "--host", "127.0.0.1:12345"], "--host '127.0.0.1:12345' has a port"),
    (&["tcp", "connect", "fe80::1%nosuchif", "9"], "no interface is named 'nosuchif'"),
    (&["tcp", "connect", "[fe80::1%nosuchif]:9"], "no interface is named 'nosuchif'"),
    (&["udp", "send", "fe80::1%nosuchif", "9", "-m", "x"], "no interface is named 'nosuchif'"),
    (&["udp", "serve", "--host", "fe80::1%nosuchif"], "no interface is named 'nosuchif'"),
    (&["udp", "send", "1.2.3", "9", "-m", "x"], "'1.2.3' is not an IPv4 address"),
    (&["udp", "send", "127.0.0.1", "9", "--bind", "::1::", "-m", "x"], "'::1::' is not an IPv6 address"),
    (&["tcp", "bench", "--serve", "--host", "999.1.1.1"], "'999.1.1.1' is not an IPv4 address"),
    (&["tcp", "connect", "exa mple.com", "80"], "'exa mple.com' is not a host name"),
];

#[test]
fn malformed_addresses_are_usage_errors() {
    for (args, words) in MALFORMED {
        let out = offline().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("netplay: ") && stderr.contains(words), "{args:?}: {stderr}");
        assert!(!stderr.contains("cannot resolve"), "{args:?}: {stderr}");
    }
}

/// What the resolver reads or where it sends: glibc opens nsswitch.conf,
/// /etc/hosts and resolv.conf, then sends to port 53.
fn looked_up(trace: &str) -> Option<&str> {
    trace.lines().find(|line| {
        line.contains("nsswitch.conf")
            || line.contains("/etc/hosts")
            || line.contains("resolv.conf")
            || line.contains("htons(53)")
            || line.contains("libnss_")
    })
}

#[test]
fn malformed_addresses_reach_no_resolver() {
    if !cfg!(target_os = "linux") || !have("strace") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, (args, _)) in MALFORMED.iter().enumerate() {
        let trace = dir.path().join(format!("{i}.trace"));
        let out = Command::new("timeout")
            .arg(PATIENCE.as_secs().to_string())
            .args(["strace", "-f", "-qq", "-e", "trace=openat,open,connect,sendto,sendmmsg", "-o"])
            .arg(&trace)
            .args(isolated())
            .args(*args)
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let trace = std::fs::read_to_string(&trace).unwrap();
        assert!(
            trace.contains("execve") || trace.contains("openat"),
            "{args:?}: strace saw nothing: {trace}"
        );
        if let Some(line) = looked_up(&trace) {
            panic!("{args:?} asked the resolver: {line}");
        }
    }
    // The check itself: a real name goes to the resolver, and strace sees it.
    let trace = dir.path().join("name.trace");
    let host = format!("{}.invalid", "a".repeat(64));
    let _ = Command::new("timeout")
        .arg(PATIENCE.as_secs().to_string())
        .args(["strace", "-f", "-qq", "-e", "trace=openat,open,connect,sendto", "-o"])
        .arg(&trace)
        .args(isolated())
        .args(["tcp", "connect", &host, "9"])
        .output()
        .unwrap();
    let trace = std::fs::read_to_string(&trace).unwrap();
    assert!(looked_up(&trace).is_some(), "a name lookup left no trace: {trace}");
}

/// The program and its first arguments: netplay, in a network namespace
/// of its own where allowed.
fn isolated() -> Vec<&'static str> {
    match can_unshare() {
        true => vec!["unshare", "-n", "--", BIN],
        false => vec![BIN],
    }
}

#[test]
fn a_bind_of_the_other_family_names_it_not_minus_4_or_6() {
    for proto in [&["tcp", "connect", "127.0.0.1", "9"][..], &["udp", "send", "127.0.0.1", "9", "-m", "x"]] {
        let out = netplay().args(proto).args(["--bind", "::1"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(!stderr.contains("-4/-6"), "neither -4 nor -6 was given: {stderr}");
        assert!(stderr.contains("--bind ::1 is IPv6"), "{stderr}");
        assert!(stderr.contains("bind an IPv4 address"), "{stderr}");
    }
}

/// A zone that names a real interface is read here, not by the resolver,
/// and reaches the socket: `fe80::1%lo` connects on loopback's index.
#[cfg(target_os = "linux")]
#[test]
fn a_zone_that_names_an_interface_is_its_index() {
    let out = netplay().args(["tcp", "connect", "fe80::1%lo", "9", "--timeout", "1s"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let index = std::fs::read_to_string("/sys/class/net/lo/ifindex").unwrap();
    assert!(stdout.contains(&format!("fe80::1%{}", index.trim())), "{stdout}");
}
