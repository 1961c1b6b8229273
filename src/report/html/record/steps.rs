//! The socket calls and the states they lead to, each a row on the
//! lifeline of the end that made it: socket() to close(), a server's
//! queue, its clients joining and leaving, the totals and notes.

use std::net::SocketAddr;
use std::time::Duration;

use super::super::session::{Detail, Repeat, Row, Tone};
use super::{Recorder, when};
use crate::event::{Dir, Event, Proto, Role, ServeTotals, Step};
use crate::i18n::{Arg, Msg};
use crate::model::clock::Stamp;
use crate::model::tcp_info::TcpInfo;
use crate::msg;
use crate::python::returned_addr;
use crate::report::explain::{self, FirstFin};

impl Recorder {
    pub(super) fn step(&mut self, s: usize, us: usize, at: Stamp, step: &Step) {
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

    pub(super) fn listening(&mut self, s: usize, us: usize, at: Stamp, proto: Proto, local: &SocketAddr) {
        let lang = self.session.lang;
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
        let mut r = Row::new(at, Some(us), Tone::State, self.t(head));
        if proto == Proto::Udp {
            r.details.push(Detail::Note(self.t(msg!("step-no-listen-why"))));
            let (python, sentence) = explain::no_listen(lang);
            r.details.extend(self.python(python));
            r.details.extend(self.once(s, us, "no-listen", sentence));
        }
        self.session.push(s, r, None);
    }

    pub(super) fn accept_queue(&mut self, s: usize, us: usize, at: Stamp, queued: u32, backlog: u32) {
        let text = self.t(match queued {
            0 => msg!("accept-queue-empty"),
            n if n > backlog => msg!("accept-queue-full", queued = n, backlog = backlog),
            n => msg!("accept-queue", queued = n, backlog = backlog),
        });
        self.session.push(s, Row::new(at, Some(us), Tone::State, text), Some((Repeat::Queue(us), 0)));
    }

    pub(super) fn connect_failed(&mut self, s: usize, us: usize, at: Stamp, addr: &SocketAddr, error: &Msg) {
        let text = self.t(msg!("connect-failed", addr = addr, error = error.clone()));
        self.session.push(s, Row::new(at, Some(us), Tone::Error, text), None);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn connected(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        conn: u64,
        local: &SocketAddr,
        peer: &SocketAddr,
        ephemeral: bool,
    ) {
        let lang = self.session.lang;
        self.state(s, us).opened.insert(conn, at);
        self.section(s).lanes[us].addr = Some(*local);
        let limits = self.session.limits;
        self.section(s).peer(us, Some(*peer), Some(conn), &limits);
        let label = format!("#{conn} {} ⇄ {}", returned_addr(local), returned_addr(peer));
        let mut r = Row::new(at, Some(us), Tone::State, label);
        let origin = match ephemeral {
            true => msg!("origin-ephemeral", port = local.port()),
            false => msg!("origin-asked", port = local.port()),
        };
        r.details.push(Detail::Note(self.t(msg!("connected-to", peer = peer))));
        r.details.push(Detail::Note(self.t(origin)));
        if ephemeral && self.session.explain {
            let range = crate::sys::ephemeral::range().map(|r| (r.low, r.high));
            r.details.push(Detail::Sentence(explain::ephemeral(lang, local, peer, range)));
        }
        self.session.push(s, r, None);
    }

    pub(super) fn accepted(&mut self, s: usize, us: usize, at: Stamp, conn: u64, peer: &SocketAddr) {
        let lang = self.session.lang;
        self.state(s, us).opened.insert(conn, at);
        let limits = self.session.limits;
        self.section(s).peer(us, Some(*peer), Some(conn), &limits);
        let label = format!("#{conn} accept() → {}", returned_addr(peer));
        let mut r = Row::new(at, Some(us), Tone::State, label);
        r.details.push(Detail::Note(self.t(msg!("accepted", peer = peer))));
        let (python, sentence) = explain::accepted(lang, peer);
        r.details.extend(self.python(python));
        r.details.extend(self.once(s, us, "accept", sentence));
        self.session.push(s, r, None);
    }

    pub(super) fn sending_from(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        local: &SocketAddr,
        peer: &SocketAddr,
        connected: bool,
    ) {
        let lang = self.session.lang;
        self.section(s).lanes[us].addr = Some(*local);
        self.state(s, us).udp_connected = connected;
        let limits = self.session.limits;
        self.section(s).peer(us, Some(*peer), None, &limits);
        let head = if connected {
            msg!("udp-connected-socket", local = local, peer = peer)
        } else {
            msg!("udp-sending-from", local = local, peer = peer)
        };
        let mut r = Row::new(at, Some(us), Tone::State, self.t(head));
        if self.session.explain {
            let range = crate::sys::ephemeral::range().map(|r| (r.low, r.high));
            let (python, sentence) = explain::udp_local(lang, local, connected, range);
            r.details.push(Detail::Python(python));
            r.details.push(Detail::Sentence(sentence));
        }
        self.session.push(s, r, None);
    }

    pub(super) fn waiting(&mut self, s: usize, us: usize, at: Stamp, wait: Duration, replies: Option<u64>) {
        let text = self.t(match replies {
            None => msg!("all-sent-wait", wait = Arg::duration(wait)),
            Some(n) => msg!("all-sent-replies", wait = Arg::duration(wait), n = n),
        });
        self.session.push(s, Row::new(at, Some(us), Tone::Note, text), None);
    }

    pub(super) fn eof(&mut self, s: usize, us: usize, at: Stamp, conn: u64) {
        let lang = self.session.lang;
        self.state(s, us).first_fin.entry(conn).or_insert(FirstFin::Peers);
        let lane = self.section(s).conn_lane(us, conn);
        let mut r = Row::new(at, Some(us), Tone::Close, format!("#{conn} recv() → b''"));
        r.arrow = lane.and_then(|l| self.path(us, l, Dir::In, "FIN".into()));
        r.details.push(Detail::Note(self.t(msg!("eof"))));
        let (python, sentence) = explain::eof(lang, self.role(s, us), self.session.recv_size);
        r.details.extend(self.python(python));
        r.details.extend(self.once(s, us, "eof", sentence));
        self.session.push(s, r, None);
    }

    pub(super) fn shutdown(&mut self, s: usize, us: usize, at: Stamp, conn: u64) {
        let lang = self.session.lang;
        self.state(s, us).first_fin.entry(conn).or_insert(FirstFin::Ours);
        let lane = self.section(s).conn_lane(us, conn);
        let mut r = Row::new(at, Some(us), Tone::Close, format!("#{conn} shutdown(SHUT_WR)"));
        r.arrow = lane.and_then(|l| self.path(us, l, Dir::Out, "FIN".into()));
        r.details.push(Detail::Note(self.t(msg!("shutdown"))));
        let (python, sentence) = explain::shutdown(lang);
        r.details.extend(self.python(python));
        r.details.extend(self.once(s, us, "shutdown", sentence));
        self.session.push(s, r, None);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn closed(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        conn: u64,
        bytes_in: u64,
        bytes_out: u64,
        duration: Duration,
        reason: Option<&Msg>,
        tcp_info: Option<&TcpInfo>,
    ) {
        let lang = self.session.lang;
        let duration = match self.state(s, us).opened.remove(&conn) {
            Some(opened) => at.0.saturating_sub(opened.0),
            None => duration,
        };
        let (d, i, o) = (Arg::duration(duration), Arg::bytes(bytes_in), Arg::bytes(bytes_out));
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
        let mut r = Row::new(at, Some(us), Tone::Close, format!("#{conn} close()"));
        r.details.push(if reason.is_some() { Detail::Warn(text) } else { Detail::Note(text) });
        if let Some(info) = tcp_info {
            let text = msg!("tcp-info-line", info = crate::report::tcp_info::close_text(lang, info));
            r.details.push(Detail::Note(self.t(text)));
        }
        let fin = self.state(s, us).first_fin.remove(&conn).filter(|_| reason.is_none());
        let role = self.role(s, us);
        let (python, sentence) =
            explain::closed(lang, role, fin.unwrap_or(FirstFin::Neither), crate::sys::in_use::TIME_WAIT_LEN);
        r.details.extend(self.python(python));
        if self.session.explain {
            r.details.push(Detail::Sentence(sentence));
        }
        self.session.push(s, r, None);
    }

    pub(super) fn rejected(&mut self, s: usize, us: usize, at: Stamp, peer: &SocketAddr, reason: &Msg) {
        let text = self.t(msg!("rejected", peer = peer, reason = reason.clone()));
        self.session.push(s, Row::new(at, Some(us), Tone::Error, text), None);
    }

    pub(super) fn join(&mut self, s: usize, us: usize, at: Stamp, conn: u64, clients: usize) {
        self.section(s).lanes[us].hub = true;
        let text = format!("#{conn} {}", self.t(msg!("joins", clients = clients)));
        self.session.push(s, Row::new(at, Some(us), Tone::State, text), None);
    }

    pub(super) fn leave(&mut self, s: usize, us: usize, at: Stamp, conn: u64, clients: usize) {
        let text = format!("#{conn} {}", self.t(msg!("leaves", clients = clients)));
        self.session.push(s, Row::new(at, Some(us), Tone::State, text), None);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn udp_done(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        sent: u64,
        received: u64,
        bytes_out: u64,
        bytes_in: u64,
        server: Option<&ServeTotals>,
    ) {
        let lang = self.session.lang;
        let mut r = Row::new(
            at,
            Some(us),
            Tone::Close,
            self.t(msg!(
                "udp-done",
                when = when(lang, at),
                sent = Arg::count(sent),
                bytes_out = Arg::bytes(bytes_out),
                received = Arg::count(received),
                bytes_in = Arg::bytes(bytes_in),
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

    pub(super) fn summary(&mut self, s: usize, us: usize, at: Stamp, signal: &'static str, event: &Event) {
        let lang = self.session.lang;
        let head = self.t(msg!("stopped-by", signal = signal, when = when(lang, at)));
        let parts = crate::report::summary_parts(event);
        let parts: Vec<String> = parts.into_iter().map(|p| self.t(p)).collect();
        let mut r = Row::new(at, Some(us), Tone::Close, head);
        r.details.push(Detail::Note(parts.join(&self.t(msg!("list-separator")))));
        self.session.push(s, r, None);
    }

    pub(super) fn notice(&mut self, s: usize, at: Stamp, conn: Option<u64>, message: &Msg) {
        let tag = conn.map(|c| format!("#{c} ")).unwrap_or_default();
        let text = format!("{tag}{}", self.t(msg!("note", message = message.clone())));
        self.session.push(s, Row::new(at, None, Tone::Note, text), None);
    }

    pub(super) fn error(&mut self, s: usize, us: usize, at: Stamp, conn: Option<u64>, message: &Msg) {
        let tag = conn.map(|c| format!("#{c} ")).unwrap_or_default();
        let text = format!("{tag}{}", self.t(msg!("error", message = message.clone())));
        self.session.push(s, Row::new(at, Some(us), Tone::Error, text), None);
    }
}
