//! `--packets` and `--pcap` when things go wrong (issue 18, items 3, 8 and
//! 9): a UDP flood, a full disk, a capture killed, a FIFO as the file, and
//! datagrams the IP layer cuts in fragments. tcpdump reading the pcap file
//! is the oracle; memory is read from /proc. Capturing needs CAP_NET_RAW
//! (CI runs as root): without it each test says SKIPPED. Every wait is
//! bounded, and no assertion is about time.

#![cfg(target_os = "linux")]

use crate::common;

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, Netns, PATIENCE, Proc, have};
use netplay::capture::{Capture, CaptureError, CaptureOptions, HEADERS_ONLY};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// True when this process may capture; otherwise says SKIPPED.
fn can_capture() -> bool {
    let options = CaptureOptions { interface: "lo".into(), ports: vec![9], snaplen: HEADERS_ONLY };
    match Capture::open(&options) {
        Ok(_) => true,
        Err(CaptureError::NotPermitted) => {
            println!("SKIPPED: packet capture needs CAP_NET_RAW (run the tests as root)");
            false
        }
        Err(e) => panic!("capture: {e}"),
    }
}

/// A child that is killed (by its own handle) if the test ends before it.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn signal(child: &Child, signal: Signal) {
    kill(Pid::from_raw(child.id() as i32), signal).unwrap();
}

/// Waits (bounded) for the child to end; its exit code.
fn exit_code(child: &mut Child) -> i32 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "netplay did not end within {PATIENCE:?}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// The lines of a stream, kept as they come; the receiver hears when the
/// stream ends.
fn collect(stream: impl Read + Send + 'static) -> (Arc<Mutex<Vec<String>>>, std::sync::mpsc::Receiver<()>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let kept = lines.clone();
    let (ended, end) = std::sync::mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
        let _ = ended.send(());
    });
    (lines, end)
}

/// A process's resident memory (VmRSS), in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// tcpdump's reading of a pcap file (-v for the fragment fields), line by
/// line; a file cut mid-record fails.
fn tcpdump(path: &Path) -> Vec<String> {
    let out = Command::new("tcpdump").args(["-n", "-v", "-r"]).arg(path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tcpdump -r failed: {stderr}");
    assert!(!stderr.contains("truncated"), "a cut file: {stderr}");
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// The memory bound docs/capture.md and the README state for `--packets`
/// under any flood, in KiB.
const FLOOD_RSS_BOUND_KIB: u64 = 96 * 1024;

/// Issue 18, item 3: a flood of 1-byte datagrams at `--packets udp serve`
/// whose stdout nobody reads (a FIFO opened and never read: the output is
/// as slow as it gets): memory stays under the stated bound, the packets
/// not shown are counted and said, and SIGINT ends the run with its totals
/// (on stderr, once stdout is given up).
#[test]
fn a_flood_under_capture_stays_bounded_and_sigint_ends_it() {
    if !can_capture() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stdout");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let _reader = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&fifo).unwrap();
    let writer = OpenOptions::new().write(true).open(&fifo).unwrap();
    let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Guard(
        Command::new(BIN)
            .args(["--packets", "--color", "never", "udp", "serve", "--port", &port.to_string()])
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let server = &mut server.0;
    let pid = server.id();
    let stderr = collect(server.stderr.take().unwrap());
    // Bound: the port answers no more with a refusal (a datagram to a
    // closed port brings an ICMP error back to a connected socket).
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe.connect(("127.0.0.1", port)).unwrap();
    probe.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let deadline = Instant::now() + PATIENCE;
    loop {
        probe.send(b"?").unwrap();
        match probe.recv(&mut [0u8; 1]) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
            _ => break,
        }
        assert!(Instant::now() < deadline, "udp serve did not bind port {port}");
    }
    // Two senders, as fast as they can, for a bounded time.
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            thread::spawn(move || {
                let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
                let mut sent = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if socket.send_to(b"x", ("127.0.0.1", port)).is_ok() {
                        sent += 1;
                    }
                }
                sent
            })
        })
        .collect();
    let flood = Instant::now();
    let mut peak = 0;
    while flood.elapsed() < Duration::from_secs(4) {
        peak = peak.max(rss_kib(pid).unwrap_or(0));
        thread::sleep(Duration::from_millis(50));
    }
    // SIGINT during the flood: the run ends whatever is queued.
    signal(server, Signal::SIGINT);
    let code = exit_code(server);
    stop.store(true, Ordering::Relaxed);
    let sent: u64 = senders.into_iter().map(|s| s.join().unwrap()).sum();
    assert!(sent > 10_000, "the flood sent only {sent} datagrams");
    let err = when_ended(&stderr);
    assert_eq!(code, 0, "{}", tail(&err));
    assert!(peak < FLOOD_RSS_BOUND_KIB, "resident memory reached {peak} KiB under the flood");
    // The totals, the packets not shown, and the events passed over at
    // the stop: all on stderr, since stdout took nothing.
    for words in ["■ stopped by SIGINT", "packets were not shown", "the rest of the report is here"] {
        assert!(err.contains(words), "{words:?} is not on stderr:\n{}", tail(&err));
    }
    println!("flood: {sent} datagrams sent, peak RSS {peak} KiB");
}

