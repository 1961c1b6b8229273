//! The script engine (src/script) over real loopback sockets, as client and
//! as server, TCP and UDP: a peer thread that follows each kind of step
//! (sending its bytes in awkward pieces), and peers that deviate, which
//! must fail the right step with the right outcome. The peers for the
//! shipped server scripts are the real tools: python3's course client,
//! curl, dig.

use crate::common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use netplay::event::Event;
use netplay::event::script::Outcome;
use netplay::script::{Conn, Failed, Played, Settings, TcpConn, Transport, UdpConn, parse, play};
use netplay::sink::Report;

const WAIT: Duration = Duration::from_secs(5);

/// Plays `source` over `conn`; returns the result and every event.
fn run(source: &str, transport: Transport, conn: &mut dyn Conn) -> (anyhow::Result<Played>, Vec<Event>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let report = Report::discard().with_tap(Arc::new(move |e: &Event| seen.lock().unwrap().push(e.clone())));
    let script = parse("test.np", source, transport).unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings {
        conn: (transport == Transport::Stream).then_some(1),
        timeout: Duration::from_secs(2),
        // Small stream reads cut the peer's bytes; a datagram comes whole.
        recv_size: if transport == Transport::Stream { 7 } else { 65_536 },
        start: Instant::now(),
    };
    let result = play(&script, conn, &report, &settings);
    let events = events.lock().unwrap().clone();
    (result, events)
}

/// The script's steps as (line, outcome).
fn steps(events: &[Event]) -> Vec<(u32, Outcome)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Script(s) => Some((s.line, s.outcome)),
            _ => None,
        })
        .collect()
}

/// The failure: its line and the step's outcome.
fn failure(result: &anyhow::Result<Played>, events: &[Event]) -> (u32, Outcome) {
    let failed = result.as_ref().err().and_then(|e| e.downcast_ref::<Failed>()).expect("a script failure");
    let last = *steps(events).last().unwrap();
    assert_eq!(failed.line, last.0);
    last
}

/// A TCP pair: the script's end (a client) and the peer's stream.
fn tcp_client_with(peer: impl FnOnce(TcpStream) + Send + 'static) -> (TcpConn, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        peer(stream);
    });
    let stream = TcpStream::connect(addr).unwrap();
    (TcpConn::new(stream, addr), handle)
}

/// Writes `bytes` one byte a write, each flushed: the script sees any cut.
fn dribble(stream: &mut TcpStream, bytes: &[u8]) {
    for b in bytes {
        stream.write_all(&[*b]).unwrap();
        stream.flush().unwrap();
    }
}

fn read_exact(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).unwrap();
    buf
}

const EVERY_STEP: &str = r"# every TCP step, followed
> Hello serveur !
< Bonjour client !
<regex TOKEN (?P<token>[0-9a-f]+)\r\n
> OK {token}\r\n
<bytes 3 as three
<struct >H as n
<bytes n as body
>struct >H len(body)
> {body}
timeout 1s
repeat 2 times
  < ping\n
  > pong\n
end
sleep 10ms
repeat until eof
  <regex [^\n]*\n
end
<eof
shutdown
close
";

#[test]
fn tcp_every_step_followed_as_a_client() {
    let (mut conn, peer) = tcp_client_with(|mut s| {
        assert_eq!(read_exact(&mut s, 15), b"Hello serveur !");
        dribble(&mut s, b"Bonjour client !TOKEN ab12\r\n");
        assert_eq!(read_exact(&mut s, 9), b"OK ab12\r\n");
        dribble(&mut s, b"xyz\x00\x05hello");
        assert_eq!(read_exact(&mut s, 7), b"\x00\x05hello");
        for _ in 0..2 {
            dribble(&mut s, b"ping\n");
            assert_eq!(read_exact(&mut s, 5), b"pong\n");
        }
        dribble(&mut s, b"one\ntwo\nthree\n");
        s.shutdown(std::net::Shutdown::Write).unwrap();
        // The script's shutdown: EOF here.
        let mut rest = Vec::new();
        s.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());
    });
    let (result, events) = run(EVERY_STEP, Transport::Stream, &mut conn);
    peer.join().unwrap();
    let played = result.unwrap();
    assert!(played.closed);
    let all = steps(&events);
    assert!(all.iter().all(|(_, o)| *o == Outcome::Passed), "{all:?}");
    // Lines of the steps played, passes of the loops included.
    let lines: Vec<u32> = all.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 13, 14, 12, 16, 18, 18, 18, 17, 20, 21, 22]);
    // The bytes the regex bound were sent back.
    let bound: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Script(s) => Some(s.bound.clone()),
            _ => None,
        })
        .flatten()
        .map(|b| (b.name, b.value))
        .collect();
    assert!(bound.contains(&("token".into(), "b'ab12'".into())), "{bound:?}");
    assert!(bound.contains(&("n".into(), "5".into())), "{bound:?}");
    // Every byte in and out is in a data event, in order.
    let data_in: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            Event::Data { dir: netplay::event::Dir::In, bytes, .. } => Some(bytes.0.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(data_in, b"Bonjour client !TOKEN ab12\r\nxyz\x00\x05helloping\nping\none\ntwo\nthree\n");
}

