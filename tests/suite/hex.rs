//! `netplay hex` and `--decode`, through the real binary: each flag, the
//! squeeze rule, streaming from stdin, `| head`, decoding in the offline view
//! and on live chunks, and the live dump read against the offline one.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, PATIENCE, Proc, netplay, tcp_server};
use predicates::prelude::*;

/// A temporary file holding `bytes`.
fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

fn hex_of(args: &[&str], bytes: &[u8]) -> String {
    let file = file_with(bytes);
    let out = netplay().arg("hex").args(args).arg(file.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Bytes of every kind: text, UTF-8, control bytes, a run of zeros.
fn sample() -> Vec<u8> {
    let mut bytes = b"Hello serveur !\n".to_vec();
    bytes.extend("fête 日本 \u{1F600}\t".as_bytes());
    bytes.extend(0u8..=255);
    bytes.extend([0u8; 80]);
    bytes.extend(b"end");
    bytes
}

#[test]
fn a_file_shows_as_the_live_dump_shows_it() {
    let text = hex_of(&["--color", "never"], b"Hello serveur !");
    assert_eq!(text, "00000000  48 65 6c 6c 6f 20 73 65  72 76 65 75 72 20 21     │Hello serveur ! │\n");
}

#[test]
fn a_line_feed_does_not_look_like_an_underscore() {
    // Issue 11: without colour, the LF showed as `_`, like the real one.
    netplay()
        .args(["hex", "--color", "never"])
        .write_stdin("mon_fichier\n")
        .assert()
        .success()
        .stdout("00000000  6d 6f 6e 5f 66 69 63 68  69 65 72 0a              │mon_fichier␊    │\n");
}

#[test]
fn characters_that_could_move_cells_show_as_glyphs() {
    // Issue 10: U+0600 (a format character that joins the next one) and
    // U+202E (right-to-left override) reached the terminal; Hebrew would be
    // reversed by a terminal with bidi support.
    netplay()
        .args(["hex", "--color", "never"])
        .write_stdin("a\u{600}b\u{202e}c\u{5d0}d")
        .assert()
        .success()
        .stdout(predicate::str::contains("│a××b×××c××d     │"));
}

#[test]
fn stdin_is_read_with_a_dash_or_no_file() {
    for args in [&["hex", "-"][..], &["hex"][..]] {
        netplay()
            .args(args)
            .write_stdin("fête")
            .assert()
            .success()
            .stdout(predicate::str::contains("66 c3 aa 74 65").and(predicate::str::contains("│fête")));
    }
}

#[test]
fn skip_and_length_take_sizes_and_keep_offsets() {
    let bytes: Vec<u8> = (0..=255).collect();
    let text = hex_of(&["--color", "never", "-s", "0x10", "-n", "16"], &bytes);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("00000010  10 11 12 13"), "{text}");

    // A skip off the grid starts the first line at its column.
    let text = hex_of(&["--color", "never", "--skip", "5", "--length", "3"], &bytes);
    assert!(text.starts_with("00000000                 05 06 07  "), "{text}");

    // On stdin, skipped bytes are read and dropped.
    netplay()
        .args(["hex", "--color", "never", "-s", "1K", "-n", "2"])
        .write_stdin(vec![7u8; 1030])
        .assert()
        .success()
        .stdout("00000400  07 07                                             │␇␇              │\n");
}

#[test]
fn a_skip_past_the_end_shows_nothing_and_says_so() {
    // xxd prints nothing and exits 0; netplay also says why nothing shows.
    let file = file_with(&[9u8; 256]);
    for skip in ["4K", "256"] {
        let out = netplay().args(["hex", "-s", skip]).arg(file.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(out.stdout, b"");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("nothing to show"), "{stderr}");
        assert!(stderr.contains("has 256 bytes"), "{stderr}");
    }
    // From a pipe, what was there is counted as it is read.
    netplay()
        .args(["hex", "-s", "4K"])
        .write_stdin(vec![1u8; 100])
        .assert()
        .code(0)
        .stdout("")
        .stderr("netplay: nothing to show: stdin ended after 100 bytes, and --skip starts at byte 4096\n");
}

/// Runs netplay with `args` and stdin from `stdin`, and fails if it takes
/// longer than PATIENCE; gives its output.
fn run_bounded(args: &[&str], stdin: Stdio) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("netplay {args:?} still ran after {PATIENCE:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_skip_seeks_a_device_instead_of_reading_it() {
    // Issue 10: this read 10^12 bytes of /dev/zero (it hung); xxd answers
    // at once. The same from stdin redirected from the device.
    let expected =
        format!("e8d4a51000  {}  {}  │{}│\n", ["00"; 8].join(" "), ["00"; 8].join(" "), "⋄".repeat(16));
    let args = ["hex", "--color", "never", "-s", "1000000000000", "-n", "16"];
    let out = run_bounded(&[&args[..], &["/dev/zero"]].concat(), Stdio::null());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    assert!(out.status.success());
    let out = run_bounded(&args, Stdio::from(std::fs::File::open("/dev/zero").unwrap()));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn widths_8_16_32() {
    let bytes = [b'x'; 32];
    for (width, lines) in [("8", 4), ("16", 2), ("32", 1)] {
        let text = hex_of(&["--color", "never", "--no-squeeze", "--width", width], &bytes);
        assert_eq!(text.lines().count(), lines, "{width}: {text}");
    }
    netplay()
        .args(["hex", "--width", "12"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use 8, 16 or 32"));
}

#[test]
fn repeated_lines_squeeze_unless_asked_not_to() {
    let mut bytes = vec![0u8; 64];
    bytes.extend(b"tail");
    let text = hex_of(&["--color", "never"], &bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("00000000  00 00"));
    assert_eq!(lines[1], "*");
    assert!(lines[2].starts_with("00000040  74 61 69 6c"), "{text}");

    let all = hex_of(&["--color", "never", "--no-squeeze"], &bytes);
    assert_eq!(all.lines().count(), 5, "{all}");
    assert!(!all.contains('*'));

    // A file that ends in a squeezed run ends with its length.
    let text = hex_of(&["--color", "never"], &[0u8; 64]);
    assert!(text.ends_with("*\n00000040\n"), "{text}");
}

#[test]
fn colour_follows_the_flag() {
    let bytes = sample();
    assert!(hex_of(&["--color", "always"], &bytes).contains("\x1b[36m48"));
    assert!(!hex_of(&["--color", "never"], &bytes).contains('\x1b'));
    // auto: stdout is a pipe here, so no colour.
    assert!(!hex_of(&[], &bytes).contains('\x1b'));
}

#[test]
fn a_large_file_renders_as_its_parts_would() {
    // Past the size where two threads share a read; the text must be the
    // same as the dump of each line alone, in order, with the same offsets.
    let bytes: Vec<u8> = (0..600_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let text = hex_of(&["--color", "never", "--no-squeeze"], &bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), bytes.len().div_ceil(16));
    for (i, line) in lines.iter().enumerate().step_by(997) {
        let expected =
            netplay::hexdump::dump(&bytes[i * 16..(i * 16 + 16).min(bytes.len())], Default::default(), false);
        assert_eq!(&line[8..], &expected.trim_end()[8..], "line {i}");
        assert_eq!(u64::from_str_radix(&line[..8], 16).unwrap(), i as u64 * 16);
    }
}

#[test]
fn stdin_is_shown_as_it_arrives() {
    let mut hex = Proc::start_piped(&["hex", "--color", "never"]);
    hex.write_stdin(b"hello");
    // Shown while stdin is still open: the read is not held back.
    hex.expect(|l| l.starts_with("00000000  68 65 6c 6c 6f"));
    hex.write_stdin(b" world");
    hex.expect(|l| l.starts_with("00000000                 20 77 6f  72 6c 64"));
    drop(hex.stdin.take());
    assert_eq!(hex.wait(), 0);
}

#[test]
fn closing_the_output_early_exits_quietly_with_0() {
    let big = file_with(&vec![0x5au8; 8 << 20]);
    let mut child = Command::new(BIN)
        .args(["hex", "--no-squeeze"])
        .arg(big.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -n 2`: read two lines, then close the pipe.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for _ in 0..2 {
        line.clear();
        stdout.read_line(&mut line).unwrap();
        assert!(line.contains("5a 5a"), "{line}");
    }
    drop(stdout);
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "netplay hex kept running after its output closed");
        thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn a_closed_output_ends_the_run_while_stdin_stays_open() {
    // Like `tail -f log | netplay hex | head -n 1`: once a write fails,
    // netplay must exit without waiting for input that may never come.
    let mut child = Command::new(BIN)
        .args(["hex", "--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"first line\n").unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("first line"), "{line}");
    drop(stdout);
    // This one is rendered, and its write fails; stdin stays open. It is
    // sent again now and then: while another test of this process is
    // between fork and exec, its child holds a copy of every pipe for a
    // moment, and a write made then finds a reader.
    let deadline = Instant::now() + PATIENCE;
    let mut next_line = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            child.kill().unwrap();
            panic!("netplay hex still waited for stdin after its output closed");
        }
        if Instant::now() >= next_line {
            let _ = stdin.write_all(b"second line\n");
            next_line = Instant::now() + Duration::from_millis(200);
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
    drop(stdin);
}

#[test]
fn errors_are_one_line_with_their_exit_code() {
    netplay()
        .args(["hex", "/no/such/file"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("open /no/such/file"));
    netplay().args(["--json", "hex", "-"]).write_stdin("x").assert().code(2);
    netplay()
        .args(["hex", "-n", "lots"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'lots' is not a size"));
}

#[test]
fn decode_shows_each_record_like_iter_unpack() {
    // The course's example, then one more record and a byte left over.
    let text = hex_of(&["--color", "never", "--decode", ">h"], &[1, 2, 3, 4, 5]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("00000000  01 02 03 04 05"), "{text}");
    assert_eq!(lines[1], "          ↳ 00000000 (258,)");
    assert_eq!(lines[2], "          ↳ 00000002 (772,)");
    assert_eq!(lines[3], "          ↳ 00000004 at the end of the input: format '>h' needs 2 bytes, got 1");

    // Values print as Python prints them.
    let text = hex_of(&["--decode", "<?3sd"], &[[1u8].as_slice(), b"ab'", &2.5f64.to_le_bytes()].concat());
    assert!(text.contains("↳ 00000000 (True, b\"ab'\", 2.5)"), "{text}");
}

#[test]
fn a_bad_format_is_refused_at_startup() {
    for format in [">z", "h>", "4", ""] {
        netplay()
            .args(["hex", "--decode", format])
            .write_stdin("x")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--decode"));
    }
    netplay()
        .args(["tcp", "serve", "--port", "0", "--decode", "q!"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("byte-order character '!' not at the start"));
}

#[test]
fn live_chunks_are_decoded_in_json() {
    let (mut server, addr) = tcp_server(&["--once", "--decode", ">h"]);
    let mut client = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    client.write_all(&[1, 2]).unwrap();
    let data = server.event("data");
    assert_eq!(data["decoded"], "(258,)");
    assert_eq!(data["values"], serde_json::json!([258]));
    // One byte: too few, a note instead of values.
    client.write_all(&[7]).unwrap();
    let data = server.event("data");
    assert_eq!(data["decode_error"], "format '>h' needs 2 bytes, got 1");
    drop(client);
    server.event("closed");
    assert_eq!(server.wait(), 0);
}

/// Starts a human-output server on port 0 and returns it with its address.
fn human_server(args: &[&str]) -> (Proc, std::net::SocketAddr) {
    let mut all = vec!["tcp", "serve", "--port", "0", "--once"];
    all.extend_from_slice(args);
    let mut server = Proc::start(&all);
    let line = server.expect(|l| l.contains("listening on"));
    let addr = line.split_whitespace().find_map(|w| w.parse().ok()).expect("an address");
    (server, addr)
}

#[test]
fn live_chunks_are_decoded_under_their_dump() {
    let (mut server, addr) = human_server(&["--color", "never", "--decode", ">h"]);
    let mut client = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    client.write_all(&[1, 2, 3]).unwrap();
    server.expect(|l| l.starts_with("00000000  01 02 03"));
    assert_eq!(server.expect(|_| true), "          ↳ >h on the first 2 of 3 bytes: (258,)");
    client.write_all(&[9]).unwrap();
    server.expect(|l| l.contains("09"));
    assert_eq!(server.expect(|_| true), "          ↳ note: format '>h' needs 2 bytes, got 1");
}

#[test]
fn the_live_dump_is_the_offline_dump_plus_headers() {
    // 16-byte reads of data sent in one write keep chunks on the line grid,
    // so the lines must be exactly those of `netplay hex`, colour included,
    // squeezed runs included (the dumper of a connection spans its chunks).
    let bytes = sample();
    let (mut server, addr) = human_server(&["--color", "always", "--recv-size", "16"]);
    let mut client = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    client.write_all(&bytes).unwrap();
    drop(client);
    let mut live = Vec::new();
    for line in server.rest() {
        let plain = line.trim_start_matches(|c: char| c.is_ascii_hexdigit());
        let is_dump =
            line == "*" || (line.len() > plain.len() && (plain.is_empty() || plain.starts_with("  ")));
        if is_dump {
            live.push(line);
        }
    }
    let offline = hex_of(&["--color", "always"], &bytes);
    assert_eq!(live.join("\n") + "\n", offline);
}
