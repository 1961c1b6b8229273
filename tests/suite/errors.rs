//! Every failure a user can provoke: one clear line on stderr naming what
//! failed and where, a documented exit code, never a panic.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{BIN, PATIENCE, netplay};
use predicates::prelude::*;
use socket2::{Domain, Socket, Type};

/// Asserts one line on stderr that contains each of `parts`, and no panic.
fn one_line(parts: &'static [&'static str]) -> impl Predicate<[u8]> {
    predicate::function(move |stderr: &[u8]| {
        let text = String::from_utf8_lossy(stderr);
        let ok = text.lines().count() == 1 && parts.iter().all(|p| text.contains(p));
        if !ok {
            eprintln!("stderr was: {text:?}; wanted one line with {parts:?}");
        }
        ok && !text.contains("panicked")
    })
}

#[test]
fn port_not_a_number() {
    netplay()
        .args(["tcp", "serve", "--port", "http"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("port 'http' is not a number"))
        .stderr(predicate::str::contains("0 to 65535"));
    netplay()
        .args(["tcp", "connect", "127.0.0.1", "abc"])
        .assert()
        .code(2)
        .stderr(one_line(&["port 'abc' is not a number"]));
}

#[test]
fn port_above_65535() {
    netplay()
        .args(["tcp", "serve", "-p", "70000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("port 70000 is out of range"));
    netplay()
        .args(["tcp", "connect", "127.0.0.1:65536"])
        .assert()
        .code(2)
        .stderr(one_line(&["port 65536 is out of range"]));
}

#[test]
fn unknown_host() {
    // A 64-character label is invalid in DNS, so the resolver fails at once
    // without sending a query off this machine.
    let host = format!("{}.invalid", "a".repeat(64));
    netplay().args(["tcp", "connect", &host, "80"]).assert().code(3).stderr(one_line(&[
        "cannot resolve host",
        ".invalid",
        "check the spelling",
    ]));
}

#[test]
fn no_address_in_the_family_asked_for() {
    netplay()
        .args(["tcp", "connect", "-6", "127.0.0.1", "80"])
        .assert()
        .code(3)
        .stderr(one_line(&["has no IPv6 (-6) address"]));
}

#[test]
fn address_already_in_use() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    // The holder is this test: it is named, with its pid (tests/suite/restart.rs
    // has the other cases).
    let named = format!("(pid {}) listens on TCP port {port}", std::process::id());
    netplay()
        .args(["tcp", "serve", "--port", &port])
        .assert()
        .code(6)
        .stderr(one_line(&["bind 127.0.0.1:", "address already in use"]))
        .stderr(predicate::str::contains(named));
}

// Privileged ports are Linux's and macOS's (src/sys/privileged.rs); this
// runs the binary as nobody with Linux's setpriv.
#[cfg(target_os = "linux")]
#[test]
fn privileged_port_is_refused_to_an_unprivileged_user() {
    // Run as nobody: as root the bind would succeed. The binary is copied
    // where nobody may run it.
    let dir = tempfile::tempdir().unwrap();
    let bin = common::public_copy(dir.path());
    let is_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]).arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd.args(["tcp", "serve", "--port", "80"]).stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(stderr.contains("bind 127.0.0.1:80: permission denied"), "{stderr}");
    assert!(stderr.contains("ports below 1024 are privileged (80 is HTTP's)"), "{stderr}");
    assert!(stderr.contains("CAP_NET_BIND_SERVICE"), "{stderr}");
    assert!(stderr.contains("try --port 12345"), "{stderr}");
}

#[test]
fn connection_refused() {
    // A port bound and never listened on, held for the whole test: a
    // connect() to it is refused, and no other socket can take it meanwhile
    // (a probe listener closed before the run left the port free, and a
    // test running in parallel once took it: the connection was accepted).
    let closed = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    closed.bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    let port = closed.local_addr().unwrap().as_socket().unwrap().port().to_string();
    netplay()
        .args(["tcp", "connect", "127.0.0.1", &port, "-m", "x"])
        .assert()
        .code(4)
        .stderr(one_line(&["connection refused", "is the server running"]));
    drop(closed);
}

