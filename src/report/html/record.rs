//! From events to the picture's rows: each socket call on the lifeline of
//! the end that made it, with its real values in the course's notation;
//! each packet as an arrow between the lifelines of its ends; beside a
//! row, its bytes, its Python line and its sentence (with --explain), the
//! way the human reporter tells them and with the same catalogue messages.

//!
//! The recorder's state and its dispatcher are here; what each kind of
//! event draws is in a file by subject: socket calls and states (steps),
//! the bytes (data), the packets, a script's steps.

mod data;
mod packets;
mod script;
mod steps;

use std::collections::{HashMap, HashSet};

use super::session::{Arrow, Detail, End, Row, Section, Session, Tone};
use crate::event::demo::DemoPart;
use crate::event::{Dir, Event, Proto, Role};
use crate::i18n::Msg;
use crate::model::clock::Stamp;
use crate::msg;
use crate::report::explain::FirstFin;

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
    pub(crate) session: Session,
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
        match event {
            Event::Step(step) => self.step(s, us, at, step),
            Event::Listening { proto, local, .. } => self.listening(s, us, at, *proto, local),
            Event::AcceptQueue { queued, backlog } => self.accept_queue(s, us, at, *queued, *backlog),
            Event::ConnectFailed { addr, error } => self.connect_failed(s, us, at, addr, error),
            Event::Connected { conn, local, peer, ephemeral } => {
                self.connected(s, us, at, *conn, local, peer, *ephemeral)
            }
            Event::Accepted { conn, peer, .. } => self.accepted(s, us, at, *conn, peer),
            Event::Data { conn, dir, offset, bytes, .. } => {
                self.data(s, us, at, *conn, *dir, *offset, &bytes.0);
            }
            Event::Datagram { dir, peer, arrived, bytes, .. } => {
                self.datagram(s, us, at, *dir, peer, *arrived, &bytes.0);
            }
            Event::SendingFrom { local, peer, connected, .. } => {
                self.sending_from(s, us, at, local, peer, *connected)
            }
            Event::Waiting { wait, replies } => self.waiting(s, us, at, *wait, *replies),
            Event::Done { sent, received, bytes_out, bytes_in, duration: _, server } => {
                self.udp_done(s, us, at, *sent, *received, *bytes_out, *bytes_in, server.as_ref())
            }
            Event::Eof { conn } => self.eof(s, us, at, *conn),
            Event::Shutdown { conn } => self.shutdown(s, us, at, *conn),
            Event::Closed { conn, bytes_in, bytes_out, duration, reason, tcp_info } => self.closed(
                s,
                us,
                at,
                *conn,
                *bytes_in,
                *bytes_out,
                *duration,
                reason.as_ref(),
                tcp_info.as_ref(),
            ),
            Event::Rejected { peer, reason } => self.rejected(s, us, at, peer, reason),
            Event::Join { conn, clients } => self.join(s, us, at, *conn, *clients),
            Event::Leave { conn, clients } => self.leave(s, us, at, *conn, *clients),
            Event::Relay { conn, offset, to, bytes, .. } => {
                self.relay(s, us, at, *conn, *offset, *to, &bytes.0)
            }
            Event::Dropped { conn, from, len, queued, policy } => {
                self.dropped(s, us, at, *conn, *from, *len, *queued, *policy)
            }
            Event::Summary { signal, .. } => self.summary(s, us, at, signal, event),
            Event::Notice { conn, message } => self.notice(s, at, *conn, message),
            Event::Error { conn, message } => self.error(s, us, at, *conn, message),
            Event::Packet(p) => self.packet(s, Some(us), at, p),
            // A script's step: on our lifeline, the terminal's line for it
            // (`#1 ✗ line 3: < encore ?`), and beside, what the terminal
            // says of it (a failure, its diff).
            Event::Script(step) => self.script(s, us, at, step),
            Event::ScriptEnd(end) => self.script_end(s, us, at, end),
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
        ]);
        events.extend(more_clients(local));
        events
    }

    /// A server's other clients: one turned away, two relayed to (from a
    /// client and from stdin), one dropped, one scripted; and its summary.
    fn more_clients(local: SocketAddr) -> Vec<Event> {
        vec![
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
        ]
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
