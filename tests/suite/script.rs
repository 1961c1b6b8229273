//! `--script` on the command line, client side: the course's own server
//! (python3 running serveur.py) against examples/scripts/course-client.np
//! passes; a server that deviates ends it with exit code 9 naming the step;
//! a mistake in a script is a usage error before any socket; and the other
//! client scripts that ship, against real peers (python3's http.server and
//! struct, `netplay tcp serve --broadcast`, a python3 UDP peer).

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::thread;

use common::{PATIENCE, Proc, events, named, netplay, netplay_in};

/// A python3 server, started with `code`, that prints its port first.
struct Python {
    child: Child,
    port: String,
}

impl Python {
    fn start(code: &str, args: &[&str]) -> Python {
        let mut child = Command::new("python3")
            .args(["-c", code])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 is installed (.ci/run installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        Python { child, port: line.trim().to_string() }
    }

    fn finish(mut self) -> String {
        let mut out = String::new();
        let _ = self.child.stdout.take().unwrap().read_to_string(&mut out);
        let _ = self.child.wait();
        out
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// serveur.py, answering `answer` instead of b"Bonjour client !".
fn course_server(answer: &str) -> Python {
    let code = common::COURSE_SERVER.replace("b\"Bonjour client !\"", &format!("{answer:?}.encode()"));
    Python::start(&code, &[])
}

const CLIENT: &str = "examples/scripts/course-client.np";

#[test]
fn the_course_server_follows_the_client_script() {
    let server = course_server("Bonjour client !");
    let out = netplay()
        .args(["--color", "never", "tcp", "connect", "127.0.0.1", &server.port, "--script", CLIENT])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("#1 ✓ line 4: > Hello serveur !"), "{stdout}");
    assert!(stdout.contains("#1 ✓ line 5: < Bonjour client !"), "{stdout}");
    assert!(stdout.contains("✓ examples/scripts/course-client.np: played to its end"), "{stdout}");
    // The course's server printed what it got: the script's bytes.
    assert_eq!(server.finish().trim(), "Données reçues : Hello serveur !");
}

#[test]
fn a_deviating_server_exits_9_naming_the_step() {
    let server = course_server("Bonjour toi !");
    let out = netplay()
        .args(["--color", "never", "tcp", "connect", "127.0.0.1", &server.port, "--script", CLIENT])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "netplay: examples/scripts/course-client.np:5: the peer did not follow the script: expected \
         b'Bonjour client !' (16 bytes), came b'Bonjour toi !' (13 bytes): they differ at offset 8"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("#1 ✗ line 5: < Bonjour client !"), "{stdout}");
    // The hex diff marks the first differing byte, offset 8: 't' (74) for 'c' (63).
    let came = stdout.lines().find(|l| l.trim_start().starts_with("came ")).unwrap();
    let marker = stdout.lines().find(|l| l.trim() == "^^").unwrap();
    assert_eq!(&came[marker.find('^').unwrap()..][..2], "74", "{stdout}");
}

#[test]
fn json_has_a_script_event_per_step_and_the_exit_code_last() {
    for (answer, code) in [("Bonjour client !", 0), ("Bonjour", 9)] {
        let server = course_server(answer);
        let out = netplay()
            .args(["--json", "tcp", "connect", "127.0.0.1", &server.port, "--script", CLIENT])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code));
        let all = events(&out.stdout);
        let steps = named(&all, "script");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0]["step"], "send");
        assert_eq!(steps[0]["bytes"], common::hex(b"Hello serveur !"));
        assert_eq!(steps[1]["line"], 5);
        assert_eq!(steps[1]["text"], "< Bonjour client !");
        // `end` is the last line of every --json run (docs/json-events.md);
        // `script_end` is the script's verdict, before it.
        let end = all.last().unwrap();
        assert_eq!((&end["event"], &end["exit_code"]), (&"end".into(), &code.into()));
        let last = named(&all, "script_end")[0];
        assert_eq!(last["exit_code"], code);
        if code == 9 {
            assert_eq!(steps[1]["outcome"], "eof");
            assert_eq!(steps[1]["bytes"], common::hex(b"Bonjour"));
            assert_eq!(last["line"], 5);
            assert!(steps[1]["why"].as_str().unwrap().contains("closed its side (EOF)"));
        } else {
            assert_eq!(steps[1]["outcome"], "passed");
        }
    }
}

