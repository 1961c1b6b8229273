//! The server loses no data and never hangs: the reproductions of what a
//! netcat user and an attacker found. Each test runs the real binary
//! against real peers (netplay, nc, python3, std sockets) on loopback, and
//! bounds every wait: a wait that runs out is a hang found, not a timing.

use crate::common;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, have};
use sha2::{Digest, Sha256};
use socket2::SockRef;

/// How long a big transfer may take before the test calls it a hang (a
/// debug build moves 256 MiB in about 2 s here).
const TRANSFER_PATIENCE: Duration = Duration::from_secs(60);

/// `len` bytes of a fixed pseudo-random sequence in a file of `dir`.
fn data_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let path = dir.join(name);
    let mut out = std::io::BufWriter::new(File::create(&path).unwrap());
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ len as u64;
    let mut block = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            // xorshift64: every byte value, no dependency.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(block.len());
        out.write_all(&block[..n]).unwrap();
        left -= n;
    }
    out.flush().unwrap();
    path
}

fn sha256_of(path: &Path) -> Vec<u8> {
    let mut hasher = Sha256::new();
    let mut file = File::open(path).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            return hasher.finalize().to_vec();
        }
        hasher.update(&buf[..n]);
    }
}

/// Lines of a child's stderr, as they come.
fn lines(stream: ChildStderr) -> Receiver<String> {
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

/// A `--raw tcp serve --port 0` (reports on stderr) with `stdin`; returns
/// it, its address, and its stderr lines after the listening one.
fn raw_server(args: &[&str], stdin: Stdio, stdout: Stdio) -> (Child, SocketAddr, Receiver<String>) {
    raw_server_env(args, &[], stdin, stdout)
}

/// [`raw_server`] with environment variables set.
fn raw_server_env(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Stdio,
    stdout: Stdio,
) -> (Child, SocketAddr, Receiver<String>) {
    let mut child = Command::new(BIN)
        .args(["--raw", "--color", "never", "tcp", "serve", "--port", "0"])
        .args(args)
        .envs(env.iter().copied())
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = lines(child.stderr.take().unwrap());
    let addr = loop {
        let line = stderr.recv_timeout(PATIENCE).expect("the server never said it was listening");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    (child, addr, stderr)
}

/// A child ended when the test ends, passed or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for `child` to end by itself within `patience`; its exit code.
fn exit_code(child: &mut Child, patience: Duration) -> i32 {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("process {} did not exit within {patience:?}", child.id());
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// The peak resident memory of a running process, in bytes (VmHWM).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// `nc -l PORT < file`: the file waits for the client, however late it
/// connects, and arrives whole; the client's FIN (its stdin is /dev/null)
/// ends only its own direction. Before, the client got 0 bytes: stdin read
/// with no client connected was thrown away, and the client's half-close
/// dropped what was not sent yet.
#[test]
fn served_stdin_waits_for_a_late_client_and_arrives_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path(), "data.bin", 256 << 20);
    let out = dir.path().join("out.bin");
    let (mut server, addr, _stderr) =
        raw_server(&["--once"], File::open(&data).unwrap().into(), Stdio::null());
    // The client comes late: this second is the scenario, not a wait for
    // an event (the server reads nothing of its stdin before a client
    // comes, so there is none; the old one read it and threw it away).
    thread::sleep(Duration::from_secs(1));
    let mut client = Command::new(BIN)
        .args(["--raw", "-q", "tcp", "connect", &addr.to_string()])
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .spawn()
        .unwrap();
    assert_eq!(exit_code(&mut client, TRANSFER_PATIENCE), 0);
    assert_eq!(exit_code(&mut server, PATIENCE), 0);
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 256 << 20);
    assert!(sha256_of(&out) == sha256_of(&data), "the bytes differ");
}

/// The same with `nc -d` as the client, which never sends anything.
#[test]
fn nc_reads_all_of_the_served_stdin() {
    if !have("nc") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path(), "data.bin", 64 << 20);
    let out = dir.path().join("out.bin");
    let (mut server, addr, _stderr) =
        raw_server(&["--once"], File::open(&data).unwrap().into(), Stdio::null());
    let mut nc = Command::new("nc")
        .args(["-d", &addr.ip().to_string(), &addr.port().to_string()])
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .spawn()
        .unwrap();
    // The server shuts its side down once stdin is sent: nc sees the end.
    assert_eq!(exit_code(&mut server, TRANSFER_PATIENCE), 0);
    assert_eq!(exit_code(&mut nc, PATIENCE), 0);
    assert!(sha256_of(&out) == sha256_of(&data), "the bytes differ");
}

