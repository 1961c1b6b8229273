//! From events to the picture's rows: each socket call on the lifeline of
//! the end that made it, with its real values in the course's notation;
//! each packet as an arrow between the lifelines of its ends; beside a
//! row, its bytes, its Python line and its sentence (with --explain), the
//! way the human reporter tells them and with the same catalogue messages.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use super::session::{Arrow, Detail, End, Repeat, Row, Section, Session, Tone};
use crate::event::demo::DemoPart;
use crate::event::packet::PacketEvent;
use crate::event::{Dir, Event, Proto, Role, ServeTotals, SlowPolicy, Step};
use crate::i18n::{Arg, Msg};
use crate::model::clock::Stamp;
use crate::model::packet::PacketKind;
use crate::msg;
use crate::python::returned_addr;
use crate::report::explain::{self, FirstFin};

/// What one of our ends has told so far, for its explanations.
#[derive(Debug, Default)]
struct EndState {
    proto: Option<Proto>,
    /// Sentences already given, by kind: each is given once.
    told: HashSet<&'static str>,
    udp_connected: bool,
    /// The bind row, to add the port the OS chose once it is known.
    bind_row: Option<u64>,
    first_fin: HashMap<u64, FirstFin>,
    /// When each open connection's accept() or connect() row stands: its
    /// duration at the close runs from there, as the terminal's does.
    opened: HashMap<u64, Stamp>,
}

/// The session and what its ends have told.
#[derive(Debug)]
pub(super) struct Recorder {
    pub session: Session,
    states: HashMap<(usize, usize), EndState>,
    /// The demo's part under way, for its own notes.
    current: &'static str,
}

impl Recorder {
    pub(super) fn new(session: Session) -> Recorder {
        Recorder { session, states: HashMap::new(), current: "" }
    }

    fn t(&self, m: Msg) -> String {
        m.render(self.session.lang)
    }

    /// Takes one event, from `end`, that happened at `at`.
    pub(super) fn event(&mut self, at: Stamp, end: End, event: &Event) {
        match end {
            End::Main => self.main(at, event),
            End::Run(role) => {
                let s = self.session.section("");
                let lane = self.session.sections[s].ours(role);
                self.end_event(s, lane, at, event);
            }
            End::Part(part, role) => {
                let s = self.session.section(part);
                let lane = self.session.sections[s].ours(role);
                self.end_event(s, lane, at, event);
            }
            End::Wire(part) => {
                let s = self.session.section(part);
                if let Event::Packet(p) = event {
                    self.packet(s, None, at, p);
                }
            }
        }
    }

    /// The demo's own events: its parts, its table and its notes.
    fn main(&mut self, at: Stamp, event: &Event) {
        match event {
            Event::DemoPart { part } => {
                let (key, title) = match part {
                    DemoPart::TcpExchange => ("tcp_exchange", msg!("demo-part-tcp")),
                    DemoPart::UdpExchange => ("udp_exchange", msg!("demo-part-udp")),
                    DemoPart::Table => ("table", msg!("demo-part-table")),
                };
                let title = self.t(msg!("html-part", number = part.number(), title = title));
                let s = self.session.section(key);
                self.session.sections[s].title = Some(title);
                self.current = key;
            }
            Event::DemoRow(row) => self.session.table.push(row.clone()),
            Event::Notice { message, .. } => {
                let s = self.session.section(self.current);
                let text = self.t(msg!("note", message = message.clone()));
                self.session.push(s, Row::new(at, None, Tone::Note, text), None);
            }
            Event::Error { message, .. } => {
                let s = self.session.section(self.current);
                let text = self.t(msg!("error", message = message.clone()));
                self.session.push(s, Row::new(at, None, Tone::Error, text), None);
            }
            _ => {}
        }
    }

    fn state(&mut self, s: usize, lane: usize) -> &mut EndState {
        self.states.entry((s, lane)).or_default()
    }

    /// The sentence of `kind`, the first time only.
    fn once(&mut self, s: usize, lane: usize, kind: &'static str, sentence: String) -> Option<Detail> {
        (self.session.explain && self.state(s, lane).told.insert(kind)).then_some(Detail::Sentence(sentence))
    }

    fn python(&self, python: String) -> Option<Detail> {
        self.session.explain.then_some(Detail::Python(python))
    }

    /// The Python line of a chunk or datagram of `len` bytes. The page
    /// dumps a chunk's first bytes only, and keeps its size bounded: past
    /// that many, a line whose literal is only its comment (a recv) keeps
    /// its statement, which runs as shown; a line that sends the bytes is
    /// said to be left out, never shown cut (Python could not run it).
    fn chunk_python(&self, python: String, len: usize) -> Option<Detail> {
        if !self.session.explain || len <= self.session.limits.dump_chunk {
            return self.python(python);
        }
        match crate::report::pyline::split_comment(&python) {
            (statement, Some(_)) if !statement.contains("b'") && !statement.contains("b\"") => {
                Some(Detail::Python(statement.to_string()))
            }
            _ => Some(Detail::Note(self.t(msg!(
                "html-python-left-out",
                bytes = len,
                chars = python.chars().count()
            )))),
        }
    }

    fn section(&mut self, s: usize) -> &mut Section {
        &mut self.session.sections[s]
    }

    fn role(&self, s: usize, lane: usize) -> Role {
        self.session.sections[s].lanes[lane].role
    }

    fn proto(&mut self, s: usize, lane: usize) -> Proto {
        self.state(s, lane).proto.unwrap_or(Proto::Tcp)
    }

