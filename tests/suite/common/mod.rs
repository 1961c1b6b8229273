//! Helpers for tests that run the real binary: start a netplay process,
//! read its output line by line with a deadline, and stop it (by its own
//! handle) when the test ends. Every wait is bounded, so a bug fails a test
//! instead of hanging CI.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_netplay");

/// How long any single wait in a test may take before it fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// True when `tool` is on PATH. .ci/run installs every tool a test asks
/// for and runs the tests with `CI` set (as CI services set it): there a
/// missing tool fails the test that asked, so that no check is skipped
/// unseen. Elsewhere the test says SKIPPED (on stderr: shown with
/// `--nocapture`) rather than fail for want of a tool.
pub fn have(tool: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        assert!(!in_ci(), "{tool} is not installed, and CI must run this test (.ci/run installs it)");
        eprintln!("SKIPPED: {tool} is not installed (.ci/run installs it)");
    }
    found
}

/// True under CI (`CI` set, as .ci/run and CI services do): every tool
/// and build a test needs is there, so a skip would hide a check.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// An assert_cmd command for the binary, with a kill deadline.
pub fn netplay() -> assert_cmd::Command {
    netplay_in("C.UTF-8")
}

/// [`netplay`] in the locale `lang` (as LANG, with LC_ALL and LC_MESSAGES
/// unset): `C.UTF-8` is English whatever the machine's own locale.
pub fn netplay_in(lang: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(BIN);
    cmd.timeout(PATIENCE)
        .env_remove("NO_COLOR")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang);
    cmd
}

