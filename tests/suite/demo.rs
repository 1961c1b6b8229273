//! netplay demo: the course's exchange over TCP then UDP, each end labelled,
//! and a table whose every value is measured in the run. The checks are on
//! what the protocols guarantee, never on timings.

use crate::common;

use std::time::Duration;

use common::{events, hex, named, netplay};
use predicates::prelude::*;
use serde_json::Value;

/// The events of one `netplay --json demo <args>` run.
fn demo(args: &[&str], patience: Duration) -> Vec<Value> {
    let mut cmd = netplay();
    cmd.timeout(patience).args(["--json", "demo"]).args(args);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    events(&out.stdout)
}

fn row<'a>(events: &'a [Value], name: &str) -> &'a Value {
    named(events, "demo_row")
        .into_iter()
        .find(|r| r["row"] == name)
        .unwrap_or_else(|| panic!("no {name} row"))
}

fn of<'a>(events: &'a [Value], part: &str, end: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["part"] == part && e["end"] == end).collect()
}

/// The hex of each `event` (data or datagram) going `dir`.
fn payloads(events: &[&Value], event: &str, dir: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == event && e["dir"] == dir)
        .map(|e| e["hex"].as_str().unwrap().to_string())
        .collect()
}

fn sum(values: &Value) -> u64 {
    values.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).sum()
}

#[test]
fn the_exchanges_then_a_table_computed_from_the_run() {
    let all = demo(&[], Duration::from_secs(30));
    let parts: Vec<&str> = named(&all, "demo_part").iter().map(|p| p["part"].as_str().unwrap()).collect();
    assert_eq!(parts, ["tcp_exchange", "udp_exchange", "table"]);

    // Part 1: the course's TCP exchange, both ends.
    let server = of(&all, "tcp_exchange", "server");
    let client = of(&all, "tcp_exchange", "client");
    let listen = server.iter().find(|e| e["event"] == "step" && e["step"] == "listen").unwrap();
    assert_eq!(listen["backlog"], 5);
    let data = |events: &[&Value], dir: &str| payloads(events, "data", dir);
    assert_eq!(data(&client, "out"), [hex(b"Hello serveur !")]);
    assert_eq!(data(&server, "in").concat(), hex(b"Hello serveur !"));
    assert_eq!(data(&server, "out"), [hex(b"Bonjour client !")]);
    assert_eq!(data(&client, "in").concat(), hex(b"Bonjour client !"));
    let connected = client.iter().find(|e| e["event"] == "connected").unwrap();
    let accepted = server.iter().find(|e| e["event"] == "accepted").unwrap();
    assert_eq!(connected["local"], accepted["peer"]);
    let tcp_listening = server.iter().find(|e| e["event"] == "listening").unwrap();

    // Part 2: the same over UDP.
    let server = of(&all, "udp_exchange", "server");
    let client = of(&all, "udp_exchange", "client");
    let datagrams = |events: &[&Value], dir: &str| payloads(events, "datagram", dir);
    assert_eq!(datagrams(&server, "in"), [hex(b"Hello serveur !")]);
    assert_eq!(datagrams(&client, "in"), [hex(b"Bonjour client !")]);
    assert!(server.iter().all(|e| e["event"] != "accepted"), "UDP accepts nothing");
    let sending_from = client.iter().find(|e| e["event"] == "sending_from").unwrap();
    let udp_listening = server.iter().find(|e| e["event"] == "listening").unwrap();

    // Part 3, each row consistent with what the protocols guarantee.
    let boundaries = row(&all, "boundaries");
    assert_eq!((boundaries["sends"].as_u64(), boundaries["size"].as_u64()), (Some(5), Some(10)));
    let tcp = &boundaries["tcp"];
    assert!((1..=5).contains(&tcp["calls"].as_u64().unwrap()), "{tcp}");
    assert_eq!((tcp["bytes"].as_u64(), sum(&tcp["lengths"])), (Some(50), 50));
    let udp = &boundaries["udp"];
    assert_eq!(udp["calls"], 5, "each send is one datagram: {udp}");
    assert_eq!(udp["lengths"], serde_json::json!([10, 10, 10, 10, 10]));

    let truncation = row(&all, "truncation");
    assert_eq!((truncation["message"].as_u64(), truncation["buffer"].as_u64()), (Some(3000), Some(1024)));
    let tcp = &truncation["tcp"];
    assert_eq!((tcp["bytes"].as_u64(), sum(&tcp["lengths"])), (Some(3000), 3000));
    assert!(tcp["calls"].as_u64().unwrap() >= 3, "1024 bytes at most per recv: {tcp}");
    assert!(tcp["lengths"].as_array().unwrap().iter().all(|n| n.as_u64().unwrap() <= 1024));
    let udp = &truncation["udp"];
    assert_eq!(udp["arrived"], serde_json::json!([3000]));
    assert_eq!(udp["lengths"], serde_json::json!([1024]));
    assert_eq!(udp["discarded"], 1976);

    let closed = row(&all, "closed_port");
    assert_eq!(closed["tcp"]["verdict"], "refused");
    assert_eq!(closed["tcp"]["error"], "connection refused");
    assert_eq!(closed["udp_unconnected"]["verdict"], "silent");
    assert_eq!(closed["udp_unconnected"]["sent"], 1);
    assert_eq!(closed["udp_connected"]["verdict"], "refused");
    assert_eq!(closed["udp_connected"]["sent"], 1, "the send succeeded; the refusal came after");

    let ports = row(&all, "client_ports");
    assert_eq!(ports["tcp_client"], connected["local"]);
    assert_eq!(ports["tcp_server"], tcp_listening["local"]);
    assert_eq!(ports["udp_client"], sending_from["local"]);
    assert_eq!(ports["udp_server"], udp_listening["local"]);
    assert!(named(&all, "demo_row").iter().all(|r| r["row"] != "impaired"), "no --loss, no row");
}

