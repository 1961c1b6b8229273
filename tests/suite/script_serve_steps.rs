//! Every step kind of docs/scripts.md played by a SERVER (`tcp serve
//! --script`, `udp serve --script`), followed and deviated by a python3
//! peer: a deviation ends the run with exit code 9, the failed step's line
//! (and pass, in a loop) in its `script` event, in `script_end`, in the
//! terminal's `✗ line N: ...` and in stderr's `file:N`; a followed script
//! exits 0 and the peer reads what the script sent. Each run is bounded:
//! the steps wait at most --step-timeout, the test at most PATIENCE.
//! (tests/suite/script_engine.rs plays the engine itself over sockets, mostly as
//! a client; tests/suite/script_serve.rs, the shipped server scripts.)

// The peers are python3 programs; the servers are stopped by signals.
#![cfg(unix)]

use crate::common;

use std::net::SocketAddr;

use common::{PATIENCE, Proc, events, named};
use netplay::event::script::Outcome;

/// A TCP client that does `actions` (JSON: `["send", hex]`, `["shut"]`,
/// `["reset"]` (SO_LINGER 0 then close), `["close"]`, `["read", n]`,
/// `["readall"]` (to EOF; the hold of a silent peer)), then prints what
/// each read got (hex, or the error's name) as a JSON list.
const TCP_PEER: &str = r#"
import json, socket, struct, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.settimeout(10)
got = []
for act in json.loads(sys.argv[2]):
    try:
        if act[0] == 'send': s.sendall(bytes.fromhex(act[1]))
        elif act[0] == 'shut': s.shutdown(socket.SHUT_WR)
        elif act[0] == 'reset':
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
            break
        elif act[0] == 'close':
            s.close()
            break
        elif act[0] in ('read', 'readall'):
            data = b''
            while act[0] == 'readall' or len(data) < act[1]:
                chunk = s.recv(65536 if act[0] == 'readall' else act[1] - len(data))
                if not chunk: break
                data += chunk
            got.append(data.hex())
    except OSError as e:
        got.append(type(e).__name__)
print(json.dumps(got), flush=True)
"#;

/// The UDP counterpart: `["send", hex]` sends a datagram to the server,
/// `["recv"]` waits (10 s at most) for one and notes it.
const UDP_PEER: &str = r#"
import json, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
server = ('127.0.0.1', int(sys.argv[1]))
got = []
for act in json.loads(sys.argv[2]):
    if act[0] == 'send': s.sendto(bytes.fromhex(act[1]), server)
    elif act[0] == 'recv':
        try: got.append(s.recvfrom(65536)[0].hex())
        except OSError as e: got.append(type(e).__name__)
print(json.dumps(got), flush=True)
"#;

