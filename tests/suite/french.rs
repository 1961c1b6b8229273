//! In the course's language: `LANG=fr_FR.UTF-8` (or `--lang fr`) makes every
//! line a learner reads French, from the demo's first line to its last, in
//! the course's exchange and in each error a learner meets; `LANG=C` and
//! `--lang en` give the English of before. Python lines and hex dumps are
//! the same in both. Snapshots (insta) keep the wording under review, the
//! parts that change from run to run (ports, times) filtered out.

use crate::common;

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::thread;

use common::{COURSE_CLIENT, PATIENCE, Proc, in_terminal_in, netplay_in, udp_server};

const FR: &str = "fr_FR.UTF-8";

/// English words that say a sentence is English: they have no place in a
/// French line (tokens that are code, flags, names or numbers are not
/// words, and are not looked at).
const ENGLISH: &[&str] = &[
    "the",
    "is",
    "are",
    "was",
    "were",
    "and",
    "of",
    "to",
    "from",
    "with",
    "this",
    "that",
    "these",
    "its",
    "it",
    "by",
    "after",
    "before",
    "each",
    "every",
    "only",
    "when",
    "which",
    "what",
    "has",
    "have",
    "will",
    "would",
    "can",
    "cannot",
    "there",
    "their",
    "into",
    "than",
    "not",
    "no",
    "be",
    "for",
    "at",
    "or",
    "in",
    "out",
    "sent",
    "received",
    "bytes",
    "listening",
    "bound",
    "connected",
    "closed",
    "error",
    "note",
    "try",
    "give",
    "use",
    "done",
    "port's",
    "server's",
    "client's",
];

/// The English words of `text`, outside Python lines and hex dump lines.
fn english_words(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        // The demo's label, then the line itself.
        let line = line.split_once(" │ ").map_or(line, |(_, rest)| rest);
        let trimmed = line.trim_start();
        let hex_line = trimmed.get(..8).is_some_and(|o| o.bytes().all(|b| b.is_ascii_hexdigit()));
        let comment = trimmed.starts_with("# ");
        if trimmed.starts_with("python:") || comment || hex_line || trimmed.starts_with('↳') {
            continue;
        }
        for token in line.split([' ', '\u{a0}']) {
            let word = token.trim_matches(|c: char| {
                matches!(c, ',' | ';' | ':' | '.' | '!' | '?' | '(' | ')' | '«' | '»')
            });
            let is_word = !word.is_empty() && word.chars().all(|c| c.is_alphabetic() || c == '\'');
            if is_word && ENGLISH.contains(&word.to_lowercase().as_str()) {
                found.push(format!("{word:?} in: {line}"));
            }
        }
    }
    found
}

fn assert_french(what: &str, text: &str) {
    let english = english_words(text);
    assert!(english.is_empty(), "{what}: English left:\n{}\n\nin:\n{text}", english.join("\n"));
}

/// The check finds English, and passes French.
#[test]
fn the_check_sees_english() {
    assert!(!english_words("client │ #1 connected to 127.0.0.1:1   from 127.0.0.1:2").is_empty());
    assert!(!english_words("netplay: nothing listens on TCP port 9 there").is_empty());
    assert!(english_words("      python: data = client_socket.recv(1024)  # b'the'").is_empty());
    assert!(english_words("00000000  74 68 65  │the│").is_empty());
    assert!(english_words("#1 connecté à 127.0.0.1:1   depuis --no-reuse-addr").is_empty());
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_demo_with_explanations_is_french_from_first_line_to_last() {
    let out = netplay_in(FR).args(["--color", "never", "demo", "--explain"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("━━ 1/3  TCP, le mode connecté"), "{text}");
    assert!(text.contains("connexion reçue de 127.0.0.1:"), "{text}");
    assert!(text.contains("port éphémère"), "{text}");
    assert!(text.contains("3 appels recv(1024)"), "{text}");
    assert_french("demo --explain", &text);
    // With the packets under the calls (where this machine lets the demo
    // capture: root, or an unprivileged user namespace), the ladder and
    // its sentences too.
    let out = netplay_in(FR).args(["--color", "never", "demo", "--explain", "--packets"]).output().unwrap();
    if out.status.success() {
        let text = stdout(&out);
        assert!(text.contains("poignée de main en trois temps"), "{text}");
        assert_french("demo --explain --packets", &text);
    } else {
        eprintln!("SKIPPED: demo --packets: {}", stderr(&out));
    }
    // --lang fr does the same whatever the environment says.
    let out = netplay_in("C").args(["--lang", "fr", "--color", "never", "demo"]).output().unwrap();
    assert_french("--lang fr demo", &stdout(&out));
}

/// Runs `tcp serve --once --explain <args>` in `lang` with the course's
/// Python client; returns what the server printed.
fn course_exchange(lang: &str, args: &[&str]) -> String {
    let mut command = Command::new(common::BIN);
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .args(["--color", "never", "tcp", "serve", "--port", "0", "--once", "--explain"])
        .args(args)
        .args(["--reply", "Bonjour client !"]);
    let mut server = Proc::spawn(command);
    let listening = server.expect(|l| l.starts_with("● "));
    let port = listening.rsplit(':').next().unwrap().split(' ').next().unwrap().to_string();
    let client = Command::new("python3")
        .args(["-c", COURSE_CLIENT, &port])
        .output()
        .expect("python3 is installed (.ci/run installs it)");
    assert!(client.status.success(), "{}", stderr(&client));
    assert_eq!(String::from_utf8_lossy(&client.stdout).trim(), "Réponse du serveur : Bonjour client !");
    assert_eq!(server.wait_within(PATIENCE), Some(0));
    assert!(!listening.is_empty());
    // The steps before "listening", "listening", and all that came after.
    let mut all = server.seen().to_vec();
    all.extend(server.rest());
    all.join("\n") + "\n"
}

#[test]
fn the_course_exchange_is_french() {
    let text = course_exchange(FR, &[]);
    assert!(text.contains("● en écoute sur 127.0.0.1:"), "{text}");
    assert!(text.contains("#1 connexion reçue de 127.0.0.1:"), "{text}");
    assert!(text.contains("python: data = client_socket.recv(65536)  # b'Hello serveur !'"), "{text}");
    assert_french("the course exchange", &text);
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("course_exchange_fr", text);
    });
}

