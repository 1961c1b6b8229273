//! The reporter for people: one line per socket step or event, colour when
//! wanted, a hex dump under each chunk, and with `--explain` the Python line
//! of the course and a sentence under each step.

mod bench;
mod data;
mod demo;
mod script;
mod steps;
mod wire;

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};

use colored::Color;

use super::explain::{self, FirstFin};
use super::packets::{self, Ladder};
use super::paint::{self, Paint};
use super::pyline;
use super::tables::{self, COLUMN, WHAT};
use super::{Background, OutputConfig, Reporter};
use crate::decode::Format;
use crate::decode::push_decoded;
use crate::event::bench::{BenchProgress, BenchSide, TcpBenchResult, UdpBenchResult};
use crate::event::demo::{DemoPart, DemoRow};
use crate::event::{Dir, Event, Proto, Role, ServeTotals, SlowPolicy, SockOpt, Step};
use crate::hexdump::{Dumper, Layout, Renderer};
use crate::i18n::units::format_duration_in;
use crate::i18n::{Arg, Lang, Msg, Painted};
use crate::model::clock::Stamp;
use crate::model::front::Front;
use crate::model::packet::PacketKind;
use crate::model::ports;
use crate::msg;
use crate::width;

/// What the human reporter shows, decided once per run.
#[derive(Debug, Clone)]
pub(crate) struct Style {
    pub(crate) color: bool,
    pub(crate) explain: bool,
    /// Only connections, data and errors: no steps, no notes.
    pub(crate) quiet: bool,
    /// Hex dumps under data events (off when the payload goes to stdout).
    pub(crate) dumps: bool,
    pub(crate) layout: Layout,
    /// The code that draws the dump's lines.
    pub(crate) renderer: Renderer,
    /// Bytes asked per recv call, for the explanations.
    pub(crate) recv_size: usize,
    /// `--decode`: a line under each chunk with its decoded values.
    pub(crate) decode: Option<Format>,
    /// Columns every line must fit in (the terminal's); None: no limit.
    pub(crate) width: Option<usize>,
    /// The language the lines are written in.
    pub(crate) lang: Lang,
    /// The command line the run was asked for with: a note that says what
    /// to type names its options.
    pub(crate) front: Front,
}

impl Style {
    /// The style for `config` on an output `width` columns wide: a hex
    /// dump of 16 bytes a line where it fits, else 8.
    pub(crate) fn from_config(config: &OutputConfig, color: bool, width: Option<usize>) -> Style {
        let mut layout = config.dump;
        while width.is_some_and(|w| dump_columns(layout.width) > w) && layout.width > 8 {
            layout.width /= 2;
        }
        Style {
            color,
            explain: config.explain,
            quiet: config.quiet,
            dumps: true,
            layout,
            renderer: config.renderer,
            recv_size: config.recv_size,
            decode: config.decode.clone(),
            width,
            lang: config.lang,
            front: config.front,
        }
    }
}

/// A chunk's place: its number, and after the first, the stream offset of
/// its first byte as the dump's offset column writes it. The dump keeps its
/// rows on multiples of 16, so a chunk that starts mid-row is drawn on a row
/// labelled lower (`00000000` for bytes 15 on): the header says where it
/// starts.
fn chunk_detail(chunk: u64, offset: u64, when: String) -> Msg {
    if chunk > 1 {
        msg!("chunk-detail-at", chunk = chunk, offset = format!("{offset:08x}"), when = when)
    } else {
        msg!("chunk-detail", chunk = chunk, when = when)
    }
}

/// The columns a full line of the hex dump takes, `width` bytes a line:
/// the offset, the hex cells in groups of 8, and the text between bars.
pub(crate) fn dump_columns(width: usize) -> usize {
    8 + 2 + 3 * width + (width / 8 - 1) + 1 + width + 2
}

