//! Every count a `--packets` run shows agrees with tcpdump reading the same
//! run's `--pcap` (issue 20): the ladder's lines, its totals (segments,
//! data bytes, data bytes acknowledged, each way), a connection's bytes in
//! and out, TCP_INFO's retransmissions, a UDP run's datagrams and bytes
//! each way; and a datagram the capture saw refused is said to be refused.
//! Runs tcp serve, tcp connect, udp serve, udp send and the demo, in
//! English and French. Capturing needs root (CI runs as root); elsewhere
//! each test says SKIPPED.

#![cfg(target_os = "linux")]

use crate::common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::{PATIENCE, Proc};
use netplay::capture::{Capture, CaptureError, CaptureOptions, HEADERS_ONLY};
use regex::Regex;

fn can_capture() -> bool {
    let options = CaptureOptions { interface: "lo".into(), ports: vec![9], snaplen: HEADERS_ONLY };
    match Capture::open(&options) {
        Ok(_) => {}
        Err(CaptureError::NotPermitted) => {
            println!("SKIPPED: packet capture needs CAP_NET_RAW (run the tests as root)");
            return false;
        }
        Err(e) => panic!("capture: {e}"),
    }
    common::have("tcpdump")
}

/// One packet as tcpdump printed it (`-nn -S`: numbers, absolute seq).
#[derive(Debug, Clone)]
struct Seen {
    from: u16,
    to: u16,
    proto: &'static str,
    flags: String,
    seq: Option<(u64, u64)>,
    ack: Option<u64>,
    length: u64,
    /// For an ICMP port unreachable: the port the datagram was for.
    unreachable: Option<u16>,
}

/// tcpdump's reading of `pcap`: the independent parser.
fn tcpdump(pcap: &Path) -> Vec<Seen> {
    let out = Command::new("tcpdump").args(["-nn", "-S", "-r"]).arg(pcap).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let ends = Regex::new(r"IP6? \S+?\.(\d+) > \S+?\.(\d+): (.*)$").unwrap();
    let icmp = Regex::new(r"ICMP6?,? .*(?:udp port|port) (\d+) unreachable").unwrap();
    let flags = Regex::new(r"Flags \[([^\]]*)\]").unwrap();
    let seq = Regex::new(r"seq (\d+)(?::(\d+))?").unwrap();
    let ack = Regex::new(r"ack (\d+)").unwrap();
    let length = Regex::new(r"length (\d+)").unwrap();
    let mut seen = Vec::new();
    for line in text.lines() {
        if let Some(c) = icmp.captures(line) {
            seen.push(Seen {
                from: 0,
                to: 0,
                proto: "icmp",
                flags: String::new(),
                seq: None,
                ack: None,
                length: 0,
                unreachable: Some(c[1].parse().unwrap()),
            });
            continue;
        }
        let Some(c) = ends.captures(line) else { continue };
        let rest = &c[3];
        let len = length.captures(rest).map_or(0, |l| l[1].parse().unwrap());
        let mut packet = Seen {
            from: c[1].parse().unwrap(),
            to: c[2].parse().unwrap(),
            proto: if rest.starts_with("UDP") { "udp" } else { "tcp" },
            flags: String::new(),
            seq: None,
            ack: None,
            length: len,
            unreachable: None,
        };
        if packet.proto == "tcp" {
            packet.flags = flags.captures(rest).map(|f| f[1].to_string()).unwrap_or_default();
            packet.seq = seq.captures(rest).map(|s| {
                let start: u64 = s[1].parse().unwrap();
                (start, s.get(2).map_or(start, |e| e.as_str().parse().unwrap()))
            });
            packet.ack = ack.captures(rest).map(|a| a[1].parse().unwrap());
        }
        seen.push(packet);
    }
    seen
}

/// One direction of a TCP connection, counted from tcpdump's lines.
#[derive(Debug, Default, PartialEq, Eq)]
struct Way {
    segments: u64,
    data: u64,
    acked: u64,
    retransmitted: u64,
}

