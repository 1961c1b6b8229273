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

mod common;

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
    assert!(
        std::env::var_os("CI").is_none(),
        "chromium is not installed, and CI needs it (.ci/run installs it)"
    );
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