    /// The arrow of a call's bytes between `us` and `peer`, `out` or in.
    fn path(&self, us: usize, peer: usize, dir: Dir, label: String) -> Option<Arrow> {
        (us != peer).then(|| {
            let (from, to) = if dir == Dir::Out { (us, peer) } else { (peer, us) };
            Arrow { from, to, label, packet: false }
        })
    }

    fn end_event(&mut self, s: usize, us: usize, at: Stamp, event: &Event) {
        let lang = self.session.lang;
        let row = |tone, label: String| Row::new(at, Some(us), tone, label);
        match event {
            Event::Step(step) => self.step(s, us, at, step),
            Event::Listening { proto, local, .. } => {
                self.section(s).lanes[us].addr = Some(*local);
                if let Some(seq) = self.state(s, us).bind_row
                    && let Some(bind) = self.section(s).row_mut(seq)
                {
                    bind.label = format!("{} → {}", bind.label, returned_addr(local));
                }
                let head = match proto {
                    Proto::Tcp => msg!("listening-tcp", local = local),
                    Proto::Udp => msg!("listening-udp", local = local),
                };
                let mut r = row(Tone::State, self.t(head));
                if *proto == Proto::Udp {
                    r.details.push(Detail::Note(self.t(msg!("step-no-listen-why"))));
                    let (python, sentence) = explain::no_listen(lang);
                    r.details.extend(self.python(python));
                    r.details.extend(self.once(s, us, "no-listen", sentence));
                }
                self.session.push(s, r, None);
            }
            Event::AcceptQueue { queued, backlog } => {
                let text = self.t(match *queued {
                    0 => msg!("accept-queue-empty"),
                    n if n > *backlog => msg!("accept-queue-full", queued = n, backlog = *backlog),
                    n => msg!("accept-queue", queued = n, backlog = *backlog),
                });
                self.session.push(s, row(Tone::State, text), Some((Repeat::Queue(us), 0)));
            }
            Event::ConnectFailed { addr, error } => {
                let text = self.t(msg!("connect-failed", addr = addr, error = error.clone()));
                self.session.push(s, row(Tone::Error, text), None);
            }
            Event::Connected { conn, local, peer, ephemeral } => {
                self.state(s, us).opened.insert(*conn, at);
                self.section(s).lanes[us].addr = Some(*local);
                let limits = self.session.limits;
                self.section(s).peer(us, Some(*peer), Some(*conn), &limits);
                let label = format!("#{conn} {} ⇄ {}", returned_addr(local), returned_addr(peer));
                let mut r = row(Tone::State, label);
                let origin = match ephemeral {
                    true => msg!("origin-ephemeral", port = local.port()),
                    false => msg!("origin-asked", port = local.port()),
                };
                r.details.push(Detail::Note(self.t(msg!("connected-to", peer = peer))));
                r.details.push(Detail::Note(self.t(origin)));
                if *ephemeral && self.session.explain {
                    let range = crate::sys::ephemeral::range().map(|r| (r.low, r.high));
                    r.details.push(Detail::Sentence(explain::ephemeral(lang, local, peer, range)));
                }
                self.session.push(s, r, None);
            }
            Event::Accepted { conn, peer, .. } => {
                self.state(s, us).opened.insert(*conn, at);
                let limits = self.session.limits;
                self.section(s).peer(us, Some(*peer), Some(*conn), &limits);
                let label = format!("#{conn} accept() → {}", returned_addr(peer));
                let mut r = row(Tone::State, label);
                r.details.push(Detail::Note(self.t(msg!("accepted", peer = peer))));
                let (python, sentence) = explain::accepted(lang, peer);
                r.details.extend(self.python(python));
                r.details.extend(self.once(s, us, "accept", sentence));
                self.session.push(s, r, None);
            }
            Event::Data { conn, dir, offset, bytes, .. } => {
                self.data(s, us, at, *conn, *dir, *offset, &bytes.0);
            }
            Event::Datagram { dir, peer, arrived, bytes, .. } => {
                self.datagram(s, us, at, *dir, peer, *arrived, &bytes.0);
            }
            Event::SendingFrom { local, peer, connected, .. } => {
                self.section(s).lanes[us].addr = Some(*local);
                self.state(s, us).udp_connected = *connected;
                let limits = self.session.limits;
                self.section(s).peer(us, Some(*peer), None, &limits);
                let head = if *connected {
                    msg!("udp-connected-socket", local = local, peer = peer)
                } else {
                    msg!("udp-sending-from", local = local, peer = peer)
                };
                let mut r = row(Tone::State, self.t(head));
                if self.session.explain {
                    let range = crate::sys::ephemeral::range().map(|r| (r.low, r.high));
                    let (python, sentence) = explain::udp_local(lang, local, *connected, range);
                    r.details.push(Detail::Python(python));
                    r.details.push(Detail::Sentence(sentence));
                }
                self.session.push(s, r, None);
            }
            Event::Waiting { wait, replies } => {
                let text = self.t(match replies {
                    None => msg!("all-sent-wait", wait = Arg::duration(*wait)),
                    Some(n) => msg!("all-sent-replies", wait = Arg::duration(*wait), n = *n),
                });
                self.session.push(s, row(Tone::Note, text), None);
            }
            Event::Done { sent, received, bytes_out, bytes_in, duration: _, server } => {
                let mut r = row(
                    Tone::Close,
                    self.t(msg!(
                        "udp-done",
                        when = when(lang, at),
                        sent = Arg::count(*sent),
                        bytes_out = Arg::bytes(*bytes_out),
                        received = Arg::count(*received),
                        bytes_in = Arg::bytes(*bytes_in),
                    )),
                );
                if let Some(ServeTotals { signal, withheld, ignored, kernel_drops, scripts }) = server {
                    if let Some(signal) = signal {
                        let text = msg!("stopped-by", signal = *signal, when = when(lang, at));
                        r.details.push(Detail::Note(self.t(text)));
                    }
                    for (n, m) in [
                        (*withheld, msg!("serve-withheld", n = Arg::count(*withheld))),
                        (*ignored, msg!("serve-ignored", n = Arg::count(*ignored))),
                        (
                            kernel_drops.unwrap_or(0),
                            msg!("serve-kernel-drops", n = Arg::count(kernel_drops.unwrap_or(0))),
                        ),
                    ] {
                        if n > 0 {
                            r.details.push(Detail::Warn(self.t(m)));
                        }
                    }
                    if let Some(tally) = scripts {
                        let text = msg!("serve-scripts", passed = tally.passed, failed = tally.failed);
                        r.details.push(Detail::Note(self.t(text)));
                    }
                }
                self.session.push(s, r, None);
            }
            Event::Eof { conn } => {
                self.state(s, us).first_fin.entry(*conn).or_insert(FirstFin::Peers);
                let lane = self.section(s).conn_lane(us, *conn);
                let mut r = row(Tone::Close, format!("#{conn} recv() → b''"));
                r.arrow = lane.and_then(|l| self.path(us, l, Dir::In, "FIN".into()));
                r.details.push(Detail::Note(self.t(msg!("eof"))));
                let (python, sentence) = explain::eof(lang, self.role(s, us), self.session.recv_size);
                r.details.extend(self.python(python));
                r.details.extend(self.once(s, us, "eof", sentence));
                self.session.push(s, r, None);
            }
            Event::Shutdown { conn } => {
                self.state(s, us).first_fin.entry(*conn).or_insert(FirstFin::Ours);
                let lane = self.section(s).conn_lane(us, *conn);
                let mut r = row(Tone::Close, format!("#{conn} shutdown(SHUT_WR)"));
                r.arrow = lane.and_then(|l| self.path(us, l, Dir::Out, "FIN".into()));
                r.details.push(Detail::Note(self.t(msg!("shutdown"))));
                let (python, sentence) = explain::shutdown(lang);
                r.details.extend(self.python(python));
                r.details.extend(self.once(s, us, "shutdown", sentence));
                self.session.push(s, r, None);
            }
            Event::Closed { conn, bytes_in, bytes_out, duration, reason, tcp_info } => {
                let duration = match self.state(s, us).opened.remove(conn) {
                    Some(opened) => at.0.saturating_sub(opened.0),
                    None => *duration,
                };
                let (d, i, o) = (Arg::duration(duration), Arg::bytes(*bytes_in), Arg::bytes(*bytes_out));
                // As the terminal says it: when, and since which call.
                let since = match self.role(s, us) {
                    Role::Server => "accept()",
                    Role::Client => "connect()",
                };
                let w = when(lang, at);
                let text = self.t(match reason {
                    Some(reason) => msg!(
                        "closed-why",
                        when = w,
                        since = since,
                        duration = d,
                        bytes_in = i,
                        bytes_out = o,
                        reason = reason.clone()
                    ),
                    None => {
                        msg!("closed", when = w, since = since, duration = d, bytes_in = i, bytes_out = o)
                    }
                });
                let mut r = row(Tone::Close, format!("#{conn} close()"));
                r.details.push(if reason.is_some() { Detail::Warn(text) } else { Detail::Note(text) });
                if let Some(info) = tcp_info {
                    let text =
                        msg!("tcp-info-line", info = crate::report::packets::tcp_info_close_text(lang, info));
                    r.details.push(Detail::Note(self.t(text)));
                }
                let fin = self.state(s, us).first_fin.remove(conn).filter(|_| reason.is_none());
                let role = self.role(s, us);
                let (python, sentence) = explain::closed(
                    lang,
                    role,
                    fin.unwrap_or(FirstFin::Neither),
                    crate::sys::in_use::TIME_WAIT_LEN,
                );
                r.details.extend(self.python(python));
                if self.session.explain {
                    r.details.push(Detail::Sentence(sentence));
                }
                self.session.push(s, r, None);
            }
            Event::Rejected { peer, reason } => {
                let text = self.t(msg!("rejected", peer = peer, reason = reason.clone()));
                self.session.push(s, row(Tone::Error, text), None);
            }
            Event::Join { conn, clients } => {
                self.section(s).lanes[us].hub = true;
                let text = format!("#{conn} {}", self.t(msg!("joins", clients = *clients)));
                self.session.push(s, row(Tone::State, text), None);
            }
            Event::Leave { conn, clients } => {
                let text = format!("#{conn} {}", self.t(msg!("leaves", clients = *clients)));
                self.session.push(s, row(Tone::State, text), None);
            }
            Event::Relay { conn, offset, to, bytes, .. } => {
                let size = msg!("bytes", n = bytes.0.len());
                let head = self.t(msg!("relay-head", bytes = size, to = *to));
                let tag = match conn {
                    Some(c) => format!("#{c}"),
                    None => self.t(msg!("stdin")),
                };
                let mut r = row(Tone::Recv, format!("{tag} {head}"));
                let lane = conn.and_then(|c| self.section(s).conn_lane(us, c));
                r.arrow =
                    lane.and_then(|l| self.path(us, l, Dir::In, self.t(msg!("bytes", n = bytes.0.len()))));
                r.details.push(self.session.dump(*offset, &bytes.0));
                self.session.push(s, r, Some((Repeat::Relay(us), bytes.0.len() as u64)));
            }
            Event::Dropped { conn, from, len, queued, policy } => {
                let from = match from {
                    Some(f) => format!("#{f}"),
                    None => self.t(msg!("stdin")),
                };
                let size = msg!("bytes", n = *len);
                let what = match policy {
                    SlowPolicy::Drop => msg!("dropped-drop", bytes = size, from = from),
                    SlowPolicy::Disconnect | SlowPolicy::Wait => {
                        msg!("dropped-disconnect", bytes = size, from = from)
                    }
                };
                let text = format!(
                    "#{conn} {}",
                    self.t(msg!("falling-behind", queued = Arg::bytes(*queued), what = what))
                );
                self.session.push(s, row(Tone::Error, text), Some((Repeat::Drop(us), *len as u64)));
            }
            Event::Summary { signal, .. } => {
                let head = self.t(msg!("stopped-by", signal = *signal, when = when(lang, at)));
                let parts = crate::report::summary_parts(event);
                let parts: Vec<String> = parts.into_iter().map(|p| self.t(p)).collect();
                let mut r = row(Tone::Close, head);
                r.details.push(Detail::Note(parts.join(&self.t(msg!("list-separator")))));
                self.session.push(s, r, None);
            }
            Event::Notice { conn, message } => {
                let tag = conn.map(|c| format!("#{c} ")).unwrap_or_default();
                let text = format!("{tag}{}", self.t(msg!("note", message = message.clone())));
                self.session.push(s, Row::new(at, None, Tone::Note, text), None);
            }
            Event::Error { conn, message } => {
                let tag = conn.map(|c| format!("#{c} ")).unwrap_or_default();
                let text = format!("{tag}{}", self.t(msg!("error", message = message.clone())));
                self.session.push(s, Row::new(at, Some(us), Tone::Error, text), None);
            }
            Event::Packet(p) => self.packet(s, Some(us), at, p),
            // A script's step: on our lifeline, the terminal's line for it
            // (`#1 ✗ line 3: < encore ?`), and beside, what the terminal
            // says of it (a failure, its diff).
            Event::Script(step) => {
                let failed = step.outcome != crate::event::script::Outcome::Passed;
                let tone = if failed { Tone::Error } else { Tone::Step };
                let lines = crate::report::script::step_lines(lang, step, None);
                let head = lines.first().map(|(text, _)| text.clone()).unwrap_or_default();
                let mut r = row(tone, head);
                for (text, bad) in lines {
                    r.details.push(if bad { Detail::Warn(text) } else { Detail::Note(text) });
                }
                self.session.push(s, r, None);
            }
            Event::ScriptEnd(end) => {
                if let Some((text, bad)) = crate::report::script::end_line(lang, end) {
                    let tone = if bad { Tone::Error } else { Tone::Close };
                    self.session.push(s, row(tone, text), None);
                }
            }
            // The demo's own, the benchmarks' (which draw no picture).
            Event::DemoPart { .. }
            | Event::DemoPause { .. }
            | Event::DemoRow(_)
            | Event::BenchProgress(_)
            | Event::TcpBench(_)
            | Event::UdpBench(_)
            // `--json`'s last line; the page has its own ending.
            | Event::End { .. } => {}
        }
    }

