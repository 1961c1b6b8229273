#![cfg(target_os = "linux")]
//! `netplay nc` against OpenBSD nc itself (issue 19, section 2): each case
//! runs the same scenario twice, once with `nc` and once with `netplay nc`
//! in the same place, with the same flags, and compares what the test can
//! see from outside: the bytes each side received (length and sha256) and
//! the exit code. The other end is the test's own socket, so the two runs
//! meet the very same peer. Each case also checks nc's outcome against what
//! the scenario means, so a case where both tools fail alike still fails.

use crate::common;

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, free_port, have, wait_bound};
use sha2::{Digest, Sha256};

/// The two tools a case runs with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tool {
    Nc,
    Netplay,
}

impl Tool {
    /// The tool with nc's words `args`.
    fn command(self, args: &[&str]) -> Command {
        let mut command = match self {
            Tool::Nc => Command::new("nc"),
            Tool::Netplay => {
                let mut command = Command::new(BIN);
                command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8").arg("nc");
                command
            }
        };
        command.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        command
    }
}

/// What a case saw of one run, in order: (what, value).
type Outcome = Vec<(&'static str, String)>;

/// `len` bytes of a fixed pseudo-random sequence (every byte value).
fn data(len: usize, salt: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    let mut seed = 0x2545_f491_4f6c_dd1du64 ^ salt;
    for chunk in bytes.chunks_mut(8) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
    }
    bytes
}

/// Bytes as a case compares them: their length and sha256.
fn digest(bytes: &[u8]) -> String {
    let sha: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    format!("{} bytes, sha256 {}", bytes.len(), &sha[..16])
}

/// Runs `case` with nc, then with netplay nc, and fails when they differ
/// or when nc's outcome is not `want`.
fn compare(name: &str, want: &Outcome, case: impl Fn(Tool) -> Outcome) {
    if !have("nc") {
        return;
    }
    let nc = case(Tool::Nc);
    assert_eq!(&nc, want, "{name}: nc itself did not do what the case expects");
    let netplay = case(Tool::Netplay);
    assert_eq!(netplay, nc, "{name}: netplay nc (left) and nc (right) differ");
}

/// The exit status as a shell reports it (128 + the signal that ended it).
fn code(status: std::process::ExitStatus) -> String {
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)).to_string()
}

/// Waits for `child` to exit; past PATIENCE it is killed (by its own
/// handle) and the case fails.
fn finish(child: &mut Child, what: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return code(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not end within {PATIENCE:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until the file at `path` holds `len` bytes.
fn wait_size(path: &Path, len: usize) {
    let deadline = Instant::now() + PATIENCE;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < len as u64 {
        assert!(Instant::now() < deadline, "{} never held {len} bytes", path.display());
        thread::sleep(Duration::from_millis(10));
    }
}

/// Accepts one connection, or fails the case past PATIENCE (a tool that
/// never connects must not hang the test).
fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + PATIENCE;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                stream.set_nonblocking(false).unwrap();
                return (stream, peer);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("no connection from the tool within {PATIENCE:?}: {e}"),
        }
    }
}

/// Reads `stream` to its EOF, with every read bounded by PATIENCE.
fn read_all(stream: &mut TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut got = Vec::new();
    stream.read_to_end(&mut got).expect("EOF from the tool within PATIENCE");
    got
}

fn input(dir: &Path, name: &str, bytes: &[u8]) -> File {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    File::open(path).unwrap()
}

/// The tool connects to a listener of the test's, which takes everything
/// up to EOF and then answers `answer` and closes: what the listener got,
/// what the tool wrote on stdout, the tool's exit code. `-p`'s cases also
/// get whether the listener saw the connection come from port `source`.
fn client_case(
    tool: Tool,
    flags: &[&str],
    listen: &str,
    send: &[u8],
    answer: &[u8],
) -> (Outcome, SocketAddr) {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind(listen).unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = answer.to_vec();
    let server = thread::spawn(move || {
        let (mut stream, peer) = accept(&listener);
        let got = read_all(&mut stream);
        stream.write_all(&answer).unwrap();
        (got, peer)
    });
    let port = addr.port().to_string();
    let host = addr.ip().to_string();
    let mut args = flags.to_vec();
    args.extend([host.as_str(), port.as_str()]);
    let out = dir.path().join("stdout");
    let mut child = tool
        .command(&args)
        .stdin(input(dir.path(), "stdin", send))
        .stdout(File::create(&out).unwrap())
        .spawn()
        .unwrap();
    let code = finish(&mut child, &format!("{tool:?} {args:?}"));
    let (got, peer) = server.join().unwrap();
    let outcome = vec![
        ("the listener got", digest(&got)),
        ("stdout", digest(&std::fs::read(&out).unwrap())),
        ("exit code", code),
    ];
    (outcome, peer)
}