/// (client → server, server → client) of the connection on `server_port`.
fn tcp_ways(seen: &[Seen], server_port: u16) -> (Way, Way) {
    let mut ways = [Way::default(), Way::default()];
    let mut isn = [None, None];
    let mut high = [0u64, 0];
    let mut max_ack = [None, None];
    for p in seen.iter().filter(|p| p.proto == "tcp" && (p.to == server_port || p.from == server_port)) {
        let dir = usize::from(p.from == server_port);
        let way = &mut ways[dir];
        way.segments += 1;
        if p.flags.contains('S') {
            isn[dir] = p.seq.map(|s| s.0);
        }
        if let Some((start, end)) = p.seq.filter(|_| p.length > 0) {
            if end <= high[dir] {
                way.retransmitted += 1;
            } else {
                way.data += end - start.max(high[dir]);
                high[dir] = end;
            }
        }
        if let Some(ack) = p.ack.filter(|_| p.flags.contains('.')) {
            let other = 1 - dir;
            max_ack[other] = Some(max_ack[other].map_or(ack, |m: u64| m.max(ack)));
        }
    }
    for dir in 0..2 {
        if let (Some(isn), Some(ack)) = (isn[dir], max_ack[dir]) {
            // The SYN takes the first sequence number and carries no byte.
            ways[dir].acked = ack.wrapping_sub(isn).saturating_sub(1).min(ways[dir].data);
        }
    }
    let [to_server, to_client] = ways;
    (to_server, to_client)
}

/// Datagrams and bytes each way on `server_port`: (to it, from it).
fn udp_ways(seen: &[Seen], server_port: u16) -> ((u64, u64), (u64, u64)) {
    let mut to = (0, 0);
    let mut from = (0, 0);
    for p in seen.iter().filter(|p| p.proto == "udp") {
        if p.to == server_port {
            to = (to.0 + 1, to.1 + p.length);
        } else if p.from == server_port {
            from = (from.0 + 1, from.1 + p.length);
        }
    }
    (to, from)
}

/// A byte count as netplay writes it, in either language (`15 B`, `15 o`).
fn bytes_shown(n: u64) -> Regex {
    Regex::new(&format!(r"(^|\D){n}\s?(B|o)\b")).unwrap()
}

/// The ladder's totals lines: ((segments, data, acked) client → server,
/// the same server → client).
fn totals_shown(text: &str) -> Vec<(u64, u64, u64)> {
    let total = Regex::new(
        r"(?:on the wire|sur le réseau), \S+ → \S+\s?: (\d+) segments?, (\d+)\s?[Bo] (?:of data|de données), (\d+)\s?[Bo] (?:acknowledged|acquittés)",
    )
    .unwrap();
    total
        .captures_iter(text)
        .map(|c| (c[1].parse().unwrap(), c[2].parse().unwrap(), c[3].parse().unwrap()))
        .collect()
}

/// The ladder lines (one per packet) of `text`.
fn ladder_lines(text: &str) -> usize {
    text.lines().filter(|l| l.contains("──▶") || l.contains("◀──")).count()
}

/// Checks one TCP connection's lines in `text` against tcpdump's `seen`.
fn check_tcp(text: &str, seen: &[Seen], server_port: u16, closed_lines: usize) {
    let (to_server, to_client) = tcp_ways(seen, server_port);
    let shown = totals_shown(text);
    assert_eq!(
        shown,
        vec![
            (to_server.segments, to_server.data, to_server.acked),
            (to_client.segments, to_client.data, to_client.acked)
        ],
        "the ladder's totals against tcpdump's {to_server:?} {to_client:?}:\n{text}"
    );
    // Every packet tcpdump saw is a ladder line, and no other.
    assert_eq!(
        ladder_lines(text) as u64,
        to_server.segments + to_client.segments,
        "ladder lines against tcpdump:\n{text}"
    );
    // Each end's close line counts the data each way, as the wire carried it.
    let closed: Vec<&str> =
        text.lines().filter(|l| l.contains("closed at") || l.contains("connexion fermée à")).collect();
    assert_eq!(closed.len(), closed_lines, "{text}");
    for line in closed {
        let (a, b) = (bytes_shown(to_server.data), bytes_shown(to_client.data));
        assert!(a.is_match(line) && b.is_match(line), "{line} against tcpdump: {to_server:?} {to_client:?}");
    }
    // TCP_INFO's count of retransmissions: none on the wire, none said.
    let retransmitted = to_server.retransmitted + to_client.retransmitted;
    for line in text.lines().filter(|l| l.contains("TCP_INFO")) {
        assert!(line.contains(&format!(" {retransmitted} retransmi")), "{line}: tcpdump saw {retransmitted}");
    }
}

