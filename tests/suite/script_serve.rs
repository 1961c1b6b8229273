//! `--script` on the server side: `tcp serve --script` plays the script
//! with each client it accepts (the course's own client.py passes
//! examples/scripts/course-server.np, a client that deviates fails at the
//! step it broke, exit code 9), counts each client's verdict in the
//! summary, and exits 9 at the stop when any failed; curl gets
//! examples/scripts/http-200.np's answer. `udp serve --script` plays one
//! run per conversation, answering the sender of the last datagram: dig
//! gets examples/scripts/dns-answer.np's answer, and dns-query.np (udp send
//! --script) passes against it and against a python3 DNS responder.

// The peers are Unix tools (python3, curl, dig), stopped by signals.
#![cfg(unix)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::{Child, Command, Output, Stdio};

use common::{PATIENCE, Proc, events, named, netplay};
use nix::sys::signal::Signal;

const SERVER: &str = "examples/scripts/course-server.np";

/// The course's client.py, sending `message` instead of b"Hello serveur !".
fn course_client(addr: SocketAddr, message: &str) -> Output {
    let code = common::COURSE_CLIENT.replace("b\"Hello serveur !\"", &format!("{message:?}.encode()"));
    Command::new("python3")
        .args(["-c", &code, &addr.port().to_string()])
        .output()
        .expect("python3 is installed (.ci/run installs it)")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_course_client_follows_the_server_script() {
    let mut server =
        Proc::start(&["--color", "never", "tcp", "serve", "--port", "0", "--once", "--script", SERVER]);
    let line = server.expect(|l| l.contains("listening on"));
    let addr: SocketAddr = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    let client = course_client(addr, "Hello serveur !");
    assert_eq!(text(&client.stdout).trim(), "Réponse du serveur : Bonjour client !", "{client:?}");
    server.expect(|l| l == "#1 ✓ line 3: < Hello serveur !");
    server.expect(|l| l == "#1 ✓ line 4: > Bonjour client !");
    server
        .expect(|l| l == "#1 ✓ examples/scripts/course-server.np: played to its end, every step as written");
    assert_eq!(server.wait(), 0);
}

#[test]
fn a_deviating_client_exits_9_naming_the_step() {
    let mut server =
        Proc::start(&["--color", "never", "tcp", "serve", "--port", "0", "--once", "--script", SERVER]);
    let line = server.expect(|l| l.contains("listening on"));
    let addr: SocketAddr = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    let client = course_client(addr, "Hello toi !");
    // The script answers nothing to a client that said something else: its
    // recv() reads the close.
    assert_eq!(text(&client.stdout).trim(), "Réponse du serveur :", "{client:?}");
    server.expect(|l| l == "#1 ✗ line 3: < Hello serveur !");
    server.expect(|l| l.contains("expected b'Hello serveur !' (15 bytes), came b'Hello toi !' (11 bytes)"));
    server.expect(|l| l.starts_with("#1 closed") && l.contains("the script stopped at line 3"));
    server.expect(|l| {
        l == "#1 ✗ examples/scripts/course-server.np: the client did not follow the script at line 3"
    });
    assert_eq!(server.wait(), 9);
    let stderr = server.rest_stderr().join("\n");
    assert!(
        stderr.starts_with(
            "netplay: examples/scripts/course-server.np:3: the peer did not follow the script: expected \
             b'Hello serveur !' (15 bytes), came b'Hello toi !' (11 bytes): they differ at offset 6"
        ),
        "{stderr}"
    );
}

/// A server of many clients: each client's verdict is its `script_end`
/// (with its connection), the summary counts them, and the stop exits 9
/// when any failed, 0 when none did.
#[test]
fn a_server_counts_each_clients_verdict_and_fails_at_the_stop_if_one_did() {
    for (messages, passed, failed, code) in [
        (&["Hello serveur !", "Hello toi !", "Hello serveur !"][..], 2, 1, 9),
        (&["Hello serveur !", "Hello serveur !"][..], 2, 0, 0),
    ] {
        let (mut server, addr) = common::tcp_server(&["--script", SERVER]);
        for (n, message) in messages.iter().enumerate() {
            let conn = n as u64 + 1;
            course_client(addr, message);
            let end = server.event("script_end");
            assert_eq!(end["conn"], conn, "{end}");
            let good = *message == "Hello serveur !";
            assert_eq!(end["exit_code"], if good { 0 } else { 9 }, "{end}");
            assert_eq!(end["line"].as_u64(), (!good).then_some(3), "{end}");
        }
        server.signal(Signal::SIGINT);
        let summary = server.event("summary");
        assert_eq!(summary["connections"], messages.len());
        assert_eq!(summary["scripts"]["passed"], passed, "{summary}");
        assert_eq!(summary["scripts"]["failed"], failed, "{summary}");
        let end = server.event("end");
        assert_eq!(end["exit_code"], code);
        assert_eq!(server.wait(), code);
        if code == 9 {
            let stderr = server.rest_stderr().join("\n");
            assert!(
                stderr.contains("1 of 3 clients did not follow the script examples/scripts/course-server.np"),
                "{stderr}"
            );
        }
    }
}

/// Clients are served at once unless --sequential: one that has not sent
/// its line yet does not hold up the next.
#[test]
fn clients_play_the_script_concurrently() {
    let (mut server, addr) = common::tcp_server(&["--script", SERVER]);
    let mut first = TcpStream::connect(addr).unwrap();
    first.set_read_timeout(Some(PATIENCE)).unwrap();
    server.event("accepted");
    let second = course_client(addr, "Hello serveur !");
    assert_eq!(text(&second.stdout).trim(), "Réponse du serveur : Bonjour client !");
    let end = server.event("script_end");
    assert_eq!((end["conn"].as_u64(), end["exit_code"].as_u64()), (Some(2), Some(0)));
    first.write_all(b"Hello serveur !").unwrap();
    let mut answer = Vec::new();
    first.read_to_end(&mut answer).unwrap();
    assert_eq!(answer, b"Bonjour client !");
    let end = server.event("script_end");
    assert_eq!((end["conn"].as_u64(), end["exit_code"].as_u64()), (Some(1), Some(0)));
}

/// A client that sends nothing fails the first step at --step-timeout; a
/// client cut by the server's stop is no failure of the client.
#[test]
fn step_timeout_fails_a_silent_client_and_a_stop_is_no_verdict() {
    let (mut server, addr) = common::tcp_server(&["--once", "--script", SERVER, "--step-timeout", "300ms"]);
    let _silent = TcpStream::connect(addr).unwrap();
    let step = server.event("script");
    assert_eq!((step["line"].as_u64(), step["outcome"].as_str()), (Some(3), Some("timeout")), "{step}");
    assert!(step["why"].as_str().unwrap().contains("in 300.0ms, only b'' (0 bytes) came"), "{step}");
    assert_eq!(server.wait(), 9);

    let (mut server, addr) = common::tcp_server(&["--script", SERVER]);
    let _silent = TcpStream::connect(addr).unwrap();
    server.event("accepted");
    server.signal(Signal::SIGTERM);
    let closed = server.event("closed");
    assert!(closed["reason"].as_str().unwrap().contains("stopping"), "{closed}");
    let summary = server.event("summary");
    assert_eq!(
        (summary["scripts"]["passed"].as_u64(), summary["scripts"]["failed"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(server.wait(), 0);
    let all: Vec<String> = server.seen().to_vec();
    assert!(!all.iter().any(|l| l.contains("\"event\":\"script\"")), "no step was played: {all:?}");
}

#[test]
fn script_conflicts_with_the_other_answers() {
    for other in [
        &["--echo"][..],
        &["--reply", "hi"],
        &["--broadcast"],
        &["--reply-once"],
        &["--half-close", "always"],
        &["--idle-timeout", "5s"],
        &["--stall-timeout", "1s"],
    ] {
        let out =
            netplay().args(["tcp", "serve", "--port", "0", "--script", SERVER]).args(other).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{other:?}");
        assert!(out.stdout.is_empty(), "no socket was made");
        assert!(text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
    }
    let out = netplay().args(["tcp", "serve", "--port", "0", "--step-timeout", "1s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    for other in [&["--echo"][..], &["--reply", "hi"], &["--allow", "127.0.0.1"]] {
        let out = netplay()
            .args(["udp", "serve", "--port", "0", "--script", "examples/scripts/dns-answer.np"])
            .args(other)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{other:?}");
        assert!(text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
    }
    // A mistake in the script: a usage error with file:line, before any socket.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.np");
    std::fs::write(&bad, "< Hello\n> \\q\n").unwrap();
    let out =
        netplay().args(["tcp", "serve", "--port", "0", "--script", bad.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("bad.np:2:3: \\q is not an escape"), "{}", text(&out.stderr));
}

/// curl against examples/scripts/http-200.np: curl accepts the answer and
/// prints the body; a client that speaks no HTTP fails the first step.
#[test]
fn curl_gets_the_canned_http_answer() {
    let (mut server, addr) = common::tcp_server(&["--once", "--script", "examples/scripts/http-200.np"]);
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-D", "-", &format!("http://{addr}/hello?x=1")])
        .output()
        .expect("curl is installed (.ci/run installs it)");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let answer = text(&out.stdout);
    assert!(answer.starts_with("HTTP/1.0 200 OK\r\n"), "{answer}");
    assert!(answer.contains("X-Path: /hello?x=1\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nHello, world!\n"), "{answer}");
    assert_eq!(server.event("script_end")["exit_code"], 0);
    assert_eq!(server.wait(), 0);

    let (mut server, addr) = common::tcp_server(&["--once", "--script", "examples/scripts/http-200.np"]);
    let mut client = TcpStream::connect(addr).unwrap();
    client.write_all(b"Hello serveur !\n").unwrap();
    let end = server.event("script_end");
    assert_eq!((end["exit_code"].as_u64(), end["line"].as_u64()), (Some(9), Some(6)), "{end}");
    assert_eq!(server.wait(), 9);
}

#[test]
fn the_french_server_names_the_steps_in_french() {
    let mut command = Command::new(common::BIN);
    command.env("LANG", "fr_FR.UTF-8").args(["--color", "never", "tcp", "serve", "--port", "0", "--once"]);
    command.args(["--script", SERVER]);
    let mut server = Proc::spawn(command);
    let line = server.expect(|l| l.contains("127.0.0.1:") && l.starts_with('●'));
    let addr: SocketAddr =
        line.split_whitespace().find(|w| w.starts_with("127.0.0.1:")).unwrap().parse().unwrap();
    course_client(addr, "Hello toi !");
    server.expect(|l| l == "#1 ✗ ligne 3\u{a0}: < Hello serveur !");
    server.expect(|l| {
        l == "#1 ✗ examples/scripts/course-server.np\u{a0}: le client n'a pas suivi le script à la ligne 3"
    });
    assert_eq!(server.wait(), 9);
}

/// --json: one `script` event a step, each with its connection.
#[test]
fn json_steps_carry_the_connection() {
    let (server, addr) = common::tcp_server(&["--once", "--script", SERVER]);
    course_client(addr, "Hello serveur !");
    let mut server = server;
    assert_eq!(server.wait(), 0);
    let rest = server.rest();
    let lines = server.seen().iter().chain(&rest);
    let all: Vec<u8> = lines.flat_map(|l| format!("{l}\n").into_bytes()).collect();
    let all = events(&all);
    let steps = named(&all, "script");
    assert_eq!(steps.len(), 2);
    assert!(steps.iter().all(|s| s["conn"] == 1 && s["outcome"] == "passed"));
    assert_eq!(steps[1]["bytes"], common::hex(b"Bonjour client !"));
    assert_eq!(all.last().unwrap()["event"], "end");
}

const ANSWER: &str = "examples/scripts/dns-answer.np";
const QUERY: &str = "examples/scripts/dns-query.np";

/// dig asks examples/scripts/dns-answer.np, served by `udp serve --script
/// --once`: NOERROR, the query's own ID (the capture step copied it; dig
/// drops an answer with another), and the answer record.
#[test]
fn dig_gets_the_scripted_dns_answer() {
    let (mut server, addr) = common::udp_server(&["--once", "--script", ANSWER]);
    let out = Command::new("dig")
        .args([&format!("@{}", addr.ip()), "-p", &addr.port().to_string(), "example.test"])
        .args(["+tries=1", "+timeout=2"])
        .output()
        .expect("dig is installed (.ci/run installs dnsutils)");
    let answer = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{answer}");
    assert!(answer.contains("status: NOERROR"), "{answer}");
    let record = answer.lines().find(|l| l.starts_with("example.test.") && l.contains("IN\tA")).unwrap();
    assert_eq!(
        record.split_whitespace().collect::<Vec<_>>(),
        ["example.test.", "60", "IN", "A", "127.0.0.1"]
    );
    let step = server.event("script");
    let id = step["bound"][0].clone();
    assert_eq!(id["name"], "id");
    let header = answer.lines().find(|l| l.contains("->>HEADER<<-")).unwrap();
    let dig_id: u16 = header.rsplit("id: ").next().unwrap().trim().parse().unwrap();
    let sent = server.event_with("datagram", "dir", "out");
    assert_eq!(&sent["hex"].as_str().unwrap()[..4], format!("{dig_id:04x}"), "{sent}");
    let end = server.event("script_end");
    assert_eq!((end["run"].as_u64(), end["exit_code"].as_u64()), (Some(1), Some(0)), "{end}");
    assert_eq!(server.wait(), 0);
}

#[test]
fn a_datagram_that_is_no_dns_query_fails_the_capture_step() {
    let (mut server, addr) = common::udp_server(&["--once", "--script", ANSWER]);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"Hello serveur !", addr).unwrap();
    let step = server.event("script");
    assert_eq!((step["line"].as_u64(), step["outcome"].as_str()), (Some(6), Some("mismatch")), "{step}");
    let end = server.event("script_end");
    assert_eq!((end["exit_code"].as_u64(), end["line"].as_u64()), (Some(9), Some(6)));
    let done = server.event("done");
    assert_eq!((done["scripts"]["passed"].as_u64(), done["scripts"]["failed"].as_u64()), (Some(0), Some(1)));
    assert_eq!(server.wait(), 9);
}

/// The two netplays: udp send --script dns-query.np against udp serve
/// --script dns-answer.np. Without --once the server plays a run per
/// query, and its stop counts them.
#[test]
fn the_dns_query_script_against_the_dns_answer_script() {
    let (mut server, addr) = common::udp_server(&["--script", ANSWER]);
    for run in 1..=2u64 {
        let out =
            netplay().args(["--json", "udp", "send", &addr.to_string(), "--script", QUERY]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let all = events(&out.stdout);
        let answer = named(&all, "script").into_iter().find(|s| s["line"] == 9).unwrap().clone();
        assert_eq!(answer["outcome"], "passed");
        // The answer record: a pointer to the question, A, IN, 60 s, 127.0.0.1.
        assert_eq!(
            answer["bound"][0]["value"],
            "b'\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x00<\\x00\\x04\\x7f\\x00\\x00\\x01'"
        );
        let end = server.event("script_end");
        assert_eq!((end["run"].as_u64(), end["exit_code"].as_u64()), (Some(run), Some(0)));
    }
    server.signal(Signal::SIGINT);
    let done = server.event("done");
    assert_eq!(done["signal"], "SIGINT");
    assert_eq!((done["scripts"]["passed"].as_u64(), done["scripts"]["failed"].as_u64()), (Some(2), Some(0)));
    assert_eq!((done["received"].as_u64(), done["sent"].as_u64()), (Some(2), Some(2)));
    assert_eq!(server.wait(), 0);
}

/// A DNS responder of a few python3 lines: `mode` "follow" answers as a
/// server should, "deviate" with another ID.
const DNS_RESPONDER: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); s.settimeout(10)
print(s.getsockname()[1], flush=True)
query, peer = s.recvfrom(512)
(qid,) = struct.unpack('>H', query[:2])
question = query[12:]
if sys.argv[1] != 'follow':
    qid ^= 0xffff
answer = struct.pack('>HHHHHH', qid, 0x8180, 1, 1, 0, 0) + question
answer += struct.pack('>HHHIH4s', 0xc00c, 1, 1, 60, 4, socket.inet_aton('127.0.0.1'))
s.sendto(answer, peer)
"#;

fn python_responder(mode: &str) -> (Child, String) {
    let mut child = Command::new("python3")
        .args(["-c", DNS_RESPONDER, mode])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is installed");
    let mut port = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut port).unwrap();
    (child, port.trim().to_string())
}

#[test]
fn the_dns_query_script_against_a_python_responder() {
    for (mode, code) in [("follow", 0), ("deviate", 9)] {
        let (mut child, port) = python_responder(mode);
        let out = netplay()
            .args(["--color", "never", "udp", "send", &format!("127.0.0.1:{port}"), "--script", QUERY])
            .output()
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
        if code == 9 {
            let stderr = text(&out.stderr);
            assert!(
                stderr.starts_with("netplay: examples/scripts/dns-query.np:9: the peer did not follow"),
                "{stderr}"
            );
            assert!(text(&out.stdout).contains("✗ line 9: <regex"), "{}", text(&out.stdout));
        }
    }
}

/// `udp send --script --packets`: the capture learns the port the script's
/// socket got at its first sendto(), so another client of the same server
/// is not shown as this one (it was: the capture knew only the server's
/// port). The run's `end` counts the script's bytes (it said 0).
#[cfg(target_os = "linux")]
#[test]
fn the_capture_of_a_udp_script_shows_its_own_socket_only() {
    use netplay::capture::{Capture, CaptureError, CaptureOptions, HEADERS_ONLY};
    let options = CaptureOptions { interface: "lo".into(), ports: vec![9], snaplen: HEADERS_ONLY };
    match Capture::open(&options) {
        Ok(_) => {}
        Err(CaptureError::NotPermitted) => {
            println!("SKIPPED: packet capture needs CAP_NET_RAW (run the tests as root)");
            return;
        }
        Err(e) => panic!("capture: {e}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ping.np");
    std::fs::write(&path, "> ping\n< ping\n< last\n").unwrap();
    let (mut server, addr) = common::udp_server(&["--echo"]);
    let mut client = Proc::start(&[
        "--json",
        "udp",
        "send",
        &addr.to_string(),
        "--packets",
        "--script",
        path.to_str().unwrap(),
    ]);
    let from = client.event("sending_from");
    let port: u16 = from["local"].as_str().unwrap().parse::<SocketAddr>().unwrap().port();
    client.event_with("datagram", "dir", "in");
    // Another client of the same server, while the script waits.
    let other = UdpSocket::bind("127.0.0.1:0").unwrap();
    other.set_read_timeout(Some(PATIENCE)).unwrap();
    other.send_to(b"other", addr).unwrap();
    let mut buf = [0; 16];
    assert_eq!(other.recv(&mut buf).unwrap(), 5);
    other.send_to(b"last", ("127.0.0.1", port)).unwrap();
    assert_eq!(client.wait(), 0);
    let rest = client.rest();
    let lines = client.seen().iter().chain(&rest);
    let all = events(&lines.flat_map(|l| format!("{l}\n").into_bytes()).collect::<Vec<u8>>());
    let packets = named(&all, "packet");
    let other_port = other.local_addr().unwrap().port().to_string();
    assert!(packets.len() >= 2, "{packets:?}");
    for packet in &packets {
        let ends = format!("{} {}", packet["from"], packet["to"]);
        assert!(ends.contains(&format!(":{port}\"")), "a packet of another socket: {packet}");
        assert!(!ends.contains(&format!(":{other_port}\"")), "{packet}");
    }
    let end = all.last().unwrap();
    assert_eq!((end["bytes_in"].as_u64(), end["bytes_out"].as_u64()), (Some(8), Some(4)), "{end}");
    server.signal(Signal::SIGINT);
    assert_eq!(server.wait(), 0);
}

/// tcp connect --script's `end` counts the script's bytes (it said 0).
#[test]
fn the_end_of_a_scripted_client_counts_its_bytes() {
    let mut server = Command::new("python3")
        .args(["-c", common::COURSE_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is installed");
    let mut port = String::new();
    BufReader::new(server.stdout.as_mut().unwrap()).read_line(&mut port).unwrap();
    let out = netplay()
        .args(["--json", "tcp", "connect", &format!("127.0.0.1:{}", port.trim())])
        .args(["--script", "examples/scripts/course-client.np"])
        .output()
        .unwrap();
    let _ = server.wait();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let all = events(&out.stdout);
    let end = all.last().unwrap();
    assert_eq!((end["bytes_in"].as_u64(), end["bytes_out"].as_u64()), (Some(16), Some(15)), "{end}");
}

/// The human summary counts the verdicts, after the clients' own lines.
#[test]
fn the_human_summary_counts_the_verdicts() {
    let mut server = Proc::start(&["--color", "never", "tcp", "serve", "--port", "0", "--script", SERVER]);
    let line = server.expect(|l| l.contains("listening on"));
    let addr: SocketAddr = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    course_client(addr, "Hello serveur !");
    server.expect(|l| l.starts_with("#1 ✓ examples/scripts/course-server.np: played to its end"));
    course_client(addr, "Bonjour");
    server.expect(|l| l.starts_with("#2 ✗ examples/scripts/course-server.np: the client did not follow"));
    server.signal(Signal::SIGINT);
    server.expect(|l| l.starts_with("■ stopped by SIGINT"));
    let totals = server.expect(|l| l.starts_with("  2 connections"));
    assert!(totals.ends_with(", script: 1 passed, 1 failed"), "{totals}");
    assert_eq!(server.wait(), 9);
}

/// --sequential: the next client's script begins once the current one's
/// has ended (its verdict comes before the next `accepted`).
#[test]
fn sequential_plays_one_client_at_a_time() {
    let (mut server, addr) = common::tcp_server(&["--sequential", "--script", SERVER]);
    let mut first = TcpStream::connect(addr).unwrap();
    first.set_read_timeout(Some(PATIENCE)).unwrap();
    server.event("accepted");
    // The second connects (the kernel completes it in the accept queue)
    // and sends at once; it is not accepted while the first is served.
    let mut second = TcpStream::connect(addr).unwrap();
    second.set_read_timeout(Some(PATIENCE)).unwrap();
    second.write_all(b"Hello serveur !").unwrap();
    first.write_all(b"Hello serveur !").unwrap();
    let mut answer = Vec::new();
    first.read_to_end(&mut answer).unwrap();
    assert_eq!(answer, b"Bonjour client !");
    let mut answer = Vec::new();
    second.read_to_end(&mut answer).unwrap();
    assert_eq!(answer, b"Bonjour client !");
    let first_end = server.event("script_end");
    assert_eq!(first_end["conn"], 1);
    let next = server.event("accepted");
    assert_eq!(next["conn"], 2);
    let second_end = server.event("script_end");
    assert_eq!((second_end["conn"].as_u64(), second_end["exit_code"].as_u64()), (Some(2), Some(0)));
}

/// A stop during a long `sleep` step ends the server at once, UDP and TCP
/// (udp serve slept the whole minute before it could stop).
#[test]
fn a_stop_during_a_sleep_step_does_not_wait_for_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.np");
    std::fs::write(&path, "< go\nsleep 60s\n> done\n").unwrap();
    let path = path.to_str().unwrap();
    let (mut server, addr) = common::udp_server(&["--script", path]);
    UdpSocket::bind("127.0.0.1:0").unwrap().send_to(b"go", addr).unwrap();
    assert_eq!(server.event("script")["line"], 1);
    server.signal(Signal::SIGINT);
    let done = server.event("done");
    assert_eq!((done["scripts"]["passed"].as_u64(), done["scripts"]["failed"].as_u64()), (Some(0), Some(0)));
    // PATIENCE (10 s), not the minute the step asked for.
    assert_eq!(server.wait(), 0);

    let (mut server, addr) = common::tcp_server(&["--script", path]);
    let mut client = TcpStream::connect(addr).unwrap();
    client.write_all(b"go").unwrap();
    assert_eq!(server.event("script")["line"], 1);
    server.signal(Signal::SIGINT);
    let closed = server.event("closed");
    assert!(closed["reason"].as_str().unwrap().contains("stopping"), "{closed}");
    assert_eq!(server.wait(), 0);
}
