//! Every duration netplay prints says where it starts, and that start is a
//! stamped line above it (issue 20: `closed after 25 µs` for a server bound
//! milliseconds before; `finished after 4.3 ms` under lines stamped +5.7
//! and +6.0 ms). Read from the human output (no colour), in English and
//! French: `closed at +T, D after accept()` against the stamp of that
//! connection's `accepted … at +T0` line, `D after connect()` against
//! `connected to … at +T0`, for tcp serve, tcp connect and both ends of
//! the demo; an idle close's `nothing received for D` against the last
//! recv's stamp; udp send's `nothing came back within D` against its last
//! datagram's. A stamp or a duration is exact to its last printed digit
//! (a µs count is cut, not rounded), so each difference is checked within
//! the sum of those.

use crate::common;

use std::process::Command;

use common::{BIN, PATIENCE, Proc};
use regex::Regex;

const BONJOUR: &str = "Bonjour client !";

/// A stamp or a duration as printed (`+1.5ms`, `180µs`, `+1,90 s`, `12 µs`):
/// microseconds, and the unit of its last digit.
fn micros(text: &str) -> (f64, f64) {
    let text = text.replace(['\u{a0}', '\u{202f}'], " ");
    let c = Regex::new(r"^\+?(\d+)(?:[.,](\d+))? ?(µs|ms|s)$")
        .unwrap()
        .captures(text.trim())
        .unwrap_or_else(|| panic!("{text}"));
    let scale = match &c[3] {
        "µs" => 1.0,
        "ms" => 1e3,
        _ => 1e6,
    };
    let decimals = c.get(2).map_or("", |d| d.as_str());
    let value: f64 = format!("{}.{}0", &c[1], decimals).parse().unwrap();
    (value * scale, scale / 10f64.powi(decimals.len() as i32))
}

/// The words of each language.
struct Words {
    opened: Regex,
    closed: Regex,
}

fn words(lang: &str) -> Words {
    let t = r"(\+\d+(?:[.,]\d+)?\s?(?:µs|ms|s))";
    let d = r"(\d+(?:[.,]\d+)?\s?(?:µs|ms|s))";
    match lang {
        "fr" => Words {
            opened: Regex::new(&format!(r"#(\d+) (?:connexion reçue de|connecté à) .* à {t}")).unwrap(),
            closed: Regex::new(&format!(r"#(\d+) connexion fermée à {t}, {d} après (accept|connect)\(\)"))
                .unwrap(),
        },
        _ => Words {
            opened: Regex::new(&format!(r"#(\d+) (?:accepted|connected to) .* at {t}")).unwrap(),
            closed: Regex::new(&format!(r"#(\d+) closed at {t}, {d} after (accept|connect)\(\)")).unwrap(),
        },
    }
}

/// Each `closed` line of one end's `lines` against the stamp of the line
/// that opened the same connection; returns how many were checked.
fn check_closes(lang: &str, lines: &[String]) -> usize {
    let words = words(lang);
    let text = lines.join("\n").replace(['\u{a0}', '\u{202f}'], " ");
    let mut checked = 0;
    for line in text.lines() {
        let Some(c) = words.closed.captures(line) else { continue };
        let conn = &c[1];
        let (end, end_unit) = micros(&c[2]);
        let (duration, duration_unit) = micros(&c[3]);
        let opened = text
            .lines()
            .find_map(|l| words.opened.captures(l).filter(|o| &o[1] == conn))
            .unwrap_or_else(|| panic!("no stamped line for #{conn}'s {}():\n{text}", &c[4]));
        let (start, start_unit) = micros(&opened[2]);
        let slack = end_unit + start_unit + duration_unit;
        assert!(
            ((end - start) - duration).abs() <= slack,
            "{}: {end} - {start} = {} µs, not {duration} µs (±{slack})\n{text}",
            &c[0],
            end - start
        );
        checked += 1;
    }
    checked
}

fn port_of(line: &str) -> u16 {
    let c = Regex::new(r"127\.0\.0\.1:(\d+)").unwrap().captures(line).unwrap_or_else(|| panic!("{line}"));
    c[1].parse().unwrap()
}

fn start_in(lang: &str, args: &[&str]) -> Proc {
    let mut command = Command::new(BIN);
    command.args(["--color", "never", "--lang", lang]).args(args);
    Proc::spawn(command)
}

/// tcp serve and tcp connect, the course's exchange: each end's close line
/// against the stamp of its accept or connect line.
#[test]
fn a_connection_lasts_from_its_stamped_accept_or_connect_to_its_close() {
    for lang in ["en", "fr"] {
        let mut server = start_in(lang, &["tcp", "serve", "--port", "0", "--once", "--reply", BONJOUR]);
        let port = port_of(&server.expect(|l| l.starts_with("● ")));
        let client = common::netplay()
            .args(["--color", "never", "--lang", lang, "tcp", "connect", &format!("127.0.0.1:{port}")])
            .args(["-m", "Hello serveur !"])
            .output()
            .unwrap();
        assert!(client.status.success(), "{}", String::from_utf8_lossy(&client.stderr));
        assert_eq!(server.wait_within(PATIENCE), Some(0));
        let mut lines = server.seen().to_vec();
        lines.extend(server.rest());
        assert_eq!(check_closes(lang, &lines), 1, "{lines:#?}");
        let lines: Vec<String> =
            String::from_utf8(client.stdout).unwrap().lines().map(String::from).collect();
        assert_eq!(check_closes(lang, &lines), 1, "{lines:#?}");
    }
}