/// Sending with -N (its FIN ends the upload), then taking the answer; with
/// -v (stdout the same: the steps go to stderr), and with -I/-O.
#[test]
fn a_client_sends_with_n_and_receives_the_answer() {
    let (send, answer) = (data(1 << 20, 1), data(300 << 10, 2));
    let want = vec![
        ("the listener got", digest(&send)),
        ("stdout", digest(&answer)),
        ("exit code", "0".to_string()),
    ];
    for flags in [&["-N"][..], &["-v", "-N"][..], &["-N", "-I", "8192", "-O", "8192"][..]] {
        compare(&format!("nc {flags:?} HOST PORT"), &want, |tool| {
            client_case(tool, flags, "127.0.0.1:0", &send, &answer).0
        });
    }
}

/// A listening tool with -N: it sends its stdin then its FIN; the client
/// reads all of it, then sends its own bytes and FIN, which the tool writes
/// on stdout before it ends.
#[test]
fn a_listener_sends_with_n_and_receives_after_its_fin() {
    let (send, upload) = (data(1 << 20, 3), data(200 << 10, 4));
    let want =
        vec![("the client got", digest(&send)), ("stdout", digest(&upload)), ("exit code", "0".to_string())];
    compare("nc -N -l HOST PORT", &want, |tool| {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let out = dir.path().join("stdout");
        let mut child = tool
            .command(&["-N", "-l", "127.0.0.1", &port.to_string()])
            .stdin(input(dir.path(), "stdin", &send))
            .stdout(File::create(&out).unwrap())
            .spawn()
            .unwrap();
        wait_bound("tcp", port, "0A");
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let got = read_all(&mut client);
        client.write_all(&upload).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let code = finish(&mut child, &format!("{tool:?} -N -l"));
        vec![
            ("the client got", digest(&got)),
            ("stdout", digest(&std::fs::read(&out).unwrap())),
            ("exit code", code),
        ]
    });
}

/// -l -k: two clients connect at once; the second waits until the first
/// has gone, so stdout holds the first's bytes whole, then the second's,
/// although the second sent first. Ended by SIGTERM (143 for both: nc dies
/// of it, netplay nc exits with what a shell would say).
#[test]
fn listen_keep_serves_clients_in_turn() {
    let (first, second) = (data(100 << 10, 5), data(70 << 10, 6));
    let both = [first.clone(), second.clone()].concat();
    let want = vec![
        ("stdout", digest(&both)),
        ("the first client got", digest(b"")),
        ("the second client got", digest(b"")),
        ("exit code", "143".to_string()),
    ];
    compare("nc -l -k HOST PORT", &want, |tool| {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let out = dir.path().join("stdout");
        let mut child = tool
            .command(&["-l", "-k", "127.0.0.1", &port.to_string()])
            .stdout(File::create(&out).unwrap())
            .spawn()
            .unwrap();
        wait_bound("tcp", port, "0A");
        let mut one = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut two = TcpStream::connect(("127.0.0.1", port)).unwrap();
        two.write_all(&second).unwrap();
        two.shutdown(Shutdown::Write).unwrap();
        one.write_all(&first).unwrap();
        one.shutdown(Shutdown::Write).unwrap();
        let got_one = read_all(&mut one);
        let got_two = read_all(&mut two);
        wait_size(&out, both.len());
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let code = finish(&mut child, &format!("{tool:?} -l -k"));
        vec![
            ("stdout", digest(&std::fs::read(&out).unwrap())),
            ("the first client got", digest(&got_one)),
            ("the second client got", digest(&got_two)),
            ("exit code", code),
        ]
    });
}

