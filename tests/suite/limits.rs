//! Every duration and size is bounded where it is parsed: an absurd value
//! is one clear usage error (exit 2) naming the flag, the value and the
//! range allowed, never a server that accepts it and then panics at the
//! first connection (`--idle-timeout 1e19` once did: "overflow when adding
//! duration to instant").

use crate::common;

use std::time::Duration;

use common::{netplay, tcp_server};

/// Runs netplay with `args`; it must refuse them at once.
fn refused(args: &[&str], flag: &str, value: &str, range: &str) {
    let out = netplay().args(args).timeout(Duration::from_secs(3)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?} was not refused: {stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains(&format!("'{value}' for '{flag}")), "{args:?}: {first}");
    assert!(first.contains(range), "{args:?}: the range is not named: {first}");
}

#[test]
fn every_duration_flag_refuses_1e19() {
    let cases: &[(&[&str], &str, &str)] = &[
        (&["tcp", "serve", "--port", "0", "--idle-timeout", "1e19"], "--idle-timeout", "use 1ms to 7days"),
        (
            &["tcp", "connect", "127.0.0.1", "9", "--timeout", "1e19", "-m", "x"],
            "--timeout",
            "use 1ms to 7days",
        ),
        (&["udp", "send", "127.0.0.1", "9", "-m", "x", "--wait", "1e19"], "--wait", "use 0 to 7days"),
        (
            &["udp", "send", "127.0.0.1", "9", "-m", "x", "--count", "2", "--interval", "1e19"],
            "--interval",
            "use 0 to 7days",
        ),
        (&["tcp", "bench", "--local", "-t", "1e19"], "--time", "use 1ms to 1day"),
        (&["udp", "bench", "--local", "-t", "1e19"], "--time", "use 1ms to 1day"),
        (&["demo", "--loss", "1", "--delay", "1e19"], "--delay", "use 0 to 1000 (milliseconds)"),
    ];
    for (args, flag, range) in cases {
        refused(args, flag, "1e19", range);
    }
    // Too short, where 0 would give up before starting.
    refused(&["tcp", "serve", "--port", "0", "--idle-timeout", "0"], "--idle-timeout", "0", "too short");
}

#[test]
fn overflow_prone_sizes_are_refused_with_their_range() {
    refused(&["tcp", "serve", "--port", "0", "--queue", "16EiB"], "--queue", "16EiB", "64-bit count");
    refused(
        &["hex", "-s", "0x1ffffffffffffffff", "/dev/null"],
        "--skip",
        "0x1ffffffffffffffff",
        "64-bit count",
    );
    // SO_RCVBUF is a C int: 4 GiB would wrap to 0.
    refused(&["udp", "serve", "--port", "0", "--rcvbuf", "4GiB"], "--rcvbuf", "4GiB", "use 1 byte to 1GiB");
    refused(
        &["tcp", "connect", "127.0.0.1", "9", "--recv-size", "17M"],
        "--recv-size",
        "17M",
        "use 1 byte to 16MiB",
    );
    refused(&["tcp", "bench", "--local", "-n", "0"], "--bytes", "0", "use 1 byte or more");
}

#[test]
fn the_longest_idle_timeout_serves_connections() {
    // Where 1e19 made every connection panic, the longest allowed works.
    let (mut server, addr) = tcp_server(&["--idle-timeout", "7days", "--reply", "ok"]);
    netplay()
        .args(["--raw", "tcp", "connect", &addr.to_string(), "-m", "hi"])
        .assert()
        .success()
        .stdout("ok");
    server.event("accepted");
    server.event("closed");
}
