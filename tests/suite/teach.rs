//! Mistakes that teach: each slip a learner of the course makes (found by
//! trying netplay as one) gets one line saying what failed and what to do,
//! and the notes that answer what a learner wonders are there.

use crate::common;

use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use common::{PATIENCE, in_terminal, netplay, tcp_server, udp_server};
use predicates::prelude::*;

/// Exit 2 and one line on stderr that contains every one of `words`.
fn usage_error(args: &[&str], words: &[&str]) {
    let out = netplay().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    for word in words {
        assert!(stderr.contains(word), "{args:?}: {word:?} not in {stderr}");
    }
}

#[test]
fn netplay_alone_greets_with_what_to_try_first() {
    netplay()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("netplay demo").and(predicate::str::contains("netplay tcp serve")));
}

#[test]
fn a_server_takes_its_port_as_nc_does() {
    for proto in ["tcp", "udp"] {
        let (_server, addr) = common::bound(common::Proc::start(&["--json", proto, "serve", "0"]));
        assert_ne!(addr.port(), 0, "{proto}");
    }
    usage_error(&["tcp", "serve", "12345", "--port", "12346"], &["cannot be used with"]);
}

#[test]
fn slips_in_the_target_say_what_to_write() {
    usage_error(&["tcp", "connect", "12345", "127.0.0.1"], &["looks swapped", "127.0.0.1 12345"]);
    usage_error(&["tcp", "connect", "12345", "-m", "hi"], &["host is missing", "127.0.0.1 12345"]);
    usage_error(&["tcp", "connect", "::1:12345"], &["[::1]:12345"]);
    usage_error(&["tcp", "connect", "127.0.0.1", "0"], &["port 0", "let the OS choose"]);
    usage_error(&["udp", "send", "127.0.0.1", "0", "-m", "x"], &["port 0", "let the OS choose"]);
    usage_error(&["connect", "127.0.0.1", "12345"], &["netplay tcp connect", "netplay udp send"]);
    usage_error(
        &["--color", "never", "serve"],
        &["`netplay --color never tcp serve`", "`netplay --color never udp serve`"],
    );
    usage_error(&["tcp", "serve", "-port", "12345"], &["--port 12345"]);
}

#[test]
fn a_refused_connect_where_udp_is_bound_says_the_ports_are_separate() {
    let (_udp, addr) = udp_server(&[]);
    let out = netplay().args(["tcp", "connect", &addr.to_string(), "-m", "hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("TCP and UDP ports are separate") && stderr.contains("udp serve"), "{stderr}");

    let (_tcp, addr) = tcp_server(&[]);
    let out = netplay()
        .args(["udp", "send", "--connect", &addr.to_string(), "-m", "x", "--wait", "2s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("TCP and UDP ports are separate") && stderr.contains("a TCP server listens"),
        "{stderr}"
    );
}

/// The course's first server accepts and closes without reading: the
/// client's bytes are unread, so the close is a reset.
#[test]
fn a_reset_says_why_a_peer_resets() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        // Wait for the bytes to be there, then close without reading them.
        let mut peek = [0u8; 1];
        s.peek(&mut peek).unwrap();
        drop(s);
    });
    let out = netplay()
        .args(["tcp", "connect", &addr.to_string(), "--no-shutdown", "-m", "Hello serveur !"])
        .output()
        .unwrap();
    server.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8), "{stderr}");
    assert!(stderr.contains("bytes it has not read") && stderr.contains("recv()"), "{stderr}");
}

#[test]
fn an_ipv6_loopback_server_says_ipv4_clients_do_not_reach_it() {
    let out = netplay()
        .args(["--color", "never", "tcp", "serve", "-6", "--port", "0", "--once", "--idle-timeout", "10ms"])
        .timeout(Duration::from_secs(2))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("a client of 127.0.0.1 does not reach it"), "{stdout}");
}

#[test]
fn an_unbound_udp_sender_says_why_the_server_sees_another_address() {
    let (_server, addr) = udp_server(&[]);
    let out =
        netplay().args(["--color", "never", "udp", "send", &addr.to_string(), "-m", "hi"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0.0.0.0 means the socket is bound to no address of its own"), "{stdout}");
    assert!(stdout.contains("sees 127.0.0.1"), "{stdout}");
}

#[test]
fn quiet_says_a_refusal_once() {
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port().to_string();
    drop(free);
    let out = netplay().args(["-q", "tcp", "connect", "127.0.0.1", &port, "-m", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(!String::from_utf8_lossy(&out.stdout).contains('✗'));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

/// Under a soft limit below the hard one (64, as a laptop's shell may set),
/// where `--broadcast` raises it and says so (tests/suite/broadcast.rs), a plain
/// server says nothing of it (checked: with `--broadcast` added here, this
/// test fails). Without the `ulimit`, a machine whose soft limit is its
/// hard one would check nothing.
#[test]
fn a_plain_server_does_not_talk_about_open_files() {
    let mut server = std::process::Command::new("sh")
        .args(["-c", "ulimit -S -n 64 && exec \"$0\" \"$@\"", common::BIN])
        .args(["--json", "tcp", "serve", "--port", "0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(server.stdout.take().unwrap());
    let before: Vec<String> = std::io::BufRead::lines(stdout)
        .map_while(Result::ok)
        .take_while(|l| !l.contains("\"listening\""))
        .collect();
    let _ = server.kill();
    let _ = server.wait();
    assert!(!before.is_empty(), "the steps come before listening");
    assert!(before.iter().all(|l| !l.contains("open-file")), "{before:?}");
}

/// On a terminal, the interactive ends say what typing does.
#[test]
fn interactive_ends_say_what_typing_does() {
    let (_server, addr) = tcp_server(&["--reply", "ok"]);
    // The pseudo-terminal types Ctrl-D after half a second, ending the input.
    let text = in_terminal(80, &["tcp", "connect", &addr.to_string()]);
    assert!(text.contains("type lines to send them") && text.contains("Ctrl-D"), "{text}");
    let (_udp, addr) = udp_server(&[]);
    let text = in_terminal(80, &["udp", "send", &addr.to_string(), "--wait", "10ms"]);
    assert!(text.contains("each as one datagram"), "{text}");
}
