#![cfg(target_os = "linux")]
//! When the reader of netplay's stdout leaves (`netplay --raw tcp connect
//! H P < file | head -c 100`) while the input is still being sent, the
//! upload is cut: netplay must not say success (exit 0) and must not let
//! the server read a FIN, the end of a whole stream. The same scenario
//! with OpenBSD nc, ncat and socat in netplay's place is run and printed
//! as the reference (docs/conformance.md has their numbers): ncat and
//! socat stop at once and exit 2 and 1, nc goes on until the server's
//! download ends and exits 0 with the upload cut.
//!
//! The server (python3) sends a download and reads nothing of the 64 MiB
//! upload until told to: the test reads 100 bytes of the client's
//! stdout, closes the pipe, waits for the client to end, and only then
//! lets the server read, so the upload is certainly unfinished when the
//! reader leaves. A second scenario sends a small upload the server reads
//! whole before the download starts: a reader leaving then cuts nothing,
//! and netplay exits 0 as after `| head`.
//!
//! The same for `tcp serve`, whose stdin is the upload and the client
//! (the same python3, connecting) the download's sender: with `--once`
//! on both raw paths and in the human report, and without it (the whole
//! server ends, as `ncat -l -k` does), `--broadcast`'s two clients both
//! cut; ncat -l, socat and nc -l in netplay's place are the reference.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, Proto};

/// The peer, a server unless given a port to connect to (then the
/// client of `tcp serve`, the same otherwise): prints its port, accepts
/// one client and sends it a download for as long as the client takes it (a reader that leaves is
/// only seen by a write, so the client must go on receiving). `big`: sends
/// at once and reads nothing of the upload until a line comes on its
/// stdin, then stops sending and reads; otherwise reads the upload to its
/// end first, then sends. Prints how many bytes of the upload it read and
/// how the stream ended: `eof` (a FIN) or `reset`. The sending stops
/// as soon as poll(2) shows the connection's error or hang-up, without a
/// call that would take the reset's error for itself (the reading recv
/// would then return 0, as after a FIN); a send that took it anyway says
/// so.
const PEER_PY: &str = "\
import os, select, socket, sys
big = sys.argv[1] in ('big', 'held', 'unread')
if len(sys.argv) > 2:
    c = socket.socket()
    if sys.argv[1] == 'held':
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(('127.0.0.1', int(sys.argv[2])))
    print(c.getsockname()[1], flush=True)
else:
    l = socket.create_server(('127.0.0.1', 0))
    if sys.argv[1] == 'held':
        l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    print(l.getsockname()[1], flush=True)
    c, a = l.accept()
    if sys.argv[1] in ('held', 'unread'):
        print(a[1], flush=True)
chunk = bytes(range(256)) * 256
def read():
    n, how = 0, 'eof'
    try:
        while True:
            b = c.recv(1 << 16)
            if not b:
                break
            n += len(b)
    except OSError:
        how = 'reset'
    return n, how
if big:
    c.setblocking(False)
    p = select.poll()
    p.register(c, select.POLLOUT)
    p.register(0, select.POLLIN)
    sending, took = True, False
    go = False
    while not go:
        for fd, ev in p.poll():
            if fd == 0:
                go = True
            elif ev & (select.POLLERR | select.POLLHUP):
                p.unregister(c)
            elif ev & select.POLLOUT:
                try:
                    c.send(chunk)
                except BlockingIOError:
                    pass
                except OSError:
                    took = True
                    p.unregister(c)
    c.setblocking(True)
    n, how = read()
    if took:
        how = 'reset'
    print(n, how, flush=True)
else:
    n, how = read()
    print(n, how, flush=True)
    try:
        while True:
            c.sendall(chunk)
    except OSError:
        pass
";

const BIG: usize = 64 << 20;
const SMALL: usize = 1000;
/// An upload the client's socket takes whole at once (its send buffer
/// grows to megabytes on loopback) and the server's small receive buffer
/// cannot.
const HELD: usize = 256 << 10;
/// An upload the server's socket takes and acknowledges whole, with room
/// to spare (loopback's default receive buffer is 128 KiB).
const UNREAD: usize = 32 << 10;

/// How big an upload a scenario sends, and how the server takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Upload {
    /// 64 MiB, read only once the client has ended.
    Big,
    /// 1,000 bytes, read whole before the download starts.
    Small,
    /// 256 KiB, all given to the client's socket, mostly held there by a
    /// server with a 4 KiB receive buffer that reads nothing until the
    /// client has ended.
    Held,
    /// 32 KiB, all acknowledged by the server's socket, where it waits
    /// unread until the client has ended.
    Unread,
}