/// -z: 0 when the port (one of the ports) takes a connection, 1 when none
/// does; nothing on stdout, with -v or without.
#[test]
fn scan_says_open_and_closed_by_its_exit_code() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port().to_string();
    let closed = common::closed_port().to_string();
    let cases: [(&[&str], &str); 5] = [
        (&["-z", "127.0.0.1", &open], "0"),
        (&["-z", "127.0.0.1", &closed], "1"),
        (&["-zv", "127.0.0.1", &open], "0"),
        (&["-zv", "127.0.0.1", &closed], "1"),
        (&["-z", "127.0.0.1", &closed, &open], "0"),
    ];
    for (args, status) in cases {
        let want = vec![("stdout", digest(b"")), ("exit code", status.to_string())];
        compare(&format!("nc {args:?}"), &want, |tool| {
            let output = tool.command(args).output().unwrap();
            vec![("stdout", digest(&output.stdout)), ("exit code", code(output.status))]
        });
    }
}

/// -u -l -w 1: the first sender's datagrams go to stdout unchanged (NUL,
/// CR LF), stdin goes back to it, another sender is not heard, and a
/// second of silence ends the run with 0.
#[test]
fn udp_listen_takes_the_first_sender_and_ends_when_idle() {
    let (one, two) = (b"one\0\r\n".to_vec(), b"two\xff".to_vec());
    let reply = b"answer\n".to_vec();
    let want = vec![
        ("stdout", digest(&[one.clone(), two.clone()].concat())),
        ("the sender got", digest(&reply)),
        ("exit code", "0".to_string()),
    ];
    compare("nc -u -l -w 1 HOST PORT", &want, |tool| {
        let dir = tempfile::tempdir().unwrap();
        let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let out = dir.path().join("stdout");
        let mut child = tool
            .command(&["-u", "-l", "-w", "1", "127.0.0.1", &port.to_string()])
            .stdin(input(dir.path(), "stdin", &reply))
            .stdout(File::create(&out).unwrap())
            .spawn()
            .unwrap();
        wait_bound("udp", port, "07");
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let other = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.set_read_timeout(Some(PATIENCE)).unwrap();
        sender.send_to(&one, ("127.0.0.1", port)).unwrap();
        let mut buf = [0u8; 1024];
        // The answer comes once the tool has taken this sender as its peer.
        let n = sender.recv(&mut buf).expect("stdin sent back within PATIENCE");
        other.send_to(b"not heard", ("127.0.0.1", port)).unwrap();
        sender.send_to(&two, ("127.0.0.1", port)).unwrap();
        let code = finish(&mut child, &format!("{tool:?} -u -l -w 1"));
        vec![
            ("stdout", digest(&std::fs::read(&out).unwrap())),
            ("the sender got", digest(&buf[..n])),
            ("exit code", code),
        ]
    });
}

/// -w 1 with a peer that says nothing and a stdin that does not end: the
/// client gives up after a second of silence, exit 0, having sent nothing.
#[test]
fn wait_ends_an_idle_connection() {
    let want = vec![("the listener got", digest(b"")), ("exit code", "0".to_string())];
    compare("nc -w 1 HOST PORT", &want, |tool| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = thread::spawn(move || read_all(&mut accept(&listener).0));
        let mut child =
            tool.command(&["-w", "1", "127.0.0.1", &port.to_string()]).stdin(Stdio::piped()).spawn().unwrap();
        // stdin stays open (no EOF) until the tool has ended.
        let stdin = child.stdin.take();
        let code = finish(&mut child, &format!("{tool:?} -w 1"));
        drop(stdin);
        vec![("the listener got", digest(&server.join().unwrap())), ("exit code", code)]
    });
}

/// -q: a client's FIN at stdin's end (the listener sees EOF and answers);
/// a listener ends a second after its stdin is sent, though its client
/// keeps the connection open.
#[test]
fn quit_after_stdin_ends() {
    let (send, answer) = (data(64 << 10, 7), data(10 << 10, 8));
    let want = vec![
        ("the listener got", digest(&send)),
        ("stdout", digest(&answer)),
        ("exit code", "0".to_string()),
    ];
    compare("nc -q 1 HOST PORT", &want, |tool| {
        client_case(tool, &["-q", "1"], "127.0.0.1:0", &send, &answer).0
    });

    let want = vec![("the client got", digest(&send)), ("exit code", "0".to_string())];
    compare("nc -l -q 1 HOST PORT", &want, |tool| {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = tool
            .command(&["-l", "-q", "1", "127.0.0.1", &port.to_string()])
            .stdin(input(dir.path(), "stdin", &send))
            .spawn()
            .unwrap();
        wait_bound("tcp", port, "0A");
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let got = read_all(&mut client);
        // The client neither sends nor closes: -q alone ends the tool.
        let code = finish(&mut child, &format!("{tool:?} -l -q 1"));
        drop(client);
        vec![("the client got", digest(&got)), ("exit code", code)]
    });
}