/// The port in a `● listening on 127.0.0.1:P` or `● bound to` line.
fn port_of(line: &str) -> u16 {
    let addr = line
        .split_whitespace()
        .find(|w| w.contains(':') && w.rsplit(':').next().unwrap().parse::<u16>().is_ok());
    addr.unwrap().rsplit(':').next().unwrap().parse().unwrap()
}

/// A server with `--packets --pcap` and a plain client (args with
/// `{port}`); returns the server's output, the client's, and tcpdump's
/// reading of the server's pcap.
fn served(lang: &str, server: &[&str], client: &[&str], pcap: &Path) -> (String, String, u16) {
    let mut args = vec!["--color", "never", "--lang", lang, "--packets", "--pcap", pcap.to_str().unwrap()];
    args.extend_from_slice(server);
    let mut proc = Proc::start(&args);
    let port = port_of(&proc.expect(|l| l.starts_with("● ")));
    let client: Vec<String> = client.iter().map(|a| a.replace("{port}", &port.to_string())).collect();
    let out = common::netplay().args(["--color", "never"]).args(&client).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(proc.wait_within(PATIENCE), Some(0));
    let mut lines = proc.seen().to_vec();
    lines.extend(proc.rest());
    (lines.join("\n"), String::from_utf8(out.stdout).unwrap(), port)
}

/// A plain server and a client with `--packets --pcap`.
fn connected(lang: &str, server: &[&str], client: &[&str], pcap: &Path) -> (String, u16) {
    let mut proc = Proc::start(server);
    let port = port_of(&proc.expect(|l| l.starts_with("● ")));
    let mut args: Vec<String> =
        ["--color", "never", "--lang", lang, "--packets", "--pcap"].map(String::from).into();
    args.push(pcap.to_str().unwrap().to_string());
    args.extend(client.iter().map(|a| a.replace("{port}", &port.to_string())));
    let out = common::netplay().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(proc.wait_within(PATIENCE), Some(0));
    (String::from_utf8(out.stdout).unwrap(), port)
}

const HELLO: &str = "Hello serveur !";
const BONJOUR: &str = "Bonjour client !";

#[test]
fn tcp_serve_s_counts_are_tcpdump_s() {
    if !can_capture() {
        return;
    }
    for lang in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("run.pcap");
        let (text, _, port) = served(
            lang,
            &["tcp", "serve", "--port", "0", "--once", "--reply", BONJOUR],
            &["tcp", "connect", "127.0.0.1:{port}", "-m", HELLO, "-m", "0123456789"],
            &pcap,
        );
        check_tcp(&text, &tcpdump(&pcap), port, 1);
    }
}

#[test]
fn tcp_connect_s_counts_are_tcpdump_s() {
    if !can_capture() {
        return;
    }
    for (lang, message) in [("en", ""), ("en", "0123456789"), ("fr", HELLO)] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("run.pcap");
        let mut client = vec!["tcp", "connect", "127.0.0.1:{port}"];
        // No -m at all: nothing sent, and nothing acknowledged either (the
        // SYN is no byte; issue 20 saw `1 B acked`).
        if !message.is_empty() {
            client.extend(["-m", message]);
        }
        let server = ["--color", "never", "tcp", "serve", "--port", "0", "--once", "--reply", BONJOUR];
        let (text, port) = if message.is_empty() {
            let mut proc = Proc::start(&["--color", "never", "tcp", "serve", "--port", "0", "--once"]);
            let port = port_of(&proc.expect(|l| l.starts_with("● ")));
            // An empty input sends no FIN by default (it must not cut a
            // download): the server with nothing to send would wait for it.
            let out = common::netplay()
                .args(["--color", "never", "--lang", lang, "--packets", "--pcap", pcap.to_str().unwrap()])
                .args(["tcp", "connect", &format!("127.0.0.1:{port}"), "--half-close", "always"])
                .write_stdin("")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(proc.wait_within(PATIENCE), Some(0));
            (String::from_utf8(out.stdout).unwrap(), port)
        } else {
            connected(lang, &server, &client, &pcap)
        };
        check_tcp(&text, &tcpdump(&pcap), port, 1);
    }
}

