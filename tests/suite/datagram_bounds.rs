#![cfg(target_os = "linux")]
//! Datagram boundaries where netplay receives UDP (issue 19): the peers
//! matrix (tests/suite/peers.rs) reads them where python3 receives. Here a UDP
//! socket of the test's own sends datagrams of known sizes, a 0-byte one
//! among them (1, 0, 1, 1,472, 65,507, 1 bytes), to `udp serve`, and
//! answers `udp send --wait` with them: with `--json`, one `datagram`
//! event for each, in order, with its length and its bytes; with `--raw`,
//! stdout holds them all, in order (a 0-byte datagram ends nothing). The
//! same datagrams to OpenBSD `nc -u -l` are printed as the reference: nc
//! reads a 0-byte datagram as its input's end and stops reading, and cuts
//! a datagram longer than 16,384 bytes (its read size).

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, Proto};

/// The sizes sent, in order: the smallest, the empty datagram, a
/// datagram that fills an Ethernet frame (1,500 - 28), the largest over
/// IPv4, and one more after them all.
const SIZES: [usize; 6] = [1, 0, 1, 1472, 65_507, 1];

/// Datagram `i` of SIZES: its own bytes, so that an order or a cut shows.
fn datagram(i: usize) -> Vec<u8> {
    (0..SIZES[i]).map(|j| ((i * 37 + j * 7) % 256) as u8).collect()
}

fn all() -> Vec<u8> {
    (0..SIZES.len()).flat_map(datagram).collect()
}

/// Sends every datagram of SIZES from `socket` to `to`, in order.
fn send_all(socket: &UdpSocket, to: SocketAddr) {
    for (i, &size) in SIZES.iter().enumerate() {
        assert_eq!(socket.send_to(&datagram(i), to).unwrap(), size);
    }
}

/// The `datagram` events of direction `dir` in `events`: their `len`,
/// `arrived` and bytes.
fn datagrams(events: &[serde_json::Value], dir: &str) -> Vec<(u64, u64, Vec<u8>)> {
    common::named(events, "datagram")
        .into_iter()
        .filter(|e| e["dir"] == dir)
        .map(|e| {
            let hex = e["hex"].as_str().unwrap_or_default();
            let bytes =
                (0..hex.len() / 2).map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap()).collect();
            (e["len"].as_u64().unwrap(), e["arrived"].as_u64().unwrap_or(u64::MAX), bytes)
        })
        .collect()
}

fn assert_each_whole(got: &[(u64, u64, Vec<u8>)], what: &str) {
    assert_eq!(got.len(), SIZES.len(), "{what}: one event per datagram: {:?}", lens(got));
    for (i, (len, arrived, bytes)) in got.iter().enumerate() {
        assert_eq!((*len as usize, *arrived as usize), (SIZES[i], SIZES[i]), "{what}: datagram {i}");
        assert!(*bytes == datagram(i), "{what}: datagram {i}'s bytes");
    }
}

fn lens(got: &[(u64, u64, Vec<u8>)]) -> Vec<u64> {
    got.iter().map(|(len, _, _)| *len).collect()
}

/// `udp serve --json`: one `datagram` event per datagram, each whole.
#[test]
fn udp_serve_shows_each_datagram_whole_and_apart() {
    let (mut server, addr) = common::udp_server(&[]);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    send_all(&sender, addr);
    let mut events = Vec::new();
    for _ in 0..SIZES.len() {
        events.push(server.event("datagram"));
    }
    assert_each_whole(&datagrams(&events, "in"), "udp serve --json");
}

