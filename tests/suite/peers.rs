#![cfg(target_os = "linux")]
//! Issue 19's conformance matrix: netplay as a netcat, against the peers a
//! netcat user meets (OpenBSD nc, ncat, socat, python3, curl), on loopback,
//! and the same case with OpenBSD nc, ncat and socat in netplay's place as
//! the references (nc the one netplay is held to; the table says which of
//! the three netplay's outcome is like).
//!
//! The cases are generated from tables: TCP with netplay as server and as
//! client, each peer, each direction (client → server, server → client,
//! both), both of netplay's raw paths (direct; the event path through
//! `--decode B`); curl fetching from `tcp serve`; UDP with netplay as
//! `udp serve` (its stdin answering the first sender) and as `udp send`
//! (`--wait 1s` for the replies) against nc -u, ncat -u, socat UDP and
//! python3, each direction (a client that only receives sends a 6-byte
//! datagram first: a UDP server learns its peer from one), python3
//! reporting the length of each datagram it received. netplay's stdin is a file or a pipe when
//! it sends, /dev/null or a pipe closed at once when it does not; its
//! stdout is a file, a pipe, a file opened for appending (`>>`), /dev/null
//! or a pipe whose reader leaves after 64 KiB, in turn from case to case so
//! that every peer meets every kind. Every case checks the sha256 of what
//! arrived at both ends and the exit codes of both.
//!
//! What is asserted: netplay never hangs and never alters a byte; where
//! the reference delivered a direction whole, netplay does too (unless
//! netplay's stdout reader left, which cuts both tools); where
//! netplay delivered everything it exits 0; the peer exits as it does
//! against the reference; a reader that leaves early ends netplay with an
//! exit code, not a signal. The differences from the reference are printed
//! as a table (`scripts/conformance.sh` writes it into docs/conformance.md).
//!
//! Two more: dig gets its answer from `udp serve --raw` through stdin (the
//! query's ID copied by python3), and a binary echo through `udp serve
//! --raw`'s stdin and stdout matches `nc -u -l` doing the same job.

use crate::common;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, Proto, Side};
use sha2::{Digest, Sha256};

/// Bytes each TCP sender sends.
const TCP_PAYLOAD: usize = 4 << 20;
/// Bytes each UDP sender sends: two datagrams from a file (65,507 +
/// 34,493), few enough that loopback drops none.
const UDP_PAYLOAD: usize = 100_000;
/// How long one run (both ends) may take before it is called a hang.
const RUN: Duration = Duration::from_secs(10);
/// How long a UDP receiver is given for the bytes to arrive.
const UDP_WAIT: Duration = Duration::from_secs(5);
/// What a reader that leaves early reads first.
const EARLY: usize = 64 << 10;
/// What a file opened for appending holds before the run.
const PREFIX: &[u8] = b"an earlier line\n";
/// Runs at once.
const WORKERS: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    ClientToServer,
    ServerToClient,
    Both,
}

impl Flow {
    fn sends(self, side: Side) -> bool {
        matches!(
            (self, side),
            (Flow::Both, _) | (Flow::ClientToServer, Side::Client) | (Flow::ServerToClient, Side::Server)
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    /// `--raw` alone: sendfile/splice where the kernel can.
    Direct,
    /// `--raw --decode B`: every chunk through the event path.
    Event,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Netplay(Way),
    Nc,
    Ncat,
    Socat,
    Python,
    Curl,
}

impl Tool {
    fn program(self) -> &'static str {
        match self {
            Tool::Netplay(_) => BIN,
            Tool::Nc => "nc",
            Tool::Ncat => "ncat",
            Tool::Socat => "socat",
            Tool::Python => "python3",
            Tool::Curl => "curl",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tool::Netplay(_) => "netplay",
            Tool::Nc => "nc",
            Tool::Ncat => "ncat",
            Tool::Socat => "socat",
            Tool::Python => "python3",
            Tool::Curl => "curl",
        }
    }
}

/// netplay's stdin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum In {
    File,
    Pipe,
    DevNull,
    /// A pipe whose writer closes at once: empty, and no terminal.
    EmptyPipe,
    /// A pipe written and held open until the end is stopped: a peer whose
    /// input's end would end it before the answer came (ncat -u).
    Held,
}

/// netplay's stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    File,
    Pipe,
    Append,
    DevNull,
    /// A pipe whose reader leaves after [`EARLY`] bytes.
    EarlyClose,
}

const OUTS: [Out; 5] = [Out::File, Out::Pipe, Out::Append, Out::DevNull, Out::EarlyClose];

impl fmt::Display for In {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            In::File => "file",
            In::Pipe => "pipe",
            In::DevNull => "/dev/null",
            In::EmptyPipe => "empty pipe",
            In::Held => "pipe held open",
        })
    }
}

impl fmt::Display for Out {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Out::File => "file",
            Out::Pipe => "pipe",
            Out::Append => "`>>` file",
            Out::DevNull => "/dev/null",
            Out::EarlyClose => "pipe, reader leaves",
        })
    }
}

#[derive(Clone, Copy, Debug)]
struct Case {
    proto: Proto,
    /// netplay's side; the peer has the other.
    side: Side,
    peer: Tool,
    flow: Flow,
    way: Way,
    stdin: In,
    stdout: Out,
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    Exit(i32),
    Signal(i32),
    /// Still running at the deadline (then killed).
    Hang,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Exit(n) => write!(f, "{n}"),
            Code::Signal(n) => write!(f, "sig{n}"),
            Code::Hang => f.write_str("hang"),
        }
    }
}