#[test]
fn french_names_the_steps_in_french() {
    let server = course_server("Bonjour toi !");
    let out = netplay_in("fr_FR.UTF-8")
        .args(["--color", "never", "tcp", "connect", "127.0.0.1", &server.port, "--script", CLIENT])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("#1 ✓ ligne 4\u{a0}: > Hello serveur !"), "{stdout}");
    assert!(stdout.contains("#1 ✗ ligne 5\u{a0}: < Bonjour client !"), "{stdout}");
    assert!(stdout.contains("attendu  42 6f"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("le pair n'a pas suivi le script"), "{stderr}");
}

/// A port where nothing listens: a client that tried it would exit 4
/// ([`common::closed_port`]).
fn closed_port() -> String {
    common::closed_port().to_string()
}

#[test]
fn a_mistake_in_a_script_is_a_usage_error_before_any_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.np");
    std::fs::write(&path, "> Hello\n< Bonjour \\q\n").unwrap();
    let path = path.to_str().unwrap();
    let out =
        netplay().args(["tcp", "connect", "127.0.0.1", &closed_port(), "--script", path]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no socket step was shown");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with(&format!("netplay: {path}:2:11: \\q is not an escape")), "{stderr}");
    // UDP has no EOF: found in the file, before any socket.
    std::fs::write(dir.path().join("eof.np"), "> ping\n<eof\n").unwrap();
    let eof = dir.path().join("eof.np");
    let out = netplay()
        .args(["udp", "send", "127.0.0.1", &closed_port(), "--script", eof.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":2:1: `<eof` is for TCP only"));
}