/// A copy of netplay in `dir` that user 65534 can run (the build
/// directory may be private to root); `dir` is made searchable by all.
/// Copied by `cp`, not by this process: a file this (threaded) test process
/// holds open for writing is inherited by whatever another test spawns in
/// that moment, until that child's exec, and running the copy then fails
/// with ETXTBSY (Text file busy: exit 126 through setpriv, seen in
/// tests/suite/errors.rs under load).
#[cfg(unix)]
pub fn public_copy(dir: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.join("netplay");
    let copied = Command::new("cp").arg(BIN).arg(&bin).status().unwrap();
    assert!(copied.success(), "cp {BIN} {}", bin.display());
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// True when `unshare -n` works here (root, or user namespaces): a
/// command run through it has a network namespace of its own, with no
/// interface up, so nothing it sends can leave the machine.
pub fn can_unshare() -> bool {
    static CAN: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CAN.get_or_init(|| {
        let ok = Command::new("unshare")
            .args(["-n", "true"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("NOTE: `unshare -n` is not allowed here; running without a namespace of its own");
        }
        ok
    })
}

/// [`netplay_in`] with no network at all (`unshare -n`, where allowed):
/// for hosts that must never reach a name resolver, so that even a bug
/// would send no query off the machine.
pub fn offline_in(lang: &str) -> assert_cmd::Command {
    let mut cmd = match can_unshare() {
        true => {
            let mut cmd = assert_cmd::Command::new("unshare");
            cmd.args(["-n", "--", BIN]);
            cmd
        }
        false => assert_cmd::Command::new(BIN),
    };
    cmd.timeout(PATIENCE)
        .env_remove("NO_COLOR")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang);
    cmd
}

/// [`offline_in`] in English.
pub fn offline() -> assert_cmd::Command {
    offline_in("C.UTF-8")
}

/// A running netplay process whose stdout and stderr are read line by line.
pub struct Proc {
    child: Child,
    pub stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// Everything read so far, for failure messages.
    seen: Vec<String>,
}

fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

impl Proc {
    /// Starts netplay with `args` and stdin at /dev/null, as a server run
    /// with nothing to send is.
    pub fn start(args: &[&str]) -> Proc {
        let mut command = Command::new(BIN);
        command.args(args);
        Proc::spawn(command)
    }

    /// Starts netplay with `args`; stdin is a pipe the test may write to
    /// (and that stays open, a stream, until the test drops it).
    pub fn start_piped(args: &[&str]) -> Proc {
        let mut command = Command::new(BIN);
        command.args(args);
        Proc::spawn_piped(command)
    }

    /// Starts `command` (netplay, perhaps inside a network namespace or
    /// through a shell that sets a limit first) with stdin at /dev/null and
    /// piped stdout and stderr.
    pub fn spawn(mut command: Command) -> Proc {
        command.stdin(Stdio::null());
        Proc::launch(command)
    }

    /// [`Proc::spawn`] with a stdin the test writes to.
    pub fn spawn_piped(mut command: Command) -> Proc {
        command.stdin(Stdio::piped());
        Proc::launch(command)
    }

    fn launch(mut command: Command) -> Proc {
        // English, unless the test chose a locale.
        if !command.get_envs().any(|(name, _)| name == "LANG") {
            command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8");
        }
        let mut child = command
            .env_remove("NO_COLOR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start netplay");
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        Proc { stdin: child.stdin.take(), child, stdout, stderr, seen: Vec::new() }
    }

    /// The next stdout line matching `want`, waiting at most PATIENCE.
    pub fn expect(&mut self, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no expected line within {PATIENCE:?}; stdout so far:\n{}\nstderr:\n{}",
                    self.seen.join("\n"),
                    self.drain_stderr()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "netplay ended before the expected line; stdout:\n{}\nstderr:\n{}",
                    self.seen.join("\n"),
                    self.drain_stderr()
                ),
            }
        }
    }

    /// The next JSON event named `event` on stdout.
    pub fn event(&mut self, event: &str) -> serde_json::Value {
        let needle = format!("\"event\":\"{event}\"");
        let line = self.expect(|l| l.contains(&needle));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad JSON {line:?}: {e}"))
    }

    /// The next JSON event named `event` whose `key` equals `value`.
    pub fn event_with(&mut self, event: &str, key: &str, value: &str) -> serde_json::Value {
        loop {
            let found = self.event(event);
            if found[key] == value {
                return found;
            }
        }
    }

    /// The next stderr line matching `want`.
    pub fn expect_stderr(&mut self, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if want(&line) => return line,
                Ok(line) => self.seen.push(format!("(stderr) {line}")),
                Err(e) => panic!("no expected stderr line ({e:?}); seen:\n{}", self.seen.join("\n")),
            }
        }
    }

    pub fn write_stdin(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("write to netplay's stdin");
        stdin.flush().unwrap();
    }

    /// Waits for the process to end by itself; returns its exit code.
    pub fn wait(&mut self) -> i32 {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for netplay") {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "netplay did not exit within {PATIENCE:?}");
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (SIGINT, SIGTERM) to this process, by its own pid.
    #[cfg(unix)]
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), signal)
            .expect("signal netplay");
    }

    /// The stdout lines that come until none has come for `quiet`; None
    /// when lines still come after `limit` (something runs away).
    pub fn lines_until_quiet(&mut self, quiet: Duration, limit: Duration) -> Option<Vec<String>> {
        let deadline = Instant::now() + limit;
        let mut lines = Vec::new();
        loop {
            match self.stdout.recv_timeout(quiet) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    lines.push(line);
                    if Instant::now() > deadline {
                        return None;
                    }
                }
                Err(_) => return Some(lines),
            }
        }
    }

    /// Waits for the process to end by itself within `limit`; its exit
    /// code (None when it ended by a signal), or a panic.
    pub fn wait_within(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for netplay") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "netplay did not exit within {limit:?}");
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// The stdout lines read so far, by [`Proc::expect`] and the like.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }

    /// All stdout lines still to come until the process ends.
    pub fn rest(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Ok(line) = self.stdout.recv_timeout(PATIENCE) {
            lines.push(line);
        }
        lines
    }

    /// The stderr lines still to come, up to the end (the process has
    /// ended, or ends within PATIENCE).
    pub fn rest_stderr(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Ok(line) = self.stderr.recv_timeout(PATIENCE) {
            lines.push(line);
        }
        lines
    }

    fn drain_stderr(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Only the process this test started, through its own handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `netplay tcp serve --json --port 0 <args>` and returns it with the
/// address it listens on.
pub fn tcp_server(args: &[&str]) -> (Proc, SocketAddr) {
    let mut all = vec!["--json", "tcp", "serve", "--port", "0"];
    all.extend_from_slice(args);
    bound(Proc::start(&all))
}

/// [`tcp_server`] with a stdin the test writes to: a stream, open until the
/// test drops it.
pub fn tcp_server_piped(args: &[&str]) -> (Proc, SocketAddr) {
    let mut all = vec!["--json", "tcp", "serve", "--port", "0"];
    all.extend_from_slice(args);
    bound(Proc::start_piped(&all))
}

/// Starts `netplay udp serve --json --port 0 <args>` and returns it with the
/// address it is bound to.
pub fn udp_server(args: &[&str]) -> (Proc, SocketAddr) {
    let mut all = vec!["--json", "udp", "serve", "--port", "0"];
    all.extend_from_slice(args);
    bound(Proc::start(&all))
}

/// Waits for a server's `listening` event; returns it with its address.
pub fn bound(mut server: Proc) -> (Proc, SocketAddr) {
    let listening = server.event("listening");
    let addr = listening["local"].as_str().unwrap().parse().unwrap();
    (server, addr)
}

/// A free TCP port on 127.0.0.1, for a peer that cannot take port 0 and
/// say which it got (nc -l, ncat -l): bound, closed, then given to the
/// tool; another process could take it in between, which these tests
/// tolerate.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A transport, for the helpers that serve both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

/// Which end of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Server,
    Client,
}

/// The port a process of ours (`pid`) listens on (TCP) or has a socket
/// bound on (UDP), as `ss -tlnp` / `ss -ulnp` shows it: for a tool told
/// port 0 that does not say which port it got (nc -l, ncat -l, socat,
/// netplay -q). Asks again until `deadline`; None if no such socket came.
pub fn port_of(proto: Proto, pid: u32, deadline: Instant) -> Option<u16> {
    let flags = match proto {
        Proto::Tcp => "-tlnpH",
        Proto::Udp => "-ulnpH",
    };
    let owner = format!("pid={pid},");
    loop {
        let out = Command::new("ss").arg(flags).output().ok()?;
        let found = String::from_utf8_lossy(&out.stdout).lines().find_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            (f.len() >= 6 && f[5].contains(&owner)).then(|| f[3].rsplit(':').next()?.parse().ok()).flatten()
        });
        if found.is_some() || Instant::now() >= deadline {
            return found;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// A port nothing is bound to, for TCP and UDP, on 127.0.0.1 and ::1: a
/// connect to it is refused (RST,ACK), a datagram to it brings an ICMP
/// port unreachable. It lies below the ephemeral range
/// (/proc/sys/net/ipv4/ip_local_port_range), where no bind to port 0 is
/// given a port, so no client of the test (nor of netplay, nor of another
/// test) can take it between this choice and its use, as one could a port
/// drawn with port 0 and let go. Checked free in /proc/net's tables, with
/// no probe that binds; each call of a test binary gets another port, so
/// tests run side by side (and capture by port) never share one.
pub fn closed_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let first: u32 = range.split_whitespace().next().unwrap().parse().unwrap();
    let low = (first / 2).max(1024);
    assert!(low < first, "no port below the ephemeral range {range:?}");
    let span = first - low;
    let start = {
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new().build_hasher().finish() as u32 % span
    };
    let _ = NEXT.compare_exchange(u32::MAX, start, Ordering::Relaxed, Ordering::Relaxed);
    let used = |port: u32| {
        let needle = format!(":{port:04X}");
        ["tcp", "tcp6", "udp", "udp6"].iter().any(|table| {
            std::fs::read_to_string(format!("/proc/net/{table}")).is_ok_and(|rows| {
                rows.lines()
                    .skip(1)
                    .any(|row| row.split_whitespace().nth(1).is_some_and(|l| l.ends_with(&needle)))
            })
        })
    };
    for _ in 0..span {
        let port = low + NEXT.fetch_add(1, Ordering::Relaxed) % span;
        if !used(port) {
            return port as u16;
        }
    }
    panic!("every port from {low} to {first} is in use");
}

/// Waits until a socket of `table` (/proc/net/tcp, udp...) is bound to
/// `port` in `state` (0A: TCP LISTEN; 07: a bound UDP socket), read from
/// /proc so the probe takes nothing from the tool (no connection of a
/// peer's is used up).
pub fn wait_bound(table: &str, port: u16, state: &str) {
    let deadline = Instant::now() + PATIENCE;
    let needle = format!(":{port:04X} ");
    loop {
        let rows = std::fs::read_to_string(format!("/proc/net/{table}")).unwrap();
        if rows.lines().any(|row| {
            let cells: Vec<&str> = row.split_whitespace().collect();
            cells.get(1).is_some_and(|local| format!("{local} ").ends_with(&needle))
                && cells.get(3) == Some(&state)
        }) {
            return;
        }
        assert!(Instant::now() < deadline, "nothing is bound to {table} port {port}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// The send and receive queues, in bytes, of the TCP socket bound to
/// `local` and connected to `peer`, as /proc/net/tcp (tcp6) lists them and
/// `ss` reads them (Send-Q: sent and not yet acknowledged, or not sent;
/// Recv-Q: received and not yet read); None when there is no such socket.
pub fn tcp_queues(local: SocketAddr, peer: SocketAddr) -> Option<(u64, u64)> {
    let hex = |a: SocketAddr| match a {
        SocketAddr::V4(v4) => format!("{:08X}:{:04X}", u32::from_le_bytes(v4.ip().octets()), v4.port()),
        SocketAddr::V6(v6) => {
            let words: String = v6
                .ip()
                .octets()
                .chunks(4)
                .map(|w| format!("{:08X}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
                .collect();
            format!("{words}:{:04X}", v6.port())
        }
    };
    let table = if local.is_ipv4() { "/proc/net/tcp" } else { "/proc/net/tcp6" };
    let table = std::fs::read_to_string(table).ok()?;
    let (local, peer) = (hex(local), hex(peer));
    let fields = table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.get(1) == Some(&local.as_str()) && f.get(2) == Some(&peer.as_str()))?;
    let (tx, rx) = fields.get(4)?.split_once(':')?;
    Some((u64::from_str_radix(tx, 16).ok()?, u64::from_str_radix(rx, 16).ok()?))
}

/// Waits, at most PATIENCE, until every byte the client at `client` sent
/// to `server` was read by the server's process: nothing left in the
/// client's send queue nor in the server's receive queue. Panics on the
/// deadline.
pub fn wait_all_read(server: SocketAddr, client: SocketAddr) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let sent = tcp_queues(client, server).map(|(tx, _)| tx);
        let unread = tcp_queues(server, client).map(|(_, rx)| rx);
        if sent == Some(0) && unread == Some(0) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{server} did not read all that {client} sent: {sent:?} unsent or unacknowledged, {unread:?} unread"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// A network namespace of this test's own, with its loopback up, removed
/// (with its /etc/netns files) when dropped. Lets a test bind `::` or add
/// addresses without touching the machine's network.
pub struct Netns {
    pub name: String,
}

impl Netns {
    /// A fresh namespace, or None (with a note on stderr) where this
    /// machine does not allow one: `ip netns add` needs root. `hosts`, when
    /// given, is the /etc/hosts that processes in the namespace see.
    pub fn new(hosts: Option<&str>) -> Option<Netns> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("netplay-test-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let added = Command::new("ip").args(["netns", "add", &name]).stderr(Stdio::null()).status();
        if !added.is_ok_and(|s| s.success()) {
            eprintln!("SKIPPED: `ip netns add` failed (it needs root and iproute2)");
            return None;
        }
        let netns = Netns { name };
        netns.ip(&["link", "set", "lo", "up"]);
        if let Some(hosts) = hosts {
            // `ip netns exec` bind-mounts /etc/netns/NAME/hosts on /etc/hosts.
            // Another test may remove an empty /etc/netns meanwhile: retry.
            let written = (0..5).any(|_| {
                std::fs::create_dir_all(netns.etc()).is_ok()
                    && std::fs::write(netns.etc().join("hosts"), hosts).is_ok()
            });
            assert!(written, "cannot write {}/hosts", netns.etc().display());
        }
        Some(netns)
    }

    fn etc(&self) -> std::path::PathBuf {
        std::path::Path::new("/etc/netns").join(&self.name)
    }

    /// Runs `ip <args>` inside the namespace; panics if it fails.
    pub fn ip(&self, args: &[&str]) {
        let status =
            Command::new("ip").args(["netns", "exec", &self.name, "ip"]).args(args).status().unwrap();
        assert!(status.success(), "ip {args:?} in {}", self.name);
    }

    /// A command that runs `program` inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }

    /// Starts netplay inside the namespace (`ip netns exec` execs it, so
    /// the handle is netplay's own).
    pub fn start(&self, args: &[&str]) -> Proc {
        let mut command = self.command(BIN);
        command.args(args);
        Proc::spawn(command)
    }

    /// netplay inside the namespace, as an assert_cmd command with a deadline.
    pub fn netplay(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new("ip");
        cmd.args(["netns", "exec", &self.name, BIN])
            .timeout(PATIENCE)
            .env_remove("NO_COLOR")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8");
        cmd
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.etc());
        // Leave /etc/netns itself when another namespace still uses it.
        let _ = std::fs::remove_dir("/etc/netns");
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

/// The JSON events a finished `--json` run wrote on stdout.
pub fn events(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l:?}: {e}")))
        .collect()
}

/// The events named `name`, in order.
pub fn named<'a>(events: &'a [serde_json::Value], name: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

/// Hex text of bytes, as the JSON events carry it.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The course's server (serveur.py), on a port the OS chooses, which it
/// prints first.
pub const COURSE_SERVER: &str = r#"
import sys
from socket import socket, AF_INET, SOCK_STREAM

server_socket = socket(AF_INET, SOCK_STREAM)
server_socket.bind(('127.0.0.1', 0))
server_socket.listen(5)
server_socket.settimeout(10)
print(server_socket.getsockname()[1], flush=True)

client_socket, client_address = server_socket.accept()
client_socket.settimeout(10)
data = client_socket.recv(1024)
print(f"Données reçues : {data.decode()}", flush=True)
client_socket.send(b"Bonjour client !")
client_socket.close()
"#;

/// The course's client (client.py); the port is its first argument.
pub const COURSE_CLIENT: &str = r#"
import sys
from socket import socket, AF_INET, SOCK_STREAM

client_socket = socket(AF_INET, SOCK_STREAM)
client_socket.settimeout(10)
client_socket.connect(('127.0.0.1', int(sys.argv[1])))
client_socket.send(b"Hello serveur !")
response = client_socket.recv(1024)
print(f"Réponse du serveur : {response.decode()}")
client_socket.close()
"#;

/// The python3 peer for `proto` on `side`, as `python3 -c SCRIPT PORT`
/// runs it (the UDP client takes a second argument: how many bytes to wait
/// for back): each is a plain socket program in the course's style that
/// relays its stdin to the socket and the socket to its stdout, the oracle
/// tests/suite/peers.rs puts beside netplay and in netplay's place.
pub fn python_peer(proto: Proto, side: Side) -> &'static str {
    match (proto, side) {
        (Proto::Tcp, Side::Server) => PY_TCP_SERVER,
        (Proto::Tcp, Side::Client) => PY_TCP_CLIENT,
        (Proto::Udp, Side::Server) => PY_UDP_SERVER,
        (Proto::Udp, Side::Client) => PY_UDP_CLIENT,
    }
}

/// What both python3 TCP peers do once they hold a connected socket `c`:
/// send their stdin (then a half-close) while they write what they
/// receive to stdout, until both directions have ended.
macro_rules! py_tcp_relay {
    () => {
        "\
def send():
    while True:
        b = sys.stdin.buffer.read1(65536)
        if not b:
            break
        c.sendall(b)
    c.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
while True:
    b = c.recv(65536)
    if not b:
        break
    sys.stdout.buffer.write(b)
sys.stdout.buffer.flush()
t.join()
c.close()
"
    };
}

/// A TCP server on 127.0.0.1 port argv[1]: accepts one connection, and
/// relays it as [`py_tcp_relay`] says.
pub const PY_TCP_SERVER: &str = concat!(
    "\
import socket, sys, threading
l = socket.create_server(('127.0.0.1', int(sys.argv[1])))
c, _ = l.accept()
",
    py_tcp_relay!()
);

/// A TCP client of 127.0.0.1 port argv[1]: the same two directions as
/// [`PY_TCP_SERVER`].
pub const PY_TCP_CLIENT: &str = concat!(
    "\
import socket, sys, threading
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
",
    py_tcp_relay!()
);

/// A UDP server on 127.0.0.1 port argv[1]: writes each datagram to
/// stdout and its length to stderr; once a first datagram has come, sends
/// its stdin to that sender (as nc -u -l does), a datagram per read.
pub const PY_UDP_SERVER: &str = "\
import socket, sys, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
first = threading.Event()
peer = []
def send():
    first.wait()
    while True:
        b = sys.stdin.buffer.read1(65507)
        if not b:
            break
        s.sendto(b, peer[0])
threading.Thread(target=send, daemon=True).start()
while True:
    b, frm = s.recvfrom(65536)
    if not peer:
        peer.append(frm)
        first.set()
    sys.stderr.write(f'{len(b)}\\n')
    sys.stderr.flush()
    sys.stdout.buffer.write(b)
    sys.stdout.buffer.flush()
";

/// A UDP client of 127.0.0.1 port argv[1]: sends its stdin, a datagram
/// per read, then receives until argv[2] bytes have come (each datagram to
/// stdout, its length to stderr) or 5 s of silence.
pub const PY_UDP_CLIENT: &str = "\
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(('127.0.0.1', int(sys.argv[1])))
while True:
    b = sys.stdin.buffer.read1(65507)
    if not b:
        break
    s.send(b)
want, got = int(sys.argv[2]), 0
s.settimeout(5)
while got < want:
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    got += len(b)
    sys.stderr.write(f'{len(b)}\\n')
    sys.stderr.flush()
    sys.stdout.buffer.write(b)
    sys.stdout.buffer.flush()
";

/// Runs netplay in a pseudo-terminal of `columns` x 50, via python3's pty
/// module (the size is set before netplay starts); returns what it printed,
/// whatever its exit code.
pub fn in_terminal(columns: u16, args: &[&str]) -> String {
    in_terminal_in("C.UTF-8", columns, args)
}

/// [`in_terminal`] in the locale `lang` (as LANG).
pub fn in_terminal_in(lang: &str, columns: u16, args: &[&str]) -> String {
    let mut program = vec![BIN];
    program.extend_from_slice(args);
    in_terminal_running(lang, columns, &program)
}

/// Runs `program` (a path, then its arguments: netplay, or a command such
/// as setpriv that runs it) as [`in_terminal_in`] runs netplay.
pub fn in_terminal_running(lang: &str, columns: u16, program: &[&str]) -> String {
    let script = r#"
import fcntl, os, pty, struct, sys, termios
columns = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    os.execv(sys.argv[2], sys.argv[2:])
# Ctrl-D after a moment, as a person ending their input would: an end
# that reads the terminal stops waiting for lines.
import threading
threading.Timer(0.5, lambda: os.write(fd, b"\x04")).start()
out = bytearray()
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out.extend(data)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(out))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let out = Command::new("python3")
        .args(["-c", script, &columns.to_string()])
        .args(program)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .output()
        .expect("python3 is installed (.ci/run installs it)");
    // The terminal turns each \n into \r\n.
    String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n")
}
