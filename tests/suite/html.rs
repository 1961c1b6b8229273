//! `--html` and `--svg`, checked in a real browser: headless chromium
//! renders the pages netplay writes (`--dump-dom`, `--screenshot`), and the
//! tests look in what it rendered for the diagram's elements, with the
//! values an outside peer (python3) and tcpdump give for them. Chromium
//! runs with its background traffic off, a proxy on loopback that refuses
//! everything, no name resolution, and in a network namespace of its own
//! when it can: it never reaches any address but loopback. Without
//! chromium each test says SKIPPED, except in CI (CI set), where it fails.

// Signals stop the servers (SIGINT), as a person's Ctrl-C does: Unix only.
#![cfg(unix)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{PATIENCE, Proc, have, netplay, netplay_in, tcp_server, udp_server};
use predicates::prelude::*;

/// The flags every chromium run of these tests has; README's picture was
/// made with the same (scripts/demo-picture.sh).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=NetworkTimeServiceQuerying",
    // What chromium still asks for itself (an on-demand component) goes
    // to loopback, where nothing answers.
    "--component-updater=url-source=http://127.0.0.1:9/update",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
];

/// The browser, or None (and SKIPPED) where it is not installed, outside CI.
fn chromium() -> Option<&'static str> {
    for name in ["chromium", "chromium-browser"] {
        if std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
        {
            return Some(name);
        }
    }
    assert!(!common::in_ci(), "chromium is not installed, and CI needs it (.ci/run installs it)");
    eprintln!("SKIPPED: chromium is not installed (.ci/run installs it)");
    None
}