impl Upload {
    fn size(self) -> usize {
        match self {
            Upload::Big => BIG,
            Upload::Small => SMALL,
            Upload::Held => HELD,
            Upload::Unread => UNREAD,
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Upload::Big => "big",
            Upload::Small => "small",
            Upload::Held => "held",
            Upload::Unread => "unread",
        }
    }
}

/// The Recv-Q and Send-Q (`ss`'s numbers, from /proc/net/tcp) of the TCP
/// socket from `local` to `peer` on 127.0.0.1.
fn queues(local: u16, peer: u16) -> Option<(usize, usize)> {
    let at = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
    common::tcp_queues(at(local), at(peer)).map(|(send, recv)| (recv as usize, send as usize))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    /// netplay, on the direct path (`--raw`) or the event path (`--raw
    /// --decode B`).
    Netplay {
        event: bool,
    },
    Nc,
    Ncat,
    Socat,
}

impl Tool {
    fn command(self, port: u16) -> Command {
        let p = port.to_string();
        match self {
            Tool::Netplay { event } => {
                let mut command = Command::new(BIN);
                command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8");
                command.args(["--raw", "-q"]);
                if event {
                    command.args(["--decode", "B"]);
                }
                command.args(["tcp", "connect", "127.0.0.1", &p]);
                command
            }
            Tool::Nc => {
                let mut command = Command::new("nc");
                command.args(["-N", "127.0.0.1", &p]);
                command
            }
            Tool::Ncat => {
                let mut command = Command::new("ncat");
                command.args(["127.0.0.1", &p]);
                command
            }
            Tool::Socat => {
                let mut command = Command::new("socat");
                command.args(["-", &format!("TCP:127.0.0.1:{p}")]);
                command
            }
        }
    }
}

/// What one run showed.
#[derive(Debug)]
struct Outcome {
    /// The client's exit: a code, or 128 + the signal.
    exit: Option<i32>,
    /// Upload bytes the server read, and how its stream ended.
    got: usize,
    how: String,
    stderr: String,
}

/// Kills `child` (by its own PID) if it is still running.
fn stop(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
    }
    let _ = child.wait();
}

/// The exit of `child`, waited for until `deadline` (None past it).
fn exit_by(child: &mut Child, deadline: Instant) -> Option<i32> {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)));
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

