//! The human reporter's bytes: chunks and datagrams with their dumps and
//! decodes, relays, drops, and the totals at the end.

use super::*;

impl Human {
    pub(super) fn datagram(
        &mut self,
        dir: Dir,
        peer: &SocketAddr,
        seq: u64,
        arrived: Option<usize>,
        bytes: &[u8],
    ) {
        let kept = bytes.len();
        let cut = arrived.filter(|&n| n > kept);
        if !self.style.dumps && cut.is_none() {
            return;
        }
        let shown = self.show_addr(peer);
        let (head, color) = match dir {
            Dir::In => (msg!("datagram-in", seq = seq, peer = shown), Color::Cyan),
            Dir::Out => (msg!("datagram-out", seq = seq, peer = shown), Color::Magenta),
        };
        let size = match cut {
            Some(arrived) => {
                let text = msg!(
                    "datagram-cut",
                    arrived = arrived,
                    kept = kept,
                    discarded = arrived - kept,
                    recv_size = self.style.recv_size
                );
                self.painted(Paint::Fg(Color::Red), &text)
            }
            None => self.painted(Paint::Plain, &byte_count(kept)),
        };
        let head = self.painted(Paint::Fg(color), &head);
        let (head, size, when) = (Arg::styled(head), Arg::styled(size), Arg::styled(self.when_dim()));
        let line = self.t(msg!("datagram-head", head = head, size = size, when = when));
        self.line(&line);
        let first = match dir {
            Dir::In => !std::mem::replace(&mut self.udp.seen_in, true),
            Dir::Out => !std::mem::replace(&mut self.udp.seen_out, true),
        };
        if !std::mem::replace(&mut self.udp.seen_any, true) && !self.style.quiet && self.style.dumps {
            let note = self.dim(&format!("  {}", self.t(msg!("datagram-whole"))));
            self.line(&note);
        }
        // Every datagram has its Python line; the sentence comes once.
        let recv_size = self.style.recv_size;
        let (python, sentence) =
            explain::datagram(self.style.lang, dir, self.udp.connected, recv_size, peer, bytes);
        self.python(&python);
        if first {
            self.sentence(&sentence);
        }
        if dir == Dir::In {
            self.decode_view("data", bytes);
        }
        if cut.is_some() && self.style.explain {
            let why =
                self.dim(&format!("      {}", explain::truncated(self.style.lang, self.style.recv_size)));
            self.line(&why);
        }
        if self.style.dumps {
            let mut dumper =
                Dumper::new(self.style.layout, self.style.color, 0).with_renderer(self.style.renderer);
            dumper.push(bytes, &mut self.buf);
            dumper.finish(&mut self.buf);
        }
        // A datagram is one message: decoded from its start, dumped or not.
        self.decoded(&Painted::text(""), bytes);
    }

    pub(super) fn done(
        &mut self,
        sent: u64,
        received: u64,
        bytes_out: u64,
        bytes_in: u64,
        duration: std::time::Duration,
    ) {
        let _ = duration;
        let text = self.t(msg!(
            "udp-done",
            when = self.when(),
            sent = Arg::count(sent),
            bytes_out = Arg::bytes(bytes_out),
            received = Arg::count(received),
            bytes_in = Arg::bytes(bytes_in),
        ));
        let text = self.paint(Color::Yellow, &text);
        self.line(&text);
        if sent > 0 && received == 0 && !self.style.quiet {
            let note = match (self.udp.refused_at, self.udp.waited) {
                // The capture shows why: a refusal the socket was not told of.
                (Some(at), _) => msg!("udp-refused-untold", host = at.ip(), port = at.port()),
                (None, Some(wait)) => msg!("udp-nothing-back-within", wait = Arg::duration(wait)),
                (None, None) => msg!("udp-nothing-back"),
            };
            let note = self.dim(&format!("  {}", self.t(note)));
            self.line(&note);
        }
    }

    /// What `udp serve` did not answer or take, and what the kernel
    /// dropped: said when there was any.
    pub(super) fn serve_totals(&mut self, totals: &ServeTotals) {
        if totals.withheld > 0 {
            let text = self.t(msg!("serve-withheld", n = Arg::count(totals.withheld)));
            self.line(&format!("  {text}"));
        }
        if totals.ignored > 0 {
            let text = self.t(msg!("serve-ignored", n = Arg::count(totals.ignored)));
            self.line(&format!("  {text}"));
        }
        match totals.kernel_drops {
            Some(0) | None => {}
            Some(n) => {
                let text = self.t(msg!("serve-kernel-drops", n = Arg::count(n)));
                let text = self.paint(Color::Red, &format!("  {text}"));
                self.line(&text);
            }
        }
        if let Some(tally) = totals.scripts {
            let text = self.t(msg!("serve-scripts", passed = tally.passed, failed = tally.failed));
            self.line(&format!("  {text}"));
        }
    }