/// What the peer does.
#[derive(Clone, Copy)]
enum Act {
    Send(&'static [u8]),
    Shut,
    Reset,
    Close,
    Read(usize),
    ReadAll,
    Recv,
}

fn actions(acts: &[Act]) -> String {
    let list: Vec<serde_json::Value> = acts
        .iter()
        .map(|a| match a {
            Act::Send(b) => serde_json::json!(["send", common::hex(b)]),
            Act::Shut => serde_json::json!(["shut"]),
            Act::Reset => serde_json::json!(["reset"]),
            Act::Close => serde_json::json!(["close"]),
            Act::Read(n) => serde_json::json!(["read", n]),
            Act::ReadAll => serde_json::json!(["readall"]),
            Act::Recv => serde_json::json!(["recv"]),
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// A deviation: the script, what the peer does instead, and the step that
/// must fail (its line, its outcome, its pass in a loop, words its `why`
/// has). When `first` is set, the peer plays all it does before the server
/// takes its connection (see [`play`]).
struct Deviation {
    script: &'static str,
    peer: &'static [Act],
    line: u32,
    outcome: Outcome,
    pass: Option<u64>,
    why: &'static str,
    first: bool,
}

const fn dev(
    script: &'static str,
    peer: &'static [Act],
    line: u32,
    outcome: Outcome,
    why: &'static str,
) -> Deviation {
    Deviation { script, peer, line, outcome, pass: None, why, first: false }
}

use Act::*;
use Outcome::{Eof, Error, Mismatch, Reset as Rst, Timeout};

/// Each TCP step kind, deviated (a silent peer holds the connection with
/// ReadAll, so only the step's timeout, 300 ms, can end it).
const TCP_DEVIATIONS: &[Deviation] = &[
    // `< BYTES`: other bytes, told at the first that differs; the EOF or
    // a reset before all came; silence.
    dev(
        "< Hello serveur !\n> ok\n",
        &[Send(b"Hello toi !"), ReadAll],
        1,
        Mismatch,
        "they differ at offset 6",
    ),
    dev("< Hello serveur !\n", &[Send(b"Hello"), Shut, ReadAll], 1, Eof, "the peer closed its side (EOF)"),
    dev("< Hello serveur !\n", &[Send(b"Hello"), Reset], 1, Rst, "the peer reset the connection"),
    dev(
        "< Hello serveur !\n",
        &[Send(b"Hello"), ReadAll],
        1,
        Timeout,
        "in 300.0ms, only b'Hello' (5 bytes) came",
    ),
    // `<regex`: ruled out; open-ended at the timeout; EOF.
    dev(
        "<regex GET (?P<path>\\S+) HTTP/1\\.[01]\\r\\n\n",
        &[Send(b"POST / HTTP/1.0\r\n"), ReadAll],
        1,
        Mismatch,
        "cannot match from offset 0",
    ),
    dev("<regex \\d+\n", &[Send(b"12"), ReadAll], 1, Timeout, "more bytes could still lengthen the match"),
    dev("<regex [^\\n]*\\n\n", &[Send(b"no end"), Shut, ReadAll], 1, Eof, "the peer closed its side (EOF)"),
    // `<bytes N`: too few before the EOF; too few in time.
    dev("<bytes 8\n", &[Send(b"1234"), Shut, ReadAll], 1, Eof, "8 bytes"),
    dev("<bytes 8 as body\n", &[Send(b"1234"), ReadAll], 1, Timeout, "only b'1234' (4 bytes) came"),
    // `<struct`: half a record; a length from the peer over the limit.
    dev("<struct >I as n\n", &[Send(b"\x00\x01"), Shut, ReadAll], 1, Eof, ">I"),
    dev("<struct >I as n\n<bytes n\n", &[Send(b"\xff\xff\xff\xff"), ReadAll], 2, Error, "`n` is 4294967295"),
    // `<eof`: bytes instead; no EOF in time.
    dev("< a\n<eof\n", &[Send(b"ab"), Shut, ReadAll], 2, Mismatch, "EOF"),
    dev("<eof\n", &[ReadAll], 1, Timeout, "EOF"),
    // `>`: the peer closed, so the first send is answered by an RST, and
    // the next send fails.
    dev("<eof\n> one\n> two\n", &[Close], 3, Rst, "the peer reset the connection"),
    // `>struct` with a value the peer gave that its format cannot pack.
    dev("<struct >H as n\n>struct >B n\n", &[Send(b"\x01\x2c"), ReadAll], 2, Error, "0 <= number <= 255"),
    // `shutdown` after the peer reset the connection: the reset is in
    // before the server's first step (no sleep racing it).
    Deviation {
        script: "< go\nshutdown\n",
        peer: &[Send(b"go"), Reset],
        line: 2,
        outcome: Rst,
        pass: None,
        why: "the peer reset the connection",
        first: true,
    },
    // `timeout`: the steps after it wait its time, not --step-timeout.
    dev("timeout 100ms\n< late\n", &[ReadAll], 2, Timeout, "in 100.0ms"),
    // A captured token not sent back.
    dev(
        "<regex TOKEN (?P<t>\\w+)\\n\n< again {t}\\n\n",
        &[Send(b"TOKEN ab12\nagain ab13\n"), ReadAll],
        2,
        Mismatch,
        "b'again ab12\\n'",
    ),
    // `repeat until eof`: silence where a pass or the EOF should come.
    dev(
        "repeat until eof\n  < ping\\n\nend\n",
        &[Send(b"ping\n"), ReadAll],
        1,
        Timeout,
        "neither bytes for another pass nor the EOF",
    ),
];

/// Deviations that fail inside a loop, on its second pass.
const TCP_IN_A_LOOP: &[Deviation] = &[
    Deviation {
        script: "repeat 3 times\n  < ping\\n\n  > pong\\n\nend\n",
        peer: &[Send(b"ping\n"), Read(5), Send(b"pang\n"), ReadAll],
        line: 2,
        outcome: Mismatch,
        pass: Some(2),
        why: "they differ at offset 1",
        first: false,
    },
    Deviation {
        script: "repeat until eof\n  <regex [^\\n]*\\n\n  > ok\\n\nend\n",
        peer: &[Send(b"one\n"), Read(3), Send(b"two"), Shut, ReadAll],
        line: 2,
        outcome: Eof,
        pass: Some(2),
        why: "the peer closed its side (EOF)",
        first: false,
    },
];

/// Each UDP step kind, deviated: a run begins with a datagram, and a
/// step waits at most 300 ms for the next.
const UDP_DEVIATIONS: &[Deviation] = &[
    dev("< ping\n", &[Send(b"pong")], 1, Mismatch, "they differ at offset 1"),
    dev("< ping\n", &[Send(b"pingpong")], 1, Mismatch, "expected a datagram of b'ping' (4 bytes)"),
    dev("< a\n< b\n", &[Send(b"a")], 2, Timeout, "in 300.0ms"),
    dev("<regex p.ng\n", &[Send(b"ping!")], 1, Mismatch, "cannot match"),
    dev("<bytes 3\n", &[Send(b"abcd")], 1, Mismatch, "3 bytes"),
    dev("<struct >H as n\n", &[Send(b"abc")], 1, Mismatch, ">H"),
    dev("<struct >H as n\n>struct >B n\n", &[Send(b"\x01\x2c")], 2, Error, "0 <= number <= 255"),
    dev(
        "<regex ID (?P<id>\\d+)\n> got {id}\n< ID {id}\n",
        &[Send(b"ID 42"), Recv, Send(b"ID 43")],
        3,
        Mismatch,
        "b'ID 42'",
    ),
    dev("< a\ntimeout 100ms\n< b\n", &[Send(b"a")], 3, Timeout, "in 100.0ms"),
    Deviation {
        script: "repeat 2\n  < ping\n  > pong\nend\n",
        peer: &[Send(b"ping"), Recv, Send(b"pang")],
        line: 2,
        outcome: Mismatch,
        pass: Some(2),
        why: "they differ at offset 1",
        first: false,
    },
];

/// Starts `netplay [--json|--color never] {tcp,udp} serve --once
/// --step-timeout 300ms --script FILE`, and the peer against it; returns
/// the server (ended or ending) and what the peer read. With `first` (TCP),
/// the server is stopped (SIGSTOP) while the peer plays, and continued
/// once /proc/net/tcp shows no connection to it but its listener: the
/// kernel took the connection, the peer's bytes and its FIN or reset, all
/// before the server's first step.
fn play(udp: bool, json: bool, script: &std::path::Path, peer: &[Act], first: bool) -> (Proc, Vec<String>) {
    let mut args = vec![];
    args.extend(if json { ["--json", ""] } else { ["--color", "never"] }.iter().filter(|a| !a.is_empty()));
    args.extend([if udp { "udp" } else { "tcp" }, "serve", "--port", "0", "--once"]);
    args.extend(["--step-timeout", "300ms", "--script", script.to_str().unwrap()]);
    let mut server = Proc::start(&args);
    let port = if json {
        let listening = server.event("listening");
        listening["local"].as_str().unwrap().parse::<SocketAddr>().unwrap().port()
    } else {
        let line = server.expect(|l| l.starts_with('●'));
        let addr = line.split_whitespace().find(|w| w.starts_with("127.0.0.1:")).unwrap();
        addr.parse::<SocketAddr>().unwrap().port()
    };
    if first {
        server.signal(nix::sys::signal::Signal::SIGSTOP);
    }
    let out = assert_cmd::Command::new("python3")
        .args(["-c", if udp { UDP_PEER } else { TCP_PEER }, &port.to_string(), &actions(peer)])
        .timeout(PATIENCE)
        .output()
        .expect("python3 is installed (.ci/run installs it)");
    assert!(out.status.success(), "the peer: {}", String::from_utf8_lossy(&out.stderr));
    let got: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    if first {
        wait_gone(port);
        server.signal(nix::sys::signal::Signal::SIGCONT);
    }
    (server, got)
}

/// Waits until /proc/net/tcp lists nothing on `port` but its listener: no
/// connection to it is open (in the accept queue or taken).
fn wait_gone(port: u16) {
    let deadline = std::time::Instant::now() + PATIENCE;
    let needle = format!(":{port:04X}");
    loop {
        let rows = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let open = rows
            .lines()
            .map(|row| row.split_whitespace().collect::<Vec<_>>())
            .filter(|cells| cells.get(1).is_some_and(|local| local.ends_with(&needle)))
            .filter(|cells| cells.get(3) != Some(&"0A"))
            .count();
        if open == 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "a connection to port {port} is still open");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

fn all_events(server: &mut Proc) -> Vec<serde_json::Value> {
    let rest = server.rest();
    let lines = server.seen().iter().chain(&rest);
    events(&lines.flat_map(|l| format!("{l}\n").into_bytes()).collect::<Vec<u8>>())
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Mismatch => "mismatch",
        Eof => "eof",
        Timeout => "timeout",
        Rst => "reset",
        Error => "error",
    }
}

/// Plays each deviation twice, in JSON and for a person, and checks the
/// failed step everywhere it is named.
fn deviate(udp: bool, cases: &[Deviation]) {
    let dir = tempfile::tempdir().unwrap();
    for (n, case) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case{n}.np"));
        std::fs::write(&path, case.script).unwrap();
        let file = path.to_str().unwrap();
        let context = format!("{} case {n}: {:?}", if udp { "udp" } else { "tcp" }, case.script);
        let text = case.script.lines().nth(case.line as usize - 1).unwrap().trim_start();

        let (mut server, _) = play(udp, true, &path, case.peer, case.first);
        assert_eq!(server.wait(), 9, "{context}");
        let all = all_events(&mut server);
        let steps = named(&all, "script");
        let step = steps.last().unwrap_or_else(|| panic!("{context}: no step"));
        assert_eq!(step["line"], case.line, "{context}: {step}");
        assert_eq!(step["text"], text, "{context}: {step}");
        assert_eq!(step["outcome"], outcome_name(case.outcome), "{context}: {step}");
        assert_eq!(step["pass"].as_u64(), case.pass, "{context}: {step}");
        let why = step["why"].as_str().unwrap_or_default();
        assert!(why.contains(case.why), "{context}: why {why:?} lacks {:?}", case.why);
        // Every step before it passed.
        assert!(steps[..steps.len() - 1].iter().all(|s| s["outcome"] == "passed"), "{context}: {steps:?}");
        let end = named(&all, "script_end");
        assert_eq!(end.len(), 1, "{context}");
        assert_eq!(
            (end[0]["exit_code"].as_u64(), end[0]["line"].as_u64()),
            (Some(9), Some(case.line.into()))
        );
        assert_eq!(end[0]["conn"].as_u64(), (!udp).then_some(1), "{context}: {}", end[0]);
        assert_eq!(end[0]["run"].as_u64(), udp.then_some(1), "{context}: {}", end[0]);
        assert_eq!(all.last().unwrap()["exit_code"], 9, "{context}");
        let stderr = server.rest_stderr().join("\n");
        let place = format!("netplay: {file}:{}: the peer did not follow the script: {why}", case.line);
        assert!(stderr.starts_with(&place), "{context}: {stderr}");

        // The terminal: the step's line, then the verdict naming it.
        let (mut server, _) = play(udp, false, &path, case.peer, case.first);
        assert_eq!(server.wait(), 9, "{context}");
        let tag = if udp { "" } else { "#1 " };
        let pass = case.pass.map(|p| format!("  (pass {p})")).unwrap_or_default();
        let failed = format!("{tag}✗ line {}: {text}{pass}", case.line);
        let verdict = match udp {
            true => format!("✗ {file}, run 1: the peer did not follow the script at line {}", case.line),
            false => format!("#1 ✗ {file}: the client did not follow the script at line {}", case.line),
        };
        let rest = server.rest();
        let lines: Vec<String> = server.seen().iter().cloned().chain(rest).collect();
        let at = lines
            .iter()
            .position(|l| *l == failed)
            .unwrap_or_else(|| panic!("{context}: {failed:?} in {lines:#?}"));
        assert!(lines[at..].contains(&verdict), "{context}: {verdict:?} in {lines:#?}");
        assert!(!lines.iter().any(|l| l.contains("✗ line") && *l != failed), "{context}: one failed step");
    }
}

#[test]
fn tcp_serve_each_step_deviated() {
    deviate(false, TCP_DEVIATIONS);
}

#[test]
fn tcp_serve_a_step_deviated_in_a_loop_names_its_pass() {
    deviate(false, TCP_IN_A_LOOP);
}

#[test]
fn udp_serve_each_step_deviated() {
    deviate(true, UDP_DEVIATIONS);
}

/// Plays `script` (followed by `peer`) in JSON; returns the lines of the
/// steps played, in order, after checking that each passed and the run
/// exited 0; and what the peer read.
fn follow(udp: bool, script: &str, peer: &[Act]) -> (Vec<u64>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("followed.np");
    std::fs::write(&path, script).unwrap();
    let (mut server, got) = play(udp, true, &path, peer, false);
    assert_eq!(server.wait(), 0, "{:?}", server.rest_stderr());
    let all = all_events(&mut server);
    let steps = named(&all, "script");
    assert!(steps.iter().all(|s| s["outcome"] == "passed"), "{steps:#?}");
    let end = named(&all, "script_end");
    assert_eq!((end.len(), end[0]["exit_code"].as_u64(), end[0]["line"].as_u64()), (1, Some(0), None));
    (steps.iter().map(|s| s["line"].as_u64().unwrap()).collect(), got)
}

const TCP_EVERY_STEP: &str = r"< Hello serveur !
> Bonjour client !
<regex TOKEN (?P<token>[0-9a-f]+)\r\n
> OK {token}\r\n
<bytes 3 as three
<struct >H as n
<bytes n as body
>struct >H len(body)
> {body}
timeout 1s
repeat 2 times
  < ping\n
  > pong\n
end
sleep 10ms
shutdown
repeat until eof
  <regex [^\n]*\n
end
<eof
close
";

#[test]
fn tcp_serve_every_step_followed() {
    let peer = [
        Send(b"Hello serveur !"),
        Read(16),
        Send(b"TOKEN ab12\r\n"),
        Read(9),
        Send(b"xyz\x00\x05hello"),
        Read(7),
        Send(b"ping\n"),
        Read(5),
        Send(b"ping\n"),
        Read(5),
        // The script's shutdown: EOF here, and the peer can still send.
        ReadAll,
        Send(b"one\ntwo\n"),
        Shut,
    ];
    let (lines, got) = follow(false, TCP_EVERY_STEP, &peer);
    // A loop's own step comes after its passes; `timeout` is no step played.
    assert_eq!(lines, [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 12, 13, 11, 15, 16, 18, 18, 17, 20, 21]);
    let want: Vec<String> =
        [&b"Bonjour client !"[..], b"OK ab12\r\n", b"\x00\x05hello", b"pong\n", b"pong\n", b""]
            .iter()
            .map(|b| common::hex(b))
            .collect();
    assert_eq!(got, want);
}

/// `close` ends the connection with a FIN after the bytes (the peer reads
/// them, then EOF), `reset` with an RST (the peer's read fails).
#[test]
fn tcp_serve_close_and_reset_followed() {
    let (lines, got) = follow(false, "> bye\nclose\n", &[ReadAll]);
    assert_eq!((lines, got), (vec![1, 2], vec![common::hex(b"bye")]));
    let (lines, got) = follow(false, "> bye\n< ok\nreset\n", &[Read(3), Send(b"ok"), ReadAll]);
    assert_eq!((lines, got), (vec![1, 2, 3], vec![common::hex(b"bye"), "ConnectionResetError".into()]));
}

const UDP_EVERY_STEP: &str = r"< ping
> pong
<struct >H as n
<bytes n as body
>struct >H len(body)
> {body}
repeat 2
  < again
  > ok
end
sleep 10ms
timeout 1s
<regex ID (?P<id>\d+)
> got {id}
";

#[test]
fn udp_serve_every_step_followed() {
    let peer = [
        Send(b"ping"),
        Recv,
        Send(b"\x00\x03"),
        Send(b"abc"),
        Recv,
        Recv,
        Send(b"again"),
        Recv,
        Send(b"again"),
        Recv,
        Send(b"ID 42"),
        Recv,
    ];
    let (lines, got) = follow(true, UDP_EVERY_STEP, &peer);
    assert_eq!(lines, [1, 2, 3, 4, 5, 6, 8, 9, 8, 9, 7, 11, 13, 14]);
    let want: Vec<String> =
        [&b"pong"[..], b"\x00\x03", b"abc", b"ok", b"ok", b"got 42"].iter().map(|b| common::hex(b)).collect();
    assert_eq!(got, want);
}
