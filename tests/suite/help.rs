//! Snapshots of the help text: it is the reference for every flag, so a
//! change to it should be a decision, seen in review.

use crate::common;

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

/// `udp --help` listed `serve` with an unfinished sentence ("…; each
/// sender and each datagram").
#[test]
fn udp_help() {
    let text = help(&["udp", "--help"]);
    assert!(text.contains("and show each one with") && text.contains("its sender"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn tcp_help() {
    insta::assert_snapshot!(help(&["tcp", "--help"]));
}

fn help_in(lang: &str, args: &[&str]) -> String {
    let out = common::netplay_in(lang).args(args).env("COLUMNS", "100").output().unwrap();
    assert!(out.status.success(), "{args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Under a French locale `--help` is French, clap's own words included
/// (`Usage:`, `[default: …]`, `Print help`): built from the catalogues at
/// run time. Before, it was English whatever the locale.
#[test]
fn help_is_french_under_a_french_locale() {
    for args in [&["--help"][..], &["tcp", "serve", "--help"], &["udp", "--help"], &["udp", "send", "--help"]]
    {
        let text = help_in("fr_FR.UTF-8", args);
        assert!(text.contains("Utilisation\u{a0}: netplay"), "{text}");
        assert!(text.contains("Afficher l'aide"), "{text}");
        for english in
            ["Usage:", "Print help", "Options:", "[default:", "[possible values:", "Examples:", "Output ("]
        {
            assert!(!text.contains(english), "{english:?} in:\n{text}");
        }
    }
    insta::assert_snapshot!("tcp_serve_help_fr", help_in("fr_FR.UTF-8", &["tcp", "serve", "--help"]));
    // --lang fr asks for it in any locale.
    assert!(help_in("C.UTF-8", &["--lang", "fr", "udp", "--help"]).contains("Recevoir des datagrammes UDP"));
}

/// Completions and the man page are made from the English, whatever the
/// locale: they are installed once, for everyone.
#[test]
fn completions_and_the_man_page_stay_english() {
    let script = help_in("fr_FR.UTF-8", &["completions", "fish"]);
    assert!(script.contains("Listen for TCP connections"), "{script}");
    assert!(!script.contains("Attendre des connexions TCP"));
    let man = help_in("fr_FR.UTF-8", &["man"]);
    assert!(man.contains("Listen for TCP connections") && !man.contains("Attendre des connexions TCP"));
}

#[test]
fn nc_help() {
    insta::assert_snapshot!(help(&["nc", "-h"]));
}
