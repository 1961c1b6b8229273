#![cfg(target_os = "linux")]
//! The raw relay's direct path (tcp::direct): with `--raw` and no
//! `--decode`, bytes go between the socket and stdin/stdout without an
//! event per chunk, moved by the kernel where it can (sendfile, splice) and
//! by read and write where it cannot. Every case runs on both paths, and
//! each test says which one it took: the kernel path is proven by the note
//! netplay prints ("... with splice(2) ..."), the copy path by its absence
//! where the kernel cannot splice: a socket as stdin or stdout (copied by
//! rule), or a stdout opened for appending (`>>`, where splice returns
//! EINVAL after the first bytes are already in netplay's pipe). A pipe as
//! stdin is read and sent, by choice (src/tcp/plan.rs; its ways are
//! tests/suite/pipe_input.rs's).

use crate::common;

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, have};
use sha2::{Digest, Sha256};
use socket2::SockRef;

/// How long a transfer may take before the test calls it a hang.
const TRANSFER: Duration = Duration::from_secs(60);
const SIZE: usize = 16 << 20;

/// `len` bytes of a fixed pseudo-random sequence (every byte value).
fn data(len: usize) -> Arc<Vec<u8>> {
    let mut bytes = vec![0u8; len];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ len as u64;
    for chunk in bytes.chunks_mut(8) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
    }
    Arc::new(bytes)
}

fn same(got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "lengths differ");
    assert!(Sha256::digest(got) == Sha256::digest(want), "the bytes differ (sha256)");
}

/// Where a process reads what it sends.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// A regular file (sendfile).
    File,
    /// A pipe the test writes into (read and sent: tests/suite/pipe_input.rs
    /// forces splice).
    Pipe,
    /// A Unix socket the test writes into (read and write).
    Socket,
    /// /dev/null: nothing (the kernel refuses to splice from it).
    Null,
}

/// Where a process writes what it receives.
#[derive(Debug, Clone, Copy)]
enum Sink {
    /// A pipe the test reads (splice).
    Pipe,
    /// A regular file (splice through netplay's own pipe).
    File,
    /// A Unix socket the test reads (read and write).
    Socket,
    /// A file opened for appending, holding a prefix (splice refused).
    Appending,
    Null,
}

/// How a case is expected to move the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Kernel,
    Copy,
}

impl Source {
    fn path(self) -> Way {
        match self {
            Source::File => Way::Kernel,
            Source::Pipe | Source::Socket | Source::Null => Way::Copy,
        }
    }
}

impl Sink {
    fn path(self) -> Way {
        match self {
            Sink::Pipe | Sink::File => Way::Kernel,
            Sink::Socket | Sink::Appending | Sink::Null => Way::Copy,
        }
    }
}

const PREFIX: &[u8] = b"already here\n";

/// A netplay process with its stdin fed and its stdout collected.
struct Run {
    child: Child,
    stderr: Receiver<String>,
    feeder: Option<JoinHandle<()>>,
    out: Out,
}

enum Out {
    Reader(JoinHandle<Vec<u8>>),
    File(PathBuf, bool),
    None,
}