/// What arrived one way, against what was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Got {
    /// Nothing was sent this way, and nothing came.
    Nothing,
    Whole,
    /// A beginning of what was sent: `got` of `of` bytes.
    Cut {
        got: usize,
        of: usize,
    },
    /// Bytes that were not sent (altered, or extra).
    Altered,
    /// A UDP receiver that reads `read` bytes a datagram (nc: 16384, socat:
    /// 8192) got the first `read` bytes of the first datagram, and less
    /// than was sent: it cut the datagrams that were longer.
    Truncated {
        read: usize,
    },
    /// Written to /dev/null.
    Unread,
    /// The reader left early.
    Left,
}

impl Got {
    fn of(got: &[u8], want: &[u8]) -> Got {
        if got.len() == want.len() && sha(got) == sha(want) {
            if want.is_empty() { Got::Nothing } else { Got::Whole }
        } else if got.len() < want.len() && want.starts_with(got) {
            Got::Cut { got: got.len(), of: want.len() }
        } else {
            Got::Altered
        }
    }
}

impl fmt::Display for Got {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Got::Nothing => f.write_str("-"),
            Got::Whole => f.write_str("whole"),
            Got::Cut { got, of } => write!(f, "cut {got}/{of}"),
            Got::Altered => f.write_str("ALTERED"),
            Got::Truncated { read } => write!(f, "datagrams cut to {read}"),
            Got::Unread => f.write_str("(null)"),
            Got::Left => f.write_str("(left)"),
        }
    }
}

#[derive(Clone, Debug)]
struct Outcome {
    /// What the server's stdout got of the client's bytes.
    to_server: Got,
    /// What the client's stdout got of the server's bytes.
    to_client: Got,
    server: Code,
    client: Code,
    /// The lengths of the datagrams python3 received, as the peer of a UDP
    /// case (`65507+34493`).
    grams: Option<String>,
}

impl Outcome {
    fn code(&self, side: Side) -> Code {
        match side {
            Side::Server => self.server,
            Side::Client => self.client,
        }
    }

    fn got(&self, side: Side) -> Got {
        match side {
            Side::Server => self.to_server,
            Side::Client => self.to_client,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}, exit {}/{}", self.to_server, self.to_client, self.server, self.client)?;
        match &self.grams {
            Some(grams) => write!(f, " ({grams})"),
            None => Ok(()),
        }
    }
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `len` bytes of a fixed pseudo-random sequence (every byte value), one
/// sequence per seed.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    let mut state = 0x2545_f491_4f6c_dd1du64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ len as u64;
    for chunk in bytes.chunks_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
    }
    bytes
}

/// A child process killed (by its own PID) and reaped when dropped: a test
/// that panics leaves nothing running.
struct Kid {
    child: Child,
}

impl Kid {
    fn spawn(command: &mut Command) -> Kid {
        let program = format!("{:?}", command.get_program());
        Kid { child: command.spawn().unwrap_or_else(|e| panic!("{program}: {e}")) }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// The exit, waiting until `deadline`; past it, killed: [`Code::Hang`].
    fn finish(&mut self, deadline: Instant) -> Code {
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return match (status.code(), status.signal()) {
                    (Some(code), _) => Code::Exit(code),
                    (None, Some(signal)) => Code::Signal(signal),
                    (None, None) => Code::Exit(-1),
                };
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Code::Hang;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// SIGTERM (how a UDP receiver, which sees no end, is stopped), then
    /// its exit.
    fn terminate(&mut self, deadline: Instant) -> Code {
        if self.child.try_wait().unwrap().is_none() {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid()), nix::sys::signal::SIGTERM);
        }
        self.finish(deadline)
    }
}