/// What a process wrote to a stream, once its reader has seen the end.
fn when_ended((lines, end): &(Arc<Mutex<Vec<String>>>, std::sync::mpsc::Receiver<()>)) -> String {
    end.recv_timeout(PATIENCE).expect("the stream ends with the process");
    lines.lock().unwrap().join("\n")
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Issue 18, item 8: `--pcap /dev/full` is one message, and a failure.
#[test]
fn a_pcap_file_on_a_full_device_is_one_error_and_a_failure() {
    if !can_capture() {
        return;
    }
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = udp.local_addr().unwrap().port().to_string();
    let out = Command::new(BIN)
        .args(["--pcap", "/dev/full", "udp", "send", "127.0.0.1", &port, "-m", "x"])
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--pcap /dev/full") && stderr.contains("no space left on device"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("pcap") && !stdout.contains("Error reading bytes"),
        "a second message: {stdout}"
    );
}

/// Issue 18, item 8: a disk that fills under a long-running server (a
/// 64 KiB tmpfs in a mount namespace of the test's own): the error is said
/// when it happens, the server goes on, and it ends with exit code 1.
#[test]
fn a_disk_that_fills_is_said_when_it_happens_and_fails_the_run() {
    if !can_capture() || !have("unshare") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "mount -t tmpfs -o size=64k netplay-test {dir} && exec {BIN} --pcap {dir}/capture.pcap --color never udp serve --port 0",
        dir = dir.path().display()
    );
    let mut server = Proc::spawn({
        let mut c = Command::new("unshare");
        c.args(["-m", "--propagation", "private", "sh", "-c", &script]);
        c
    });
    let line = server.expect(|l| l.starts_with("● bound to 127.0.0.1:"));
    let port: u16 = line["● bound to 127.0.0.1:".len()..].split_whitespace().next().unwrap().parse().unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    // 200 datagrams of 1 KiB: three times what the file system holds.
    for _ in 0..200 {
        client.send_to(&[7; 1024], ("127.0.0.1", port)).unwrap();
    }
    let error = server.expect(|l| l.contains("--pcap") && l.contains("writing failed"));
    assert!(error.contains("no space left on device"), "{error}");
    // Still serving: another datagram is shown.
    client.send_to(b"still here", ("127.0.0.1", port)).unwrap();
    server.expect(|l| l.contains("still here"));
    server.signal(Signal::SIGINT);
    assert_eq!(server.wait(), 1, "a pcap file that could not be written is a failure");
    // Said once, when it happened: no second line at the end.
    let rest = server.rest();
    assert!(!rest.iter().any(|l| l.contains("pcap")), "{rest:?}");
    let stderr = server.rest_stderr();
    assert!(stderr.is_empty(), "{stderr:?}");
}