fn spawn(args: &[&str], source: Source, sink: Sink, input: &Arc<Vec<u8>>, dir: &Path) -> Run {
    let mut command = english();
    command.args(["--raw", "--color", "never"]).args(args).stderr(Stdio::piped());
    let mut writer: Option<Box<dyn Write + Send>> = None;
    match source {
        Source::File => {
            let path = dir.join("in.bin");
            std::fs::write(&path, &input[..]).unwrap();
            command.stdin(File::open(&path).unwrap());
        }
        Source::Pipe => {
            command.stdin(Stdio::piped());
        }
        Source::Socket => {
            let (ours, theirs) = UnixStream::pair().unwrap();
            command.stdin(OwnedFd::from(theirs));
            writer = Some(Box::new(ours));
        }
        Source::Null => {
            command.stdin(Stdio::null());
        }
    }
    let mut reader: Option<UnixStream> = None;
    let out = match sink {
        Sink::Pipe => {
            command.stdout(Stdio::piped());
            Out::None
        }
        Sink::File => {
            let path = dir.join("out.bin");
            command.stdout(File::create(&path).unwrap());
            Out::File(path, false)
        }
        Sink::Appending => {
            let path = dir.join("out.bin");
            std::fs::write(&path, PREFIX).unwrap();
            command.stdout(OpenOptions::new().append(true).open(&path).unwrap());
            Out::File(path, true)
        }
        Sink::Socket => {
            let (ours, theirs) = UnixStream::pair().unwrap();
            command.stdout(OwnedFd::from(theirs));
            reader = Some(ours);
            Out::None
        }
        Sink::Null => {
            command.stdout(Stdio::null());
            Out::None
        }
    };
    let mut child = command.spawn().unwrap();
    // The command holds our copies of the child's ends: drop them, so the
    // child's exit is the end of its stdout.
    drop(command);
    if let Some(stdin) = child.stdin.take() {
        writer = Some(Box::new(stdin));
    }
    let out = match (child.stdout.take(), reader) {
        (Some(stdout), _) => Out::Reader(read_all(stdout)),
        (None, Some(socket)) => Out::Reader(read_all(socket)),
        (None, None) => out,
    };
    let feeder = writer.map(|mut writer| {
        let input = input.clone();
        thread::spawn(move || {
            let _ = writer.write_all(&input);
            // Dropped: the end of the input.
        })
    });
    let stderr = lines(child.stderr.take().unwrap());
    Run { child, stderr, feeder, out }
}

/// The binary, in English whatever the machine's locale: the notes are
/// matched by their words.
fn english() -> Command {
    let mut command = Command::new(BIN);
    command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8");
    command
}

fn read_all(mut from: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut got = Vec::new();
        let _ = from.read_to_end(&mut got);
        got
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

impl Run {
    /// A `tcp serve --port 0 --once` and the address it listens on.
    fn server(
        args: &[&str],
        source: Source,
        sink: Sink,
        input: &Arc<Vec<u8>>,
        dir: &Path,
    ) -> (Run, SocketAddr) {
        let mut all = vec!["tcp", "serve", "--port", "0", "--once"];
        all.extend_from_slice(args);
        let run = spawn(&all, source, sink, input, dir);
        let addr = loop {
            let line = run.stderr.recv_timeout(PATIENCE).expect("the server never said it was listening");
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        (run, addr)
    }

    fn client(
        addr: SocketAddr,
        args: &[&str],
        source: Source,
        sink: Sink,
        input: &Arc<Vec<u8>>,
        dir: &Path,
    ) -> Run {
        let addr = addr.to_string();
        let mut all = vec!["tcp", "connect", addr.as_str()];
        all.extend_from_slice(args);
        spawn(&all, source, sink, input, dir)
    }

    /// Waits for the exit; its code, everything it said on stderr, and
    /// what it wrote to stdout.
    fn finish(mut self, patience: Duration) -> (i32, String, Vec<u8>) {
        let deadline = Instant::now() + patience;
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let said: Vec<String> = self.stderr.try_iter().collect();
                panic!(
                    "process {} did not exit within {patience:?}; it said:\n{}",
                    self.child.id(),
                    said.join("\n")
                );
            }
            thread::sleep(Duration::from_millis(10));
        };
        let stderr: Vec<String> = self.stderr.iter().collect();
        if let Some(feeder) = self.feeder.take() {
            let _ = feeder.join();
        }
        let out = match self.out {
            Out::Reader(reader) => reader.join().unwrap(),
            Out::File(path, appended) => {
                let bytes = std::fs::read(path).unwrap();
                if appended {
                    assert!(bytes.starts_with(PREFIX), "the appended file lost what it held");
                    bytes[PREFIX.len()..].to_vec()
                } else {
                    bytes
                }
            }
            Out::None => Vec::new(),
        };
        (code, stderr.join("\n"), out)
    }
}

/// The note a direction taken by the kernel prints, or its absence.
fn check_note(stderr: &str, verb: &str, path: Way, call: &str) {
    let note =
        stderr.lines().find(|l| l.contains(&format!(" {verb} with ")) && l.contains("moved by the kernel"));
    match path {
        Way::Kernel => {
            let note = note.unwrap_or_else(|| panic!("no note of bytes {verb} by the kernel:\n{stderr}"));
            assert!(note.contains(call), "expected {call}: {note}");
        }
        Way::Copy => assert!(note.is_none(), "the kernel moved bytes where it should not:\n{stderr}"),
    }
}

