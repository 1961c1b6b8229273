//! Every runner's `--explain` transcript is a Python program a learner can
//! run: python3 runs its `python:` lines in the order shown, against the
//! same kind of peer the transcript was made with (netplay's other end),
//! and what each commented line returns matches its comment: bytes and
//! text exactly, lengths, address families (a 2- or 4-field tuple), ports
//! by being 0 or not (the run picks new ones). Issue 20: `udp send` showed
//! `sock.getsockname()  # ('0.0.0.0', 43355)` before its first sendto(),
//! where Python returns port 0; `socket.getaddrinfo(...)` failed after the
//! course's `from socket import socket`; `recv(...)` is no call at all; and
//! French transcripts had English comments (`# returns 16`).

#![cfg(unix)]

use crate::common;

use std::process::Command;

use common::{BIN, Proc, have};

/// Runs a transcript (argv: netplay, lang, mode, file, peer args...). In
/// `server` mode the transcript binds; once it listens (TCP) or is bound
/// (UDP), the peer is started against its port. In `client` mode the peer,
/// a server, is started first, and the transcript's port is replaced by the
/// peer's. Ports a comment showed are mapped to the ones Python got, so a
/// later `sendto(..., ('127.0.0.1', 40037))` goes to the live peer.
const RUN: &str = r##"
import ast, re, subprocess, sys, threading
import socket as _socket
_socket.setdefaulttimeout(10)
netplay, lang, mode, path = sys.argv[1:5]
peer_args = sys.argv[5:]
lines = open(path, encoding="utf-8").read().splitlines()
assert lines and lines[0] == "from socket import *", lines[:1]
assert any("getaddrinfo(" in l for l in lines) or mode == "server", "no getaddrinfo line"
ports = {}
peer = None

