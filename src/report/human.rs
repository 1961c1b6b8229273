//! The reporter for people: one line per socket step or event, colour when
//! wanted, a hex dump under each chunk, and with `--explain` the Python line
//! of the course and a sentence under each step.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};

use colored::Color;

use super::explain;
use super::{OutputConfig, Reporter};
use crate::decode::Format;
use crate::event::{Dir, Event, Family, Proto, Role, Step};
use crate::hexdump::{Dumper, Layout, push_decoded};
use crate::net::ports;
use crate::units::{format_bytes, format_duration};

/// What the human reporter shows, decided once per run.
#[derive(Debug, Clone)]
pub struct Style {
    pub color: bool,
    pub explain: bool,
    /// Only connections, data and errors: no steps, no notes.
    pub quiet: bool,
    /// Hex dumps under data events (off when the payload goes to stdout).
    pub dumps: bool,
    pub layout: Layout,
    /// Bytes asked per recv call, for the explanations.
    pub recv_size: usize,
    /// `--decode`: a line under each chunk with its decoded values.
    pub decode: Option<Format>,
}

impl Style {
    pub fn from_config(config: &OutputConfig, color: bool) -> Style {
        Style {
            color,
            explain: config.explain,
            quiet: config.quiet,
            dumps: true,
            layout: config.dump,
            recv_size: config.recv_size,
            decode: config.decode.clone(),
        }
    }
}

pub struct Human {
    out: Box<dyn Write + Send>,
    style: Style,
    /// One dumper per connection and direction, so offsets run on.
    dumpers: HashMap<(u64, Dir), Dumper>,
    /// The protocol of the sockets seen so far, for the explanations.
    proto: Proto,
    /// What is known of a UDP client's socket, for the explanations.
    udp: UdpState,
    buf: Vec<u8>,
}

/// A UDP socket's story so far, as the events told it.
#[derive(Debug, Default)]
struct UdpState {
    /// The client bound its socket itself (--bind / --source-port).
    bound: bool,
    /// The socket is connected (--connect).
    connected: bool,
    /// How long the client listened for replies after sending (--wait).
    waited: Option<std::time::Duration>,
    /// A datagram was already shown: any, received, sent.
    seen_any: bool,
    seen_in: bool,
    seen_out: bool,
}

impl Human {
    pub fn new(out: Box<dyn Write + Send>, style: Style) -> Human {
        Human {
            out,
            style,
            dumpers: HashMap::new(),
            proto: Proto::Tcp,
            udp: UdpState::default(),
            buf: Vec::new(),
        }
    }

    fn paint(&self, color: Color, text: &str) -> String {
        if self.style.color { format!("\x1b[{}m{text}\x1b[0m", color.to_fg_str()) } else { text.to_string() }
    }

    fn bold(&self, text: &str) -> String {
        if self.style.color { format!("\x1b[1m{text}\x1b[0m") } else { text.to_string() }
    }

    fn dim(&self, text: &str) -> String {
        if self.style.color { format!("\x1b[2m{text}\x1b[0m") } else { text.to_string() }
    }

    fn line(&mut self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(b'\n');
    }

    fn explanation(&mut self, (python, sentence): (String, String)) {
        if self.style.explain {
            let python = self.paint(Color::Blue, &format!("      python: {python}"));
            let sentence = self.dim(&format!("      {sentence}"));
            self.line(&python);
            self.line(&sentence);
        }
    }

    fn conn_tag(&self, conn: u64) -> String {
        self.bold(&format!("#{conn}"))
    }