/// Runs chromium on `file` with `args`, in a network namespace of its own
/// when this process may make one; returns its stdout.
fn browse(browser: &str, file: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let isolated = Command::new("unshare").args(["-n", "true"]).status().is_ok_and(|s| s.success());
    let mut command = if isolated {
        let mut c = Command::new("unshare");
        c.args(["-n", browser]);
        c
    } else {
        Command::new(browser)
    };
    command
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", file.display()))
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    let output = assert_cmd::Command::from_std(command).timeout(Duration::from_secs(90)).output().unwrap();
    assert!(output.status.success(), "chromium failed on {}: {:?}", file.display(), output.status);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The page as chromium built it.
fn dom(browser: &str, file: &Path) -> String {
    let dom = browse(browser, file, &["--dump-dom".to_string()]);
    assert!(dom.contains("</html>"), "no page rendered: {dom}");
    dom
}

/// The URLs chromium asked for while rendering `file`, from its net log.
fn requested(browser: &str, file: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("net.json");
    browse(browser, file, &[format!("--log-net-log={}", log.display()), "--dump-dom".to_string()]);
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// A screenshot of `file`, `size` (`1400,1800`) pixels, decoded by
/// python3 (zlib): how many distinct colours it has.
fn screenshot_colours(browser: &str, file: &Path, png: &Path, size: &str) -> usize {
    browse(browser, file, &[format!("--screenshot={}", png.display()), format!("--window-size={size}")]);
    let out = Command::new("python3").arg("-c").arg(COUNT_COLOURS).arg(png).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Decodes an 8-bit RGB or RGBA PNG (the filters included) and prints the
/// number of distinct pixel values.
const COUNT_COLOURS: &str = r#"
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos+8])
    body = data[pos+8:pos+8+n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = set()
i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[x] = (line[x] + pr) & 255
    for x in range(0, stride, bpp):
        colours.add(bytes(line[x:x+3]))
    prev = line
print(len(colours))
"#;

/// The text of a page, tags left out, entities read back; without what
/// `skip` elements hold (`code`, `pre`, `style`, `script`).
fn text_of(html: &str, skip: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skipping: Option<String> = None;
    while let Some(open) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&rest[..open]);
        }
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
        let tag = &rest[open + 1..close.saturating_sub(1)];
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_alphanumeric()).collect();
        match &skipping {
            Some(s) if tag.starts_with('/') && &name == s => skipping = None,
            None if !tag.starts_with('/') && skip.contains(&name.as_str()) => skipping = Some(name),
            _ => {}
        }
        out.push(' ');
        rest = &rest[close..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Waits (at most PATIENCE) until `file` exists and `want` holds for it.
fn wait_for_file(file: &Path, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(text) = std::fs::read_to_string(file)
            && want(&text)
        {
            return text;
        }
        assert!(Instant::now() < deadline, "{} never became what was waited for", file.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// This process may capture packets (CAP_NET_RAW, as root in CI).
fn can_capture() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let caps = status.lines().find_map(|l| l.strip_prefix("CapEff:")).map(str::trim).unwrap_or("0");
    let ok = u64::from_str_radix(caps, 16).is_ok_and(|c| c & (1 << 13) != 0);
    if !ok {
        eprintln!("SKIPPED: packet capture needs CAP_NET_RAW (run the tests as root)");
    }
    ok
}

/// The course's client in python3: connects, sends, half-closes, reads the
/// reply; prints its own port (getsockname) and what it received.
const PY_CLIENT: &str = r#"
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
print(s.getsockname()[1], flush=True)
s.sendall(b'Hello serveur !')
s.shutdown(socket.SHUT_WR)
data = b''
while True:
    chunk = s.recv(1024)
    if not chunk: break
    data += chunk
print(data.decode())
s.close()
"#;

fn python(args: &[&str]) -> Vec<String> {
    let out =
        assert_cmd::Command::new("python3").args(args).timeout(Duration::from_secs(120)).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn a_tcp_exchange_is_drawn_with_its_calls_packets_port_and_reply() {
    let Some(browser) = chromium() else { return };
    if !cfg!(target_os = "linux") || !can_capture() || !have("tcpdump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (page, pcap) = (dir.path().join("serve.html"), dir.path().join("serve.pcap"));
    let (page_arg, pcap_arg) = (page.to_str().unwrap(), pcap.to_str().unwrap());
    let (mut server, addr) = tcp_server(&[
        "--once",
        "--reply",
        "Bonjour client !",
        "--packets",
        "--pcap",
        pcap_arg,
        "--html",
        page_arg,
    ]);
    let port = addr.port().to_string();
    let said = python(&["-c", PY_CLIENT, &port]);
    assert_eq!(said[1], "Bonjour client !");
    let client_port = &said[0];
    assert_eq!(server.wait(), 0);

    let dom = dom(browser, &page);
    // A lifeline per end: the server, and the client at its real port.
    assert!(dom.matches("class=\"life\"").count() >= 2, "no lifelines");
    assert!(dom.contains(&format!("127.0.0.1:{client_port}")), "the client's lifeline");
    // Each call, with its real values, as SVG text (selectable, not paths).
    for call in [
        "socket(AF_INET, SOCK_STREAM)".to_string(),
        format!("bind(('127.0.0.1', 0)) → ('127.0.0.1', {port})"),
        "listen(".to_string(),
        format!("#1 accept() → ('127.0.0.1', {client_port})"),
        "#1 recv(65536) → 15 bytes".to_string(),
        "#1 recv() → b''".to_string(),
        "#1 send(16 bytes) → 16".to_string(),
        "#1 shutdown(SHUT_WR)".to_string(),
        "#1 close()".to_string(),
    ] {
        let text = format!(">{}", call.replace('>', "&gt;"));
        assert!(dom.contains(&text), "{call} is not SVG text in the page");
    }
    // Each packet of the run is an arrow, as tcpdump reads them from the
    // pcap of the same capture: as many, with the same flags in order.
    let dump = Command::new("tcpdump").args(["-nn", "-r", pcap_arg]).output().unwrap();
    let flags: Vec<String> = String::from_utf8_lossy(&dump.stdout)
        .lines()
        .filter_map(|l| l.split("Flags [").nth(1).and_then(|f| f.split(']').next()).map(str::to_string))
        .collect();
    let labels: Vec<&str> = dom
        .split("<text class=\"al\"")
        .skip(1)
        .filter_map(|t| t.split('>').nth(1)?.split('<').next())
        .collect();
    assert_eq!(labels.len(), flags.len(), "arrows {labels:?}, tcpdump {flags:?}");
    let short = |label: &str| {
        label
            .split(' ')
            .next()
            .unwrap_or("")
            .replace("SYN,ACK", "S.")
            .replace("PSH,ACK", "P.")
            .replace("FIN,ACK", "F.")
            .replace("SYN", "S")
            .replace("ACK", ".")
    };
    assert_eq!(labels.iter().map(|l| short(l)).collect::<Vec<_>>(), flags);
    // The reply's bytes in the dump's text panel, as HTML text.
    let text = text_of(&dom, &["style", "script"]);
    assert!(text.contains("Bonjour client !"), "the reply's text");
    assert!(!dom.contains("user-select"), "text must stay selectable");
    // Nothing in it names another place: no URL, no file to load.
    let raw = std::fs::read_to_string(&page).unwrap();
    for outside in ["http:", "https:", "//", "url(", "src=", "@import", "<link", "href="] {
        assert!(!raw.contains(outside), "the page has {outside}");
    }
    // And chromium asked for nothing but the page (its own on-demand
    // updater points at loopback). The check finds a page that does ask.
    let is_page = |u: &String| u.starts_with("file://") || u.starts_with("http://127.0.0.1:9/update");
    let urls = requested(browser, &page);
    assert!(urls.iter().all(is_page), "fetched: {urls:?}");
    let control = dir.path().join("control.html");
    std::fs::write(&control, "<html><body><img src=\"http://127.0.0.1:9/control.png\"></body></html>")
        .unwrap();
    let urls = requested(browser, &control);
    assert!(urls.iter().any(|u| u.contains("control.png")), "the net log check sees nothing: {urls:?}");
    // The screenshot is a picture: the dump's colours, the diagram's.
    let colours = screenshot_colours(browser, &page, &dir.path().join("serve.png"), "1400,1400");
    assert!(colours >= 12, "{colours} colours: blank?");
}

#[test]
fn a_udp_exchange_names_the_senders_port_and_the_svg_stands_alone() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (page, svg) = (dir.path().join("udp.html"), dir.path().join("udp.svg"));
    let (mut server, addr) = udp_server(&[
        "--reply",
        "Bonjour client !",
        "--html",
        page.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]);
    let said = python(&[
        "-c",
        "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n\
         s.sendto(b'Hello serveur !',('127.0.0.1',int(sys.argv[1])))\nprint(s.getsockname()[1])\n\
         s.settimeout(10)\nprint(s.recvfrom(1024)[0].decode())",
        &addr.port().to_string(),
    ]);
    assert_eq!(said[1], "Bonjour client !");
    // The page is written while the server runs: wait for the reply in it.
    wait_for_file(&page, |t| t.contains("sendto(16 bytes"));
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.wait_within(PATIENCE).expect("the server stops on SIGINT");
    let dom = dom(browser, &page);
    let recv = format!(">recvfrom(65536) → 15 bytes, ('127.0.0.1', {})</text>", said[0]);
    assert!(dom.contains(&recv), "{recv}");
    assert!(dom.contains(&format!(">sendto(16 bytes, ('127.0.0.1', {}))</text>", said[0])));
    // The SVG alone is XML an outside parser reads, with the same calls.
    let parsed = Command::new("python3")
        .args(["-c", "import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); print(len(d.getElementsByTagName('text')))"])
        .arg(&svg)
        .output()
        .unwrap();
    assert!(parsed.status.success(), "{}", String::from_utf8_lossy(&parsed.stderr));
    let texts: usize = String::from_utf8_lossy(&parsed.stdout).trim().parse().unwrap();
    assert!(texts >= 6, "{texts} texts");
    assert!(std::fs::read_to_string(&svg).unwrap().contains(&recv.replace("</text>", "")));
    let colours = screenshot_colours(browser, &svg, &dir.path().join("udp.png"), "900,500");
    assert!(colours >= 6, "{colours} colours: blank?");
}

/// The clients' pages: `tcp connect --html` and `udp send --html` draw
/// their own calls, with the server's real port, and the reply's text.
#[test]
fn the_clients_pages_draw_their_calls_and_the_reply() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (tcp, udp) = (dir.path().join("connect.html"), dir.path().join("send.html"));
    let (mut server, addr) = tcp_server(&["--once", "--reply", "Bonjour client !"]);
    let port = addr.port();
    let target = format!("127.0.0.1:{port}");
    netplay()
        .args(["tcp", "connect", &target, "-m", "Hello serveur !", "--html"])
        .arg(&tcp)
        .assert()
        .success();
    assert_eq!(server.wait_within(PATIENCE), Some(0));
    let page = dom(browser, &tcp);
    for call in [
        "socket(AF_INET, SOCK_STREAM)".to_string(),
        format!("connect(('127.0.0.1', {port}))"),
        "#1 sendall(15 bytes)".to_string(),
        "#1 recv(65536) → 16 bytes".to_string(),
        "#1 close()".to_string(),
    ] {
        assert!(page.contains(&format!(">{call}")), "{call} is not SVG text in the tcp connect page");
    }
    assert!(text_of(&page, &["style", "script"]).contains("Bonjour client !"), "the reply's text");

    let (mut server, addr) = udp_server(&["--once", "--reply", "Bonjour client !"]);
    let port = addr.port();
    let target = format!("127.0.0.1:{port}");
    netplay()
        .args(["udp", "send", &target, "-m", "Hello serveur !", "--wait", "1s", "--html"])
        .arg(&udp)
        .assert()
        .success();
    assert_eq!(server.wait_within(PATIENCE), Some(0));
    let page = dom(browser, &udp);
    for call in [
        "socket(AF_INET, SOCK_DGRAM)".to_string(),
        format!("sendto(15 bytes, ('127.0.0.1', {port}))"),
        format!("recvfrom(65536) → 16 bytes, ('127.0.0.1', {port})"),
    ] {
        assert!(page.contains(&format!(">{call}")), "{call} is not SVG text in the udp send page");
    }
    assert!(text_of(&page, &["style", "script"]).contains("Bonjour client !"), "the reply's text");
}

/// Readable without JavaScript: a browser with scripts off shows the page
/// as written, and the file's own text (every call, note, Python line and
/// dump) is the text chromium builds with scripts on; the script only
/// shows the button that hides the dumps. (Chromium's --dump-dom needs
/// scripts itself, so the file is the scripts-off side.)
#[test]
fn the_page_reads_the_same_without_javascript() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("demo.html");
    netplay().args(["--explain", "demo", "--html"]).arg(&page).assert().success();
    let with = dom(browser, &page);
    let written = std::fs::read_to_string(&page).unwrap();
    let text = |html: &str| {
        let text = text_of(html, &["style", "script"]).replace("&nbsp;", "\u{a0}");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    assert_eq!(text(&written), text(&with), "the page's text depends on JavaScript");
    assert!(text(&written).contains("Hello serveur !") && written.matches("class=dump").count() >= 4);
    // The control: the script did run in chromium (the button shows).
    assert!(written.contains("<button id=toggle hidden"), "the button is hidden as written");
    assert!(with.contains("<button id=\"toggle\" data-hide"), "the script ran in chromium");
}

/// `--decode`: the line the terminal shows under each chunk's dump (its
/// first bytes as `struct.unpack_from` reads them) is under the chunk's
/// dump on the page too, in the run's language; python3's own
/// struct.unpack_from is the oracle for the values.
#[test]
fn decoded_values_are_under_their_chunk_as_in_the_terminal() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let oracle = python(&["-c", "import struct; print(struct.unpack_from('>h', b'\\x01\\x02Hello'))"]);
    assert_eq!(oracle, ["(258,)"]);
    for (lang, want) in [
        ("en", format!("↳ >h on the first 2 of 7 bytes: {}", oracle[0])),
        ("fr", format!("↳ >h sur les 2 premiers des 7 octets : {}", oracle[0])),
    ] {
        let page = dir.path().join(format!("decode-{lang}.html"));
        let mut command = Command::new(common::BIN);
        command.args(["--color", "never", "--lang", lang, "--decode", ">h", "udp", "serve", "--port", "0"]);
        command.args(["--once", "--html", page.to_str().unwrap()]);
        let mut server = Proc::spawn(command);
        let line = server.expect(|l| l.starts_with("●"));
        let port: String =
            line.rsplit(':').next().unwrap().chars().take_while(char::is_ascii_digit).collect();
        netplay()
            .args(["-q", "udp", "send", &format!("127.0.0.1:{port}"), "-m", "b'\\x01\\x02Hello'"])
            .assert()
            .success();
        let terminal = server.expect(|l| l.trim_start().starts_with('↳')).replace('\u{a0}', " ");
        assert_eq!(terminal.trim(), want, "the terminal's line");
        assert_eq!(server.wait_within(PATIENCE), Some(0));
        let dom = dom(browser, &page);
        let text = text_of(&dom, &["style", "script"]).replace('\u{a0}', " ");
        let at = text.find(&want).unwrap_or_else(|| panic!("{want:?} not on the {lang} page"));
        // Under the chunk's dump: after its text panel, before anything else.
        let dump = text.find("00000000").expect("the chunk's dump");
        assert!(dump < at, "the decoded line comes after the dump");
    }
}

#[test]
fn a_server_stopped_by_ctrl_c_leaves_its_page_written_while_it_ran() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("live.html");
    let (mut server, addr) = tcp_server(&["--html", page.to_str().unwrap()]);
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(&mut client, b"still here").unwrap();
    let port = client.local_addr().unwrap().port();
    // Written while the run goes on (every second), the client still connected.
    let live = wait_for_file(&page, |t| t.contains("recv(65536) → 10 bytes"));
    assert!(live.contains("Still running"), "the page says the run goes on");
    assert!(live.contains(&format!("#1 accept() → ('127.0.0.1', {port})")), "the client's port");
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.wait_within(PATIENCE).expect("the server stops on SIGINT");
    let last = std::fs::read_to_string(&page).unwrap();
    assert!(last.contains("stopped by SIGINT"), "the summary is in the last page");
    assert!(last.contains("The run is over"), "and it says the run is over");
    // Only the page is left: no temporary file beside it.
    let names: Vec<PathBuf> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(names, std::slice::from_ref(&page));
    drop(client);
}