/// Plays `source` against a peer that sends `sends` (then closes, unless
/// `hold`), and returns the failing step's line and outcome.
fn tcp_deviation(source: &str, sends: &'static [u8], hold: bool) -> (u32, Outcome, Vec<Event>) {
    let (mut conn, peer) = tcp_client_with(move |mut s| {
        // A step fails at the first byte that differs, and the script's
        // end closes the socket: the bytes still to come may then meet
        // the reset (EPIPE, ECONNRESET), which is no failure of the test.
        for b in sends {
            if s.write_all(&[*b]).and_then(|()| s.flush()).is_err() {
                return;
            }
        }
        if hold {
            // Stay connected and silent until the script gives up.
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
    });
    let (result, events) = run(source, Transport::Stream, &mut conn);
    drop(conn);
    peer.join().unwrap();
    let (line, outcome) = failure(&result, &events);
    (line, outcome, events)
}

#[test]
fn tcp_deviations_fail_the_right_step() {
    // Other bytes: told at the first one that differs.
    let (line, outcome, events) = tcp_deviation("< Bonjour\n< client !", b"Bonsoir client !", false);
    assert_eq!((line, outcome), (1, Outcome::Mismatch));
    let Some(Event::Script(step)) = events.iter().rev().find(|e| matches!(e, Event::Script(_))) else {
        panic!()
    };
    assert_eq!(step.offset, Some(3));
    assert_eq!(step.expected.as_deref(), Some(&b"Bonjour"[..]));
    // The peer closes early.
    assert_eq!(tcp_deviation("< Bonjour client !", b"Bonjour", false).1, Outcome::Eof);
    assert_eq!(tcp_deviation("<bytes 8", b"1234", false).1, Outcome::Eof);
    assert_eq!(tcp_deviation("<struct >I as n", b"\x00\x01", false).1, Outcome::Eof);
    // A pattern ruled out.
    assert_eq!(
        tcp_deviation(r"<regex HTTP/1\.[01] 200", b"HTTP/1.1 404", false).pair(),
        (1, Outcome::Mismatch)
    );
    // Bytes where the EOF was expected.
    assert_eq!(tcp_deviation("< a\n<eof", b"ab", false).pair(), (2, Outcome::Mismatch));
    // Silence past the timeout; a pattern whose end is not written.
    assert_eq!(tcp_deviation("timeout 200ms\n< hello", b"hel", true).pair(), (2, Outcome::Timeout));
    let (_, outcome, events) = tcp_deviation("timeout 200ms\n<regex \\d+", b"12", true);
    assert_eq!(outcome, Outcome::Timeout);
    let Some(Event::Script(step)) = events.iter().rev().find(|e| matches!(e, Event::Script(_))) else {
        panic!()
    };
    let why = step.why.as_ref().unwrap().render(netplay::i18n::Lang::En);
    assert!(why.contains("more bytes could still lengthen the match"), "{why}");
    // A length from the peer over the limit.
    assert_eq!(
        tcp_deviation("<struct >I as n\n<bytes n", b"\xff\xff\xff\xff", true).pair(),
        (2, Outcome::Error)
    );
}

trait Pair {
    fn pair(&self) -> (u32, Outcome);
}
impl Pair for (u32, Outcome, Vec<Event>) {
    fn pair(&self) -> (u32, Outcome) {
        (self.0, self.1)
    }
}

#[test]
fn tcp_a_peer_reset_fails_the_step_and_the_reset_step_resets() {
    // The peer resets (SO_LINGER 0) while the script waits.
    let (mut conn, peer) = tcp_client_with(|s| {
        socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
        drop(s);
    });
    peer.join().unwrap();
    let (result, events) = run("< never", Transport::Stream, &mut conn);
    assert_eq!(failure(&result, &events), (1, Outcome::Reset));

    // The script's `reset`: the peer's next read says connection reset.
    let (tx, got) = std::sync::mpsc::channel();
    let (mut conn, peer) = tcp_client_with(move |mut s| {
        let mut buf = [0; 8];
        assert_eq!(s.read(&mut buf).unwrap(), 2);
        tx.send(s.read(&mut buf).map_err(|e| e.kind())).unwrap();
    });
    let (result, _) = run("> hi\nsleep 50ms\nreset", Transport::Stream, &mut conn);
    assert!(result.unwrap().closed);
    peer.join().unwrap();
    assert_eq!(got.recv().unwrap(), Err(std::io::ErrorKind::ConnectionReset));
}

#[test]
fn tcp_as_a_server_the_course_client_follows_the_course_server_script() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let client = thread::spawn(move || {
        Command::new("python3").args(["-c", common::COURSE_CLIENT, &port]).output().expect("python3")
    });
    let (stream, peer) = listener.accept().unwrap();
    let mut conn = TcpConn::new(stream, peer);
    let source = std::fs::read_to_string("examples/scripts/course-server.np").unwrap();
    let (result, events) = run(&source, Transport::Stream, &mut conn);
    result.unwrap();
    drop(conn);
    let out = client.join().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Réponse du serveur : Bonjour client !");
    assert_eq!(steps(&events), [(3, Outcome::Passed), (4, Outcome::Passed)]);

    // A client that sends something else fails the first step.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"Hello server!").unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
    });
    let (stream, peer) = listener.accept().unwrap();
    let mut conn = TcpConn::new(stream, peer);
    let (result, events) = run(&source, Transport::Stream, &mut conn);
    client.join().unwrap();
    assert_eq!(failure(&result, &events), (3, Outcome::Mismatch));
}

