//! The bytes: each recv() chunk, send() call, datagram and relayed
//! message, with its dump, its Python line and its decoded values.

use std::net::SocketAddr;

use super::super::session::{Detail, Repeat, Row, Tone};
use super::Recorder;
use crate::event::{Dir, Role, SlowPolicy};
use crate::i18n::Arg;
use crate::model::clock::Stamp;
use crate::msg;
use crate::python::returned_addr;
use crate::report::explain;

impl Recorder {
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

    #[allow(clippy::too_many_arguments)]
    pub(super) fn data(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        conn: u64,
        dir: Dir,
        offset: u64,
        bytes: &[u8],
    ) {
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
    pub(super) fn datagram(
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

    #[allow(clippy::too_many_arguments)]
    pub(super) fn relay(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        conn: Option<u64>,
        offset: u64,
        to: usize,
        bytes: &[u8],
    ) {
        let size = msg!("bytes", n = bytes.len());
        let head = self.t(msg!("relay-head", bytes = size, to = to));
        let tag = match conn {
            Some(c) => format!("#{c}"),
            None => self.t(msg!("stdin")),
        };
        let mut r = Row::new(at, Some(us), Tone::Recv, format!("{tag} {head}"));
        let lane = conn.and_then(|c| self.section(s).conn_lane(us, c));
        r.arrow = lane.and_then(|l| self.path(us, l, Dir::In, self.t(msg!("bytes", n = bytes.len()))));
        r.details.push(self.session.dump(offset, bytes));
        self.session.push(s, r, Some((Repeat::Relay(us), bytes.len() as u64)));
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn dropped(
        &mut self,
        s: usize,
        us: usize,
        at: Stamp,
        conn: u64,
        from: Option<u64>,
        len: usize,
        queued: usize,
        policy: SlowPolicy,
    ) {
        let from = match from {
            Some(f) => format!("#{f}"),
            None => self.t(msg!("stdin")),
        };
        let size = msg!("bytes", n = len);
        let what = match policy {
            SlowPolicy::Drop => msg!("dropped-drop", bytes = size, from = from),
            SlowPolicy::Disconnect | SlowPolicy::Wait => {
                msg!("dropped-disconnect", bytes = size, from = from)
            }
        };
        let text =
            format!("#{conn} {}", self.t(msg!("falling-behind", queued = Arg::bytes(queued), what = what)));
        self.session.push(s, Row::new(at, Some(us), Tone::Error, text), Some((Repeat::Drop(us), len as u64)));
    }
}
