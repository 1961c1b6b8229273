//! The Windows build, run for real: `netplay.exe` (built by
//! `cargo build --profile ci-windows --target x86_64-pc-windows-gnu`, as
//! .ci/run does, or `--release`) under Wine on this
//! Linux machine, whose processes share the host's loopback. It serves the
//! course's own Python client, connects to the course's Python server,
//! serves and sends UDP, runs the demo, and says what Windows lacks in one
//! line each.
//!
//! Wine 8 has no bcryptprimitives.dll, which Rust's std imports on Windows:
//! the stand-in in tests/wine/processprng.c is built with the same mingw gcc
//! and put next to a copy of the exe (test tooling, never shipped).
//!
//! Without Wine, mingw gcc or the exe, each test says SKIPPED and passes;
//! under CI (CI set in the environment) that is a failure instead, since
//! .ci/run installs them and builds the exe.

use crate::common;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{BIN, COURSE_CLIENT, COURSE_SERVER, Proc};

/// Where the pieces are, once set up.
struct Wine {
    loader: PathBuf,
    prefix: PathBuf,
    exe: PathBuf,
}

/// Wine's limit on one run here: a first start builds its prefix.
const SLOW: Duration = Duration::from_secs(60);

/// The set-up, done once for all tests; None (said once) when a piece is
/// missing.
fn wine() -> Option<&'static Wine> {
    static WINE: OnceLock<Result<Wine, String>> = OnceLock::new();
    match WINE.get_or_init(set_up) {
        Ok(wine) => Some(wine),
        Err(why) if common::in_ci() => {
            panic!("the Windows test must run in CI, but {why} (.ci/run installs and builds it)")
        }
        Err(why) => {
            eprintln!("SKIPPED: {why} (.ci/run installs it and builds the exe)");
            None
        }
    }
}