#[test]
fn people_see_labelled_ends_and_the_table() {
    netplay()
        .timeout(Duration::from_secs(30))
        .args(["--color", "never", "demo"])
        .assert()
        .success()
        .stdout(predicate::str::contains("━━ 1/3  TCP, the connected mode"))
        .stdout(predicate::str::contains("server │ ▸ listen(5)"))
        .stdout(predicate::str::contains("client │ ▸ connect(127.0.0.1:"))
        .stdout(predicate::str::contains("server │ ▸ no listen(), no accept()"))
        .stdout(predicate::str::contains("│Bonjour client !│"))
        .stdout(predicate::str::contains("TCP (SOCK_STREAM)"))
        .stdout(predicate::str::contains("3000 bytes arrived,"));
}

#[test]
fn step_without_a_terminal_says_so_and_goes_on() {
    netplay()
        .timeout(Duration::from_secs(30))
        .args(["--color", "never", "demo", "--step"])
        .write_stdin("")
        .assert()
        .success()
        .stdout(predicate::str::contains("stdin is not a terminal"))
        .stdout(predicate::str::contains("press Enter for part").not())
        .stdout(predicate::str::contains("━━ 3/3"));
}

#[test]
fn raw_makes_no_sense_for_the_demo() {
    netplay()
        .args(["--raw", "demo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--raw does not apply to the demo"));
}

#[test]
fn loss_and_delay_add_a_row_measured_or_skipped_with_its_reason() {
    // netem needs root, iproute2 and a kernel with sch_netem: where one is
    // missing, the row says which and the run still succeeds.
    let all = demo(&["--loss", "10", "--delay", "20"], Duration::from_secs(60));
    let impaired = row(&all, "impaired");
    assert_eq!((impaired["loss_percent"].as_f64(), impaired["delay_ms"].as_u64()), (Some(10.0), Some(20)));
    match impaired["outcome"].as_str().unwrap() {
        "skipped" => {
            let reason = impaired["reason"].as_str().unwrap();
            eprintln!("impaired row skipped: {reason}");
            assert!(!reason.is_empty());
        }
        "measured" => {
            let (tcp, udp) = (&impaired["tcp"], &impaired["udp"]);
            assert_eq!((tcp["delivered"].as_u64(), tcp["lost"].as_u64()), (tcp["sent"].as_u64(), Some(0)));
            assert_eq!(tcp["in_order"], true, "TCP delivers in order: {tcp}");
            let (sent, delivered, lost) = (
                udp["sent"].as_u64().unwrap(),
                udp["delivered"].as_u64().unwrap(),
                udp["lost"].as_u64().unwrap(),
            );
            assert_eq!(delivered + lost, sent, "{udp}");
        }
        other => panic!("unknown outcome {other}"),
    }
}
