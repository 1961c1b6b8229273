#![cfg(target_os = "linux")]
//! A netcat that loses nothing (issue 19, section 1): each case is one a
//! netcat user met, run against the real peer that lost the bytes (OpenBSD
//! nc, ncat, socat, python), with sha256 on what arrived and the exit codes
//! of both ends.

use crate::common;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, free_port, have, wait_bound};
use sha2::{Digest, Sha256};

/// How long one whole exchange may take before the test calls it a hang.
const EXCHANGE: Duration = Duration::from_secs(30);

/// `len` bytes of a fixed pseudo-random sequence (every byte value).
fn data(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    let mut seed = 0x2545_f491_4f6c_dd1du64 ^ len as u64;
    for chunk in bytes.chunks_mut(8) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
    }
    bytes
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn same(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(
        (got.len(), sha(got)),
        (want.len(), sha(want)),
        "{what}: the bytes that arrived differ from those sent (length, sha256)"
    );
}

fn netplay() -> Command {
    let mut command = Command::new(BIN);
    command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8");
    command
}

/// Waits for `child` to exit; past `within`, it is killed (by its own
/// handle) and the test fails.
fn finish(child: &mut Child, what: &str, within: Duration) -> i32 {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not end within {within:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn file_with(dir: &Path, name: &str, bytes: &[u8]) -> File {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    File::open(path).unwrap()
}

/// `netplay --raw -q tcp connect < /dev/null > f` against a server that
/// sends a file and stops when it reads EOF (`nc -N -l`, `ncat -l
/// --send-only`): nothing to send is no reason to half-close, so the whole
/// download arrives. Before, netplay sent its FIN at once and got 0 bytes
/// of 8 MiB in 16 runs of 16 (nc) with exit 0 on both sides.
#[test]
fn a_download_with_nothing_to_send_is_not_cut() {
    let dir = tempfile::tempdir().unwrap();
    let want = data(4 << 20);
    let peers: [(&str, &[&str]); 2] =
        [("nc", &["-N", "-l", "127.0.0.1"]), ("ncat", &["-l", "--send-only", "127.0.0.1"])];
    for (tool, args) in peers {
        if !have(tool) {
            continue;
        }
        for extra in [&[][..], &["--decode", "B"][..]] {
            let port = free_port();
            let mut peer = Command::new(tool)
                .args(args)
                .arg(port.to_string())
                .stdin(file_with(dir.path(), "send.bin", &want))
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            wait_bound("tcp", port, "0A");
            let out = dir.path().join("got.bin");
            let mut client = netplay()
                .args(["--raw", "-q"])
                .args(extra)
                .args(["tcp", "connect", "127.0.0.1", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(File::create(&out).unwrap())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let code = finish(&mut client, "netplay tcp connect", EXCHANGE);
            let peer_code = finish(&mut peer, tool, EXCHANGE);
            let what = format!("{tool} {args:?} → netplay {extra:?}");
            same(&what, &std::fs::read(&out).unwrap(), &want);
            assert_eq!((code, peer_code), (0, 0), "{what}: exit codes");
        }
    }
}

/// `tcp serve --raw --once < /dev/null > f` (and without --once, on the
/// event path): a socat client whose input starts after the accept still
/// delivers, because the server sends no FIN for an empty stdin (socat ends
/// a session 0.5 s after it reads EOF). The server's steps on stderr show
/// it: no `shutdown` before the client's EOF.
#[test]
fn a_server_with_nothing_to_send_waits_for_the_clients_upload() {
    if !have("socat") {
        return;
    }
    let want = data(1 << 20);
    for extra in [&["--once"][..], &["--once", "--decode", "B"][..], &[][..]] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got.bin");
        let mut server = netplay()
            .args(["--raw", "--color", "never", "tcp", "serve", "--port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(File::create(&out).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut steps = Steps::of(server.stderr.take().unwrap());
        let port = steps.port();
        let mut socat = Command::new("socat")
            .args(["-", &format!("TCP:127.0.0.1:{port}")])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // The input starts only once the server has accepted.
        steps.until("accepted");
        let mut input = socat.stdin.take().unwrap();
        input.write_all(&want).unwrap();
        drop(input);
        let socat_code = finish(&mut socat, "socat", EXCHANGE);
        steps.until("closed");
        if extra.is_empty() {
            // Without --once the server goes on: it has shown the close.
            let _ = server.kill();
            let _ = server.wait();
        } else {
            assert_eq!(finish(&mut server, "netplay tcp serve", EXCHANGE), 0, "{extra:?}");
        }
        let said = steps.all();
        same(&format!("socat → netplay {extra:?}"), &std::fs::read(&out).unwrap(), &want);
        assert_eq!(socat_code, 0, "{extra:?}: socat's exit code");
        let eof = said.find("EOF").unwrap();
        assert!(
            said.find("shutdown").is_none_or(|at| at > eof),
            "{extra:?}: a FIN before the client's EOF:\n{said}"
        );
    }
}

/// A process's stderr, read on a thread of its own (so the process never
/// blocks on a full pipe), line by line.
struct Steps {
    lines: Receiver<String>,
    seen: String,
}

impl Steps {
    fn of(stream: impl Read + Send + 'static) -> Steps {
        let (tx, lines) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Steps { lines, seen: String::new() }
    }

    /// The next line that contains `needle`, waiting at most PATIENCE.
    fn until(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen += &line;
                    self.seen.push('\n');
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(e) => panic!("no line with {needle:?} ({e:?}); seen:\n{}", self.seen),
            }
        }
    }

    /// The port a TCP server prints once it listens ("listening on
    /// 127.0.0.1:N").
    fn port(&mut self) -> u16 {
        self.port_after("listening on")
    }

    /// The port in the line that contains `needle` ("bound to 127.0.0.1:N").
    fn port_after(&mut self, needle: &str) -> u16 {
        let line = self.until(needle);
        let at = line.find("127.0.0.1:").expect("an address") + "127.0.0.1:".len();
        line[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
    }

    /// Everything seen, and the rest once the process has ended.
    fn all(mut self) -> String {
        while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
            self.seen += &line;
            self.seen.push('\n');
        }
        self.seen
    }
}

/// `tcp serve --raw --once` (the direct path: stdin and stdout are pipes,
/// received bytes are spliced into stdout) talked to by python's smtplib,
/// each answer written into the server's stdin as its command arrives on
/// stdout: an interactive exchange through the raw relay, nothing cut or
/// held back. The next test is the one that catches a held-back command
/// every time; this one is the user's case.
#[test]
fn python_smtplib_talks_to_a_raw_server() {
    if !have("python3") {
        return;
    }
    let mut server = netplay()
        .args(["--raw", "--color", "never", "tcp", "serve", "--port", "0", "--once"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut steps = Steps::of(server.stderr.take().unwrap());
    let port = steps.port();
    let mut answers = server.stdin.take().unwrap();
    let mut commands = Steps::of(server.stdout.take().unwrap());
    let script = format!(
        "import smtplib\n\
         s = smtplib.SMTP('127.0.0.1', {port}, timeout=20)\n\
         print(s.noop())\n\
         s.quit()\n"
    );
    let mut python = Command::new("python3")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    steps.until("accepted");
    answers.write_all(b"220 netplay ESMTP\r\n").unwrap();
    answers.flush().unwrap();
    let mut seen = Vec::new();
    loop {
        // Each command, within PATIENCE; python ends on its own timeout.
        let line = commands.until("");
        seen.push(line.clone());
        let answer: &[u8] = match line.split_whitespace().next().unwrap_or("") {
            "ehlo" => b"250 netplay\r\n",
            "noop" => b"250 2.0.0 Ok\r\n",
            "quit" => b"221 2.0.0 Bye\r\n",
            other => panic!("unexpected SMTP command {other:?}"),
        };
        answers.write_all(answer).unwrap();
        answers.flush().unwrap();
        if line.starts_with("quit") {
            break;
        }
    }
    drop(answers);
    let code = finish(&mut python, "python3 smtplib", EXCHANGE);
    let mut printed = String::new();
    python.stdout.take().unwrap().read_to_string(&mut printed).unwrap();
    let mut errors = String::new();
    python.stderr.take().unwrap().read_to_string(&mut errors).unwrap();
    assert_eq!(code, 0, "{errors}");
    assert_eq!(printed.trim(), "(250, b'2.0.0 Ok')");
    let verbs: Vec<&str> = seen.iter().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(verbs, ["noop", "quit"], "{seen:?}");
    assert_eq!(finish(&mut server, "netplay tcp serve", EXCHANGE), 0);
}

/// `tcp serve --raw --once` with stdin and stdout pipes, request and reply
/// by hand: each command the client sends can be read from stdout as soon
/// as poll(2) says stdout is readable, before anything more comes. Before
/// 0b00081 the direct path received with a blocking splice(socket → stdout
/// pipe, 1 MiB), which waited for more bytes while it held the pipe's lock:
/// poll said readable and read(2) blocked until the next command (on
/// 3fe408d this test fails in round 1 of 1; python smtplib stalled the same
/// way when its reader came late). The read runs on a thread with a
/// deadline, so a stall fails the test instead of hanging it.
#[test]
fn a_command_can_be_read_from_stdout_as_soon_as_it_is_readable() {
    use std::os::fd::AsFd;

    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

    let mut server = netplay()
        .args(["--raw", "--color", "never", "tcp", "serve", "--port", "0", "--once"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut steps = Steps::of(server.stderr.take().unwrap());
    let port = steps.port();
    let mut answers = server.stdin.take().unwrap();
    let commands = server.stdout.take().unwrap();
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    steps.until("accepted");
    // The reader: told to read, it reads once and hands the bytes back.
    let (ask, asked) = channel::<()>();
    let (give, given) = channel::<Vec<u8>>();
    let fd = commands.as_fd().try_clone_to_owned().unwrap();
    let reader = thread::spawn(move || {
        let mut commands = commands;
        while asked.recv().is_ok() {
            let mut buf = [0u8; 256];
            let n = commands.read(&mut buf).unwrap_or(0);
            if give.send(buf[..n].to_vec()).is_err() {
                return;
            }
        }
    });
    for round in 1..=5 {
        let command = format!("NOOP {round}\r\n");
        client.write_all(command.as_bytes()).unwrap();
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::try_from(PATIENCE.as_millis() as i32).unwrap()).unwrap();
        assert_eq!(ready, 1, "round {round}: stdout never became readable");
        ask.send(()).unwrap();
        let got = match given.recv_timeout(PATIENCE) {
            Ok(got) => got,
            Err(_) => {
                let _ = server.kill();
                let _ = server.wait();
                panic!(
                    "round {round}: poll said stdout was readable, read(2) blocked (the command was held back)"
                );
            }
        };
        assert_eq!(String::from_utf8_lossy(&got), command, "round {round}");
        let answer = format!("250 {round}\r\n");
        answers.write_all(answer.as_bytes()).unwrap();
        answers.flush().unwrap();
        let mut reply = vec![0u8; answer.len()];
        client.read_exact(&mut reply).unwrap();
        assert_eq!(String::from_utf8_lossy(&reply), answer, "round {round}: the reply");
    }
    drop(ask);
    drop(answers);
    drop(client);
    assert_eq!(finish(&mut server, "netplay tcp serve", EXCHANGE), 0);
    reader.join().unwrap();
}

/// `tcp serve --raw` (no --once, no --broadcast) with two clients
/// uploading 4 MiB each at once: stdout holds one client's bytes whole,
/// then the other's, never a mix (before: 10 alternating runs), as `nc
/// -lk` serves them in turn; stderr says so.
#[test]
fn a_raw_server_serves_clients_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("got.bin");
    let mut server = netplay()
        .args(["--raw", "--color", "never", "tcp", "serve", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut steps = Steps::of(server.stderr.take().unwrap());
    let port = steps.port();
    let (a, b) = (data(4 << 20), data((4 << 20) + 1));
    // Two processes, as a user's two clients are.
    let mut clients: Vec<Child> = [("a.bin", &a), ("b.bin", &b)]
        .into_iter()
        .map(|(name, bytes)| {
            netplay()
                .args(["--raw", "-q", "tcp", "connect", "127.0.0.1", &port.to_string()])
                .stdin(file_with(dir.path(), name, bytes))
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for client in &mut clients {
        assert_eq!(finish(client, "netplay tcp connect", EXCHANGE), 0);
    }
    steps.until("#2 closed");
    // "closed" on stderr says what the connection received, not that
    // stdout has written it: the payload goes to stdout on a writing
    // thread of its own. The server is killed once the file holds both
    // uploads' length (or PATIENCE passed), never while it still writes.
    let whole = (a.len() + b.len()) as u64;
    let deadline = Instant::now() + PATIENCE;
    while std::fs::metadata(&out).unwrap().len() < whole && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    let _ = server.kill();
    let _ = server.wait();
    let said = steps.all();
    let got = std::fs::read(&out).unwrap();
    let (ab, ba) = ([&a[..], &b[..]].concat(), [&b[..], &a[..]].concat());
    assert!(got == ab || got == ba, "the two uploads are mixed ({} bytes in all)", got.len());
    assert!(said.contains("clients are served one at a time"), "{said}");
}

/// Receives datagrams on `socket` until `total` bytes came; their lengths
/// and their bytes joined.
fn datagrams(socket: &std::net::UdpSocket, total: usize) -> (Vec<usize>, Vec<u8>) {
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    let (mut lens, mut bytes) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 70_000];
    while bytes.len() < total {
        let n = socket.recv(&mut buf).expect("a datagram within PATIENCE");
        lens.push(n);
        bytes.extend_from_slice(&buf[..n]);
    }
    (lens, bytes)
}

/// `--raw udp send < file` sends the file unchanged, a datagram per read
/// of stdin (at most 65507 bytes over IPv4), as `nc -u` sends it: CR, LF
/// and NUL included. Before, stdin was cut into lines and their ends
/// dropped: 1,024 bytes of every value arrived as 1,020, `b\r\n` as `b`.
#[test]
fn raw_udp_send_is_binary_safe() {
    let dir = tempfile::tempdir().unwrap();
    let every: Vec<u8> = (0..1024).map(|i| i as u8).collect();
    let big = data(100_000);
    for (input, want_lens) in
        [(&b"b\r\n"[..], vec![3]), (&every[..], vec![1024]), (&big[..], vec![65507, 34493])]
    {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let mut sender = netplay()
            .args(["--raw", "-q", "udp", "send", "127.0.0.1", &port.to_string()])
            .stdin(file_with(dir.path(), "in.bin", input))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (lens, got) = datagrams(&socket, input.len());
        assert_eq!(finish(&mut sender, "netplay udp send", EXCHANGE), 0);
        same("--raw udp send", &got, input);
        assert_eq!(lens, want_lens);
    }
}

/// curl POSTs 300 KB to `tcp serve --reply "b'HTTP/1.1 200 OK…'"
/// --reply-once`: the reply is read as -m reads it (a Python bytes
/// literal: CR LF, not backslashes), and goes once, not after each of the
/// request's chunks. Before, --reply sent `b'HTTP…` as text (curl:
/// Received HTTP/0.9) and there was no --reply-once (curl: Excess found).
#[test]
fn curl_gets_one_reply_per_connection() {
    if !have("curl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.bin");
    std::fs::write(&body, data(300_000)).unwrap();
    let reply = "b'HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n'";
    let mut server = netplay()
        .args(["--color", "never", "tcp", "serve", "--port", "0", "--once", "--reply", reply, "--reply-once"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = Steps::of(server.stdout.take().unwrap());
    let _errors = Steps::of(server.stderr.take().unwrap());
    let port = said.port();
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "--data-binary"])
        .arg(format!("@{}", body.display()))
        .arg(format!("http://127.0.0.1:{port}/"))
        .output()
        .unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).as_ref(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (Some(0), "ok\n", "")
    );
    assert_eq!(finish(&mut server, "netplay tcp serve", EXCHANGE), 0);
}

/// `udp serve --reply-file` answers each datagram with the file's bytes,
/// NUL and all (a binary answer, as a DNS server's); `--reply-hex` the
/// same from hex. Before, neither flag existed and --reply took text only.
#[test]
fn udp_serve_replies_with_binary_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let answer = [0u8, 1, 0x0d, 0x0a, 0xff, 0, 0x80];
    let file = dir.path().join("answer.bin");
    std::fs::write(&file, answer).unwrap();
    let hex = "00 01 0d 0a ff 00 80";
    for form in [["--reply-file", file.to_str().unwrap()], ["--reply-hex", hex]] {
        let mut server = netplay()
            .args(["--color", "never", "udp", "serve", "--port", "0", "--once"])
            .args(form)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut said = Steps::of(server.stdout.take().unwrap());
        let port = said.port_after("bound to");
        let client = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        client.send_to(b"query with some length", ("127.0.0.1", port)).unwrap();
        let (_, got) = datagrams(&client, answer.len());
        same(&format!("{form:?}"), &got, &answer);
        assert_eq!(finish(&mut server, "netplay udp serve", EXCHANGE), 0);
    }
}

/// `-m` and `--hex` combine, in command-line order: `-m a --hex '00 ff'
/// -m b` sends three datagrams, a, 00 ff, b. Before, clap refused the pair
/// (exit 2) and no error said how to mix text and bytes.
#[test]
fn messages_and_hex_go_in_the_order_given() {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut sender = netplay()
        .args(["-q", "udp", "send", "127.0.0.1", &port.to_string(), "-m", "a", "--hex", "00 ff", "-m", "b"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (lens, got) = datagrams(&socket, 4);
    assert_eq!(finish(&mut sender, "netplay udp send", EXCHANGE), 0);
    assert_eq!((lens, got), (vec![1, 2, 1], b"a\x00\xffb".to_vec()));
}