impl Drop for Kid {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1 for `proto` (bound, then released).
fn free_port(proto: Proto) -> u16 {
    match proto {
        Proto::Tcp => TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(),
        Proto::Udp => std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(),
    }
}

/// Waits until a socket listens (TCP) or is bound (UDP) on `port`, read
/// from /proc so no probe uses up the server's one connection; false if
/// none did by `deadline` (the server may have failed).
fn wait_bound(proto: Proto, port: u16, server: &mut Kid, deadline: Instant) -> bool {
    let (table, state) = match proto {
        Proto::Tcp => ("/proc/net/tcp", "0A"),
        Proto::Udp => ("/proc/net/udp", "07"),
    };
    let needle = format!(":{port:04X}");
    loop {
        let rows = std::fs::read_to_string(table).unwrap();
        let bound = rows.lines().any(|row| {
            let mut columns = row.split_whitespace();
            columns.nth(1).is_some_and(|local| local.ends_with(&needle)) && columns.nth(1) == Some(state)
        });
        if bound {
            return true;
        }
        if Instant::now() >= deadline || server.child.try_wait().unwrap().is_some() {
            return false;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// The command line of `tool` on `side`, the way its users type it;
/// `peer`: the case's peer, not the tool in netplay's place.
fn command(tool: Tool, side: Side, proto: Proto, port: u16, flow: Flow, peer: bool) -> Command {
    // A UDP server that answers: its stdin goes back to the sender.
    let answers = proto == Proto::Udp && flow != Flow::ClientToServer;
    let p = port.to_string();
    let mut command = Command::new(tool.program());
    let args: Vec<String> = match (tool, proto, side) {
        (Tool::Netplay(way), _, _) => {
            command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8");
            let mut args = vec!["--raw".to_string(), "-q".to_string()];
            if way == Way::Event {
                args.extend(["--decode".to_string(), "B".to_string()]);
            }
            let rest: &[&str] = match (proto, side) {
                (Proto::Tcp, Side::Server) => &["tcp", "serve", "--port", &p, "--once"],
                (Proto::Tcp, Side::Client) => &["tcp", "connect", "127.0.0.1", &p],
                (Proto::Udp, Side::Server) => &["udp", "serve", "--port", &p],
                // udp send ends at once unless it waits for replies.
                (Proto::Udp, Side::Client) if answers => &["udp", "send", "127.0.0.1", &p, "--wait", "1s"],
                (Proto::Udp, Side::Client) => &["udp", "send", "127.0.0.1", &p],
            };
            args.extend(rest.iter().map(|s| s.to_string()));
            args
        }
        (Tool::Nc, Proto::Tcp, Side::Server) => vec!["-N".into(), "-l".into(), "127.0.0.1".into(), p],
        (Tool::Nc, Proto::Tcp, Side::Client) => vec!["-N".into(), "127.0.0.1".into(), p],
        (Tool::Nc, Proto::Udp, Side::Server) => vec!["-u".into(), "-l".into(), "127.0.0.1".into(), p],
        // Without -q, nc -u waits on after its stdin's end.
        (Tool::Nc, Proto::Udp, Side::Client) if answers && peer => {
            // As a peer that must read the answer: -q would shut its
            // reading side at stdin's end (tests/suite/nc.rs), so none: stopped
            // by SIGTERM once the bytes are in. In netplay's place, `-q 1`
            // as users type it to make nc -u end, and it reads nothing
            // back: the difference README's "Coming from nc" tells.
            vec!["-u".into(), "127.0.0.1".into(), p]
        }
        (Tool::Nc, Proto::Udp, Side::Client) => {
            vec!["-u".into(), "-q".into(), "1".into(), "127.0.0.1".into(), p]
        }
        (Tool::Ncat, Proto::Tcp, Side::Server) => vec!["-l".into(), "127.0.0.1".into(), p],
        (Tool::Ncat, Proto::Tcp, Side::Client) => vec!["127.0.0.1".into(), p],
        (Tool::Ncat, Proto::Udp, Side::Server) => vec!["-u".into(), "-l".into(), "127.0.0.1".into(), p],
        (Tool::Ncat, Proto::Udp, Side::Client) => vec!["-u".into(), "127.0.0.1".into(), p],
        // socat ends a session 0.5 s (-t) after either direction's end,
        // cutting the other if it is still going, whoever is on the other
        // end: 5 s keeps that timer out of what is measured.
        (Tool::Socat, Proto::Tcp, Side::Server) => {
            vec!["-t5".into(), "-".into(), format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr")]
        }
        (Tool::Socat, Proto::Tcp, Side::Client) => {
            vec!["-t5".into(), "-".into(), format!("TCP:127.0.0.1:{port}")]
        }
        (Tool::Socat, Proto::Udp, Side::Server) if answers => {
            vec!["-t5".into(), "-".into(), format!("UDP-LISTEN:{port},bind=127.0.0.1")]
        }
        (Tool::Socat, Proto::Udp, Side::Server) => {
            vec!["-u".into(), format!("UDP-RECV:{port},bind=127.0.0.1"), "-".into()]
        }
        (Tool::Socat, Proto::Udp, Side::Client) if answers => {
            vec!["-t5".into(), "-".into(), format!("UDP:127.0.0.1:{port}")]
        }
        (Tool::Socat, Proto::Udp, Side::Client) => {
            vec!["-u".into(), "-".into(), format!("UDP:127.0.0.1:{port}")]
        }
        (Tool::Python, _, _) => {
            let mut args = vec!["-c".to_string(), common::python_peer(proto, side).into(), p];
            if (proto, side) == (Proto::Udp, Side::Client) {
                let want = if answers { UDP_PAYLOAD } else { 0 };
                args.push(want.to_string());
            }
            args
        }
        (Tool::Curl, _, _) => vec!["-s".into(), format!("http://127.0.0.1:{port}/")],
    };
    command.args(args);
    command
}

/// Where one end's stdout goes, and how what arrived is read back.
enum Sink {
    File(PathBuf),
    /// Read by a thread: everything, or [`EARLY`] bytes before it leaves;
    /// the count read so far.
    Pipe(thread::JoinHandle<Vec<u8>>, Arc<AtomicUsize>),
    Null,
}

/// Sets up `kind` of stdout for `command` (spawned by the caller, who then
/// calls [`Sink::start`]).
fn stdout_of(kind: Out, dir: &Path, name: &str, command: &mut Command) -> Option<PathBuf> {
    let path = dir.join(name);
    match kind {
        Out::File => {
            command.stdout(File::create(&path).unwrap());
            Some(path)
        }
        Out::Append => {
            std::fs::write(&path, PREFIX).unwrap();
            command.stdout(OpenOptions::new().append(true).open(&path).unwrap());
            Some(path)
        }
        Out::DevNull => {
            command.stdout(Stdio::null());
            None
        }
        Out::Pipe | Out::EarlyClose => {
            command.stdout(Stdio::piped());
            None
        }
    }
}

fn sink(kind: Out, path: Option<PathBuf>, kid: &mut Kid) -> Sink {
    match (kind, path) {
        (Out::Pipe | Out::EarlyClose, _) => {
            let mut out = kid.child.stdout.take().unwrap();
            let most = if kind == Out::EarlyClose { EARLY } else { usize::MAX };
            let count = Arc::new(AtomicUsize::new(0));
            let counted = count.clone();
            Sink::Pipe(
                thread::spawn(move || {
                    let mut got = Vec::new();
                    let mut buf = vec![0u8; 1 << 16];
                    while got.len() < most {
                        let want = buf.len().min(most - got.len());
                        match out.read(&mut buf[..want]) {
                            Ok(0) => break,
                            Ok(n) => {
                                got.extend_from_slice(&buf[..n]);
                                counted.store(got.len(), Ordering::SeqCst);
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(_) => break,
                        }
                    }
                    // Dropped here: a reader that leaves closes the pipe.
                    got
                }),
                count,
            )
        }
        (_, Some(path)) => Sink::File(path),
        (_, None) => Sink::Null,
    }
}

/// What `sink` got, against `want` (sent to it); `read`: what a UDP
/// receiver reads a datagram, if less than the largest.
fn got(kind: Out, sink: Sink, want: &[u8], read: Option<usize>) -> Got {
    let bytes = match sink {
        Sink::Null => return Got::Unread,
        Sink::File(path) => std::fs::read(path).unwrap(),
        Sink::Pipe(reader, _) => reader.join().unwrap(),
    };
    let bytes = match kind {
        Out::EarlyClose => {
            // A receiver that cuts datagrams wrote the first `read` bytes of
            // the first one, then of the next.
            let cut_first = |read: usize| bytes.len() > read && bytes[..read] == want[..read.min(want.len())];
            return match want.starts_with(&bytes) || read.is_some_and(cut_first) {
                true => Got::Left,
                false => Got::Altered,
            };
        }
        Out::Append => match bytes.strip_prefix(PREFIX) {
            Some(rest) => rest.to_vec(),
            None => return Got::Altered,
        },
        _ => bytes,
    };
    match (Got::of(&bytes, want), read) {
        (Got::Altered, Some(read)) => truncated(&bytes, want, read),
        (got, _) => got,
    }
}

/// Stdin for an end that sends `payload` (`kind` File or Pipe) or nothing
/// (DevNull or EmptyPipe); a pipe is written by a thread once spawned.
fn stdin_of(kind: In, dir: &Path, name: &str, payload: &[u8], command: &mut Command) {
    match kind {
        In::File => {
            let path = dir.join(name);
            std::fs::write(&path, payload).unwrap();
            command.stdin(File::open(path).unwrap());
        }
        In::DevNull => {
            command.stdin(Stdio::null());
        }
        In::Pipe | In::EmptyPipe | In::Held => {
            command.stdin(Stdio::piped());
        }
    }
}

fn feed(kind: In, payload: &[u8], kid: &mut Kid) -> Option<thread::JoinHandle<Option<ChildStdin>>> {
    let mut input = kid.child.stdin.take()?;
    let held = match kind {
        In::Pipe => false,
        In::Held => true,
        _ => return None,
    };
    let payload = payload.to_vec();
    Some(thread::spawn(move || {
        // A process that ends early closes the pipe: EPIPE, fine.
        let _ = input.write_all(&payload);
        // Held: given back, closed once the end was stopped.
        held.then_some(input)
    }))
}

/// An HTTP/1.0 answer whose body ends with the connection.
fn http_answer(body: &[u8]) -> Vec<u8> {
    let mut answer = b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n".to_vec();
    answer.extend_from_slice(body);
    answer
}

/// An end once spawned: its side, itself, its stdout's kind and sink, and
/// the thread feeding its stdin, if a pipe.
type Running = (Side, Kid, Out, Sink, Option<thread::JoinHandle<Option<ChildStdin>>>);

/// One run of `case` with `subject` on netplay's side (netplay itself, or
/// the reference in its place).
fn run(case: &Case, subject: Tool) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let size = match case.proto {
        Proto::Tcp => TCP_PAYLOAD,
        Proto::Udp => UDP_PAYLOAD,
    };
    // A UDP server learns its peer from a first datagram: a client that
    // only receives sends a short one first.
    let client_bytes = match (case.proto, case.flow) {
        (Proto::Udp, Flow::ServerToClient) => TRIGGER.to_vec(),
        (_, flow) if flow.sends(Side::Client) => data(size, 1),
        _ => Vec::new(),
    };
    let mut server_bytes = if case.flow.sends(Side::Server) { data(size, 2) } else { Vec::new() };
    // What the server's stdin holds: curl's answer is HTTP around the body.
    let server_input = match case.peer {
        Tool::Curl => http_answer(&server_bytes),
        _ => server_bytes.clone(),
    };
    let port = free_port(case.proto);
    let peer_side = match case.side {
        Side::Server => Side::Client,
        Side::Client => Side::Server,
    };
    // The server first: the client starts once it listens.
    let mut ends = [(case.side, subject), (peer_side, case.peer)];
    ends.sort_by_key(|(side, _)| *side == Side::Client);
    let mut commands: Vec<(Side, Command, In, Out, Option<PathBuf>)> = Vec::new();
    for (side, tool) in ends {
        let mut command = command(tool, side, case.proto, port, case.flow, side != case.side);
        let input = match side {
            Side::Server => &server_input,
            Side::Client => &client_bytes,
        };
        // netplay's side has the case's stdin and stdout; the peer reads a
        // file (or /dev/null) and writes a file.
        let (stdin, stdout) = match side == case.side {
            true => (case.stdin, case.stdout),
            false => {
                // ncat -u ends soon after its input, answer or not: as the
                // peer that must read one, its input stays open.
                let held = (case.proto, side, tool) == (Proto::Udp, Side::Client, Tool::Ncat)
                    && case.flow != Flow::ClientToServer;
                let stdin = match (input.is_empty(), held) {
                    (true, _) => In::DevNull,
                    (false, true) => In::Held,
                    (false, false) => In::File,
                };
                (stdin, Out::File)
            }
        };
        let name = format!("{side:?}");
        stdin_of(stdin, dir.path(), &format!("{name}.in"), input, &mut command);
        let path = stdout_of(stdout, dir.path(), &format!("{name}.out"), &mut command);
        command.stderr(File::create(dir.path().join(format!("{name}.err"))).unwrap());
        commands.push((side, command, stdin, stdout, path));
    }
    let deadline = Instant::now() + RUN;
    let mut kids: Vec<Running> = Vec::new();
    for (side, mut command, stdin, stdout, path) in commands {
        let mut kid = Kid::spawn(&mut command);
        let input = match side {
            Side::Server => &server_input,
            Side::Client => &client_bytes,
        };
        let feeder = feed(stdin, input, &mut kid);
        let sink = sink(stdout, path, &mut kid);
        if side == Side::Server && !wait_bound(case.proto, port, &mut kid, deadline) {
            // The server did not start: the client is not run.
            let server = kid.finish(deadline);
            let _ = sink;
            let (to_server, to_client, client, grams) = (Got::Nothing, Got::Nothing, Code::Hang, None);
            return Outcome { to_server, to_client, server, client, grams };
        }
        kids.push((side, kid, stdout, sink, feeder));
    }
    // curl's own bytes (the request) are not the case's: only their start.
    let (mut server_code, mut client_code) = (Code::Hang, Code::Hang);
    let mut to_server = Got::Nothing;
    let mut to_client = Got::Nothing;
    // Clients first: a TCP server ends after its client; a UDP client ends
    // once its input is sent, and the server is then stopped.
    kids.sort_by_key(|(side, ..)| *side == Side::Server);
    for (side, mut kid, stdout, sink, feeder) in kids {
        let code = match (case.proto, side) {
            (Proto::Udp, Side::Server) => {
                // Nothing ends a UDP receiver: it is stopped once the bytes
                // are in (or UDP_WAIT has passed).
                let until = Instant::now() + UDP_WAIT;
                while Instant::now() < until && !arrived(&sink, stdout, client_bytes.len(), Some(port)) {
                    thread::sleep(Duration::from_millis(10));
                }
                kid.terminate(deadline)
            }
            (Proto::Udp, Side::Client) if !server_bytes.is_empty() => {
                let tool = if side == case.side { subject } else { case.peer };
                if !ends_by_itself(tool, side != case.side) {
                    // A UDP receiver that reads for ever: stopped once the
                    // bytes are in (or UDP_WAIT has passed, or it ended).
                    let until = Instant::now() + UDP_WAIT;
                    while Instant::now() < until
                        && kid.child.try_wait().unwrap().is_none()
                        && !arrived(&sink, stdout, server_bytes.len(), None)
                    {
                        thread::sleep(Duration::from_millis(10));
                    }
                    kid.terminate(deadline)
                } else {
                    kid.finish(deadline)
                }
            }
            _ => kid.finish(deadline),
        };
        if let Some(feeder) = feeder {
            let _ = feeder.join();
        }
        match side {
            Side::Server => {
                server_code = code;
                // The UDP receiver (peer or reference) may read less than a
                // datagram.
                let server_tool = if case.side == Side::Server { subject } else { case.peer };
                let read = if case.proto == Proto::Udp { udp_read(server_tool, Side::Server) } else { None };
                to_server = match case.peer {
                    Tool::Curl => request(stdout, sink),
                    _ => got(stdout, sink, &client_bytes, read),
                };
            }
            Side::Client => {
                client_code = code;
                let client_tool = if case.side == Side::Client { subject } else { case.peer };
                let read = if case.proto == Proto::Udp { udp_read(client_tool, Side::Client) } else { None };
                to_client = got(stdout, sink, &std::mem::take(&mut server_bytes), read);
            }
        }
    }
    // The datagrams python3 received, as their lengths.
    let grams = match (case.proto, case.peer) {
        (Proto::Udp, Tool::Python) => std::fs::read_to_string(dir.path().join(format!("{peer_side:?}.err")))
            .ok()
            .filter(|lengths| lengths.split_whitespace().all(|n| n.parse::<usize>().is_ok()))
            .map(|lengths| lengths.split_whitespace().collect::<Vec<_>>().join("+"))
            .filter(|lengths| !lengths.is_empty()),
        _ => None,
    };
    Outcome { to_server, to_client, server: server_code, client: client_code, grams }
}

/// What a UDP client that has only to receive sends first, so that the
/// server knows where to send.
const TRIGGER: &[u8] = b"hello\n";

/// Whether `tool`, a UDP client that receives, ends by itself: udp send
/// after its --wait, python3 once its bytes came, nc -u -q 1 and ncat -u
/// (in netplay's place) soon after their input; nc -u and ncat -u (its
/// input held open) as the peer and socat -t5 are stopped once the bytes
/// are in.
fn ends_by_itself(tool: Tool, peer: bool) -> bool {
    match tool {
        Tool::Netplay(_) | Tool::Python => true,
        Tool::Nc | Tool::Ncat => !peer,
        _ => false,
    }
}

/// Whether `len` bytes reached a UDP receiver's stdout (a reader that
/// leaves: the most it reads); for /dev/null, whether the socket's
/// receive queue on `port` is empty (read from /proc/net/udp).
fn arrived(sink: &Sink, kind: Out, len: usize, port: Option<u16>) -> bool {
    let len = if kind == Out::EarlyClose { len.min(EARLY) } else { len };
    match sink {
        Sink::File(path) => {
            let prefix = if kind == Out::Append { PREFIX.len() } else { 0 };
            std::fs::metadata(path).map_or(0, |m| m.len() as usize) >= len + prefix
        }
        Sink::Pipe(_, count) => count.load(Ordering::SeqCst) >= len,
        Sink::Null => {
            // A client's port is not known here: only its own end ends it.
            let Some(port) = port else { return false };
            let needle = format!(":{port:04X}");
            let rows = std::fs::read_to_string("/proc/net/udp").unwrap();
            rows.lines().any(|row| {
                let columns: Vec<&str> = row.split_whitespace().collect();
                columns.get(1).is_some_and(|local| local.ends_with(&needle))
                    && columns.get(4).is_some_and(|queues| queues.ends_with(":00000000"))
            })
        }
    }
}

/// How many bytes `tool` reads a datagram on `side`, where that is less
/// than the largest datagram (measured: ncat -u -l reads 60,000 bytes of
/// one, ncat -u as a client 8,192).
fn udp_read(tool: Tool, side: Side) -> Option<usize> {
    match (tool, side) {
        (Tool::Nc, _) => Some(16384),
        (Tool::Socat, _) | (Tool::Ncat, Side::Client) => Some(8192),
        _ => None,
    }
}

/// [`Got::Truncated`] if `bytes` are the first `read` bytes of `want`
/// and more, less than `want`; else [`Got::Altered`].
fn truncated(bytes: &[u8], want: &[u8], read: usize) -> Got {
    match bytes.len() < want.len() && bytes.len() >= read && bytes[..read] == want[..read] {
        true => Got::Truncated { read },
        false => Got::Altered,
    }
}

/// curl's request, as the server got it: whole if it is a GET.
fn request(kind: Out, sink: Sink) -> Got {
    let bytes = match sink {
        Sink::Null => return Got::Unread,
        Sink::File(path) => std::fs::read(path).unwrap(),
        Sink::Pipe(reader, _) => reader.join().unwrap(),
    };
    let bytes = match kind {
        Out::Append => bytes.strip_prefix(PREFIX).map(<[u8]>::to_vec).unwrap_or_default(),
        Out::EarlyClose => return Got::Left,
        _ => bytes,
    };
    match bytes.starts_with(b"GET / HTTP/1.1\r\n") && bytes.ends_with(b"\r\n\r\n") {
        true => Got::Whole,
        false => Got::Altered,
    }
}

/// The matrix, generated: TCP (netplay as server and as client × peer ×
/// direction × path), curl, UDP. stdin and stdout kinds go in turn, so
/// every peer meets each.
fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut turn = 0usize;
    let mut next = |proto: Proto, side: Side, peer: Tool, flow: Flow, way: Way| {
        // A UDP client sends a first datagram even when it only receives.
        let sends = flow.sends(side) || (proto, side) == (Proto::Udp, Side::Client);
        let stdin = match (sends, turn % 2) {
            (true, 0) => In::File,
            (true, _) => In::Pipe,
            (false, 0) => In::DevNull,
            (false, _) => In::EmptyPipe,
        };
        let stdout = OUTS[turn % OUTS.len()];
        turn += 1;
        Case { proto, side, peer, flow, way, stdin, stdout }
    };
    for side in [Side::Server, Side::Client] {
        for peer in [Tool::Nc, Tool::Ncat, Tool::Socat, Tool::Python] {
            for flow in [Flow::ClientToServer, Flow::ServerToClient, Flow::Both] {
                for way in [Way::Direct, Way::Event] {
                    cases.push(next(Proto::Tcp, side, peer, flow, way));
                }
            }
        }
    }
    for way in [Way::Direct, Way::Event] {
        cases.push(next(Proto::Tcp, Side::Server, Tool::Curl, Flow::ServerToClient, way));
    }
    for side in [Side::Server, Side::Client] {
        for peer in [Tool::Nc, Tool::Ncat, Tool::Socat, Tool::Python] {
            for flow in [Flow::ClientToServer, Flow::ServerToClient, Flow::Both] {
                cases.push(next(Proto::Udp, side, peer, flow, Way::Direct));
            }
        }
    }
    cases
}

/// The references in netplay's place, as their users type them: OpenBSD
/// nc (the one netplay is held to: [`faults`]), then ncat and socat,
/// whose outcomes the table shows beside it.
const REFERENCES: [Tool; 3] = [Tool::Nc, Tool::Ncat, Tool::Socat];

/// Whether two outcomes are alike: the same kind of delivery each way (a
/// cut is a cut, whatever its count, which is timing) and the same exit
/// codes.
fn alike(a: &Outcome, b: &Outcome) -> bool {
    let kind = |g: Got| match g {
        Got::Cut { .. } => Got::Cut { got: 0, of: 0 },
        other => other,
    };
    kind(a.to_server) == kind(b.to_server)
        && kind(a.to_client) == kind(b.to_client)
        && a.server == b.server
        && a.client == b.client
}

/// The references whose outcome is like netplay's, by name.
fn like(netplay: &Outcome, references: &[Outcome]) -> String {
    let names: Vec<&str> = REFERENCES
        .iter()
        .zip(references)
        .filter(|(_, reference)| alike(netplay, reference))
        .map(|(tool, _)| tool.name())
        .collect();
    match names.is_empty() {
        true => "none".to_string(),
        false => names.join(", "),
    }
}

/// What is wrong with netplay's outcome, if anything, given the
/// reference's.
fn faults(case: &Case, netplay: &Outcome, reference: &Outcome) -> Vec<String> {
    let mut faults = Vec::new();
    let ours = case.side;
    let theirs = match ours {
        Side::Server => Side::Client,
        Side::Client => Side::Server,
    };
    if netplay.code(ours) == Code::Hang {
        faults.push("netplay hung".to_string());
    }
    for side in [Side::Server, Side::Client] {
        let (got, want) = (netplay.got(side), reference.got(side));
        if got == Got::Altered {
            faults.push(format!("altered bytes to the {side:?}"));
        }
        let whole = |g: Got| matches!(g, Got::Whole | Got::Nothing);
        // A reader that leaves ends netplay's run, both directions (as
        // `| head` ends it: README's "Exit codes"); nc stops short too, and
        // how much got through is timing for both (docs/conformance.md).
        if whole(want) && matches!(got, Got::Cut { .. }) && case.stdout != Out::EarlyClose {
            faults.push(format!("the {side:?} got {got}, the reference delivered it whole"));
        }
    }
    let checked = [netplay.to_server, netplay.to_client];
    let delivered = checked.iter().all(|g| matches!(g, Got::Whole | Got::Nothing | Got::Unread));
    // A UDP receiver is stopped by SIGTERM: 0 is its exit then.
    if case.stdout == Out::EarlyClose {
        if let Code::Signal(signal) = netplay.code(ours) {
            faults.push(format!("a reader that left killed netplay (signal {signal})"));
        }
        // An upload (tcp connect's input, tcp serve's stdin) cut by the
        // reader leaving is no success (tests/suite/stdout_leaves.rs).
        let upload = match ours {
            Side::Client => netplay.to_server,
            Side::Server => netplay.to_client,
        };
        if case.proto == Proto::Tcp
            && netplay.code(ours) == Code::Exit(0)
            && matches!(upload, Got::Cut { .. })
        {
            faults.push(format!("netplay exited 0, its upload cut: {upload}"));
        }
    } else if delivered && netplay.code(ours) != Code::Exit(0) {
        faults.push(format!("everything delivered, yet netplay exited {}", netplay.code(ours)));
    }
    // A UDP peer that receives sees no end: stopped by SIGTERM (sig15;
    // socat exits 143) once its bytes are in or after UDP_WAIT, which is
    // timing, not how it fared.
    let stopped = |code: Code| matches!(code, Code::Signal(15) | Code::Exit(143));
    if case.stdout != Out::EarlyClose
        && reference.code(theirs) == Code::Exit(0)
        && netplay.code(theirs) != Code::Exit(0)
        && !(case.proto == Proto::Udp && stopped(netplay.code(theirs)))
    {
        faults.push(format!(
            "{} exited {} (0 against the reference)",
            case.peer.name(),
            netplay.code(theirs)
        ));
    }
    faults
}

fn flow_name(flow: Flow) -> &'static str {
    match flow {
        Flow::ClientToServer => "c→s",
        Flow::ServerToClient => "s→c",
        Flow::Both => "both",
    }
}

fn row(case: &Case, netplay: &Outcome, references: &[Outcome]) -> String {
    let proto = match case.proto {
        Proto::Tcp => "TCP",
        Proto::Udp => "UDP",
    };
    let way = match (case.proto, case.way) {
        (Proto::Udp, _) => "-",
        (_, Way::Direct) => "direct",
        (_, Way::Event) => "event",
    };
    let [nc, ncat, socat] = references else { panic!("three references") };
    let like = like(netplay, references);
    format!(
        "| {proto} | {} | {} | {} | {} | {} | {way} | {netplay} | {nc} | {ncat} | {socat} | {like} |",
        match case.side {
            Side::Server => "server",
            Side::Client => "client",
        },
        case.peer.name(),
        flow_name(case.flow),
        case.stdin,
        case.stdout,
    )
}

const HEADER: &str = "\
| proto | netplay is | peer | bytes | netplay's stdin | netplay's stdout | path | netplay: to server / to client, exit server/client | nc in netplay's place | ncat in its place | socat in its place | netplay is like |
|---|---|---|---|---|---|---|---|---|---|---|---|";

#[test]
fn netplay_against_the_peers_and_nc_ncat_socat_in_its_place() {
    let mut missing = Vec::new();
    for tool in ["nc", "ncat", "socat", "python3", "curl"] {
        if !common::have(tool) {
            missing.push(tool);
        }
    }
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|case| {
            !missing.contains(&case.peer.name()) && REFERENCES.iter().all(|r| !missing.contains(&r.name()))
        })
        .collect();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { return };
                    let netplay = run(case, Tool::Netplay(case.way));
                    let references: Vec<Outcome> = REFERENCES.iter().map(|&r| run(case, r)).collect();
                    results.lock().unwrap().push((i, netplay, references));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, ..)| *i);
    let mut table = String::from(HEADER);
    let mut wrong = Vec::new();
    for (i, netplay, references) in &results {
        let case = &cases[*i];
        table.push('\n');
        table.push_str(&row(case, netplay, references));
        for fault in faults(case, netplay, &references[0]) {
            wrong.push(format!("{}\n    {fault}", row(case, netplay, references)));
        }
    }
    println!("{table}");
    if let Some(path) = std::env::var_os("NETPLAY_PEERS_TABLE") {
        std::fs::write(path, format!("{table}\n")).unwrap();
    }
    assert!(wrong.is_empty(), "{} of {} cases:\n{}", wrong.len(), results.len(), wrong.join("\n"));
}

