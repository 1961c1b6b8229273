//! The human reporter's socket steps and connections: each step with the
//! value read back, listening, accepted, connected, a refused address, EOF,
//! shutdown, closed (with TCP_INFO), a client turned away, a broadcast's
//! joins and leaves; notes and errors.

use super::*;
use crate::model::front::nc_listen;
use std::net::{Ipv4Addr, Ipv6Addr};

impl Human {
    pub(super) fn step(&mut self, step: &Step) {
        match step {
            Step::Socket { proto, role, .. } => {
                self.proto = *proto;
                self.role = *role;
            }
            Step::Bind { role: Role::Client, .. } => self.udp.bound = true,
            _ => {}
        }
        if self.style.quiet {
            return;
        }
        let arrow = self.paint(Color::Blue, "▸");
        let text = match step {
            Step::Socket { family, proto, .. } => self.t(msg!(
                "step-socket",
                family = family.constant(),
                socktype = proto.socket_type(),
                family_name = family.name(),
                proto = proto.name(),
            )),
            Step::SetOption { name, set, value, role } => {
                let why = match (*name, *role, self.proto) {
                    (SockOpt::ReuseAddr, Role::Server, Proto::Tcp) => {
                        self.dim(&format!("   {}", self.t(msg!("step-reuseaddr-default"))))
                    }
                    _ => String::new(),
                };
                let text = self.t(msg!("step-setsockopt", name = name.name(), set = *set, value = *value));
                format!("{text}{why}")
            }
            Step::ReadOption { name, value, role } => {
                let why = match (*name, *role, self.proto) {
                    (SockOpt::ReuseAddr, Role::Server, Proto::Tcp) => crate::sys::reuse::left_off(),
                    (SockOpt::V6Only, _, _) if *value == 0 => msg!("step-v6only-dual"),
                    (SockOpt::V6Only, _, _) => msg!("step-v6only-only"),
                    _ => msg!("step-option-default"),
                };
                self.t(msg!("step-read-option", name = name.name(), value = *value, why = why))
            }
            Step::Bind { addr, .. } => {
                let note = port_note(addr.port()).map(|n| format!("   {}", self.t(n))).unwrap_or_default();
                format!("{}{note}", self.t(msg!("step-bind", addr = addr)))
            }
            Step::Listen { backlog, effective } => {
                if effective < backlog {
                    self.t(msg!(
                        "step-listen-capped",
                        backlog = *backlog,
                        effective = *effective,
                        setting = crate::sys::backlog::SETTING
                    ))
                } else {
                    self.t(msg!("step-listen", backlog = *backlog))
                }
            }
            Step::Resolve { host, addrs, .. } => {
                let list: Vec<String> = addrs.iter().map(show_ip).collect();
                self.t(msg!("step-resolve", host = host, addrs = list.join(", ")))
            }
            Step::Connect { addr, .. } => self.t(msg!("step-connect", addr = addr)),
        };
        let text = format!("{arrow} {text}");
        self.line(&text);
        self.explanation(explain::step(self.style.lang, step, self.proto));
    }

    pub(super) fn listening(&mut self, proto: Proto, local: &SocketAddr) {
        if self.style.quiet {
            return;
        }
        if proto == Proto::Udp {
            let arrow = self.paint(Color::Blue, "▸");
            let why = self.t(msg!("step-no-listen-why"));
            let why = self.dim(&why);
            let what = self.t(msg!("step-no-listen"));
            self.line(&format!("{arrow} {what}   {why}"));
            self.explanation(explain::no_listen(self.style.lang));
        }
        let head = match proto {
            Proto::Tcp => msg!("listening-tcp", local = local),
            Proto::Udp => msg!("listening-udp", local = local),
        };
        let head = self.paint(Color::Green, &self.t(head));
        self.line(&head);
        let proto_key = match proto {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        };
        // What opens the server to others: `--host ADDRESS` on netplay's
        // command line, nc's `nc -l ADDRESS PORT` on `netplay nc`'s.
        let nc = |any: IpAddr| nc_listen(proto, Some(any), local.port());
        let reach = match (local.ip(), self.style.front) {
            (ip, _) if ip.is_unspecified() => {
                Some(msg!("reach-every-interface", ip = ip, proto = proto_key, port = local.port()))
            }
            (ip, Front::Native) if ip.is_loopback() && local.is_ipv6() => {
                Some(msg!("reach-ipv6-loopback", ip = ip, proto = proto_key))
            }
            (ip, Front::Nc { .. }) if ip.is_loopback() && local.is_ipv6() => Some(msg!(
                "reach-ipv6-loopback-nc",
                ip = ip,
                proto = proto_key,
                command = nc(Ipv6Addr::UNSPECIFIED.into())
            )),
            (ip, Front::Native) if ip.is_loopback() => {
                Some(msg!("reach-loopback", ip = ip, proto = proto_key))
            }
            (ip, Front::Nc { .. }) if ip.is_loopback() => Some(msg!(
                "reach-loopback-nc",
                ip = ip,
                proto = proto_key,
                command = nc(Ipv4Addr::UNSPECIFIED.into())
            )),
            _ => None,
        };
        if let Some(reach) = reach {
            let reach = self.dim(&format!("  {}", self.t(reach)));
            self.line(&reach);
        }
    }