    fn step(&mut self, step: &Step) {
        match step {
            Step::Socket { proto, .. } => self.proto = *proto,
            Step::Bind { role: Role::Client, .. } => self.udp.bound = true,
            _ => {}
        }
        if self.style.quiet {
            return;
        }
        let arrow = self.paint(Color::Blue, "▸");
        let text = match step {
            Step::Socket { family, proto, .. } => format!(
                "{arrow} socket({}, {})   {} {} socket",
                family_const(*family),
                match proto {
                    Proto::Tcp => "SOCK_STREAM",
                    Proto::Udp => "SOCK_DGRAM",
                },
                family_name(*family),
                proto_name(*proto),
            ),
            Step::SetOption { name, value, .. } => {
                format!("{arrow} setsockopt({name}, {value})   read back: {value}")
            }
            Step::ReadOption { name, value, .. } => {
                format!("{arrow} {name} = {value}   (the OS default, left as is)")
            }
            Step::Bind { addr, .. } => format!("{arrow} bind({}){}", addr, port_note(addr.port())),
            Step::Listen { backlog, effective } => {
                let cap = if effective < backlog {
                    format!("   the kernel caps it at {effective} (net.core.somaxconn)")
                } else {
                    String::new()
                };
                format!("{arrow} listen({backlog}){cap}")
            }
            Step::Resolve { host, addrs, .. } => {
                let list: Vec<String> = addrs.iter().map(show_ip).collect();
                format!("{arrow} resolve {host} → {}", list.join(", "))
            }
            Step::Connect { addr, .. } => format!("{arrow} connect({addr})"),
        };
        self.line(&text);
        self.explanation(explain::step(step, self.proto));
    }

    fn listening(&mut self, proto: Proto, local: &SocketAddr) {
        if self.style.quiet {
            return;
        }
        if proto == Proto::Udp {
            let arrow = self.paint(Color::Blue, "▸");
            let why =
                self.dim("UDP has no connections: every datagram, from anyone, comes to this one socket");
            self.line(&format!("{arrow} no listen(), no accept()   {why}"));
            self.explanation(explain::no_listen());
        }
        let what = match proto {
            Proto::Tcp => "listening on",
            Proto::Udp => "bound to",
        };
        let head = self.paint(Color::Green, &format!("● {what} {local} ({})", proto_name(proto)));
        self.line(&head);
        let (reach_port, reach_it) = match proto {
            Proto::Tcp => ("connect to", "connect"),
            Proto::Udp => ("send to", "send to it"),
        };
        let reach = match local.ip() {
            ip if ip.is_unspecified() => Some(format!(
                "{ip} means every interface: other machines can now {reach_port} port {}.",
                local.port()
            )),
            ip if ip.is_loopback() => Some(format!(
                "{ip} is loopback: only this machine can {reach_it}; --host {} opens it to others.",
                if local.is_ipv4() { "0.0.0.0" } else { "::" }
            )),
            _ => None,
        };
        if let Some(reach) = reach {
            let reach = self.dim(&format!("  {reach}"));
            self.line(&reach);
        }
    }

    fn sending_from(&mut self, local: &SocketAddr, peer: &SocketAddr, connected: bool, ephemeral: bool) {
        self.udp.connected = connected;
        let head = if connected {
            format!("● connected UDP socket {local} → {}", show_addr(peer))
        } else {
            format!("● sending from {local} to {} (UDP, not connected)", show_addr(peer))
        };
        let head = self.paint(Color::Green, &head);
        self.line(&head);
        if self.style.quiet {
            return;
        }
        let port = local.port();
        let origin = match (ephemeral, connected, self.udp.bound) {
            (false, _, _) => format!("port {port} is the one asked for (--source-port)"),
            (true, _, true) => format!("port {port} is ephemeral: the OS chose it at bind()"),
            (true, true, false) => format!("port {port} is ephemeral: the OS chose it at connect()"),
            (true, false, false) => {
                format!(
                    "port {port} is ephemeral: the OS chose it at the first sendto(), the socket had none"
                )
            }
        };
        let what = if connected {
            "connect() sent nothing: it fixed the peer, so the kernel drops datagrams from any other address, and an ICMP port unreachable from the peer shows as 'connection refused'"
        } else {
            "each sendto() names its destination; nothing tells the sender whether anyone receives a datagram"
        };
        for note in [origin, what.to_string()] {
            let note = self.dim(&format!("  {note}."));
            self.line(&note);
        }
        if self.style.explain {
            let range = ports::ephemeral_range().map(|r| (*r.start(), *r.end()));
            let (python, sentence) = explain::udp_local(local, connected, range);
            self.explanation((python, sentence));
        }
    }