/// The matrix covers what the issue lists: every stdin and stdout kind
/// against every peer, every direction, both paths, both protocols.
#[test]
fn the_matrix_covers_every_kind_for_every_peer() {
    let cases = cases();
    for peer in [Tool::Nc, Tool::Ncat, Tool::Socat, Tool::Python] {
        let tcp: Vec<&Case> = cases.iter().filter(|c| c.peer == peer && c.proto == Proto::Tcp).collect();
        for out in OUTS {
            assert!(tcp.iter().any(|c| c.stdout == out), "{peer:?} never meets stdout {out}");
        }
        for stdin in [In::File, In::Pipe, In::DevNull, In::EmptyPipe] {
            assert!(tcp.iter().any(|c| c.stdin == stdin), "{peer:?} never meets stdin {stdin}");
        }
        for flow in [Flow::ClientToServer, Flow::ServerToClient, Flow::Both] {
            for way in [Way::Direct, Way::Event] {
                for side in [Side::Server, Side::Client] {
                    assert!(tcp.iter().any(|c| c.flow == flow && c.way == way && c.side == side));
                }
            }
        }
    }
    assert!(cases.iter().any(|c| c.peer == Tool::Curl));
    for peer in [Tool::Nc, Tool::Ncat, Tool::Socat, Tool::Python] {
        for side in [Side::Server, Side::Client] {
            for flow in [Flow::ClientToServer, Flow::ServerToClient, Flow::Both] {
                assert!(
                    cases
                        .iter()
                        .any(|c| c.proto == Proto::Udp && c.peer == peer && c.side == side && c.flow == flow),
                    "UDP: {peer:?}, netplay as {side:?}, {flow:?}"
                );
            }
        }
    }
}

