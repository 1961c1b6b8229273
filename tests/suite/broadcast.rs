//! tcp serve --broadcast and the server's limits: relays between clients,
//! slow clients, --max-conns, --allow/--deny, --idle-timeout, and stopping
//! on a signal. Loopback only, port 0, every wait bounded by PATIENCE.

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{PATIENCE, Proc, hex, tcp_server};
use socket2::{Domain, SockRef, Socket, Type};

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// A client from `local` (a loopback address other than 127.0.0.1, say).
fn connect_from(local: &str, addr: SocketAddr) -> TcpStream {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.bind(&format!("{local}:0").parse::<SocketAddr>().unwrap().into()).unwrap();
    socket.connect_timeout(&addr.into(), PATIENCE).unwrap();
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads exactly `n` bytes.
fn read_n(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    stream.read_exact(&mut buf).unwrap_or_else(|e| panic!("reading {n} bytes: {e}"));
    buf
}

/// True once the server has closed this connection (EOF or reset).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let deadline = Instant::now() + PATIENCE;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {
                return true;
            }
            Err(e) => panic!("waiting for the server to close: {e}"),
        }
    }
    false
}

/// Starts a broadcast server and connects `n` clients, each one joined.
fn broadcast_with(n: usize, args: &[&str]) -> (Proc, SocketAddr, Vec<TcpStream>, Vec<u64>) {
    let mut all = vec!["--broadcast"];
    all.extend_from_slice(args);
    let (mut server, addr) = common::tcp_server_piped(&all);
    let mut clients = Vec::new();
    let mut conns = Vec::new();
    for i in 0..n {
        clients.push(connect(addr));
        // Wait for each join so that conn numbers follow the clients' order.
        let join = server.event("join");
        assert_eq!(join["clients"], i + 1);
        conns.push(join["conn"].as_u64().unwrap());
    }
    (server, addr, clients, conns)
}