fn sent_call(source: Source) -> &'static str {
    match source {
        Source::File => "sendfile(2)",
        _ => "splice(2)",
    }
}

/// 16 MiB from `tcp connect --raw` to `tcp serve --raw --once`, byte-exact.
fn client_to_server(source: Source, sink: Sink) {
    let dir = tempfile::tempdir().unwrap();
    let input = data(SIZE);
    let nothing = Arc::new(Vec::new());
    let (server, addr) = Run::server(&[], Source::Null, sink, &nothing, dir.path());
    let client = Run::client(addr, &[], source, Sink::Null, &input, &fresh(dir.path()));
    let (code, client_said, _) = client.finish(TRANSFER);
    assert_eq!(code, 0, "{client_said}");
    let (code, server_said, got) = server.finish(PATIENCE);
    assert_eq!(code, 0, "{server_said}");
    same(&got, &input);
    check_note(&client_said, "sent", source.path(), sent_call(source));
    check_note(&server_said, "received", sink.path(), "splice(2)");
    assert!(server_said.contains("closed at") && server_said.contains("16.0 MiB in"), "{server_said}");
    assert!(client_said.contains("16.0 MiB out"), "{client_said}");
}

/// 16 MiB from `tcp serve --raw --once < input` to `tcp connect --raw`.
fn server_to_client(source: Source, sink: Sink) {
    let dir = tempfile::tempdir().unwrap();
    let input = data(SIZE);
    let nothing = Arc::new(Vec::new());
    let (server, addr) = Run::server(&[], source, Sink::Null, &input, dir.path());
    let client = Run::client(addr, &[], Source::Null, sink, &nothing, &fresh(dir.path()));
    let (code, client_said, got) = client.finish(TRANSFER);
    assert_eq!(code, 0, "{client_said}");
    let (code, server_said, _) = server.finish(PATIENCE);
    assert_eq!(code, 0, "{server_said}");
    same(&got, &input);
    check_note(&server_said, "sent", source.path(), sent_call(source));
    check_note(&client_said, "received", sink.path(), "splice(2)");
    assert!(server_said.contains("16.0 MiB out"), "{server_said}");
}

fn fresh(dir: &Path) -> PathBuf {
    let c = dir.join("c");
    std::fs::create_dir_all(&c).unwrap();
    c
}

#[test]
fn client_to_server_in_the_kernel() {
    // sendfile from a file, into a pipe; splice from a pipe, into a file.
    client_to_server(Source::File, Sink::Pipe);
    client_to_server(Source::Pipe, Sink::File);
}

#[test]
fn client_to_server_copied() {
    // A socket on both sides; then a stdout the kernel refuses (>>).
    client_to_server(Source::Socket, Sink::Socket);
    client_to_server(Source::Socket, Sink::Appending);
}

#[test]
fn server_to_client_in_the_kernel() {
    server_to_client(Source::File, Sink::Pipe);
    server_to_client(Source::Pipe, Sink::File);
}

#[test]
fn server_to_client_copied() {
    server_to_client(Source::Socket, Sink::Socket);
    server_to_client(Source::Socket, Sink::Appending);
}

/// `nc -N` sends to `tcp serve --raw --once`.
#[test]
fn nc_sends_to_the_server_on_both_paths() {
    if !have("nc") {
        return;
    }
    for sink in [Sink::Pipe, Sink::Socket] {
        let dir = tempfile::tempdir().unwrap();
        let input = data(SIZE);
        let nothing = Arc::new(Vec::new());
        let (server, addr) = Run::server(&[], Source::Null, sink, &nothing, dir.path());
        let path = dir.path().join("nc-in.bin");
        std::fs::write(&path, &input[..]).unwrap();
        let mut nc = Command::new("nc")
            .args(["-N", &addr.ip().to_string(), &addr.port().to_string()])
            .stdin(File::open(&path).unwrap())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (code, said, got) = server.finish(TRANSFER);
        assert_eq!(code, 0, "{said}");
        assert!(nc.wait().unwrap().success());
        same(&got, &input);
        check_note(&said, "received", sink.path(), "splice(2)");
    }
}