#[test]
fn a_1_gib_transfer_leaves_a_page_under_5_mb_that_says_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("big.html");
    // The payload goes to stdout (--raw), thrown away by the shell: the
    // test reads only the reports on stderr.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "exec \"$0\" --raw tcp serve --port 0 --once --html \"$1\" > /dev/null",
        common::BIN,
    ]);
    command.arg(&page);
    let mut server = Proc::spawn(command);
    let line = server.expect_stderr(|l| l.contains("listening on"));
    let port = line.rsplit(':').next().unwrap().split(' ').next().unwrap().to_string();
    // 1 GiB of every byte value, as 16,384 sends of 64 KiB.
    let sent = std::panic::catch_unwind(|| {
        python(&[
            "-c",
            "import socket,sys\ns=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n\
         b=bytes(range(256))*256\nfor i in range(16384): s.sendall(b)\n\
         s.shutdown(socket.SHUT_WR)\nwhile s.recv(65536): pass\ns.close()",
            &port,
        ])
    });
    assert!(sent.is_ok(), "the server said: {:?}", server.rest());
    assert_eq!(server.wait_within(Duration::from_secs(120)), Some(0));
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 5_000_000, "{size} bytes");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(text.contains("1.00 GiB in"), "the close's totals");
    assert!(text.contains("What this page leaves out"));
    assert!(text.contains("folded into rows with a count"), "the fold is said");
    assert!(text.contains("not dumped"), "the bytes not dumped are said");
    // The counts of the folded rows and the whole rows add up to the
    // chunks received: every recv is accounted for.
    // A folded row keeps the label of the first call it counts.
    let folds: Vec<u64> = text
        .split("<p class=fold>× ")
        .skip(1)
        .map(|s| {
            s.split(", ").next().unwrap().replace([',', '\u{a0}', '\u{202f}'], "").parse::<u64>().unwrap()
        })
        .collect();
    let whole = text.matches("recv(65536) → ").count() as u64 - folds.len() as u64;
    let folded: u64 = folds.iter().sum();
    // recv(65536) returns 64 KiB at most: 1 GiB took 16,384 calls or more,
    // and every one has its row or is counted in one.
    assert!(whole + folded >= 16_384, "{whole} rows, {folded} folded");
    assert!(!text.contains("left out here"), "no row left out of this short part");
    println!("1 GiB transfer: page of {size} bytes, {whole} recv rows, {folded} recv calls folded");
}

/// English words that no French sentence of the page has.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "is",
    "with",
    "from",
    "this",
    "that",
    "which",
    "not",
    "bytes",
    "received",
    "after",
    "until",
    "every",
    "when",
    "what",
    "only",
    "its",
    "to",
    "in",
    "run",
    "left",
    "connected",
    "sent",
    // The course's Python comments in English (`# returns 16`,
    // `# no sock.listen(), no sock.accept(): the next call is ...`).
    "returns",
    "no",
    "next",
    "call",
    "first",
];

/// The comments of the page's Python lines (`>>> data = ...  # comment`,
/// `>>> # comment`): what the page says in words inside its code.
fn python_comments(dom: &str) -> String {
    let mut comments = Vec::new();
    let mut rest = dom;
    while let Some(open) = rest.find("<code") {
        let end = rest[open..].find("</code>").map_or(rest.len(), |e| open + e);
        let code = text_of(&rest[open..end], &[]);
        let code = code.trim().trim_start_matches(">>>").trim_start();
        if let Some(comment) = code.strip_prefix("# ") {
            comments.push(comment.to_string());
        } else if let Some((_, comment)) = code.split_once("  # ") {
            comments.push(comment.to_string());
        }
        rest = &rest[end..];
    }
    comments.join("\n")
}

fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| ENGLISH.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_demos_page_in_french_has_no_english_sentence_and_is_a_picture() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (fr, en) = (dir.path().join("demo-fr.html"), dir.path().join("demo-en.html"));
    netplay_in("fr_FR.UTF-8").args(["demo", "--explain", "--html"]).arg(&fr).assert().success();
    netplay().args(["demo", "--explain", "--html"]).arg(&en).assert().success();
    let dom_fr = dom(browser, &fr);
    assert!(dom_fr.contains("<html lang=\"fr\">"));
    // Code is the course's Python and the hex dump: the same in every
    // language, except the Python lines' comments, which are words.
    // Everything else is French, the tooltips (SVG titles) included.
    let words = english_words(&text_of(&dom_fr, &["code", "pre", "style", "script"]));
    assert!(words.is_empty(), "English in the French page: {words:?}");
    let comments = python_comments(&dom_fr);
    assert!(comments.contains("renvoie 16"), "the Python lines' comments:\n{comments}");
    let words = english_words(&comments);
    assert!(words.is_empty(), "English in the French page's Python comments: {words:?}\n{comments}");
    // The check finds English where there is some, comments included.
    let dom_en = dom(browser, &en);
    let words = english_words(&text_of(&dom_en, &["code", "pre", "style", "script"]));
    assert!(words.len() > 50, "the English page: {words:?}");
    let words = english_words(&python_comments(&dom_en));
    assert!(words.contains(&"returns".to_string()) && words.contains(&"next".to_string()), "{words:?}");
    // TCP_INFO at the close of each end of the TCP exchange, as on any
    // page with a TCP connection.
    for (dom, lang) in [(&dom_fr, "fr"), (&dom_en, "en")] {
        let part1 = dom.split("1/3").nth(1).and_then(|p| p.split("2/3").next()).unwrap_or("");
        let infos = part1.matches("TCP_INFO").count();
        assert!(infos >= 2, "{lang}: TCP_INFO at the close of {infos} of the 2 ends");
    }
    for part in ["1/3", "2/3", "Ce qui diffère"] {
        assert!(dom_fr.contains(part), "{part}");
    }
    assert!(dom_fr.contains("<table class=\"demo\">"), "the measured table");
    let colours = screenshot_colours(browser, &fr, &dir.path().join("demo.png"), "1400,1800");
    assert!(colours >= 12, "{colours} colours: blank?");
}

#[test]
fn a_picture_of_a_job_that_draws_none_or_of_a_path_that_cannot_be_written_is_refused_first() {
    netplay()
        .args(["hex", "--html", "x.html"])
        .write_stdin("hi")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--html and --svg are for tcp serve"));
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/page.html");
    netplay()
        .args(["tcp", "serve", "--port", "0", "--html"])
        .arg(&missing)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("listening").not())
        .stderr(predicates::str::contains(format!(
            "--html {}: no such file or directory",
            missing.display()
        )));
}

#[test]
fn many_clients_fill_a_page_that_keeps_its_start_and_end_and_counts_the_middle() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("many.html");
    let (mut server, addr) = tcp_server(&["--explain", "--html", page.to_str().unwrap()]);
    // 1,500 clients one after another, each 300 random bytes and 200 alike.
    python(&[
        "-c",
        "import socket,sys,os\nfor i in range(1500):\n\
         \x20   s=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n\
         \x20   s.sendall(os.urandom(300)+bytes([i%256])*200)\n\
         \x20   s.shutdown(socket.SHUT_WR)\n\
         \x20   while s.recv(65536): pass\n\
         \x20   s.close()",
        &addr.port().to_string(),
    ]);
    // The last client's close is on the page once the server has told it.
    let mut closed = 0;
    while closed < 1500 {
        server.event("closed");
        closed += 1;
    }
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.wait_within(PATIENCE).expect("the server stops on SIGINT");
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 5_000_000, "{size} bytes");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(text.contains("left out here"), "the gap row");
    assert!(text.contains("between the first 600 and the last 200 of a part"));
    assert!(text.contains("peers drawn on a shared lifeline"));
    assert!(text.contains("1500 connections"), "the end is kept: the summary");
    println!("1,500 clients: page of {size} bytes");
}