fn run(tool: Tool, kind: Upload) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("upload");
    let size = kind.size();
    std::fs::write(&upload, (0..size).map(|i| (i * 7 % 251) as u8).collect::<Vec<u8>>()).unwrap();
    let (mut server, mut said, port) = peer_server(kind);
    let mut line = String::new();
    let deadline = Instant::now() + PATIENCE;
    let mut client = tool
        .command(port)
        .stdin(std::fs::File::open(&upload).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -c 100`: 100 bytes, then the reader leaves.
    let mut out = client.stdout.take().unwrap();
    let mut head = [0u8; 100];
    out.read_exact(&mut head).expect("100 bytes of the download");
    if kind == Upload::Held {
        // The reader leaves only once the whole upload was given to the
        // client's socket: what the server's socket holds and what the
        // client's still holds (`ss`) add up to all of it.
        line.clear();
        said.read_line(&mut line).unwrap();
        let client_port: u16 = line.trim().parse().expect("the client's port");
        let handed = || {
            let (held, _) = queues(port, client_port)?;
            let (_, owed) = queues(client_port, port)?;
            Some(held + owed >= HELD)
        };
        while handed() != Some(true) {
            assert!(Instant::now() < deadline, "the upload was not all given to the socket: {:?}", handed());
            thread::sleep(Duration::from_millis(5));
        }
    }
    if kind == Upload::Unread {
        // The reader leaves only once the server's socket holds the whole
        // upload, acknowledged (`ss`: its Recv-Q, and the client's Send-Q
        // empty).
        line.clear();
        said.read_line(&mut line).unwrap();
        let client_port: u16 = line.trim().parse().expect("the client's port");
        let taken = || {
            let (held, _) = queues(port, client_port)?;
            let (_, owed) = queues(client_port, port)?;
            Some(held >= UNREAD && owed == 0)
        };
        while taken() != Some(true) {
            assert!(Instant::now() < deadline, "the upload was not all acknowledged: {:?}", taken());
            thread::sleep(Duration::from_millis(5));
        }
    }
    drop(out);
    let exit = exit_by(&mut client, deadline);
    stop(&mut client);
    let mut stderr = String::new();
    client.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    // `--decode`'s values go to stderr with `-q` too: not what is checked.
    let stderr: String =
        stderr.lines().filter(|l| !l.trim_start().starts_with('↳')).map(|l| format!("{l}\n")).collect();
    // Only now may the server read the upload.
    let mut go = server.stdin.take().unwrap();
    let _ = go.write_all(b"go\n");
    drop(go);
    line.clear();
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = said.read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(PATIENCE).unwrap_or_default();
    stop(&mut server);
    let mut words = line.split_whitespace();
    let got = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let how = words.next().unwrap_or("no answer").to_string();
    Outcome { exit, got, how, stderr }
}

/// The 64 MiB upload is cut when the reader leaves: netplay says so on
/// stderr, exits 1, and the server reads a reset, not an EOF. Fails on
/// 89e1936: exit 0, nothing said, and the server read a FIN after the
/// beginning of the upload.
#[test]
fn a_reader_that_leaves_while_the_input_is_sent_is_no_success() {
    if !common::have("python3") {
        return;
    }
    for event in [false, true] {
        let tool = Tool::Netplay { event };
        let outcome = run(tool, Upload::Big);
        assert!(outcome.got < BIG, "{tool:?}: the whole upload went through: {outcome:?}");
        assert_eq!(outcome.exit, Some(1), "{tool:?}: {outcome:?}");
        assert_eq!(outcome.how, "reset", "{tool:?}: the server read the end of a whole stream: {outcome:?}");
        let said = outcome.stderr.trim_end();
        assert_eq!(said.lines().count(), 1, "{tool:?}: one line: {said}");
        assert!(
            said.contains("stdout was closed") && said.contains("of the input had been sent"),
            "{tool:?}: {said}"
        );
    }
}

/// An upload all given to the client's socket, most of it still there
/// when the reader leaves (the server reads nothing): it is cut too, since
/// the last close (the server's bytes unread) is a RST that throws away
/// what the socket held. netplay says so, exits 1, and the server reads a
/// reset. Failed on a2ed12f: exit 0, nothing said, the upload cut (the
/// flaky peers row `client | ncat | both | reader leaves` was this).
#[test]
fn a_reader_that_leaves_while_the_socket_holds_the_input_is_no_success() {
    if !common::have("python3") || !common::have("ss") {
        return;
    }
    for event in [false, true] {
        let tool = Tool::Netplay { event };
        let outcome = run(tool, Upload::Held);
        assert!(outcome.got < HELD, "{tool:?}: the whole upload went through: {outcome:?}");
        assert_eq!(outcome.exit, Some(1), "{tool:?}: {outcome:?}");
        assert_eq!(outcome.how, "reset", "{tool:?}: the server read the end of a whole stream: {outcome:?}");
        let said = outcome.stderr.trim_end();
        assert_eq!(said.lines().count(), 1, "{tool:?}: one line: {said}");
        assert!(said.contains("stdout was closed") && said.contains("not acknowledged"), "{tool:?}: {said}");
    }
}

/// An upload the server's socket acknowledged whole, unread there by the
/// server when the reader leaves: the last close is a RST, and a peer that
/// meets it may stop reading what its socket held (OpenBSD nc does: the
/// peers matrix's row `client | nc | both | reader leaves` lost 0.9 MiB so,
/// netplay exiting 0). netplay, seeing the server on this machine, waits
/// for it to read, then says what it had not, and exits 1. Failed before:
/// exit 0, nothing said.
#[test]
fn a_reader_that_leaves_while_the_peer_has_not_read_the_input_is_no_success() {
    if !common::have("python3") || !common::have("ss") {
        return;
    }
    for event in [false, true] {
        let tool = Tool::Netplay { event };
        let outcome = run(tool, Upload::Unread);
        assert_eq!(outcome.exit, Some(1), "{tool:?}: {outcome:?}");
        let said = outcome.stderr.trim_end();
        assert_eq!(said.lines().count(), 1, "{tool:?}: one line: {said}");
        assert!(said.contains("stdout was closed") && said.contains("32.0 KiB"), "{tool:?}: {said}");
        assert!(said.contains("waited unread in the peer's socket"), "{tool:?}: {said}");
        // Linux keeps what the server's socket held readable to a plain
        // recv after the reset: this server, told to read, read it all.
        assert_eq!(outcome.got, UNREAD, "{tool:?}: {outcome:?}");
    }
}

/// The peers matrix's row `client | nc | both | reader leaves`, made
/// certain: an OpenBSD `nc -l` whose stdout nobody reads for now, so that
/// its socket holds the end of netplay's upload, acknowledged and unread,
/// when netplay's reader leaves. nc stops reading at the RST that netplay's
/// close sends, and writes less than the upload: netplay must not exit 0.
/// Failed before: exit 0, nc's output cut.
#[test]
fn a_reader_that_leaves_while_nc_has_not_read_the_input_is_no_success() {
    if !common::have("nc") || !common::have("ss") {
        return;
    }
    const UPLOAD: usize = 96 << 10;
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("upload");
    std::fs::write(&upload, (0..UPLOAD).map(|i| (i * 7 % 251) as u8).collect::<Vec<u8>>()).unwrap();
    let port = common::free_port();
    let mut nc = Command::new("nc")
        .args(["-l", "127.0.0.1", &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // nc's download to netplay: what netplay's stdout gives its reader.
    let mut download = nc.stdin.take().unwrap();
    let feeder = thread::spawn(move || {
        let chunk = vec![b'd'; 1 << 16];
        while download.write_all(&chunk).is_ok() {}
    });
    common::wait_bound("tcp", port, "0A");
    let deadline = Instant::now() + PATIENCE;
    let mut client = Tool::Netplay { event: false }
        .command(port)
        .stdin(std::fs::File::open(&upload).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = client.stdout.take().unwrap();
    let mut head = [0u8; 100];
    out.read_exact(&mut head).expect("100 bytes of the download");
    // nc's stdout (a 64 KiB pipe) is full and unread: the rest of the
    // upload waits in nc's socket, all of it acknowledged (netplay's
    // Send-Q empty, nc's Recv-Q not).
    let client_port = || {
        let out = Command::new("ss").args(["-tnH", &format!("dport = :{port}")]).output().ok()?;
        let line = String::from_utf8_lossy(&out.stdout).lines().next()?.to_string();
        line.split_whitespace().nth(3)?.rsplit(':').next()?.parse::<u16>().ok()
    };
    let held = || {
        let local = client_port()?;
        let (unread, _) = queues(port, local)?;
        let (_, owed) = queues(local, port)?;
        Some(unread > 0 && owed == 0)
    };
    while held() != Some(true) {
        assert!(Instant::now() < deadline, "the upload did not wait in nc's socket: {:?}", held());
        thread::sleep(Duration::from_millis(5));
    }
    drop(out);
    let exit = exit_by(&mut client, deadline);
    stop(&mut client);
    let mut stderr = String::new();
    client.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    // Only now is nc's stdout read: what nc wrote of the upload.
    let mut written = Vec::new();
    let mut nc_out = nc.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let _ = nc_out.read_to_end(&mut written);
        let _ = tx.send(written.len());
    });
    let got = rx.recv_timeout(PATIENCE);
    stop(&mut nc);
    let _ = feeder.join();
    let got = got.expect("nc's output to end");
    println!("nc wrote {got} of {UPLOAD} bytes; netplay exited {exit:?}: {}", stderr.trim_end());
    // nc, its stdout full, read nothing more before the reset: it stopped
    // there (the scenario took place, or the test says it did not).
    assert!(got < UPLOAD, "nc wrote the whole upload: the scenario did not take place");
    assert_eq!(exit, Some(1), "nc wrote {got} of {UPLOAD}, yet: {stderr}");
    assert!(stderr.contains("waited unread in the peer's socket"), "{stderr}");
}

/// A small upload the server read whole before the reader left: nothing
/// is cut, and netplay exits 0, quietly, as after `| head`.
#[test]
fn a_reader_that_leaves_after_the_input_was_sent_is_success() {
    if !common::have("python3") {
        return;
    }
    for event in [false, true] {
        let tool = Tool::Netplay { event };
        let outcome = run(tool, Upload::Small);
        assert_eq!((outcome.got, outcome.how.as_str()), (SMALL, "eof"), "{tool:?}: {outcome:?}");
        assert_eq!(outcome.exit, Some(0), "{tool:?}: {outcome:?}");
        assert_eq!(outcome.stderr, "", "{tool:?}");
    }
}

/// `netplay --raw tcp connect H P < /dev/null | head -c 100` while the
/// server sends: the input was empty, so nothing was cut, and the run ends
/// as after `| head`, exit 0. When stdout failed before the sender had
/// read /dev/null's end, netplay said "stdout was closed ... before the
/// input was all sent: 0 B of the input had been sent" and exited 1: 2 of
/// 30 such runs on a7edd61's build (a reviewer's script), 0 of 30 with
/// the change, which looks at stdin's end then, as tcp serve does. A race,
/// so the test runs it 40 times: it fails on main in most runs of the
/// suite, not in all (4 of 4 here). On the kernel path only: the event
/// path (`--decode`) also exited non-zero once in about 2,000 runs with
/// the change, for a reason not found yet.
#[test]
fn a_reader_that_leaves_with_an_empty_stdin_is_success() {
    if !common::have("python3") {
        return;
    }
    for round in 0..40 {
        let (mut server, _said, port) = peer_server(Upload::Big);
        let mut client = Tool::Netplay { event: false }
            .command(port)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -c 100`: 100 bytes, then the reader leaves.
        let mut out = client.stdout.take().unwrap();
        out.read_exact(&mut [0u8; 100]).expect("100 bytes of the download");
        drop(out);
        let exit = exit_by(&mut client, Instant::now() + PATIENCE);
        stop(&mut client);
        let mut stderr = String::new();
        client.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        drop(server.stdin.take());
        stop(&mut server);
        assert_eq!(exit, Some(0), "round {round}: {stderr}");
        assert!(!stderr.contains("stdout was closed"), "round {round}: {stderr}");
    }
}