fn kill(signal: &str, pid: u32) {
    // Only the netplay process this test started, by its PID.
    let status = Command::new("kill").args([signal, &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

#[test]
fn three_clients_see_the_others_messages_in_order_and_not_their_own() {
    let (mut server, _addr, clients, conns) = broadcast_with(3, &[]);
    const LINES: usize = 20;
    let names = ["a", "b", "c"];
    let expected_len: usize =
        (0..LINES).map(|i| format!("a{i:02}\n").len()).sum::<usize>() * (names.len() - 1);
    // All three send at once, each line in its own write.
    let handles: Vec<_> = clients
        .into_iter()
        .zip(names)
        .map(|(mut client, name)| {
            thread::spawn(move || {
                let mut writer = client.try_clone().unwrap();
                let sender = thread::spawn(move || {
                    for i in 0..LINES {
                        writer.write_all(format!("{name}{i:02}\n").as_bytes()).unwrap();
                    }
                });
                let got = read_n(&mut client, expected_len);
                sender.join().unwrap();
                (name, String::from_utf8(got).unwrap())
            })
        })
        .collect();
    for handle in handles {
        let (name, got) = handle.join().unwrap();
        for other in names {
            let from: Vec<&str> = got.lines().filter(|l| l.starts_with(other)).collect();
            if other == name {
                assert!(from.is_empty(), "{name} got its own messages back: {from:?}");
            } else {
                let want: Vec<String> = (0..LINES).map(|i| format!("{other}{i:02}")).collect();
                assert_eq!(from, want, "{name} got {other}'s messages out of order");
            }
        }
    }
    // The server reports each chunk once, as a relay to the two others.
    let mut relayed = 0;
    while relayed < expected_len / 2 * 3 {
        let relay = server.event("relay");
        assert_eq!(relay["to"], 2, "{relay}");
        assert!(conns.contains(&relay["conn"].as_u64().unwrap()));
        relayed += relay["len"].as_u64().unwrap() as usize;
    }
    assert_eq!(relayed, expected_len / 2 * 3);
}

#[test]
fn human_output_shows_each_relay_once_with_its_dump() {
    let mut server = Proc::start(&["--color", "never", "tcp", "serve", "--port", "0", "--broadcast"]);
    let line = server.expect(|l| l.contains("listening on"));
    let addr: SocketAddr = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    let mut a = connect(addr);
    server.expect(|l| l.contains("joins the broadcast: 1 client"));
    let mut b = connect(addr);
    server.expect(|l| l.contains("joins the broadcast: 2 clients"));
    let mut c = connect(addr);
    server.expect(|l| l.contains("joins the broadcast: 3 clients"));
    a.write_all(b"Hello all").unwrap();
    assert_eq!(read_n(&mut b, 9), b"Hello all");
    assert_eq!(read_n(&mut c, 9), b"Hello all");
    let relay = server.expect(|l| l.contains("relay"));
    assert!(relay.starts_with("#1 ⇉ relay 9 bytes to 2 clients"), "{relay}");
    let dump = server.expect(|_| true);
    assert!(dump.starts_with("00000000  48 65 6c 6c 6f 20 61 6c  6c"), "{dump}");
    // No line per recipient: the next event is the one that follows.
    drop(b);
    let next = server.expect(|l| l.starts_with('#'));
    assert!(next.contains("#2"), "expected #2 to leave next, got {next}");
    assert!(!next.contains("→ send"), "{next}");
}

#[test]
fn echo_includes_the_sender_and_stdin_goes_to_everyone() {
    let (mut server, _addr, mut clients, _conns) = broadcast_with(2, &["--echo"]);
    clients[0].write_all(b"ping").unwrap();
    assert_eq!(read_n(&mut clients[0], 4), b"ping");
    assert_eq!(read_n(&mut clients[1], 4), b"ping");
    assert_eq!(server.event("relay")["to"], 2);

    server.write_stdin(b"from the server\n");
    for client in &mut clients {
        assert_eq!(read_n(client, 16), b"from the server\n");
    }
    let relay = server.event("relay");
    assert!(relay.get("conn").is_none(), "stdin has no conn: {relay}");
    assert_eq!((relay["to"].as_u64(), relay["hex"].as_str()), (Some(2), Some(&*hex(b"from the server\n"))));
}

/// A client that never reads, with a tiny receive buffer so its queue fills
/// fast; a sender sends until the server reports the slow policy while a
/// reader keeps reading everything.
struct SlowSetup {
    server: Proc,
    slow: TcpStream,
    slow_conn: u64,
    reader_conn: u64,
    sender: TcpStream,
    reader: thread::JoinHandle<usize>,
    sent: usize,
}

fn fill_a_slow_client(policy: &str) -> (SlowSetup, serde_json::Value) {
    // Chunks of at most 4 KiB into queues of 1 MiB: a client that reads
    // keeps up even on a busy machine, one that does not fills its queue
    // (after the kernel's buffers, a few MB).
    let (mut server, addr) =
        tcp_server(&["--broadcast", "--recv-size", "4K", "--queue", "1M", "--slow", policy]);
    let slow = {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        socket.connect_timeout(&addr.into(), PATIENCE).unwrap();
        TcpStream::from(socket)
    };
    let slow_conn = server.event("join")["conn"].as_u64().unwrap();
    let mut reader = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    reader.set_read_timeout(Some(PATIENCE)).unwrap();
    let reader_conn = server.event("join")["conn"].as_u64().unwrap();
    let sender = connect(addr);
    server.event("join");

    // The reader counts bytes until it has all that was sent (known only
    // once the sender stops, so it reads in short waits).
    let target = Arc::new(AtomicUsize::new(usize::MAX));
    let reader = {
        let target = target.clone();
        thread::spawn(move || {
            reader.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            let deadline = Instant::now() + PATIENCE * 3;
            let mut total = 0;
            let mut buf = vec![0u8; 64 * 1024];
            while total < target.load(Ordering::Relaxed) && Instant::now() < deadline {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => total += n,
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(e) => {
                        eprintln!("reader, after {total} bytes: {e}");
                        break;
                    }
                }
            }
            total
        })
    };
    let stop = Arc::new(AtomicBool::new(false));
    let sending = {
        let (stop, mut sender) = (stop.clone(), sender.try_clone().unwrap());
        thread::spawn(move || {
            let msg = [b'x'; 1024];
            let mut sent = 0;
            // A few MB/s, which any reading client keeps up with (a sender
            // faster than a reader makes that reader a slow client too), and
            // 32 MiB at most, far more than the buffers hold.
            while !stop.load(Ordering::Relaxed) && sent < 32 << 20 {
                sender.write_all(&msg).unwrap();
                sent += msg.len();
                thread::sleep(Duration::from_micros(500));
            }
            sent
        })
    };
    let dropped = server.event_with("drop", "policy", policy);
    stop.store(true, Ordering::Relaxed);
    let sent = sending.join().unwrap();
    target.store(sent, Ordering::Relaxed);
    (SlowSetup { server, slow, slow_conn, reader_conn, sender, reader, sent }, dropped)
}

/// The next JSON event named `event` about connection `conn`.
fn event_of(server: &mut Proc, event: &str, conn: u64) -> serde_json::Value {
    loop {
        let found = server.event(event);
        if found["conn"] == conn {
            return found;
        }
    }
}

#[test]
fn a_client_that_never_reads_is_disconnected_and_the_others_are_still_served() {
    let (mut s, dropped) = fill_a_slow_client("disconnect");
    assert_eq!(dropped["conn"], s.slow_conn, "{dropped}");
    assert!(dropped["queued"].as_u64().unwrap() > 0);
    let closed = event_of(&mut s.server, "closed", s.slow_conn);
    let reason = closed["reason"].as_str().unwrap();
    assert!(reason.contains("fell behind") && reason.contains("--slow disconnect"), "{reason}");
    let got = s.reader.join().unwrap();
    assert_eq!(got, s.sent, "the reading client missed bytes");
    assert!(closed_by_server(&mut s.slow));
    drop(s.sender);
}

#[test]
fn drop_policy_skips_messages_for_the_slow_client_and_keeps_it() {
    let (mut s, dropped) = fill_a_slow_client("drop");
    assert_eq!(dropped["conn"], s.slow_conn, "{dropped}");
    let got = s.reader.join().unwrap();
    assert_eq!(got, s.sent, "the reading client missed bytes");
    // The slow client starts reading: it is still connected, and once its
    // queue has room it gets new messages again.
    let mut slow = s.slow.try_clone().unwrap();
    // A bigger window than the 4 KiB it was given, to drain its backlog fast.
    SockRef::from(&slow).set_recv_buffer_size(1 << 20).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let deadline = Instant::now() + PATIENCE;
    let mut tail = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        assert!(Instant::now() < deadline, "the slow client never got the last message");
        s.sender.write_all(b"LAST").unwrap();
        match slow.read(&mut buf) {
            Ok(0) => panic!("the slow client was disconnected under --slow drop"),
            Ok(n) => tail.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("slow client: {e}"),
        }
        if tail.windows(4).any(|w| w == b"LAST") {
            break;
        }
        if tail.len() > 1 << 20 {
            tail.drain(..tail.len() - 8);
        }
    }
    // No drop ever hit the reading client.
    assert_ne!(dropped["conn"], s.reader_conn);
}

#[test]
fn max_conns_accepts_and_closes_the_client_too_many() {
    let (mut server, addr, mut clients, _conns) = broadcast_with(2, &["--max-conns", "2"]);
    let mut third = connect(addr);
    let rejected = server.event("rejected");
    assert_eq!(rejected["peer"], third.local_addr().unwrap().to_string());
    assert!(rejected["reason"].as_str().unwrap().contains("--max-conns 2"), "{rejected}");
    assert!(closed_by_server(&mut third));
    // Once one leaves, there is room again.
    drop(clients.remove(0));
    server.event("closed");
    let _again = connect(addr);
    assert_eq!(server.event("join")["clients"], 2);
}

#[test]
fn deny_refuses_a_peer_and_wins_over_allow() {
    let (mut server, addr) =
        tcp_server(&["--broadcast", "--allow", "127.0.0.0/8", "--deny", "127.0.0.2", "--deny", "10.0.0.0/8"]);
    let mut denied = connect_from("127.0.0.2", addr);
    let rejected = server.event("rejected");
    assert_eq!(rejected["reason"], "denied by --deny 127.0.0.2/32");
    assert!(closed_by_server(&mut denied));
    let _allowed = connect_from("127.0.0.1", addr);
    assert_eq!(server.event("join")["clients"], 1);
}

#[test]
fn allow_refuses_peers_outside_its_blocks() {
    let (mut server, addr) = tcp_server(&["--allow", "127.0.0.1", "--allow", "::1"]);
    let mut outside = connect_from("127.0.0.3", addr);
    let rejected = server.event("rejected");
    assert_eq!(rejected["reason"], "not in --allow 127.0.0.1/32, ::1/128");
    assert!(closed_by_server(&mut outside));
}

#[test]
fn bad_cidr_is_a_usage_error() {
    common::netplay()
        .args(["tcp", "serve", "--deny", "10.0.0.0/40"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("'10.0.0.0/40' is not an address or a CIDR block"));
}

#[test]
fn idle_timeout_closes_a_silent_client() {
    let (mut server, _addr, mut clients, conns) = broadcast_with(1, &["--idle-timeout", "300ms"]);
    let closed = server.event("closed");
    assert_eq!(closed["conn"], conns[0]);
    let reason = closed["reason"].as_str().unwrap();
    assert!(reason.contains("idle") && reason.contains("--idle-timeout"), "{reason}");
    assert!(closed_by_server(&mut clients[0]));
}

#[test]
fn sigint_closes_clients_prints_totals_and_exits_0() {
    let (mut server, _addr, mut clients, _conns) = broadcast_with(2, &[]);
    clients[0].write_all(b"hello").unwrap();
    assert_eq!(read_n(&mut clients[1], 5), b"hello");
    server.event("relay");
    kill("-INT", server.pid());
    let summary = server.event("summary");
    assert_eq!(summary["signal"], "SIGINT");
    assert_eq!(summary["connections"], 2);
    assert_eq!(summary["relays"], 1);
    assert_eq!((summary["bytes_in"].as_u64(), summary["bytes_out"].as_u64()), (Some(5), Some(5)));
    assert_eq!(server.wait(), 0);
    for client in &mut clients {
        assert!(closed_by_server(client));
    }
}

#[test]
fn sigterm_stops_a_plain_server_the_same_way() {
    let mut server = Proc::start(&["--color", "never", "tcp", "serve", "--port", "0"]);
    server.expect(|l| l.contains("listening on"));
    kill("-TERM", server.pid());
    server.expect(|l| l.starts_with("■ stopped by SIGTERM"));
    let totals = server.expect(|_| true);
    assert!(totals.contains("0 connections (0 rejected)"), "{totals}");
    assert_eq!(server.wait(), 0);
}

#[test]
fn many_clients_each_get_a_relay() {
    const N: usize = 200;
    let (mut server, addr) = tcp_server(&["--broadcast", "-q"]);
    let mut clients: Vec<TcpStream> = (0..N).map(|_| connect(addr)).collect();
    while server.event("join")["clients"] != N {}
    clients[0].write_all(b"to all").unwrap();
    for client in &mut clients[1..] {
        assert_eq!(read_n(client, 6), b"to all");
    }
    assert_eq!(server.event("relay")["to"], N - 1);
}

/// `netplay --json tcp serve --port 0 ARGS` under the shell's `ulimit LIMIT`.
fn server_under_ulimit(limit: &str, args: &[&str]) -> Proc {
    let mut command = Command::new("sh");
    command.args(["-c", &format!("ulimit {limit} && exec \"$0\" \"$@\""), common::BIN]);
    command.args(["--json", "tcp", "serve", "--port", "0"]).args(args);
    Proc::spawn(command)
}

fn listening(server: &mut Proc) -> SocketAddr {
    server.event("listening")["local"].as_str().unwrap().parse().unwrap()
}

// The open-file limit is Unix's (src/sys/open_files.rs).
#[cfg(unix)]
#[test]
fn the_soft_open_file_limit_is_raised_to_the_hard_one() {
    let hard = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap().1;
    if hard <= 64 {
        return; // Nothing to raise on this machine.
    }
    // A server for many clients (--broadcast) says so before its steps;
    // a plain one keeps quiet about it (tests/suite/teach.rs).
    let mut server = server_under_ulimit("-S -n 64", &["--broadcast"]);
    let notice = server.event("notice");
    let message = notice["message"].as_str().unwrap();
    assert!(message.starts_with(&format!("open-file limit raised from 64 to {hard}")), "{message}");
    listening(&mut server);
}

#[test]
fn the_open_file_limit_is_named_when_it_stops_clients() {
    let mut server = server_under_ulimit("-n 40", &["--broadcast"]);
    let addr = listening(&mut server);
    // More clients than descriptors: the last ones are turned away, each
    // told at once, and the server says which limit and how to raise it.
    let mut clients: Vec<TcpStream> = (0..40).map(|_| connect(addr)).collect();
    let rejected = server.event("rejected");
    let reason = rejected["reason"].as_str().unwrap();
    assert!(reason.contains("open-file limit of this process (40"), "{reason}");
    assert!(reason.contains("--max-conns"), "{reason}");
    let peer = rejected["peer"].as_str().unwrap();
    let refused = clients.iter_mut().find(|c| c.local_addr().unwrap().to_string() == peer).unwrap();
    assert!(closed_by_server(refused));
}

/// `--slow drop` tells a client's drops once a second as a count, not a
/// line for every chunk skipped (a 4 MiB burst made hundreds of lines);
/// the counts shown add up to the summary's.
#[test]
#[cfg(unix)] // stopped with SIGINT
fn drops_are_told_once_a_second_as_a_count() {
    let mut server =
        Proc::start(&["--color", "never", "tcp", "serve", "--broadcast", "--slow", "drop", "--port", "0"]);
    let listening = server.expect(|l| l.contains("listening on"));
    let addr: SocketAddr =
        listening.split("listening on ").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let slow = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    slow.set_recv_buffer_size(4096).unwrap();
    slow.connect(&addr.into()).unwrap();
    server.expect(|l| l.contains("joins the broadcast: 1 client"));
    let mut sender = connect(addr);
    server.expect(|l| l.contains("joins the broadcast: 2 clients"));
    let started = Instant::now();
    let message = vec![b'x'; 1024];
    for _ in 0..4096 {
        sender.write_all(&message).unwrap();
    }
    drop(sender);
    let lines = server.lines_until_quiet(Duration::from_millis(1500), Duration::from_secs(60)).unwrap();
    let elapsed = started.elapsed().as_secs() as usize;
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.wait_within(PATIENCE);
    let rest = server.rest();
    let all: Vec<&String> = lines.iter().chain(rest.iter()).collect();
    let first =
        all.iter().filter(|l| l.contains("dropped for it (--slow drop)") && !l.contains("more")).count();
    let more: Vec<u64> = all
        .iter()
        .filter_map(|l| l.split("… and ").nth(1))
        .map(|l| l.split_whitespace().next().unwrap().replace(',', "").parse().unwrap())
        .collect();
    assert!(first >= 1, "no drop line:\n{all:#?}");
    assert!(
        first + more.len() <= 2 * (elapsed + 2),
        "{} drop lines in {elapsed} s:\n{all:#?}",
        first + more.len()
    );
    let summary = all.iter().find(|l| l.contains(" drop") && l.contains("relay")).expect("the summary");
    let total: u64 = summary
        .split(", ")
        .find(|part| part.ends_with(" drops") || part.ends_with(" drop"))
        .and_then(|part| part.split_whitespace().next())
        .map(|n| n.replace(',', "").parse().unwrap())
        .expect("the drop count");
    assert_eq!(first as u64 + more.iter().sum::<u64>(), total, "{all:#?}");
    drop(slow);
}

/// Issue 20: clients joining and leaving a broadcast at once. The counts
/// of the "joins the broadcast: N clients" lines must go 1, 2, ... and
/// those of "leaves the broadcast: N clients left" strictly down to 0, in
/// the order the lines are printed. Each count was taken before its line
/// was queued, so a line could come out after a later one (`0 clients
/// left` then `1 client left`).
#[test]
fn clients_joining_and_leaving_together_are_counted_in_the_order_shown() {
    const CLIENTS: usize = 40;
    const ROUNDS: usize = 10;
    let mut server = Proc::start(&["--color", "never", "tcp", "serve", "--port", "0", "--broadcast"]);
    let line = server.expect(|l| l.contains("listening on"));
    let addr: SocketAddr = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    for round in 0..ROUNDS {
        // Every client connects at the same moment, each from its own thread.
        let go = Arc::new(std::sync::Barrier::new(CLIENTS));
        let connecting: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let go = go.clone();
                thread::spawn(move || {
                    go.wait();
                    connect(addr)
                })
            })
            .collect();
        let clients: Vec<TcpStream> = connecting.into_iter().map(|c| c.join().unwrap()).collect();
        let counts: Vec<usize> = (0..CLIENTS).map(|_| count(&mut server, "joins the broadcast: ")).collect();
        let want: Vec<usize> = (1..=CLIENTS).collect();
        assert_eq!(counts, want, "round {round}: the joins shown, in the order shown");
        // Every client closes at the same moment, each from its own thread.
        let closers: Vec<_> = clients
            .into_iter()
            .map(|client| {
                let go = go.clone();
                thread::spawn(move || {
                    go.wait();
                    drop(client);
                })
            })
            .collect();
        for closer in closers {
            closer.join().unwrap();
        }
        let counts: Vec<usize> = (0..CLIENTS).map(|_| count(&mut server, "leaves the broadcast: ")).collect();
        let want: Vec<usize> = (0..CLIENTS).rev().collect();
        assert_eq!(counts, want, "round {round}: the leaves shown, in the order shown");
    }
}