/// A client that reads as it can, counting what it got, until the server
/// closes or `want` bytes came.
fn reader(addr: SocketAddr, want: usize) -> thread::JoinHandle<Vec<u8>> {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TRANSFER_PATIENCE)).unwrap();
    thread::spawn(move || {
        let mut got = Vec::with_capacity(want);
        let mut stream = stream;
        let mut buf = vec![0u8; 1 << 16];
        while got.len() < want {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        got
    })
}

/// Broadcast: a 64 MiB sender and readers that read at full speed (nc,
/// python3 reading in a thread, std sockets) get every byte, while a client
/// that never reads is cut after the stall timeout, in true words, and the
/// server's memory stays bounded. Before, the readers were cut as "not
/// reading" after a few MiB, and got 0-6 MB of the 64.
#[test]
fn broadcast_reaches_every_reading_client_whole_and_cuts_a_stuck_one() {
    let size = 64 << 20;
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path(), "data.bin", size);
    // --raw: the relayed payload goes to /dev/null, the reports (cheap,
    // without dumps) to stderr, where the test reads joins and closes.
    // The default stall timeout (5 s): a reader thread of this test, busy
    // machine and debug build, may go unscheduled for a second or two, and
    // must not be taken for the stuck one.
    let (server, addr, stderr) = raw_server(&["--broadcast"], Stdio::null(), Stdio::null());
    let server = Killed(server);
    let next = |what: &str| loop {
        let line = stderr.recv_timeout(TRANSFER_PATIENCE).expect("a report line");
        if line.contains(what) {
            return line;
        }
    };
    // "#3 joins the broadcast: 4 clients" -> (3, 4)
    let join = || {
        let line = next("joins the broadcast");
        let conn: u64 = line[1..].split_whitespace().next().unwrap().parse().unwrap();
        let clients: u64 =
            line.split(": ").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
        (conn, clients)
    };
    // The one that never reads, with small buffers so its queue fills soon.
    let stuck = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    stuck.set_recv_buffer_size(4096).unwrap();
    stuck.connect(&addr.into()).unwrap();
    let (stuck_conn, _) = join();

    let std_readers: Vec<_> = (0..2).map(|_| reader(addr, size)).collect();
    let mut ncs = Vec::new();
    if have("nc") {
        for i in 0..2 {
            let out = dir.path().join(format!("nc{i}.bin"));
            let nc = Command::new("nc")
                .args(["-d", &addr.ip().to_string(), &addr.port().to_string()])
                .stdin(Stdio::null())
                .stdout(File::create(&out).unwrap())
                .spawn()
                .unwrap();
            ncs.push((nc, out));
        }
    }
    let python = have("python3").then(|| {
        let out = dir.path().join("py.bin");
        let script = r#"
import socket, sys, threading
addr, port, want, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.create_connection((addr, port))
got = bytearray()
def read():
    while len(got) < want:
        data = s.recv(65536)
        if not data:
            break
        got.extend(data)
t = threading.Thread(target=read)
t.start()
t.join()
open(out, "wb").write(got)
"#;
        let child = Command::new("python3")
            .args(["-c", script, &addr.ip().to_string(), &addr.port().to_string(), &size.to_string()])
            .arg(&out)
            .spawn()
            .unwrap();
        (child, out)
    });
    let clients = 1 + 2 + ncs.len() + python.is_some() as usize;
    while join().1 < clients as u64 {}

    // The sender, like `nc -N`: all of it, then a half-close.
    let mut sender = TcpStream::connect(addr).unwrap();
    join();
    let mut file = File::open(&data).unwrap();
    std::io::copy(&mut file, &mut sender).unwrap();
    sender.shutdown(Shutdown::Write).unwrap();

    let reason = next(&format!("#{stuck_conn} closed"));
    assert!(reason.contains("took no data for") && reason.contains("--stall-timeout"), "{reason}");

    let want = sha256_of(&data);
    for reader in std_readers {
        let got = reader.join().unwrap();
        assert_eq!(got.len(), size, "a std reader missed bytes");
        assert!(Sha256::digest(&got).to_vec() == want, "a std reader got other bytes");
    }
    if let Some((mut child, out)) = python {
        assert_eq!(exit_code(&mut child, TRANSFER_PATIENCE), 0);
        assert!(sha256_of(&out) == want, "python's threaded reader missed bytes");
    }
    for (mut nc, out) in ncs {
        let deadline = Instant::now() + TRANSFER_PATIENCE;
        while std::fs::metadata(&out).unwrap().len() < size as u64 {
            assert!(
                Instant::now() < deadline,
                "an nc reader got {} bytes; the server said since:\n{}",
                std::fs::metadata(&out).unwrap().len(),
                stderr.try_iter().collect::<Vec<_>>().join("\n")
            );
            thread::sleep(Duration::from_millis(20));
        }
        let _ = nc.kill();
        let _ = nc.wait();
        assert!(sha256_of(&out) == want, "an nc reader got other bytes");
    }
    let rss = peak_rss(server.0.id());
    assert!(rss < 100 << 20, "the server's memory peaked at {rss} bytes");
    drop(stuck);
    drop(server);
}