pub(crate) struct Human {
    out: Out,
    style: Style,
    /// One dumper per connection and direction, so offsets run on.
    dumpers: HashMap<(u64, Dir), Dumper>,
    /// The protocol of the sockets seen so far, for the explanations.
    proto: Proto,
    /// Which end this reporter shows, from its first socket step.
    role: Role,
    /// Who sent the first FIN of each connection, for the close's story.
    first_fin: HashMap<u64, FirstFin>,
    /// The stamp of each open connection's `accepted` or `connected` line.
    opened: HashMap<u64, Stamp>,
    /// What is known of a UDP client's socket, for the explanations.
    udp: UdpState,
    /// A benchmark's progress line is on screen, without its newline.
    progress_shown: bool,
    /// Why a chunk cut a character was told once already.
    told_cut: bool,
    /// The transcript's `from socket import *` was shown.
    imported: bool,
    /// When the event being rendered happened, on the process clock.
    at: Stamp,
    /// `--packets`: which kinds of packet were explained already.
    ladder: Ladder,
    /// `--slow drop`: per client, when its last drop line was shown and
    /// what was dropped for it since (one line a second, not one a chunk).
    drops: HashMap<u64, Drops>,
    /// Events passed over as the run stopped ([`Reporter::skipped`]), not
    /// said yet.
    skipped: u64,
    buf: Vec<u8>,
}

/// The drops of one client not shown yet, since its last drop line.
#[derive(Debug)]
struct Drops {
    shown_at: Stamp,
    messages: u64,
    bytes: u64,
}

/// At most one drop line a second for each client.
const DROP_LINES_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

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
    /// The capture saw an ICMP port unreachable for a datagram to here.
    refused_at: Option<SocketAddr>,
}

impl Human {
    pub(crate) fn new(out: Box<dyn Write + Send>, style: Style) -> Human {
        Human::with(Out::Direct(out), style)
    }

    /// A reporter whose text is written by a [`Background`] thread, which
    /// takes each event's buffer instead of a copy of it.
    pub(crate) fn in_background(out: Background, style: Style) -> Human {
        Human::with(Out::Background(out), style)
    }

    fn with(out: Out, style: Style) -> Human {
        Human {
            out,
            style,
            dumpers: HashMap::new(),
            proto: Proto::Tcp,
            role: Role::Server,
            first_fin: HashMap::new(),
            opened: HashMap::new(),
            udp: UdpState::default(),
            progress_shown: false,
            told_cut: false,
            imported: false,
            at: Stamp::ZERO,
            ladder: Ladder::default(),
            drops: HashMap::new(),
            skipped: 0,
            buf: Vec::new(),
        }
    }

    /// A message in the reader's language.
    fn t(&self, msg: Msg) -> String {
        msg.render(self.style.lang)
    }

    fn paint(&self, color: Color, text: &str) -> String {
        paint::paint(text, Paint::Fg(color), self.style.color)
    }

    fn bold(&self, text: &str) -> String {
        paint::paint(text, Paint::Bold, self.style.color)
    }

    fn dim(&self, text: &str) -> String {
        paint::paint(text, Paint::Dim, self.style.color)
    }

    /// One line of text; where it is wider than the terminal, several,
    /// broken between words.
    fn line(&mut self, text: &str) {
        match self.style.width {
            Some(width) if width::display_width(text) > width => {
                for line in width::wrap(text, width) {
                    self.buf.extend_from_slice(line.as_bytes());
                    self.buf.push(b'\n');
                }
            }
            _ => {
                self.buf.extend_from_slice(text.as_bytes());
                self.buf.push(b'\n');
            }
        }
    }

    fn explanation(&mut self, (python, sentence): (String, String)) {
        self.python(&python);
        self.sentence(&sentence);
    }