/// `-u -q SECONDS` differs from nc on purpose (README's "Coming from
/// nc"): OpenBSD nc shuts its socket's reading side down as soon as stdin
/// ends (strace: shutdown(SHUT_RD) right after the last write), so a reply
/// that comes during the -q seconds is never read, and `nc -u -q 2 < query`
/// prints nothing of it; `netplay nc -u -q 2` reads replies for those
/// seconds, as the flag's words say (wait after EOF, then quit), and
/// prints them. Both exit 0, at the end of the -q time. The server answers
/// half a second after the query, long after either tool has read its
/// stdin's end (a file of one line).
#[test]
fn udp_quit_reads_the_replies_nc_drops() {
    if !have("nc") {
        return;
    }
    let (query, reply) = (b"query\n".to_vec(), b"reply\0\xff\n".to_vec());
    let run = |tool: Tool| {
        let dir = tempfile::tempdir().unwrap();
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server.set_read_timeout(Some(PATIENCE)).unwrap();
        let port = server.local_addr().unwrap().port();
        let out = dir.path().join("stdout");
        let mut child = tool
            .command(&["-u", "-q", "2", "127.0.0.1", &port.to_string()])
            .stdin(input(dir.path(), "stdin", &query))
            .stdout(File::create(&out).unwrap())
            .spawn()
            .unwrap();
        let mut buf = [0u8; 1024];
        let (n, from) = server.recv_from(&mut buf).expect("the query within PATIENCE");
        // The peer's own pace, not a wait on the tool: it answers late.
        thread::sleep(Duration::from_millis(500));
        server.send_to(&reply, from).unwrap();
        let code = finish(&mut child, &format!("{tool:?} -u -q 2"));
        vec![
            ("the server got", digest(&buf[..n])),
            ("stdout", digest(&std::fs::read(&out).unwrap())),
            ("exit code", code),
        ]
    };
    let (nc, netplay) = thread::scope(|scope| {
        let nc = scope.spawn(|| run(Tool::Nc));
        let netplay = scope.spawn(|| run(Tool::Netplay));
        (nc.join().unwrap(), netplay.join().unwrap())
    });
    let want = |stdout: &[u8]| {
        vec![("the server got", digest(&query)), ("stdout", digest(stdout)), ("exit code", "0".to_string())]
    };
    assert_eq!(nc, want(b""), "nc -u -q 2 read a reply after its stdin's end");
    assert_eq!(netplay, want(&reply), "netplay nc -u -q 2 did not print the reply");
}

/// -C: every LF of stdin goes out as CR LF, an LF after a CR too.
#[test]
fn crlf_sends_line_ends_as_cr_lf() {
    let send = b"a\nb\r\nc\n\nd";
    let want = vec![
        ("the listener got", digest(b"a\r\nb\r\nc\r\n\r\nd")),
        ("stdout", digest(b"ok")),
        ("exit code", "0".to_string()),
    ];
    compare("nc -C -N HOST PORT", &want, |tool| {
        client_case(tool, &["-C", "-N"], "127.0.0.1:0", send, b"ok").0
    });
}

/// -d: stdin is not read, so nothing is sent; the answer still arrives.
#[test]
fn no_stdin_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let answer = data(50 << 10, 9);
    let want =
        vec![("stdout", digest(&answer)), ("the listener got", digest(b"")), ("exit code", "0".to_string())];
    compare("nc -d HOST PORT", &want, |tool| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let answer = answer.clone();
        let server = thread::spawn(move || {
            let mut stream = accept(&listener).0;
            stream.write_all(&answer).unwrap();
            stream.shutdown(Shutdown::Write).unwrap();
            read_all(&mut stream)
        });
        let out = dir.path().join("stdout");
        let mut child = tool
            .command(&["-d", "127.0.0.1", &port.to_string()])
            .stdin(input(dir.path(), "stdin", b"never sent\n"))
            .stdout(File::create(&out).unwrap())
            .spawn()
            .unwrap();
        let code = finish(&mut child, &format!("{tool:?} -d"));
        vec![
            ("stdout", digest(&std::fs::read(&out).unwrap())),
            ("the listener got", digest(&server.join().unwrap())),
            ("exit code", code),
        ]
    });
}