/// A UDP run's `done` line: datagrams and bytes each way, as tcpdump saw.
fn check_udp_done(text: &str, sent: (u64, u64), received: (u64, u64)) {
    let done = Regex::new(r"(?:done at|terminé à) \+[^:]+: (\d+) \S+ (?:sent|envoyés?) \((\d+)\s?[Bo]\), (\d+) \S+ (?:received|reçus?) \((\d+)\s?[Bo]\)").unwrap();
    let c = done.captures(text).unwrap_or_else(|| panic!("no done line:\n{text}"));
    let shown = |i: usize| c[i].parse::<u64>().unwrap();
    assert_eq!(((shown(1), shown(2)), (shown(3), shown(4))), (sent, received), "against tcpdump:\n{text}");
}

#[test]
fn udp_serve_and_udp_send_count_what_tcpdump_counts() {
    if !can_capture() {
        return;
    }
    for lang in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("serve.pcap");
        let (text, _, port) = served(
            lang,
            &["udp", "serve", "--port", "0", "--once", "--reply", BONJOUR],
            &["udp", "send", "127.0.0.1:{port}", "-m", HELLO, "--wait", "1s"],
            &pcap,
        );
        let (to, from) = udp_ways(&tcpdump(&pcap), port);
        assert_eq!((to.0, from.0), (1, 1), "{text}");
        check_udp_done(&text, from, to);
        assert_eq!(ladder_lines(&text), 2, "{text}");

        let pcap = dir.path().join("send.pcap");
        let (text, port) = connected(
            lang,
            &["--color", "never", "udp", "serve", "--port", "0", "--once", "--reply", BONJOUR],
            &["udp", "send", "127.0.0.1:{port}", "-m", HELLO, "-m", "2", "--wait", "1s"],
            &pcap,
        );
        let seen = tcpdump(&pcap);
        let (to, from) = udp_ways(&seen, port);
        // The server answers its first datagram only (--once), and may be
        // gone before the second comes: then that one is refused.
        assert_eq!((to.0, from.0), (2, 1), "{text}");
        check_udp_done(&text, to, from);
        let refusals = seen.iter().filter(|p| p.unreachable == Some(port)).count();
        assert!(refusals <= 1, "{seen:?}");
        assert_eq!(ladder_lines(&text), 3 + refusals, "{text}");
    }
}

/// Issue 20: the ladder drew `◀──ICMP port unreachable──` and the next line
/// said nothing came back and that this proved nothing.
#[test]
fn a_datagram_the_capture_saw_refused_is_said_to_be_refused() {
    if !can_capture() {
        return;
    }
    for lang in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("refused.pcap");
        // A port nothing is bound to (taken and given back).
        let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let out = common::netplay()
            .args(["--color", "never", "--lang", lang, "--packets", "--pcap", pcap.to_str().unwrap()])
            .args(["udp", "send", &format!("127.0.0.1:{port}"), "-m", HELLO])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let seen = tcpdump(&pcap);
        assert!(seen.iter().any(|p| p.unreachable == Some(port)), "tcpdump saw no refusal: {seen:?}");
        check_udp_done(&text, (1, HELLO.len() as u64), (0, 0));
        let refused = match lang {
            "fr" => "qui rejette le datagramme",
            _ => "refusing the datagram",
        };
        assert!(text.contains(refused), "{text}");
        assert!(!text.contains("proves nothing") && !text.contains("ne prouve rien"), "{text}");
        // Nothing says a server is there: the far end is its address.
        let ladder: Vec<&str> = text.lines().filter(|l| l.contains("──▶") || l.contains("◀──")).collect();
        assert_eq!(ladder.len(), 2, "{text}");
        for line in ladder {
            assert!(line.contains(&format!("127.0.0.1:{port}")) && !line.contains("serve"), "{line}");
        }
    }
}