/// A UDP socket on loopback with a read timeout.
fn udp() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    socket
}

fn udp_client_conn(target: SocketAddr) -> UdpConn {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
    UdpConn::client(socket, target, false, false)
}

fn recv_from(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = [0; 2048];
    let (n, from) = socket.recv_from(&mut buf).unwrap();
    (buf[..n].to_vec(), from)
}

#[test]
fn udp_every_step_followed_as_a_client() {
    let server = udp();
    let target = server.local_addr().unwrap();
    let peer = thread::spawn(move || {
        let (d, from) = recv_from(&server);
        assert_eq!(d, b"ping");
        server.send_to(b"pong", from).unwrap();
        server.send_to(b"\x00\x03", from).unwrap();
        server.send_to(b"abc", from).unwrap();
        server.send_to(b"ID 42\n", from).unwrap();
        assert_eq!(recv_from(&server).0, b"\x00\x03abc");
        assert_eq!(recv_from(&server).0, b"got 42");
        server.send_to(b"", from).unwrap();
    });
    let source = "> ping\n< pong\n<struct >H as n\n<bytes n as body\n<regex ID (?P<id>\\d+)\\n\n\
                  >struct >H3s n, body\n> got {id}\n< b''";
    let mut conn = udp_client_conn(target);
    let (result, events) = run(source, Transport::Datagram, &mut conn);
    peer.join().unwrap();
    let played = result.unwrap();
    assert_eq!((played.datagrams_out, played.datagrams_in), (3, 5));
    assert!(steps(&events).iter().all(|(_, o)| *o == Outcome::Passed));
    // The first sendto gave the socket its port: said once, before the datagram.
    let from = events.iter().position(|e| matches!(e, Event::SendingFrom { .. })).unwrap();
    let first = events.iter().position(|e| matches!(e, Event::Datagram { .. })).unwrap();
    assert!(from < first);
}