/// -4 and -6 (with -n, so no name is looked up): an address of the family
/// asked for connects; one of the other family fails with 1.
#[test]
fn families_four_and_six() {
    let send = data(20 << 10, 10);
    for (flag, listen) in [("-4", "127.0.0.1:0"), ("-6", "[::1]:0")] {
        let want = vec![
            ("the listener got", digest(&send)),
            ("stdout", digest(b"")),
            ("exit code", "0".to_string()),
        ];
        compare(&format!("nc {flag} -n -N {listen}"), &want, |tool| {
            client_case(tool, &[flag, "-n", "-N"], listen, &send, b"").0
        });
    }
    for (flag, host) in [("-4", "::1"), ("-6", "127.0.0.1")] {
        let want = vec![("stdout", digest(b"")), ("exit code", "1".to_string())];
        compare(&format!("nc {flag} -n {host}"), &want, |tool| {
            let output = tool.command(&[flag, "-n", host, "9"]).output().unwrap();
            vec![("stdout", digest(&output.stdout)), ("exit code", code(output.status))]
        });
    }
}

/// -p: the listener sees the connection come from that port. Each tool
/// gets a port of its own: the first run leaves its port in TIME_WAIT, set
/// by nc without SO_REUSEADDR, which then keeps anyone from binding it.
#[test]
fn source_port() {
    let send = b"from a chosen port\n";
    let want = vec![
        ("the listener got", digest(send)),
        ("stdout", digest(b"")),
        ("exit code", "0".to_string()),
        ("from the port given to -p", "true".to_string()),
    ];
    compare("nc -p PORT -N HOST PORT", &want, |tool| {
        let source = free_port();
        let (mut outcome, peer) =
            client_case(tool, &["-p", &source.to_string(), "-N"], "127.0.0.1:0", send, b"");
        outcome.push(("from the port given to -p", (peer.port() == source).to_string()));
        outcome
    });
}

/// The nc the cases compare with is OpenBSD's (netcat-openbsd, which
/// .ci/run installs), not another netcat with other flags.
#[test]
fn the_nc_here_is_openbsd_s() {
    if have("nc") {
        let output = Tool::Nc.command(&["-h"]).stderr(Stdio::piped()).output().unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("OpenBSD netcat"), "the nc here is not OpenBSD's: {said}");
    }
}

/// `netplay nc` takes no `--script` (nc has no such flag): it says so in
/// one line, and exits 1 as nc does for a flag it does not know, before any
/// socket is made. docs/scripts.md quotes that line; the quote must be the
/// line a run prints.
#[test]
fn nc_takes_no_script_and_the_scripts_page_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("course-client.np");
    std::fs::write(&script, "> Hello serveur !\n< Bonjour client !\n").unwrap();
    let script = script.to_str().unwrap();
    let args = ["--script", script, "127.0.0.1", "12345"];
    let output = Tool::Netplay.command(&args).stderr(Stdio::piped()).output().unwrap();
    let said = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "netplay nc --script: exit code ({said})");
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    assert!(said.contains("--script"), "the line names the flag: {said}");
    if have("nc") {
        let nc = Tool::Nc.command(&args).status().unwrap();
        assert_eq!(nc.code(), Some(1), "nc --script: exit code");
    }
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scripts.md")).unwrap();
    let quoted = page.split("```\n").any(|block| block.trim_end() == said.trim_end());
    assert!(quoted, "docs/scripts.md does not quote the line netplay nc --script prints: {said}");
    assert!(
        page.contains("not on `netplay nc`"),
        "docs/scripts.md does not say netplay nc takes no --script"
    );
}

/// `netplay nc -v -l -w 1`: the idle close names `-w`, the option the
/// person typed, as `tcp connect` names `--timeout` and `netplay nc -w` on
/// a client names `-w`; it named `--idle-timeout`, a flag nc does not have
/// (before 20:30 on 2026-12-06: "(idle: nothing received for 1.00s
/// (--idle-timeout))").
#[test]
fn a_listener_s_idle_close_names_w() {
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["nc", "-v", "-l", "-w", "1", "127.0.0.1", &port.to_string()])
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_bound("tcp", port, "0A");
    // A client that says nothing and keeps the connection open until the
    // listener has ended it.
    let client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let stdin = child.stdin.take();
    let code = finish(&mut child, "netplay nc -v -l -w 1");
    drop((stdin, client));
    let mut said = String::new();
    child.stderr.take().unwrap().read_to_string(&mut said).unwrap();
    assert_eq!(code, "0", "{said}");
    let closed =
        said.lines().find(|l| l.contains("#1 closed")).unwrap_or_else(|| panic!("no close line:\n{said}"));
    assert!(closed.contains("nothing received for 1.00s (-w)"), "{closed}");
    assert!(!said.contains("--idle-timeout"), "a flag nc does not have:\n{said}");
}