/// Reads from `out` until `done` says the bytes so far are enough, on a
/// thread, within `within`; what was read, or None past the deadline.
fn read_until(
    mut out: impl Read + Send + 'static,
    within: Duration,
    done: impl Fn(&[u8]) -> bool + Send + 'static,
) -> Option<(Vec<u8>, impl Read + Send + 'static)> {
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 1 << 16];
        while !done(&got) {
            match out.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = tx.send((got, out));
    });
    rx.recv_timeout(within).ok()
}

/// The length of a DNS message's header and first question, once `bytes`
/// hold them.
fn question_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 12;
    loop {
        let len = *bytes.get(at)? as usize;
        at += 1 + len;
        if len == 0 {
            break;
        }
    }
    (bytes.len() >= at + 4).then_some(at + 4)
}

/// A DNS answer built by python3 from the query in argv[1] (hex): the
/// query's ID and question, one A record, 192.0.2.1.
const DNS_ANSWER_PY: &str = "\
import sys
q = bytes.fromhex(sys.argv[1])
i = 12
while q[i]:
    i += 1 + q[i]
question = q[12:i + 5]
header = q[:2] + b'\\x81\\x80' + b'\\x00\\x01\\x00\\x01\\x00\\x00\\x00\\x00'
answer = b'\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x00\\x3c\\x00\\x04' + bytes([192, 0, 2, 1])
sys.stdout.buffer.write(header + question + answer)
";