#[test]
fn a_script_replaces_the_other_inputs() {
    for other in [["-m", "hi"], ["--hex", "01"], ["--file", "Cargo.toml"]] {
        let out = netplay()
            .args(["tcp", "connect", "127.0.0.1", &closed_port(), "--script", CLIENT])
            .args(other)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{other:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("cannot be used with"), "{stderr}");
    }
    let out = netplay()
        .args(["udp", "send", "127.0.0.1", &closed_port(), "--script", CLIENT, "--count", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A script that cannot be read: exit 1, before any socket.
    let out = netplay()
        .args(["tcp", "connect", "127.0.0.1", &closed_port(), "--script", "missing.np"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading the script missing.np"));
}

/// python3's struct frames the answer: 2 bytes of length, then the bytes.
const FRAMED_SERVER: &str = r#"
import socket, struct, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1); s.settimeout(10)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.settimeout(10)
def exact(n):
    data = b''
    while len(data) < n:
        data += c.recv(n - len(data))
    return data
(n,) = struct.unpack('>H', exact(2))
body = exact(n)
reply = body.upper() if sys.argv[1] == 'follow' else b'SHORT'
length = len(reply) if sys.argv[1] == 'follow' else 10
c.sendall(struct.pack('>H', length) + reply)
c.close()
"#;

#[test]
fn the_length_prefixed_script_reads_what_struct_frames() {
    for (mode, code) in [("follow", 0), ("deviate", 9)] {
        let server = Python::start(FRAMED_SERVER, &[mode]);
        let out = netplay()
            .args(["--json", "tcp", "connect", "127.0.0.1", &server.port])
            .args(["--script", "examples/scripts/length-prefixed.np"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stderr));
        let all = events(&out.stdout);
        let steps = named(&all, "script");
        if code == 0 {
            let body = steps.iter().find(|s| s["step"] == "expect_bytes").unwrap();
            assert_eq!(body["bound"][0]["value"], "b'HELLO'");
            assert_eq!(steps.last().unwrap()["step"], "expect_eof");
        } else {
            // 10 bytes announced, 5 came, then the EOF: at `<bytes n`.
            let last = steps.last().unwrap();
            assert_eq!((last["line"].as_u64(), last["outcome"].as_str()), (Some(8), Some("eof")));
        }
    }
}

#[test]
fn the_http_get_script_against_pythons_http_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<p>Bonjour</p>\n").unwrap();
    let code = r#"
import http.server, functools, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
httpd = http.server.HTTPServer(('127.0.0.1', 0), handler)
print(httpd.server_address[1], flush=True)
httpd.handle_request()
"#;
    let server = Python::start(code, &[dir.path().to_str().unwrap()]);
    let out = netplay()
        .args(["--json", "tcp", "connect", "127.0.0.1", &server.port])
        .args(["--script", "examples/scripts/http-get.np"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let all = events(&out.stdout);
    let body = named(&all, "script").into_iter().find(|s| s["line"] == 8).unwrap().clone();
    assert_eq!(body["bound"][0]["value"], "b'<p>Bonjour</p>\\n'");
}

#[test]
fn the_chat_client_script_in_the_broadcast_chat() {
    let (mut server, addr) = common::tcp_server(&["--broadcast"]);
    let mut other = TcpStream::connect(addr).unwrap();
    other.set_read_timeout(Some(PATIENCE)).unwrap();
    server.event("join");
    let mut client = Proc::start(&[
        "--json",
        "tcp",
        "connect",
        &addr.to_string(),
        "--script",
        "examples/scripts/chat-client.np",
    ]);
    let mut greeting = [0; 24];
    other.read_exact(&mut greeting).unwrap();
    assert_eq!(&greeting, b"Bonjour tout le monde !\n");
    other.write_all(b"Salut !\n").unwrap();
    let mut bye = [0; 12];
    other.read_exact(&mut bye).unwrap();
    assert_eq!(&bye, b"Au revoir !\n");
    let end = client.event("script_end");
    assert_eq!(end["exit_code"], 0);
    assert_eq!(client.wait(), 0);
}

/// A UDP peer (a std socket): answers `answer` to one datagram.
fn udp_peer(answer: &'static [u8]) -> (UdpSocket, thread::JoinHandle<()>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    let peer = socket.try_clone().unwrap();
    let handle = thread::spawn(move || {
        let mut buf = [0; 64];
        let (_, from) = peer.recv_from(&mut buf).unwrap();
        peer.send_to(answer, from).unwrap();
    });
    (socket, handle)
}

#[test]
fn udp_send_plays_a_script_one_datagram_a_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ping.np");
    std::fs::write(&path, "> ping\n< pong\n").unwrap();
    for (answer, code) in [(&b"pong"[..], 0), (&b"pongpong"[..], 9)] {
        let (socket, peer) = udp_peer(answer);
        let out = netplay()
            .args(["--json", "udp", "send", &socket.local_addr().unwrap().to_string()])
            .args(["--script", path.to_str().unwrap()])
            .output()
            .unwrap();
        peer.join().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stderr));
        let all = events(&out.stdout);
        assert_eq!(named(&all, "datagram").len(), 2);
        assert_eq!(named(&all, "sending_from").len(), 1);
        let last = named(&all, "script").last().copied().unwrap().clone();
        assert_eq!(last["outcome"], if code == 0 { "passed" } else { "mismatch" });
        assert_eq!(all.last().unwrap()["exit_code"], code);
    }
}

/// http-get.np against a server that answers no 200 (python3's
/// BaseHTTPRequestHandler has no GET: 501): the status step fails, line 6.
#[test]
fn the_http_get_script_fails_at_the_status_when_the_server_deviates() {
    let code = r#"
import http.server
httpd = http.server.HTTPServer(('127.0.0.1', 0), http.server.BaseHTTPRequestHandler)
print(httpd.server_address[1], flush=True)
httpd.handle_request()
"#;
    let server = Python::start(code, &[]);
    let out = netplay()
        .args(["--json", "tcp", "connect", "127.0.0.1", &server.port])
        .args(["--script", "examples/scripts/http-get.np"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9), "{}", String::from_utf8_lossy(&out.stderr));
    let all = events(&out.stdout);
    let last = named(&all, "script").last().copied().unwrap().clone();
    assert_eq!((last["line"].as_u64(), last["outcome"].as_str()), (Some(6), Some("mismatch")), "{last}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("http-get.np:6:"));
}

/// chat-client.np in the broadcast chat when the other client sends an
/// empty line, not the line the script waits for: it fails at line 7.
#[test]
fn the_chat_client_script_fails_on_an_empty_line() {
    let (mut server, addr) = common::tcp_server(&["--broadcast"]);
    let mut other = TcpStream::connect(addr).unwrap();
    other.set_read_timeout(Some(PATIENCE)).unwrap();
    server.event("join");
    let mut client = Proc::start(&[
        "--json",
        "tcp",
        "connect",
        &addr.to_string(),
        "--script",
        "examples/scripts/chat-client.np",
    ]);
    let mut greeting = [0; 24];
    other.read_exact(&mut greeting).unwrap();
    other.write_all(b"\n").unwrap();
    let end = client.event("script_end");
    assert_eq!((end["exit_code"].as_u64(), end["line"].as_u64()), (Some(9), Some(7)), "{end}");
    assert_eq!(client.wait(), 9);
}