fn set_up() -> Result<Wine, String> {
    // The target directory: the Linux binary is in <target>/debug.
    let target = Path::new(BIN).parent().and_then(Path::parent).ok_or("no target directory")?;
    // CI's profile (no fat LTO: the same code, built faster), else a release.
    let built = ["ci-windows", "release"]
        .iter()
        .map(|profile| target.join(format!("x86_64-pc-windows-gnu/{profile}/netplay.exe")))
        .find(|exe| exe.is_file())
        .ok_or_else(|| {
            format!("{} is not built", target.join("x86_64-pc-windows-gnu/ci-windows/netplay.exe").display())
        })?;
    let loader = ["wine", "wine64", "/usr/lib/wine/wine64"]
        .iter()
        .map(PathBuf::from)
        .find(|p| runs(Command::new(p).arg("--version")))
        .ok_or("Wine is not installed (Debian's wine64)")?;
    let dir = target.join("wine-run");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let exe = dir.join("netplay.exe");
    std::fs::copy(&built, &exe).map_err(|e| format!("cannot copy the exe: {e}"))?;
    let stub = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wine/processprng.c");
    let dll = dir.join("bcryptprimitives.dll");
    let compiled = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(&dll)
        .arg(&stub)
        .arg("-lbcrypt")
        .status();
    if !compiled.is_ok_and(|s| s.success()) {
        return Err(
            "x86_64-w64-mingw32-gcc (Debian's gcc-mingw-w64-x86-64) did not build the stub DLL".into()
        );
    }
    let wine = Wine { loader, prefix: target.join("wine-prefix"), exe };
    wine.keep_server()?;
    // The first run makes the prefix, before tests run at once, and
    // starts Wine's own processes (services.exe and the like), which live
    // as long as the server: with no pipes, so that none of them holds a
    // test's output open for the server's 60 s.
    let mut first = wine.command(&["--version"]);
    runs(first.stdin(Stdio::null()));
    let out = wine.run(&["--version"], None);
    if String::from_utf8_lossy(&out.stdout).trim() != concat!("netplay ", env!("CARGO_PKG_VERSION")) {
        return Err(format!(
            "netplay.exe --version under Wine printed {:?} ({})",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(wine)
}

fn runs(command: &mut Command) -> bool {
    command.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// How long the wineserver outlives its last client.
const SERVER_KEPT: &str = "-p60";

impl Wine {
    /// Starts the prefix's wineserver, kept 60 s after its last client.
    /// The one a client starts by itself is Debian's `wineserver -p0`,
    /// which ends the moment its last client does: a test starting
    /// netplay.exe just then met a server on its way out, and Wine
    /// printed "wine client error:0: recvmsg: Connection reset by peer"
    /// instead of running it (CI, udp bench). A server already running
    /// for the prefix (exit 2) is used as it is.
    fn keep_server(&self) -> Result<(), String> {
        let beside = self.loader.with_file_name("wineserver");
        let server = if beside.is_file() { beside } else { PathBuf::from("wineserver") };
        std::fs::create_dir_all(&self.prefix).map_err(|e| format!("cannot make the Wine prefix: {e}"))?;
        // It forks into the background once ready, and this returns.
        let status = Command::new(&server)
            .arg(SERVER_KEPT)
            .env("WINEPREFIX", &self.prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot start {}: {e}", server.display()))?;
        match status.code() {
            Some(0 | 2) => Ok(()),
            _ => Err(format!("{} {SERVER_KEPT} failed ({status})", server.display())),
        }
    }

    /// netplay.exe with `args`, as a command to start.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.loader);
        command
            .arg(&self.exe)
            .args(args)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko to offer to install: there is no network.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("NO_COLOR")
            .env_remove("DISPLAY");
        command
    }

    /// Runs netplay.exe to its end (within SLOW), with `stdin` if given.
    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        finish(self.command(args), stdin)
    }

    /// netplay.exe with `args`, running, its output read line by line.
    fn start(&self, args: &[&str]) -> Proc {
        Proc::spawn(self.command(args))
    }
}

/// Runs `command` to its end (within SLOW), with `stdin` if given; its
/// output is read as it comes, so a long one never blocks it.
fn finish(mut command: Command, stdin: Option<&[u8]>) -> Output {
    command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("start Wine");
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut all = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut all);
            }
            all
        })
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        std::io::Write::write_all(&mut pipe, bytes).expect("write netplay.exe's stdin");
    }
    let deadline = Instant::now() + SLOW;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for Wine") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{command:?} did not end within {SLOW:?}; stdout:\n{}\nstderr:\n{}",
                text(&stdout.join().unwrap()),
                text(&stderr.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn tcp_serve_serves_the_course_client() {
    let Some(wine) = wine() else { return };
    let mut server =
        wine.start(&["--json", "tcp", "serve", "--port", "0", "--once", "--reply", "Bonjour client !"]);
    let listening = server.event("listening");
    let port = listening["local"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let out = Command::new("python3").args(["-c", COURSE_CLIENT, &port]).output().expect("python3 runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "Réponse du serveur : Bonjour client !");
    assert_eq!(server.event("data")["hex"], common::hex(b"Hello serveur !"));
    assert_eq!(server.wait(), 0);
}

#[test]
fn tcp_serve_says_why_so_reuseaddr_is_off_on_windows() {
    let Some(wine) = wine() else { return };
    let mut server = wine.start(&["--explain", "tcp", "serve", "--port", "0", "--once"]);
    let line = server.expect(|l| l.contains("SO_REUSEADDR"));
    assert!(line.contains("SO_REUSEADDR = 0") && line.contains("safe choice on Windows"), "{line}");
    let why = server.expect(|l| l.contains("SO_EXCLUSIVEADDRUSE"));
    assert!(why.contains("On Windows SO_REUSEADDR lets a socket bind a port another socket uses"), "{why}");
}

#[test]
fn tcp_connect_talks_to_the_course_server() {
    let Some(wine) = wine() else { return };
    let mut python = Command::new("python3")
        .args(["-c", COURSE_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut from_python = std::io::BufReader::new(python.stdout.take().unwrap());
    let mut port = String::new();
    std::io::BufRead::read_line(&mut from_python, &mut port).unwrap();
    let out = wine.run(&["--raw", "tcp", "connect", "127.0.0.1", port.trim(), "-m", "Hello serveur !"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Bonjour client !");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut from_python, &mut rest).unwrap();
    assert_eq!(rest.trim(), "Données reçues : Hello serveur !");
    assert!(python.wait().unwrap().success());
}

#[test]
fn udp_serve_and_udp_send_both_on_windows() {
    let Some(wine) = wine() else { return };
    let mut server =
        wine.start(&["--json", "udp", "serve", "--port", "0", "--once", "--reply", "Bonjour client !"]);
    // No SO_RXQ_OVFL on Windows: said once, before the socket is bound.
    let notice = server.event("notice");
    assert!(
        notice["message"].as_str().unwrap().contains("gives no count of the datagrams it drops"),
        "{notice}"
    );
    let listening = server.event("listening");
    let port = listening["local"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let out = wine
        .run(&["--raw", "udp", "send", "127.0.0.1", &port, "-m", "Hello serveur !", "--wait", "5s"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Bonjour client !");
    let datagram = server.event("datagram");
    assert_eq!(datagram["hex"], common::hex(b"Hello serveur !"));
    assert_eq!(server.wait(), 0);
}

#[test]
fn a_datagram_cut_by_a_short_buffer_keeps_its_real_length() {
    let Some(wine) = wine() else { return };
    let mut server = wine.start(&["--json", "udp", "serve", "--port", "0", "--once", "--recv-size", "4"]);
    let listening = server.event("listening");
    let addr: std::net::SocketAddr = listening["local"].as_str().unwrap().parse().unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"0123456789", addr).unwrap();
    let datagram = server.event("datagram");
    assert_eq!(datagram["hex"], common::hex(b"0123"), "{datagram}");
    assert_eq!(datagram["arrived"], 10, "{datagram}");
    assert_eq!(server.wait(), 0);
}

/// `udp send --connect` to a closed port, with `lead` (global options)
/// first.
///
/// Three datagrams, 300 ms apart, where one would do on Windows: Wine's
/// server reads a socket's pending error (SO_ERROR, which clears it) when
/// it polls the socket, so a refusal that comes back before netplay's
/// receiving thread waits in recv() is lost under Wine (CI failed on it
/// twice; here 3 suite runs in 40; tcpdump showed the ICMP came; a 20-line
/// C client that sends before it receives loses it 60 times in 60 under
/// Wine). The next datagram is sent while recv() waits, and its refusal
/// comes through; the first refusal seen stops the rest (tests/suite/udp.rs
/// checks that on Linux).
fn send_to_a_closed_port(wine: &Wine, lead: &[&str]) -> Output {
    let port = {
        let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port().to_string()
    };
    let send = ["udp", "send", "--connect", "127.0.0.1", &port, "-m", "x"];
    let pace = ["--count", "3", "--interval", "300ms", "--wait", "2s"];
    wine.run(&[lead, &send[..], &pace[..]].concat(), None)
}

#[test]
fn a_closed_udp_port_is_refused_with_windows_words() {
    let Some(wine) = wine() else { return };
    let out = send_to_a_closed_port(wine, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{}{stderr}", text(&out.stdout));
    assert!(stderr.contains("an ICMP port unreachable came back"), "{stderr}");
    assert!(stderr.contains("WSAECONNRESET"), "{stderr}");
}

#[test]
fn the_demo_runs_and_its_impaired_row_says_why_not() {
    let Some(wine) = wine() else { return };
    let out = wine.run(&["--color", "never", "--columns", "100", "demo", "--loss", "10"], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", text(&out.stderr));
    for row in ["a closed port", "addresses and ports", "through netem"] {
        assert!(stdout.contains(row), "no '{row}' row:\n{stdout}");
    }
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("skipped: network namespaces and netem are Linux's"), "{stdout}");
}

#[test]
fn udp_bench_says_offloads_are_linux_only() {
    let Some(wine) = wine() else { return };
    let out = wine.run(&["udp", "bench", "--local", "--count", "2000", "--color", "never"], None);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    let flat = all.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("UDP offloads (UDP_SEGMENT, UDP_GRO) are Linux's"), "{all}");
}

#[test]
fn hex_dumps_stdin() {
    let Some(wine) = wine() else { return };
    let out = wine.run(&["--color", "never", "hex"], Some("fête".as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("66 c3 aa 74 65"), "{}", text(&out.stdout));
}

#[test]
fn colour_escapes_follow_clicolor_force() {
    let Some(wine) = wine() else { return };
    let mut forced = wine.command(&["hex"]);
    forced.env("CLICOLOR_FORCE", "1");
    let out = finish(forced, Some(b"hi"));
    assert!(out.stdout.contains(&0x1b), "no escape with CLICOLOR_FORCE=1: {:?}", text(&out.stdout));
    let plain = wine.run(&["hex"], Some(b"hi"));
    assert!(!plain.stdout.contains(&0x1b), "an escape into a pipe: {:?}", text(&plain.stdout));
}

#[test]
fn packets_say_they_are_linux_only_and_the_run_goes_on() {
    let Some(wine) = wine() else { return };
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port().to_string()
    };
    let out =
        wine.run(&["--color", "never", "tcp", "connect", "127.0.0.1", &port, "--packets", "-m", "x"], None);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("packet capture (--packets, --pcap) is Linux-only for now"), "{all}");
    // The connect was still tried, and refused as it would be without.
    assert_eq!(out.status.code(), Some(4), "{all}");
    assert!(all.contains(&format!("connect(127.0.0.1:{port})")), "{all}");
}

/// Wine turns a SIGINT into the console's Ctrl-C event, as a Windows
/// console does when Ctrl-C is pressed: both servers stop with totals.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_both_servers_with_their_totals() {
    let Some(wine) = wine() else { return };
    for (proto, ready, totals) in
        [("tcp", "listening on", "0 connections"), ("udp", "bound to", "0 datagrams in (0 B)")]
    {
        let mut server = wine.start(&["--color", "never", proto, "serve", "--port", "0"]);
        server.expect(|l| l.contains(ready));
        server.signal(nix::sys::signal::Signal::SIGINT);
        server.expect(|l| l.contains("stopped by Ctrl-C"));
        server.expect(|l| l.contains(totals));
        assert_eq!(server.wait(), 0, "{proto} serve");
    }
}

#[test]
fn windows_words_come_in_french_too() {
    let Some(wine) = wine() else { return };
    let out = send_to_a_closed_port(wine, &["--lang", "fr", "--color", "never"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(4), "{all}");
    let flat = all.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("réinitialisée") && flat.contains("(WSAECONNRESET) sur un recv() suivant"),
        "{all}"
    );
    assert!(flat.contains("Windows le rapporte en WSAECONNRESET"), "{all}");
}