/// dig against `udp serve --raw`: its query comes out on stdout, python3
/// builds the answer from it (the query's ID copied), and the answer goes
/// back through stdin, as a datagram, to the last sender: dig. dig exits
/// 0 with `status: NOERROR` and the address. (A fixed --reply cannot
/// answer dig: the ID changes with every query.)
#[test]
fn dig_gets_its_answer_through_udp_serve_stdin() {
    if !common::have("dig") || !common::have("python3") {
        return;
    }
    let deadline = Instant::now() + RUN;
    let port = free_port(Proto::Udp);
    let mut server = command(Tool::Netplay(Way::Direct), Side::Server, Proto::Udp, port, Flow::Both, false);
    let mut server = Kid::spawn(server.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()));
    assert!(wait_bound(Proto::Udp, port, &mut server, deadline), "udp serve did not bind");
    let mut dig = Kid::spawn(
        Command::new("dig")
            .args(["@127.0.0.1", "-p", &port.to_string(), "example.test", "+tries=1", "+timeout=5"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let out = server.child.stdout.take().unwrap();
    let (query, _out) =
        read_until(out, RUN, |got| question_end(got).is_some()).expect("dig's query on udp serve's stdout");
    let hex: String = query.iter().map(|b| format!("{b:02x}")).collect();
    let built = Command::new("python3").args(["-c", DNS_ANSWER_PY, &hex]).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let mut answers = server.child.stdin.take().unwrap();
    answers.write_all(&built.stdout).unwrap();
    answers.flush().unwrap();
    let code = dig.finish(deadline);
    let mut said = String::new();
    dig.child.stdout.take().unwrap().read_to_string(&mut said).unwrap();
    assert_eq!(code, Code::Exit(0), "dig:\n{said}");
    assert!(said.contains("status: NOERROR"), "{said}");
    assert!(said.contains("192.0.2.1"), "{said}");
    drop(answers);
    assert_eq!(server.terminate(deadline), Code::Exit(0));
}

/// A binary UDP echo through stdin and stdout: what the server writes to
/// stdout is written back into its stdin by the test, and must come back
/// to the sender unchanged, a datagram for a datagram; `udp serve --raw`
/// and `nc -u -l` doing the same job give the same bytes. Datagrams of at
/// most 16,384 bytes, what nc reads of one.
#[test]
fn a_binary_echo_through_stdin_and_stdout_matches_nc() {
    if !common::have("nc") {
        return;
    }
    let datagrams: Vec<Vec<u8>> = vec![
        b"b\r\n".to_vec(),
        b"\x00\xff\x00".to_vec(),
        (0..=255u8).collect(),
        data(16_384, 3),
        b"\n".to_vec(),
    ];
    let mut echoed = Vec::new();
    for tool in [Tool::Nc, Tool::Netplay(Way::Direct)] {
        let deadline = Instant::now() + RUN;
        let port = free_port(Proto::Udp);
        let mut server = command(tool, Side::Server, Proto::Udp, port, Flow::Both, false);
        let mut server =
            Kid::spawn(server.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()));
        assert!(wait_bound(Proto::Udp, port, &mut server, deadline), "{tool:?} did not bind");
        let (mut from, mut to) = (server.child.stdout.take().unwrap(), server.child.stdin.take().unwrap());
        // The echo: each read of stdout, written back to stdin.
        let echo = thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            while let Ok(n) = from.read(&mut buf) {
                if n == 0 || to.write_all(&buf[..n]).and_then(|()| to.flush()).is_err() {
                    return;
                }
            }
        });
        let client = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        client.set_read_timeout(Some(common::PATIENCE)).unwrap();
        let mut back = Vec::new();
        for datagram in &datagrams {
            client.send_to(datagram, ("127.0.0.1", port)).unwrap();
            let mut buf = vec![0u8; 1 << 16];
            let n = client
                .recv(&mut buf)
                .unwrap_or_else(|e| panic!("{tool:?}: no echo of {} bytes: {e}", datagram.len()));
            back.push(buf[..n].to_vec());
        }
        let code = server.terminate(deadline);
        let _ = echo.join();
        assert_eq!(back, datagrams, "{tool:?}: the echo differs from what was sent");
        echoed.push((tool.name(), back.iter().map(|d| sha(d)).collect::<Vec<_>>(), code));
    }
    assert_eq!(echoed[0].1, echoed[1].1, "netplay and nc echoed different bytes");
    assert_eq!(echoed[1].2, Code::Exit(0), "netplay stopped by SIGTERM");
}