#[test]
fn lang_c_and_lang_en_give_english() {
    let c = course_exchange("C", &[]);
    let en = course_exchange(FR, &["--lang", "en"]);
    let filtered = |text: &str| {
        let mut text = text.to_string();
        for (pattern, with) in filters() {
            text = regex_lite(&text, pattern, with);
        }
        text
    };
    assert_eq!(filtered(&c), filtered(&en));
    assert!(c.contains("● listening on 127.0.0.1:") && c.contains("#1 accepted 127.0.0.1:"), "{c}");
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("course_exchange_en", c);
    });
}

/// The demo's client end in parts 1 and 2, each event's block (its line,
/// its Python, its sentence, its dump) whole, the blocks of a part sorted:
/// two ends run at once, so a reply and the client's own FIN, or its
/// "listening for replies", may come in either order from one run to the
/// next. The words are what the snapshot keeps.
fn client_end(text: &str, label: &str) -> String {
    let mut out = String::new();
    let mut blocks: Vec<String> = Vec::new();
    let flush = |blocks: &mut Vec<String>, out: &mut String| {
        blocks.sort();
        out.extend(blocks.drain(..));
    };
    for line in text.lines().take_while(|l| !l.starts_with("━━ 3/3")) {
        if line.starts_with("━━") {
            flush(&mut blocks, &mut out);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let Some(rest) = line.strip_prefix(label) else { continue };
        let hex = rest.get(..8).is_some_and(|o| o.bytes().all(|b| b.is_ascii_hexdigit()));
        match blocks.last_mut() {
            Some(block) if rest.starts_with(' ') || hex => block.push_str(&format!("{line}\n")),
            _ => blocks.push(format!("{line}\n")),
        }
    }
    flush(&mut blocks, &mut out);
    out
}

#[test]
fn the_demo_snapshots_in_both_languages() {
    let fr = netplay_in(FR).args(["--color", "never", "demo", "--explain"]).output().unwrap();
    let en = netplay_in("C.UTF-8").args(["--color", "never", "demo", "--explain"]).output().unwrap();
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("demo_client_fr", client_end(&stdout(&fr), "client  │ "));
        insta::assert_snapshot!("demo_client_en", client_end(&stdout(&en), "client │ "));
    });
}

/// Ports the OS chose and times: what changes from one run to the next.
fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        // An ephemeral port (32768-60999 on Linux, 49152-65535 elsewhere).
        (r"\b(3[2-9]\d{3}|[45]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])\b", "[port]"),
        // A time: 850µs, 12.3ms, 2.50s; 850 µs, 12,3 ms, 2,50 s.
        (r"\d+([.,]\d+)?[\u{a0} ]?(µs|ms|s)\b", "[time]"),
        // TCP_INFO's counts, which timing moves (delayed ACKs).
        (r"TCP_INFO (in|en) [A-Z_0-9]+", "TCP_INFO $1 [state]"),
        (r"cwnd \d+", "cwnd [n]"),
        (r"\d+ (retransmitted|retransmis|segments|out|envoyés)\b", "[n] $1"),
        (r"\d+[\u{a0} ](B|o) (acked|acquittés)", "[n] $1 $2"),
    ]
}

/// `pattern` replaced in `text`, as insta's filters do (the test's own
/// comparisons use the same rules).
fn regex_lite(text: &str, pattern: &str, with: &str) -> String {
    let re = regex::Regex::new(pattern).unwrap();
    re.replace_all(text, with).into_owned()
}