/// `nc -l` receives from `tcp connect --raw`, and `nc -d` from `tcp serve
/// --raw --once`.
#[test]
fn nc_receives_from_client_and_server_on_both_paths() {
    if !have("nc") {
        return;
    }
    for source in [Source::File, Source::Pipe, Source::Socket] {
        let dir = tempfile::tempdir().unwrap();
        let input = data(SIZE);
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut nc = Command::new("nc")
            .args(["-l", "127.0.0.1", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let received = read_all(nc.stdout.take().unwrap());
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        wait_listening(addr);
        let client = Run::client(addr, &[], source, Sink::Null, &input, &fresh(dir.path()));
        let (code, said, _) = client.finish(TRANSFER);
        assert_eq!(code, 0, "{said}");
        assert!(nc.wait().unwrap().success());
        let got = received.join().unwrap();
        same(&got, &input);
        check_note(&said, "sent", source.path(), sent_call(source));

        let (server, addr) = Run::server(&[], source, Sink::Null, &input, dir.path());
        let mut nc = Command::new("nc")
            .args(["-d", &addr.ip().to_string(), &addr.port().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let received = read_all(nc.stdout.take().unwrap());
        let (code, said, _) = server.finish(TRANSFER);
        assert_eq!(code, 0, "{said}");
        assert!(nc.wait().unwrap().success());
        let got = received.join().unwrap();
        same(&got, &input);
        check_note(&said, "sent", source.path(), sent_call(source));
    }
}

/// Waits until `addr` accepts, without using up a connection of a netplay
/// server (nc -l serves one: the probe is its own listener check).
fn wait_listening(addr: SocketAddr) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let port = format!(":{:04X} ", addr.port());
        if table.lines().any(|row| row.contains(&port) && row.split_whitespace().nth(3) == Some("0A")) {
            return;
        }
        assert!(Instant::now() < deadline, "nothing listens on {addr}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// The client half-closes after its input; the peer answers only then, and
/// the answer reaches stdout.
#[test]
fn the_client_half_closes_then_gets_the_answer_on_both_paths() {
    for (source, sink) in [(Source::File, Sink::Pipe), (Source::Socket, Sink::Socket)] {
        let dir = tempfile::tempdir().unwrap();
        let input = data(1 << 20);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            s.read_to_end(&mut request).unwrap();
            s.write_all(b"got: ").unwrap();
            s.write_all(&Sha256::digest(&request)).unwrap();
            request
        });
        let client = Run::client(addr, &[], source, sink, &input, &fresh(dir.path()));
        let (code, said, got) = client.finish(TRANSFER);
        assert_eq!(code, 0, "{said}");
        same(&peer.join().unwrap(), &input);
        let mut want = b"got: ".to_vec();
        want.extend_from_slice(&Sha256::digest(&input[..]));
        assert_eq!(got, want);
        assert!(said.contains("shutdown(SHUT_WR)") && said.contains("EOF"), "{said}");
        check_note(&said, "sent", source.path(), sent_call(source));
        check_note(&said, "received", sink.path(), "splice(2)");
    }
}

/// The server sends its stdin, then shuts its side down; the client, once
/// it has read that EOF, answers, and the answer reaches the server's stdout.
#[test]
fn the_server_half_closes_then_gets_the_answer_on_both_paths() {
    for (source, sink) in [(Source::File, Sink::Pipe), (Source::Socket, Sink::Socket)] {
        let dir = tempfile::tempdir().unwrap();
        let input = data(4 << 20);
        let (server, addr) = Run::server(&[], source, sink, &input, dir.path());
        let mut client = TcpStream::connect(addr).unwrap();
        client.set_read_timeout(Some(TRANSFER)).unwrap();
        let mut got = Vec::new();
        client.read_to_end(&mut got).unwrap();
        same(&got, &input);
        client.write_all(b"thanks").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let (code, said, out) = server.finish(PATIENCE);
        assert_eq!(code, 0, "{said}");
        assert_eq!(out, b"thanks");
        check_note(&said, "sent", source.path(), sent_call(source));
    }
}

/// The client finishes sending first; the server still sends the rest of
/// a stdin that comes late (`nc -N -l < file` delivers it whole).
#[test]
fn the_served_stream_arrives_whole_after_the_clients_eof() {
    let input = data(SIZE);
    for source in [Source::Pipe, Source::Socket] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = english();
        command.args(["--raw", "--color", "never", "tcp", "serve", "--port", "0", "--once"]);
        let (ours, theirs): (Box<dyn Write + Send>, Stdio) = match source {
            Source::Pipe => {
                let (read, write) = std::io::pipe().unwrap();
                (Box::new(write), read.into())
            }
            _ => {
                let (ours, theirs) = UnixStream::pair().unwrap();
                (Box::new(ours), OwnedFd::from(theirs).into())
            }
        };
        let mut child = command.stdin(theirs).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        drop(command);
        let stderr = lines(child.stderr.take().unwrap());
        let addr: SocketAddr = loop {
            let line = stderr.recv_timeout(PATIENCE).unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        let mut client = TcpStream::connect(addr).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        // The server has read the client's EOF before any stdin exists.
        let deadline = Instant::now() + PATIENCE;
        while !stderr.recv_timeout(PATIENCE).unwrap().contains("EOF") {
            assert!(Instant::now() < deadline);
        }
        let feeder = {
            let input = input.clone();
            let mut ours = ours;
            thread::spawn(move || ours.write_all(&input).unwrap())
        };
        client.set_read_timeout(Some(TRANSFER)).unwrap();
        let mut got = Vec::new();
        client.read_to_end(&mut got).unwrap();
        feeder.join().unwrap();
        same(&got, &input);
        let run = Run { child, stderr, feeder: None, out: Out::None };
        let (code, said, _) = run.finish(PATIENCE);
        assert_eq!(code, 0, "{said}");
        let _ = dir;
    }
}

/// `--once` whose client resets: exit 8, whichever path the bytes took.
#[test]
fn once_exits_8_when_its_peer_resets_on_both_paths() {
    for sink in [Sink::Pipe, Sink::Socket] {
        let dir = tempfile::tempdir().unwrap();
        let nothing = Arc::new(Vec::new());
        let (server, addr) = Run::server(&[], Source::Null, sink, &nothing, dir.path());
        let client = TcpStream::connect(addr).unwrap();
        (&client).write_all(&[7u8; 100_000]).unwrap();
        // The server has read them all (a fixed 200 ms stood here): what
        // the reset throws away is nothing netplay could have written.
        common::wait_all_read(addr, client.local_addr().unwrap());
        // Linger 0: close() sends a RST instead of a FIN.
        SockRef::from(&client).set_linger(Some(Duration::ZERO)).unwrap();
        drop(client);
        let (code, said, got) = server.finish(PATIENCE);
        assert_eq!(code, 8, "{said}");
        assert!(said.contains("connection reset"), "{said}");
        assert_eq!(got.len(), 100_000);
    }
}

/// A client whose input could not all be sent says how much was, exit 8.
#[test]
fn a_cut_input_says_how_much_was_sent_on_both_paths() {
    for source in [Source::File, Source::Pipe, Source::Socket] {
        let dir = tempfile::tempdir().unwrap();
        let input = data(64 << 20);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // Our FIN first: the client's receiving ends well, so the
            // sending side's failure is the one it reports.
            s.shutdown(Shutdown::Write).unwrap();
            let mut some = vec![0u8; 4096];
            s.read_exact(&mut some).unwrap();
            SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
        });
        let client = Run::client(addr, &[], source, Sink::Null, &input, &fresh(dir.path()));
        let (code, said, _) = client.finish(TRANSFER);
        peer.join().unwrap();
        assert_eq!(code, 8, "{source:?}: {said}");
        let last = said.lines().last().unwrap_or_default();
        assert!(last.contains("of the input had been sent"), "{source:?}: {said}");
    }
}

/// A client that reads nothing is cut after --stall-timeout, with the
/// event path's words.
#[test]
fn a_client_that_takes_nothing_is_cut_on_both_paths() {
    for source in [Source::File, Source::Pipe, Source::Socket] {
        let dir = tempfile::tempdir().unwrap();
        let input = data(32 << 20);
        let (server, addr) =
            Run::server(&["--stall-timeout", "500ms"], source, Sink::Null, &input, dir.path());
        let stuck = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        stuck.set_recv_buffer_size(4096).unwrap();
        stuck.connect(&addr.into()).unwrap();
        let (code, said, _) = server.finish(TRANSFER);
        drop(stuck);
        assert_eq!(code, 1, "{source:?}: {said}");
        let last = said.lines().last().unwrap_or_default();
        assert!(last.contains("took no data for 5") && last.contains("waiting (--stall-timeout)"), "{said}");
    }
}

/// A client that sends nothing is closed after --idle-timeout: exit 5.
#[test]
fn an_idle_client_is_closed_on_the_direct_path() {
    let dir = tempfile::tempdir().unwrap();
    let nothing = Arc::new(Vec::new());
    let (server, addr) =
        Run::server(&["--idle-timeout", "300ms"], Source::Null, Sink::Pipe, &nothing, dir.path());
    let client = TcpStream::connect(addr).unwrap();
    let (code, said, _) = server.finish(PATIENCE);
    drop(client);
    assert_eq!(code, 5, "{said}");
    assert!(said.contains("idle: nothing received for 300.0ms (--idle-timeout)"), "{said}");
}

/// stdout closed early (`| head -c`): the run ends quietly, exit 0.
#[test]
fn a_closed_stdout_ends_quietly_on_both_paths() {
    for closed in [Sink::Pipe, Sink::Socket] {
        let mut command = english();
        command.args(["--raw", "--color", "never", "tcp", "serve", "--port", "0", "--once"]);
        let (mut reader, theirs): (Box<dyn Read + Send>, Stdio) = match closed {
            Sink::Pipe => {
                let (read, write) = std::io::pipe().unwrap();
                (Box::new(read), write.into())
            }
            _ => {
                let (ours, theirs) = UnixStream::pair().unwrap();
                (Box::new(ours), OwnedFd::from(theirs).into())
            }
        };
        let mut child = command.stdin(Stdio::null()).stdout(theirs).stderr(Stdio::piped()).spawn().unwrap();
        drop(command);
        let stderr = lines(child.stderr.take().unwrap());
        let addr: SocketAddr = loop {
            let line = stderr.recv_timeout(PATIENCE).unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        let mut client = TcpStream::connect(addr).unwrap();
        let mut first = [0u8; 100];
        let sending = thread::spawn(move || {
            let block = vec![1u8; 1 << 16];
            client.set_write_timeout(Some(PATIENCE)).unwrap();
            while client.write_all(&block).is_ok() {}
        });
        reader.read_exact(&mut first).unwrap();
        drop(reader);
        let run = Run { child, stderr, feeder: None, out: Out::None };
        let (code, said, _) = run.finish(PATIENCE);
        sending.join().unwrap();
        assert_eq!(code, 0, "{said}");
        assert!(!said.contains("netplay:"), "{said}");
    }
}

/// SIGTERM while the direct path moves bytes: the server stops at once,
/// the connection closed for that reason, exit 0.
#[test]
fn sigterm_stops_a_direct_transfer() {
    let dir = tempfile::tempdir().unwrap();
    let nothing = Arc::new(Vec::new());
    let (server, addr) = Run::server(&[], Source::Null, Sink::Null, &nothing, dir.path());
    let mut client = TcpStream::connect(addr).unwrap();
    client.write_all(b"some bytes").unwrap();
    // The transfer is under way: the server accepted and read the bytes (a
    // fixed 200 ms stood here).
    common::wait_all_read(addr, client.local_addr().unwrap());
    let sent = Instant::now();
    Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    let (code, said, _) = server.finish(Duration::from_secs(5));
    eprintln!("stopped {:?} after SIGTERM", sent.elapsed());
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("(the server is stopping)"), "{said}");
    assert!(said.contains("SIGTERM"), "{said}");
}

/// Where bytes must be read (--decode), the event path carries them, and no
/// note says the kernel moved anything.
#[test]
fn decode_keeps_the_event_path() {
    let dir = tempfile::tempdir().unwrap();
    let input = data(1 << 20);
    let nothing = Arc::new(Vec::new());
    let (server, addr) = Run::server(&["--decode", "B"], Source::Null, Sink::Pipe, &nothing, dir.path());
    let client = Run::client(addr, &["--decode", "B"], Source::File, Sink::Null, &input, &fresh(dir.path()));
    let (code, said, _) = client.finish(TRANSFER);
    assert_eq!(code, 0, "{said}");
    check_note(&said, "sent", Way::Copy, "");
    let (code, said, got) = server.finish(PATIENCE);
    assert_eq!(code, 0, "{said}");
    check_note(&said, "received", Way::Copy, "");
    same(&got, &input);
}