/// The stderr of `netplay nc ARGS` run to its end with stdin at /dev/null,
/// in English, and its exit code.
fn nc_said(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(BIN)
        .arg("nc")
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The note under a loopback listener's line says what opens it to
/// others in nc's words, `nc -l 0.0.0.0 PORT`, where it said `--host
/// 0.0.0.0` (main at a31bd73), a flag nc does not have; the
/// native command still names --host.
#[test]
fn a_loopback_listener_s_note_names_nc_s_address() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["nc", "-v", "-l", "127.0.0.1", "0"],
            "only this machine can connect; `nc -l 0.0.0.0 PORT` opens it",
        ),
        (&["nc", "-v", "-u", "-l", "127.0.0.1", "0"], "send to it; `nc -u -l 0.0.0.0 PORT` opens it"),
        (
            &["nc", "-v", "-l", "::1", "0"],
            "(IPV6_V6ONLY matters only for ::, which takes IPv4 too when 0); `nc -l :: PORT` opens it",
        ),
    ];
    for (args, want) in cases {
        let mut server = common::Proc::spawn({
            let mut command = Command::new(BIN);
            command.args(args);
            command
        });
        let listening = server.expect_stderr(|l| l.contains("● listening on") || l.contains("● bound to"));
        let port = listening.rsplit(':').next().unwrap().split(' ').next().unwrap().to_string();
        let note = server.expect_stderr(|l| l.contains("loopback"));
        assert!(note.contains(&want.replace("PORT", &port)), "{args:?}: {note}");
        assert!(!note.contains("--"), "{args:?}: a flag nc does not have: {note}");
    }
    let mut native = common::Proc::start(&["tcp", "serve", "--host", "127.0.0.1", "--port", "0"]);
    let note = native.expect(|l| l.contains("loopback"));
    assert!(note.contains("; --host 0.0.0.0 opens it to others."), "{note}");
}