/// Each error a learner meets (tests/suite/teach.rs), in French: one line,
/// with no English sentence left.
#[test]
fn the_errors_a_learner_meets_are_french() {
    let usage = [
        vec!["tcp", "connect", "12345", "127.0.0.1"],
        vec!["tcp", "connect", "12345", "-m", "hi"],
        vec!["tcp", "connect", "::1:12345"],
        vec!["tcp", "connect", "127.0.0.1", "0"],
        vec!["udp", "send", "127.0.0.1", "0", "-m", "x"],
        vec!["connect", "127.0.0.1", "12345"],
        vec!["--color", "never", "serve"],
        vec!["tcp", "serve", "-port", "12345"],
        vec!["tcp", "serve", "12345", "--port", "12346"],
        vec!["tcp", "serve", "--port", "http"],
        vec!["tcp", "serve", "--port", "70000"],
        vec!["tcp", "connect", "127.0.0.1:1", "--hex", "zz"],
        vec!["--color", "blue", "demo"],
        vec!["tcp", "conect"],
        vec!["tcp", "connect"],
        vec!["tcp", "connect", "127.0.0.1", "1", "--bogus"],
        vec!["tcp", "serve", "--idle-timeout", "soon"],
    ];
    for args in usage {
        let out = netplay_in(FR).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let text = stderr(&out);
        assert!(text.starts_with("erreur") || text.starts_with("netplay\u{a0}:"), "{args:?}: {text}");
        assert_french(&format!("{args:?}"), &text);
    }

    // Refused, where UDP holds the port: TCP and UDP ports are separate.
    let (_udp, addr) = udp_server(&[]);
    let out = netplay_in(FR).args(["tcp", "connect", &addr.to_string(), "-m", "hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let text = stderr(&out);
    assert!(text.contains("les ports TCP et UDP sont distincts"), "{text}");
    assert_french("refused", &text);

    // The course's first server: accept and close without recv(): a reset.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        let mut peek = [0u8; 1];
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.peek(&mut peek).unwrap();
        drop(s);
    });
    let out = netplay_in(FR)
        .args(["tcp", "connect", &addr.to_string(), "--no-shutdown", "-m", "Hello serveur !"])
        .output()
        .unwrap();
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(8));
    let text = stderr(&out);
    assert!(text.contains("réinitialis"), "{text}");
    assert_french("reset", &text);

    // A port nobody listens on.
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port().to_string();
    drop(free);
    let out = netplay_in(FR).args(["tcp", "connect", "127.0.0.1", &port, "-m", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_french("refused (stderr)", &stderr(&out));
    assert_french("refused (stdout)", &stdout(&out));

    // A privileged port, and a port in use.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = netplay_in(FR).args(["tcp", "serve", "--port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(stderr(&out).contains("adresse déjà utilisée"), "{}", stderr(&out));
    assert_french("in use", &stderr(&out));
    // Privileged ports are Unix's (src/sys/privileged.rs).
    #[cfg(unix)]
    if !nix::unistd::Uid::effective().is_root() {
        let out = netplay_in(FR).args(["tcp", "serve", "--port", "80"]).output().unwrap();
        assert_eq!(out.status.code(), Some(7));
        assert_french("privileged", &stderr(&out));
    }

    // The notes a learner reads: an IPv6 loopback server, an unbound UDP
    // sender, what typing does at a terminal.
    let out = netplay_in(FR)
        .args(["--color", "never", "tcp", "serve", "-6", "--port", "0", "--once", "--idle-timeout", "10ms"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("un client qui vise 127.0.0.1 n'arrive pas jusqu'ici"), "{}", stdout(&out));
    assert_french("-6 server", &stdout(&out));
    assert_french("-6 server (idle)", &stderr(&out));
    let (_udp, addr) = udp_server(&[]);
    let out = netplay_in(FR)
        .args(["--color", "never", "udp", "send", &addr.to_string(), "-m", "hi"])
        .output()
        .unwrap();
    assert_french("udp send", &stdout(&out));
    let text = in_terminal_in(FR, 80, &["udp", "send", &addr.to_string(), "--wait", "10ms"]);
    assert!(text.contains("chacune en un datagramme"), "{text}");
    assert_french("udp send at a terminal", &text);
    // `netplay` alone.
    let out = netplay_in(FR).output().unwrap();
    assert!(stdout(&out).contains("Pour commencer"), "{}", stdout(&out));
    assert_french("greeting", &stdout(&out));
    let _ = std::io::stdout().flush();
}

/// JSON is for programs: the same in every language.
#[test]
fn json_does_not_change_with_the_language() {
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port().to_string();
    drop(free);
    let run = |lang: &str| {
        let out = netplay_in(lang)
            .args(["--json", "tcp", "connect", "127.0.0.1", &port, "-m", "x"])
            .output()
            .unwrap();
        let events: Vec<String> = stdout(&out)
            .lines()
            .filter(|l| l.contains("\"connect_failed\""))
            .map(|l| regex_lite(l, r#""time_us":\d+"#, ""))
            .collect();
        (out.status.code(), events)
    };
    let (en_code, en) = run("C.UTF-8");
    let (fr_code, fr) = run(FR);
    assert_eq!(en_code, fr_code);
    assert_eq!(en, fr);
    assert!(en.iter().any(|l| l.contains("connection refused")), "{en:?}");
    let _ = Stdio::null();
}