    pub(super) fn data(&mut self, conn: u64, dir: Dir, chunk: u64, offset: u64, bytes: &[u8]) {
        if !self.style.dumps {
            // The payload goes elsewhere (--raw); its decoded values still show.
            let label = self.chunk_label(conn, chunk);
            self.decoded(&label, bytes);
            return;
        }
        let tag = self.conn_tag(conn);
        let count = byte_count(bytes.len());
        let (head, color) = match (dir, self.proto) {
            (Dir::In, Proto::Tcp) => (msg!("recv-head", bytes = count), Color::Cyan),
            (Dir::Out, Proto::Tcp) => (msg!("send-head", bytes = count), Color::Magenta),
            (Dir::In, Proto::Udp) => (msg!("datagram-in-head", bytes = count), Color::Cyan),
            (Dir::Out, Proto::Udp) => (msg!("datagram-out-head", bytes = count), Color::Magenta),
        };
        let head = self.paint(color, &self.t(head));
        let detail = self.dim(&self.t(chunk_detail(chunk, offset, self.when())));
        self.line(&format!("{tag} {head}   {detail}"));
        // Every call has its Python line; the sentence comes once.
        let (python, sentence) = explain::data(self.style.lang, dir, self.role, self.style.recv_size, bytes);
        self.python(&python);
        if chunk == 1 {
            self.sentence(&sentence);
        }
        if dir == Dir::In {
            self.decode_view(explain::received_var(self.role), bytes);
        }
        let (layout, color, renderer) = (self.style.layout, self.style.color, self.style.renderer);
        let dumper = self
            .dumpers
            .entry((conn, dir))
            .or_insert_with(|| Dumper::new(layout, color, offset).with_renderer(renderer));
        dumper.push(bytes, &mut self.buf);
        self.decoded(&Painted::text(""), bytes);
    }

    /// With --explain, what `data.decode()` gives for received bytes, or the
    /// UnicodeDecodeError Python raises (with why, the first time).
    pub(super) fn decode_view(&mut self, var: &str, bytes: &[u8]) {
        if !self.style.explain {
            return;
        }
        let (python, why) = explain::decoded(self.style.lang, var, bytes);
        self.python(&python);
        if let Some(why) = why
            && !std::mem::replace(&mut self.told_cut, true)
        {
            self.sentence(&why);
        }
    }

    /// With --decode, the line under a chunk: its first bytes decoded as
    /// `struct.unpack_from` would, or a note when the chunk is too short.
    pub(super) fn decoded(&mut self, label: &Painted, bytes: &[u8]) {
        let Some(format) = &self.style.decode else { return };
        let decoded = format.unpack_from(bytes);
        let label = match &decoded {
            Ok(_) if bytes.len() > format.size() => self.t(msg!(
                "decode-first",
                label = Arg::styled(label.clone()),
                format = format.to_string(),
                size = format.size(),
                len = bytes.len()
            )),
            Ok(_) => format!("{}{format}: ", label.as_str()),
            Err(_) => self.t(msg!("decode-note", label = Arg::styled(label.clone()))),
        };
        push_decoded(&label, &decoded, self.style.color, &mut self.buf);
    }

    /// A relayed chunk: who sent it, to how many, and its dump (once).
    pub(super) fn relay(&mut self, relay: Relay<'_>) {
        let Relay { conn, chunk, offset, to, bytes } = relay;
        if !self.style.dumps {
            // The payload goes elsewhere (--raw); its decoded values still show.
            if let Some(conn) = conn {
                let label = self.chunk_label(conn, chunk);
                self.decoded(&label, bytes);
            }
            return;
        }
        let tag = match conn {
            Some(conn) => self.conn_tag(conn),
            None => self.bold(&self.t(msg!("stdin"))),
        };
        let head = self.t(msg!("relay-head", bytes = byte_count(bytes.len()), to = to));
        let head = self.paint(Color::Cyan, &head);
        let detail = self.dim(&self.t(chunk_detail(chunk, offset, self.when())));
        self.line(&format!("{tag} {head}   {detail}"));
        let (layout, color, renderer) = (self.style.layout, self.style.color, self.style.renderer);
        // Stdin has no connection number; 0 is never one.
        let key = (conn.unwrap_or(0), Dir::In);
        let dumper = self
            .dumpers
            .entry(key)
            .or_insert_with(|| Dumper::new(layout, color, offset).with_renderer(renderer));
        dumper.push(bytes, &mut self.buf);
        self.decoded(&Painted::text(""), bytes);
    }