/// One giant "line" (no newline) on stdin is sent in pieces, never held
/// whole: memory stays bounded. Before, 1 GiB of zeros grew to 1 GB RSS.
#[test]
fn a_stdin_without_newlines_is_sent_in_bounded_pieces() {
    let size = 256 << 20;
    let mut server = Command::new(BIN)
        .args(["--color", "never", "tcp", "serve", "--port", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Human output goes to /dev/null; the listening line is on stdout, so
    // find the port from the process's own socket instead.
    let pid = server.id();
    let addr = listening_addr(pid);
    let mut stdin = server.stdin.take().unwrap();
    let feeder = thread::spawn(move || {
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..size >> 20 {
            if stdin.write_all(&zeros).is_err() {
                return;
            }
        }
    });
    let got = reader(addr, size).join().unwrap();
    feeder.join().unwrap();
    assert_eq!(got.len(), size);
    assert!(got.iter().all(|&b| b == 0));
    let rss = peak_rss(pid);
    assert!(rss < 100 << 20, "the server's memory peaked at {rss} bytes");
    let _ = server.kill();
    let _ = server.wait();
}

/// The address a process listens on, from /proc (its only TCP listener).
fn listening_addr(pid: u32) -> SocketAddr {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|dir| {
                dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                    .filter_map(|l| {
                        let l = l.to_string_lossy().to_string();
                        l.strip_prefix("socket:[").map(|s| s.trim_end_matches(']').to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        for row in table.lines().skip(1) {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // State 0A is LISTEN.
            if cols[3] == "0A" && inodes.iter().any(|i| i == cols[9]) {
                let port = u16::from_str_radix(cols[1].split(':').nth(1).unwrap(), 16).unwrap();
                return SocketAddr::from(([127, 0, 0, 1], port));
            }
        }
        assert!(Instant::now() < deadline, "process {pid} never listened");
        thread::sleep(Duration::from_millis(10));
    }
}

/// stdout is a pipe nobody reads: the server fills it, then waits for it,
/// but a signal still stops it at once. Before, SIGTERM was caught and
/// never acted on (SIGKILL was needed).
#[test]
fn a_server_whose_stdout_is_full_still_stops_on_sigterm() {
    let (read_end, write_end) = std::io::pipe().unwrap();
    let mut server = Command::new(BIN)
        .args(["--color", "never", "tcp", "serve", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(write_end)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = listening_addr(server.id());
    // Enough traffic that its dumps fill the 64 KiB pipe many times over;
    // the server then reads only as fast as its output goes: not at all.
    let mut client = TcpStream::connect(addr).unwrap();
    client.set_write_timeout(Some(Duration::from_millis(500))).unwrap();
    let block = vec![b'x'; 1 << 16];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) {
        if client.write_all(&block).is_err() {
            break;
        }
    }
    // The server is stuck on its output now, and still accepts.
    let _late = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    let sent = Instant::now();
    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    // Bounded generously for a loaded machine: without the fix it never
    // exits at all. The time it took is printed for the record.
    let code = exit_code(&mut server, Duration::from_secs(5));
    eprintln!("stopped {:?} after SIGTERM with stdout full", sent.elapsed());
    assert_eq!(code, 0);
    drop(read_end);
}

/// Four clients upload as fast as they can: each is read its fair share.
/// Before, 2 of 4 were not read at all for 3 s.
///
/// Counted after a first second: until the output's budget (4 MiB) is full
/// nobody waits, and the first uploader to start takes all of it before the
/// others send (seen: 66 reads of client 1, then strict turns 1-2-3-4).
/// That head start also lets the kernel grow its receive buffer, so its
/// reads stay fuller (65,531 bytes on average against 47,813) while the
/// turns stay equal. Counted from the start, on a machine with two busy
/// loops beside it, it came to 1.5-2.03x (failed once in 6 full runs).
#[test]
fn uploading_clients_are_read_fairly() {
    let (mut server, addr) = common::tcp_server(&[]);
    let conns: Vec<TcpStream> = (0..4)
        .map(|_| {
            let c = TcpStream::connect(addr).unwrap();
            server.event("accepted");
            c
        })
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let uploaders: Vec<_> = conns
        .into_iter()
        .map(|mut c| {
            let stop = stop.clone();
            thread::spawn(move || {
                let block = vec![b'u'; 1 << 16];
                c.set_write_timeout(Some(Duration::from_millis(200))).unwrap();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = c.write_all(&block);
                }
            })
        })
        .collect();
    // Counted in reads, not in seconds (a window of 1 s then 3 s stood
    // here, which a loaded machine fills with fewer reads): past the first
    // reads, the next READS the server reports.
    const WARM: usize = 40;
    const READS: usize = 400;
    for _ in 0..WARM {
        server.event("data");
    }
    let mut bytes = std::collections::HashMap::<u64, u64>::new();
    for _ in 0..READS {
        let data = server.event("data");
        *bytes.entry(data["conn"].as_u64().unwrap()).or_default() += data["len"].as_u64().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let counts: Vec<u64> = (1..=4).map(|c| bytes.get(&c).copied().unwrap_or(0)).collect();
    let (min, max) = (*counts.iter().min().unwrap(), *counts.iter().max().unwrap());
    eprintln!("bytes read per client in {READS} reads, after the first {WARM}: {counts:?}");
    assert!(min > 0 && max <= 2 * min, "unfair reads: {counts:?}");
    drop(server);
    for u in uploaders {
        u.join().unwrap();
    }
}

/// SIGINT while clients upload: the listener closes at once (a new client is
/// refused) and the server ends with its totals without waiting for its
/// clients to go. Before, a new connection was accepted 1 s after SIGINT and
/// exit came 7-9 s later.
///
/// Where the totals are read: stdout gets 200 ms to take what waits once
/// the server stops, then the rest of the report goes on on stderr (by
/// design, src/output.rs); under load the test's reader was that slow, and
/// the summary, on stderr, was missed. Read there, it was still missing in
/// 5 runs of 20 under load: the data events that came after stdout was
/// given up went to stderr ahead of it, past the stop's patience. They are
/// passed over now, counted.
#[test]
fn sigint_during_uploads_stops_accepting_at_once() {
    let mut server = Command::new(BIN)
        .args(["--json", "tcp", "serve", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both streams' lines, in one channel, up to the end of both. Stdout's
    // last line may be cut where the pipe took part of a write when stdout
    // was given up (it has no newline): it is left out, and counted.
    let (tx, rx) = channel::<String>();
    let cut = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for stream in [
        Box::new(server.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(server.stderr.take().unwrap()),
    ] {
        let (tx, cut) = (tx.clone(), cut.clone());
        thread::spawn(move || {
            let mut stream = BufReader::new(stream);
            let mut line = String::new();
            while stream.read_line(&mut line).is_ok_and(|n| n > 0) {
                if !line.ends_with('\n') {
                    cut.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    return;
                }
                if tx.send(line.trim_end().to_string()).is_err() {
                    return;
                }
                line.clear();
            }
        });
    }
    drop(tx);
    let next = |what: &str| {
        let line = rx.recv_timeout(PATIENCE).unwrap_or_else(|e| panic!("no line ({e:?}) while {what}"));
        serde_json::from_str::<serde_json::Value>(&line).unwrap_or_else(|e| panic!("bad JSON {line:?}: {e}"))
    };
    let addr: SocketAddr = loop {
        let event = next("waiting for the listening line");
        if event["event"] == "listening" {
            break event["local"].as_str().unwrap().parse().unwrap();
        }
    };
    // The uploaders never stop by themselves: they write until the server
    // has gone (a reset, or PATIENCE), so a server that waited for them
    // would not end.
    let uploaders: Vec<_> = (0..3)
        .map(|_| {
            let mut c = TcpStream::connect(addr).unwrap();
            thread::spawn(move || {
                let block = vec![b'u'; 1 << 16];
                c.set_write_timeout(Some(PATIENCE)).unwrap();
                while c.write_all(&block).is_ok() {}
            })
        })
        .collect();
    // The uploads are under way: each client accepted and read from (a
    // fixed 500 ms stood here).
    let mut reading = std::collections::BTreeSet::new();
    while reading.len() < 3 {
        let event = next("waiting for the uploads");
        if event["event"] == "data" && event["dir"] == "in" {
            reading.insert(event["conn"].as_u64().unwrap());
        }
    }
    Command::new("kill").args(["-INT", &server.id().to_string()]).status().unwrap();
    // The server drops its listener, then closes its clients: once the
    // first is closed, no one more may connect.
    let mut events = Vec::new();
    loop {
        let event = next("waiting for a client to be closed");
        events.push(event.clone());
        if event["event"] == "closed" {
            break;
        }
    }
    assert!(TcpStream::connect_timeout(&addr, PATIENCE).is_err(), "still accepting after SIGINT");
    assert_eq!(exit_code(&mut server, PATIENCE), 0);
    // The lines still to come, on stdout or stderr, up to their end.
    events.extend(rx.iter().map(|l| serde_json::from_str::<serde_json::Value>(&l).unwrap()));
    assert!(cut.load(std::sync::atomic::Ordering::SeqCst) <= 1, "more than stdout's last line was cut");
    let summaries: Vec<_> = events.iter().filter(|e| e["event"] == "summary").collect();
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    assert_eq!(summaries[0]["signal"], "SIGINT");
    assert_eq!(summaries[0]["connections"], 3, "{:?}", summaries[0]);
    assert!(!events.iter().any(|e| e["event"] == "accepted"), "accepted after SIGINT");
    for u in uploaders {
        u.join().unwrap();
    }
}

/// `--once` whose peer resets: exit 8, so a truncated transfer does not look
/// like success. Before, it exited 0.
#[test]
fn once_exits_8_when_its_peer_resets() {
    let (mut server, addr, _stderr) = raw_server(&["--once"], Stdio::null(), Stdio::null());
    let client = TcpStream::connect(addr).unwrap();
    (&client).write_all(b"some bytes").unwrap();
    // The server has read them (a fixed 100 ms stood here).
    common::wait_all_read(addr, client.local_addr().unwrap());
    // Linger 0: close() sends a RST instead of a FIN.
    SockRef::from(&client).set_linger(Some(Duration::ZERO)).unwrap();
    drop(client);
    assert_eq!(exit_code(&mut server, PATIENCE), 8);
}

/// A client whose input could not all be sent (the server reset after
/// reading a little) says how much was sent and exits 8, not 0.
#[test]
fn a_client_whose_input_was_cut_says_how_much_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path(), "data.bin", 64 << 20);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut some = vec![0u8; 4096];
        s.read_exact(&mut some).unwrap();
        SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
    });
    let out = Command::new(BIN)
        .args(["--color", "never", "-q", "tcp", "connect", &addr.to_string(), "--file"])
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    peer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.contains("of the input had been sent"), "{stderr}");
}

/// A client that waited for data has not stalled: its stall clock starts
/// when data waits for it, not at its last send. Before, readers that had
/// waited longer than `--stall-timeout` with nothing to take (behind a
/// late or quiet sender, or behind a stuck client holding the broadcast's
/// sender back) were cut "for taking no data" by the first burst that
/// filled their queues: their clocks had run while they had nothing.
#[test]
fn readers_that_waited_for_a_sender_are_not_cut() {
    let (size, readers) = (8 << 20, 8);
    // One worker thread (tokio reads TOKIO_WORKER_THREADS), as on a loaded
    // machine: the sender's task fills the readers' queues before their
    // writers run, which is when the old clock cut them.
    let (server, addr, stderr) = raw_server_env(
        &["--broadcast", "--stall-timeout", "1s"],
        &[("TOKIO_WORKER_THREADS", "1")],
        Stdio::null(),
        Stdio::null(),
    );
    let _server = Killed(server);
    let joined = |count: usize| {
        let mut seen = 0;
        while seen < count {
            let line = stderr.recv_timeout(PATIENCE).expect("a report line");
            seen += line.contains("joins the broadcast") as usize;
        }
    };
    let readers: Vec<_> = (0..readers).map(|_| reader(addr, size)).collect();
    joined(readers.len());
    // Longer than the stall timeout with nothing to take.
    thread::sleep(Duration::from_millis(1500));
    let mut sender = TcpStream::connect(addr).unwrap();
    let data: Vec<u8> = (0..size).map(|i| (i * 7 + i / 4099) as u8).collect();
    sender.write_all(&data).unwrap();
    sender.shutdown(Shutdown::Write).unwrap();
    let got: Vec<Vec<u8>> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    let said: Vec<String> = stderr.try_iter().collect();
    let cut = said.iter().filter(|l| l.contains("took no data")).count();
    assert!(cut == 0, "{cut} reading clients were cut as stalled:\n{}", said.join("\n"));
    for got in got {
        assert_eq!(got.len(), data.len(), "a reader missed bytes");
        assert!(got == data, "a reader got other bytes");
    }
}