def start_peer(port):
    args = [a.replace("{port}", str(port)) for a in peer_args]
    p = subprocess.Popen([netplay, "--color", "never"] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = []
    if mode == "client":
        for out in p.stdout:
            first.append(out)
            m = re.search(r"(listening on|bound to) \S+:(\d+)", out)
            if m:
                break
        else:
            raise SystemExit("the peer never said its port: " + "".join(first))
    # The rest of its output is read, so it never blocks writing.
    threading.Thread(target=p.stdout.read, daemon=True).start()
    return p, (int(m.group(2)) if mode == "client" else port)

def subst(code):
    return re.sub(r"(\('[^']*', )(\d+)(\))", lambda m: m.group(1) + str(ports.get(int(m.group(2)), m.group(2))) + m.group(3), code)

def is_addr(v):
    return isinstance(v, tuple) and len(v) in (2, 4) and isinstance(v[0], str) and isinstance(v[1], int)

def same(shown, got, line):
    if is_addr(shown):
        assert is_addr(got) and len(got) == len(shown), (line, got)
        assert got[0] == shown[0] and (got[1] == 0) == (shown[1] == 0), (line, got)
        assert tuple(got[2:]) == tuple(shown[2:]), (line, got)
        if shown[1] and got[1]:
            ports[shown[1]] = got[1]
    elif isinstance(shown, tuple):
        assert isinstance(got, tuple) and len(got) == len(shown), (line, got)
        for s, g in zip(shown, got):
            same(s, g, line)
    else:
        assert type(got) is type(shown) and got == shown, (line, shown, got)

def end_peer():
    # However the run ends, the peer started here does not outlive it.
    if peer is not None and peer.poll() is None:
        peer.kill()
import atexit
atexit.register(end_peer)

if mode == "client":
    old = int(re.search(r"getaddrinfo\('[^']*', (\d+)\)", "\n".join(lines)).group(1))
    peer, new = start_peer(0)
    ports[old] = new

listens = any(".listen(" in l for l in lines if not l.startswith("#"))
checked = 0
ns = {}
for line in lines:
    code, _, comment = line.partition("  # ")
    if lang == "fr":
        assert not re.search(r"\breturns\b|\bno sock\.|\bthe next call\b|\d bytes\b", line), ("an English comment", line)
    if code.startswith("#"):
        continue
    code = subst(code)
    target = re.match(r"^([A-Za-z_]\w*(?:, [A-Za-z_]\w*)*) = (.*)$", code)
    got, error = None, None
    try:
        if target or not comment:
            exec(code, ns)
            if target:
                names = target.group(1).split(", ")
                got = ns[names[0]] if len(names) == 1 else tuple(ns[n] for n in names)
        else:
            got = eval(code, ns)
    except UnicodeDecodeError as e:
        error = e
    if comment:
        checked += 1
        returns = re.fullmatch(r"(returns|renvoie) (\d+)", comment)
        if returns:
            assert returns.group(1) == ("renvoie" if lang == "fr" else "returns"), line
            assert got == int(returns.group(2)), (line, got)
        elif comment.startswith("UnicodeDecodeError: "):
            assert error is not None and comment == "UnicodeDecodeError: " + str(error), (line, error)
        elif re.fullmatch(r"[A-Z][A-Z0-9_]+", comment):
            checked -= 1  # the name of an option Python has no constant for
        elif comment.startswith("client_address = "):
            same(ast.literal_eval(comment.split(" = ", 1)[1]), ns["client_address"], line)
        else:
            assert error is None, (line, error)
            same(ast.literal_eval(comment), got, line)
    if mode == "server" and peer is None and (".listen(" in code or (".bind(" in code and not listens)):
        sock = ns[code.split(".", 1)[0]]
        peer, _ = start_peer(sock.getsockname()[1])

assert peer is not None, "the transcript never bound a socket for its peer"
assert peer.wait(timeout=20) == 0, "the peer failed"
assert checked >= 2, ("too few commented lines to check", checked)
print("ran", len(lines), "lines,", checked, "comments checked")
"##;

/// The `python:` lines of `output`, in order; with `label`, only those of
/// that end of the demo (`server │`), and with `part`, of that part only.
fn transcript(output: &str, label: Option<&str>, part: Option<&str>) -> Vec<String> {
    let mut inside = part.is_none();
    let mut lines: Vec<String> = Vec::new();
    // Within a python line: whether it has its comment yet.
    let mut commented: Option<bool> = None;
    for line in output.lines() {
        if let Some(part) = part
            && line.starts_with("━━")
        {
            inside = line.contains(part);
            continue;
        }
        if !inside {
            continue;
        }
        let line = match label {
            Some(label) => match line.split_once(" │ ") {
                Some((end, rest)) if end.trim() == label => rest,
                _ => continue,
            },
            None => line,
        };
        if let Some(python) = line.trim_start().strip_prefix("python: ") {
            lines.push(python.to_string());
            commented = Some(python.starts_with('#') || python.contains("  # "));
        } else if let (Some(done), Some(last)) = (commented, lines.last_mut())
            && line.starts_with(CONTINUED)
        {
            // A line laid out at the width rule: its statement goes on
            // inside the call's parentheses, its comment on lines that
            // each start with '#'; joined, they are the line Python runs.
            let piece = line.trim_start();
            match piece.strip_prefix("# ") {
                Some(more) if done => last.push_str(&format!(" {more}")),
                Some(more) => last.push_str(&format!("  # {more}")),
                None => last.push_str(&format!(" {piece}")),
            }
            commented = Some(done || piece.starts_with('#'));
        } else {
            commented = None;
        }
    }
    lines
}

/// How a `python:` line's continuation starts: deeper than the line's own
/// `      python: ` (explanations start at 6 columns, dumps at 0).
const CONTINUED: &str = "              ";

/// Runs `lines` in python3 against a peer (`netplay` + `peer`, `{port}`
/// replaced); fails with python's own account of the first difference.
fn run_in_python(lang: &str, mode: &str, lines: &[String], peer: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcript.py");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = Command::new("python3")
        .args(["-c", RUN, BIN, lang, mode, path.to_str().unwrap()])
        .args(peer)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python3 could not run the transcript as shown ({lang}, {mode}):\n{}\n{}\n--- transcript:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        lines.join("\n")
    );
}

const HELLO: &str = "Hello serveur !";
const BONJOUR: &str = "Bonjour client !";

