//! Names and values from outside (file names, hosts, ports and values as
//! typed, clap's argument errors) reach the terminal as the hex panel shows
//! text: no escape sequence, no control character, no bidi override raw
//! (issue 18, item 10). Each message is checked for what it must not carry,
//! and for the escaped name it must carry.

use crate::common;

use std::net::{TcpListener, UdpSocket};

use common::{netplay, offline, offline_in};

/// The name: it sets the window title (OSC 0), turns the text red,
/// reverses what follows (U+202E) and carries a C0 control.
const EVIL: &str = "evil\u{1b}]0;PWNED\u{7}\u{1b}[31mred\u{202e}\u{1}name";
/// The same name as the hex panel shows it.
const SHOWN: &str = "evil␛]0;PWNED␇␛[31mred×××␁name";

/// Asserts that `stderr` holds nothing a terminal would act on, and the
/// escaped name.
fn clean(what: &str, stderr: &[u8], shown: &str) {
    let text = String::from_utf8_lossy(stderr);
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c < ' ' && c != '\n')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(raw.is_empty(), "{what}: raw {raw:?} in {text:?}");
    assert!(text.contains(shown), "{what}: {shown:?} is not in {text:?}");
    assert_eq!(text.lines().count(), 1, "{what}: {text:?}");
}

#[test]
fn a_hostile_file_name_is_escaped_in_hex_errors() {
    let out = netplay().args(["hex", EVIL]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    clean("hex EVIL", &out.stderr, &format!("open {SHOWN}: no such file or directory"));

    // `nothing to show` names the file too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(EVIL);
    std::fs::write(&path, b"abc").unwrap();
    let out = netplay().args(["hex", "-s", "10"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    clean("nothing to show", &out.stderr, &format!("{SHOWN} has 3 bytes"));
}

#[test]
fn a_hostile_file_name_is_escaped_in_client_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join(EVIL);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let out =
        netplay().args(["tcp", "connect", "127.0.0.1", &port, "--file"]).arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    clean("tcp connect --file", &out.stderr, SHOWN);
    let out = netplay()
        .args(["--raw", "tcp", "connect", "127.0.0.1", &port, "--file"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    clean("tcp connect --raw --file", &out.stderr, SHOWN);

    // A directory: `udp send --file … is a directory`.
    std::fs::create_dir(&missing).unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = udp.local_addr().unwrap().port().to_string();
    let out = netplay().args(["udp", "send", "127.0.0.1", &port, "--file"]).arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    clean("udp send --file DIR", &out.stderr, SHOWN);
}

#[test]
fn a_hostile_pcap_path_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(EVIL).join("x.pcap");
    let out =
        netplay().args(["udp", "send", "127.0.0.1", "9", "-m", "x", "--pcap"]).arg(&path).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    clean("--pcap", &out.stderr, SHOWN);
}

#[test]
fn hosts_ports_and_values_as_typed_are_escaped() {
    // Never sent to a resolver: a host name has no such characters (and
    // with no network, even a bug would send no query off the machine).
    let out = offline().args(["tcp", "connect", EVIL, "80"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    clean("host", &out.stderr, SHOWN);
    let out = offline().args(["tcp", "connect", &format!("{EVIL}:80")]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    clean("host:port", &out.stderr, SHOWN);
    let out = offline().args(["tcp", "serve", "--host", EVIL]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    clean("--host", &out.stderr, SHOWN);
    let out = netplay().args(["tcp", "connect", "127.0.0.1", EVIL]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    clean("port", &out.stderr, &format!("port '{SHOWN}' is not a number"));
    // Values a flag's own parser refuses, and those clap refuses itself.
    for args in [
        vec!["tcp", "serve", "--port", EVIL],
        vec!["tcp", "serve", "--idle-timeout", EVIL],
        vec!["tcp", "serve", "--queue", EVIL],
        vec!["tcp", "serve", "--allow", EVIL],
        vec!["udp", "send", "127.0.0.1", "9", "--hex", EVIL],
        vec!["--color", EVIL, "demo"],
        vec!["tcp", "serve", EVIL, "--port", "1"],
        vec!["tcp", "serve", "--port", "1", &format!("--{EVIL}")],
        vec!["tcp", EVIL],
    ] {
        let out = offline().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        clean(&format!("{args:?}"), &out.stderr, SHOWN);
        // The same in French.
        let out = offline_in("fr_FR.UTF-8").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        clean(&format!("fr {args:?}"), &out.stderr, SHOWN);
    }
}

/// A file name that is not UTF-8 shows its stray byte as `×`.
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_shows_its_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"bad\xff\x9bname");
    let out = netplay().arg("hex").arg(name).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    clean("not UTF-8", &out.stderr, "open bad××name: no such file or directory");
}