    /// The listen(5) lesson: connections the kernel has completed, waiting
    /// for accept(); and what the kernel does once the queue is full.
    pub(super) fn accept_queue(&mut self, queued: u32, backlog: u32) {
        let text = self.t(match queued {
            0 => msg!("accept-queue-empty"),
            n if n > backlog => msg!("accept-queue-full", queued = n, backlog = backlog),
            n => msg!("accept-queue", queued = n, backlog = backlog),
        });
        let text = self.paint(Color::Yellow, &text);
        self.line(&text);
    }

    pub(super) fn sending_from(
        &mut self,
        local: &SocketAddr,
        peer: &SocketAddr,
        connected: bool,
        ephemeral: bool,
    ) {
        self.udp.connected = connected;
        let shown = self.show_addr(peer);
        let head = if connected {
            msg!("udp-connected-socket", local = local, peer = shown)
        } else {
            msg!("udp-sending-from", local = local, peer = shown)
        };
        let head = self.paint(Color::Green, &self.t(head));
        self.line(&head);
        if self.style.quiet {
            return;
        }
        let port = local.port();
        let origin = match (ephemeral, connected, self.udp.bound) {
            (false, _, _) => msg!("udp-port-asked", port = port),
            (true, _, true) => msg!("udp-port-at-bind", port = port),
            (true, true, false) => msg!("udp-port-at-connect", port = port),
            (true, false, false) => msg!("udp-port-at-sendto", port = port),
        };
        let what = if connected {
            crate::sys::refused::connected_note()
        } else {
            crate::sys::refused::unconnected_note()
        };
        // Why the server will see another address than the one shown here.
        let unbound = local.ip().is_unspecified().then(|| {
            let seen: Arg =
                if peer.ip().is_loopback() { peer.ip().into() } else { msg!("udp-unbound-route").into() };
            msg!("udp-unbound", local_ip = local.ip(), peer_ip = peer.ip(), seen = seen)
        });
        for note in [origin, what].into_iter().chain(unbound) {
            let note = self.t(msg!("note-sentence", note = note));
            let note = self.dim(&format!("  {note}"));
            self.line(&note);
        }
        if self.style.explain {
            let range = crate::sys::ephemeral::range().map(|r| (r.low, r.high));
            let (python, sentence) = explain::udp_local(self.style.lang, local, connected, range);
            self.explanation((python, sentence));
        }
    }

    pub(super) fn accepted(&mut self, conn: u64, local: &SocketAddr, peer: &SocketAddr) {
        let text = self.painted(Paint::Fg(Color::Green), &msg!("accepted", peer = self.show_addr(peer)));
        // The connection's duration runs from this line's stamp (closed).
        self.opened.insert(conn, self.at);
        let when = Arg::styled(self.when_dim());
        let (tag, text) = (Arg::styled(self.tag(conn)), Arg::styled(text));
        let line = self.t(msg!(
            "accepted-line",
            tag = tag,
            text = text,
            when = when,
            local = local,
            port = peer.port()
        ));
        self.line(&line);
        self.explanation(explain::accepted(self.style.lang, peer));
    }

    pub(super) fn connected(&mut self, conn: u64, local: &SocketAddr, peer: &SocketAddr, ephemeral: bool) {
        let text = self.painted(Paint::Fg(Color::Green), &msg!("connected-to", peer = peer));
        let port = local.port();
        let origin = match ephemeral {
            true => msg!("origin-ephemeral", port = port),
            false => msg!("origin-asked", port = port),
        };
        self.opened.insert(conn, self.at);
        let when = Arg::styled(self.when_dim());
        let (tag, text) = (Arg::styled(self.tag(conn)), Arg::styled(text));
        let line = self.t(msg!(
            "connected-line",
            tag = tag,
            text = text,
            when = when,
            local = local,
            origin = origin
        ));
        self.line(&line);
        if self.style.explain && ephemeral {
            let range = crate::sys::ephemeral::range().map(|r| (r.low, r.high));
            let why = self.dim(&format!("      {}", explain::ephemeral(self.style.lang, local, peer, range)));
            self.line(&why);
        }
    }

