//! A signal while stdout is a FIFO nobody reads (issue 18, item 7): the
//! server still ends within its patience, and stderr still gets `closed`,
//! `■ stopped by SIGINT` and the totals. With `--raw` the reports are on
//! stderr anyway, and the payload stdout did not take is counted there; a
//! report for people goes on on stderr after one line that says so.
//!
//! The reader of the FIFO opens it and never reads: the pipe (64 KiB) and
//! the report's queue fill, and the server stops reading its client. Every
//! wait is bounded; the moment to send the signal is found in /proc (the
//! client's bytes all taken from the server's socket), not by sleeping.

#![cfg(target_os = "linux")]

use crate::common;

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE};

/// A FIFO, opened for reading (never read) and for writing: the writing
/// end is the server's stdout.
fn unread_fifo(dir: &std::path::Path) -> (File, File) {
    let path = dir.join("stdout");
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let reader = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&path).unwrap();
    let writer = OpenOptions::new().write(true).open(&path).unwrap();
    (reader, writer)
}

/// Lines of `stream`, as they come.
fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
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

/// Waits (bounded) for the child to end; its exit code.
fn exit_code(child: &mut Child) -> i32 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "the server did not end after SIGINT");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `netplay <args> tcp serve --port 0` with stdout on a FIFO nobody
/// reads; sends it `bytes` from one client, waits until the server has
/// taken them all from its socket, then sends SIGINT. Returns the exit code
/// and the stderr lines.
fn stop_with_stdout_unread(args: &[&str], bytes: usize) -> (i32, Vec<String>, Vec<u8>) {
    stop_with_stdout_unread_and(args, &[], bytes, Stderr::AsItComes)
}

/// When the test reads the server's stderr.
#[derive(PartialEq)]
enum Stderr {
    AsItComes,
    /// Only once the server has ended: the pipe holds 64 KiB meanwhile,
    /// as a slow reader (a loaded machine, a log collector) would take.
    AfterTheEnd,
}

/// [`stop_with_stdout_unread`] with `serve`, tcp serve's own options, and
/// stderr read as `read` says.
fn stop_with_stdout_unread_and(
    args: &[&str],
    serve: &[&str],
    bytes: usize,
    read: Stderr,
) -> (i32, Vec<String>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let (mut reader, writer) = unread_fifo(dir.path());
    let mut server = Command::new(BIN)
        .args(args)
        .args(["tcp", "serve", "--port", "0"])
        .args(serve)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_pipe = server.stderr.take();
    let mut stderr = match read {
        Stderr::AsItComes => Some(lines(stderr_pipe.take().unwrap())),
        Stderr::AfterTheEnd => None,
    };
    let mut seen: Vec<String> = Vec::new();
    // The listening line goes where the report goes: with --raw, stderr;
    // otherwise stdout, whose pipe still has room for it. The port is
    // read from /proc instead: the server's own listening socket.
    let port = listening_port(server.id());
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut client = TcpStream::connect(addr).unwrap();
    client.set_write_timeout(Some(PATIENCE)).unwrap();
    client.write_all(&data(bytes)).unwrap();
    let local = client.local_addr().unwrap();
    // Everything sent was read by the server (into its queue, or its pipe).
    common::wait_all_read(addr, local);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(server.id() as i32), nix::sys::signal::Signal::SIGINT)
        .unwrap();
    let code = exit_code(&mut server);
    let stderr = stderr.take().unwrap_or_else(|| lines(stderr_pipe.take().unwrap()));
    // Every line the server wrote to stderr, up to its end.
    let deadline = Instant::now() + PATIENCE;
    loop {
        match stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => seen.push(line),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(e) => panic!("stderr did not end: {e:?}"),
        }
    }
    drop(client);
    // What stdout took: the pipe keeps it for its reader.
    let mut taken = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match std::io::Read::read(&mut reader, &mut buf) {
            Ok(0) => break,
            Ok(n) => taken.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("read the FIFO: {e}"),
        }
    }
    (code, seen, taken)
}

/// The data a client sends: lines that differ (a dump squeezes repeated
/// ones into `*`).
fn data(bytes: usize) -> Vec<u8> {
    (0..bytes).map(|i| (i % 251) as u8).collect()
}

/// "1.94 MiB", "64.0 KiB", "512 B" as bytes, and how far off the rounding
/// may put it.
fn amount(words: &str) -> (f64, f64) {
    let mut parts = words.split_whitespace();
    let number: f64 = parts.next().unwrap().parse().unwrap();
    let unit = match parts.next().unwrap() {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        other => panic!("unit {other}"),
    };
    (number * unit, 0.01 * unit)
}

