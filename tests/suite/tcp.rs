//! tcp serve and tcp connect, against each other and against plain peers
//! (std sockets, python3's socket module, nc). Loopback only, port 0.

use crate::common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{COURSE_CLIENT, COURSE_SERVER, PATIENCE, Proc, hex, netplay, tcp_server};
use predicates::prelude::*;
use sha2::{Digest, Sha256};

/// A std listener on 127.0.0.1:0 whose accepted sockets time out.
fn std_listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    (listener, port)
}

fn accept(listener: &TcpListener) -> TcpStream {
    let (stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

fn connect(addr: std::net::SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

#[test]
fn serve_and_connect_exchange_the_course_messages() {
    let (mut server, addr) = tcp_server(&["--reply", "Bonjour client !"]);
    let out = netplay()
        .args(["--json", "tcp", "connect", &addr.to_string(), "-m", "Hello serveur !"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let client = String::from_utf8(out.stdout).unwrap();
    assert!(client.contains(&format!("\"hex\":\"{}\"", hex(b"Bonjour client !"))), "{client}");
    assert!(client.contains("\"event\":\"shutdown\""));
    assert!(client.contains("\"event\":\"eof\""));

    let accepted = server.event("accepted");
    let connected: serde_json::Value = client
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["event"] == "connected")
        .unwrap();
    // The server sees the client's ephemeral port, the client sees it too.
    assert_eq!(accepted["peer"], connected["local"]);
    assert_eq!(accepted["local"], connected["peer"]);

    let data = server.event("data");
    assert_eq!(data["dir"], "in");
    assert_eq!(data["len"], 15);
    assert_eq!(data["offset"], 0);
    assert_eq!(data["hex"], hex(b"Hello serveur !"));
    server.event("eof");
    let closed = server.event("closed");
    assert_eq!(closed["bytes_in"], 15);
    assert_eq!(closed["bytes_out"], 16);
}

#[test]
fn human_output_shows_steps_addresses_and_dump() {
    let (listener, port) = std_listener();
    let peer = thread::spawn(move || {
        let mut s = accept(&listener);
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        s.write_all("fête".as_bytes()).unwrap();
    });
    netplay()
        .args(["tcp", "connect", "127.0.0.1", &port, "-m", "Hello serveur !", "--color", "never"])
        .assert()
        .success()
        .stdout(predicate::str::contains("▸ socket(AF_INET, SOCK_STREAM)"))
        .stdout(predicate::str::contains(format!("▸ connect(127.0.0.1:{port})")))
        .stdout(predicate::str::contains("ephemeral port"))
        .stdout(predicate::str::contains(
            "00000000  48 65 6c 6c 6f 20 73 65  72 76 65 75 72 20 21     │Hello serveur ! │",
        ))
        .stdout(predicate::str::contains("66 c3 aa 74 65"))
        .stdout(predicate::str::contains("│fête"))
        .stdout(predicate::str::contains("\x1b[").not());
    peer.join().unwrap();
}

#[test]
fn colour_follows_the_flag() {
    let (listener, port) = std_listener();
    let peer = thread::spawn(move || {
        let mut s = accept(&listener);
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
    });
    netplay()
        .args(["tcp", "connect", "127.0.0.1", &port, "-m", "A", "--color", "always"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b[36m41"));
    peer.join().unwrap();
}

#[test]
fn connect_half_closes_and_prints_the_answer_sent_after_eof() {
    let (listener, port) = std_listener();
    let peer = thread::spawn(move || {
        let mut s = accept(&listener);
        let mut request = Vec::new();
        // The answer goes out only after the client's half-close (EOF).
        s.read_to_end(&mut request).unwrap();
        s.write_all(b"got: ").unwrap();
        s.write_all(&request).unwrap();
        request
    });
    netplay()
        .args(["--raw", "tcp", "connect", &format!("127.0.0.1:{port}"), "-m", "part1 ", "-m", "part2"])
        .assert()
        .success()
        .stdout("got: part1 part2");
    assert_eq!(peer.join().unwrap(), b"part1 part2");
}

#[test]
fn no_shutdown_keeps_the_write_side_open() {
    let (listener, port) = std_listener();
    let peer = thread::spawn(move || {
        let mut s = accept(&listener);
        s.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        // No EOF follows: the next read times out instead of returning 0.
        let next = s.read(&mut buf);
        assert!(next.is_err(), "expected no EOF, got {next:?}");
        s.write_all(b"bye").unwrap();
        n
    });
    netplay()
        .args(["--raw", "tcp", "connect", "127.0.0.1", &port, "-m", "hi", "--no-shutdown"])
        .assert()
        .success()
        .stdout("bye");
    assert_eq!(peer.join().unwrap(), 2);
}

#[test]
fn serve_answers_a_std_client_and_keeps_offsets_across_chunks() {
    let (mut server, addr) = tcp_server(&["--echo"]);
    let mut client = connect(addr);
    client.write_all(b"0123456789").unwrap();
    let first = server.event_with("data", "dir", "in");
    client.write_all(b"abcdef").unwrap();
    let second = server.event_with("data", "dir", "in");
    assert_eq!((first["offset"].as_u64(), first["chunk"].as_u64()), (Some(0), Some(1)));
    assert_eq!((second["offset"].as_u64(), second["chunk"].as_u64()), (Some(10), Some(2)));
    client.shutdown(Shutdown::Write).unwrap();
    let mut echoed = Vec::new();
    client.read_to_end(&mut echoed).unwrap();
    assert_eq!(echoed, b"0123456789abcdef");
}

#[test]
fn serve_handles_clients_at_the_same_time() {
    let (mut server, addr) = tcp_server(&["--echo"]);
    // Three clients connected at once; each is answered while the others
    // stay open, so they are not served one after another.
    let mut clients: Vec<TcpStream> = (0..3).map(|_| connect(addr)).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.write_all(format!("client {i}").as_bytes()).unwrap();
    }
    for (i, c) in clients.iter_mut().enumerate() {
        let mut buf = [0u8; 8];
        c.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, format!("client {i}").as_bytes());
    }
    // Each connection's task reports its own accept, so the three events
    // may come in any order; the numbers are 1, 2 and 3 all the same.
    let mut conns: Vec<u64> = (0..3).map(|_| server.event("accepted")["conn"].as_u64().unwrap()).collect();
    conns.sort();
    assert_eq!(conns, vec![1, 2, 3]);
}

#[test]
fn a_client_reset_does_not_stop_the_server() {
    let (mut server, addr) = tcp_server(&["--echo"]);
    {
        let client = connect(addr);
        // SO_LINGER 0 makes close() send a reset instead of a FIN.
        socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO)).unwrap();
        server.event("accepted");
    }
    let closed = server.event("closed");
    assert!(closed["reason"].as_str().unwrap().contains("reset"), "{closed}");
    // Still serving.
    let mut again = connect(addr);
    again.write_all(b"still there?").unwrap();
    let mut buf = [0u8; 12];
    again.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"still there?");
}

#[test]
fn stdin_lines_go_to_every_client() {
    let (mut server, addr) = common::tcp_server_piped(&[]);
    let mut a = connect(addr);
    let mut b = connect(addr);
    server.event("accepted");
    server.event("accepted");
    server.write_stdin(b"hello all\n");
    for c in [&mut a, &mut b] {
        let mut buf = [0u8; 10];
        c.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hello all\n");
    }
}

#[test]
fn once_serves_one_connection_then_exits() {
    let (mut server, addr) = tcp_server(&["--once", "--reply", "ok"]);
    let mut c = connect(addr);
    c.write_all(b"x").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "ok");
    assert_eq!(server.wait(), 0);
}

/// 16 MiB of random bytes through `connect --raw` into `serve --raw --once`,
/// compared by SHA-256.
#[test]
fn raw_transfer_is_byte_exact() {
    let mut data = vec![0u8; 16 << 20];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for chunk in data.chunks_mut(8) {
        // xorshift64: random enough to hit every byte value, no dependency.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.bin");
    std::fs::write(&input, &data).unwrap();

    let mut server = Command::new(common::BIN)
        .args(["--raw", "tcp", "serve", "--port", "0", "--once"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = server.stderr.take().unwrap();
    let port = {
        // The listening line is on stderr in raw mode.
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            stderr.read_exact(&mut byte).unwrap();
            seen.push(byte[0]);
            let text = String::from_utf8_lossy(&seen);
            if let Some(rest) = text.split("listening on 127.0.0.1:").nth(1)
                && let Some(port) = rest.split(' ').next().filter(|_| rest.contains(' '))
            {
                break port.to_string();
            }
        }
    };
    let mut stdout = server.stdout.take().unwrap();
    let reader = thread::spawn(move || {
        let mut got = Vec::new();
        stdout.read_to_end(&mut got).unwrap();
        got
    });
    netplay()
        .args(["--raw", "tcp", "connect", "127.0.0.1", &port])
        .pipe_stdin(&input)
        .unwrap()
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let got = reader.join().unwrap();
    assert_eq!(server.wait().unwrap().code(), Some(0));
    assert_eq!(got.len(), data.len());
    assert_eq!(Sha256::digest(&got), Sha256::digest(&data));
}

#[test]
fn the_course_server_talks_to_netplay_connect() {
    let mut python = Command::new("python3")
        .args(["-c", COURSE_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is installed (.ci/run installs it)");
    let mut out = std::io::BufReader::new(python.stdout.take().unwrap());
    let mut port = String::new();
    std::io::BufRead::read_line(&mut out, &mut port).unwrap();
    netplay()
        .args(["--raw", "tcp", "connect", "127.0.0.1", port.trim(), "-m", "Hello serveur !"])
        .assert()
        .success()
        .stdout("Bonjour client !");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest.trim(), "Données reçues : Hello serveur !");
    assert!(python.wait().unwrap().success());
}

#[test]
fn the_course_client_talks_to_netplay_serve() {
    let (mut server, addr) = tcp_server(&["--reply", "Bonjour client !"]);
    let out = Command::new("python3")
        .args(["-c", COURSE_CLIENT, &addr.port().to_string()])
        .output()
        .expect("python3 is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Réponse du serveur : Bonjour client !");
    assert_eq!(server.event("data")["hex"], hex(b"Hello serveur !"));
}

#[test]
fn nc_sends_to_netplay_serve() {
    if !common::have("nc") {
        return;
    }
    let (mut server, addr) = tcp_server(&["--once"]);
    let mut nc = Command::new("nc")
        .args(["-N", "127.0.0.1", &addr.port().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("nc (netcat-openbsd) is installed (.ci/run installs it)");
    nc.stdin.take().unwrap().write_all(b"from nc\n").unwrap();
    assert_eq!(server.event("data")["hex"], hex(b"from nc\n"));
    server.event("eof");
    assert_eq!(server.wait(), 0);
    assert!(nc.wait().unwrap().success());
}

#[test]
fn netplay_connect_sends_to_nc() {
    if !common::have("nc") {
        return;
    }
    let port = {
        // nc needs a port number; take a free one from the OS, then let it go.
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port().to_string()
    };
    let nc = Command::new("nc")
        .args(["-l", "127.0.0.1", &port])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("nc is installed");
    // Retry while nc starts listening.
    let mut sent = false;
    for _ in 0..100 {
        let out =
            netplay().args(["-q", "tcp", "connect", "127.0.0.1", &port, "-m", "to nc"]).output().unwrap();
        if out.status.success() {
            sent = true;
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    assert!(sent, "could not reach nc on port {port}");
    let out = nc.wait_with_output().unwrap();
    assert_eq!(out.stdout, b"to nc");
}

#[test]
fn json_events_carry_every_documented_field() {
    let (mut server, addr) = tcp_server(&["--once", "--reply", "B"]);
    let mut c = connect(addr);
    c.write_all(b"A").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut sink = Vec::new();
    c.read_to_end(&mut sink).unwrap();
    server.wait();
    let events: Vec<serde_json::Value> =
        server.rest().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    for want in ["accepted", "data", "eof", "closed"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let accepted = events.iter().find(|e| e["event"] == "accepted").unwrap();
    for key in ["conn", "local", "peer"] {
        assert!(!accepted[key].is_null(), "accepted.{key}");
    }
    let data_out = events.iter().find(|e| e["event"] == "data" && e["dir"] == "out").unwrap();
    assert_eq!((data_out["len"].as_u64(), data_out["hex"].as_str()), (Some(1), Some("42")));
}

#[test]
fn proc_helper_sees_stderr() {
    let mut p = Proc::start(&["tcp", "connect", "127.0.0.1", "notaport"]);
    p.expect_stderr(|l| l.contains("notaport"));
    assert_eq!(p.wait(), 2);
}

/// `--raw --decode`: the payload goes to stdout unchanged, and each chunk's
/// decoded values to stderr (before, they were lost).
#[test]
fn raw_output_keeps_the_decoded_values_on_stderr() {
    let server = Command::new(common::BIN)
        .args(["--raw", "-q", "--decode", ">h", "tcp", "serve", "--port", "0", "--once"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = server.id();
    // -q hides "listening": find the port with ss.
    let port =
        common::port_of(common::Proto::Tcp, pid, Instant::now() + PATIENCE).expect("the server listens");
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.write_all(&[1, 2, 3, 4]).unwrap();
    drop(client);
    let out = server.wait_with_output().unwrap();
    assert_eq!(out.stdout, [1, 2, 3, 4]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(258,)"), "{stderr}");
}

/// The "accepted" lines take their places in the accept order, each
/// connection's task waiting for the one before (tcp serve's `Turn`): a
/// client that resets as soon as it is connected, among normal ones, must
/// hold up none of those after it. 40 clients, every third reset at once
/// (SO_LINGER 0, then close): every other one gets its echo, the 40
/// `accepted` events come numbered 1 to 40 in order, and each connection
/// is closed, the reset ones with the reset said.
#[test]
fn clients_that_reset_at_once_hold_up_no_other() {
    let (mut server, addr) = tcp_server(&["--echo"]);
    let mut normal = Vec::new();
    let mut reset = 0;
    for i in 0..40 {
        let client = TcpStream::connect(addr).unwrap();
        if i % 3 == 1 {
            socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO)).unwrap();
            drop(client);
            reset += 1;
        } else {
            client.set_read_timeout(Some(PATIENCE)).unwrap();
            normal.push((i, client));
        }
    }
    for (i, client) in &mut normal {
        let line = format!("client {i}\n");
        client.write_all(line.as_bytes()).unwrap();
        let mut back = vec![0u8; line.len()];
        client.read_exact(&mut back).unwrap_or_else(|e| panic!("client {i} got no echo: {e}"));
        assert_eq!(back, line.as_bytes(), "client {i}");
    }
    drop(normal);
    // Every event up to the 40th `closed`.
    let mut events = Vec::new();
    while events.iter().filter(|e: &&serde_json::Value| e["event"] == "closed").count() < 40 {
        let line = server.expect(|l| l.starts_with('{'));
        events.push(serde_json::from_str::<serde_json::Value>(&line).unwrap());
    }
    let numbers: Vec<u64> =
        events.iter().filter(|e| e["event"] == "accepted").map(|e| e["conn"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (1..=40).collect::<Vec<u64>>());
    let cut =
        events.iter().filter(|e| e["event"] == "closed" && e["reason"] == "connection reset by peer").count();
    assert_eq!(cut, reset, "{events:#?}");
}
