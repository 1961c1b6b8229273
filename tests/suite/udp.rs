//! udp serve and udp send, against each other and against plain peers (std
//! sockets, python3's socket module). Loopback only, ports from port 0, every
//! receive bounded by a timeout.

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use common::{PATIENCE, Proc, bound, events, hex, named, netplay, udp_server};
use predicates::prelude::*;

/// A std UDP socket on `addr` (port 0) whose receives time out.
fn std_peer_on(addr: &str) -> UdpSocket {
    let socket = UdpSocket::bind(addr).unwrap();
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    socket
}

fn std_peer() -> UdpSocket {
    std_peer_on("127.0.0.1:0")
}

/// A UDP port on 127.0.0.1 that nothing is bound to
/// ([`common::closed_port`]).
fn closed_port() -> String {
    common::closed_port().to_string()
}

fn recv(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0u8; 70_000];
    let (n, from) = socket.recv_from(&mut buf).expect("a datagram within PATIENCE");
    buf.truncate(n);
    (buf, from)
}

/// True when no datagram comes to `socket` within a short while.
fn nothing_arrives(socket: &UdpSocket) -> bool {
    socket.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut buf = [0u8; 16];
    socket.recv_from(&mut buf).is_err()
}

fn port_of(addr: &serde_json::Value) -> u16 {
    addr.as_str().unwrap().parse::<SocketAddr>().unwrap().port()
}

fn dir<'a>(events: &'a [serde_json::Value], dir: &str) -> Vec<&'a serde_json::Value> {
    named(events, "datagram").into_iter().filter(|e| e["dir"] == dir).collect()
}