    fn datagram(
        &mut self,
        dir: Dir,
        peer: &SocketAddr,
        seq: u64,
        elapsed: std::time::Duration,
        arrived: Option<usize>,
        bytes: &[u8],
    ) {
        let kept = bytes.len();
        let cut = arrived.filter(|&n| n > kept);
        if !self.style.dumps && cut.is_none() {
            return;
        }
        let (head, color) = match dir {
            Dir::In => (format!("← datagram #{seq} from {}", show_addr(peer)), Color::Cyan),
            Dir::Out => (format!("→ datagram #{seq} to {}", show_addr(peer)), Color::Magenta),
        };
        let size = match cut {
            Some(arrived) => self.paint(
                Color::Red,
                &format!(
                    "{arrived} bytes arrived, {kept} kept, {} discarded (longer than --recv-size {})",
                    arrived - kept,
                    self.style.recv_size
                ),
            ),
            None if kept == 1 => "1 byte".to_string(),
            None => format!("{kept} bytes"),
        };
        let head = self.paint(color, &head);
        let when = self.dim(&format!("+{}", format_duration(elapsed)));
        self.line(&format!("{head}: {size}   {when}"));
        let first = match dir {
            Dir::In => !std::mem::replace(&mut self.udp.seen_in, true),
            Dir::Out => !std::mem::replace(&mut self.udp.seen_out, true),
        };
        if !std::mem::replace(&mut self.udp.seen_any, true) && !self.style.quiet && self.style.dumps {
            let note = self.dim(
                "  one datagram is one message, whole: each is dumped from offset 0 (TCP shows recv() chunks of one stream)",
            );
            self.line(&note);
        }
        if first {
            let recv_size = self.style.recv_size;
            self.explanation(explain::datagram(dir, self.udp.connected, recv_size, peer, bytes));
        }
        if cut.is_some() && self.style.explain {
            let why = self.dim(&format!("      {}", explain::truncated(self.style.recv_size)));
            self.line(&why);
        }
        if self.style.dumps {
            let mut dumper = Dumper::new(self.style.layout, self.style.color, 0);
            dumper.push(bytes, &mut self.buf);
            dumper.finish(&mut self.buf);
        }
        // A datagram is one message: decoded from its start, dumped or not.
        self.decoded("", bytes);
    }

    fn done(
        &mut self,
        sent: u64,
        received: u64,
        bytes_out: u64,
        bytes_in: u64,
        duration: std::time::Duration,
    ) {
        let plural = |n: u64| if n == 1 { "datagram" } else { "datagrams" };
        let text = self.paint(
            Color::Yellow,
            &format!(
                "done after {}: {sent} {} sent ({}), {received} {} received ({})",
                format_duration(duration),
                plural(sent),
                format_bytes(bytes_out),
                plural(received),
                format_bytes(bytes_in),
            ),
        );
        self.line(&text);
        if sent > 0 && received == 0 && !self.style.quiet {
            let (within, more) = match self.udp.waited {
                Some(wait) => (format!(" within {}", format_duration(wait)), ""),
                None => (String::new(), "; --wait DUR listens for replies"),
            };
            let note = self.dim(&format!(
                "  nothing came back{within}, and that proves nothing: UDP has no acknowledgement, so a datagram may have been received, lost, or dropped with no socket bound there{more}"
            ));
            self.line(&note);
        }
    }

    fn accepted(&mut self, conn: u64, local: &SocketAddr, peer: &SocketAddr) {
        let tag = self.conn_tag(conn);
        let text = self.paint(Color::Green, &format!("accepted {}", show_addr(peer)));
        self.line(&format!("{tag} {text}   (local {local}; {} is the client's ephemeral port)", peer.port()));
        self.explanation(explain::accepted());
    }

