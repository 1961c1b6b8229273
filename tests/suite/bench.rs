//! tcp bench and udp bench: their counters on small runs over loopback.
//! Only counts are checked (exact, and no loss at a low rate), never a
//! speed.

use crate::common;

use common::{Proc, bound, events, named, netplay};
use predicates::prelude::*;
use serde_json::Value;

/// The result event of a finished `--json` bench run.
fn result(args: &[&str], event: &str) -> Value {
    let out = netplay().args(["--json"]).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let all = events(&out.stdout);
    assert!(named(&all, "bench_progress").is_empty(), "no progress lines on a pipe");
    named(&all, event).last().map(|e| (*e).clone()).unwrap_or_else(|| panic!("no {event} event"))
}

fn check_exact_udp(result: &Value, count: u64, size: u64) {
    assert_eq!(result["sent"]["calls"], count, "{result}");
    assert_eq!(result["sent"]["bytes"], count * size);
    assert_eq!(result["sent_by_peer"], count);
    let counts = &result["counts"];
    assert_eq!(
        (
            counts["received"].as_u64(),
            counts["lost"].as_u64(),
            counts["reordered"].as_u64(),
            counts["duplicated"].as_u64()
        ),
        (Some(count), Some(0), Some(0), Some(0)),
        "{result}"
    );
    assert_eq!(result["received"]["calls"], count);
    assert_eq!(result["received"]["bytes"], count * size);
}

#[test]
fn udp_local_at_a_low_rate_loses_nothing_and_counts_exactly() {
    let local =
        result(&["udp", "bench", "--local", "--count", "300", "--rate", "2M", "--size", "100"], "udp_bench");
    assert_eq!(local["side"], "local");
    assert_eq!(local["rate"], 2_000_000);
    check_exact_udp(&local, 300, 100);
}

#[test]
fn udp_without_offload_counts_the_same() {
    let args = ["udp", "bench", "--local", "--count", "300", "--rate", "2M", "--size", "64", "--no-offload"];
    check_exact_udp(&result(&args, "udp_bench"), 300, 64);
}

#[test]
fn udp_sender_and_receiver_in_two_processes() {
    let (mut server, addr) =
        bound(Proc::start(&["--json", "udp", "bench", "--serve", "--once", "--port", "0"]));
    let sender = result(
        &["udp", "bench", &addr.to_string(), "--count", "200", "--rate", "1M", "--size", "50"],
        "udp_bench",
    );
    assert_eq!(sender["side"], "sender");
    check_exact_udp(&sender, 200, 50);
    let receiver = server.event("udp_bench");
    assert_eq!(receiver["side"], "receiver");
    assert_eq!(receiver["peer"], sender["local"]);
    assert_eq!(receiver["sent_by_peer"], 200);
    assert_eq!(receiver["counts"], sender["counts"]);
    assert_eq!(server.wait(), 0, "--once: one sender, then exit");
}

#[test]
fn tcp_local_moves_exactly_the_bytes_asked() {
    let local = result(&["tcp", "bench", "--local", "--bytes", "8M", "--size", "100K"], "tcp_bench");
    assert_eq!(local["side"], "local");
    assert_eq!(local["sent"]["bytes"], 8 << 20);
    assert_eq!(local["received"]["bytes"], 8 << 20);
    assert_eq!(local["send_size"], 100 * 1024);
    assert!(local["received"]["calls"].as_u64().unwrap() >= 1);
}

#[test]
fn tcp_sender_and_receiver_in_two_processes() {
    let (mut server, addr) =
        bound(Proc::start(&["--json", "tcp", "bench", "--serve", "--once", "--port", "0"]));
    let sender = result(&["tcp", "bench", &addr.to_string(), "--bytes", "3M"], "tcp_bench");
    assert_eq!(
        (sender["sent"]["bytes"].as_u64(), sender["received"]["bytes"].as_u64()),
        (Some(3 << 20), Some(3 << 20))
    );
    let receiver = server.event("tcp_bench");
    assert_eq!(receiver["side"], "receiver");
    for field in ["bytes", "calls", "duration_us"] {
        assert_eq!(receiver["received"][field], sender["received"][field], "{field}");
    }
    assert_eq!(receiver["peer"], sender["local"]);
    assert_eq!(server.wait(), 0);
}

#[test]
fn on_a_pipe_people_get_the_summary_alone() {
    netplay()
        .args(["--color", "never", "-q", "tcp", "bench", "--local", "--bytes", "1M"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\r").not())
        .stdout(predicate::str::contains("● TCP bench 127.0.0.1:"))
        .stdout(predicate::str::contains("received  1.00 MiB in"));
    netplay()
        .args(["--color", "never", "-q", "udp", "bench", "--local", "--count", "10", "--rate", "1M"])
        .assert()
        .success()
        .stdout(predicate::str::contains("lost      0 of 10 sent (0.00%), reordered 0, duplicated 0"));
}

#[test]
fn a_sender_with_nobody_there_is_refused() {
    let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    netplay()
        .args(["udp", "bench", "127.0.0.1", &closed, "--count", "10"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("connection refused"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    netplay().args(["tcp", "bench", "127.0.0.1", &closed, "--bytes", "1K"]).assert().code(4);
}

#[test]
fn usage_errors() {
    netplay().args(["tcp", "bench"]).assert().code(2).stderr(predicate::str::contains(
        "which end? give HOST PORT to send, --serve to receive, or --local for both in this process",
    ));
    netplay()
        .args(["udp", "bench", "--local", "--once"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--once is for the receiver (--serve)"));
    netplay().args(["udp", "bench", "127.0.0.1", "9", "--port", "5"]).assert().code(2);
    netplay().args(["udp", "bench", "--serve", "--local"]).assert().code(2);
    netplay().args(["tcp", "bench", "--serve", "--bytes", "1M"]).assert().code(2);
    netplay()
        .args(["udp", "bench", "--local", "--size", "8"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--size 8 is out of range"));
    netplay()
        .args(["udp", "bench", "--local", "--rate", "fast"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'fast' is not a rate"));
}