/// Issue 18, item 8: what was captured is in the file within a second,
/// whatever comes next: a server killed with SIGKILL after three
/// connections leaves them all, readable by tcpdump.
#[test]
fn a_capture_killed_leaves_its_packets_in_the_file() {
    if !can_capture() || !have("tcpdump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.pcap");
    let mut server =
        Proc::start(&["--pcap", path.to_str().unwrap(), "--json", "tcp", "serve", "--port", "0"]);
    let listening = server.event("listening");
    let addr: SocketAddr = listening["local"].as_str().unwrap().parse().unwrap();
    for _ in 0..3 {
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        std::io::Write::write_all(&mut c, b"hello").unwrap();
        c.shutdown(std::net::Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        c.set_read_timeout(Some(PATIENCE)).unwrap();
        let _ = c.read_to_end(&mut rest);
        server.event("closed");
    }
    // The file fills without the server ending: wait for it, bounded.
    let deadline = Instant::now() + PATIENCE;
    let syns = loop {
        let syns = if std::fs::metadata(&path).is_ok_and(|m| m.len() > 24) {
            tcpdump(&path).iter().filter(|l| l.contains("Flags [S]")).count()
        } else {
            0
        };
        if syns == 3 || Instant::now() > deadline {
            break syns;
        }
        thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(syns, 3, "the file holds {syns} of the 3 SYNs while the server runs");
    server.signal(Signal::SIGKILL);
    let _ = server.wait_within(PATIENCE);
    let packets = tcpdump(&path);
    assert_eq!(packets.iter().filter(|l| l.contains("Flags [S]")).count(), 3, "{packets:?}");
    assert!(packets.iter().filter(|l| l.contains("Flags [F")).count() >= 6, "{packets:?}");
}

/// Issue 18, item 8: a FIFO as --pcap says that it waits for a reader, then
/// goes on once one comes.
#[test]
fn a_fifo_as_pcap_says_it_waits_for_its_reader() {
    if !can_capture() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.pcap");
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let mut server =
        Proc::start(&["--pcap", path.to_str().unwrap(), "--color", "never", "tcp", "serve", "--port", "0"]);
    let waiting = server.expect(|l| l.contains("is a FIFO"));
    assert!(waiting.contains("waiting here for a reader"), "{waiting}");
    // Nothing is bound yet; a reader comes, and the server goes on.
    let reader = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&path).unwrap();
    server.expect(|l| l.starts_with("● listening on"));
    drop(reader);
}

/// The datagram line of a run's output, with its words.
fn datagram_line(lines: &[String], bytes: usize) -> Option<&String> {
    let label = format!("UDP {bytes} bytes");
    lines.iter().find(|l| l.contains(&label))
}

/// Issue 18, item 9: a 65,527-byte datagram over ::1 is cut in two (the
/// loopback's MTU is 65,536): both ends draw it as one datagram in 2 IP
/// fragments, and the pcap file holds both fragments.
#[test]
fn a_datagram_cut_in_fragments_over_ipv6_loopback_is_drawn_and_saved() {
    if !can_capture() || !have("tcpdump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("server.pcap");
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b'6'; 65527]).unwrap();
    let mut server = Proc::start(&[
        "--packets",
        "--pcap",
        pcap.to_str().unwrap(),
        "--color",
        "never",
        "udp",
        "serve",
        "-6",
        "--port",
        "0",
        "--once",
    ]);
    let line = server.expect(|l| l.starts_with("● bound to [::1]:"));
    let port = line["● bound to [::1]:".len()..].split_whitespace().next().unwrap().to_string();
    let client = Command::new(BIN)
        .args(["--packets", "--color", "never", "udp", "send", "::1", &port, "--file"])
        .arg(&big)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let client_out: Vec<String> =
        String::from_utf8_lossy(&client.stdout).lines().map(str::to_string).collect();
    assert!(client.status.success(), "{}", String::from_utf8_lossy(&client.stderr));
    let drawn = datagram_line(&client_out, 65527).unwrap_or_else(|| panic!("client: {client_out:#?}"));
    assert!(drawn.contains("in 2 IP fragments"), "{drawn}");
    assert_eq!(server.wait(), 0);
    let server_out = server.rest();
    let seen: Vec<String> = server.seen().iter().cloned().chain(server_out).collect();
    let drawn = datagram_line(&seen, 65527).unwrap_or_else(|| panic!("server: {seen:#?}"));
    assert!(drawn.contains("in 2 IP fragments"), "{drawn}");
    // --json: the datagram's packet event says it too.
    let json = Command::new(BIN)
        .args(["--json", "--packets", "udp", "send", "::1", "9", "--file"])
        .arg(&big)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let events = common::events(&json.stdout);
    let udp =
        events.iter().find(|e| e["event"] == "packet" && e["kind"] == "udp").expect("a udp packet event");
    assert_eq!((udp["length"].as_u64(), udp["fragments"].as_u64()), (Some(65527), Some(2)), "{udp}");
    // tcpdump: both fragments, one with the UDP header.
    let packets = tcpdump(&pcap);
    let fragments: Vec<&String> = packets.iter().filter(|l| l.contains("frag (")).collect();
    assert_eq!(fragments.len(), 2, "{packets:#?}");
    assert!(packets.iter().any(|l| l.contains("UDP, length 65527")), "{packets:#?}");
}