#[test]
fn udp_a_datagram_is_expected_whole() {
    let cases: [(&str, &[u8], Outcome); 4] = [
        ("> ?\n< ping", b"pingpong", Outcome::Mismatch),
        ("> ?\n< ping", b"pang", Outcome::Mismatch),
        ("> ?\n<bytes 3", b"abcd", Outcome::Mismatch),
        ("> ?\n<regex p.ng", b"ping!", Outcome::Mismatch),
    ];
    for (source, answer, outcome) in cases {
        let server = udp();
        let target = server.local_addr().unwrap();
        let peer = thread::spawn(move || {
            let (_, from) = recv_from(&server);
            server.send_to(answer, from).unwrap();
        });
        let mut conn = udp_client_conn(target);
        let (result, events) = run(source, Transport::Datagram, &mut conn);
        peer.join().unwrap();
        assert_eq!(failure(&result, &events), (2, outcome), "{source}");
    }
    // Nothing comes back.
    let server = udp();
    let mut conn = udp_client_conn(server.local_addr().unwrap());
    let (result, events) = run("timeout 100ms\n> ?\n< ping", Transport::Datagram, &mut conn);
    assert_eq!(failure(&result, &events), (3, Outcome::Timeout));
}

#[test]
fn udp_as_a_server_a_reply_goes_to_the_last_sender() {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
    socket.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
    let addr = socket.local_addr().unwrap().as_socket().unwrap();
    let (a, b) = (udp(), udp());
    let peers = thread::spawn(move || {
        a.send_to(b"from a", addr).unwrap();
        assert_eq!(recv_from(&a).0, b"to a");
        b.send_to(b"from b", addr).unwrap();
        assert_eq!(recv_from(&b).0, b"to b");
    });
    let mut conn = UdpConn::server(socket);
    let (result, events) = run("< from a\n> to a\n< from b\n> to b", Transport::Datagram, &mut conn);
    peers.join().unwrap();
    result.unwrap();
    assert_eq!(steps(&events).len(), 4);
}

#[test]
fn curl_accepts_the_canned_200() {
    if !common::have("curl") {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/greeting", listener.local_addr().unwrap());
    let curl = thread::spawn(move || {
        Command::new("curl").args(["-sS", "-i", "--max-time", "5", &url]).output().unwrap()
    });
    let (stream, peer) = listener.accept().unwrap();
    let mut conn = TcpConn::new(stream, peer);
    let source = std::fs::read_to_string("examples/scripts/http-200.np").unwrap();
    let (result, events) = run(&source, Transport::Stream, &mut conn);
    result.unwrap();
    drop(conn);
    let out = curl.join().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
    assert!(text.contains("X-Path: /greeting\r\n"), "{text}");
    assert!(text.ends_with("\r\n\r\nHello, world!\n"), "{text}");
    assert!(steps(&events).iter().all(|(_, o)| *o == Outcome::Passed));
}

#[test]
fn dig_accepts_the_dns_answer_and_the_query_script_reads_it() {
    if !common::have("dig") {
        return;
    }
    let answer = std::fs::read_to_string("examples/scripts/dns-answer.np").unwrap();
    let serve = |answer: String| {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
        socket.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
        let addr = socket.local_addr().unwrap().as_socket().unwrap();
        let server = thread::spawn(move || {
            let mut conn = UdpConn::server(socket);
            run(&answer, Transport::Datagram, &mut conn)
        });
        (addr, server)
    };
    // dig, a real resolver's client, asks only this loopback server.
    let (addr, server) = serve(answer.clone());
    let out = Command::new("dig")
        .args([&format!("@{}", addr.ip()), "-p", &addr.port().to_string(), "+noedns", "+tries=1", "+time=5"])
        .args(["+short", "example.com"])
        .output()
        .unwrap();
    let (result, _) = server.join().unwrap();
    result.unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "127.0.0.1");
    // The shipped query, against the same answer script.
    let (addr, server) = serve(answer);
    let query = std::fs::read_to_string("examples/scripts/dns-query.np").unwrap();
    let mut conn = udp_client_conn(addr);
    let (result, events) = run(&query, Transport::Datagram, &mut conn);
    server.join().unwrap().0.unwrap();
    result.unwrap();
    assert_eq!(steps(&events).len(), 2);
}