#[test]
fn connect_timeout() {
    // A listener whose accept queue is full drops new SYNs, so connect()
    // waits: the timeout fires without any traffic off loopback.
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener.bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the queue (backlog 0 still admits one or two).
    let _fillers: Vec<_> = (0..4)
        .filter_map(|_| std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok())
        .collect();
    netplay()
        .args(["tcp", "connect", &addr.to_string(), "--timeout", "300ms", "-m", "x"])
        .assert()
        .code(5)
        .stderr(one_line(&["timed out", "--timeout"]));
}

#[test]
fn idle_timeout_when_the_server_stays_silent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (done, ended) = mpsc::channel::<()>();
    let peer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut buf = Vec::new();
        // Read to EOF, then say nothing and keep the connection open until
        // netplay has ended (a fixed 2 s here once let the peer's FIN reach
        // a netplay slowed by load before its timeout: an EOF, exit 0).
        s.read_to_end(&mut buf).unwrap();
        let _ = ended.recv_timeout(PATIENCE);
        drop(s);
    });
    netplay()
        .args(["tcp", "connect", "127.0.0.1", &port, "-m", "x", "--timeout", "300ms"])
        .assert()
        .code(5)
        .stderr(one_line(&["waiting for data from 127.0.0.1:", "nothing for 300.0ms", "raise --timeout,"]));
    done.send(()).unwrap();
    peer.join().unwrap();
}

#[test]
fn connection_reset_by_peer() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let peer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut buf = [0u8; 1];
        s.read_exact(&mut buf).unwrap();
        // Close with SO_LINGER 0: the kernel sends RST, not FIN.
        socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
    });
    netplay()
        .args(["tcp", "connect", "127.0.0.1", &port, "-m", "x", "--no-shutdown", "--timeout", "5s"])
        .assert()
        .code(8)
        .stderr(one_line(&["recv from 127.0.0.1:", "connection reset by peer", "RST"]));
    peer.join().unwrap();
}

#[test]
fn bad_hex_and_missing_file() {
    netplay()
        .args(["tcp", "connect", "127.0.0.1", "1", "--hex", "01 zz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'z' at position 4 is not a hex digit"));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    netplay()
        .args(["tcp", "connect", "127.0.0.1", &port, "--file", "/no/such/file"])
        .assert()
        .code(1)
        .stderr(one_line(&["open --file /no/such/file", "no such file"]));
}