/// Issue 18, item 9: a 1,600-byte datagram over a 1500-byte MTU (a veth
/// pair between two namespaces of the test's own): each end draws it as
/// one datagram in 2 IP fragments, and each pcap file holds both.
#[test]
fn a_datagram_cut_in_fragments_over_a_1500_byte_link_is_drawn_at_both_ends() {
    if !can_capture() || !have("tcpdump") {
        return;
    }
    let (Some(a), Some(b)) = (Netns::new(None), Netns::new(None)) else { return };
    let (va, vb) =
        (format!("np{}a", std::process::id() % 100_000), format!("np{}b", std::process::id() % 100_000));
    let added = Command::new("ip")
        .args(["link", "add", &va, "netns", &a.name, "type", "veth", "peer", "name", &vb, "netns", &b.name])
        .status()
        .unwrap();
    assert!(added.success(), "ip link add veth");
    a.ip(&["addr", "add", "10.200.0.1/24", "dev", &va]);
    b.ip(&["addr", "add", "10.200.0.2/24", "dev", &vb]);
    a.ip(&["link", "set", &va, "mtu", "1500", "up"]);
    b.ip(&["link", "set", &vb, "mtu", "1500", "up"]);
    let dir = tempfile::tempdir().unwrap();
    let (server_pcap, client_pcap, payload) =
        (dir.path().join("server.pcap"), dir.path().join("client.pcap"), dir.path().join("payload"));
    std::fs::write(&payload, vec![b'4'; 1600]).unwrap();
    let mut server = a.start(&[
        "--packets",
        "--pcap",
        server_pcap.to_str().unwrap(),
        "--color",
        "never",
        "udp",
        "serve",
        "--host",
        "10.200.0.1",
        "--port",
        "0",
        "--once",
    ]);
    let line = server.expect(|l| l.starts_with("● bound to 10.200.0.1:"));
    let port = line["● bound to 10.200.0.1:".len()..].split_whitespace().next().unwrap().to_string();
    let client = b
        .netplay()
        .args(["--packets", "--pcap", client_pcap.to_str().unwrap(), "--color", "never"])
        .args(["udp", "send", "10.200.0.1", &port, "--file", payload.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(client.status.success(), "{}", String::from_utf8_lossy(&client.stderr));
    let client_out: Vec<String> =
        String::from_utf8_lossy(&client.stdout).lines().map(str::to_string).collect();
    let drawn = datagram_line(&client_out, 1600).unwrap_or_else(|| panic!("client: {client_out:#?}"));
    assert!(drawn.contains("in 2 IP fragments"), "{drawn}");
    assert_eq!(server.wait(), 0);
    let rest = server.rest();
    let seen: Vec<String> = server.seen().iter().cloned().chain(rest).collect();
    let drawn = datagram_line(&seen, 1600).unwrap_or_else(|| panic!("server: {seen:#?}"));
    assert!(drawn.contains("in 2 IP fragments"), "{drawn}");
    for pcap in [&server_pcap, &client_pcap] {
        let packets = tcpdump(pcap);
        let fragments: Vec<&String> = packets.iter().filter(|l| l.contains("offset")).collect();
        assert_eq!(fragments.len(), 2, "{}: {packets:#?}", pcap.display());
        assert!(packets.iter().any(|l| l.contains("flags [+]")), "{packets:#?}");
    }
}
