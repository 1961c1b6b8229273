#![cfg(target_os = "linux")]
//! A pipe as the raw relay's input (`cat file | netplay --raw tcp connect`,
//! `cat file | netplay --raw tcp serve --once`), issue 24's item 4. The
//! direct path grows the pipe to 1 MiB and reads it (read and send), or
//! splices it into the socket when `NETPLAY_SEND=splice` asks
//! (src/tcp/plan.rs says why reading is the default). Each way is forced
//! in turn and proven by the note netplay prints; whatever the way, the
//! bytes arrive whole (sha256) when the pipe ends early, is empty, or
//! the reader at the other end is slow.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE};
use sha2::{Digest, Sha256};

/// How long a transfer may take before the test calls it a hang.
const TRANSFER: Duration = Duration::from_secs(60);

/// The ways a pipe may go, as `NETPLAY_SEND` is set, and the words of the
/// note each prints.
const WAYS: [(Option<&str>, &str); 3] = [
    (None, "sent with read(2) and send(2), stdin (a pipe) → socket"),
    (Some("copy"), "sent with read(2) and send(2), stdin (a pipe) → socket"),
    (Some("splice"), "sent with splice(2), stdin (a pipe) → socket"),
];

/// `len` bytes of a fixed pseudo-random sequence.
fn data(len: usize) -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1du64 ^ len as u64;
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

fn same(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    assert!(Sha256::digest(got) == Sha256::digest(want), "{what}: the bytes differ (sha256)");
}

/// How the test's end of the connection reads.
#[derive(Debug, Clone, Copy)]
enum Reader {
    /// As fast as it can.
    Fast,
    /// A small receive buffer, and a pause after every 64 KiB: netplay's
    /// socket is full most of the time, and its sends are partial.
    Slow,
}

/// Reads everything `socket` brings, as `reader` says.
fn read_all(mut socket: TcpStream, reader: Reader) -> Vec<u8> {
    socket.set_read_timeout(Some(TRANSFER)).unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = socket.read(&mut buf).expect("reading what netplay sent");
        if n == 0 {
            return got;
        }
        got.extend_from_slice(&buf[..n]);
        if let Reader::Slow = reader {
            // Slowness, not synchronisation: any pause gives the same bytes.
            thread::sleep(Duration::from_millis(2));
        }
    }
}

/// How the pipe is fed: `pieces` of the input written in turn (uneven
/// sizes), then the write end closed.
fn feed(mut stdin: std::process::ChildStdin, input: Vec<u8>, pieces: &[usize]) -> JoinHandle<()> {
    let pieces = pieces.to_vec();
    thread::spawn(move || {
        let mut at = 0;
        for piece in pieces.iter().cycle() {
            if at == input.len() {
                break;
            }
            let end = (at + piece).min(input.len());
            if stdin.write_all(&input[at..end]).is_err() {
                return;
            }
            at = end;
        }
        // Dropped: the pipe's end.
    })
}

fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// netplay with `args`, NETPLAY_SEND set to `way` (or unset); always
/// its FIN after stdin, empty or not (`--half-close always`: the default
/// sends none after an empty input, and the test's end waits for one).
fn netplay(way: Option<&str>, args: &[&str]) -> Child {
    let mut command = Command::new(BIN);
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env_remove("NETPLAY_SEND")
        .args(["--raw", "--color", "never"])
        .args(args)
        .args(["--half-close", "always"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(way) = way {
        command.env("NETPLAY_SEND", way);
    }
    command.spawn().unwrap()
}

/// Waits for `child`'s exit within `patience`: its code and what it said.
fn finish(mut child: Child, said: Receiver<String>, patience: Duration) -> (i32, String) {
    let deadline = Instant::now() + patience;
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "netplay did not exit within {patience:?}: {}",
                said.try_iter().collect::<Vec<_>>().join("\n")
            );
        }
        thread::sleep(Duration::from_millis(10));
    };
    (code, said.iter().collect::<Vec<_>>().join("\n"))
}