#[test]
fn bad_values_name_the_flag() {
    netplay()
        .args(["tcp", "connect", "127.0.0.1", "1", "--timeout", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'soon' is not a duration"));
    netplay()
        .args(["tcp", "serve", "--recv-size", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--recv-size"));
    netplay()
        .args(["tcp", "connect", "::1"])
        .assert()
        .code(2)
        .stderr(one_line(&["IPv6 address without a port"]));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (read_hi, hi_read) = mpsc::channel::<()>();
    let peer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_write_timeout(Some(PATIENCE)).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        // Take netplay's "hi" first: closing with unread bytes would send a
        // reset, and netplay would report that instead of its closed stdout.
        let mut hi = [0u8; 2];
        s.read_exact(&mut hi).unwrap();
        // Now the test may close netplay's stdout: "hi" is delivered.
        read_hi.send(()).unwrap();
        // Plenty of output for netplay to write into a closed pipe.
        let _ = s.write_all(&vec![b'x'; 1 << 20]);
        // Stay connected until netplay has gone.
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
    });
    let mut child = Command::new(BIN)
        .args(["tcp", "connect", "127.0.0.1", &port, "--no-shutdown", "-m", "hi"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read until the connection is made, wait until the peer has read
    // "hi" (a stdout closed while its input is not yet delivered is exit 1
    // by design: tests/suite/stdout_leaves.rs; under load that happened here),
    // then close the pipe as `| head` would, with output still to come.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("connected to") {
        line.clear();
        assert!(std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0, "no connection");
    }
    hi_read.recv_timeout(PATIENCE).expect("the peer read \"hi\"");
    drop(stdout);
    let out = wait_with_deadline(child);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    peer.join().unwrap();
}

fn wait_with_deadline(mut child: std::process::Child) -> std::process::Output {
    let deadline = std::time::Instant::now() + PATIENCE;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("netplay did not exit");
        }
        thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn no_command_is_a_usage_error() {
    netplay().args(["--color", "never"]).assert().code(2).stderr(one_line(&["no command given"]));
}

#[test]
fn legend_lists_every_category() {
    netplay()
        .args(["--legend", "--color", "never"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Null"))
        .stdout(predicate::str::contains("NonAscii"))
        .stdout(predicate::str::contains("fête").or(predicate::str::contains("UTF-8")));
}

/// Issue 18, item 12: an output error is said once, and `--help` or
/// `--version` that could not be written is no success (GNU tools exit
/// non-zero too).
#[cfg(unix)]
#[test]
fn a_full_stdout_is_said_once_and_fails() {
    for args in [&["--legend"][..], &["--help"], &["--version"], &["tcp", "serve", "--help"]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = Command::new(BIN).args(args).env("LANG", "C.UTF-8").stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr, "netplay: writing output: no space left on device\n", "{args:?}");
    }
}

/// Issue 18, item 12: a command-line error is one line, as every other
/// failure: what is wrong, then what to try.
#[test]
fn command_line_errors_are_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["tcp", "serve", "--bogus"], "unexpected argument '--bogus'; see `netplay tcp serve --help`"),
        (&["tcp", "serve", "--hots", "x"], "a similar argument exists: '--host'"),
        (&["tcp", "conect"], "unrecognized subcommand 'conect'; a similar subcommand exists: 'connect'"),
        (&["tcp", "connect"], "missing <HOST>; usage: netplay tcp connect"),
        (&["--color", "blue", "demo"], "possible values: auto, always, never"),
        (&["--json", "--raw", "demo"], "'--json' cannot be used with '--raw'"),
        (&["tcp", "connect", "h", "1", "-m", "x", "--file", "Cargo.toml"], "cannot be used with"),
        (&["serve"], "'serve' needs its protocol first"),
    ];
    for (args, words) in cases {
        for lang in ["C.UTF-8", "fr_FR.UTF-8"] {
            let out = common::netplay_in(lang).args(*args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{lang} {args:?}: {stderr}");
            assert!(stderr.starts_with("netplay"), "{lang} {args:?}: {stderr}");
            if lang == "C.UTF-8" {
                assert!(stderr.contains(words), "{args:?}: {stderr}");
            }
        }
    }
}

/// Issue 19, section 2: nc's flags given to a native subcommand are one
/// line naming what does their job here (the subcommand or the native
/// flag) and `netplay nc`, exit 2. Before, each was clap's bare
/// "unexpected argument", and `tcp serve -q 0` (nc's `-l -q 0` habit)
/// started a quiet server on a port the OS chose, saying nothing.
#[test]
fn nc_flags_name_the_native_form() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["tcp", "connect", "127.0.0.1", "9", "-l"],
            &["nc's -l listens", "`netplay tcp serve`", "`netplay nc`"],
        ),
        (&["tcp", "serve", "-lk", "--port", "0"], &["serve listens already: leave -l out", "`netplay nc`"]),
        (&["udp", "send", "-l", "127.0.0.1", "9"], &["`netplay udp serve`"]),
        (&["tcp", "connect", "-u", "127.0.0.1", "9"], &["nc's -u is UDP", "`netplay udp send`"]),
        (&["tcp", "serve", "-u", "--port", "0"], &["`netplay udp serve`"]),
        (&["tcp", "serve", "-k", "--port", "0"], &["nc's -k", "--once", "--sequential", "`netplay nc`"]),
        (&["tcp", "connect", "-z", "127.0.0.1", "9"], &["nc's -z", "`netplay nc`"]),
        (&["tcp", "connect", "-w", "1", "127.0.0.1", "9"], &["nc's -w", "--timeout DUR"]),
        (&["tcp", "serve", "-w", "1", "--port", "0"], &["nc's -w", "--idle-timeout DUR"]),
        (&["udp", "send", "-w", "1", "127.0.0.1", "9"], &["nc's -w", "--wait DUR"]),
        (&["tcp", "connect", "-N", "127.0.0.1", "9"], &["nc's -N", "--half-close always"]),
        (&["tcp", "connect", "-p", "4000", "127.0.0.1", "9"], &["nc's -p", "--source-port PORT"]),
        (&["tcp", "connect", "-C", "127.0.0.1", "9"], &["-C is one of nc's flags", "`netplay nc`"]),
        (
            &["tcp", "serve", "-q", "0"],
            &[
                "-q is netplay's --quiet",
                "`netplay nc -q SECONDS`",
                "--half-close always",
                "`netplay -q tcp serve 0`",
            ],
        ),
        (
            &["tcp", "connect", "127.0.0.1", "9", "-q", "1"],
            &["unexpected argument '1'", "`netplay nc -q SECONDS`"],
        ),
    ];
    for (args, words) in cases {
        for lang in ["C.UTF-8", "fr_FR.UTF-8"] {
            let out = common::netplay_in(lang).args(*args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{lang} {args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{lang} {args:?}: {stderr}");
            assert!(out.stdout.is_empty(), "{lang} {args:?}");
            let want: Vec<&str> = match lang {
                "C.UTF-8" => words.to_vec(),
                // The native form is named in French too.
                _ => words
                    .iter()
                    .copied()
                    .filter(|w| (w.starts_with('`') || w.starts_with("--")) && !w.contains("SECONDS"))
                    .collect(),
            };
            for word in want {
                assert!(stderr.contains(word), "{lang} {args:?}: {word:?} not in {stderr}");
            }
        }
    }
}

/// Issue 18, item 12: numbers that do not parse are sentences naming the
/// flag, the value and the range, never Rust's own words.
#[test]
fn numbers_out_of_range_name_the_flag_value_and_range() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--columns", "1e3", "hex", "-"],
            "invalid value '1e3' for '--columns <N>': not a whole number: use one from 20 to 65535",
        ),
        (
            &["--columns", "5", "hex", "-"],
            "invalid value '5' for '--columns <N>': out of range: use 20 to 65535",
        ),
        (
            &["tcp", "serve", "--max-conns", "99999999999999999999"],
            "invalid value '99999999999999999999' for '--max-conns <N>': out of range: use 1 to 4294967295",
        ),
        (&["tcp", "serve", "--max-conns", "0"], "out of range: use 1 to 4294967295"),
        (
            &["tcp", "serve", "--backlog", "99999999999"],
            "invalid value '99999999999' for '--backlog <N>': out of range: use 0 to 2147483647",
        ),
        (
            &["tcp", "serve", "--backlog", "-1"],
            "invalid value '-1' for '--backlog <N>': out of range: use 0 to 2147483647",
        ),
        (&["tcp", "bench", "--local", "--size", "0"], "'--size <SIZE>': a send size of 0 would send nothing"),
        (&["tcp", "bench", "--local", "--recv-size", "0"], "a receive size of 0 would read nothing"),
    ];
    for (args, words) in cases {
        let out = netplay().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        for rust in ["invalid digit", "too large to fit", "-2147483648", "is not in"] {
            assert!(!stderr.contains(rust), "{args:?}: {stderr}");
        }
    }
}