    pub(super) fn dropped(
        &mut self,
        conn: u64,
        from: Option<u64>,
        len: usize,
        queued: usize,
        policy: SlowPolicy,
    ) {
        // --slow drop may skip many chunks a second for one client: the
        // first is told, the rest once a second (and at its close) as a
        // count. --json keeps one event per drop.
        if policy == SlowPolicy::Drop {
            let at = self.at;
            match self.drops.get_mut(&conn) {
                Some(d) if at.0.saturating_sub(d.shown_at.0) < DROP_LINES_EVERY => {
                    d.messages += 1;
                    d.bytes += len as u64;
                    return;
                }
                Some(_) => {
                    self.more_dropped(conn);
                    if let Some(d) = self.drops.get_mut(&conn) {
                        d.shown_at = at;
                    }
                }
                None => {
                    self.drops.insert(conn, Drops { shown_at: at, messages: 0, bytes: 0 });
                }
            }
        }
        let tag = self.conn_tag(conn);
        let from = match from {
            Some(from) => format!("#{from}"),
            None => self.t(msg!("stdin")),
        };
        let what = match policy {
            SlowPolicy::Drop => msg!("dropped-drop", bytes = byte_count(len), from = from),
            SlowPolicy::Disconnect | SlowPolicy::Wait => {
                msg!("dropped-disconnect", bytes = byte_count(len), from = from)
            }
        };
        let text = self.t(msg!("falling-behind", queued = Arg::bytes(queued), what = what));
        let text = self.paint(Color::Yellow, &text);
        self.line(&format!("{tag} {text}"));
    }

    /// Tells the drops of `conn` not shown yet, if any.
    pub(super) fn more_dropped(&mut self, conn: u64) {
        let Some(d) = self.drops.get_mut(&conn) else { return };
        if d.messages == 0 {
            return;
        }
        let (messages, bytes) = (d.messages, d.bytes);
        (d.messages, d.bytes) = (0, 0);
        let tag = self.conn_tag(conn);
        let text = self.t(msg!("dropped-more", n = Arg::count(messages), bytes = Arg::bytes(bytes)));
        let text = self.paint(Color::Yellow, &text);
        self.line(&format!("{tag} {text}"));
    }

    pub(super) fn summary(&mut self, summary: &Event) {
        let Event::Summary { signal, duration, .. } = summary else {
            return;
        };
        let head = self.t(msg!(
            "stopped-by",
            signal = *signal,
            when = self.when(),
            duration = Arg::duration(*duration)
        ));
        let head = self.paint(Color::Green, &head);
        self.line(&head);
        let parts = crate::report::summary_parts(summary);
        let parts: Vec<String> = parts.into_iter().map(|p| self.t(p)).collect();
        let line = parts.join(&self.t(msg!("list-separator")));
        self.line(&format!("  {line}"));
    }

    pub(super) fn waiting(&mut self, wait: std::time::Duration, replies: Option<u64>) {
        self.udp.waited = Some(wait);
        if !self.style.quiet {
            let text = self.t(match replies {
                // nc -u waits for replies as long as -q says.
                None if self.style.front != Front::Native => {
                    msg!("all-sent-wait-nc", wait = Arg::duration(wait))
                }
                None => msg!("all-sent-wait", wait = Arg::duration(wait)),
                Some(n) => msg!("all-sent-replies", wait = Arg::duration(wait), n = n),
            });
            let text = self.dim(&text);
            self.line(&text);
        }
    }

    /// A UDP run's end: `udp send`'s totals, or a server's (one summary, as
    /// tcp serve's, when a signal stopped it).
    pub(super) fn udp_done(
        &mut self,
        sent: u64,
        received: u64,
        bytes_out: u64,
        bytes_in: u64,
        duration: std::time::Duration,
        server: Option<&ServeTotals>,
    ) {
        match server {
            Some(ServeTotals { signal: Some(signal), .. }) => {
                let head = self.t(msg!(
                    "stopped-by",
                    signal = *signal,
                    when = self.when(),
                    duration = Arg::duration(duration)
                ));
                let head = self.paint(Color::Green, &head);
                self.line(&head);
                let text = self.t(msg!(
                    "udp-serve-summary",
                    sent = Arg::count(sent),
                    bytes_out = Arg::bytes(bytes_out),
                    received = Arg::count(received),
                    bytes_in = Arg::bytes(bytes_in),
                ));
                self.line(&format!("  {text}"));
            }
            _ => self.done(sent, received, bytes_out, bytes_in, duration),
        }
        if let Some(server) = server {
            self.serve_totals(server);
        }
    }
}
