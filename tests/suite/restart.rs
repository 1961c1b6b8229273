//! The restart every learner meets: stop `tcp serve` with Ctrl-C while a
//! client is connected, start it again on the same port. TCP servers set
//! SO_REUSEADDR by default, so the restart binds; `--no-reuse-addr` shows
//! the course's pitfall, and "address already in use" says what holds the
//! port: a program that listens (named, with its pid, where the system
//! lets us see), connections waiting in TIME_WAIT (how many, how long), or
//! for UDP a bound socket.
//!
//! What these tests check of Linux itself: a new listener binds while the
//! old connections are in TIME_WAIT when both set SO_REUSEADDR, and not
//! when either did not (TIME_WAIT keeps the old socket's setting).
//!
//! Unix only: it stops servers with SIGINT and SIGTERM; tests/suite/windows.rs
//! runs the Windows build.

#![cfg(unix)]

use crate::common;

use std::io::Read;
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Proc, netplay, tcp_server, udp_server};
use nix::sys::signal::Signal;
use predicates::prelude::*;

/// Connections on `port` in TIME_WAIT, as /proc/net/tcp lists them.
fn time_wait_on(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let local = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(1).is_some_and(|l| l.ends_with(&local)) && fields.get(3) == Some(&"06")
        })
        .count()
}

/// Runs `tcp serve --port 0 <args>`, connects a client, stops the server
/// with SIGINT while the client is connected, and lets the client close
/// after the server: the server's end of the connection is left in
/// TIME_WAIT. Returns the port.
fn serve_then_interrupt(args: &[&str]) -> u16 {
    let (mut server, addr) = tcp_server(args);
    let mut client = TcpStream::connect(addr).unwrap();
    server.event("accepted");
    server.signal(Signal::SIGINT);
    server.event("summary");
    assert_eq!(server.wait(), 0);
    // The server closed first; the client reads its FIN, then closes.
    client.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = client.read_to_end(&mut Vec::new());
    drop(client);
    let port = addr.port();
    for _ in 0..100 {
        if time_wait_on(port) > 0 {
            return port;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no connection in TIME_WAIT on port {port}: the scenario is not the one under test");
}

#[test]
fn a_restart_after_ctrl_c_with_a_client_connected_binds_by_default() {
    let port = serve_then_interrupt(&[]).to_string();
    let mut again = Proc::start(&["--json", "tcp", "serve", "--port", &port]);
    let step = again.event_with("step", "name", "SO_REUSEADDR");
    assert_eq!((step["step"].as_str(), step["value"].as_i64()), (Some("set_option"), Some(1)));
    let listening = again.event("listening");
    assert!(listening["local"].as_str().unwrap().ends_with(&format!(":{port}")));
}

#[test]
fn without_reuse_addr_the_restart_fails_and_the_hint_names_time_wait() {
    let port = serve_then_interrupt(&[]).to_string();
    netplay()
        .args(["--color", "never", "tcp", "serve", "--port", &port, "--no-reuse-addr"])
        .assert()
        .code(6)
        .stdout(predicate::str::contains("▸ SO_REUSEADDR = 0   (left off (--no-reuse-addr)"))
        .stderr(predicate::str::contains(format!("bind 127.0.0.1:{port}: address already in use;")))
        .stderr(predicate::str::contains("1 connection an earlier server closed waits in TIME_WAIT"))
        .stderr(predicate::str::contains("TIME_WAIT lasts 60s on this system"))
        .stderr(predicate::str::contains("drop --no-reuse-addr"))
        .stderr(predicate::str::contains("--reuse-addr if").not());
}

#[test]
fn time_wait_of_a_server_without_reuse_addr_holds_the_port_even_from_one_with_it() {
    let port = serve_then_interrupt(&["--no-reuse-addr"]).to_string();
    netplay()
        .args(["tcp", "serve", "--port", &port])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("1 connection an earlier server closed waits in TIME_WAIT"))
        .stderr(predicate::str::contains("left by a socket that had not set SO_REUSEADDR"));
}

#[test]
fn a_port_held_by_a_listening_netplay_names_it() {
    let (tcp, addr) = tcp_server(&[]);
    let port = addr.port().to_string();
    netplay()
        .args(["tcp", "serve", "--port", &port])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(format!("netplay --json tcp serve --port 0` (pid {})", tcp.pid())))
        .stderr(predicate::str::contains(format!("listens on TCP port {port}: stop it")))
        .stderr(predicate::str::contains("TIME_WAIT").not());

    let (udp, addr) = udp_server(&[]);
    let port = addr.port().to_string();
    netplay()
        .args(["udp", "serve", "--port", &port])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(format!(
            "(pid {}) has a socket bound to UDP port {port}",
            udp.pid()
        )))
        .stderr(predicate::str::contains("UDP has no TIME_WAIT"));
}

#[test]
fn a_holder_this_user_may_not_see_is_another_program() {
    let is_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    if !is_root {
        eprintln!("SKIPPED: needs root, to run the second server as another user");
        return;
    }
    let (_server, addr) = tcp_server(&[]);
    // The binary where nobody may run it.
    let dir = tempfile::tempdir().unwrap();
    // Copied by `cp` (ETXTBSY otherwise, instead of netplay's exit 6).
    let bin = common::public_copy(dir.path());
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
        .arg(&bin)
        .args(["tcp", "serve", "--port", &addr.port().to_string()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("another program (which one, this user may not see"), "{stderr}");
}

#[test]
fn reuse_addr_is_accepted_and_says_it_is_the_default() {
    let mut server = Proc::start(&["--json", "tcp", "serve", "--port", "0", "--reuse-addr"]);
    let note = server.event("notice");
    assert!(note["message"].as_str().unwrap().contains("--reuse-addr changes nothing now"), "{note}");
    server.event("listening");
}