/// Issue 18, item 12: a duration is written the same way with a unit or
/// without: `1e3` is refused as `1e3s` is, and both name the range.
#[test]
fn a_duration_reads_the_same_with_or_without_its_unit() {
    for value in ["1e3", "1e3s", "inf", "NaN"] {
        let out = netplay().args(["tcp", "serve", "--idle-timeout", value]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value}: {stderr}");
        assert!(stderr.contains(&format!("'{value}' is not a duration: use 1ms to 7days")), "{stderr}");
    }
}

/// Issue 18, item 12: --lang takes FR as fr.
#[test]
fn the_language_is_named_in_any_case() {
    for lang in ["FR", "Fr", "fr"] {
        netplay()
            .args(["--lang", lang, "--legend", "--color", "never"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Catégories d'octets"));
    }
}

/// Issue 18, item 12: offsets are 64-bit; a dump that reaches the last one
/// stops there rather than count from 0 again.
#[cfg(unix)]
#[test]
fn a_dump_stops_at_the_last_64_bit_offset() {
    let out = netplay()
        .args(["hex", "--color", "never", "-s", "18446744073709551615", "/dev/zero"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("fffffffffffffff0 ") && stdout.contains("00  │"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the dump stops at offset ffffffffffffffff"));
    let out = netplay()
        .args(["hex", "--color", "never", "-s", "0xfffffffffffffff8", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