/// The number of clients on the server's next line that says `what`.
fn count(server: &mut Proc, what: &str) -> usize {
    let line = server.expect(|l| l.contains(what));
    let count = line.split(what).nth(1).and_then(|rest| rest.split_whitespace().next());
    count.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no count in {line}"))
}

/// Many clients connecting at once: the number a learner reads on each
/// `#N accepted` line is the accept order, and the lines come in that
/// order, with the joins counting up beside them (note27: `#2 accepted …`
/// was printed before `#1 accepted …` once). The accept loop numbers the
/// connections; each one's task took its line's place when it ran, so a
/// task that ran first put its higher number first.
#[test]
fn clients_connecting_at_once_are_told_in_accept_order() {
    const CLIENTS: usize = 64;
    for json in [true, false] {
        let mut args = vec!["--broadcast"];
        if !json {
            args = vec!["--color", "never", "tcp", "serve", "--port", "0", "--broadcast"];
        }
        let (mut server, addr) = match json {
            true => tcp_server(&args),
            false => {
                let mut server = Proc::start(&args);
                let line = server.expect(|l| l.starts_with("● "));
                let port = line.split("127.0.0.1:").nth(1).unwrap().split(' ').next().unwrap();
                (server, format!("127.0.0.1:{port}").parse().unwrap())
            }
        };
        let barrier = Arc::new(std::sync::Barrier::new(CLIENTS));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let barrier = barrier.clone();
                thread::spawn(move || {
                    barrier.wait();
                    connect(addr)
                })
            })
            .collect();
        let clients: Vec<TcpStream> = clients.into_iter().map(|c| c.join().unwrap()).collect();
        // Each accepted line and each join, in the order shown.
        let (mut accepted, mut joins) = (Vec::new(), Vec::new());
        while joins.len() < CLIENTS {
            let line = server.expect(|_| true);
            if json {
                let event: serde_json::Value = match serde_json::from_str(&line) {
                    Ok(event) => event,
                    Err(_) => continue,
                };
                match event["event"].as_str() {
                    Some("accepted") => accepted.push(event["conn"].as_u64().unwrap()),
                    Some("join") => {
                        joins.push((event["conn"].as_u64().unwrap(), event["clients"].as_u64().unwrap()))
                    }
                    _ => {}
                }
            } else if let Some(rest) = line.strip_prefix('#') {
                let (n, rest) = rest.split_once(' ').unwrap();
                let n: u64 = n.parse().unwrap();
                if rest.starts_with("accepted ") {
                    accepted.push(n);
                } else if rest.starts_with("joins") {
                    let count = rest.split(|c: char| !c.is_ascii_digit()).find(|s| !s.is_empty()).unwrap();
                    joins.push((n, count.parse().unwrap()));
                }
            }
        }
        let order: Vec<u64> = (1..=CLIENTS as u64).collect();
        assert_eq!(accepted, order, "json {json}: the accepted lines in the accept order");
        let counts: Vec<(u64, u64)> = order.iter().map(|&n| (n, n)).collect();
        assert_eq!(joins, counts, "json {json}: each join counts up in the same order");
        drop(clients);
        kill("-INT", server.pid());
        server.wait_within(PATIENCE);
    }
}