    /// With --explain: the line of the course's Python that does this.
    /// Where it is too wide, its `# comment` (what the call returned) goes
    /// on a line of its own rather than being broken inside a literal.
    fn python(&mut self, python: &str) {
        if !self.style.explain {
            return;
        }
        // The transcript runs as shown: its names come from this import.
        if !std::mem::replace(&mut self.imported, true) {
            let import = self.paint(Color::Blue, "      python: from socket import *");
            self.line(&import);
        }
        let lines = match self.style.width {
            Some(width) => pyline::lay_out(python, "      python: ", "              # ", width),
            None => vec![format!("      python: {python}")],
        };
        for line in lines {
            let line = self.paint(Color::Blue, &line);
            self.line(&line);
        }
    }

    /// With --explain: what it does, in a sentence.
    fn sentence(&mut self, sentence: &str) {
        if self.style.explain {
            let sentence = self.dim(&format!("      {sentence}"));
            self.line(&sentence);
        }
    }

    /// When the event happened: `+12.3ms` since netplay started, on the
    /// one clock every line of every end shares.
    fn when(&self) -> String {
        format!("+{}", format_duration_in(self.style.lang, self.at.0))
    }

    fn conn_tag(&self, conn: u64) -> String {
        self.tag(conn).into_string()
    }

    /// `#N` in bold: a connection's tag, as a sentence's coloured value.
    fn tag(&self, conn: u64) -> Painted {
        Painted::text(&format!("#{conn}")).paint(Paint::Bold, self.style.color)
    }

    /// A message in the reader's language, painted `how`: a sentence's
    /// coloured value.
    fn painted(&self, how: Paint, msg: &Msg) -> Painted {
        Painted::msg(msg, self.style.lang).paint(how, self.style.color)
    }

    /// When the event happened ([`Self::when`]), dim: a sentence's value.
    fn when_dim(&self) -> Painted {
        Painted::text(&self.when()).paint(Paint::Dim, self.style.color)
    }

    /// The label a chunk's decoded values follow: `#1 chunk 2: `.
    fn chunk_label(&self, conn: u64, chunk: u64) -> Painted {
        self.painted(Paint::Plain, &msg!("chunk-label", tag = Arg::styled(self.tag(conn)), chunk = chunk))
    }
}

/// Columns the demo's table takes side by side.
const TABLE_COLUMNS: usize = WHAT + 2 + COLUMN + 2 + COLUMN;

impl Human {
    /// The line that says how many events were passed over as the run
    /// stopped, into the buffer.
    fn tell_skipped(&mut self) {
        let n = std::mem::take(&mut self.skipped);
        let text = self.t(msg!("notice-not-shown", n = Arg::count(n)));
        let text = self.dim(&text);
        self.line(&text);
    }
}

impl Reporter for Human {
    fn skipped(&mut self, _event: &Event) {
        self.skipped += 1;
    }

