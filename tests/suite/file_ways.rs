#![cfg(target_os = "linux")]
//! How the raw relay sends a regular file of 64 MiB or more to a peer on
//! this machine (src/tcp/plan.rs): from a mapping, without the planner's
//! trials, unless `NETPLAY_SEND` asks for the trials or forces a way. The
//! note netplay prints says which way went; the bytes arrive whole
//! (sha256) every way. (A peer on another machine gets the trials: their
//! choice is unit-tested with injected timings in plan.rs.)

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::BIN;
use sha2::{Digest, Sha256};

/// 72 MiB and a few bytes: past the 64 MiB from which the way is planned.
const SIZE: usize = (72 << 20) + 4097;

/// `tcp connect --raw < file` with NETPLAY_SEND set to `way` (or unset),
/// into a listener of the test on 127.0.0.1: its exit code, what it said,
/// and the sha256 of what arrived.
fn send(file: &std::path::Path, way: Option<&str>) -> (i32, String, Vec<u8>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let mut command = Command::new(BIN);
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env_remove("NETPLAY_SEND")
        .args(["--raw", "--color", "never", "tcp", "connect", &addr])
        .stdin(std::fs::File::open(file).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(way) = way {
        command.env("NETPLAY_SEND", way);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let said =
        thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>());
    let (mut peer, _) = listener.accept().unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = peer.read(&mut buf).expect("reading what netplay sent");
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    drop(peer);
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "netplay did not exit after its peer read everything");
        thread::sleep(Duration::from_millis(10));
    };
    (code, said.join().unwrap().join("\n"), hash.finalize().to_vec())
}

#[test]
fn a_file_to_a_peer_on_this_machine_goes_from_a_mapping_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.bin");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let bytes: Vec<u8> = (0..SIZE)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 32) as u8
        })
        .collect();
    std::fs::write(&path, &bytes).unwrap();
    let want = Sha256::digest(&bytes).to_vec();
    let mapped = "sent with send(2) from an mmap(2) of stdin (a file)";
    let rule = "the way for a peer on this machine";
    let sendfile = "sent with sendfile(2), stdin (a file)";

    // Unset: the rule, the whole file from the mapping, no sendfile.
    let (code, said, got) = send(&path, None);
    assert_eq!(code, 0, "{said}");
    assert_eq!(got, want, "unset: the bytes differ (sha256)");
    assert!(said.contains(mapped) && said.contains(rule) && said.contains("72.0 MiB sent"), "{said}");
    assert!(!said.contains("sendfile(2), stdin"), "unset: sendfile sent bytes:\n{said}");

    // trials: the warm-up by sendfile, then both ways in turns.
    let (code, said, got) = send(&path, Some("trials"));
    assert_eq!(code, 0, "{said}");
    assert_eq!(got, want, "trials: the bytes differ (sha256)");
    assert!(said.contains("with sendfile(2), stdin") && said.contains(mapped), "{said}");
    assert!(!said.contains(rule), "trials: {said}");

    // Forced: one way only.
    let (code, said, got) = send(&path, Some("sendfile"));
    assert_eq!(code, 0, "{said}");
    assert_eq!(got, want, "sendfile: the bytes differ (sha256)");
    assert!(said.contains(sendfile) && !said.contains("mmap(2)"), "{said}");
}