/// The reference: the same two scenarios with nc, ncat and socat in
/// netplay's place, printed (docs/conformance.md): nothing is asserted of
/// them, they are what netplay is compared with. nc, whose stdout fails,
/// stops reading the network and waits for its upload to drain, which
/// this server (reading nothing yet) never lets it: it is killed.
#[test]
fn the_peers_in_netplay_s_place() {
    let mut rows = Vec::new();
    for tool in [Tool::Nc, Tool::Ncat, Tool::Socat] {
        let name = format!("{tool:?}").to_lowercase();
        if !common::have(&name) || !common::have("python3") {
            continue;
        }
        for kind in [Upload::Big, Upload::Small] {
            let outcome = run(tool, kind);
            let size = kind.size();
            let exit = match outcome.exit {
                Some(code) => format!("exit {code}"),
                None => format!("no end within {} s (killed)", PATIENCE.as_secs()),
            };
            rows.push(format!(
                "{name}, upload of {size}: {exit}, the server read {} ({})",
                outcome.got, outcome.how
            ));
        }
    }
    println!("{}", rows.join("\n"));
}

// ------------------------------------------------------------ tcp serve

/// netplay as the server, sending its stdin (the upload) to the peer as
/// its client, its stdout the client's download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Serving {
    /// `--raw`: the direct path (`--once`).
    Kernel,
    /// `--raw --decode B`: the event path.
    Event,
    /// No `--raw`: the report on stdout, the event path.
    Human,
}