    fn event(&mut self, at: Stamp, event: &Event) -> io::Result<()> {
        // Stdout was given up (the run is stopping and it took nothing):
        // the flood still coming is passed over and counted, as it is past
        // half the stop's patience. Written to stderr instead, its dumps
        // went ahead of the totals, and under load kept them from being
        // written within the patience (12 of 20 runs of
        // stopping::a_report_for_people_goes_on_on_stderr_when_stdout_is_not_read;
        // --json likewise: lossless::sigint_during_uploads_stops_accepting_at_once).
        if event.is_bulk() && matches!(&self.out, Out::Background(out) if out.gave_up()) {
            self.skipped += 1;
            return Ok(());
        }
        self.buf.clear();
        self.at = at;
        // Said once, before the totals: how many were passed over.
        if self.skipped > 0 && matches!(event, Event::Done { .. } | Event::Summary { .. }) {
            self.tell_skipped();
        }
        if std::mem::take(&mut self.progress_shown) {
            // Clear the progress line; what follows takes its place.
            self.buf.extend_from_slice(paint::CLEAR_LINE);
        }
        match event {
            Event::Step(step) => self.step(step),
            Event::Listening { proto, local, .. } => self.listening(*proto, local),
            Event::AcceptQueue { queued, backlog } => self.accept_queue(*queued, *backlog),
            Event::ConnectFailed { addr, error } => self.connect_failed(addr, error),
            Event::Connected { conn, local, peer, ephemeral } => {
                self.connected(*conn, local, peer, *ephemeral)
            }
            Event::Accepted { conn, local, peer } => self.accepted(*conn, local, peer),
            Event::Data { conn, dir, chunk, offset, bytes, .. } => {
                self.data(*conn, *dir, *chunk, *offset, &bytes.0)
            }
            Event::Datagram { dir, peer, seq, arrived, bytes, .. } => {
                self.datagram(*dir, peer, *seq, *arrived, &bytes.0)
            }
            Event::SendingFrom { local, peer, connected, ephemeral } => {
                self.sending_from(local, peer, *connected, *ephemeral)
            }
            Event::Waiting { wait, replies } => self.waiting(*wait, *replies),
            Event::Done { sent, received, bytes_out, bytes_in, duration, server } => {
                self.udp_done(*sent, *received, *bytes_out, *bytes_in, *duration, server.as_ref())
            }
            Event::Eof { conn } => self.eof(*conn),
            Event::Shutdown { conn } => self.shutdown(*conn),
            Event::Closed { conn, bytes_in, bytes_out, duration, reason, tcp_info } => {
                self.closed(*conn, *bytes_in, *bytes_out, *duration, reason.as_ref(), tcp_info.as_ref())
            }
            Event::Rejected { peer, reason } => self.rejected(peer, reason),
            Event::Join { conn, clients } => self.membership(*conn, msg!("joins", clients = *clients)),
            Event::Leave { conn, clients } => self.membership(*conn, msg!("leaves", clients = *clients)),
            Event::Relay { conn, chunk, offset, to, bytes, .. } => {
                self.relay(Relay { conn: *conn, chunk: *chunk, offset: *offset, to: *to, bytes: &bytes.0 })
            }
            Event::Dropped { conn, from, len, queued, policy } => {
                self.dropped(*conn, *from, *len, *queued, *policy)
            }
            summary @ Event::Summary { .. } => self.summary(summary),
            Event::Notice { conn, message } => self.notice(*conn, message),
            Event::Error { conn, message } => self.error(*conn, message),
            Event::DemoPart { part } => self.demo_part(*part),
            Event::DemoPause { next } => self.demo_pause(*next),
            Event::DemoRow(row) => self.demo_row(row),
            Event::BenchProgress(progress) => self.bench_progress(progress),
            Event::TcpBench(result) => self.tcp_bench(result),
            Event::UdpBench(result) => self.udp_bench(result),
            Event::Script(step) => self.script_step(step),
            Event::ScriptEnd(end) => self.script_end(end),
            // Emitted for --json only: a person reads the exit code's line.
            Event::End { .. } => {}
            Event::Packet(packet) => self.packet(packet),
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        match &mut self.out {
            Out::Direct(out) => out.write_all(&self.buf),
            Out::Background(out) => out.send(&mut self.buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.skipped > 0 {
            self.buf.clear();
            self.tell_skipped();
            let sent = match &mut self.out {
                Out::Direct(out) => out.write_all(&self.buf),
                Out::Background(out) => out.send(&mut self.buf),
            };
            sent?;
        }
        match &mut self.out {
            Out::Direct(out) => out.flush(),
            Out::Background(out) => out.flush(),
        }
    }
}

/// Where the human reporter's text goes.
enum Out {
    Direct(Box<dyn Write + Send>),
    Background(Background),
}

/// A relayed chunk, as the human reporter takes it.
struct Relay<'a> {
    conn: Option<u64>,
    chunk: u64,
    offset: u64,
    to: usize,
    bytes: &'a [u8],
}

/// "1 byte", "15 bytes".
fn byte_count(n: usize) -> Msg {
    msg!("bytes", n = n)
}

/// A note on a port's meaning when the course has one to give.
fn port_note(port: u16) -> Option<Msg> {
    match (port, ports::service(port)) {
        (0, _) => Some(msg!("port-note-zero")),
        (_, Some(service)) => Some(msg!("port-note-service", port = port, service = service)),
        (p, None) if ports::is_privileged(p) => Some(msg!("port-note-reserved", port = p)),
        _ => None,
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

impl Human {
    /// A peer address, with what an IPv4-mapped IPv6 address stands for.
    fn show_addr(&self, addr: &SocketAddr) -> String {
        match addr.ip() {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.t(msg!("ipv4-mapped", addr = addr, v4 = v4.to_string())),
                None => addr.to_string(),
            },
            IpAddr::V4(_) => addr.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Payload;
    use crate::report::SharedBuf;
    use bytes::Bytes;

    fn render(events: &[Event], quiet: bool) -> String {
        let buf = SharedBuf::default();
        let style = Style {
            color: false,
            explain: false,
            quiet,
            dumps: true,
            layout: Layout::default(),
            renderer: Renderer::best(),
            recv_size: 1024,
            decode: None,
            width: None,
            lang: Lang::En,
            front: Front::Native,
        };
        let mut human = Human::new(Box::new(buf.clone()), style);
        for event in events {
            human.event(Stamp(std::time::Duration::from_millis(12)), event).unwrap();
        }
        String::from_utf8(buf.contents()).unwrap()
    }

    #[test]
    fn broadcast_events_read_as_sentences() {
        let elapsed = std::time::Duration::from_millis(12);
        let text = render(
            &[
                Event::Join { conn: 2, clients: 2 },
                Event::Relay {
                    conn: Some(1),
                    chunk: 1,
                    offset: 0,
                    elapsed,
                    to: 1,
                    bytes: Payload(Bytes::from_static(b"Hi!")),
                },
                Event::Relay {
                    conn: None,
                    chunk: 1,
                    offset: 0,
                    elapsed,
                    to: 2,
                    bytes: Payload(Bytes::from_static(b"all")),
                },
                Event::Dropped {
                    conn: 3,
                    from: Some(1),
                    len: 3,
                    queued: 1 << 20,
                    policy: SlowPolicy::Disconnect,
                },
                Event::Rejected {
                    peer: "127.0.0.2:5000".parse().unwrap(),
                    reason: Msg::text("--max-conns 2 reached"),
                },
                Event::Leave { conn: 2, clients: 1 },
            ],
            false,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "#2 joins the broadcast: 2 clients");
        assert_eq!(lines[1], "#1 ⇉ relay 3 bytes to 1 client   chunk 1, +12.0ms");
        assert!(lines[2].starts_with("00000000  48 69 21"), "{}", lines[2]);
        assert_eq!(lines[3], "stdin ⇉ relay 3 bytes to 2 clients   chunk 1, +12.0ms");
        assert_eq!(
            lines[5],
            "#3 falling behind (1.00 MiB waiting, its queue is full): disconnecting it (--slow disconnect); 3 bytes from #1 not sent"
        );
        assert_eq!(
            lines[6],
            "✗ rejected 127.0.0.2:5000: --max-conns 2 reached   (accepted and closed at once)"
        );
        assert_eq!(lines[7], "#2 leaves the broadcast: 1 client left");
    }

    #[test]
    fn quiet_hides_joins_but_not_relays_or_the_summary() {
        let text = render(
            &[
                Event::Join { conn: 1, clients: 1 },
                Event::Summary {
                    signal: "SIGTERM",
                    connections: 3,
                    rejected: 1,
                    bytes_in: 2048,
                    bytes_out: 10,
                    relays: 4,
                    drops: 0,
                    slow_disconnects: 1,
                    stalls: 0,
                    scripts: None,
                    duration: std::time::Duration::from_secs(2),
                },
            ],
            true,
        );
        // The stop is stamped on the clock the other lines use.
        let (head, rest) = text.split_once('\n').unwrap();
        assert!(head.starts_with("■ stopped by SIGTERM at +"), "{text}");
        assert_eq!(
            rest,
            "  3 connections (1 rejected), 2.00 KiB in, 10 B out, 4 relays, 1 slow client disconnected\n"
        );
    }
}