/// A privileged port refused to an unprivileged user: the hint says nc's
/// command to try (`nc -l 12345`, with the address and -u given), where it
/// said `try --port 12345` (main at a31bd73). tests/errors.rs's
/// privileged_port_is_refused_to_an_unprivileged_user keeps the native one.
#[test]
fn a_privileged_port_s_hint_names_nc_s_command() {
    if !nix::unistd::Uid::effective().is_root() || !have("setpriv") {
        println!("SKIPPED: needs root and setpriv to run as an unprivileged user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = common::public_copy(dir.path());
    let cases: [(&[&str], &str); 3] = [
        (&["-l", "80"], "(80 is HTTP's): binding them needs root or CAP_NET_BIND_SERVICE; try `nc -l 12345`"),
        (
            &["-l", "127.0.0.1", "1000"],
            "binding them needs root or CAP_NET_BIND_SERVICE; try `nc -l 127.0.0.1 12345`",
        ),
        (
            &["-u", "-l", "53"],
            "(53 is DNS's): binding them needs root or CAP_NET_BIND_SERVICE; try `nc -u -l 12345`",
        ),
    ];
    for (args, want) in cases {
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
            .arg(&bin)
            .arg("nc")
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {said}");
        assert!(said.contains("permission denied"), "{args:?}: {said}");
        assert!(said.trim_end().ends_with(want), "{args:?}: {said}");
        assert!(!said.contains("--"), "{args:?}: a flag nc does not have: {said}");
    }
}

/// `said` without the command line of the process that holds the port
/// (`` `CMD` (pid N) listens on ``): here that is the test binary itself,
/// whose own arguments (`--quiet` under `cargo test -q`, `--exact`...) are
/// not netplay's words.
fn without_holder(said: &str) -> String {
    match said.split_once(" (pid ") {
        Some((before, after)) => match before.rfind('`').and_then(|end| before[..end].rfind('`')) {
            Some(start) => format!("{}{}", &said[..start], after),
            None => said.to_string(),
        },
        None => said.to_string(),
    }
}

/// A port in use: the hint says how to choose another in nc's words (`nc
/// -l ADDRESS 0`; for a client, nc's -p), where it said `choose another
/// --port` and `--source-port` (main at a31bd73); tcp serve
/// still says --port.
#[test]
fn a_port_in_use_s_hint_names_nc_s_options() {
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let (code, said) = nc_said(&["-l", "127.0.0.1", &port]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("address already in use"), "{said}");
    assert!(
        said.contains("choose another port (`nc -l 127.0.0.1 0` lets the OS choose one, and -v shows which)"),
        "{said}"
    );
    assert!(!without_holder(&said).contains("--"), "a flag nc does not have: {said}");
    // A client whose source port (-p) is held.
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let target_port = target.local_addr().unwrap().port().to_string();
    let (code, said) = nc_said(&["-p", &port, "-s", "127.0.0.1", "127.0.0.1", &target_port]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("choose another source port (-p), or none"), "{said}");
    assert!(!without_holder(&said).contains("--"), "a flag nc does not have: {said}");
    let native = Command::new(BIN)
        .args(["tcp", "serve", "--port", &port])
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&native.stderr);
    assert!(said.contains("choose another --port (0 lets the OS choose)"), "{said}");
}

/// Nothing listens where nc -v connects, but a UDP socket is bound to the
/// port, or a TCP server listens on the other family's loopback: the hint's
/// command is nc's (`nc -u 127.0.0.1 PORT`, `nc ::1 PORT`), where it was
/// `netplay udp send ...` and `netplay tcp connect ...` (main at
/// a31bd73).
#[test]
fn a_refused_connection_s_hint_names_nc_s_command() {
    // Ports below the ephemeral range (common::closed_port): a port drawn
    // with port 0 for UDP or ::1 may be another test's TCP port on
    // 127.0.0.1, which then answers the connect.
    let port = common::closed_port();
    let _udp = UdpSocket::bind(("127.0.0.1", port)).unwrap();
    let port = port.to_string();
    let (code, said) = nc_said(&["-v", "127.0.0.1", &port]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&format!("To send it a datagram: `nc -u 127.0.0.1 {port}`")), "{said}");
    let port = common::closed_port();
    let Ok(_v6) = TcpListener::bind(("::1", port)) else {
        println!("SKIPPED: the other-family half (no ::1 here)");
        return;
    };
    let port = port.to_string();
    let (code, said) = nc_said(&["-v", "-4", "127.0.0.1", &port]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&format!("To reach it: `nc ::1 {port}`")), "{said}");
}

/// nc -v's connect that -w ended: the hint says to raise -w, where it
/// said --timeout (main at a31bd73). A listener whose accept
/// queue is full drops new SYNs, so connect() waits, on loopback alone.
#[test]
fn a_connect_timeout_s_hint_names_w() {
    let listener = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    listener.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let _fillers: Vec<_> =
        (0..4).filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()).collect();
    let (code, said) = nc_said(&["-v", "-w", "1", "127.0.0.1", &addr.port().to_string()]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("timed out"), "{said}");
    assert!(said.contains("check the address, or raise -w"), "{said}");
    assert!(!said.contains("--timeout"), "a flag nc does not have: {said}");
}

/// A source address of one family and a host of the other: the error and
/// its hint name nc's -s, where they named --bind (main at a31bd73).
#[test]
fn a_source_of_the_other_family_names_s() {
    let (code, said) = nc_said(&["-v", "-s", "127.0.0.1", "::1", "9"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("and -s 127.0.0.1 is IPv4"), "{said}");
    assert!(said.contains("bind an IPv6 address (-s ::)"), "{said}");
    assert!(!said.contains("--bind"), "a flag nc does not have: {said}");
}

/// nc -v -u -q: the line after the last datagram names -q, the option
/// that set how long replies are awaited, where it named --wait (main at
/// a31bd73); udp send still names --wait.
#[test]
fn udp_s_wait_for_replies_names_q() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port().to_string();
    let out = Command::new(BIN)
        .args(["nc", "-v", "-u", "-q", "1", "127.0.0.1", &port])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("… all sent; listening 1.00s for replies (-q)"), "{said}");
    assert!(!said.contains("--wait"), "a flag nc does not have: {said}");
    let (code, said) = {
        let out = Command::new(BIN)
            .args(["udp", "send", "127.0.0.1", &port, "-m", "x", "--wait", "1s"])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("for replies (--wait)"), "{said}");
}
