//! Every `--json` run ends with exactly one `end` event (issue 19, section
//! 3): the process's real exit code and the run's totals, whatever ended
//! it; a failure is an `error` event just before it. Before, a refused or
//! reset client left no final event, a resolve failure nothing on stdout,
//! and TCP's totals were `summary`, UDP's `done`.

use crate::common;

use std::io::Write;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::{Command, Stdio};

use common::{BIN, PATIENCE, Proc, netplay};
use serde_json::Value;

/// The JSON lines of a run's stdout.
fn events(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}")))
        .collect()
}

/// Checks the run ends with one `end`, the last line, whose exit code is
/// the process's; returns it.
fn the_end(stdout: &[u8], code: i32) -> Value {
    let events = events(stdout);
    let ends: Vec<&Value> = events.iter().filter(|e| e["event"] == "end").collect();
    assert_eq!(ends.len(), 1, "one end event: {events:#?}");
    let last = events.last().unwrap();
    assert_eq!(last["event"], "end", "end is the last line: {events:#?}");
    assert_eq!(last["exit_code"], code, "the process's exit code: {events:#?}");
    if code != 0 {
        let before = &events[events.len() - 2];
        assert_eq!(before["event"], "error", "the failure just before it: {events:#?}");
    }
    last.clone()
}

fn run(args: &[&str]) -> (i32, Vec<u8>) {
    let out = netplay().args(args).timeout(PATIENCE).output().unwrap();
    (out.status.code().unwrap_or(-1), out.stdout)
}

#[test]
fn a_refused_connect_ends_with_4() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let (code, stdout) = run(&["--json", "tcp", "connect", "127.0.0.1", &port, "-m", "hi"]);
    assert_eq!(code, 4);
    let end = the_end(&stdout, 4);
    assert_eq!((end["bytes_in"].as_u64(), end["bytes_out"].as_u64()), (Some(0), Some(0)));
}

#[test]
fn a_resolve_failure_ends_with_3_for_a_client_and_a_server() {
    // A 64-character label is invalid in DNS: the resolver fails at once,
    // without a query leaving this machine.
    let host = format!("{}.invalid", "a".repeat(64));
    let (code, stdout) = run(&["--json", "tcp", "connect", &host, "80", "-m", "hi"]);
    the_end(&stdout, code);
    assert_eq!(code, 3);
    // A server resolves its --host before it starts.
    let (code, stdout) = run(&["--json", "tcp", "serve", "--host", &host, "--port", "0"]);
    the_end(&stdout, code);
    assert_eq!(code, 3);
    let (code, stdout) = run(&["--json", "udp", "send", &host, "9", "-m", "hi"]);
    the_end(&stdout, code);
    assert_eq!(code, 3);
}

/// `tcp serve --once` whose client resets: exit 8, an `error`, then `end`;
/// the `closed` event's TCP_INFO says when it was read (`read_us`, before
/// the reset) rather than pass off ESTABLISHED as the state at the close.
#[test]
fn a_reset_ends_with_8_and_tcp_info_says_when_it_was_read() {
    let mut server = Proc::start(&["--json", "tcp", "serve", "--port", "0", "--once"]);
    let port = server.event("listening")["local"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let mut client = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    client.write_all(b"hi").unwrap();
    server.event("data");
    socket2::SockRef::from(&client).set_linger(Some(std::time::Duration::ZERO)).unwrap();
    drop(client);
    let closed = server.event("closed");
    assert_eq!(closed["reason"], "connection reset by peer", "{closed}");
    if cfg!(target_os = "linux") {
        let info = &closed["tcp_info"];
        let said_when = info["read_us"].as_u64().is_some_and(|at| at < closed["time_us"].as_u64().unwrap());
        assert!(info["state"] != "ESTABLISHED" || said_when, "{closed}");
    }
    let error = server.event("error");
    assert!(error["message"].as_str().unwrap().contains("reset"), "{error}");
    let end = server.event("end");
    assert_eq!((end["exit_code"].as_u64(), end["bytes_in"].as_u64()), (Some(8), Some(2)));
    assert_eq!(server.wait(), 8);
}

/// A client's exchange: `end` carries the totals the `closed` event has,
/// and exit 0; the server's `end` the mirror image.
#[test]
fn an_exchange_ends_with_its_totals() {
    let mut server =
        Proc::start(&["--json", "tcp", "serve", "--port", "0", "--once", "--reply", "Bonjour client !"]);
    let port = server.event("listening")["local"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let (code, stdout) = run(&["--json", "tcp", "connect", "127.0.0.1", &port, "-m", "Hello serveur !"]);
    assert_eq!(code, 0);
    let end = the_end(&stdout, 0);
    assert_eq!((end["bytes_out"].as_u64(), end["bytes_in"].as_u64()), (Some(15), Some(16)));
    let end = server.event("end");
    assert_eq!(
        (end["exit_code"].as_u64(), end["bytes_in"].as_u64(), end["bytes_out"].as_u64()),
        (Some(0), Some(15), Some(16))
    );
    assert_eq!(server.wait(), 0);
}

/// UDP ends the same way: after `done`, which stays.
#[test]
fn udp_ends_after_done() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port().to_string();
    let (code, stdout) = run(&["--json", "udp", "send", "127.0.0.1", &port, "-m", "ping", "-m", "pong!"]);
    assert_eq!(code, 0);
    let end = the_end(&stdout, 0);
    assert_eq!(end["bytes_out"].as_u64(), Some(9));
    let events = events(&stdout);
    assert_eq!(events[events.len() - 2]["event"], "done");
}

/// `tcp serve` stopped by a signal: `summary` stays, `end` follows it.
#[cfg(unix)]
#[test]
fn a_server_stopped_by_a_signal_ends_after_its_summary() {
    use std::io::Read;
    use std::net::Shutdown;
    let mut server = Proc::start(&["--json", "tcp", "serve", "--port", "0"]);
    let port = server.event("listening")["local"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let mut client = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    client.write_all(b"abc").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let _ = client.read_to_end(&mut Vec::new());
    server.event("closed");
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.event("summary");
    let end = server.event("end");
    assert_eq!((end["exit_code"].as_u64(), end["bytes_in"].as_u64()), (Some(0), Some(3)));
    assert_eq!(server.wait(), 0);
}

/// A benchmark and the demo end the same way.
#[test]
fn a_benchmark_and_the_demo_end_too() {
    let (code, stdout) = run(&["--json", "tcp", "bench", "--local", "--bytes", "1M"]);
    assert_eq!(code, 0);
    let end = the_end(&stdout, 0);
    assert!(end["bytes_out"].as_u64() >= Some(1 << 20), "{end}");
    let out = Command::new(BIN)
        .args(["--json", "demo"])
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    the_end(&out.stdout, out.status.code().unwrap());
}