impl Serving {
    fn command(self, extra: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8");
        match self {
            Serving::Kernel => command.arg("--raw"),
            Serving::Event => command.args(["--raw", "--decode", "B"]),
            Serving::Human => command.args(["--color", "never"]),
        };
        command.args(["tcp", "serve", "--port", "0"]).args(extra);
        command
    }
}

/// The lines of `stream`, as they come.
fn lines_of(stream: impl Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// The line of `lines` that says `listening on ADDR`: its port.
fn listening_port(next: &mut impl FnMut() -> String) -> u16 {
    loop {
        let line = next();
        if let Some(rest) = line.split("listening on ").nth(1) {
            let addr: std::net::SocketAddr = rest.split_whitespace().next().unwrap().parse().unwrap();
            return addr.port();
        }
    }
}

/// The peer as a server in `kind`'s part, started: the process, what it
/// says next, and its port.
fn peer_server(kind: Upload) -> (Child, BufReader<std::process::ChildStdout>, u16) {
    let mut server = Command::new("python3")
        .args(["-c", PEER_PY, kind.arg()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    said.read_line(&mut line).unwrap();
    let port: u16 = line.trim().parse().expect("the server's port");
    (server, said, port)
}

/// A python3 client of `port` in `kind`'s part, and its own port.
fn peer_client(kind: Upload, port: u16) -> (Child, BufReader<std::process::ChildStdout>, u16) {
    let mut peer = Command::new("python3")
        .args(["-c", PEER_PY, kind.arg(), &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = BufReader::new(peer.stdout.take().unwrap());
    let mut line = String::new();
    said.read_line(&mut line).unwrap();
    let own: u16 = line.trim().parse().expect("the client's port");
    (peer, said, own)
}

/// What the peer says last, once told to read: the upload bytes it read,
/// and how its stream ended.
fn peer_result(peer: &mut Child, said: BufReader<std::process::ChildStdout>) -> (usize, String) {
    let mut go = peer.stdin.take().unwrap();
    let _ = go.write_all(b"go\n");
    drop(go);
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        // The last line: `small` prints its count before the download.
        let last = said.lines().map_while(Result::ok).last().unwrap_or_default();
        let _ = tx.send(last);
    });
    let line = rx.recv_timeout(PATIENCE).unwrap_or_default();
    stop(peer);
    let mut words = line.split_whitespace();
    let got = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    (got, words.next().unwrap_or("no answer").to_string())
}

/// What `tcp serve`'s stdin is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// A file of the upload's size.
    Upload,
    /// `< /dev/null`: empty, at its end from the start.
    Empty,
    /// A pipe whose writer (the test) stays open and writes nothing, until
    /// netplay has ended: an input that never ended.
    Open,
}

/// `netplay [way] tcp serve --port 0 [extra] < upload | head -c 100`,
/// with `clients` python3 clients in `kind`'s part (the first one's
/// download read, the others' in the same part), and the outcome of each
/// client.
fn serve_run(
    way: Serving,
    kind: Upload,
    extra: &[&str],
    clients: usize,
) -> (Option<i32>, String, Vec<(usize, String)>) {
    serve_run_from(way, Input::Upload, kind, extra, clients)
}

/// [`serve_run`], with `input` as stdin.
fn serve_run_from(
    way: Serving,
    input: Input,
    kind: Upload,
    extra: &[&str],
    clients: usize,
) -> (Option<i32>, String, Vec<(usize, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("upload");
    let size = kind.size();
    std::fs::write(&upload, (0..size).map(|i| (i * 7 % 251) as u8).collect::<Vec<u8>>()).unwrap();
    let stdin = match input {
        Input::Upload => Stdio::from(std::fs::File::open(&upload).unwrap()),
        Input::Empty => Stdio::null(),
        Input::Open => Stdio::piped(),
    };
    let mut server =
        way.command(extra).stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + PATIENCE;
    // The open pipe's writer, held until netplay has ended.
    let writer = server.stdin.take();
    let mut out = BufReader::new(server.stdout.take().unwrap());
    let stderr = lines_of(server.stderr.take().unwrap());
    let mut said_before = Vec::new();
    // The human report says where it listens on stdout, --raw on stderr.
    let port = match way {
        Serving::Human => listening_port(&mut || {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            line
        }),
        _ => listening_port(&mut || {
            let line = stderr.recv_timeout(PATIENCE).expect("the listening line");
            said_before.push(line.clone());
            line
        }),
    };
    let mut peers: Vec<_> = (0..clients).map(|_| peer_client(kind, port)).collect();
    if way == Serving::Human {
        // The report is read up to the first client's accept: what comes
        // after is both ways' data.
        let mut line = String::new();
        while !line.contains(" accepted ") {
            line.clear();
            assert!(out.read_line(&mut line).unwrap() > 0, "the report ended before the accept");
        }
    }
    match kind {
        // The client read the upload whole before it sends its download.
        Upload::Small => {
            let mut line = String::new();
            peers[0].1.read_line(&mut line).unwrap();
            assert_eq!(line.trim(), format!("{SMALL} eof"), "{way:?}: the client's read");
        }
        // The reader leaves once the whole upload was given to the
        // server's socket: what the client's socket holds and what the
        // server's still holds (`ss`) add up to all of it.
        Upload::Held => {
            let client_port = peers[0].2;
            let handed = || {
                let (held, _) = queues(client_port, port)?;
                let (_, owed) = queues(port, client_port)?;
                Some(held + owed >= HELD)
            };
            while handed() != Some(true) {
                assert!(
                    Instant::now() < deadline,
                    "the upload was not all given to the socket: {:?}",
                    handed()
                );
                thread::sleep(Duration::from_millis(5));
            }
        }
        // The reader leaves once the client's socket holds the whole
        // upload, acknowledged, unread.
        Upload::Unread => {
            let client_port = peers[0].2;
            let taken = || {
                let (held, _) = queues(client_port, port)?;
                let (_, owed) = queues(port, client_port)?;
                Some(held >= UNREAD && owed == 0)
            };
            while taken() != Some(true) {
                assert!(Instant::now() < deadline, "the upload was not all acknowledged: {:?}", taken());
                thread::sleep(Duration::from_millis(5));
            }
        }
        Upload::Big => {}
    }
    // `| head -c 100`: 100 bytes, then the reader leaves.
    let mut head = [0u8; 100];
    out.read_exact(&mut head).expect("100 bytes of the download");
    drop(out);
    let exit = exit_by(&mut server, deadline);
    stop(&mut server);
    drop(writer);
    let mut said: Vec<String> = said_before;
    while let Ok(line) = stderr.recv_timeout(PATIENCE) {
        said.push(line);
    }
    // The steps of --raw, and --decode's values, go to stderr too: the
    // last line is the run's end.
    let last = said.last().cloned().unwrap_or_default();
    let results = peers.into_iter().map(|(mut peer, said, _)| peer_result(&mut peer, said)).collect();
    (exit, last, results)
}

/// `tcp serve < 64 MiB | head -c 100`: the reader leaves while stdin is
/// still being sent to the client, which is cut (it reads a reset, not
/// the FIN of a whole stream), and netplay says how much was sent and
/// exits 1, as `tcp connect` does, on both raw paths and in the human
/// report. Failed on 0b9b021: exit 0, nothing said.
#[test]
fn a_server_whose_reader_leaves_while_stdin_is_sent_is_no_success() {
    if !common::have("python3") {
        return;
    }
    for way in [Serving::Kernel, Serving::Event, Serving::Human] {
        let (exit, said, peers) = serve_run(way, Upload::Big, &["--once"], 1);
        let (got, how) = &peers[0];
        assert!(*got < BIG, "{way:?}: the whole upload went through: {peers:?}");
        assert_eq!(exit, Some(1), "{way:?}: {said}");
        assert_eq!(how, "reset", "{way:?}: the client read the end of a whole stream: {peers:?}");
        assert!(
            said.contains("stdout was closed") && said.contains("of the input had been sent"),
            "{way:?}: {said}"
        );
    }
}

/// stdin all given to the server's socket, most of it still there when
/// the reader leaves (the client, with a 4 KiB receive buffer, reads
/// nothing until netplay has ended): cut too, after the same 0.5 s to
/// drain as `tcp connect`, and said with how much was not acknowledged.
/// Failed on 0b9b021: exit 0, nothing said.
#[test]
fn a_server_whose_reader_leaves_while_the_socket_holds_stdin_is_no_success() {
    if !common::have("python3") || !common::have("ss") {
        return;
    }
    for way in [Serving::Kernel, Serving::Event] {
        let (exit, said, peers) = serve_run(way, Upload::Held, &["--once"], 1);
        let (got, how) = &peers[0];
        assert!(*got < HELD, "{way:?}: the whole upload went through: {peers:?}");
        assert_eq!(exit, Some(1), "{way:?}: {said}");
        assert_eq!(how, "reset", "{way:?}: the client read the end of a whole stream: {peers:?}");
        assert!(said.contains("stdout was closed") && said.contains("not acknowledged"), "{way:?}: {said}");
    }
}

/// stdin (32 KiB) all acknowledged by the client's socket and unread there
/// when the reader leaves: the close is a RST, which a client may take as
/// the end of its reading (OpenBSD nc does), so the server waits for the
/// client to read, then says what it had not, exit 1. Failed before: exit
/// 0, nothing said.
#[test]
fn a_server_whose_reader_leaves_while_the_client_has_not_read_stdin_is_no_success() {
    if !common::have("python3") || !common::have("ss") {
        return;
    }
    for way in [Serving::Kernel, Serving::Event] {
        let (exit, said, peers) = serve_run(way, Upload::Unread, &["--once"], 1);
        assert_eq!(exit, Some(1), "{way:?}: {said}");
        assert!(said.contains("waited unread in the peer's socket"), "{way:?}: {said}");
        assert_eq!(peers[0].0, UNREAD, "{way:?}: {said}");
    }
}

/// stdin (1,000 bytes) read whole by the client before the reader leaves:
/// nothing is cut, and the server exits 0 as after `| head`, without a
/// word on the human report's stderr.
#[test]
fn a_server_whose_reader_leaves_after_stdin_was_sent_is_success() {
    if !common::have("python3") {
        return;
    }
    for way in [Serving::Kernel, Serving::Event, Serving::Human] {
        let (exit, said, _) = serve_run(way, Upload::Small, &["--once"], 1);
        assert_eq!(exit, Some(0), "{way:?}: {said}");
        assert!(!said.contains("stdout was closed"), "{way:?}: {said}");
    }
}

/// stdout's reader leaves before the server has read anything of its
/// stdin, while the client (the python3 peer in its `big` part: it sends
/// its download for as long as it is taken, reads nothing and never closes
/// until the test says so) is connected. An empty stdin at its end (`<
/// /dev/null`) had nothing to cut: exit 0, said as after `| head`; a pipe
/// whose writer is still open never ended, so the input was cut: exit 1,
/// said, and the client reads a reset. Neither sent a byte: the server
/// tells them apart by its stdin's end, seen by its own reader or, when
/// stdout fails first, by one look (sys::ready::stdin_at_end). Fails with
/// stdin_at_end always true (the open pipe then exits 0: seen on the
/// direct and the event path). Always false passes here: netplay's reader
/// meets /dev/null's end just after the accept, long before stdout fails,
/// so that side is checked by sys::ready's unit test.
#[test]
fn a_server_whose_reader_leaves_tells_an_empty_stdin_from_an_open_one() {
    if !common::have("python3") {
        return;
    }
    for way in [Serving::Kernel, Serving::Event, Serving::Human] {
        let (exit, said, peers) = serve_run_from(way, Input::Empty, Upload::Big, &["--once"], 1);
        assert_eq!(exit, Some(0), "{way:?} < /dev/null: {said} {peers:?}");
        assert!(!said.contains("stdout was closed"), "{way:?} < /dev/null: {said}");
        assert_eq!(peers[0].0, 0, "{way:?} < /dev/null: the client read an upload: {peers:?}");

        let (exit, said, peers) = serve_run_from(way, Input::Open, Upload::Big, &["--once"], 1);
        assert_eq!(exit, Some(1), "{way:?}, an open stdin: {said} {peers:?}");
        assert!(
            said.contains("stdout was closed") && said.contains("of the input had been sent"),
            "{way:?}, an open stdin: {said}"
        );
        assert_eq!(peers[0], (0, "reset".to_string()), "{way:?}, an open stdin: {said}");
    }
}

/// Several clients, no --once: the reader leaving ends the whole server
/// (as it ends `ncat -l -k`, exit 2), and every client still being given
/// stdin is cut, exit 1: with --raw's clients in turn (the one served),
/// and with --broadcast (both, each sent its own copy). Failed on
/// 0b9b021: exit 0, nothing said.
#[test]
fn a_server_of_several_clients_whose_reader_leaves_is_no_success() {
    if !common::have("python3") {
        return;
    }
    for (way, extra, clients) in [
        (Serving::Kernel, &[][..], 1),
        (Serving::Event, &["--broadcast"][..], 2),
        (Serving::Human, &["--broadcast"][..], 2),
    ] {
        let (exit, said, peers) = serve_run(way, Upload::Big, extra, clients);
        assert_eq!(exit, Some(1), "{way:?} {extra:?}: {said}");
        assert!(said.contains("stdout was closed"), "{way:?} {extra:?}: {said}");
        for (got, how) in &peers {
            assert!(*got < BIG, "{way:?} {extra:?}: the whole upload went through: {peers:?}");
            assert_eq!(how, "reset", "{way:?} {extra:?}: a client read a whole stream: {peers:?}");
        }
    }
}

/// The reference for the server: ncat -l, socat, nc -l and nc -N -l in
/// netplay's place, `< 64 MiB | head -c 100` with the client reading
/// nothing until the server has ended, printed (docs/conformance.md):
/// nothing is asserted of them.
#[test]
fn the_peers_in_netplay_s_place_as_server() {
    if !common::have("python3") || !common::have("ss") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("upload");
    std::fs::write(&upload, (0..BIG).map(|i| (i * 7 % 251) as u8).collect::<Vec<u8>>()).unwrap();
    let mut rows = Vec::new();
    let listeners: [(&str, &[&str]); 4] = [
        ("ncat", &["-l", "127.0.0.1", "0"]),
        ("socat", &["TCP-LISTEN:0,bind=127.0.0.1", "-"]),
        ("nc", &["-l", "127.0.0.1", "0"]),
        ("nc", &["-N", "-l", "127.0.0.1", "0"]),
    ];
    for (tool, args) in listeners {
        if !common::have(tool) {
            continue;
        }
        let mut server = Command::new(tool)
            .args(args)
            .stdin(std::fs::File::open(&upload).unwrap())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + PATIENCE;
        let Some(port) = common::port_of(Proto::Tcp, server.id(), deadline) else {
            stop(&mut server);
            rows.push(format!("{tool} {}: no listening port seen", args.join(" ")));
            continue;
        };
        let (mut peer, said, _) = peer_client(Upload::Big, port);
        let mut out = server.stdout.take().unwrap();
        let mut head = [0u8; 100];
        out.read_exact(&mut head).expect("100 bytes of the download");
        drop(out);
        let exit = match exit_by(&mut server, deadline) {
            Some(code) => format!("exit {code}"),
            None => format!("no end within {} s (killed)", PATIENCE.as_secs()),
        };
        stop(&mut server);
        let (got, how) = peer_result(&mut peer, said);
        rows.push(format!(
            "{tool} {}, stdin of {BIG}: {exit}, the client read {got} ({how})",
            args.join(" ")
        ));
    }
    println!("{}", rows.join("\n"));
}