    pub(super) fn closed(
        &mut self,
        conn: u64,
        bytes_in: u64,
        bytes_out: u64,
        duration: std::time::Duration,
        reason: Option<&Msg>,
        tcp_info: Option<&crate::model::tcp_info::TcpInfo>,
    ) {
        self.more_dropped(conn);
        self.drops.remove(&conn);
        for dir in [Dir::In, Dir::Out] {
            if let Some(mut dumper) = self.dumpers.remove(&(conn, dir)) {
                dumper.finish(&mut self.buf);
            }
        }
        let tag = self.conn_tag(conn);
        // The duration runs from the stamp of the line that said the
        // connection was made (accepted, connected) to this line's, so the
        // two stamps a person reads give it; the runner's own count, from
        // just after that call, only when that line was not shown.
        let duration = match self.opened.remove(&conn) {
            Some(opened) => self.at.0.saturating_sub(opened.0),
            None => duration,
        };
        let (duration, bytes_in, bytes_out) =
            (Arg::duration(duration), Arg::bytes(bytes_in), Arg::bytes(bytes_out));
        // The duration runs from the call that made the connection, and
        // the line says which; its end is the stamp the other lines carry.
        let since = match self.role {
            Role::Server => "accept()",
            Role::Client => "connect()",
        };
        let when = self.when();
        let text = self.t(match reason {
            Some(reason) => msg!(
                "closed-why",
                when = when,
                since = since,
                duration = duration,
                bytes_in = bytes_in,
                bytes_out = bytes_out,
                reason = reason.clone()
            ),
            None => msg!(
                "closed",
                when = when,
                since = since,
                duration = duration,
                bytes_in = bytes_in,
                bytes_out = bytes_out
            ),
        });
        let text = self.paint(Color::Yellow, &text);
        self.line(&format!("{tag} {text}"));
        // After a reset or an error, who sent a FIN first says nothing sure.
        let first_fin =
            self.first_fin.remove(&conn).filter(|_| reason.is_none()).unwrap_or(FirstFin::Neither);
        let lang = self.style.lang;
        self.explanation(explain::closed(lang, self.role, first_fin, crate::sys::in_use::TIME_WAIT_LEN));
        if let Some(info) = tcp_info {
            let text = self.t(msg!("tcp-info-line", info = super::super::tcp_info::close_text(lang, info)));
            let text = self.dim(&format!("  {text}"));
            self.line(&text);
        }
    }

    pub(super) fn connect_failed(&mut self, addr: &SocketAddr, error: &Msg) {
        // With -q the final error alone says it (for the last address).
        if self.style.quiet {
            return;
        }
        let text = self.t(msg!("connect-failed", addr = addr, error = error.clone()));
        let text = self.paint(Color::Red, &format!("  {text}"));
        self.line(&text);
    }

    pub(super) fn eof(&mut self, conn: u64) {
        self.first_fin.entry(conn).or_insert(FirstFin::Peers);
        let tag = self.conn_tag(conn);
        let text = self.paint(Color::Yellow, &self.t(msg!("eof")));
        self.line(&format!("{tag} {text}"));
        self.explanation(explain::eof(self.style.lang, self.role, self.style.recv_size));
    }

    pub(super) fn shutdown(&mut self, conn: u64) {
        self.first_fin.entry(conn).or_insert(FirstFin::Ours);
        let tag = self.conn_tag(conn);
        let text = self.paint(Color::Yellow, &self.t(msg!("shutdown")));
        self.line(&format!("{tag} {text}"));
        self.explanation(explain::shutdown(self.style.lang));
    }

    pub(super) fn rejected(&mut self, peer: &SocketAddr, reason: &Msg) {
        let text = msg!("rejected", peer = self.show_addr(peer), reason = reason.clone());
        let text = self.painted(Paint::Fg(Color::Red), &text);
        let line = self.t(msg!("rejected-line", text = Arg::styled(text)));
        self.line(&line);
    }

    /// A broadcast client joining or leaving.
    pub(super) fn membership(&mut self, conn: u64, what: Msg) {
        if !self.style.quiet {
            let tag = self.conn_tag(conn);
            let text = self.dim(&self.t(what));
            self.line(&format!("{tag} {text}"));
        }
    }

    pub(super) fn notice(&mut self, conn: Option<u64>, message: &Msg) {
        if !self.style.quiet {
            let tag = conn.map(|c| format!("{} ", self.conn_tag(c))).unwrap_or_default();
            let text = self.dim(&self.t(msg!("note", message = message.clone())));
            self.line(&format!("{tag}{text}"));
        }
    }

    pub(super) fn error(&mut self, conn: Option<u64>, message: &Msg) {
        let tag = conn.map(|c| format!("{} ", self.conn_tag(c))).unwrap_or_default();
        let text = self.paint(Color::Red, &self.t(msg!("error", message = message.clone())));
        self.line(&format!("{tag}{text}"));
    }
}
