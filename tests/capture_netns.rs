//! Capture without root, and the error without CAP_NET_RAW: run as an
//! unprivileged user (as root, through `setpriv --reuid=65534`, on a copy of
//! this test binary that user can execute).
//!
//! `enter_private_netns` needs a process with a single thread, so this test
//! has its own main (harness = false) and runs each case in a child process
//! of this same binary:
//! - `--child-open`: try to capture; print the errno of socket(AF_PACKET)
//!   and the message `Capture::open` gives.
//! - `--child-netns PORT`: enter a private network namespace, check that a
//!   listener of the parent (on PORT) is out of reach, and capture a TCP
//!   handshake on the private loopback.

use std::process::ExitCode;

#[cfg(not(target_os = "linux"))]
fn main() -> ExitCode {
    println!("SKIPPED: packet capture and network namespaces are Linux-only");
    ExitCode::SUCCESS
}

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--child-open") => linux::child_open(),
        Some("--child-netns") => linux::child_netns(args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0)),
        _ => linux::parent(),
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::process::{Command, ExitCode, Output, Stdio};
    use std::thread;
    use std::time::{Duration, Instant};

    use netplay::capture::{
        Capture, CaptureError, CaptureOptions, Flows, HEADERS_ONLY, NetnsError, PacketKind,
        enter_private_netns,
    };
    use netplay::report::ladder::{self, Ends};
    use nix::unistd::Uid;
    use socket2::{Domain, Protocol, Socket, Type};

    const PATIENCE: Duration = Duration::from_secs(20);

    pub fn child_open() -> ExitCode {
        let raw = Socket::new(Domain::PACKET, Type::DGRAM, Some(Protocol::from(0x0300)));
        println!("errno {}", raw.err().and_then(|e| e.raw_os_error()).unwrap_or(0));
        let options = CaptureOptions { interface: "lo".into(), ports: vec![9], snaplen: HEADERS_ONLY };
        match Capture::open(&options) {
            Ok(_) => println!("open ok"),
            Err(e) => println!("open error: {e}"),
        }
        ExitCode::SUCCESS
    }

    pub fn child_netns(parent_port: u16) -> ExitCode {
        match enter_private_netns() {
            Ok(()) => {}
            Err(e @ NetnsError::Refused { .. }) => {
                println!("REFUSED {e}");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                println!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        // The parent's listener is in the other namespace.
        match TcpStream::connect(("127.0.0.1", parent_port)) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                println!("parent's port unreachable")
            }
            other => println!("parent's port: {other:?}"),
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind in the private namespace");
        let port = listener.local_addr().unwrap().port();
        let options = CaptureOptions { interface: "lo".into(), ports: vec![port], snaplen: HEADERS_ONLY };
        let mut capture = match Capture::open(&options) {
            Ok(c) => c,
            Err(e) => {
                println!("capture error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(b"hi").unwrap();
        let mut got = [0; 2];
        server.read_exact(&mut got).unwrap();
        let ends =
            Ends::new("client", client.local_addr().unwrap(), "server", listener.local_addr().unwrap());
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut flows = Flows::new();
        let mut kinds = Vec::new();
        while Instant::now() < deadline && !kinds.contains(&PacketKind::Data) {
            if let Some(mut c) = capture.recv(Duration::from_millis(50)).unwrap() {
                flows.annotate(&mut c.packet);
                println!("{}", ladder::line(&c.packet, &ends, false, 80));
                kinds.push(c.packet.kind());
            }
        }
        if kinds.starts_with(&[PacketKind::Syn, PacketKind::SynAck, PacketKind::Ack]) {
            println!("handshake captured");
        }
        ExitCode::SUCCESS
    }

    /// Runs this binary with `args`, as user 65534 when `unprivileged` (and
    /// this process is root), with a deadline.
    fn run(exe: &Path, args: &[&str], unprivileged: bool) -> Output {
        let mut cmd = if unprivileged && Uid::effective().is_root() {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        let mut child = cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
        let deadline = Instant::now() + PATIENCE;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                child.kill().unwrap();
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    }

    /// A copy of this binary that user 65534 can execute (the build
    /// directory may be private).
    fn public_copy(dir: &Path) -> PathBuf {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
        let exe = dir.join("capture_netns");
        fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
        fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
        exe
    }

    struct Tally {
        passed: usize,
        failed: usize,
        skipped: usize,
    }

    impl Tally {
        fn check(&mut self, name: &str, ok: bool, output: &Output) {
            let text = String::from_utf8_lossy(&output.stdout);
            if ok {
                self.passed += 1;
                println!("test {name} ... ok");
            } else {
                self.failed += 1;
                println!("test {name} ... FAILED\n{text}{}", String::from_utf8_lossy(&output.stderr));
            }
        }

        fn skip(&mut self, name: &str, why: &str) {
            self.skipped += 1;
            println!("test {name} ... SKIPPED: {why}");
        }
    }

    pub fn parent() -> ExitCode {
        let mut tally = Tally { passed: 0, failed: 0, skipped: 0 };
        let root = Uid::effective().is_root();
        let dir = tempfile::tempdir().unwrap();
        let have_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
        let exe = if root { public_copy(dir.path()) } else { std::env::current_exe().unwrap() };

        if root && !have_setpriv {
            tally.skip("unprivileged cases", "setpriv (util-linux) is not installed");
        } else {
            // Without CAP_NET_RAW: EPERM, and a message that says how to
            // grant it.
            let out = run(&exe, &["--child-open"], true);
            let text = String::from_utf8_lossy(&out.stdout);
            if text.contains("open ok") {
                tally.skip("open_without_cap_net_raw", "this user holds CAP_NET_RAW");
            } else {
                let ok = text.contains("errno 1\n")
                    && text.contains(&format!("open error: {}", CaptureError::NotPermitted))
                    && text.contains("sudo setcap cap_net_raw+ep \"$(command -v netplay)\"");
                tally.check("open_without_cap_net_raw_is_eperm_and_says_how_to_grant_it", ok, &out);
            }

            // A private network namespace, unprivileged.
            let outside = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = outside.local_addr().unwrap().port().to_string();
            let out = run(&exe, &["--child-netns", &port], true);
            let text = String::from_utf8_lossy(&out.stdout);
            if let Some(line) = text.lines().find(|l| l.starts_with("REFUSED")) {
                tally.skip(
                    "private_netns_unprivileged",
                    &format!("unprivileged user namespaces refused ({line})"),
                );
            } else {
                let ok = out.status.success()
                    && text.contains("parent's port unreachable")
                    && text.contains("handshake captured");
                tally.check("private_netns_lets_an_unprivileged_user_capture", ok, &out);
                print!("{text}");
            }
        }
        if root {
            let outside = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = outside.local_addr().unwrap().port().to_string();
            let out = run(&exe, &["--child-netns", &port], false);
            let text = String::from_utf8_lossy(&out.stdout);
            let ok = out.status.success()
                && text.contains("parent's port unreachable")
                && text.contains("handshake captured");
            tally.check("private_netns_as_root", ok, &out);
        }
        println!(
            "capture_netns: {} passed, {} failed, {} skipped",
            tally.passed, tally.failed, tally.skipped
        );
        if tally.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
    }
}