/// The demo's two ends, each its own lines (`server │ `, `client │ `).
#[test]
fn the_demo_s_ends_last_from_their_stamped_lines() {
    for lang in ["en", "fr"] {
        let out = common::netplay().args(["--color", "never", "--lang", lang, "demo"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut checked = 0;
        for label in ["server │ ", "serveur │ ", "client │ ", "client  │ "] {
            let lines: Vec<String> =
                text.lines().filter_map(|l| l.strip_prefix(label)).map(String::from).collect();
            checked += check_closes(lang, &lines);
        }
        assert_eq!(checked, 2, "{text}");
    }
}

/// A line's stamp, `+T` at its end or after `at`/`à`.
fn stamp_of(line: &str) -> (f64, f64) {
    let line = line.replace(['\u{a0}', '\u{202f}'], " ");
    let all: Vec<_> = Regex::new(r"\+\d+(?:[.,]\d+)? ?(?:µs|ms|s)").unwrap().find_iter(&line).collect();
    micros(all.first().unwrap_or_else(|| panic!("no stamp in {line}")).as_str())
}

/// An idle close says for how long nothing came: at least that long
/// separates its stamp from the last chunk received. tcp serve's
/// --idle-timeout and tcp connect's --timeout end alike: each prints its
/// close line, with the reason naming the option that set the limit, then
/// TCP_INFO's last reading (--explain), then the error (exit 5). tcp
/// connect printed neither the close nor TCP_INFO before (note27).
#[test]
fn an_idle_close_comes_at_least_that_long_after_the_last_chunk() {
    if !common::have("python3") {
        return;
    }
    let idle_for = Regex::new(
        r"(?:nothing received for|rien reçu depuis|rien reçu pendant) (\d+(?:[.,]\d+)? ?(?:µs|ms|s)) \((--[a-z-]+)\)",
    )
    .unwrap();
    // Each end's stdout, and the option it was given.
    let check = |lang: &str, lines: &[String], flag: &str| {
        let text = lines.join("\n").replace(['\u{a0}', '\u{202f}'], " ");
        let recv = text.lines().rfind(|l| l.contains("← recv")).unwrap_or_else(|| panic!("{text}"));
        let closed = text
            .lines()
            .position(|l| l.contains("closed at") || l.contains("fermée à"))
            .unwrap_or_else(|| panic!("{flag}: no close line\n{text}"));
        let lines: Vec<&str> = text.lines().collect();
        let idle = idle_for.captures(lines[closed]).unwrap_or_else(|| panic!("{}", lines[closed]));
        assert_eq!(&idle[2], flag, "the reason names the option: {}", lines[closed]);
        let ((from, from_unit), (to, to_unit)) = (stamp_of(recv), stamp_of(lines[closed]));
        let (idle, idle_unit) = micros(&idle[1]);
        assert!(to - from >= idle - (from_unit + to_unit + idle_unit), "{recv}\n{}", lines[closed]);
        assert_eq!(check_closes(lang, &lines.iter().map(|l| l.to_string()).collect::<Vec<_>>()), 1, "{text}");
        let info = lines[closed..]
            .iter()
            .filter(|l| {
                l.contains("TCP_INFO at its last reading:") || l.contains("TCP_INFO à sa dernière lecture :")
            })
            .count();
        assert_eq!(info, 1, "{flag}: one TCP_INFO line after the close\n{text}");
    };
    for lang in ["en", "fr"] {
        let mut server = start_in(
            lang,
            &[
                "--explain",
                "tcp",
                "serve",
                "--port",
                "0",
                "--once",
                "--reply",
                BONJOUR,
                "--idle-timeout",
                "300ms",
            ],
        );
        let port = port_of(&server.expect(|l| l.starts_with("● ")));
        // Sends, reads the reply, then sends nothing until the server closes.
        let script = r#"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(b"Hello serveur !")
while s.recv(1024):
    pass
"#;
        let client = Command::new("python3").args(["-c", script, &port.to_string()]).output().unwrap();
        assert!(client.status.success(), "{}", String::from_utf8_lossy(&client.stderr));
        assert_eq!(server.wait_within(PATIENCE), Some(5), "tcp serve --once, its client idle");
        let mut lines = server.seen().to_vec();
        lines.extend(server.rest());
        check(lang, &lines, "--idle-timeout");

        // tcp connect against a python3 server that answers, then holds the
        // connection, sending nothing, until the test closes its stdin.
        let script = r#"
import socket, sys
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1)
print(l.getsockname()[1], flush=True)
c, _ = l.accept()
c.settimeout(20)
c.recv(1024)
c.sendall(b"Bonjour client !")
sys.stdin.read()
"#;
        let mut peer = common::Proc::spawn_piped({
            let mut command = Command::new("python3");
            command.args(["-c", script]);
            command
        });
        let port: u16 = peer.expect(|_| true).trim().parse().unwrap();
        let client = common::netplay()
            .args(["--color", "never", "--lang", lang, "--explain", "tcp", "connect"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-m", "Hello serveur !", "--timeout", "300ms"])
            .output()
            .unwrap();
        drop(peer.stdin.take());
        peer.wait_within(PATIENCE);
        assert_eq!(client.status.code(), Some(5), "{}", String::from_utf8_lossy(&client.stderr));
        let lines: Vec<String> =
            String::from_utf8(client.stdout).unwrap().lines().map(String::from).collect();
        check(lang, &lines, "--timeout");
    }
}

/// udp send waits the time it says after its last datagram before it says
/// nothing came back within it; udp serve prints no duration at all.
#[test]
fn udp_send_waits_what_it_says_after_its_last_datagram() {
    let within = Regex::new(r"(?:within|en) (\d+(?:[.,]\d+)? ?(?:µs|ms|s)), (?:and|et)").unwrap();
    let duration = Regex::new(r"(?:after|après|for|pendant|depuis) \d+(?:[.,]\d+)? ?(?:µs|ms|s)\b").unwrap();
    for lang in ["en", "fr"] {
        let mut server = start_in(lang, &["udp", "serve", "--port", "0"]);
        let port = port_of(&server.expect(|l| l.starts_with("● ")));
        let out = common::netplay()
            .args(["--color", "never", "--lang", lang, "udp", "send", &format!("127.0.0.1:{port}")])
            .args(["-m", "one", "-m", "two", "--wait", "300ms"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap().replace(['\u{a0}', '\u{202f}'], " ");
        let last = text.lines().rfind(|l| l.starts_with("→ datagram")).unwrap_or_else(|| panic!("{text}"));
        let done = text.lines().find(|l| l.starts_with("done at") || l.starts_with("terminé à")).unwrap();
        let within = within.captures(&text).unwrap_or_else(|| panic!("{text}"));
        let ((from, from_unit), (to, to_unit)) = (stamp_of(last), stamp_of(done));
        let (wait, wait_unit) = micros(&within[1]);
        assert!(to - from >= wait - (from_unit + to_unit + wait_unit), "{last}\n{done}\n{text}");
        // The server's lines: stamps, and no duration.
        server.expect(|l| l.contains(" #2 "));
        assert!(server.seen().iter().all(|l| !duration.is_match(l)), "{:#?}", server.seen());
        drop(server);
    }
}

/// The page (--html) says the same: its close row's duration is the
/// difference of that row's stamp and the stamp of the accept() or
/// connect() row (the page took the runner's count, 7.8ms under rows
/// stamped +440.5ms and +448.1ms).
#[test]
fn the_page_s_close_lasts_from_its_accept_or_connect_row() {
    let row_stamp = Regex::new(r"<div class=t>([^<]+)</div>").unwrap();
    let closed = Regex::new(r"closed at (\+[^,]+), ([^ ]+) after (accept|connect)\(\)").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (server_page, client_page) = (dir.path().join("server.html"), dir.path().join("client.html"));
    let mut server = start_in(
        "en",
        &[
            "tcp",
            "serve",
            "--port",
            "0",
            "--once",
            "--reply",
            BONJOUR,
            "--html",
            server_page.to_str().unwrap(),
        ],
    );
    let port = port_of(&server.expect(|l| l.starts_with("● ")));
    let client = common::netplay()
        .args(["--color", "never", "tcp", "connect", &format!("127.0.0.1:{port}"), "-m", "Hello serveur !"])
        .args(["--html", client_page.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(client.status.success(), "{}", String::from_utf8_lossy(&client.stderr));
    assert_eq!(server.wait_within(PATIENCE), Some(0));
    for (page, opened) in [(&server_page, "accept() →"), (&client_page, " ⇄ ")] {
        let html = std::fs::read_to_string(page).unwrap();
        let rows: Vec<&str> = html.split("<div class=\"r ").skip(1).collect();
        let stamp = |row: &str| micros(&row_stamp.captures(row).unwrap_or_else(|| panic!("{row}"))[1]);
        let open = rows.iter().find(|r| r.contains(opened)).unwrap_or_else(|| panic!("no {opened} row"));
        let close = rows.iter().find(|r| closed.is_match(r)).unwrap_or_else(|| panic!("no close row"));
        let c = closed.captures(close).unwrap();
        let ((start, start_unit), (end, end_unit)) = (stamp(open), micros(&c[1]));
        let (duration, duration_unit) = micros(&c[2]);
        assert_eq!(stamp(close).0, end, "the row's stamp is its line's");
        assert!(
            ((end - start) - duration).abs() <= start_unit + end_unit + duration_unit,
            "{}: {end} - {start} µs is not {duration} µs",
            &c[0]
        );
    }
}
