//! What a client checks before it connects, and how it names its own port:
//! `--file DIR` fails before any socket exists (it used to connect first),
//! and a port given with `--source-port` is not called ephemeral.

use crate::common;

use std::net::TcpListener;
use std::time::Duration;

use common::{events, named, netplay, tcp_server};
use predicates::prelude::*;

#[test]
fn a_directory_as_file_fails_before_connecting() {
    let (mut server, addr) = tcp_server(&[]);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    netplay()
        .args(["--color", "never", "tcp", "connect", &addr.to_string(), "--file", dir])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("connect(").not())
        .stderr(format!("netplay: --file {dir} is a directory; give the path of a file to send\n"));
    let lines = server.lines_until_quiet(Duration::from_millis(500), Duration::from_secs(5)).unwrap();
    assert!(!lines.iter().any(|l| l.contains(r#""event":"accepted""#)), "the client connected: {lines:#?}");

    // udp send too: no socket at all.
    netplay()
        .args(["--color", "never", "udp", "send", "127.0.0.1", "9", "--file", dir])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("socket(").not())
        .stderr(predicate::str::contains("is a directory"));
    // A missing file, as before: one line, exit 1, nothing sent.
    netplay()
        .args(["tcp", "connect", &addr.to_string(), "--file", "/no/such/file"])
        .assert()
        .code(1)
        .stderr("netplay: open --file /no/such/file: no such file or directory\n");
}

#[test]
fn a_source_port_is_not_called_ephemeral() {
    let (_server, addr) = tcp_server(&[]);
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    netplay()
        .args(["--color", "never", "tcp", "connect", &addr.to_string(), "--source-port", &port, "-m", "hi"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "from 127.0.0.1:{port} (port {port} as asked with --source-port, not an ephemeral one)"
        )))
        .stdout(predicate::str::contains("ephemeral port").not());
    // Another port: the first pair may still wait in TIME_WAIT.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let out = netplay()
        .args(["--json", "tcp", "connect", &addr.to_string(), "--source-port", &port, "-m", "hi"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(named(&events(&out.stdout), "connected")[0]["ephemeral"], false);
    let out = netplay().args(["--json", "tcp", "connect", &addr.to_string(), "-m", "hi"]).output().unwrap();
    assert_eq!(named(&events(&out.stdout), "connected")[0]["ephemeral"], true);
}