/// `udp send --wait --json`: each reply its own `datagram` event, whole.
#[test]
fn udp_send_shows_each_reply_whole_and_apart() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port().to_string();
    let mut client = Command::new(BIN)
        .args(["--json", "udp", "send", "127.0.0.1", &port, "-m", "q", "--wait", "2s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    peer.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut query = [0u8; 16];
    let (_, from) = peer.recv_from(&mut query).expect("the query");
    send_all(&peer, from);
    let mut out = Vec::new();
    client.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let _ = client.wait();
    assert_each_whole(&datagrams(&common::events(&out), "in"), "udp send --wait --json");
}

/// Reads `stream` into a channel until `want` bytes came (or it ended).
fn read_up_to(mut stream: impl Read + Send + 'static, want: usize) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        while got.len() < want {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = tx.send(got);
    });
    rx
}

/// The address a `--raw` netplay says on stderr it is bound to; its
/// stderr is read on to its end (a closed stderr would end the run).
fn bound_addr(child: &mut Child) -> SocketAddr {
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if let Some(rest) = line.split("bound to ").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap().parse().unwrap());
            }
        }
    });
    rx.recv_timeout(PATIENCE).expect("a `bound to` line")
}

/// `udp serve --raw`: stdout holds every datagram, in order; the 0-byte
/// one ends nothing (the last 1-byte datagram comes after it).
#[test]
fn udp_serve_raw_writes_every_datagram_after_an_empty_one() {
    let mut server = Command::new(BIN)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .args(["--raw", "udp", "serve", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = bound_addr(&mut server);
    let want = all();
    let got = read_up_to(server.stdout.take().unwrap(), want.len());
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    send_all(&sender, addr);
    let got = got.recv_timeout(PATIENCE).unwrap_or_default();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(got.len(), want.len(), "udp serve --raw: bytes on stdout");
    assert!(got == want, "udp serve --raw: the bytes differ");
}

/// `udp send --wait --raw`: stdout holds every reply, in order.
#[test]
fn udp_send_raw_writes_every_reply_after_an_empty_one() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port().to_string();
    let mut client = Command::new(BIN)
        .args(["--raw", "-q", "udp", "send", "127.0.0.1", &port, "-m", "q", "--wait", "2s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    peer.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut query = [0u8; 16];
    let (_, from) = peer.recv_from(&mut query).expect("the query");
    send_all(&peer, from);
    let mut out = Vec::new();
    client.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let status = client.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(out == all(), "udp send --raw: {} bytes of {}", out.len(), all().len());
}

/// The reference: OpenBSD `nc -u -l` given the same datagrams, with and
/// without the 0-byte one, printed (docs/conformance.md); nothing is
/// asserted of it.
#[test]
fn nc_u_l_in_netplay_s_place() {
    if !common::have("nc") || !common::have("ss") {
        return;
    }
    let mut rows = Vec::new();
    for with_empty in [true, false] {
        let mut nc = Command::new("nc")
            .args(["-u", "-l", "127.0.0.1", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let Some(port) = common::port_of(Proto::Udp, nc.id(), Instant::now() + PATIENCE) else {
            let _ = nc.kill();
            let _ = nc.wait();
            continue;
        };
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to: SocketAddr = ([127, 0, 0, 1], port).into();
        let sent: Vec<usize> = (0..SIZES.len()).filter(|&i| with_empty || SIZES[i] > 0).collect();
        let want: usize = sent.iter().map(|&i| SIZES[i]).sum();
        let got = read_up_to(nc.stdout.take().unwrap(), want);
        for &i in &sent {
            sender.send_to(&datagram(i), to).unwrap();
        }
        // nc may stop reading early: what it wrote within 2 s is its
        // answer; killed, its stdout ends and the reader returns the rest.
        let whole = got.recv_timeout(Duration::from_secs(2)).ok();
        let _ = nc.kill();
        let _ = nc.wait();
        let got = whole.or_else(|| got.recv_timeout(PATIENCE).ok()).unwrap_or_default();
        let sizes: Vec<usize> = sent.iter().map(|&i| SIZES[i]).collect();
        rows.push(format!("nc -u -l, datagrams of {sizes:?} ({want} bytes): stdout got {} bytes", got.len()));
    }
    println!("{}", rows.join("\n"));
}