/// A PNG's width and height, from its IHDR chunk.
fn png_size(png: &Path) -> (u32, u32) {
    let data = std::fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(&data[..8], b"\x89PNG\r\n\x1a\n", "{} is no PNG", png.display());
    assert_eq!(&data[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(data[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// README's picture (docs/demo-page.png, .fr.png) is what
/// scripts/demo-picture.sh makes: the test runs the script itself, into a
/// temporary directory with this build, and checks the pages it wrote in
/// chromium (TCP's calls and every packet kind of the demo, the reply, the
/// language) and its pictures (the window the READMEs name, the same size
/// as the committed ones, not blank). The READMEs name the script's
/// command and window, and the script renders with the tests' flags.
#[test]
fn readmes_picture_is_what_the_picture_script_makes() {
    let Some(browser) = chromium() else { return };
    if !cfg!(target_os = "linux") || !can_capture() || browser != "chromium" {
        return;
    }
    let script = std::fs::read_to_string("scripts/demo-picture.sh").unwrap();
    for flag in CHROMIUM_FLAGS {
        assert!(
            script.contains(&flag.replace("MAP * ~NOTFOUND", "'MAP * ~NOTFOUND'")),
            "the script lacks {flag}"
        );
    }
    assert!(script.contains("demo --packets --html") && script.contains("--window-size=1600,1500"));
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains("(docs/demo-page.png)")
            && readme.contains("`netplay demo\n--packets --html demo.html`")
    );
    assert!(readme.contains("window 1600×1500"));
    let readme_fr = std::fs::read_to_string("README.fr.md").unwrap();
    assert!(
        readme_fr.contains("(docs/demo-page.fr.png)")
            && readme_fr.contains("demo --packets --html demo.html")
    );
    assert!(readme_fr.contains("fenêtre de 1600×1500"));

    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::new("bash")
        .arg("scripts/demo-picture.sh")
        .arg(dir.path())
        .arg(common::BIN)
        .timeout(Duration::from_secs(180))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (name, lang, bytes) in [("demo-page", "en", "bytes"), ("demo-page.fr", "fr", "octets")] {
        let png = dir.path().join(format!("{name}.png"));
        assert_eq!(png_size(&png), (1600, 1500), "{name}: the window the READMEs name");
        assert_eq!(png_size(Path::new(&format!("docs/{name}.png"))), (1600, 1500), "docs/{name}.png");
        let kept = std::fs::read_to_string(format!("docs/{name}.html")).expect("the page beside the picture");
        assert!(
            kept.contains(&format!("<html lang={lang}>"))
                || kept.contains(&format!("<html lang=\"{lang}\">"))
        );
        let colours = Command::new("python3").arg("-c").arg(COUNT_COLOURS).arg(&png).output().unwrap();
        let colours: usize = String::from_utf8_lossy(&colours.stdout).trim().parse().unwrap();
        assert!(colours >= 12, "{name}: {colours} colours: blank?");
        let dom = dom(browser, &dir.path().join(format!("{name}.html")));
        assert!(dom.contains(&format!("<html lang=\"{lang}\">")), "{name}");
        assert!(dom.matches("class=\"life\"").count() >= 4, "{name}: the lifelines of TCP and UDP");
        for call in [
            "socket(AF_INET, SOCK_STREAM)".to_string(),
            format!("#1 sendall(15 {bytes})"),
            format!("#1 send(16 {bytes}) → 16"),
            "#1 close()".to_string(),
        ] {
            assert!(dom.contains(&format!(">{call}</text>")), "{name}: {call}");
        }
        // The capture's arrows, every kind the demo makes.
        let labels = arrows(&dom);
        for kind in ["SYN", "SYN,ACK", "ACK", "FIN,ACK"]
            .map(str::to_string)
            .into_iter()
            .chain([15, 16].map(|n| format!("PSH,ACK {n} {bytes}")))
            .chain([15, 16].map(|n| format!("UDP {n} {bytes}")))
        {
            assert!(labels.contains(&kind), "{name}: no {kind} arrow in {labels:?}");
        }
        assert!(text_of(&dom, &["style", "script"]).contains("Bonjour client !"), "{name}: the reply");
    }
}

/// The packet arrows of a page, as labelled (`SYN`, `PSH,ACK 15 bytes`,
/// `ICMP port unreachable`), in order.
fn arrows(dom: &str) -> Vec<String> {
    dom.split("<text class=\"al\"")
        .skip(1)
        .filter_map(|t| t.split('>').nth(1)?.split('<').next())
        .map(str::to_string)
        .collect()
}

/// What tcpdump reads in `pcap`, a packet a line, in the arrows' words:
/// TCP flags as tcpdump writes them (`S.`, `R.`), `UDP 2` for a datagram
/// of 2 bytes, `ICMP port unreachable`.
fn tcpdump_kinds(pcap: &Path) -> Vec<String> {
    let dump = Command::new("tcpdump").args(["-nn", "-r"]).arg(pcap).output().unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    String::from_utf8_lossy(&dump.stdout)
        .lines()
        .map(|l| {
            if let Some(flags) = l.split("Flags [").nth(1) {
                flags.split(']').next().unwrap().to_string()
            } else if let Some(n) = l.split(": UDP, length ").nth(1) {
                format!("UDP {}", n.trim())
            } else if l.contains(" ICMP ") && l.contains(" port ") && l.contains(" unreachable") {
                "ICMP port unreachable".to_string()
            } else {
                panic!("a packet this test does not know: {l}")
            }
        })
        .collect()
}

/// An arrow's label in tcpdump's words (see [`tcpdump_kinds`]).
fn as_tcpdump(label: &str) -> String {
    if label.starts_with("ICMP") {
        return label.to_string();
    }
    let mut words = label.split(' ');
    let kind = words.next().unwrap_or("");
    if kind == "UDP" {
        return format!("UDP {}", words.next().unwrap_or(""));
    }
    let mut flags = String::new();
    for (name, letter) in [("SYN", "S"), ("FIN", "F"), ("RST", "R"), ("PSH", "P"), ("ACK", ".")] {
        if kind.split(',').any(|f| f == name) {
            flags.push_str(letter);
        }
    }
    flags
}

/// RST and ICMP arrows with --packets, each against tcpdump reading the
/// run's own --pcap: a connect to a closed port (the SYN answered by
/// RST,ACK, exit 4), a datagram to a closed port (ICMP port unreachable),
/// and a client that resets its connection (SO_LINGER 0, python3) to a
/// server. Every packet of the capture is an arrow, of its kind, in order.
#[test]
fn rst_and_icmp_arrows_are_the_packets_tcpdump_reads() {
    let Some(browser) = chromium() else { return };
    if !cfg!(target_os = "linux") || !can_capture() || !have("tcpdump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let (page, pcap) = (dir.path().join(format!("{name}.html")), dir.path().join(format!("{name}.pcap")));
        (page, pcap)
    };

    // A connect refused.
    let (page, pcap) = run("refused");
    let target = format!("127.0.0.1:{}", common::closed_port());
    netplay()
        .args(["tcp", "connect", &target, "--packets", "--pcap"])
        .arg(&pcap)
        .arg("--html")
        .arg(&page)
        .assert()
        .code(4);
    let labels = arrows(&dom(browser, &page));
    assert_eq!(labels, ["SYN", "RST,ACK"], "the refused connect's arrows");
    assert_eq!(labels.iter().map(|l| as_tcpdump(l)).collect::<Vec<_>>(), tcpdump_kinds(&pcap));

    // A datagram refused; ICMP may be rate-limited, or another socket may
    // take the port: tried on a new port up to three times.
    let mut refused = None;
    for attempt in 0..3 {
        let (page, pcap) = run(&format!("icmp{attempt}"));
        let target = format!("127.0.0.1:{}", common::closed_port());
        netplay()
            .args(["udp", "send", &target, "-m", "hi", "--wait", "500ms", "--packets", "--pcap"])
            .arg(&pcap)
            .arg("--html")
            .arg(&page)
            .assert()
            .success();
        let kinds = tcpdump_kinds(&pcap);
        if kinds.contains(&"ICMP port unreachable".to_string()) {
            refused = Some((page, kinds));
            break;
        }
    }
    let (page, kinds) = refused.expect("no ICMP port unreachable in 3 tries");
    let labels = arrows(&dom(browser, &page));
    assert_eq!(labels, ["UDP 2 bytes", "ICMP port unreachable"]);
    assert_eq!(labels.iter().map(|l| as_tcpdump(l)).collect::<Vec<_>>(), kinds);

    // A reset by the peer: the client sends 2 bytes, then SO_LINGER 0 and
    // close().
    let (page, pcap) = run("reset");
    let (mut server, addr) = tcp_server(&[
        "--once",
        "--packets",
        "--pcap",
        pcap.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    python(&[
        "-c",
        "import socket,struct,sys\ns=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n\
         s.sendall(b'hi')\ns.setsockopt(socket.SOL_SOCKET,socket.SO_LINGER,struct.pack('ii',1,0))\ns.close()",
        &addr.port().to_string(),
    ]);
    server.event("closed");
    server.wait_within(PATIENCE).expect("--once ends after the client");
    let dom = dom(browser, &page);
    let labels = arrows(&dom);
    let kinds = tcpdump_kinds(&pcap);
    assert_eq!(labels.iter().map(|l| as_tcpdump(l)).collect::<Vec<_>>(), kinds, "{labels:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("R."), "the capture ends with the client's RST");
    assert_eq!(labels.last().map(String::as_str), Some("RST,ACK"));
}

/// The rows of a page's timeline as chromium built them: each row's
/// classes, the text on its lifelines (SVG), and the text beside it.
fn timeline(dom: &str) -> Vec<(String, String, String)> {
    dom.split("<div class=\"r ")
        .skip(1)
        .map(|row| {
            let class = row.split('"').next().unwrap_or("").to_string();
            // The time, then the lifelines.
            let svg = row.split("</svg>").next().unwrap_or("");
            let svg =
                svg.split_once("<svg").and_then(|(_, svg)| svg.split_once('>')).map_or("", |(_, svg)| svg);
            // An SVG text cut to fit keeps its whole text in a <title>.
            let svg = text_of(&svg.replace("<title>", "<title>[").replace("</title>", "]</title>"), &[]);
            let beside = row.split("</svg>").nth(1).unwrap_or("");
            let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            (class, clean(&svg), clean(&text_of(beside, &["style", "script"])))
        })
        .collect()
}

/// A `--script` run's page, as a server and as a client: each step on the
/// lifeline in the order played (the order of its `script` events in the
/// same run's JSON), each passed step said beside it, the failed one an
/// error row right after the recv that brought the other bytes, with its
/// diff, and the verdict after the close.
#[test]
fn a_script_runs_page_shows_each_step_where_it_happened_and_the_verdict() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("server.np");
    std::fs::write(&script, "< Hello serveur !\n> Bonjour client !\n< encore ?\n").unwrap();
    let page = dir.path().join("server.html");
    let (mut server, addr) =
        tcp_server(&["--once", "--script", script.to_str().unwrap(), "--html", page.to_str().unwrap()]);
    let said = python(&[
        "-c",
        "import socket,sys\ns=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n\
         s.sendall(b'Hello serveur !')\nd=b''\nwhile len(d)<16: d+=s.recv(16)\nprint(d.decode())\n\
         s.sendall(b'encore !')\nprint(s.recv(16))",
        &addr.port().to_string(),
    ]);
    assert_eq!(said, ["Bonjour client !", "b''"], "the script answered, then closed");
    assert_eq!(server.wait_within(PATIENCE), Some(9));
    let rest = server.rest();
    let played: Vec<String> = server
        .seen()
        .iter()
        .chain(&rest)
        .filter(|l| l.contains("\"event\":\"script\""))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|s| {
            let mark = if s["outcome"] == "passed" { "✓" } else { "✗" };
            format!("#1 {mark} line {}: {}", s["line"], s["text"].as_str().unwrap())
        })
        .collect();
    // Each step's label is the terminal's line for it: its ✓ or ✗ and
    // "line N" (the failed one read `#1 3: < encore ?` before).
    assert_eq!(
        played,
        ["#1 ✓ line 1: < Hello serveur !", "#1 ✓ line 2: > Bonjour client !", "#1 ✗ line 3: < encore ?"]
    );
    let rows = timeline(&dom(browser, &page));
    let steps: Vec<&(String, String, String)> = rows.iter().filter(|r| played.contains(&r.1)).collect();
    assert_eq!(
        steps.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        played,
        "the steps in order: {rows:#?}"
    );
    assert!(
        steps[0].2.contains("✓ line 1: < Hello serveur !") && !steps[0].0.contains("err"),
        "{:?}",
        steps[0]
    );
    assert!(steps[1].2.contains("✓ line 2: > Bonjour client !"), "{:?}", steps[1]);
    let failed = rows.iter().position(|r| r.1 == played[2]).unwrap();
    assert!(rows[failed].0.contains("err"), "the failed step is an error row: {:?}", rows[failed]);
    assert!(
        rows[failed].2.contains("✗ line 3: < encore ?")
            && rows[failed].2.contains(
                "expected b'encore ?' (8 bytes), came b'encore !' (8 bytes): they differ at offset 7"
            )
            && rows[failed].2.contains("expected 65 6e 63 6f 72 65 20 3f"),
        "{:?}",
        rows[failed]
    );
    // Where it happened: right after the recv that brought `encore !`.
    assert!(rows[failed - 1].1.contains("#1 recv(65536) → 8 bytes"), "{:?}", rows[failed - 1]);
    // The dump keeps the stream's offsets: `e` is byte 0x0f, the last of
    // the first row, as in the terminal.
    let dump = &rows[failed - 1].2;
    assert!(
        dump.contains("00000000 65 │ e │ 00000010 6e 63 6f 72 65 20 21 │ ncore ! │"),
        "the bytes' dump: {dump}"
    );
    let close = rows.iter().position(|r| r.1 == "#1 close()").unwrap();
    assert!(failed < close);
    let verdict = format!("#1 ✗ {}: the client did not follow the script at line 3", script.display());
    let at =
        rows.iter().position(|r| r.1.contains(&verdict)).unwrap_or_else(|| panic!("{verdict} in {rows:#?}"));
    assert!(close < at && rows[at].0.contains("err"), "the verdict after the close");

    // The client's page: tcp connect --script against the course's server.
    let mut course = Command::new("python3")
        .args(["-c", common::COURSE_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is installed");
    let mut port = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(course.stdout.as_mut().unwrap()), &mut port)
        .unwrap();
    let page = dir.path().join("client.html");
    netplay()
        .args(["tcp", "connect", &format!("127.0.0.1:{}", port.trim())])
        .args(["--script", "examples/scripts/course-client.np", "--html"])
        .arg(&page)
        .assert()
        .success();
    let _ = course.wait();
    let rows = timeline(&dom(browser, &page));
    let labels: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let at = |label: &str| {
        labels.iter().position(|l| l.starts_with(label)).unwrap_or_else(|| panic!("{label} in {labels:#?}"))
    };
    let (send, sent, recv, got, close) = (
        at("#1 sendall(15 bytes)"),
        at("#1 ✓ line 4: > Hello serveur !"),
        at("#1 recv(65536) → 16 bytes"),
        at("#1 ✓ line 5: < Bonjour client !"),
        at("#1 close()"),
    );
    assert!(send < sent && sent < recv && recv < got && got < close, "{labels:#?}");
    assert!(rows[got].2.contains("✓ line 5: < Bonjour client !"), "{:?}", rows[got]);
    assert!(
        labels[close..].iter().any(|l| l.contains("examples/scripts/course-client.np: played to its end")),
        "{labels:#?}"
    );
    assert!(rows.iter().all(|r| !r.0.contains("err")), "no error row: {rows:#?}");
}

/// A duration as netplay writes it (`12µs`, `1.5ms`, `2.00s`), in µs, with
/// the half unit of its last digit (what its rounding may hide).
fn micros(text: &str) -> (f64, f64) {
    let (number, unit) = text.split_at(text.find(|c: char| c.is_alphabetic() || c == 'µ').unwrap());
    let scale = match unit {
        "µs" => 1.0,
        "ms" => 1_000.0,
        "s" => 1_000_000.0,
        _ => panic!("unit {unit:?} in {text:?}"),
    };
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    (number.parse::<f64>().unwrap() * scale, 0.5 * 10f64.powi(-decimals) * scale)
}

/// The page's TCP_INFO line (the only one: one connection).
fn tcp_info_of(dom: &str) -> String {
    let text = text_of(dom, &["style", "script"]);
    let mut lines = text.match_indices("TCP_INFO at its last reading: ").map(|(at, _)| {
        let line = &text[at..];
        line[..line.find("retransmitted").expect("the line's end") + "retransmitted".len()].to_string()
    });
    let line = lines.next().expect("TCP_INFO on the page");
    assert_eq!(lines.next(), None, "one TCP_INFO line");
    line
}

/// TCP_INFO on the pages of tcp serve and tcp connect: each page's line is
/// the terminal's line of the same run; on the server's page, rtt, its
/// variation, cwnd and the retransmits are what `ss -ti` reads from the
/// kernel for the same socket once the client has acknowledged every byte,
/// the close coming from --idle-timeout while the client holds the
/// connection (nothing moves them in between; tests/suite/ss_numbers.rs checks
/// the terminal's line the same way).
#[test]
fn tcp_info_on_the_pages_is_what_the_kernel_and_the_terminal_say() {
    let Some(browser) = chromium() else { return };
    if !cfg!(target_os = "linux") || !have("ss") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (serve_page, connect_page) = (dir.path().join("serve.html"), dir.path().join("connect.html"));
    let mut command = Command::new(common::BIN);
    command.args([
        "--color",
        "never",
        "tcp",
        "serve",
        "--port",
        "0",
        "--once",
        "--reply",
        "Bonjour client !",
    ]);
    // The close comes from the server's idle timeout, while the client
    // holds the connection: nothing moves between ss's reading and it.
    command.args(["--idle-timeout", "2s"]);
    command.arg("--html").arg(&serve_page);
    let mut server = Proc::spawn(command);
    let line = server.expect(|l| l.starts_with('●'));
    let port: u16 =
        line.split_whitespace().find_map(|w| w.strip_prefix("127.0.0.1:")).unwrap().parse().unwrap();
    // The client reads the reply, says its port, and closes when told.
    let mut client = Command::new("python3")
        .args([
            "-c",
            "import socket,sys\ns=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n\
             s.sendall(b'Hello serveur !')\nd=b''\nwhile len(d)<16: d+=s.recv(16)\n\
             print(s.getsockname()[1],flush=True)\nsys.stdin.readline()\ns.close()",
            &port.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is installed");
    let mut mine = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(client.stdout.take().unwrap()), &mut mine)
        .unwrap();
    let filter = format!("( sport = :{port} and dport = :{} )", mine.trim());
    let deadline = Instant::now() + PATIENCE;
    let kernel = loop {
        let out = Command::new("ss").args(["-tinH", "state", "established", &filter]).output().unwrap();
        let out = String::from_utf8_lossy(&out.stdout).into_owned();
        // The 16 bytes acknowledged, nothing in flight.
        if out.contains("bytes_sent:16 ") && out.contains("bytes_acked:16 ") && !out.contains("unacked:") {
            break out;
        }
        assert!(Instant::now() < deadline, "ss never saw the reply acknowledged: {out}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let field = |name: &str| kernel.split_whitespace().find_map(|w| w.strip_prefix(name)).map(str::to_string);
    let (rtt, rtt_var) =
        field("rtt:").unwrap().split_once('/').map(|(a, b)| (a.to_string(), b.to_string())).unwrap();
    let (rtt, rtt_var): (f64, f64) =
        (rtt.parse::<f64>().unwrap() * 1000.0, rtt_var.parse::<f64>().unwrap() * 1000.0);
    let cwnd = field("cwnd:").unwrap();
    // `retrans:now/total` only when there were some.
    let retrans = field("retrans:").map_or("0".to_string(), |r| r.split('/').next().unwrap().to_string());
    let terminal = server.expect(|l| l.contains("TCP_INFO at its last reading")).trim().to_string();
    std::io::Write::write_all(client.stdin.as_mut().unwrap(), b"close\n").unwrap();
    assert!(client.wait().unwrap().success());
    server.wait();

    let on_page = tcp_info_of(&dom(browser, &serve_page));
    assert_eq!(on_page, terminal, "the page and the terminal");
    let info = on_page.strip_prefix("TCP_INFO at its last reading: rtt ").unwrap();
    let (rtt_text, rest) = info.split_once(" (±").unwrap();
    let (var_text, rest) = rest.split_once("), cwnd ").unwrap();
    let (cwnd_text, rest) = rest.split_once(", ").unwrap();
    for (what, text, kernel) in [("rtt", rtt_text, rtt), ("rttvar", var_text, rtt_var)] {
        let (shown, slack) = micros(text);
        assert!(
            (shown - kernel).abs() <= slack + 0.5,
            "{what}: the page says {text}, ss {kernel}µs ({kernel:?})"
        );
    }
    assert_eq!(cwnd_text, cwnd, "cwnd: ss says {cwnd}");
    println!("the page: {on_page:?}; ss: rtt {rtt}µs, rttvar {rtt_var}µs, cwnd {cwnd}, retrans {retrans}");
    assert_eq!(rest, format!("{retrans} retransmitted"));

    // tcp connect's page says what its terminal says.
    let (mut peer, addr) = tcp_server(&["--once", "--reply", "Bonjour client !"]);
    let out = netplay()
        .args(["--color", "never", "tcp", "connect", &addr.to_string(), "-m", "Hello serveur !", "--html"])
        .arg(&connect_page)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(peer.wait(), 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let terminal =
        stdout.lines().map(str::trim).find(|l| l.starts_with("TCP_INFO")).expect("TCP_INFO in the terminal");
    let on_page = tcp_info_of(&dom(browser, &connect_page));
    assert_eq!(on_page, terminal);
}

/// The x of the lifeline whose head says `who` (`server`, `client #2`),
/// and the address under it.
fn lifeline(dom: &str, who: &str) -> (u32, String) {
    let head = dom
        .split("<text class=\"lt\"")
        .skip(1)
        .find(|t| t.split('>').nth(1).is_some_and(|t| t.starts_with(&format!("{who}<"))))
        .unwrap_or_else(|| panic!("no lifeline for {who}"));
    let x = head.split("x=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let address = head
        .split("<text class=\"la\"")
        .nth(1)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    (x, address.to_string())
}

/// A broadcast hub's page: the hub's lifeline and one per client, with the
/// port each client's own socket has; each client's accept and join on the
/// hub in the order the run's JSON says, with the count of clients; each
/// relayed chunk drawn from its sender's lifeline to the hub, with the
/// bytes the other clients received (read by the test's own sockets) and
/// the count it went to; a leave where it happened, the relay after it
/// going to one client fewer.
#[test]
fn a_broadcast_hubs_page_has_each_clients_lifeline_joins_leaves_and_relays() {
    use std::io::{Read, Write};
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("hub.html");
    let (mut server, addr) = tcp_server(&["--broadcast", "--html", page.to_str().unwrap()]);
    let mut clients = Vec::new();
    for n in 1..=3u64 {
        let client = std::net::TcpStream::connect(addr).unwrap();
        client.set_read_timeout(Some(PATIENCE)).unwrap();
        let join = server.event("join");
        assert_eq!((join["conn"].as_u64(), join["clients"].as_u64()), (Some(n), Some(n)));
        clients.push(Some(client));
    }
    let ports: Vec<u16> = clients.iter().map(|c| c.as_ref().unwrap().local_addr().unwrap().port()).collect();
    let relay = |server: &mut Proc,
                 clients: &mut Vec<Option<std::net::TcpStream>>,
                 from: usize,
                 text: &[u8],
                 to: u64| {
        clients[from].as_mut().unwrap().write_all(text).unwrap();
        let relay = server.event("relay");
        assert_eq!((relay["conn"].as_u64(), relay["to"].as_u64()), (Some(from as u64 + 1), Some(to)));
        for (n, other) in clients.iter_mut().enumerate() {
            if let (Some(other), true) = (other, n != from) {
                let mut got = vec![0; text.len()];
                other.read_exact(&mut got).unwrap();
                assert_eq!(got, text, "client #{} got another's bytes", n + 1);
            }
        }
    };
    relay(&mut server, &mut clients, 0, b"one\n", 2);
    relay(&mut server, &mut clients, 1, b"two\n", 2);
    clients[0] = None;
    let leave = server.event("leave");
    assert_eq!((leave["conn"].as_u64(), leave["clients"].as_u64()), (Some(1), Some(2)));
    relay(&mut server, &mut clients, 2, b"three\n", 1);
    clients.clear();
    server.event("leave");
    server.event("leave");
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.wait_within(PATIENCE).expect("the server stops on SIGINT");

    let dom = dom(browser, &page);
    let (hub, _) = lifeline(&dom, "server");
    let mut xs = Vec::new();
    for (n, port) in ports.iter().enumerate() {
        let (x, address) = lifeline(&dom, &format!("client #{}", n + 1));
        assert_eq!(address, format!("127.0.0.1:{port}"), "client #{}'s lifeline", n + 1);
        xs.push(x);
    }
    let rows = timeline(&dom);
    let labels: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let at = |label: &str| {
        labels.iter().position(|l| *l == label).unwrap_or_else(|| panic!("{label:?} in {labels:#?}"))
    };
    let mut order = Vec::new();
    for n in 1..=3 {
        let (accept, join) = (
            at(&format!("#{n} accept() → ('127.0.0.1', {})", ports[n - 1])),
            at(&format!("#{n} joins the broadcast: {n} client{}", if n == 1 { "" } else { "s" })),
        );
        assert!(accept < join);
        order.push(join);
    }
    let relays = [
        (1, "4 bytes to 2 clients", &b"one\n"[..]),
        (2, "4 bytes to 2 clients", b"two\n"),
        (3, "6 bytes to 1 client", b"three\n"),
    ];
    for (n, (from, what, text)) in relays.iter().enumerate() {
        let row = at(&format!("#{from} ⇉ relay {what}"));
        let svg = dom.split("<div class=\"r ").nth(row + 1).unwrap();
        let x1: u32 =
            svg.split("class=\"arrow\" x1=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert_eq!(x1, xs[from - 1], "relay {n}: from #{from}'s lifeline");
        let x2: u32 = svg
            .split("class=\"arrow\"")
            .nth(1)
            .unwrap()
            .split("x2=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(x2.abs_diff(hub) <= 2, "relay {n}: to the hub ({x2} vs {hub})");
        let hex: Vec<String> = text.iter().map(|b| format!("{b:02x}")).collect();
        let dump = format!("00000000 {}", hex.join(" "));
        assert!(rows[row].2.starts_with(&dump), "relay {n}'s bytes: {:?}", rows[row].2);
        order.push(row);
        if n == 1 {
            order.push(at("#1 leaves the broadcast: 2 clients left"));
        }
    }
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "joins, relays and the leave in the run's order: {labels:#?}");
}

/// The harness tests/suite/python_transcripts.rs runs a transcript with (its
/// `RUN`, read from that file so both run lines the same way): python3
/// runs the lines in order against a netplay peer, and what each
/// commented line returns must match its comment.
const PYTHON_TRANSCRIPTS: &str = include_str!("python_transcripts.rs");

fn run_transcript() -> &'static str {
    let open = "const RUN: &str = r##\"";
    let start = PYTHON_TRANSCRIPTS.find(open).expect("python_transcripts.rs has RUN") + open.len();
    let end = start + PYTHON_TRANSCRIPTS[start..].find("\"##;").unwrap();
    &PYTHON_TRANSCRIPTS[start..end]
}

/// The page's Python lines, in order (`>>> ` left out).
fn python_lines(dom: &str) -> Vec<String> {
    dom.split("<p class=\"py\"><code>")
        .skip(1)
        .map(|c| text_of(c.split("</code>").next().unwrap(), &[]).replace("&nbsp;", "\u{a0}"))
        .map(|c| c.trim().trim_start_matches(">>>").trim_start().to_string())
        .collect()
}

/// With --explain, a Python line for every step on the page: the page's
/// lines are the terminal's `python:` lines of the same run, in the same
/// order, and python3 runs them as the page prints them, against a netplay
/// peer, each commented line returning what its comment says (the harness
/// of tests/suite/python_transcripts.rs), for tcp serve, tcp connect, udp serve
/// and udp send, in English and French.
#[test]
fn the_pages_python_lines_are_the_terminals_and_run_in_python() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tcp_client = ["tcp", "connect", "127.0.0.1:{port}", "-m", "Hello serveur !"];
    let tcp_server = ["tcp", "serve", "--port", "0", "--once", "--reply", "Bonjour client !"];
    let udp_client = ["udp", "send", "127.0.0.1:{port}", "-m", "Hello serveur !", "--wait", "1s"];
    let udp_server = ["udp", "serve", "--port", "0", "--once", "--reply", "Bonjour client !"];
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("server", &tcp_server, &tcp_client),
        ("client", &tcp_client, &tcp_server),
        ("server", &udp_server, &udp_client),
        ("client", &udp_client, &udp_server),
    ];
    for lang in ["en", "fr"] {
        for (n, (mode, explained, peer)) in cases.iter().enumerate() {
            let page = dir.path().join(format!("{lang}{n}.html"));
            let args = |args: &[&str], port: &str| -> Vec<String> {
                args.iter().map(|a| a.replace("{port}", port)).collect()
            };
            let mut ours = Command::new(common::BIN);
            ours.env_remove("COLUMNS").args(["--color", "never", "--lang", lang, "--explain"]);
            // The server starts first, the client is given its port.
            let terminal = if *mode == "server" {
                ours.args(args(explained, "")).arg("--html").arg(&page);
                let mut server = Proc::spawn(ours);
                let bound = server.expect(|l| l.starts_with("● "));
                let port =
                    bound.split_whitespace().find_map(|w| w.rsplit(':').next()?.parse::<u16>().ok()).unwrap();
                netplay().args(args(peer, &port.to_string())).assert().success();
                assert_eq!(server.wait_within(PATIENCE), Some(0));
                let rest = server.rest();
                server.seen().iter().chain(&rest).cloned().collect::<Vec<_>>()
            } else {
                let mut server =
                    Proc::start(&peer.iter().copied().chain(["--color", "never"]).collect::<Vec<_>>());
                let bound = server.expect(|l| l.starts_with("● "));
                let port =
                    bound.split_whitespace().find_map(|w| w.rsplit(':').next()?.parse::<u16>().ok()).unwrap();
                ours.args(args(explained, &port.to_string())).arg("--html").arg(&page);
                let out = assert_cmd::Command::from_std(ours).timeout(PATIENCE).output().unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                assert_eq!(server.wait_within(PATIENCE), Some(0));
                String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
            };
            let said: Vec<String> = terminal
                .iter()
                .filter_map(|l| l.trim_start().strip_prefix("python: "))
                .map(str::to_string)
                .collect();
            let lines = python_lines(&dom(browser, &page));
            let context = format!("{lang}, {}", explained.join(" "));
            assert!(said.len() >= 6, "{context}: the terminal's lines {said:#?}");
            assert_eq!(lines, said, "{context}: the page's Python lines and the terminal's");
            let script = dir.path().join(format!("{lang}{n}.py"));
            std::fs::write(&script, lines.join("\n")).unwrap();
            let out = assert_cmd::Command::new("python3")
                .args(["-c", run_transcript(), common::BIN, lang, mode, script.to_str().unwrap()])
                .args(*peer)
                .timeout(Duration::from_secs(60))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{context}: python3 could not run the page's lines:\n{}\n{}\n--- the lines:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                lines.join("\n")
            );
        }
    }
}