    fn step(&mut self, s: usize, us: usize, at: Stamp, step: &Step) {
        let lang = self.session.lang;
        if let Step::Socket { proto, .. } = step {
            self.state(s, us).proto = Some(*proto);
        }
        let proto = self.proto(s, us);
        let (label, kind, note): (String, &'static str, Option<Msg>) = match step {
            Step::Socket { family, proto, .. } => {
                (format!("socket({}, {})", family.constant(), proto.socket_type()), "socket", None)
            }
            Step::SetOption { name, set, value, .. } => {
                (format!("setsockopt({name}, {set}) → {value}"), "option", None)
            }
            Step::ReadOption { name, value, .. } => (format!("getsockopt({name}) → {value}"), "option", None),
            Step::Bind { addr, .. } => {
                let note = (addr.port() == 0).then(|| msg!("port-note-zero"));
                (format!("bind({})", explain::py_addr(addr)), "bind", note)
            }
            Step::Listen { backlog, effective } => {
                let note = (effective < backlog).then(|| {
                    msg!(
                        "step-listen-capped",
                        backlog = *backlog,
                        effective = *effective,
                        setting = crate::sys::backlog::SETTING
                    )
                });
                (format!("listen({backlog})"), "listen", note)
            }
            Step::Resolve { host, port, addrs } => {
                let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                (format!("getaddrinfo('{host}', {port}) → {}", list.join(", ")), "resolve", None)
            }
            Step::Connect { addr, .. } => {
                let limits = self.session.limits;
                self.section(s).peer(us, Some(*addr), None, &limits);
                (format!("connect({})", explain::py_addr(addr)), "connect", None)
            }
        };
        let mut row = Row::new(at, Some(us), Tone::Step, label);
        if let Some(note) = note {
            row.details.push(Detail::Note(self.t(note)));
        }
        let (python, sentence) = explain::step(lang, step, proto);
        row.details.extend(self.python(python));
        row.details.extend(self.once(s, us, kind, sentence));
        let is_bind = matches!(step, Step::Bind { .. });
        self.session.push(s, row, None);
        if is_bind {
            let seq = self.session.sections[s].last_seq();
            self.state(s, us).bind_row = seq;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn data(&mut self, s: usize, us: usize, at: Stamp, conn: u64, dir: Dir, offset: u64, bytes: &[u8]) {
        let repeat = Repeat::Data(us, dir);
        if self.session.fold_into(s, repeat, bytes.len() as u64, at) {
            return;
        }
        let lang = self.session.lang;
        let role = self.role(s, us);
        let recv_size = self.session.recv_size;
        let size = self.t(msg!("bytes", n = bytes.len()));
        let (tone, label) = match (dir, role) {
            (Dir::In, _) => (Tone::Recv, format!("#{conn} recv({recv_size}) → {size}")),
            (Dir::Out, Role::Server) => (Tone::Send, format!("#{conn} send({size}) → {}", bytes.len())),
            (Dir::Out, Role::Client) => (Tone::Send, format!("#{conn} sendall({size})")),
        };
        let mut r = Row::new(at, Some(us), tone, label);
        let lane = self.section(s).conn_lane(us, conn);
        r.arrow = lane.and_then(|l| self.path(us, l, dir, size.clone()));
        let (python, sentence) = explain::data(lang, dir, role, recv_size, bytes);
        r.details.extend(self.chunk_python(python, bytes.len()));
        let kind = if dir == Dir::In { "recv" } else { "send" };
        r.details.extend(self.once(s, us, kind, sentence));
        if dir == Dir::In && self.session.explain && bytes.len() <= self.session.limits.dump_chunk {
            let (python, why) = explain::decoded(lang, explain::received_var(role), bytes);
            r.details.push(Detail::Python(python));
            r.details.extend(why.and_then(|why| self.once(s, us, "decode-cut", why)));
        }
        r.details.push(self.session.dump(offset, bytes));
        r.details.extend(self.decoded(bytes));
        self.session.push(s, r, Some((repeat, bytes.len() as u64)));
    }

    /// With `--decode`, the line the terminal shows under a chunk's dump:
    /// its first bytes as `struct.unpack_from` reads them, or why not.
    fn decoded(&self, bytes: &[u8]) -> Option<Detail> {
        let format = self.session.decode.as_ref()?;
        let decoded = format.unpack_from(bytes);
        let label = match &decoded {
            Ok(_) if bytes.len() > format.size() => self.t(msg!(
                "decode-first",
                label = "",
                format = format.to_string(),
                size = format.size(),
                len = bytes.len()
            )),
            Ok(_) => format!("{format}: "),
            Err(_) => self.t(msg!("decode-note", label = "")),
        };
        Some(match decoded {
            Ok(values) => Detail::Decoded(format!("↳ {label}{values}")),
            Err(error) => Detail::Warn(format!("↳ {label}{error}")),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn datagram(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        dir: Dir,
        peer: &SocketAddr,
        arrived: Option<usize>,
        bytes: &[u8],
    ) {
        let limits = self.session.limits;
        let lane = self.section(s).peer(us, Some(*peer), None, &limits);
        let repeat = Repeat::Datagram(us, lane, dir);
        if self.session.fold_into(s, repeat, bytes.len() as u64, at) {
            return;
        }
        let lang = self.session.lang;
        let recv_size = self.session.recv_size;
        let connected = self.state(s, us).udp_connected;
        let size = self.t(msg!("bytes", n = bytes.len()));
        let (tone, label) = match (dir, connected) {
            (Dir::In, false) => {
                (Tone::Recv, format!("recvfrom({recv_size}) → {size}, {}", returned_addr(peer)))
            }
            (Dir::In, true) => (Tone::Recv, format!("recv({recv_size}) → {size}")),
            (Dir::Out, false) => (Tone::Send, format!("sendto({size}, {})", explain::py_addr(peer))),
            (Dir::Out, true) => (Tone::Send, format!("send({size})")),
        };
        let mut r = Row::new(at, Some(us), tone, label);
        r.arrow = self.path(us, lane, dir, size);
        if let Some(arrived) = arrived.filter(|&n| n > bytes.len()) {
            let text = msg!(
                "datagram-cut",
                arrived = arrived,
                kept = bytes.len(),
                discarded = arrived - bytes.len(),
                recv_size = recv_size
            );
            r.details.push(Detail::Warn(self.t(text)));
        }
        let (python, sentence) = explain::datagram(lang, dir, connected, recv_size, peer, bytes);
        r.details.extend(self.chunk_python(python, bytes.len()));
        let kind = if dir == Dir::In { "datagram-in" } else { "datagram-out" };
        r.details.extend(self.once(s, us, kind, sentence));
        if dir == Dir::In && self.session.explain && bytes.len() <= self.session.limits.dump_chunk {
            let (python, _) = explain::decoded(lang, "data", bytes);
            r.details.push(Detail::Python(python));
        }
        r.details.push(self.session.dump(0, bytes));
        r.details.extend(self.decoded(bytes));
        self.session.push(s, r, Some((repeat, bytes.len() as u64)));
    }

    /// A packet, as an arrow between the lifelines of its two ends. `us`
    /// is the run's own end (none for the demo's wire, where both ends are
    /// ours).
    fn packet(&mut self, s: usize, us: Option<usize>, at: Stamp, event: &PacketEvent) {
        let packet = &event.packet;
        let limits = self.session.limits;
        let section = &mut self.session.sections[s];
        let ends = match (us, event.ends(), event.sender) {
            (Some(us), Some((client, server)), Some(sender)) => {
                let role = section.lanes[us].role;
                let peer_addr = if role == Role::Server { client } else { server };
                let peer = section.peer(us, Some(peer_addr), None, &limits);
                Some(if sender == role { (us, peer) } else { (peer, us) })
            }
            (None, Some(_), Some(sender)) => {
                let client = section.lanes.iter().position(|l| l.ours && l.role == Role::Client);
                let server = section.lanes.iter().position(|l| l.ours && l.role == Role::Server);
                client.zip(server).map(|(c, srv)| if sender == Role::Client { (c, srv) } else { (srv, c) })
            }
            _ => section.lane_at(packet.from).zip(section.lane_at(packet.to)),
        };
        let Some((from, to)) = ends.filter(|(a, b)| a != b) else {
            self.session.stray_packets += 1;
            return;
        };
        let kind = packet.kind();
        self.session.sections[s].packets = true;
        let repeat = match kind {
            PacketKind::Data | PacketKind::Ack | PacketKind::Udp => {
                Some((Repeat::Packet(from, to, kind), u64::from(packet.length)))
            }
            _ => None,
        };
        if let Some((key, bytes)) = repeat
            && self.session.fold_into(s, key, bytes, at)
        {
            return;
        }
        let label = crate::report::ladder::arrow_label(packet);
        let mut r = Row::new(at, None, Tone::Packet(kind), String::new());
        r.arrow = Some(Arrow { from, to, label, packet: true });
        r.details.push(Detail::Note(crate::report::ladder::details_text(packet)));
        // Each kind's sentence once a section.
        if self.session.explain && self.state(s, usize::MAX).told.insert(packet_kind_name(kind)) {
            r.details.push(Detail::Sentence(self.t(crate::report::ladder::explain(kind))));
        }
        self.session.push(s, r, repeat);
    }
}

/// A name for each packet kind, to tell its sentence once.
fn packet_kind_name(kind: PacketKind) -> &'static str {
    match kind {
        PacketKind::Syn => "syn",
        PacketKind::SynAck => "syn-ack",
        PacketKind::Ack => "ack",
        PacketKind::Data => "data",
        PacketKind::Fin => "fin",
        PacketKind::Rst => "rst",
        PacketKind::IcmpPortUnreachable => "icmp-port",
        PacketKind::Icmpv6PortUnreachable => "icmpv6-port",
        PacketKind::Icmp => "icmp",
        PacketKind::Udp => "udp",
    }
}

/// A stamp as the terminal's lines write it (`+4.2ms`): the durations
/// the page shows say where they end on the same clock.
fn when(lang: crate::i18n::Lang, at: Stamp) -> String {
    format!("+{}", crate::i18n::units::format_duration_in(lang, at.0))
}

#[cfg(test)]
mod tests {
    //! The pages of fixed sessions, one event of every kind a run's end
    //! tells (and the demo's own), pinned byte for byte: moving the
    //! recorder's code must not change a byte of the page it draws.

    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use super::super::page::{self, Status};
    use super::super::session::{End, Limits, Session};
    use super::Recorder;
    use crate::event::demo::DemoPart;
    use crate::event::packet::PacketEvent;
    use crate::event::script::{Outcome, ScriptEnd, ScriptStep, StepKind};
    use crate::event::{Dir, Event, Family, Proto, Role, ServeTotals, SlowPolicy, SockOpt, Step};
    use crate::i18n::Lang;
    use crate::model::clock::Stamp;
    use crate::model::flows::Flows;
    use crate::model::packet::samples::{icmp4_port_unreachable, tcp4, udp4};
    use crate::model::packet::{Direction, parse};
    use crate::model::tcp_info::TcpInfo;
    use crate::msg;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn packets(sender: Role) -> Vec<Event> {
        let mut flows = Flows::new();
        let (c, s) = (40000, 9000);
        let wire: [(Vec<u8>, Role); 6] = [
            (tcp4(c, s, 0x02, 1000, 0, &[]), Role::Client),
            (tcp4(s, c, 0x12, 5000, 1001, &[]), Role::Server),
            (tcp4(c, s, 0x10, 1001, 5001, &[]), Role::Client),
            (tcp4(c, s, 0x18, 1001, 5001, b"hello"), Role::Client),
            (tcp4(s, c, 0x11, 5001, 1006, &[]), Role::Server),
            (tcp4(c, s, 0x04, 1006, 0, &[]), Role::Client),
        ];
        let mut events: Vec<Event> = wire
            .into_iter()
            .map(|(bytes, who)| {
                let mut packet = parse(&bytes, Instant::now(), Direction::Out).unwrap();
                flows.annotate(&mut packet);
                Event::Packet(PacketEvent { packet, sender: Some(if who == sender { sender } else { who }) })
            })
            .collect();
        let icmp =
            parse(&icmp4_port_unreachable(&udp4(c, 9, b"hi")), Instant::now(), Direction::Out).unwrap();
        events.push(Event::Packet(PacketEvent { packet: icmp, sender: Some(Role::Server) }));
        events
    }

    fn tcp_info() -> TcpInfo {
        TcpInfo {
            state: 1,
            rtt_us: 45,
            rtt_var_us: 20,
            cwnd: 10,
            mss: 32768,
            retransmits: 0,
            segs_in: 5,
            segs_out: 6,
            bytes_acked: 12,
            bytes_received: 300,
            unacked: 0,
            notsent: 0,
            sacked: 0,
            read_us: None,
        }
    }

    fn server_events() -> Vec<Event> {
        let local = addr("127.0.0.1:9000");
        let peer = addr("127.0.0.1:40000");
        let mut events = vec![
            Event::Step(Step::Socket { role: Role::Server, family: Family::V4, proto: Proto::Tcp }),
            Event::Step(Step::SetOption { role: Role::Server, name: SockOpt::ReuseAddr, set: 1, value: 1 }),
            Event::Step(Step::ReadOption { role: Role::Server, name: SockOpt::RcvBuf, value: 131072 }),
            Event::Step(Step::Bind { role: Role::Server, addr: addr("127.0.0.1:0") }),
            Event::Step(Step::Listen { backlog: 8192, effective: 4096 }),
            Event::Listening { proto: Proto::Tcp, local, backlog: Some(4096) },
            Event::AcceptQueue { queued: 1, backlog: 4096 },
            Event::AcceptQueue { queued: 0, backlog: 4096 },
            Event::Accepted { conn: 1, local, peer },
        ];
        for n in 0..6u64 {
            let bytes: Vec<u8> = (0..=255u8).cycle().skip(n as usize).take(40 + 70 * n as usize).collect();
            events.push(Event::data(1, Dir::In, n + 1, bytes, n * 100, Duration::from_millis(n)));
        }
        events.push(Event::data(1, Dir::Out, 1, &b"h\xc3\xa9llo\n"[..], 0, Duration::from_millis(7)));
        events.push(Event::data(1, Dir::In, 7, vec![b'x'; 400], 700, Duration::from_millis(8)));
        events.extend(packets(Role::Server));
        events.extend([
            Event::Eof { conn: 1 },
            Event::Shutdown { conn: 1 },
            Event::Closed {
                conn: 1,
                bytes_in: 1100,
                bytes_out: 7,
                duration: Duration::from_millis(9),
                reason: None,
                tcp_info: Some(tcp_info()),
            },
            Event::Rejected { peer: addr("127.0.0.1:40001"), reason: msg!("udp-nothing-back") },
            Event::Accepted { conn: 2, local, peer: addr("127.0.0.1:40002") },
            Event::Join { conn: 2, clients: 1 },
            Event::Accepted { conn: 3, local, peer: addr("127.0.0.1:40003") },
            Event::Join { conn: 3, clients: 2 },
            Event::Relay {
                conn: Some(2),
                chunk: 1,
                offset: 0,
                elapsed: Duration::from_millis(1),
                to: 1,
                bytes: crate::event::Payload(b"to all\n".to_vec().into()),
            },
            Event::Relay {
                conn: None,
                chunk: 1,
                offset: 0,
                elapsed: Duration::from_millis(1),
                to: 2,
                bytes: crate::event::Payload(b"from stdin\n".to_vec().into()),
            },
            Event::Dropped { conn: 3, from: Some(2), len: 7, queued: 65536, policy: SlowPolicy::Drop },
            Event::Dropped { conn: 3, from: None, len: 11, queued: 65536, policy: SlowPolicy::Disconnect },
            Event::Leave { conn: 3, clients: 1 },
            Event::Closed {
                conn: 3,
                bytes_in: 0,
                bytes_out: 7,
                duration: Duration::from_millis(3),
                reason: Some(msg!("udp-nothing-back")),
                tcp_info: None,
            },
            Event::Notice { conn: Some(2), message: msg!("udp-nothing-back") },
            Event::Error { conn: None, message: msg!("udp-nothing-back") },
            Event::Script(ScriptStep {
                conn: Some(2),
                line: 1,
                step: StepKind::Expect,
                text: "< hello".into(),
                outcome: Outcome::Passed,
                pass: None,
                bytes: Some(b"hello\n".to_vec()),
                expected: None,
                offset: None,
                bound: Vec::new(),
                why: None,
            }),
            Event::Script(ScriptStep {
                conn: Some(2),
                line: 2,
                step: StepKind::Expect,
                text: "< encore ?".into(),
                outcome: Outcome::Mismatch,
                pass: None,
                bytes: Some(b"non\n".to_vec()),
                expected: Some(b"encore ?\n".to_vec()),
                offset: Some(0),
                bound: Vec::new(),
                why: None,
            }),
            Event::ScriptEnd(ScriptEnd {
                conn: Some(2),
                run: None,
                file: "chat.np".into(),
                exit_code: 9,
                line: Some(2),
            }),
            Event::Summary {
                signal: "SIGINT",
                connections: 3,
                rejected: 1,
                bytes_in: 1100,
                bytes_out: 14,
                relays: 2,
                drops: 1,
                slow_disconnects: 1,
                stalls: 0,
                scripts: None,
                duration: Duration::from_millis(20),
            },
        ]);
        events
    }

    fn client_events() -> Vec<Event> {
        let peer = addr("127.0.0.1:9000");
        let local = addr("127.0.0.1:40000");
        let mut events = vec![
            Event::Step(Step::Resolve {
                host: "localhost".into(),
                port: 9000,
                addrs: vec![addr("[::1]:9000"), peer],
            }),
            Event::Step(Step::Socket { role: Role::Client, family: Family::V6, proto: Proto::Tcp }),
            Event::Step(Step::Connect { role: Role::Client, addr: addr("[::1]:9000") }),
            Event::ConnectFailed { addr: addr("[::1]:9000"), error: msg!("udp-nothing-back") },
            Event::Step(Step::Socket { role: Role::Client, family: Family::V4, proto: Proto::Tcp }),
            Event::Step(Step::Connect { role: Role::Client, addr: peer }),
            Event::Connected { conn: 1, local, peer, ephemeral: true },
            Event::data(1, Dir::Out, 1, &b"hello\n"[..], 0, Duration::from_millis(1)),
            Event::data(1, Dir::In, 1, &b"\x00\x01\x02\x03hello\n"[..], 0, Duration::from_millis(2)),
            Event::Shutdown { conn: 1 },
            Event::Eof { conn: 1 },
            Event::Closed {
                conn: 1,
                bytes_in: 10,
                bytes_out: 6,
                duration: Duration::from_millis(3),
                reason: None,
                tcp_info: None,
            },
        ];
        events.extend(packets(Role::Client));
        events
    }

    fn udp_events(role: Role) -> Vec<Event> {
        let server = addr("127.0.0.1:9000");
        let client = addr("127.0.0.1:40000");
        let mut events = vec![Event::Step(Step::Socket { role, family: Family::V4, proto: Proto::Udp })];
        match role {
            Role::Server => {
                events.push(Event::Step(Step::Bind { role, addr: server }));
                events.push(Event::Listening { proto: Proto::Udp, local: server, backlog: None });
                events.push(Event::datagram(Dir::In, client, 1, &b"ping\n"[..], None, Duration::ZERO));
                events.push(Event::datagram(Dir::In, client, 2, vec![7u8; 300], Some(2000), Duration::ZERO));
                events.push(Event::datagram(Dir::Out, client, 1, &b"ping\n"[..], None, Duration::ZERO));
            }
            Role::Client => {
                for connected in [false, true] {
                    events.push(Event::SendingFrom {
                        local: client,
                        peer: server,
                        connected,
                        ephemeral: true,
                    });
                    events.push(Event::datagram(Dir::Out, server, 1, &b"ping\n"[..], None, Duration::ZERO));
                    events.push(Event::datagram(Dir::In, server, 1, &b"pong\n"[..], None, Duration::ZERO));
                }
                events.push(Event::Waiting { wait: Duration::from_secs(1), replies: None });
                events.push(Event::Waiting { wait: Duration::from_secs(1), replies: Some(2) });
            }
        }
        for n in 0..5 {
            events.push(Event::datagram(Dir::In, client, 3 + n, &b"again\n"[..], None, Duration::ZERO));
        }
        let server_totals = (role == Role::Server).then_some(ServeTotals {
            signal: Some("SIGTERM"),
            withheld: 1,
            ignored: 2,
            kernel_drops: Some(3),
            scripts: Some(crate::event::script::ScriptTally { passed: 1, failed: 1 }),
        });
        events.push(Event::Done {
            sent: 1,
            received: 7,
            bytes_out: 5,
            bytes_in: 335,
            duration: Duration::from_millis(5),
            server: server_totals,
        });
        events
    }

    /// The page of `events`, each from `end`, 1 ms apart.
    fn page_of(lang: Lang, explain: bool, decode: Option<&str>, events: &[(End, Event)]) -> String {
        let limits = Limits { repeats: 2, dump_chunk: 128, ..Limits::default() };
        let mut session = Session::new(lang, explain, 65536, "tcp serve".into(), limits);
        session.decode = decode.map(|d| d.parse().unwrap());
        let mut recorder = Recorder::new(session);
        for (n, (end, event)) in events.iter().enumerate() {
            recorder.event(Stamp(Duration::from_millis(n as u64)), *end, event);
        }
        let status = Status::Failed("the end".into());
        let page = page::html(&recorder.session, &status, "2026-12-06T00:00:00Z");
        // Its style sheet and script are constants of page.rs, the same
        // for every page: left out of the snapshot.
        let (head, rest) = page.split_once("<style>").unwrap();
        let (_, rest) = rest.split_once("</style>").unwrap();
        let (body, rest) = rest.split_once("<script>").unwrap();
        let (_, tail) = rest.split_once("</script>").unwrap();
        format!("{head}<style>…</style>{body}<script>…</script>{tail}\n{}", page::svg(&recorder.session))
    }

    fn from(end: End, events: Vec<Event>) -> Vec<(End, Event)> {
        events.into_iter().map(|e| (end, e)).collect()
    }

    #[test]
    fn every_event_kind_draws_the_same_page() {
        let server = from(End::Run(Role::Server), server_events());
        insta::assert_snapshot!("server_en", page_of(Lang::En, true, Some("!HH"), &server));
        insta::assert_snapshot!("server_fr_plain", page_of(Lang::Fr, false, None, &server));
        let client = from(End::Run(Role::Client), client_events());
        insta::assert_snapshot!("client_fr", page_of(Lang::Fr, true, Some("<I"), &client));
        let mut udp = from(End::Run(Role::Server), udp_events(Role::Server));
        udp.extend(from(End::Run(Role::Client), udp_events(Role::Client)));
        insta::assert_snapshot!("udp_en", page_of(Lang::En, true, None, &udp));
        let mut demo = vec![(End::Main, Event::DemoPart { part: DemoPart::TcpExchange })];
        demo.extend(from(End::Part("tcp_exchange", Role::Server), server_events()));
        demo.extend(from(End::Part("tcp_exchange", Role::Client), client_events()));
        demo.extend(from(End::Wire("tcp_exchange"), packets(Role::Client)));
        demo.push((End::Main, Event::Notice { conn: None, message: msg!("udp-nothing-back") }));
        demo.push((End::Main, Event::DemoPart { part: DemoPart::UdpExchange }));
        demo.extend(from(End::Part("udp_exchange", Role::Server), udp_events(Role::Server)));
        demo.extend(from(End::Part("udp_exchange", Role::Client), udp_events(Role::Client)));
        demo.push((End::Main, Event::Error { conn: None, message: msg!("udp-nothing-back") }));
        insta::assert_snapshot!("demo_en", page_of(Lang::En, true, None, &demo));
    }
}
