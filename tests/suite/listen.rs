//! The listen(5) lesson, which a learner cannot see when a server accepts at
//! once: with --accept-delay the accept queue fills, is shown filling, and
//! past listen()'s backlog the kernel stops completing connections; with
//! --sequential a second client waits there until the first is done, as
//! with the course's `while True: accept()` server.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{PATIENCE, tcp_server};

#[test]
fn a_delayed_accept_fills_the_queue_up_to_the_backlog() {
    let (mut server, addr) = tcp_server(&["--backlog", "2", "--accept-delay", "3s"]);
    // Linux completes backlog + 1 connections, then drops new SYNs: the
    // next connect() does not complete (it would, once accept() ran).
    let waiting: Vec<TcpStream> =
        (0..3).map(|_| TcpStream::connect_timeout(&addr, PATIENCE).expect("queued")).collect();
    let past = TcpStream::connect_timeout(&addr, Duration::from_millis(300));
    // Timed out (its SYN dropped), not refused or failed at once.
    let kind = past.expect_err("a 4th connection completed with listen(2) and nobody accepting").kind();
    assert_eq!(kind, std::io::ErrorKind::TimedOut, "the 4th connect() failed otherwise");
    loop {
        let queue = server.event("accept_queue");
        if queue["queued"] == 3 {
            assert_eq!(queue["backlog"], 2);
            break;
        }
    }
    drop(waiting);
}

#[test]
fn a_sequential_server_takes_the_next_client_when_the_first_is_gone() {
    let (mut server, addr) = tcp_server(&["--sequential", "--reply", "ok"]);
    let mut first = TcpStream::connect(addr).unwrap();
    server.event("accepted");
    // The second is connected by the kernel, and waits in the queue.
    let mut second = TcpStream::connect(addr).unwrap();
    second.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    second.write_all(b"hi").unwrap();
    // The queue's watch may first tell the count it saw around the first
    // client's accept (0): the second client's place is the next 1.
    while server.event("accept_queue")["queued"] != 1 {}
    let mut buf = [0u8; 2];
    assert!(second.read_exact(&mut buf).is_err(), "answered while the first client was served");
    // The first one finishes: the second is accepted and answered.
    first.write_all(b"x").unwrap();
    first.shutdown(std::net::Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    first.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"ok");
    let accepted = server.event("accepted");
    assert_eq!(accepted["conn"], 2);
    second.set_read_timeout(Some(PATIENCE)).unwrap();
    second.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ok");
}