/// The port the process `pid` listens on, from /proc/net/tcp and its fds.
fn listening_port(pid: u32) -> u16 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|dir| {
                dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                    .filter_map(|l| {
                        l.to_str()?.strip_prefix("socket:[")?.strip_suffix(']').map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // State 0A: LISTEN.
            if fields.get(3) == Some(&"0A") && fields.get(9).is_some_and(|i| inodes.iter().any(|x| x == i)) {
                let port = fields[1].split(':').nth(1).unwrap();
                return u16::from_str_radix(port, 16).unwrap();
            }
        }
        assert!(Instant::now() < deadline, "netplay (pid {pid}) listens on no TCP port");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn raw_reports_and_totals_reach_stderr_when_stdout_is_not_read() {
    // 2 MiB: more than the pipe and the output's buffers hold.
    let sent = 2 << 20;
    let (code, stderr, taken) = stop_with_stdout_unread(&["--raw"], sent);
    let text = stderr.join("\n");
    assert_eq!(code, 0, "{text}");
    for words in ["#1 closed", "■ stopped by SIGINT", "2.00 MiB in", "did not reach it"] {
        assert!(text.contains(words), "{words:?} is not on stderr:\n{text}");
    }
    // What stdout took is the start of what was sent, unchanged; and the
    // count said is the rest, as the pipe shows it.
    assert!(!taken.is_empty() && data(sent).starts_with(&taken), "{} bytes taken", taken.len());
    let line = stderr.iter().find(|l| l.contains("did not reach it")).unwrap();
    let missing = (sent - taken.len()) as f64;
    let (least, most) = match line.split_once("received, ") {
        // "of what was received, 1.94 MiB to 2.00 MiB did not reach it"
        Some((_, rest)) => {
            let (least, rest) = rest.split_once(" to ").unwrap();
            (amount(least), amount(rest.split(" did not").next().unwrap()))
        }
        // "1.94 MiB received did not reach it"
        None => {
            let words = line.split(": ").last().unwrap().split(" received").next().unwrap();
            (amount(words), amount(words))
        }
    };
    assert!(
        least.0 - least.1 <= missing && missing <= most.0 + most.1,
        "{missing} bytes did not reach stdout, and stderr says: {line}"
    );
}

#[test]
fn a_report_for_people_goes_on_on_stderr_when_stdout_is_not_read() {
    for (serve, read) in [
        (&[][..], Stderr::AsItComes),
        // As the JSON test below: a flood of small dumps, stderr read late.
        (&["--recv-size", "512"][..], Stderr::AfterTheEnd),
    ] {
        let (code, stderr, _) = stop_with_stdout_unread_and(&["--color", "never"], serve, 2 << 20, read);
        let text = stderr.join("\n");
        assert_eq!(code, 0, "{text}");
        let given_up = stderr.iter().position(|l| l.contains("the rest of the report is here, on stderr"));
        let given_up = given_up.unwrap_or_else(|| panic!("no line says stdout was given up:\n{text}"));
        let rest = stderr[given_up..].join("\n");
        for words in ["#1 closed", "■ stopped by SIGINT", "not shown (data, datagrams, packets)"] {
            assert!(rest.contains(words), "{words:?} is not on stderr after the note:\n{text}");
        }
    }
}

/// `--json` likewise: the JSON lines go on on stderr, and the last of them
/// are the client's close and the totals, whatever the flood before them
/// (data events still coming once stdout is given up are passed over,
/// counted in one notice). Here stderr is read only once the server has
/// ended, and the flood is of small reads (--recv-size 512): sent to
/// stderr, as it was, it filled the pipe, and the stop's patience ran out
/// before the totals were written (exit 0, no summary).
#[test]
fn a_json_report_goes_on_on_stderr_when_stdout_is_not_read() {
    let (code, stderr, _) =
        stop_with_stdout_unread_and(&["--json"], &["--recv-size", "512"], 2 << 20, Stderr::AfterTheEnd);
    let text = stderr.join("\n");
    assert_eq!(code, 0, "{text}");
    let events: Vec<serde_json::Value> = stderr
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n{text}")))
        .collect();
    let closed = events.iter().any(|e| e["event"] == "closed" && e["conn"] == 1);
    assert!(closed, "no closed event on stderr:\n{text}");
    let summary = events.iter().find(|e| e["event"] == "summary");
    assert!(summary.is_some_and(|s| s["signal"] == "SIGINT" && s["bytes_in"] == 2 << 20), "{text}");
}

/// SIGINT cuts a client that holds bytes the server sent and it has not
/// acknowledged (a 4 KiB receive buffer, nothing read): `closed` and
/// `summary` take those bytes back from `bytes_out`, and the run's `end`
/// must say the same total. It said every byte handed to the socket
/// (leftovers of note27: `end` 8192 where `summary` said 4934).
#[test]
fn the_end_counts_what_the_summary_counts_after_a_cut() {
    let (mut server, addr) = common::tcp_server_piped(&[]);
    let client = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    client.set_recv_buffer_size(4096).unwrap();
    client.connect(&addr.into()).unwrap();
    let local = client.local_addr().unwrap().as_socket().unwrap();
    server.event("accepted");
    server.write_stdin(&[7u8; 64 << 10]);
    // Until the server's socket holds what the client cannot take: bytes
    // sent and not acknowledged, the same reading twice in a row.
    let deadline = Instant::now() + PATIENCE;
    let mut last = None;
    loop {
        let held = common::tcp_queues(addr, local).map(|(tx, _)| tx).unwrap_or(0);
        if held > 0 && last == Some(held) {
            break;
        }
        assert!(Instant::now() < deadline, "the server's socket never held the bytes ({held})");
        last = Some(held);
        thread::sleep(Duration::from_millis(50));
    }
    server.signal(nix::sys::signal::Signal::SIGINT);
    let closed = server.event("closed");
    let summary = server.event("summary");
    let end = server.event("end");
    let out = closed["bytes_out"].as_u64().unwrap();
    assert!(out < 64 << 10, "the cut took nothing back: {closed}");
    assert_eq!(summary["bytes_out"].as_u64(), Some(out), "{summary}");
    assert_eq!(end["bytes_out"].as_u64(), Some(out), "{end}");
    drop(client);
}
