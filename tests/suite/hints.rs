//! Every command or address a hint suggests works: each is taken from the
//! error line as a learner would copy it, run (through `sh -c`, as pasted
//! into a shell; in a private network namespace where a name is involved),
//! and must not fail the way the hint meant to fix. In English and French.

use crate::common;

use std::net::Ipv6Addr;
use std::process::{Command, Stdio};

use common::{BIN, Netns, PATIENCE, Proc, bound, netplay_in, tcp_server, udp_server};

const LANGS: [&str; 2] = ["C.UTF-8", "fr_FR.UTF-8"];

/// The spans between backticks in `line`: the commands it suggests.
fn commands(line: &str) -> Vec<String> {
    line.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// `command` (which starts with `netplay`) as a shell would run it pasted,
/// with this build's netplay; `exec`, so that the handle is netplay's own.
fn pasted(command: &str) -> Command {
    let rest = command.strip_prefix("netplay ").unwrap_or_else(|| panic!("not a netplay command: {command}"));
    let mut sh = Command::new("sh");
    sh.args(["-c", &format!("exec {} {rest}", shell_words::quote(BIN))]);
    sh.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C.UTF-8").env_remove("NO_COLOR");
    sh
}

/// Runs `command` with `stdin`, within PATIENCE; its exit code and stderr.
fn run(mut command: Command, stdin: &[u8]) -> (i32, String) {
    let mut cmd = assert_cmd::Command::from_std({
        command.stdin(Stdio::piped());
        command
    });
    let out = cmd.timeout(PATIENCE).write_stdin(stdin.to_vec()).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The one error line of a failed run.
fn error_line(args: &[&str], lang: &str, code: i32) -> String {
    let out = netplay_in(lang).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    let line = stderr.lines().find(|l| l.starts_with("netplay")).unwrap_or_else(|| panic!("{stderr}"));
    line.to_string()
}

/// `::1:P` (P a port of 5 digits is no group of an address) gets a hint
/// whose every bracketed address is an address, and each suggested form
/// connects. Before, it suggested `[::1:P]:PORT`, which is not one (and,
/// followed, went to the resolver).
#[test]
fn an_ipv6_address_glued_to_its_port_gets_forms_that_connect() {
    for lang in LANGS {
        let (_server, addr) = tcp_server(&["-6", "--reply", "ok"]);
        let port = addr.port();
        let line = error_line(&["tcp", "connect", &format!("::1:{port}"), "-m", "hi"], lang, 2);
        let mut forms = Vec::new();
        for (i, _) in line.match_indices('[') {
            let inside = &line[i + 1..i + line[i..].find(']').unwrap()];
            assert!(inside.split('%').next().unwrap().parse::<Ipv6Addr>().is_ok(), "[{inside}] in: {line}");
            let after = &line[i + inside.len() + 2..];
            if let Some(digits) =
                after.strip_prefix(':').map(|a| a.split(|c: char| !c.is_ascii_digit()).next().unwrap())
                && !digits.is_empty()
            {
                forms.push(vec![format!("[{inside}]:{digits}")]);
            }
        }
        // "… give it apart: ::1 P" / "donnez-le à part : ::1 P"
        let apart = line.rsplit(": ").next().unwrap().trim();
        let words: Vec<String> = apart.split(' ').map(str::to_string).collect();
        assert_eq!(words, ["::1".to_string(), port.to_string()], "{line}");
        forms.push(words);
        assert!(forms.len() >= 2, "{line}");
        for form in forms {
            let mut args = vec!["tcp", "connect"];
            args.extend(form.iter().map(String::as_str));
            args.extend(["-m", "hi"]);
            netplay_in(lang).args(&args).assert().success();
        }
    }
}

/// `:::1 P` (three colons, the port apart) is no address: the hint offers
/// addresses, the first of which, with the port as given, connects. Issue
/// 20: it was read as an IPv6 address missing its port, as `::1:P` was,
/// and sent to `[:::1]:PORT`. Asked with no network (`unshare -n`): even
/// a bug would query no resolver.
#[test]
fn three_colons_get_an_address_that_connects() {
    if !common::can_unshare() {
        eprintln!("SKIPPED: unshare -n is not allowed here");
        return;
    }
    for lang in LANGS {
        let (_server, addr) = tcp_server(&["-6", "--reply", "ok"]);
        let port = addr.port().to_string();
        let out =
            common::offline_in(lang).args(["tcp", "connect", ":::1", &port, "-m", "hi"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let line = stderr.lines().find(|l| l.starts_with("netplay")).unwrap_or_else(|| panic!("{stderr}"));
        assert!(!line.contains("[:::1"), "{line}");
        let offered: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| w.parse::<Ipv6Addr>().is_ok())
            .collect();
        assert_eq!(offered.first(), Some(&"::1"), "no address offered first in: {line}");
        netplay_in(lang).args(["tcp", "connect", offered[0], &port, "-m", "hi"]).assert().success();
    }
}

/// A UDP socket holds the port a TCP client was refused on: the error
/// names its program as a shell reads it (`'>h'`, which unquoted would
/// write a file named h) and gives the command that reaches it.
#[test]
fn a_tcp_refusal_names_the_udp_holder_quoted_and_a_command_that_reaches_it() {
    for lang in LANGS {
        let (mut server, addr) = udp_server(&["--decode", ">h"]);
        let port = addr.port().to_string();
        let line = error_line(&["tcp", "connect", "127.0.0.1", &port, "-m", "hi"], lang, 4);
        let found = commands(&line);
        assert_eq!(found.len(), 2, "{line}");
        // The holder's command line, through a real shell, is its argv.
        let dir = tempfile::tempdir().unwrap();
        let rest = found[0].strip_prefix("netplay ").unwrap_or_else(|| panic!("{line}"));
        let out = Command::new("sh")
            .args(["-c", &format!("printf '%s\\n' {rest}")])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let argv = std::fs::read(format!("/proc/{}/cmdline", server.pid())).unwrap();
        let argv: Vec<String> = argv
            .split(|&b| b == 0)
            .filter(|w| !w.is_empty())
            .skip(1)
            .map(|w| String::from_utf8_lossy(w).into())
            .collect();
        let shell: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
        assert_eq!(shell, argv, "{line}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the shell wrote a file: {line}");
        // The command it suggests sends the server a datagram.
        assert_eq!(found[1], format!("netplay udp send 127.0.0.1 {port}"), "{line}");
        let (code, stderr) = run(pasted(&found[1]), b"hi\n");
        assert_eq!(code, 0, "{stderr}");
        let got = server.event_with("datagram", "dir", "in");
        assert_eq!(got["hex"], common::hex(b"hi"), "{got}");
    }
}

/// The other way round: a connected UDP socket refused where a TCP server
/// listens.
#[test]
fn a_udp_refusal_names_the_tcp_server_and_a_command_that_reaches_it() {
    for lang in LANGS {
        // The refusal is an ICMP port unreachable, which the test cannot
        // make certain: another test's UDP socket may hold the same port
        // number (TCP and UDP ports are drawn apart), and the kernel
        // rate-limits ICMP errors (net.ipv4.icmp_msgs_per_sec). Neither is
        // what this test checks (seen once in a loaded full run), so a
        // send that came back with no refusal (exit 0) is tried again on a
        // new port, at most three times.
        let (mut server, port, line) = (1..=3)
            .find_map(|attempt| {
                let (server, addr) = tcp_server(&[]);
                let port = addr.port().to_string();
                let args = ["udp", "send", "--connect", "127.0.0.1", &port, "-m", "hi", "--wait", "5s"];
                let out = netplay_in(lang).args(args).output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                if out.status.code() == Some(0) && attempt < 3 {
                    return None;
                }
                assert_eq!(out.status.code(), Some(4), "{args:?}: {stderr}");
                let line =
                    stderr.lines().find(|l| l.starts_with("netplay")).unwrap_or_else(|| panic!("{stderr}"));
                Some((server, port, line.to_string()))
            })
            .unwrap();
        let found = commands(&line);
        assert_eq!(found.last().unwrap(), &format!("netplay tcp connect 127.0.0.1 {port}"), "{line}");
        let (code, stderr) = run(pasted(found.last().unwrap()), b"hi\n");
        assert_eq!(code, 0, "{stderr}");
        server.event("accepted");
    }
}

/// `tcp serve -6` listens on ::1 only; a client sent to `localhost`, which
/// this namespace's /etc/hosts gives as 127.0.0.1 only, is refused: the
/// error names the listener's address and a command that reaches it.
#[test]
fn an_ipv6_only_listener_refused_to_localhost_is_named_with_a_command_that_reaches_it() {
    let Some(netns) = Netns::new(Some("127.0.0.1 localhost\n")) else { return };
    for lang in LANGS {
        let (mut server, addr) = bound(netns.start(&["--json", "tcp", "serve", "-6", "--port", "0"]));
        let port = addr.port().to_string();
        let out = netns
            .netplay()
            .env("LANG", lang)
            .args(["tcp", "connect", "localhost", &port, "-m", "hi"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(4), "{stderr}");
        assert!(stderr.contains(&format!("[::1]:{port}")), "{stderr}");
        let found = commands(&stderr);
        let suggested = found.last().unwrap_or_else(|| panic!("no command in: {stderr}"));
        assert_eq!(suggested, &format!("netplay tcp connect ::1 {port}"), "{stderr}");
        let rest = suggested.strip_prefix("netplay ").unwrap();
        let mut sh = netns.command("sh");
        sh.args(["-c", &format!("exec {} {rest}", shell_words::quote(BIN))]);
        let (code, stderr) = run(sh, b"hi\n");
        assert_eq!(code, 0, "{stderr}");
        server.event("accepted");
    }
}

/// The usage error's one line, what is wrong and then the tip, and the
/// command in it.
fn tip(args: &[&str], lang: &str) -> String {
    let out = netplay_in(lang).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    let line = stderr.trim_end();
    assert!(!line.contains("--help"), "no tip for {args:?}: {stderr}");
    let found = commands(line);
    assert_eq!(found.len(), 1, "{line}");
    found[0].clone()
}

/// Usage errors a learner of the course meets: each tip's command, pasted
/// into a shell, does what was meant.
#[test]
fn usage_errors_suggest_a_command_that_works() {
    for lang in LANGS {
        let (mut udp, addr) = udp_server(&["--reply", "ok"]);
        let port = addr.port().to_string();
        let command = tip(&["udp", "connect", "127.0.0.1", &port, "-m", "hi", "--wait", "5s"], lang);
        assert!(command.contains("udp send --connect"), "{command}");
        assert_eq!(run(pasted(&command), b"").0, 0, "{command}");
        udp.event_with("datagram", "dir", "in");

        let (mut tcp, addr) = tcp_server(&[]);
        let port = addr.port().to_string();
        let command = tip(&["tcp", "send", "127.0.0.1", &port, "-m", "hi"], lang);
        assert_eq!(run(pasted(&command), b"").0, 0, "{command}");
        assert_eq!(tcp.event("data")["hex"], common::hex(b"hi"));

        // A message without -m, quoted or cut by the shell at its spaces.
        for message in [&["Hello serveur !"][..], &["Hello", "serveur", "!"]] {
            let mut args = vec!["tcp", "connect", "127.0.0.1", port.as_str()];
            args.extend(message);
            let command = tip(&args, lang);
            assert!(command.ends_with("-m 'Hello serveur !'"), "{command}");
            assert_eq!(run(pasted(&command), b"").0, 0, "{command}");
            assert_eq!(tcp.event("data")["hex"], common::hex(b"Hello serveur !"));
        }

        // -6 before the subcommand: the tip puts it after.
        let command = tip(&["--json", "-6", "tcp", "serve", "--port", "0"], lang);
        assert_eq!(command, "netplay --json tcp serve -6 --port 0");
        let mut server = Proc::spawn(pasted(&command));
        assert!(server.event("listening")["local"].as_str().unwrap().starts_with("[::1]:"));
    }
}

/// A subcommand without its protocol (`netplay connect …`): both commands
/// the error offers are the whole command line, the protocol put in, and
/// each one pasted does what was meant. Before, it offered
/// `netplay tcp connect` alone, without the host, the port or the message.
#[test]
fn a_command_without_its_protocol_gets_whole_commands_that_work() {
    for lang in LANGS {
        let (mut tcp, addr) = tcp_server(&[]);
        let port = addr.port().to_string();
        let out =
            netplay_in(lang).args(["connect", "127.0.0.1", &port, "-m", "Hello serveur !"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let found = commands(&stderr);
        assert_eq!(found.len(), 2, "{stderr}");
        assert_eq!(run(pasted(&found[0]), b"").0, 0, "{}", found[0]);
        assert_eq!(tcp.event("data")["hex"], common::hex(b"Hello serveur !"));

        let (mut udp, addr) = udp_server(&[]);
        let port = addr.port().to_string();
        let out = netplay_in(lang).args(["send", "127.0.0.1", &port, "-m", "hi"]).output().unwrap();
        let found = commands(&String::from_utf8_lossy(&out.stderr));
        assert_eq!(run(pasted(&found[1]), b"").0, 0, "{}", found[1]);
        assert_eq!(udp.event_with("datagram", "dir", "in")["hex"], common::hex(b"hi"));
    }
}

/// `PORT HOST` and a port without its host: the form the error ends on
/// (`… : 127.0.0.1 P`) connects.
#[test]
fn a_swapped_or_missing_host_gets_a_form_that_connects() {
    for lang in LANGS {
        let (_server, addr) = tcp_server(&[]);
        let port = addr.port().to_string();
        for args in [vec![port.as_str(), "127.0.0.1"], vec![port.as_str()]] {
            let mut all = vec!["tcp", "connect"];
            all.extend(&args);
            let line = error_line(&all, lang, 2);
            let form: Vec<&str> = line.rsplit([':', '\u{a0}', ' ']).take(2).collect();
            let (host, port_given) = (form[1], form[0]);
            assert_eq!((host, port_given), ("127.0.0.1", port.as_str()), "{line}");
            netplay_in(lang).args(["tcp", "connect", host, port_given, "-m", "hi"]).assert().success();
        }
    }
}

/// A server that idles a client out names the option that set the limit:
/// tcp serve's is --idle-timeout (the hint said `raise --timeout`, which
/// tcp serve refuses: exit 2). The option it names, raised, serves a
/// client that waits half a second before it sends.
#[test]
fn an_idle_client_s_hint_names_the_server_s_own_option() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let flag = regex::Regex::new(r"(?:raise|augmentez) (--[a-z-]+)").unwrap();
    for lang in LANGS {
        let mut command = Command::new(BIN);
        command.args([
            "--color",
            "never",
            "tcp",
            "serve",
            "--port",
            "0",
            "--once",
            "--idle-timeout",
            "300ms",
        ]);
        command.env("LANG", lang);
        let mut server = Proc::spawn(command);
        let line = server.expect(|l| l.starts_with("● "));
        let port = line.rsplit(':').next().unwrap().split(' ').next().unwrap().to_string();
        let silent = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        assert_eq!(server.wait_within(PATIENCE), Some(5));
        drop(silent);
        let stderr = server.rest_stderr().join("\n");
        let named = flag.captures(&stderr).unwrap_or_else(|| panic!("{stderr}"))[1].to_string();
        assert_eq!(named, "--idle-timeout", "{stderr}");

        let mut command = Command::new(BIN);
        command.args(["--color", "never", "tcp", "serve", "--port", "0", "--once", &named, "5s"]);
        let mut server = Proc::spawn(command);
        let line = server.expect(|l| l.starts_with("● "));
        let port = line.rsplit(':').next().unwrap().split(' ').next().unwrap().to_string();
        let mut client = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        // The client's own pace (the scenario), longer than the first limit.
        std::thread::sleep(std::time::Duration::from_millis(500));
        client.write_all(b"hi").unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        client.read_to_end(&mut Vec::new()).unwrap();
        assert_eq!(server.wait_within(PATIENCE), Some(0), "{:?}", server.rest_stderr());
    }
}