#[test]
fn serve_and_send_exchange_the_course_messages() {
    let (mut server, addr) = udp_server(&["--reply", "Bonjour client !"]);
    let out = netplay()
        .args(["--json", "udp", "send", &addr.to_string(), "-m", "Hello serveur !", "--wait", "2s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let client = events(&out.stdout);

    let from = named(&client, "sending_from")[0];
    assert_eq!((from["connected"].as_bool(), from["ephemeral"].as_bool()), (Some(false), Some(true)));
    let sent = dir(&client, "out");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["hex"], hex(b"Hello serveur !"));
    assert_eq!(sent[0]["peer"], addr.to_string());
    let replies = dir(&client, "in");
    assert_eq!(replies.len(), 1, "{client:?}");
    assert_eq!(replies[0]["hex"], hex(b"Bonjour client !"));
    assert_eq!(replies[0]["peer"], addr.to_string());

    let got = server.event_with("datagram", "dir", "in");
    assert_eq!(got["hex"], hex(b"Hello serveur !"));
    assert_eq!((got["arrived"].as_u64(), got["len"].as_u64()), (Some(15), Some(15)));
    // The server sees the ephemeral port the client's OS chose at its
    // first sendto(), which the client reported.
    assert_eq!(port_of(&got["peer"]), port_of(&from["local"]));
    let answer = server.event_with("datagram", "dir", "out");
    assert_eq!(answer["peer"], got["peer"]);

    let done = named(&client, "done")[0];
    assert_eq!((done["sent"].as_u64(), done["received"].as_u64()), (Some(1), Some(1)));
    assert_eq!((done["bytes_out"].as_u64(), done["bytes_in"].as_u64()), (Some(15), Some(16)));
}

#[test]
fn serve_shows_no_listen_no_accept_and_each_datagram() {
    let mut server = Proc::start(&["--color", "never", "udp", "serve", "--port", "0", "--once", "--explain"]);
    server.expect(|l| l.contains("python: sock = socket(AF_INET, SOCK_DGRAM)"));
    server.expect(|l| l.contains("python: sock.bind(('127.0.0.1', 0))"));
    server.expect(|l| l.starts_with("▸ no listen(), no accept()"));
    server.expect(|l| l.contains("python: # no sock.listen(), no sock.accept()"));
    server.expect(|l| l.contains("UDP has none"));
    let line = server.expect(|l| l.starts_with("● bound to 127.0.0.1:"));
    let port: u16 = line.split(':').nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();

    let peer = std_peer();
    peer.send_to(b"Hello serveur !", ("127.0.0.1", port)).unwrap();
    let sender = peer.local_addr().unwrap();
    server.expect(|l| l.starts_with(&format!("← datagram #1 from {sender}: 15 bytes")));
    server.expect(|l| l.contains("one datagram is one message, whole"));
    server.expect(|l| l.contains("python: data, address = sock.recvfrom(65536)"));
    server.expect(|l| l.starts_with("00000000  48 65 6c 6c 6f 20 73 65  72 76 65 75 72 20 21"));
    assert_eq!(server.wait(), 0);
}

#[test]
fn send_says_the_port_came_at_the_first_sendto_and_nothing_confirms_delivery() {
    let peer = std_peer();
    let port = peer.local_addr().unwrap().port().to_string();
    let out = netplay()
        .args(["--color", "never", "--explain", "udp", "send", "127.0.0.1", &port, "-m", "Hello serveur !"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (got, from) = recv(&peer);
    assert_eq!(got, b"Hello serveur !");
    for want in [
        "python: sock = socket(AF_INET, SOCK_DGRAM)".to_string(),
        format!("● sending from 0.0.0.0:{} to 127.0.0.1:{port} (UDP, not connected)", from.port()),
        "ephemeral: the OS chose it at the first sendto()".to_string(),
        "nothing tells the sender whether anyone receives a datagram".to_string(),
        format!("python: sock.sendto(b'Hello serveur !', ('127.0.0.1', {port}))"),
        format!("→ datagram #1 to 127.0.0.1:{port}: 15 bytes"),
        "nothing came back, and that proves nothing".to_string(),
    ] {
        assert!(text.contains(&want), "{want:?} missing from:\n{text}");
    }
    assert!(!text.contains("listen("), "{text}");
    // Issue 20: the port is said to come from the first sendto() after
    // that datagram's line, not before it was sent.
    let sent = text.find(&format!("→ datagram #1 to 127.0.0.1:{port}")).unwrap();
    let chosen = text.find("the OS chose it at the first sendto()").unwrap();
    assert!(sent < chosen, "the port's origin before the sendto that gave it:\n{text}");
}

const COURSE_UDP_SERVER: &str = r#"
from socket import socket, AF_INET, SOCK_DGRAM

sock = socket(AF_INET, SOCK_DGRAM)
sock.bind(('127.0.0.1', 0))
sock.settimeout(10)
print(sock.getsockname()[1], flush=True)

data, address = sock.recvfrom(1024)
print(f"Données reçues : {data.decode()}", flush=True)
sock.sendto(b"Bonjour client !", address)
"#;

const COURSE_UDP_CLIENT: &str = r#"
import sys
from socket import socket, AF_INET, SOCK_DGRAM

sock = socket(AF_INET, SOCK_DGRAM)
sock.settimeout(10)
sock.sendto(b"Hello serveur !", ('127.0.0.1', int(sys.argv[1])))
data, address = sock.recvfrom(1024)
print(f"Réponse du serveur : {data.decode()}")
"#;

#[test]
fn a_python_udp_server_answers_netplay_send() {
    let mut python = Command::new("python3")
        .args(["-c", COURSE_UDP_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is installed (.ci/run installs it)");
    let mut out = BufReader::new(python.stdout.take().unwrap());
    let mut port = String::new();
    out.read_line(&mut port).unwrap();
    netplay()
        .args(["--raw", "udp", "send", "127.0.0.1", port.trim(), "-m", "Hello serveur !", "--wait", "2s"])
        .assert()
        .success()
        .stdout("Bonjour client !");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest.trim(), "Données reçues : Hello serveur !");
    assert!(python.wait().unwrap().success());
}

#[test]
fn a_python_udp_client_gets_netplay_serves_reply() {
    let (mut server, addr) = udp_server(&["--reply", "Bonjour client !"]);
    let out = Command::new("python3")
        .args(["-c", COURSE_UDP_CLIENT, &addr.port().to_string()])
        .output()
        .expect("python3 is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Réponse du serveur : Bonjour client !");
    assert_eq!(server.event("datagram")["hex"], hex(b"Hello serveur !"));
}

#[test]
fn a_datagram_longer_than_recv_size_reports_both_lengths() {
    let (mut server, addr) = udp_server(&["--recv-size", "10", "--echo"]);
    let peer = std_peer();
    peer.send_to(b"0123456789abcdefghijklmno", addr).unwrap();
    let got = server.event_with("datagram", "dir", "in");
    assert_eq!((got["arrived"].as_u64(), got["len"].as_u64()), (Some(25), Some(10)));
    assert_eq!(got["hex"], hex(b"0123456789"));
    // The rest is gone: the echo carries the 10 bytes kept.
    assert_eq!(recv(&peer).0, b"0123456789");

    let mut human = Proc::start(&["--color", "never", "udp", "serve", "--port", "0", "--recv-size", "10"]);
    let line = human.expect(|l| l.starts_with("● bound to"));
    let port: u16 = line.split(':').nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    peer.send_to(b"0123456789abcdefghijklmno", ("127.0.0.1", port)).unwrap();
    human.expect(|l| l.contains(": 25 bytes arrived, 10 kept, 15 discarded (longer than --recv-size 10)"));
}

#[test]
fn a_reply_longer_than_the_clients_recv_size_is_reported_too() {
    let peer = std_peer();
    let addr = peer.local_addr().unwrap();
    let answering = thread::spawn(move || {
        let (_, from) = recv(&peer);
        peer.send_to(b"a reply of 24 bytes here", from).unwrap();
    });
    let out = netplay()
        .args(["--json", "udp", "send", &addr.to_string(), "-m", "q", "--recv-size", "4", "--wait", "2s"])
        .output()
        .unwrap();
    answering.join().unwrap();
    let reply = dir(&events(&out.stdout), "in")[0].clone();
    assert_eq!((reply["arrived"].as_u64(), reply["len"].as_u64()), (Some(24), Some(4)));
    assert_eq!(reply["hex"], hex(b"a re"));
}

#[test]
fn connect_to_a_closed_port_is_refused_while_sendto_hears_nothing() {
    let port = closed_port();
    netplay()
        .args(["udp", "send", "--connect", "127.0.0.1", &port, "-m", "anyone?", "--wait", "5s"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(format!("127.0.0.1:{port}: connection refused")))
        .stderr(predicate::str::contains("ICMP port unreachable"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    netplay()
        .args(["--color", "never", "udp", "send", "127.0.0.1", &port, "-m", "anyone?", "--wait", "500ms"])
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("nothing tells the sender"))
        .stdout(predicate::str::contains("nothing came back within 500.0ms, and that proves nothing"));
}

#[test]
fn a_refusal_stops_the_datagrams_still_to_send() {
    // The refusal of datagram 1 comes back within a millisecond; datagram 2
    // was due 30 s later. It must not be sent. It used to be: the sender
    // slept through its pause, sent datagram 2, and only the refusal of
    // that one, at datagram 3's send(), ended the run (here: killed at
    // 10 s, still in the first pause).
    let port = closed_port();
    let out = netplay()
        .args(["--json", "udp", "send", "--connect", "127.0.0.1", &port, "-m", "x"])
        .args(["--count", "3", "--interval", "30s", "--wait", "1s"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert_eq!(dir(&events(&out.stdout), "out").len(), 1, "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn wait_shows_a_reply_that_comes_after_the_last_datagram() {
    let peer = std_peer();
    let addr = peer.local_addr().unwrap();
    let mut client = Proc::start(&["--json", "udp", "send", &addr.to_string(), "-m", "ping", "--wait", "3s"]);
    let (_, from) = recv(&peer);
    // After the client's last (and only) datagram: once it says it waits,
    // and then late, half a second into its wait. That half second is the
    // scenario (a reply that comes late), not a wait for anything: a
    // client whose wait ended early has gone by then. (It was counted from
    // the datagram's arrival, which under load may come before the client
    // has finished sending.)
    assert_eq!(client.event("waiting")["wait_us"], 3_000_000);
    thread::sleep(Duration::from_millis(500));
    peer.send_to(b"late", from).unwrap();
    let reply = client.event_with("datagram", "dir", "in");
    assert_eq!(reply["hex"], hex(b"late"));
    assert_eq!(reply["peer"], addr.to_string());
    assert_eq!(client.wait(), 0);
    let rest = client.rest();
    assert!(!rest.iter().any(|l| l.contains(r#""dir":"in""#)), "{rest:#?}");
}

/// True once no thread of process `pid` is named `name` (its end is
/// seen in /proc), or false after PATIENCE.
fn thread_ended(pid: u32, name: &str) -> bool {
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::time::Instant::now() < deadline {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return true };
        let named = tasks.flatten().any(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| comm.trim_end() == name)
        });
        if !named {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn the_longest_wait_waits_on() {
    let peer = std_peer();
    let addr = peer.local_addr().unwrap().to_string();
    // The longest --wait allowed (1e19 seconds, which would overflow the
    // clock, is refused: tests/suite/limits.rs): netplay must wait, not panic.
    let mut client = Proc::start(&["--json", "udp", "send", &addr, "-m", "x", "--wait", "7days"]);
    client.event("waiting");
    let (_, from) = recv(&peer);
    // Past the moment the receiver computes the end of its wait, which it
    // does on each turn once its "send" thread has ended: that thread gone,
    // a reply is taken and one more turn taken before a second is (a fixed
    // 300 ms stood here).
    assert!(thread_ended(client.pid(), "send"), "the sending thread never ended");
    peer.send_to(b"first", from).unwrap();
    assert_eq!(client.event_with("datagram", "dir", "in")["hex"], hex(b"first"));
    peer.send_to(b"still here", from).unwrap();
    assert_eq!(client.event_with("datagram", "dir", "in")["hex"], hex(b"still here"));
}

/// A server that answers from a second socket, then from the one the
/// client sent to.
fn answer_from_two_addresses() -> (SocketAddr, thread::JoinHandle<()>) {
    let peer = std_peer();
    let other = std_peer();
    let addr = peer.local_addr().unwrap();
    let answering = thread::spawn(move || {
        let (_, from) = recv(&peer);
        other.send_to(b"other", from).unwrap();
        peer.send_to(b"same", from).unwrap();
    });
    (addr, answering)
}

#[test]
fn a_connected_socket_hears_only_its_peer() {
    let (addr, answering) = answer_from_two_addresses();
    let out = netplay()
        .args(["--json", "udp", "send", &addr.to_string(), "-m", "hi", "--wait", "1s"])
        .output()
        .unwrap();
    answering.join().unwrap();
    let heard: Vec<String> =
        dir(&events(&out.stdout), "in").iter().map(|e| e["hex"].as_str().unwrap().to_string()).collect();
    assert_eq!(heard, vec![hex(b"other"), hex(b"same")]);

    let (addr, answering) = answer_from_two_addresses();
    let out = netplay()
        .args(["--json", "udp", "send", "--connect", &addr.to_string(), "-m", "hi", "--wait", "1s"])
        .output()
        .unwrap();
    answering.join().unwrap();
    assert!(out.status.success());
    let client = events(&out.stdout);
    let from = named(&client, "sending_from")[0];
    assert_eq!(from["connected"], true);
    let heard: Vec<&serde_json::Value> = dir(&client, "in");
    assert_eq!(heard.len(), 1, "{client:?}");
    assert_eq!(heard[0]["hex"], hex(b"same"));
}

#[test]
fn many_senders_share_the_one_socket() {
    let (mut server, addr) = udp_server(&["--echo"]);
    let peers: Vec<UdpSocket> = (0..3).map(|_| std_peer()).collect();
    for (i, p) in peers.iter().enumerate() {
        p.send_to(format!("sender {i}").as_bytes(), addr).unwrap();
    }
    for (i, p) in peers.iter().enumerate() {
        assert_eq!(recv(p), (format!("sender {i}").into_bytes(), addr));
    }
    let mut seen: Vec<String> = (0..3)
        .map(|_| server.event_with("datagram", "dir", "in")["peer"].as_str().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = peers.iter().map(|p| p.local_addr().unwrap().to_string()).collect();
    seen.sort();
    want.sort();
    assert_eq!(seen, want);
}

#[test]
fn once_answers_one_datagram_then_exits() {
    let (mut server, addr) = udp_server(&["--once", "--reply", "ok"]);
    let peer = std_peer();
    peer.send_to(b"x", addr).unwrap();
    assert_eq!(recv(&peer).0, b"ok");
    assert_eq!(server.wait(), 0);
    let done = server.event("done");
    assert_eq!((done["received"].as_u64(), done["sent"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn stdin_is_one_datagram_per_line_or_one_in_all() {
    let peer = std_peer();
    let addr = peer.local_addr().unwrap().to_string();
    netplay().args(["-q", "udp", "send", &addr]).write_stdin("one\r\ntwo\n\nthree").assert().success();
    for want in [&b"one"[..], b"two", b"", b"three"] {
        assert_eq!(recv(&peer).0, want);
    }
    netplay()
        .args(["-q", "udp", "send", &addr, "--stdin-datagram"])
        .write_stdin("one\ntwo\n")
        .assert()
        .success();
    assert_eq!(recv(&peer).0, b"one\ntwo\n");
    assert!(nothing_arrives(&peer));
}

#[test]
fn a_stdin_line_too_long_stops_before_it_is_sent() {
    let peer = std_peer();
    let addr = peer.local_addr().unwrap().to_string();
    let input = format!("ok\n{}\nnever\n", "x".repeat(65_508));
    netplay()
        .args(["-q", "udp", "send", &addr])
        .write_stdin(input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stdin line 2 is 65508 bytes, more than the 65507"));
    assert_eq!(recv(&peer).0, b"ok");
    assert!(nothing_arrives(&peer));
}

#[test]
fn file_is_one_datagram_and_too_big_a_file_is_an_error() {
    let peer = std_peer();
    let addr = peer.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let fits = dir.path().join("fits.bin");
    let big = dir.path().join("big.bin");
    std::fs::write(&fits, vec![0xab; 65_507]).unwrap();
    std::fs::write(&big, vec![0xab; 70_000]).unwrap();

    netplay().args(["-q", "udp", "send", &addr, "--file"]).arg(&fits).assert().success();
    assert_eq!(recv(&peer).0, vec![0xab; 65_507]);

    netplay()
        .args(["udp", "send", &addr, "--file"])
        .arg(&big)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "--file {} is 70000 bytes, more than the 65507 a datagram may carry over IPv4",
            big.display()
        )))
        .stderr(predicate::str::contains("it was not sent"));
    assert!(nothing_arrives(&peer));
}

#[test]
fn the_largest_datagram_per_family_goes_and_one_byte_more_does_not() {
    for (bind, max, family) in [("127.0.0.1:0", 65_507, "IPv4"), ("[::1]:0", 65_527, "IPv6")] {
        let peer = std_peer_on(bind);
        let addr = peer.local_addr().unwrap().to_string();
        netplay().args(["-q", "udp", "send", &addr, "-m", &"x".repeat(max)]).assert().success();
        assert_eq!(recv(&peer).0.len(), max);
        netplay()
            .args(["udp", "send", &addr, "-m", "first", "-m", &"x".repeat(max + 1)])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "message 2 is {} bytes, more than the {max} a datagram may carry over {family}",
                max + 1
            )));
        // Checked before anything is sent: not even the first message went.
        assert!(nothing_arrives(&peer), "{family}");
    }
}

#[test]
fn count_and_interval_repeat_the_input() {
    let (mut server, addr) = udp_server(&[]);
    // (-m and --hex now combine, in order: tests/suite/netcat.rs.)
    let out = netplay()
        .args([
            "--json",
            "udp",
            "send",
            &addr.to_string(),
            "-m",
            "a",
            "-m",
            "b",
            "--count",
            "2",
            "--interval",
            "20ms",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let seqs: Vec<u64> =
        dir(&events(&out.stdout), "out").iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    let got: Vec<String> = (0..4)
        .map(|_| server.event_with("datagram", "dir", "in")["hex"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, vec![hex(b"a"), hex(b"b"), hex(b"a"), hex(b"b")]);
}

#[test]
fn json_events_carry_every_documented_field() {
    let (mut server, addr) = udp_server(&["--once", "--echo"]);
    let out = netplay()
        .args(["--json", "udp", "send", &addr.to_string(), "-m", "A", "--wait", "1s"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(server.wait(), 0);
    let server_events = events(server.rest().join("\n").as_bytes());
    let client = events(&out.stdout);

    let got = dir(&server_events, "in")[0];
    for key in ["dir", "peer", "seq", "elapsed_us", "arrived", "len", "hex"] {
        assert!(!got[key].is_null(), "datagram.{key} in {got}");
    }
    let sent = dir(&client, "out")[0];
    assert!(sent["arrived"].is_null(), "only received datagrams have arrived: {sent}");
    assert_eq!(
        (sent["seq"].as_u64(), sent["len"].as_u64(), sent["hex"].as_str()),
        (Some(1), Some(1), Some("41"))
    );
    let from = named(&client, "sending_from")[0];
    for key in ["local", "peer", "connected", "ephemeral"] {
        assert!(!from[key].is_null(), "sending_from.{key}");
    }
    assert_eq!(named(&client, "waiting")[0]["wait_us"], 1_000_000);
    let done = named(&client, "done")[0];
    for key in ["sent", "received", "bytes_out", "bytes_in", "duration_us"] {
        assert!(!done[key].is_null(), "done.{key}");
    }
    let steps: Vec<&str> = named(&client, "step").iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, vec!["resolve", "socket"]);
    assert_eq!(named(&client, "step")[1]["proto"], "udp");
}

#[test]
fn the_udp_listening_event_has_no_backlog() {
    let mut server = Proc::start(&["--json", "udp", "serve", "--port", "0"]);
    let socket = server.event_with("step", "step", "socket");
    assert_eq!((socket["proto"].as_str(), socket["role"].as_str()), (Some("udp"), Some("server")));
    let listening = server.event("listening");
    assert_eq!(listening["proto"], "udp");
    assert!(listening.get("backlog").is_none(), "{listening}");
}

#[test]
fn raw_writes_only_the_payload() {
    let mut server = Proc::start(&["--raw", "udp", "serve", "--port", "0", "--once"]);
    let line = server.expect_stderr(|l| l.contains("bound to 127.0.0.1:"));
    let port: u16 = line.split("127.0.0.1:").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    std_peer().send_to(b"raw\x00bytes\n", ("127.0.0.1", port)).unwrap();
    assert_eq!(server.wait(), 0);
    // Nothing but the payload on stdout.
    assert_eq!(server.rest(), vec!["raw\0bytes".to_string()]);
}

/// `--raw udp serve --once < file`: the one datagram's answer is all of
/// stdin, as `tcp serve --raw --once < file` sends the whole file. The run
/// used to end at the datagram, while the stdin thread had sent some of
/// the file or none, and its summary counted what it had seen so far
/// (peer: 319,488 of 1,000,000 bytes, summary: 2 datagrams, exit 0).
/// Here stdin is written only after the datagram, so a run that ends at
/// it sends nothing; the summary counts what the peer got.
#[test]
fn raw_once_sends_all_of_stdin_and_counts_it() {
    use std::io::Write;
    let mut server =
        Proc::start_piped(&["--color", "never", "--raw", "udp", "serve", "--port", "0", "--once"]);
    let line = server.expect_stderr(|l| l.contains("bound to 127.0.0.1:"));
    let port: u16 = line.split("127.0.0.1:").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let peer = std_peer();
    peer.send_to(b"question\n", ("127.0.0.1", port)).unwrap();
    server.expect(|l| l == "question");
    let file: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let mut stdin = server.stdin.take().unwrap();
    for chunk in file.chunks(2_000) {
        // A server that already ended refuses the rest: the peer's bytes say so.
        let _ = stdin.write_all(chunk).and_then(|()| stdin.flush());
    }
    drop(stdin);
    let (mut got, mut datagrams) = (Vec::new(), 0);
    let mut buf = [0u8; 65_536];
    while got.len() < file.len() {
        match peer.recv(&mut buf) {
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                datagrams += 1;
            }
            Err(e) => panic!("the peer got {} of {} bytes, then {e}", got.len(), file.len()),
        }
    }
    assert!(got == file, "the peer's bytes are not the file's");
    assert_eq!(server.wait(), 0);
    let stderr = server.rest_stderr().join("\n");
    let plural = if datagrams == 1 { "" } else { "s" };
    assert!(stderr.contains(&format!(": {datagrams} datagram{plural} sent (")), "{stderr}");
}

#[test]
fn ipv6_loopback_serve_and_send() {
    let (mut server, addr) = udp_server(&["-6", "--echo"]);
    assert_eq!(addr.ip().to_string(), "::1");
    let out = netplay()
        .args(["--json", "udp", "send", &format!("[::1]:{}", addr.port()), "-m", "six", "--wait", "1s"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let client = events(&out.stdout);
    assert_eq!(named(&client, "step")[1]["family"], "ipv6");
    assert_eq!(dir(&client, "in")[0]["hex"], hex(b"six"));
    let got = server.event_with("datagram", "dir", "in");
    assert!(got["peer"].as_str().unwrap().starts_with("[::1]:"), "{got}");
}

#[test]
fn an_ipv4_sender_to_an_ipv6_socket_shows_as_ipv4_mapped() {
    // Binding the IPv4-mapped loopback address on an IPv6 socket is
    // dual-stack on loopback only (the wildcard :: is tested in a network
    // namespace in tests/ipv6.rs).
    let mut server = Proc::start(&["--json", "udp", "serve", "--port", "0", "--host", "::ffff:127.0.0.1"]);
    let step = server.event_with("step", "step", "read_option");
    assert_eq!((step["name"].as_str(), step["value"].as_i64()), (Some("IPV6_V6ONLY"), Some(0)));
    let (mut server, addr) = bound(server);
    let peer = std_peer();
    peer.send_to(b"from v4", ("127.0.0.1", addr.port())).unwrap();
    let got = server.event_with("datagram", "dir", "in");
    assert_eq!(got["peer"], format!("[::ffff:127.0.0.1]:{}", peer.local_addr().unwrap().port()));

    let mut human =
        Proc::start(&["--color", "never", "udp", "serve", "--port", "0", "--host", "::ffff:127.0.0.1"]);
    let line = human.expect(|l| l.starts_with("● bound to"));
    let port: u16 = line.rsplit(':').next().unwrap().split(' ').next().unwrap().parse().unwrap();
    peer.send_to(b"from v4", ("127.0.0.1", port)).unwrap();
    human.expect(|l| l.contains("(IPv4-mapped: the IPv4 peer 127.0.0.1): 7 bytes"));
}

#[test]
fn bad_input_is_named_with_its_exit_code() {
    let unknown = "a".repeat(64) + ".invalid";
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["udp", "send", "127.0.0.1", "70000", "-m", "x"], 2, "port 70000 is out of range"),
        (vec!["udp", "send", "127.0.0.1:http", "-m", "x"], 2, "port 'http' is not a number"),
        (vec!["udp", "send", "::1", "-m", "x"], 2, "is an IPv6 address without a port"),
        (vec!["udp", "send", &unknown, "9", "-m", "x"], 3, "cannot resolve host"),
        (vec!["udp", "send", "-4", "::1", "9", "-m", "x"], 3, "host '::1' has no IPv4 (-4) address"),
        (vec!["udp", "send", "-6", "127.0.0.1", "9", "-m", "x"], 3, "has no IPv6 (-6) address"),
        (
            vec!["udp", "serve", "--v6only", "true"],
            2,
            "--v6only applies to IPv6 sockets, and 127.0.0.1 is IPv4",
        ),
        (vec!["udp", "serve", "-4", "--host", "0.0.0.0", "--v6only", "false"], 2, "--v6only applies to IPv6"),
        (vec!["udp", "send", "127.0.0.1:9", "--count", "2"], 2, "stdin lines are sent once"),
    ];
    for (args, code, message) in cases {
        netplay()
            .args(&args)
            .write_stdin("")
            .assert()
            .code(code)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
    // Values clap rejects: its own message, still exit code 2.
    for (args, message) in [
        (vec!["udp", "serve", "--port", "http"], "'http' is not a number"),
        (vec!["udp", "send", "127.0.0.1:9", "-m", "x", "--count", "0"], "--count 0 would send nothing"),
        (vec!["udp", "send", "127.0.0.1:9", "-m", "x", "--wait", "soon"], "'soon' is not a duration"),
        (vec!["udp", "send", "127.0.0.1:9", "--hex", "0g"], "'g' at position 2 is not a hex digit"),
        (vec!["udp", "serve", "--recv-size", "0"], "a receive size of 0 would read nothing"),
    ] {
        netplay().args(&args).assert().code(2).stderr(predicate::str::contains(message));
    }
}
