//! What a learner reads is in causal order: a recv is never shown before the
//! send of its bytes, an EOF never before the shutdown that caused it,
//! whichever thread or task saw its event first. Each scenario runs many
//! times (the inversions found were in 2-6 runs of 20), and every run must
//! have none; the times shown must never go back.

use crate::common;

use std::process::Command;

use common::{COURSE_CLIENT, netplay, tcp_server};

/// Every `before` line (found by its text) comes before its `after` line.
fn assert_order(output: &str, pairs: &[(&str, &str)]) {
    let lines: Vec<&str> = output.lines().collect();
    let find = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{output}"))
    };
    for (before, after) in pairs {
        assert!(find(before) < find(after), "{before:?} is shown after {after:?}:\n{output}");
    }
}

/// The `+1.234ms` times of the lines, in the order shown, never go back:
/// every line is on one clock.
fn assert_times_grow(output: &str) {
    let mut last = 0.0f64;
    for line in output.lines() {
        let stamp = line.split(' ').filter_map(|word| word.strip_prefix('+'));
        let Some(time) = stamp.filter_map(|word| seconds(word.trim_end_matches(','))).next() else {
            continue;
        };
        assert!(time >= last, "a time goes back at {line:?}:\n{output}");
        last = time;
    }
}

/// `12.3ms`, `5µs`, `1.20s` as seconds.
fn seconds(word: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = word.strip_suffix("µs") {
        (n, 1e-6)
    } else if let Some(n) = word.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = word.strip_suffix('s') {
        (n, 1.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

const DEMO_TCP: &[(&str, &str)] = &[
    ("server │ ● listening on", "client │ ▸ connect("),
    ("client │ ▸ connect(", "server │ #1 accepted"),
    ("client │ #1 → send 15 bytes", "server │ #1 ← recv 15 bytes"),
    ("client │ #1 → shutdown", "server │ #1 ← EOF"),
    ("server │ #1 → send 16 bytes", "client │ #1 ← recv 16 bytes"),
    ("server │ #1 → shutdown", "client │ #1 ← EOF"),
];

const DEMO_UDP: &[(&str, &str)] = &[
    ("server │ ● bound to", "client │ ▸ socket(AF_INET, SOCK_DGRAM)"),
    ("client │ → datagram #1 to", "server │ ← datagram #1 from"),
    ("server │ → datagram #1 to", "client │ ← datagram #1 from"),
    ("server │ ← datagram #1 from", "server │ done at"),
];

fn demo_parts(output: &str) -> (&str, &str) {
    let udp = output.find("2/3").expect("the UDP part");
    let table = output.find("3/3").expect("the table");
    (&output[..udp], &output[udp..table])
}

#[test]
fn the_demo_shows_every_effect_after_its_cause() {
    for run in 0..12 {
        let explain = run % 2 == 0;
        let mut cmd = netplay();
        cmd.args(["--color", "never", "demo"]);
        if explain {
            cmd.arg("--explain");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let (tcp, udp) = demo_parts(&text);
        assert_order(tcp, DEMO_TCP);
        assert_order(udp, DEMO_UDP);
        assert_times_grow(tcp);
        assert_times_grow(udp);
    }
}

/// The course's own client against `tcp serve --reply --once`: it cannot
/// close before it has the reply, so the server's EOF comes after its send.
#[test]
fn the_course_exchange_is_shown_in_order() {
    for _ in 0..15 {
        let (mut server, addr) = tcp_server(&["--reply", "Bonjour client !", "--once"]);
        let out = Command::new("python3")
            .args(["-c", COURSE_CLIENT, &addr.port().to_string()])
            .output()
            .expect("python3 is installed (.ci/run installs it)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let events: Vec<String> = server.rest();
        let text = events.join("\n");
        let position = |event: &str, dir: Option<&str>| {
            events
                .iter()
                .position(|l| {
                    l.contains(&format!("\"event\":\"{event}\""))
                        && dir.is_none_or(|d| l.contains(&format!("\"dir\":\"{d}\"")))
                })
                .unwrap_or_else(|| panic!("no {event} in:\n{text}"))
        };
        assert!(position("accepted", None) < position("data", Some("in")), "{text}");
        assert!(position("data", Some("in")) < position("data", Some("out")), "{text}");
        assert!(position("data", Some("out")) < position("eof", None), "{text}");
        let times: Vec<u64> = events
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["time_us"].as_u64())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "time_us goes back: {times:?}");
    }
}

/// `tcp connect` to a server that answers and closes once it has the
/// client's EOF: the client's own shutdown is shown before the EOF it
/// caused, and its send before the answer.
#[test]
fn the_client_shows_its_shutdown_before_the_eof() {
    let (_server, addr) = tcp_server(&["--reply", "Bonjour client !"]);
    for _ in 0..10 {
        let out = netplay()
            .args(["--color", "never", "tcp", "connect", &addr.to_string(), "--hex", "48 65 6c 6c 6f"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_order(&text, &[("→ send 5 bytes", "← recv 16 bytes"), ("→ shutdown", "← EOF")]);
        assert_times_grow(&text);
    }
}

/// `nc -v -u -l`: stdin goes to the first sender only once its datagram
/// has come, so the datagram stdin sends is shown after the one that let
/// it go. Stdin holds its line before anything comes, the case where the
/// stdin thread, woken by the datagram, sent and was shown first: 13 runs
/// of 20 before the datagram was told before the thread was woken.
#[test]
#[cfg(target_os = "linux")]
fn nc_u_l_shows_the_datagram_before_the_stdin_it_lets_go() {
    use std::net::UdpSocket;
    for _ in 0..10 {
        let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = common::Proc::start_piped(&[
            "--color",
            "never",
            "nc",
            "-v",
            "-u",
            "-l",
            "127.0.0.1",
            &port.to_string(),
        ]);
        server.write_stdin(b"answer\n");
        common::wait_bound("udp", port, "07");
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.set_read_timeout(Some(common::PATIENCE)).unwrap();
        peer.send_to(b"question", ("127.0.0.1", port)).unwrap();
        let mut got = [0u8; 64];
        let n = peer.recv(&mut got).expect("stdin's line comes back to the peer");
        assert_eq!(&got[..n], b"answer\n");
        server.signal(nix::sys::signal::Signal::SIGTERM);
        let text = server.rest_stderr().join("\n");
        assert_order(&text, &[("← datagram #1 from", "→ datagram #1 to")]);
        assert_times_grow(&text);
    }
}