/// The pipe into `tcp connect --raw`, whose bytes the test receives.
fn client(way: Option<&str>, input: &[u8], pieces: &[usize], reader: Reader) -> (i32, String, Vec<u8>) {
    let listener = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    if let Reader::Slow = reader {
        // Set before listen: the accepted socket inherits it, and its
        // window stays small from the handshake on.
        listener.set_recv_buffer_size(16 << 10).unwrap();
    }
    listener.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into()).unwrap();
    listener.listen(1).unwrap();
    let listener = TcpListener::from(listener);
    let addr = listener.local_addr().unwrap().to_string();
    let mut child = netplay(way, &["tcp", "connect", &addr]);
    let said = lines(child.stderr.take().unwrap());
    let feeder = feed(child.stdin.take().unwrap(), input.to_vec(), pieces);
    let receiver = thread::spawn(move || read_all(listener.accept().unwrap().0, reader));
    let (code, said) = finish(child, said, TRANSFER);
    feeder.join().unwrap();
    (code, said, receiver.join().unwrap())
}

/// The pipe into `tcp serve --raw --once`, to which the test connects.
fn server(way: Option<&str>, input: &[u8], pieces: &[usize], reader: Reader) -> (i32, String, Vec<u8>) {
    let mut child = netplay(way, &["tcp", "serve", "--port", "0", "--once"]);
    let said = lines(child.stderr.take().unwrap());
    let mut before = Vec::new();
    let addr: SocketAddr = loop {
        let line = said.recv_timeout(PATIENCE).expect("the server never said it was listening");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
        before.push(line);
    };
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    if let Reader::Slow = reader {
        socket.set_recv_buffer_size(16 << 10).unwrap();
    }
    socket.connect(&addr.into()).unwrap();
    let socket = TcpStream::from(socket);
    // Our side sends nothing: the server's receiving direction ends.
    socket.shutdown(std::net::Shutdown::Write).unwrap();
    let feeder = feed(child.stdin.take().unwrap(), input.to_vec(), pieces);
    let got = read_all(socket, reader);
    let (code, said) = finish(child, said, TRANSFER);
    feeder.join().unwrap();
    (code, before.join("\n") + "\n" + &said, got)
}

type Run = fn(Option<&str>, &[u8], &[usize], Reader) -> (i32, String, Vec<u8>);

/// Every way, on both ends: `input` fed in `pieces` arrives whole, with
/// the way's note when anything was sent.
fn every_way(input: &[u8], pieces: &[usize], reader: Reader) {
    for (end, run) in [("tcp connect", client as Run), ("tcp serve", server as Run)] {
        for (way, note) in WAYS {
            let what = format!("{end}, NETPLAY_SEND={way:?}, {reader:?} reader, {} bytes", input.len());
            let (code, said, got) = run(way, input, pieces, reader);
            assert_eq!(code, 0, "{what}: {said}");
            same(&got, input, &what);
            if !input.is_empty() {
                assert!(said.contains(note), "{what}: no note '{note}':\n{said}");
            }
        }
    }
}

#[test]
fn a_pipe_arrives_whole_every_way() {
    // 16 MiB and a few bytes: many pipefuls, and a last read that is not.
    every_way(&data((16 << 20) + 4097), &[128 << 10], Reader::Fast);
}

#[test]
fn a_pipe_that_ends_early_or_is_empty_loses_nothing() {
    // The writer stops after uneven pieces, in the middle of what a pipe
    // holds; then a pipe closed before anything was written.
    every_way(&data(3_000_007), &[1, 65_537, 4095, 300_001], Reader::Fast);
    every_way(&[], &[1], Reader::Fast);
}

#[test]
fn a_slow_reader_loses_nothing() {
    every_way(&data(4 << 20), &[128 << 10], Reader::Slow);
}
