//! docs/json-events.md against real runs: every field the page documents
//! appears in the JSON of runs made here (the course's exchange, a refused
//! connect, a sequential server's queue, a full server, a broadcast with a
//! slow client, --decode, --packets, UDP, scripts, the demo, both
//! benchmarks), with one JSON type wherever it appears and the page's
//! conventions (`*_us` whole microseconds, addresses as strings, `hex` as
//! lower-case hex); and no run emits a field the page does not document.
//! A documented field no run here can make is listed in NOT_MADE with why;
//! the test fails once one appears (take it out then), so the list only
//! shrinks. Removing a row of the page, or a field from an event, fails it.

// The runs need Linux: --packets captures there only, and the test reads
// their packets.
#![cfg(target_os = "linux")]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use common::{PATIENCE, Proc, bound, netplay};
use serde_json::Value;

/// Documented fields no run of this test makes, each with why.
const NOT_MADE: &[(&str, &str, &str)] = &[
    ("bench_progress", "*", "only on a terminal, never in --json output (the page says so)"),
    ("demo_pause", "*", "--step pauses only when stdin is a terminal"),
    ("demo_row:impaired", "*", "the impaired row needs tc and netem in a namespace"),
    ("packet", "fragments", "loopback's MTU (65,536) carries any UDP datagram whole"),
    ("tcp_info", "read_us", "only when getsockopt and sock_diag both fail, which no run here makes"),
];

// ---------------------------------------------------------------------------
// The page

/// What the page documents: for each event (a step as `step:NAME`, a demo
/// row as `demo_row:NAME`, a packet's fields as `packet`, TCP_INFO's as
/// `tcp_info`), its fields, each with whether the page calls it optional.
fn documented() -> BTreeMap<String, BTreeMap<String, bool>> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-events.md")).unwrap();
    let lines: Vec<&str> = page.lines().collect();
    let mut out: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    let mut heading = "";
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        if line.starts_with('#') {
            heading = line;
        }
        let is_table = line.starts_with("| ") && lines.get(at + 1).is_some_and(|l| l.starts_with("|---"));
        if !is_table {
            at += 1;
            continue;
        }
        let header = cells(line);
        at += 2;
        while at < lines.len() && lines[at].starts_with('|') {
            let row = cells(lines[at]);
            at += 1;
            let names = |cell: &str| top_level_names(cell);
            match (header[0].trim_matches('`'), heading) {
                ("step", _) => {
                    let entry = out.entry(format!("step:{}", names(&row[0])[0].0)).or_default();
                    entry.extend(names(&row[1]));
                }
                // A demo row's fields are the rows table's, below.
                ("event", _) if names(&row[0])[0].0 == "demo_row" => {}
                ("event", _) => {
                    let entry = out.entry(names(&row[0])[0].0.clone()).or_default();
                    entry.extend(names(&row[1]));
                }
                ("row", _) => {
                    let entry = out.entry(format!("demo_row:{}", names(&row[0])[0].0)).or_default();
                    entry.extend(names(&row[1]));
                }
                ("field", h) => {
                    let events: &[&str] = if h.contains("--decode") {
                        &["data", "datagram", "relay"]
                    } else if h.contains("TCP_INFO") {
                        &["tcp_info"]
                    } else if h.contains("Packets") {
                        &["packet"]
                    } else {
                        panic!("a field table under {h:?}: which event is it?")
                    };
                    for event in events {
                        // A decoded chunk's fields come only with --decode.
                        let optional = *event != "tcp_info" && *event != "packet";
                        let entry = out.entry(event.to_string()).or_default();
                        for (name, _) in names(&row[0]) {
                            entry.insert(name, optional);
                        }
                    }
                }
                (other, h) => panic!("a table whose first column is {other:?} under {h:?}"),
            }
        }
    }
    out
}

/// A table line's cells, trimmed.
fn cells(line: &str) -> Vec<String> {
    line.trim().trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect()
}

