//! What `--explain` shows as Python is what Python itself says: a real
//! python3 client sends bytes that cut a UTF-8 character between two
//! sends, and python3 checks every `python:` line of the server against its
//! own `repr()`, `decode()` and `accept()` for the same bytes and address.
//! A client's `-m "b'...'"` is read as Python reads the literal.

#![cfg(unix)]

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Proc, have};

/// Checks, in python3, the server's `python:` lines (on stdin) against
/// what python3 computes; exits non-zero with the first difference.
const CHECK: &str = r##"
import ast, sys
sent, client = ast.literal_eval(sys.argv[1]), ast.literal_eval(sys.argv[2])
got = b""
recvs = 0
for line in sys.stdin.read().splitlines():
    line = line.strip()
    if line.startswith("python: client_socket, client_address = server_socket.accept()"):
        shown = line.split("# client_address = ", 1)[1]
        assert shown == repr(client), (shown, repr(client))
    elif line.startswith("python: data = client_socket.recv(") and not line.endswith("# b''"):
        shown = line.split("  # ", 1)[1]
        data = ast.literal_eval(shown)
        # The repr shown is Python's own for these bytes.
        assert shown == repr(data), (shown, repr(data))
        got += data
        recvs += 1
        last = data
    elif line.startswith("python: data.decode()"):
        shown = line.split("  # ", 1)[1]
        try:
            want = repr(last.decode())
        except UnicodeDecodeError as e:
            want = "UnicodeDecodeError: " + str(e)
        assert shown == want, (shown, want)
assert got == sent, (got, sent)
assert recvs == 2, recvs
print("checked", recvs, "recv lines")
"##;

/// The client: sends `b'f\xc3'`, waits for the server's answer to it (so
/// the server's recv() had those two bytes alone, however busy the machine;
/// a 200 ms pause was a guess), then sends `b'\xaate'` (the 'ê' cut in
/// two), half-closes, reads the rest; prints its own address as Python has
/// it.
const CLIENT: &str = r#"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print(repr(s.getsockname()), flush=True)
s.sendall(b"f\xc3")
answer = b""
while answer != b"ok":
    more = s.recv(2 - len(answer))
    assert more, "the server closed before it answered"
    answer += more
s.sendall(b"\xaate")
s.shutdown(socket.SHUT_WR)
while s.recv(1024):
    pass
s.close()
"#;

#[test]
fn the_python_lines_are_what_python_says() {
    if !have("python3") {
        eprintln!("SKIPPED: python3 is not installed");
        return;
    }
    let mut server = Proc::start(&[
        "--color",
        "never",
        "--explain",
        "tcp",
        "serve",
        "--port",
        "0",
        "--once",
        "--reply",
        "ok",
    ]);
    let listening = server.expect(|l| l.contains("listening on"));
    let port = listening.rsplit(':').next().unwrap().split_whitespace().next().unwrap().to_string();
    let client = Command::new("python3").args(["-c", CLIENT, &port]).output().unwrap();
    assert!(client.status.success(), "{}", String::from_utf8_lossy(&client.stderr));
    let client_addr = String::from_utf8(client.stdout).unwrap().trim().to_string();
    assert_eq!(server.wait_within(common::PATIENCE), Some(0));
    let mut lines = server.seen().to_vec();
    lines.extend(server.rest());
    let text = lines.join("\n");
    // The cut character is a lesson: Python's own error is shown.
    assert!(text.contains("UnicodeDecodeError: 'utf-8' codec can't decode byte"), "{text}");

    let mut check = Command::new("python3")
        .args(["-c", CHECK, r"b'f\xc3\xaate'", &client_addr])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python3 disagrees with a python: line:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The course's literal `b'\x01\x02Hello\x07\x08'` is sent as the 9 bytes
/// Python would send, not as its backslashes.
#[test]
fn a_bytes_literal_is_sent_as_python_reads_it() {
    let mut server = Proc::start(&["--json", "tcp", "serve", "--port", "0", "--once"]);
    let listening = server.event("listening");
    let addr = listening["local"].as_str().unwrap().to_string();
    let (host, port) = addr.rsplit_once(':').unwrap();
    let out = Command::new(common::BIN)
        .args(["-q", "tcp", "connect", host, port, "-m", r"b'\x01\x02Hello\x07\x08'"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data = server.event("data");
    assert_eq!(data["len"], 9, "{data}");
    assert_eq!(data["hex"], "01024865 6c6c6f07 08".replace(' ', ""), "{data}");
    assert_eq!(server.wait_within(Duration::from_secs(10)), Some(0));
}