/// The demo's parts 1 and 2: each end's lines and the wire's totals.
#[test]
fn the_demo_s_counts_are_tcpdump_s() {
    if !can_capture() {
        return;
    }
    for lang in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("demo.pcap");
        let out = common::netplay()
            .args(["--color", "never", "--lang", lang, "--packets", "--pcap", pcap.to_str().unwrap(), "demo"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let seen = tcpdump(&pcap);
        let parts: Vec<&str> = text.split("━━ ").collect();
        let tcp = parts.iter().find(|p| p.starts_with("1/3")).unwrap();
        let udp = parts.iter().find(|p| p.starts_with("2/3")).unwrap();
        let server_port = |part: &str| port_of(part.lines().find(|l| l.contains("● ")).unwrap());
        let port = server_port(tcp);
        let in_part: Vec<Seen> = seen.iter().filter(|p| p.from == port || p.to == port).cloned().collect();
        check_tcp(tcp, &in_part, port, 2);
        let port = server_port(udp);
        let (to, from) = udp_ways(&seen, port);
        let mut ends: HashMap<&str, String> = HashMap::new();
        for line in udp.lines() {
            if let Some((end, rest)) = line.split_once(" │ ") {
                let entry = ends.entry(end.trim()).or_default();
                entry.push_str(rest);
                entry.push('\n');
            }
        }
        let (server, client) = if lang == "fr" { ("serveur", "client") } else { ("server", "client") };
        check_udp_done(&ends[client], to, from);
        check_udp_done(&ends[server], from, to);
    }
}

/// Sends 15 bytes, waits for the server's `ok`, sends 10 more, half-closes,
/// reads to the end: the server's recv() gets two chunks, the second from
/// stream offset 15, mid-row in a 16-byte dump.
const TWO_CHUNKS: &str = r#"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"Hello serveur !")
got = b""
while got != b"ok":
    more = s.recv(2 - len(got))
    assert more, "closed before it answered"
    got += more
s.sendall(b"0123456789")
s.shutdown(socket.SHUT_WR)
while s.recv(1024):
    pass
"#;

/// Issue 20: a later chunk's dump starts on the row labelled `00000000`
/// (bytes 15 on of a 16-byte row); its header says the offset of its first
/// byte in the stream, which is the sequence number tcpdump saw less the
/// SYN's.
#[test]
fn a_later_chunk_says_where_it_starts_in_the_stream() {
    if !can_capture() || !common::have("python3") {
        return;
    }
    let header = Regex::new(r"(?:chunk|morceau) 2 (?:at offset|au décalage) ([0-9a-f]{8}),").unwrap();
    for lang in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("chunks.pcap");
        let mut server = Proc::start(&[
            "--color",
            "never",
            "--lang",
            lang,
            "--packets",
            "--pcap",
            pcap.to_str().unwrap(),
            "tcp",
            "serve",
            "--port",
            "0",
            "--once",
            "--reply",
            "ok",
        ]);
        let port = port_of(&server.expect(|l| l.starts_with("● ")));
        let client = Command::new("python3").args(["-c", TWO_CHUNKS, &port.to_string()]).output().unwrap();
        assert!(client.status.success(), "{}", String::from_utf8_lossy(&client.stderr));
        assert_eq!(server.wait_within(PATIENCE), Some(0));
        let mut lines = server.seen().to_vec();
        lines.extend(server.rest());
        let at = lines.iter().position(|l| l.contains("← recv") && header.is_match(l));
        let at = at.unwrap_or_else(|| panic!("no second chunk with its offset:\n{}", lines.join("\n")));
        let offset = u64::from_str_radix(&header.captures(&lines[at]).unwrap()[1], 16).unwrap();
        // tcpdump: the client's second data segment, from the stream's start.
        let seen: Vec<Seen> = tcpdump(&pcap).into_iter().filter(|p| p.to == port).collect();
        let isn = seen.iter().find(|p| p.flags.contains('S')).and_then(|p| p.seq).unwrap().0;
        let data: Vec<u64> =
            seen.iter().filter(|p| p.length > 0).map(|p| p.seq.unwrap().0.wrapping_sub(isn) - 1).collect();
        assert_eq!(data, vec![0, 15], "{seen:?}");
        assert_eq!(offset, 15, "{}", lines[at]);
        // The dump's row is the 16-byte row that holds that offset.
        let row = lines[at + 1..].iter().find(|l| l.starts_with("0000")).unwrap();
        assert!(row.starts_with(&format!("{:08x}  ", offset & !15)), "{row}");
    }
}