/// A server run (`args` after `--explain`), whose port `client` (with
/// `{port}`) is started against; returns the server's whole output.
fn server_transcript(lang: &str, args: &[&str], client: &[&str]) -> String {
    let mut full = vec!["--color", "never", "--lang", lang, "--explain"];
    full.extend_from_slice(args);
    let mut server = Proc::start(&full);
    let bound = server.expect(|l| l.contains(":") && (l.starts_with("● ")));
    let port = bound.split_whitespace().find_map(|w| w.rsplit(':').next()?.parse::<u16>().ok()).unwrap();
    let client: Vec<String> = client.iter().map(|a| a.replace("{port}", &port.to_string())).collect();
    let out = common::netplay().args(&client).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(server.wait_within(common::PATIENCE), Some(0));
    let mut lines = server.seen().to_vec();
    lines.extend(server.rest());
    lines.join("\n")
}

/// A client run (`args` after `--explain`, with `{port}`) against `server`.
fn client_transcript(lang: &str, server: &[&str], args: &[&str]) -> String {
    let mut server = Proc::start(server);
    let bound = server.expect(|l| l.starts_with("● "));
    let port = bound.split_whitespace().find_map(|w| w.rsplit(':').next()?.parse::<u16>().ok()).unwrap();
    let mut full =
        vec!["--color".to_string(), "never".into(), "--lang".into(), lang.into(), "--explain".into()];
    full.extend(args.iter().map(|a| a.replace("{port}", &port.to_string())));
    let out = common::netplay().args(&full).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(server.wait_within(common::PATIENCE), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

const TCP_CLIENT: [&str; 5] = ["tcp", "connect", "127.0.0.1:{port}", "-m", HELLO];
const TCP_SERVER: [&str; 7] = ["tcp", "serve", "--port", "0", "--once", "--reply", BONJOUR];
const UDP_CLIENT: [&str; 7] = ["udp", "send", "127.0.0.1:{port}", "-m", HELLO, "--wait", "1s"];
const UDP_SERVER: [&str; 7] = ["udp", "serve", "--port", "0", "--once", "--reply", BONJOUR];

fn python3() -> bool {
    have("python3")
}

#[test]
fn tcp_serve_s_transcript_runs_in_python() {
    if !python3() {
        return;
    }
    for lang in ["en", "fr"] {
        let text = server_transcript(lang, &TCP_SERVER, &TCP_CLIENT);
        run_in_python(lang, "server", &transcript(&text, None, None), &TCP_CLIENT);
    }
}

#[test]
fn tcp_connect_s_transcript_runs_in_python() {
    if !python3() {
        return;
    }
    for lang in ["en", "fr"] {
        let text = client_transcript(lang, &TCP_SERVER, &TCP_CLIENT);
        run_in_python(lang, "client", &transcript(&text, None, None), &TCP_SERVER);
    }
}

#[test]
fn udp_serve_s_transcript_runs_in_python() {
    if !python3() {
        return;
    }
    for lang in ["en", "fr"] {
        let text = server_transcript(lang, &UDP_SERVER, &UDP_CLIENT);
        run_in_python(lang, "server", &transcript(&text, None, None), &UDP_CLIENT);
    }
}

#[test]
fn udp_send_s_transcript_runs_in_python() {
    if !python3() {
        return;
    }
    for lang in ["en", "fr"] {
        let text = client_transcript(lang, &UDP_SERVER, &UDP_CLIENT);
        let lines = transcript(&text, None, None);
        // The port is asked for after the first sendto(), as Python can.
        let sendto = lines.iter().position(|l| l.starts_with("sock.sendto("));
        let asked = lines.iter().position(|l| l.starts_with("sock.getsockname()"));
        assert!(sendto < asked, "{lines:#?}");
        run_in_python(lang, "client", &lines, &UDP_SERVER);
    }
}

#[test]
fn both_ends_of_the_demo_run_in_python() {
    if !python3() {
        return;
    }
    for lang in ["en", "fr"] {
        let out = common::netplay()
            .args(["--color", "never", "--lang", lang, "--explain", "demo"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let (server, client) = match lang {
            "fr" => ("serveur", "client"),
            _ => ("server", "client"),
        };
        let parts: [(&str, &[&str], &[&str]); 2] =
            [("1/3", &TCP_CLIENT, &TCP_SERVER), ("2/3", &UDP_CLIENT, &UDP_SERVER)];
        for (part, client_peer, server_peer) in parts {
            let lines = transcript(&text, Some(server), Some(part));
            run_in_python(lang, "server", &lines, client_peer);
            let lines = transcript(&text, Some(client), Some(part));
            run_in_python(lang, "client", &lines, server_peer);
        }
    }
}

/// IPv6: the transcripts name AF_INET6, and what Python returns for an
/// IPv6 socket is a 4-field tuple (address, port, flow info, scope id),
/// which each comment must show as such.
#[test]
fn ipv6_transcripts_run_in_python_with_their_four_field_addresses() {
    if !python3() {
        return;
    }
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("SKIPPED: no IPv6 loopback here");
        return;
    }
    let client = ["tcp", "connect", "[::1]:{port}", "-m", HELLO];
    let server = ["tcp", "serve", "-6", "--port", "0", "--once", "--reply", BONJOUR];
    let udp_client = ["udp", "send", "[::1]:{port}", "-m", HELLO, "--wait", "1s"];
    let udp_server = ["udp", "serve", "-6", "--port", "0", "--once", "--reply", BONJOUR];
    for lang in ["en", "fr"] {
        let text = server_transcript(lang, &server, &client);
        let lines = transcript(&text, None, None);
        assert!(lines.iter().any(|l| l.contains("AF_INET6") || l.contains("::1")), "{lines:#?}");
        assert!(
            lines.iter().any(|l| l.contains("client_address = ('::1', ") && l.ends_with(", 0, 0)")),
            "{lines:#?}"
        );
        run_in_python(lang, "server", &lines, &client);
        let text = client_transcript(lang, &udp_server, &udp_client);
        let lines = transcript(&text, None, None);
        assert!(
            lines.iter().any(|l| l.starts_with("sock.getsockname()  # ('::', ") && l.ends_with(", 0, 0)")),
            "{lines:#?}"
        );
        run_in_python(lang, "client", &lines, &udp_server);
    }
}

/// A payload of a few hundred bytes (text, an accented letter, control
/// bytes): every Python line is printed whole, laid out at 80 columns in
/// pieces Python joins again, and python3 runs the lines as printed, in
/// English and French. Issue 20: past 40 bytes a literal was cut
/// (`b'...'...  # 322 bytes`), which Python cannot run, with an English
/// comment in French output.
#[test]
fn long_payloads_run_in_python_as_printed_at_80_columns() {
    if !python3() {
        return;
    }
    let long =
        format!("{}f\u{ea}te \u{1}\u{7f} fin", "Bonjour le serveur, ceci est un long message. ".repeat(6));
    let long = long.as_str();
    let wide = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--columns", "80"];
        all.extend_from_slice(args);
        all.into_iter().map(String::from).collect()
    };
    let tcp_client = ["tcp", "connect", "127.0.0.1:{port}", "-m", long];
    let tcp_server = ["tcp", "serve", "--port", "0", "--once", "--reply", long];
    let udp_client = ["udp", "send", "127.0.0.1:{port}", "-m", long, "--wait", "1s"];
    let udp_server = ["udp", "serve", "--port", "0", "--once", "--reply", long];
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("server", &tcp_server, &tcp_client),
        ("client", &tcp_server, &tcp_client),
        ("server", &udp_server, &udp_client),
        ("client", &udp_server, &udp_client),
    ];
    for lang in ["en", "fr"] {
        for (mode, server, client) in cases {
            let (text, peer) = match mode {
                "server" => {
                    let args = wide(server);
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    (server_transcript(lang, &args, client), client)
                }
                _ => {
                    let args = wide(client);
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    (client_transcript(lang, server, &args), server)
                }
            };
            assert!(!text.contains("'..."), "a literal is cut ({lang}, {mode}):\n{text}");
            for line in text.lines() {
                assert!(line.chars().count() <= 80, "wider than 80 ({lang}, {mode}): {line:?}");
            }
            let lines = transcript(&text, None, None);
            // The payload's own line went through the layout, in pieces.
            let shown = text.lines().filter(|l| l.starts_with(CONTINUED) && l.trim_start().starts_with("b'"));
            assert!(shown.count() >= 3, "no literal laid out in pieces ({lang}, {mode}):\n{text}");
            run_in_python(lang, mode, &lines, peer);
        }
    }
}