    fn connected(&mut self, conn: u64, local: &SocketAddr, peer: &SocketAddr) {
        let tag = self.conn_tag(conn);
        let text = self.paint(Color::Green, &format!("connected to {peer}"));
        self.line(&format!("{tag} {text}   from {local} (ephemeral port {} chosen by the OS)", local.port()));
        if self.style.explain {
            let range = ports::ephemeral_range().map(|r| (*r.start(), *r.end()));
            let why = self.dim(&format!("      {}", explain::ephemeral(local, peer, range)));
            self.line(&why);
        }
    }

    fn data(
        &mut self,
        conn: u64,
        dir: Dir,
        chunk: u64,
        offset: u64,
        elapsed: std::time::Duration,
        bytes: &[u8],
    ) {
        if !self.style.dumps {
            // The payload goes elsewhere (--raw); its decoded values still show.
            let label = format!("{} chunk {chunk}: ", self.conn_tag(conn));
            self.decoded(&label, bytes);
            return;
        }
        let tag = self.conn_tag(conn);
        let (verb, color) = match (dir, self.proto) {
            (Dir::In, Proto::Tcp) => ("← recv", Color::Cyan),
            (Dir::Out, Proto::Tcp) => ("→ send", Color::Magenta),
            (Dir::In, Proto::Udp) => ("← datagram", Color::Cyan),
            (Dir::Out, Proto::Udp) => ("→ datagram", Color::Magenta),
        };
        let head = self.paint(color, &format!("{verb} {} bytes", bytes.len()));
        let detail = self.dim(&format!("chunk {chunk}, +{}", format_duration(elapsed)));
        self.line(&format!("{tag} {head}   {detail}"));
        if chunk == 1 {
            let recv_size = self.style.recv_size;
            self.explanation(explain::data(dir, self.proto, recv_size, bytes));
        }
        let (layout, color) = (self.style.layout, self.style.color);
        let dumper = self.dumpers.entry((conn, dir)).or_insert_with(|| Dumper::new(layout, color, offset));
        dumper.push(bytes, &mut self.buf);
        self.decoded("", bytes);
    }

    /// With --decode, the line under a chunk: its first bytes decoded as
    /// `struct.unpack_from` would, or a note when the chunk is too short.
    fn decoded(&mut self, label: &str, bytes: &[u8]) {
        let Some(format) = &self.style.decode else { return };
        let decoded = format.unpack_from(bytes);
        let label = match &decoded {
            Ok(_) if bytes.len() > format.size() => {
                format!("{label}{format} on the first {} of {} bytes: ", format.size(), bytes.len())
            }
            Ok(_) => format!("{label}{format}: "),
            Err(_) => format!("{label}note: "),
        };
        push_decoded(&label, &decoded, self.style.color, &mut self.buf);
    }

    fn closed(
        &mut self,
        conn: u64,
        bytes_in: u64,
        bytes_out: u64,
        duration: std::time::Duration,
        reason: Option<&str>,
    ) {
        for dir in [Dir::In, Dir::Out] {
            if let Some(mut dumper) = self.dumpers.remove(&(conn, dir)) {
                dumper.finish(&mut self.buf);
            }
        }
        let tag = self.conn_tag(conn);
        let reason = reason.map(|r| format!(" ({r})")).unwrap_or_default();
        let text = self.paint(
            Color::Yellow,
            &format!(
                "closed after {}: {} in, {} out{reason}",
                format_duration(duration),
                format_bytes(bytes_in),
                format_bytes(bytes_out)
            ),
        );
        self.line(&format!("{tag} {text}"));
        self.explanation(explain::closed());
    }
}