/// The cells of the demo's table, stacked at 80 columns: for each row, its
/// TCP and its UDP sentence, each joined back into one line.
fn table_cells(part: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut current: Option<&mut String> = None;
    for line in part.lines().skip(1) {
        if let Some(rest) = line.strip_prefix("  TCP (SOCK_STREAM)") {
            rows.push((rest.to_string(), String::new()));
            current = rows.last_mut().map(|r| &mut r.0);
        } else if let Some(rest) = line.strip_prefix("  UDP (SOCK_DGRAM)") {
            let last = rows.last_mut().unwrap();
            last.1 = rest.to_string();
            current = Some(&mut last.1);
        } else if let Some(more) = line.strip_prefix("    ") {
            if let Some(cell) = current.as_deref_mut() {
                cell.push(' ');
                cell.push_str(more);
            }
        } else {
            current = None;
        }
    }
    rows
}

/// Part 3 of the demo: every count its table says was on the wire is in
/// tcpdump's reading of the run's pcap (segments and datagrams, their
/// sizes; the closed port's RST,ACK and ICMP errors).
#[test]
fn the_demo_table_s_wire_counts_are_tcpdump_s() {
    if !can_capture() {
        return;
    }
    // "5 data segments of 10 bytes" / "5 segments de données de 10 octets",
    // or, when the sending kernel merged sends, each size: "3 data
    // segments: 10 + 10 + 30 bytes" / "3 segments de données : 10 + 10 + 30
    // octets".
    let segments = Regex::new(
        r"(\d+) (?:data segments?|segments? de données)(?: (?:of|de) (\d+)| ?: ([\d+ ]+)) (?:bytes|octets)",
    )
    .unwrap();
    let datagrams = Regex::new(
        r"(?:On the wire|Sur le réseau) ?: (\d+) datagram(?:me)?s? (?:of|de) (\d+) (?:bytes|octets)",
    )
    .unwrap();
    let closed = Regex::new(r"(?:a closed port|un port fermé)\s?: (\d+)").unwrap();
    for lang in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("demo.pcap");
        let out = common::netplay()
            .args(["--color", "never", "--columns", "80", "--lang", lang, "--packets", "--pcap"])
            .args([pcap.to_str().unwrap(), "demo"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let part = text.split("━━ ").find(|p| p.starts_with("3/3")).unwrap();
        let seen = tcpdump(&pcap);
        let cells = table_cells(part);
        assert!(cells.len() >= 3, "{part}");
        let norm = |s: &str| s.replace(['\u{a0}', '\u{202f}'], " ");
        for (row, (tcp, udp)) in cells.iter().take(2).enumerate() {
            let (tcp, udp) = (norm(tcp), norm(udp));
            let c = segments.captures(&tcp).unwrap_or_else(|| panic!("row {row}: {tcp}"));
            let n: usize = c[1].parse().unwrap();
            let sizes: Vec<u64> = match (c.get(2), c.get(3)) {
                (Some(size), _) => vec![size.as_str().parse().unwrap(); n],
                (None, Some(each)) => each.as_str().split('+').map(|s| s.trim().parse().unwrap()).collect(),
                (None, None) => unreachable!(),
            };
            assert_eq!(sizes.len(), n, "row {row}: {tcp}");
            // Some TCP connection of the run carried exactly that, one way.
            let mut flows: HashMap<(u16, u16), Vec<u64>> = HashMap::new();
            for p in seen.iter().filter(|p| p.proto == "tcp" && p.length > 0) {
                flows.entry((p.from, p.to)).or_default().push(p.length);
            }
            assert!(flows.values().any(|v| *v == sizes), "row {row}: {tcp} against {flows:?}");
            let c = datagrams.captures(&udp).unwrap_or_else(|| panic!("row {row}: {udp}"));
            let (n, size): (usize, u64) = (c[1].parse().unwrap(), c[2].parse().unwrap());
            let mut flows: HashMap<(u16, u16), Vec<u64>> = HashMap::new();
            for p in seen.iter().filter(|p| p.proto == "udp") {
                flows.entry((p.from, p.to)).or_default().push(p.length);
            }
            assert!(
                flows.values().any(|v| v.len() == n && v.iter().all(|&l| l == size)),
                "row {row}: {udp} against {flows:?}"
            );
        }
        // The closed port: a SYN answered by RST,ACK; the datagrams, each
        // answered by an ICMP port unreachable (unconnected, then connected).
        let port: u16 = closed.captures(part).unwrap()[1].parse().unwrap();
        assert!(seen.iter().any(|p| p.proto == "tcp" && p.to == port && p.flags == "S"), "no SYN to {port}");
        assert!(
            seen.iter().any(|p| p.proto == "tcp" && p.from == port && p.flags == "R."),
            "no RST,ACK from {port}"
        );
        let sent = seen.iter().filter(|p| p.proto == "udp" && p.to == port).count();
        let refused = seen.iter().filter(|p| p.unreachable == Some(port)).count();
        assert_eq!((sent, refused), (2, 2), "{part}\n{seen:?}");
    }
}

/// Issue 20: the SYN,ACK's sentence said the client's SYN "counts as one
/// byte". tcpdump: the SYN carries no byte (length 0), takes one sequence
/// number (the SYN,ACK acknowledges ISN + 1), and the first data byte has
/// that number; the sentence says so.
#[test]
fn the_syn_is_said_to_carry_no_byte_as_tcpdump_shows() {
    if !can_capture() {
        return;
    }
    for (lang, said, wrong) in [
        ("en", "carries no byte", "counts as one byte"),
        ("fr", "ne porte aucun octet", "compte pour un octet"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("syn.pcap");
        let (text, port) = connected(
            lang,
            &["--color", "never", "tcp", "serve", "--port", "0", "--once", "--reply", BONJOUR],
            &["--explain", "tcp", "connect", "127.0.0.1:{port}", "-m", HELLO],
            &pcap,
        );
        assert!(text.contains(said) && !text.contains(wrong), "{text}");
        let seen = tcpdump(&pcap);
        let syn = seen.iter().find(|p| p.to == port && p.flags == "S").unwrap();
        let isn = syn.seq.unwrap().0;
        assert_eq!(syn.length, 0, "the SYN carries no byte");
        let syn_ack = seen.iter().find(|p| p.from == port && p.flags == "S.").unwrap();
        assert_eq!(syn_ack.ack, Some((isn + 1) % (1 << 32)), "the SYN takes one sequence number");
        let data = seen.iter().find(|p| p.to == port && p.length > 0).unwrap();
        assert_eq!(data.seq.unwrap().0, (isn + 1) % (1 << 32), "the first data byte is number 1");
    }
}

/// A refused connection: one segment each way (the SYN, the RST,ACK), as
/// tcpdump counts them, said in the singular in both languages. Issue 20:
/// `1 segments in` / `1 segments reçus`.
#[test]
fn a_refused_connection_counts_one_segment_each_way_in_the_singular() {
    if !can_capture() {
        return;
    }
    for lang in ["en", "fr"] {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("refused.pcap");
        // A port nothing holds: the OS gave it, and it is let go at once.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let args = ["--color", "never", "--lang", lang, "--packets", "--pcap", pcap.to_str().unwrap()];
        let out = common::netplay()
            .args(args)
            .args(["tcp", "connect", &format!("127.0.0.1:{port}"), "-m", HELLO])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let (to_server, to_client) = tcp_ways(&tcpdump(&pcap), port);
        assert_eq!((to_server.segments, to_client.segments), (1, 1), "tcpdump: {to_server:?} {to_client:?}");
        assert_eq!(totals_shown(&text), vec![(1, 0, 0), (1, 0, 0)], "{text}");
        let totals: Vec<&str> =
            text.lines().filter(|l| l.contains("on the wire") || l.contains("sur le réseau")).collect();
        assert_eq!(totals.len(), 2, "{text}");
        for line in totals {
            assert!(line.contains(": 1 segment, ") && !line.contains("segments"), "{line}");
        }
    }
}
