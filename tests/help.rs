//! Snapshots of the help text: it is the reference for every flag, so a
//! change to it should be a decision, seen in review.

mod common;

fn help(args: &[&str]) -> String {
    let out = common::netplay().args(args).env("COLUMNS", "100").output().unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&["--help"]));
}

#[test]
fn tcp_serve_help() {
    insta::assert_snapshot!(help(&["tcp", "serve", "--help"]));
}

#[test]
fn tcp_connect_help() {
    insta::assert_snapshot!(help(&["tcp", "connect", "--help"]));
}

#[test]
fn udp_serve_help() {
    insta::assert_snapshot!(help(&["udp", "serve", "--help"]));
}

#[test]
fn udp_send_help() {
    insta::assert_snapshot!(help(&["udp", "send", "--help"]));
}

#[test]
fn demo_help() {
    insta::assert_snapshot!(help(&["demo", "--help"]));
}

#[test]
fn tcp_bench_help() {
    insta::assert_snapshot!(help(&["tcp", "bench", "--help"]));
}

#[test]
fn udp_bench_help() {
    insta::assert_snapshot!(help(&["udp", "bench", "--help"]));
}

#[test]
fn hex_help() {
    insta::assert_snapshot!(help(&["hex", "--help"]));
}