impl Reporter for Human {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        self.buf.clear();
        match event {
            Event::Step(step) => self.step(step),
            Event::Listening { proto, local, .. } => self.listening(*proto, local),
            Event::ConnectFailed { addr, error } => {
                let text = self.paint(Color::Red, &format!("  ✗ {addr}: {error}"));
                self.line(&text);
            }
            Event::Connected { conn, local, peer } => self.connected(*conn, local, peer),
            Event::Accepted { conn, local, peer } => self.accepted(*conn, local, peer),
            Event::Data { conn, dir, chunk, offset, elapsed, bytes } => {
                self.data(*conn, *dir, *chunk, *offset, *elapsed, bytes.0)
            }
            Event::Datagram { dir, peer, seq, elapsed, arrived, bytes } => {
                self.datagram(*dir, peer, *seq, *elapsed, *arrived, bytes.0)
            }
            Event::SendingFrom { local, peer, connected, ephemeral } => {
                self.sending_from(local, peer, *connected, *ephemeral)
            }
            Event::Waiting { wait } => {
                self.udp.waited = Some(*wait);
                if !self.style.quiet {
                    let text = self.dim(&format!(
                        "… all sent; listening {} for replies (--wait)",
                        format_duration(*wait)
                    ));
                    self.line(&text);
                }
            }
            Event::Done { sent, received, bytes_out, bytes_in, duration } => {
                self.done(*sent, *received, *bytes_out, *bytes_in, *duration)
            }
            Event::Eof { conn } => {
                let tag = self.conn_tag(*conn);
                let text =
                    self.paint(Color::Yellow, "← EOF: the peer finished sending (recv returned 0 bytes)");
                self.line(&format!("{tag} {text}"));
                self.explanation(explain::eof());
            }
            Event::Shutdown { conn } => {
                let tag = self.conn_tag(*conn);
                let text = self.paint(Color::Yellow, "→ shutdown(SHUT_WR): end of our input; still reading");
                self.line(&format!("{tag} {text}"));
                self.explanation(explain::shutdown());
            }
            Event::Closed { conn, bytes_in, bytes_out, duration, reason } => {
                self.closed(*conn, *bytes_in, *bytes_out, *duration, reason.as_deref())
            }
            Event::Notice { conn, message } => {
                if !self.style.quiet {
                    let tag = conn.map(|c| format!("{} ", self.conn_tag(c))).unwrap_or_default();
                    let text = self.dim(&format!("note: {message}"));
                    self.line(&format!("{tag}{text}"));
                }
            }
            Event::Error { conn, message } => {
                let tag = conn.map(|c| format!("{} ", self.conn_tag(c))).unwrap_or_default();
                let text = self.paint(Color::Red, &format!("error: {message}"));
                self.line(&format!("{tag}{text}"));
            }
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        self.out.write_all(&self.buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn family_const(family: Family) -> &'static str {
    match family {
        Family::V4 => "AF_INET",
        Family::V6 => "AF_INET6",
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::V4 => "IPv4",
        Family::V6 => "IPv6",
    }
}

fn proto_name(proto: Proto) -> &'static str {
    match proto {
        Proto::Tcp => "TCP",
        Proto::Udp => "UDP",
    }
}

/// A note on a port's meaning when the course has one to give.
fn port_note(port: u16) -> String {
    match (port, ports::service(port)) {
        (0, _) => "   port 0: the OS will choose".to_string(),
        (_, Some(service)) => format!("   port {port} is {service}'s well-known port (0-1023 are reserved)"),
        (p, None) if ports::is_privileged(p) => {
            format!("   port {p} is reserved (0-1023 are the well-known ports)")
        }
        _ => String::new(),
    }
}

/// An address without its port, with the scope of a link-local IPv6 one
/// (`fe80::1%1`), which `IpAddr` alone would lose.
fn show_ip(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V6(v6) if v6.scope_id() != 0 => format!("{}%{}", v6.ip(), v6.scope_id()),
        other => other.ip().to_string(),
    }
}

/// A peer address, with what an IPv4-mapped IPv6 address stands for.
fn show_addr(addr: &SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("{addr} (IPv4-mapped: the IPv4 peer {v4})"),
            None => addr.to_string(),
        },
        IpAddr::V4(_) => addr.to_string(),
    }
}