/// The `names` in a cell outside parentheses (what is inside says what a
/// field holds: its values, when it comes), each with whether the words
/// right after it say "(optional)".
fn top_level_names(cell: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let (mut depth, mut chars) = (0i32, cell.char_indices().peekable());
    while let Some((i, c)) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '`' => {
                let end = cell[i + 1..].find('`').map(|e| i + 1 + e).unwrap_or(cell.len());
                let name = &cell[i + 1..end];
                while chars.peek().is_some_and(|&(j, _)| j <= end) {
                    chars.next();
                }
                let is_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                if depth == 0 && is_name {
                    let optional = cell[end..].trim_start_matches('`').trim_start().starts_with("(optional");
                    out.push((name.to_string(), optional));
                }
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The runs

/// Every JSON line a finished process wrote.
fn json_lines(mut proc: Proc) -> Vec<Value> {
    assert!(proc.wait_within(PATIENCE * 3).is_some(), "netplay ended by a signal");
    let mut lines: Vec<String> = proc.seen().to_vec();
    lines.extend(proc.rest());
    parse(&lines)
}

fn parse(lines: &[String]) -> Vec<Value> {
    lines.iter().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l:?}: {e}"))).collect()
}

/// A finished `netplay ARGS` run's JSON lines (stdin empty).
fn run(args: &[&str]) -> Vec<Value> {
    let out = netplay().args(args).timeout(PATIENCE * 6).output().expect("run netplay");
    let lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect();
    parse(&lines)
}

/// A server stopped by SIGINT once `done` has happened: all its lines.
fn interrupted(mut server: Proc, done: impl FnOnce(&mut Proc)) -> Vec<Value> {
    done(&mut server);
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.event("end");
    json_lines(server)
}

fn port_of(addr: SocketAddr) -> String {
    addr.port().to_string()
}

/// A port nothing listens on ([`common::closed_port`]).
fn closed_port() -> String {
    common::closed_port().to_string()
}

fn script_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Every run's JSON events, each tagged with whether it is the demo's.
fn all_runs() -> Vec<(bool, Value)> {
    let mut runs: Vec<Vec<Value>> = Vec::new();
    let dir = tempfile::tempdir().unwrap();

    // The course's exchange, the client decoding what it sends and gets;
    // the server sets SO_REUSEADDR (set_option).
    let (server, addr) =
        bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--once", "--reply", "hi"]));
    runs.push(run(&[
        "--json",
        "--decode",
        ">h",
        "tcp",
        "connect",
        "127.0.0.1",
        &port_of(addr),
        "-m",
        "hello",
    ]));
    runs.push(json_lines(server));

    // A chunk too short for its format (decode_error); a server that leaves
    // SO_REUSEADDR as it is (read_option).
    let (server, addr) =
        bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--once", "--no-reuse-addr"]));
    runs.push(run(&["--json", "--decode", ">h", "tcp", "connect", "127.0.0.1", &port_of(addr), "-m", "x"]));
    runs.push(json_lines(server));

    // A refused connect: connect_failed, error.
    runs.push(run(&["--json", "tcp", "connect", "127.0.0.1", &closed_port(), "-m", "hi"]));

    // A sequential server: a second client waits in the accept queue.
    let (server, addr) = bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--sequential"]));
    runs.push(interrupted(server, |server| {
        let first = TcpStream::connect(addr).unwrap();
        server.event("accepted");
        let second = TcpStream::connect(addr).unwrap();
        while server.event("accept_queue")["queued"] != 1 {}
        drop(first);
        // The first's `closed` comes before the second's `accepted`.
        server.event("accepted");
        drop(second);
        server.event("closed");
    }));

    // A full server turns a client away; --reuse-addr says it changes
    // nothing (notice).
    let (server, addr) =
        bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--max-conns", "1", "--reuse-addr"]));
    runs.push(interrupted(server, |server| {
        let _first = TcpStream::connect(addr).unwrap();
        server.event("accepted");
        let _second = TcpStream::connect(addr).unwrap();
        server.event("rejected");
    }));

    // A broadcast: a client that never reads, another that sends until a
    // message is dropped for the first (--slow drop), then leaves.
    let (server, addr) =
        bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--broadcast", "--slow", "drop"]));
    runs.push(interrupted(server, |server| {
        let slow = TcpStream::connect(addr).unwrap();
        server.event("join");
        let sender = TcpStream::connect(addr).unwrap();
        server.event("join");
        let stop = Arc::new(AtomicBool::new(false));
        let sending = {
            let (stop, mut sender) = (stop.clone(), sender.try_clone().unwrap());
            thread::spawn(move || {
                let chunk = [b'x'; 1024];
                let mut sent = 0usize;
                while !stop.load(Ordering::Relaxed) && sent < 256 << 20 {
                    if sender.write_all(&chunk).is_err() {
                        break;
                    }
                    sent += chunk.len();
                }
            })
        };
        server.event("drop");
        stop.store(true, Ordering::Relaxed);
        sending.join().unwrap();
        drop(sender);
        server.event("leave");
        drop(slow);
    }));

    // Packets: a TCP exchange, and a datagram to a closed port (ICMP).
    let (server, addr) =
        bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--once", "--reply", "hi"]));
    runs.push(run(&["--json", "--packets", "tcp", "connect", "127.0.0.1", &port_of(addr), "-m", "hello"]));
    runs.push(json_lines(server));
    runs.push(run(&[
        "--json",
        "--packets",
        "udp",
        "send",
        "127.0.0.1",
        &closed_port(),
        "-m",
        "hi",
        "--wait",
        "200ms",
    ]));

    // UDP: a server answering once, the client decoding; a server stopped
    // by a signal (done's signal).
    let (server, addr) =
        bound(Proc::start(&["--json", "udp", "serve", "--port", "0", "--once", "--reply", "hi"]));
    runs.push(run(&[
        "--json",
        "--decode",
        ">h",
        "udp",
        "send",
        "127.0.0.1",
        &port_of(addr),
        "-m",
        "hello",
        "--wait",
        "5s",
    ]));
    runs.push(json_lines(server));
    let (server, addr) = bound(Proc::start(&["--json", "udp", "serve", "--port", "0", "--echo"]));
    runs.push(interrupted(server, |server| {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.send_to(b"ping", addr).unwrap();
        server.event("datagram");
    }));

    // Scripts: a client that binds a value, repeats, and fails on a
    // mismatch; a server whose script resets its client.
    let client = script_file(&dir, "client.np", "> hello\n<struct >H as n\nrepeat 2\n> x\nend\n< nope\n");
    let (server, addr) = bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--once", "--echo"]));
    runs.push(run(&["--json", "tcp", "connect", "127.0.0.1", &port_of(addr), "--script", &client]));
    runs.push(json_lines(server));
    // A server whose script resets its client, stopped by a signal
    // (summary's scripts).
    let resets = script_file(&dir, "server.np", "< ping\nreset\n");
    let (server, addr) = bound(Proc::start(&["--json", "tcp", "serve", "--port", "0", "--script", &resets]));
    runs.push(run(&["--json", "tcp", "connect", "127.0.0.1", &port_of(addr), "-m", "ping"]));
    runs.push(interrupted(server, |server| {
        server.event("script_end");
    }));
    // A UDP server playing a script: script_end's run.
    let pong = script_file(&dir, "udp.np", "< ping\n> pong\n");
    let (server, addr) =
        bound(Proc::start(&["--json", "udp", "serve", "--port", "0", "--once", "--script", &pong]));
    runs.push(run(&["--json", "udp", "send", "127.0.0.1", &port_of(addr), "-m", "ping", "--wait", "5s"]));
    runs.push(json_lines(server));

    // Both benchmarks, tiny.
    runs.push(run(&["--json", "tcp", "bench", "--local", "--bytes", "1M"]));
    runs.push(run(&["--json", "udp", "bench", "--local", "--count", "100"]));

    let mut all: Vec<(bool, Value)> = runs.into_iter().flatten().map(|v| (false, v)).collect();
    // The demo, with its packets.
    all.extend(run(&["--json", "--packets", "demo"]).into_iter().map(|v| (true, v)));
    all
}

// ---------------------------------------------------------------------------
// The check

/// A JSON value's type, as a word.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The page's conventions for a field, by its name: what is wrong with
/// `value`, if anything.
fn convention(event: &str, field: &str, value: &Value) -> Option<String> {
    let address =
        ["addr", "local", "peer"].contains(&field) || (event == "packet" && ["from", "to"].contains(&field));
    if field.ends_with("_us") && !value.is_u64() {
        return Some(format!("{field} is not whole microseconds: {value}"));
    }
    if address && value.as_str().and_then(|s| s.parse::<SocketAddr>().ok()).is_none() {
        return Some(format!("{field} is not an address as a string: {value}"));
    }
    let hex = value.as_str().is_some_and(|s| {
        s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if field == "hex" && !hex {
        return Some(format!("hex is not lower-case hex: {value}"));
    }
    None
}

/// Each event's fields in `events`, with the JSON types each had.
fn emitted(events: &[(bool, Value)]) -> BTreeMap<String, BTreeMap<String, BTreeSet<&'static str>>> {
    let mut out: BTreeMap<String, BTreeMap<String, BTreeSet<&'static str>>> = BTreeMap::new();
    let mut faults = Vec::new();
    for (demo, value) in events {
        let object = value.as_object().unwrap_or_else(|| panic!("not an object: {value}"));
        let event = object["event"].as_str().unwrap();
        let key = match event {
            "step" => format!("step:{}", object["step"].as_str().unwrap()),
            "demo_row" => format!("demo_row:{}", object["row"].as_str().unwrap()),
            _ => event.to_string(),
        };
        for (field, value) in object {
            // Every event's, and the demo's two (the page's first lines),
            // but demo_part's own `part`.
            let demos = *demo && ["part", "end"].contains(&field.as_str()) && event != "demo_part";
            let everyone = ["event", "time_us"].contains(&field.as_str())
                || demos
                || (event == "step" && field == "step")
                || (event == "demo_row" && field == "row");
            if everyone {
                continue;
            }
            if let Some(fault) = convention(event, field, value) {
                faults.push(format!("{key}: {fault}"));
            }
            out.entry(key.clone()).or_default().entry(field.clone()).or_default().insert(kind(value));
            if field == "tcp_info" {
                for (inner, value) in value.as_object().unwrap() {
                    if let Some(fault) = convention("tcp_info", inner, value) {
                        faults.push(format!("tcp_info: {fault}"));
                    }
                    out.entry("tcp_info".into())
                        .or_default()
                        .entry(inner.clone())
                        .or_default()
                        .insert(kind(value));
                }
            }
        }
    }
    assert!(faults.is_empty(), "fields against the page's conventions:\n{}", faults.join("\n"));
    out
}

#[test]
fn every_documented_field_is_emitted_and_every_emitted_field_documented() {
    let doc = documented();
    let events = all_runs();
    let seen = emitted(&events);
    let not_made =
        |event: &str, field: &str| NOT_MADE.iter().any(|&(e, f, _)| e == event && (f == "*" || f == field));
    let mut faults = Vec::new();
    for (event, fields) in &seen {
        let Some(documented) = doc.get(event) else {
            faults.push(format!("{event}: emitted, and not in docs/json-events.md"));
            continue;
        };
        for (field, kinds) in fields {
            if !documented.contains_key(field) {
                faults.push(format!("{event}.{field}: emitted, and not in docs/json-events.md"));
            }
            // null is no field's type: an absent value is an absent field.
            if kinds.len() > 1 || kinds.contains("null") {
                faults.push(format!("{event}.{field}: one field, several JSON types: {kinds:?}"));
            }
            if not_made(event, field) {
                faults.push(format!("{event}.{field}: made now: take it out of NOT_MADE"));
            }
        }
    }
    for (event, fields) in &doc {
        for (field, optional) in fields {
            let made = seen.get(event).is_some_and(|f| f.contains_key(field));
            if !made && !optional && !not_made(event, field) {
                faults.push(format!("{event}.{field}: documented, and no run here emitted it"));
            }
        }
        if !seen.contains_key(event) && !not_made(event, "*") && fields.values().all(|o| !o) {
            faults.push(format!("{event}: documented, and no run here emitted it"));
        }
    }
    for &(event, _, why) in NOT_MADE {
        assert!(doc.contains_key(event), "NOT_MADE names {event}, which the page does not document ({why})");
    }
    assert!(faults.is_empty(), "docs/json-events.md and real runs differ:\n{}", faults.join("\n"));
}

/// The page's parser reads what it should: a field inside parentheses is a
/// value, "(optional)" is seen, and the tables it knows are all found.
#[test]
fn the_page_is_read_as_written() {
    let names =
        top_level_names("`role` (`server`/`client`), `conn` (optional), `value` read back (`set` 4096)");
    assert_eq!(
        names,
        [("role".to_string(), false), ("conn".to_string(), true), ("value".to_string(), false)]
    );
    let doc = documented();
    for event in ["step:socket", "data", "closed", "packet", "tcp_info", "demo_row:boundaries", "end"] {
        assert!(doc.contains_key(event), "{event} not read from the page");
    }
    assert!(doc["data"].contains_key("decoded") && doc["closed"].contains_key("tcp_info"));
}
