//! The session as the picture holds it: sections (one per run, one per
//! part of the demo), each with its lifelines and its rows in causal
//! order. Kept small whatever the run moves: repeated chunks fold into one
//! row with a count, a section keeps its first rows and its last ones and
//! counts what it left out between them, and only a bounded number of
//! bytes is kept for the hex dumps. Plain data; no text layout, no I/O.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;

use bytes::Bytes;

use crate::event::demo::DemoRow;
use crate::event::{Dir, Role};
use crate::i18n::Lang;
use crate::model::clock::Stamp;
use crate::model::packet::PacketKind;

/// How much a page keeps. The defaults hold a page of a 1 GiB transfer
/// within the 5 MB the README states (tests/suite/html.rs measures it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Rows a section keeps from its start...
    pub(crate) head: usize,
    /// ...and from its end; the rows between are counted, not kept.
    pub(crate) tail: usize,
    /// Rows of the same kind on the same lifeline shown whole, one after
    /// another, before the next ones fold into one row with a count.
    pub(crate) repeats: u32,
    /// Bytes of one chunk shown in its hex dump.
    pub(crate) dump_chunk: usize,
    /// Bytes of hex dump in the whole page.
    pub(crate) dump_total: usize,
    /// Lifelines of peers in a section; the others share one.
    pub(crate) peers: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { head: 600, tail: 200, repeats: 3, dump_chunk: 256, dump_total: 64 << 10, peers: 8 }
    }
}

/// Peer addresses and connection numbers a section remembers, to draw
/// each one's events on its lifeline.
const REMEMBERED: usize = 10_000;

/// Which reporter an event came through: the run's own (with the role of
/// the end it runs), or one of the demo's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// `tcp serve`, `tcp connect`, `udp serve`, `udp send`: one end.
    Run(Role),
    /// The demo's own events: its parts, its table, its notes.
    Main,
    /// One end of one part of the demo.
    Part(&'static str, Role),
    /// The packets of one part of the demo.
    Wire(&'static str),
}

/// A lifeline.
#[derive(Debug, Clone)]
pub(crate) struct Lane {
    pub(crate) role: Role,
    /// An end netplay runs (its calls are drawn on it), not a peer seen
    /// through addresses.
    pub(crate) ours: bool,
    pub(crate) addr: Option<SocketAddr>,
    /// Connection numbers that lead to it (a peer's), in order.
    pub(crate) conns: Vec<u64>,
    /// Peers drawn on it besides the first (the lane of the others).
    pub(crate) more: u64,
    /// The hub of a broadcast: drawn among its clients.
    pub(crate) hub: bool,
}

/// What a row is, for its colour and its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// A socket call that builds the socket (socket, bind, listen, connect).
    Step,
    /// A state reached (listening, connected, accepted).
    State,
    Recv,
    Send,
    /// shutdown, EOF, close.
    Close,
    Error,
    Note,
    Packet(PacketKind),
}

/// An arrow between two lifelines.
#[derive(Debug, Clone)]
pub(crate) struct Arrow {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) label: String,
    /// A packet seen on the wire; otherwise the path the bytes of a call
    /// took (drawn only where no packet was captured).
    pub(crate) packet: bool,
}

/// What is shown beside a row.
#[derive(Debug, Clone)]
pub(crate) enum Detail {
    Note(String),
    Warn(String),
    /// A line of the course's Python (with --explain).
    Python(String),
    /// What the call does, in a sentence (with --explain, once a kind).
    Sentence(String),
    /// `--decode`: the chunk's first bytes as values (`↳ >h: 258`).
    Decoded(String),
    Dump(Dump),
}

/// The first bytes of a chunk, for its hex dump.
#[derive(Debug, Clone)]
pub(crate) struct Dump {
    /// Where the chunk starts in its stream (0 for a datagram).
    pub(crate) offset: u64,
    /// The bytes kept: a copy, so the chunk's buffer is not kept alive.
    pub(crate) bytes: Bytes,
    /// The chunk's length.
    pub(crate) total: usize,
}

/// A row that stands for several events alike.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fold {
    pub(crate) count: u64,
    pub(crate) bytes: u64,
    pub(crate) last: Stamp,
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) at: Stamp,
    pub(crate) lane: Option<usize>,
    pub(crate) tone: Tone,
    /// What the diagram says: the call with its values, or the state.
    pub(crate) label: String,
    pub(crate) arrow: Option<Arrow>,
    pub(crate) details: Vec<Detail>,
    pub(crate) fold: Option<Fold>,
}

impl Row {
    pub(crate) fn new(at: Stamp, lane: Option<usize>, tone: Tone, label: impl Into<String>) -> Row {
        Row { at, lane, tone, label: label.into(), arrow: None, details: Vec::new(), fold: None }
    }

    fn dumped(&self) -> usize {
        self.details
            .iter()
            .map(|d| match d {
                Detail::Dump(dump) => dump.bytes.len(),
                _ => 0,
            })
            .sum()
    }
}

/// Rows a section left out between its first and its last ones.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Gap {
    pub(crate) rows: u64,
    /// The events those rows stood for (a folded row, several).
    pub(crate) events: u64,
    pub(crate) from: Option<Stamp>,
    pub(crate) to: Stamp,
}

/// What folds together: the same call, or packet, on the same lifeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Repeat {
    Data(usize, Dir),
    /// Datagrams between our lane and a peer's, one way.
    Datagram(usize, usize, Dir),
    Relay(usize),
    Drop(usize),
    Queue(usize),
    Packet(usize, usize, PacketKind),
}

/// One diagram: a run, or a part of the demo.
#[derive(Debug, Default)]
pub(crate) struct Section {
    /// The demo's part this is (`tcp_exchange`), or empty for a run.
    pub(crate) key: &'static str,
    pub(crate) title: Option<String>,
    pub(crate) lanes: Vec<Lane>,
    pub(crate) head: Vec<Row>,
    pub(crate) tail: VecDeque<Row>,
    pub(crate) gap: Gap,
    /// Sequence number of the first row in `tail`.
    tail_first: u64,
    next_seq: u64,
    /// Repeats being folded: the row that counts them.
    open: HashMap<Repeat, u64>,
    /// Rows of each kind shown whole since the last row that folds nothing.
    shown: HashMap<Repeat, u32>,
    /// Packets were captured: the calls' own arrows are not drawn.
    pub(crate) packets: bool,
    /// The lane of each connection number and peer address.
    by_conn: HashMap<(usize, u64), usize>,
    by_addr: HashMap<SocketAddr, usize>,
    /// The lane peers share once `Limits::peers` have their own.
    others: Option<usize>,
    /// The lanes whose Python lines began with `from socket import *`.
    imported: HashSet<Option<usize>>,
}

impl Section {
    pub(crate) fn new(key: &'static str, title: Option<String>) -> Section {
        Section { key, title, ..Section::default() }
    }

    /// The rows kept, in order, with the gap between the first and the
    /// last ones (if any rows were left out) before the last ones.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Option<&Row>> {
        let gap = (self.gap.rows > 0).then_some(None);
        self.head.iter().map(Some).chain(gap).chain(self.tail.iter().map(Some))
    }

    /// The lane netplay runs as `role`, made on first use.
    pub(crate) fn ours(&mut self, role: Role) -> usize {
        if let Some(i) = self.lanes.iter().position(|l| l.ours && l.role == role) {
            return i;
        }
        self.lanes.push(Lane { role, ours: true, addr: None, conns: Vec::new(), more: 0, hub: false });
        self.lanes.len() - 1
    }

    /// Our lane of the other role, when this section runs both ends (the
    /// demo): then it is every peer of the other.
    fn both(&self, role: Role) -> Option<usize> {
        let other = match role {
            Role::Server => Role::Client,
            Role::Client => Role::Server,
        };
        self.lanes.iter().position(|l| l.ours && l.role == other)
    }

    /// The lane of the peer of `us` at `addr` (and on connection `conn`),
    /// made on first sight; past the limit, the lane all others share.
    pub(crate) fn peer(
        &mut self,
        us: usize,
        addr: Option<SocketAddr>,
        conn: Option<u64>,
        limits: &Limits,
    ) -> usize {
        let role = self.lanes[us].role;
        if let Some(lane) = self.both(role) {
            return lane;
        }
        let addr = addr.map(|a| SocketAddr::new(a.ip().to_canonical(), a.port()));
        let known = conn
            .and_then(|c| self.by_conn.get(&(us, c)).copied())
            .or_else(|| addr.and_then(|a| self.by_addr.get(&a).copied()));
        let lane = match known {
            Some(lane) => lane,
            None => {
                let peers = self.lanes.iter().filter(|l| !l.ours).count();
                let peer_role = match role {
                    Role::Server => Role::Client,
                    Role::Client => Role::Server,
                };
                match self.others {
                    // Past the maps' bound, a new peer goes to the others
                    // uncounted and unremembered: memory stays bounded
                    // however long a server runs.
                    Some(others) if self.by_addr.len() >= REMEMBERED || self.by_conn.len() >= REMEMBERED => {
                        return others;
                    }
                    Some(others) => {
                        self.lanes[others].more += 1;
                        others
                    }
                    None => {
                        self.lanes.push(Lane {
                            role: peer_role,
                            ours: false,
                            addr,
                            conns: Vec::new(),
                            more: 0,
                            hub: false,
                        });
                        let lane = self.lanes.len() - 1;
                        if peers + 1 >= limits.peers {
                            self.others = Some(lane);
                        }
                        lane
                    }
                }
            }
        };
        if let Some(a) = addr {
            self.by_addr.entry(a).or_insert(lane);
            if self.lanes[lane].addr.is_none() {
                self.lanes[lane].addr = Some(a);
            }
        }
        if let Some(c) = conn
            && self.by_conn.insert((us, c), lane).is_none()
            && self.lanes[lane].conns.len() < 4
        {
            self.lanes[lane].conns.push(c);
        }
        lane
    }

    /// The lane of a connection number already seen, if any.
    pub(crate) fn conn_lane(&self, us: usize, conn: u64) -> Option<usize> {
        self.both(self.lanes[us].role).or_else(|| self.by_conn.get(&(us, conn)).copied())
    }

    /// The lane whose address is `addr`, ours or a peer's.
    pub(crate) fn lane_at(&self, addr: SocketAddr) -> Option<usize> {
        let addr = SocketAddr::new(addr.ip().to_canonical(), addr.port());
        self.by_addr.get(&addr).copied().or_else(|| {
            self.lanes.iter().position(|l| {
                l.ours
                    && l.addr.is_some_and(|a| {
                        a.port() == addr.port() && (a.ip() == addr.ip() || a.ip().is_unspecified())
                    })
            })
        })
    }

    /// The sequence number of the last row added.
    pub(crate) fn last_seq(&self) -> Option<u64> {
        self.next_seq.checked_sub(1)
    }

    pub(crate) fn row_mut(&mut self, seq: u64) -> Option<&mut Row> {
        match usize::try_from(seq).ok().filter(|&i| i < self.head.len()) {
            Some(i) => self.head.get_mut(i),
            None => {
                let i = usize::try_from(seq.checked_sub(self.tail_first)?).ok()?;
                self.tail.get_mut(i)
            }
        }
    }

    /// Appends a row and returns its sequence number; past the head, the
    /// oldest row of the tail goes to the gap.
    fn append(&mut self, row: Row, limits: &Limits, budget: &mut usize) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.head.len() < limits.head && self.tail.is_empty() {
            self.head.push(row);
            return seq;
        }
        if self.tail.is_empty() {
            self.tail_first = seq;
        }
        self.tail.push_back(row);
        while self.tail.len() > limits.tail.max(1) {
            if let Some(old) = self.tail.pop_front() {
                self.tail_first += 1;
                *budget += old.dumped();
                self.gap.rows += 1;
                self.gap.events += old.fold.map_or(1, |f| f.count);
                self.gap.from.get_or_insert(old.at);
                self.gap.to = old.fold.map_or(old.at, |f| f.last);
            }
        }
        seq
    }

    /// Counts one more event in the open fold of `key`, if there is one:
    /// then the event needs no row of its own, and none is built (a fast
    /// transfer folds thousands of chunks a second).
    pub(crate) fn fold_into(&mut self, key: Repeat, bytes: u64, at: Stamp, limits: &Limits) -> bool {
        if self.shown.get(&key).is_none_or(|&n| n < limits.repeats) {
            return false;
        }
        let Some(&seq) = self.open.get(&key) else { return false };
        match self.row_mut(seq) {
            Some(Row { fold: Some(fold), .. }) => {
                fold.count += 1;
                fold.bytes += bytes;
                fold.last = at;
                true
            }
            _ => false,
        }
    }

    /// Adds a row. A row with `repeat` may fold into the last of its kind
    /// (counting `bytes`); one without closes every fold: what follows it
    /// is shown whole again.
    pub(crate) fn push(
        &mut self,
        row: Row,
        repeat: Option<(Repeat, u64)>,
        limits: &Limits,
        budget: &mut usize,
    ) {
        let Some((key, bytes)) = repeat else {
            self.open.clear();
            self.shown.clear();
            self.append(row, limits, budget);
            return;
        };
        let shown = self.shown.entry(key).or_default();
        if *shown < limits.repeats {
            *shown += 1;
            self.append(row, limits, budget);
            return;
        }
        let at = row.at;
        if self.fold_into(key, bytes, at, limits) {
            return;
        }
        let mut row = row;
        // A folded row keeps its label and arrow, not its bytes.
        *budget += row.dumped();
        row.details.clear();
        row.fold = Some(Fold { count: 1, bytes, last: at });
        let seq = self.append(row, limits, budget);
        self.open.insert(key, seq);
    }
}

/// The whole session.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) lang: Lang,
    pub(crate) explain: bool,
    pub(crate) recv_size: usize,
    /// The command that ran: `tcp serve`, `demo`.
    pub(crate) command: String,
    pub(crate) limits: Limits,
    pub(crate) sections: Vec<Section>,
    /// The demo's table, as measured.
    pub(crate) table: Vec<DemoRow>,
    /// Bytes of hex dump the page may still show.
    pub(crate) budget: usize,
    /// Packets not between two lifelines of their section.
    pub(crate) stray_packets: u64,
    /// `--decode`: each chunk's first bytes as `struct.unpack_from` reads
    /// them, under its dump.
    pub(crate) decode: Option<crate::decode::Format>,
}

impl Session {
    pub(crate) fn new(
        lang: Lang,
        explain: bool,
        recv_size: usize,
        command: String,
        limits: Limits,
    ) -> Session {
        Session {
            lang,
            explain,
            recv_size,
            command,
            limits,
            sections: Vec::new(),
            table: Vec::new(),
            budget: limits.dump_total,
            stray_packets: 0,
            decode: None,
        }
    }

    /// The section of `key`, made on first use.
    pub(crate) fn section(&mut self, key: &'static str) -> usize {
        match self.sections.iter().position(|s| s.key == key) {
            Some(i) => i,
            None => {
                self.sections.push(Section::new(key, None));
                self.sections.len() - 1
            }
        }
    }

    /// The bytes of a chunk to keep for its dump, within the budgets.
    pub(crate) fn dump(&mut self, offset: u64, bytes: &[u8]) -> Detail {
        let keep = bytes.len().min(self.limits.dump_chunk).min(self.budget);
        self.budget -= keep;
        Detail::Dump(Dump { offset, bytes: Bytes::copy_from_slice(&bytes[..keep]), total: bytes.len() })
    }

    /// [`Section::fold_into`] in section `s`.
    pub(crate) fn fold_into(&mut self, s: usize, key: Repeat, bytes: u64, at: Stamp) -> bool {
        let limits = self.limits;
        self.sections[s].fold_into(key, bytes, at, &limits)
    }

    /// Adds `row` to section `s` (see [`Section::push`]).
    pub(crate) fn push(&mut self, s: usize, mut row: Row, repeat: Option<(Repeat, u64)>) {
        // Each end's Python lines run as shown, as the terminal's do: the
        // names they use come from the import, before the end's first line.
        if let Some(first) = row.details.iter().position(|d| matches!(d, Detail::Python(_)))
            && self.sections[s].imported.insert(row.lane)
        {
            row.details.insert(first, Detail::Python(String::from("from socket import *")));
        }
        let limits = self.limits;
        self.sections[s].push(row, repeat, &limits, &mut self.budget);
    }

    /// Events folded into rows with a count, rows left out, bytes not
    /// dumped in the rows shown, peers sharing a lifeline: what the page
    /// says it left out.
    pub(crate) fn left_out(&self) -> LeftOut {
        let mut out = LeftOut::default();
        for section in &self.sections {
            out.rows += section.gap.rows;
            out.events += section.gap.events;
            out.peers += section.lanes.iter().map(|l| l.more).sum::<u64>();
            for row in section.rows().flatten() {
                if let Some(fold) = row.fold {
                    out.folded += fold.count;
                    out.folded_bytes += fold.bytes;
                }
                for detail in &row.details {
                    if let Detail::Dump(d) = detail {
                        out.undumped += (d.total - d.bytes.len()) as u64;
                    }
                }
            }
        }
        out.packets = self.stray_packets;
        out
    }
}

/// See [`Session::left_out`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LeftOut {
    pub(crate) folded: u64,
    pub(crate) folded_bytes: u64,
    pub(crate) rows: u64,
    pub(crate) events: u64,
    pub(crate) undumped: u64,
    pub(crate) peers: u64,
    pub(crate) packets: u64,
}

impl LeftOut {
    pub(crate) fn nothing(&self) -> bool {
        *self == LeftOut::default()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(ms: u64) -> Stamp {
        Stamp(Duration::from_millis(ms))
    }

    fn small() -> Limits {
        Limits { head: 4, tail: 2, repeats: 2, dump_chunk: 8, dump_total: 20, peers: 2 }
    }

    #[test]
    fn repeats_fold_into_one_row_until_something_else_happens() {
        let limits = small();
        let mut budget = limits.dump_total;
        let mut s = Section::new("", None);
        let us = s.ours(Role::Server);
        let recv = Some((Repeat::Data(us, Dir::In), 10));
        for i in 0..5 {
            s.push(Row::new(at(i), Some(us), Tone::Recv, "recv"), recv, &limits, &mut budget);
        }
        s.push(Row::new(at(9), Some(us), Tone::Close, "close"), None, &limits, &mut budget);
        s.push(Row::new(at(10), Some(us), Tone::Recv, "recv"), recv, &limits, &mut budget);
        let rows: Vec<_> = s.rows().flatten().collect();
        // Two whole, one folded for three, the close, then whole again:
        // the head keeps four rows, the tail the last two.
        assert_eq!(rows.len(), 4 + 1, "{rows:#?}");
        let fold = rows[2].fold.unwrap();
        assert_eq!((fold.count, fold.bytes, fold.last), (3, 30, at(4)));
        assert!(rows[4].fold.is_none());
        assert_eq!(s.gap.rows, 0);
    }

    #[test]
    fn the_middle_is_counted_and_the_end_kept() {
        let limits = small();
        let mut budget = limits.dump_total;
        let mut s = Section::new("", None);
        let us = s.ours(Role::Client);
        for i in 0..10 {
            s.push(Row::new(at(i), Some(us), Tone::Step, format!("{i}")), None, &limits, &mut budget);
        }
        let labels: Vec<_> = s.rows().map(|r| r.map_or("gap".to_string(), |r| r.label.clone())).collect();
        assert_eq!(labels, ["0", "1", "2", "3", "gap", "8", "9"]);
        assert_eq!((s.gap.rows, s.gap.events, s.gap.from, s.gap.to), (4, 4, Some(at(4)), at(7)));
    }

    #[test]
    fn dumps_keep_a_few_bytes_each_within_the_page_budget() {
        let mut session = Session::new(Lang::En, false, 1024, "tcp serve".into(), small());
        let lengths: Vec<usize> = (0..4)
            .map(|_| match session.dump(0, &[7u8; 100]) {
                Detail::Dump(d) => d.bytes.len(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(lengths, [8, 8, 4, 0]);
    }

    #[test]
    fn peers_past_the_limit_share_a_lifeline() {
        let limits = small();
        let mut s = Section::new("", None);
        let us = s.ours(Role::Server);
        let a = s.peer(us, Some("127.0.0.1:1000".parse().unwrap()), Some(1), &limits);
        let b = s.peer(us, Some("127.0.0.1:1001".parse().unwrap()), Some(2), &limits);
        let c = s.peer(us, Some("127.0.0.1:1002".parse().unwrap()), Some(3), &limits);
        assert_eq!(s.peer(us, None, Some(1), &limits), a);
        assert_ne!(a, b);
        assert_eq!(b, c);
        assert_eq!(s.lanes[b].more, 1);
        // However many peers come, the section remembers a bounded number.
        for port in 0..3 * REMEMBERED as u16 {
            s.peer(us, Some(SocketAddr::from(([127, 0, 0, 2], port))), Some(u64::from(port) + 10), &limits);
        }
        assert!(s.by_addr.len() <= REMEMBERED + 3 && s.by_conn.len() <= REMEMBERED + 3);
        assert_eq!(s.lanes.len(), 3);
        // In the demo, both ends are ours: each is the other's peer.
        let mut demo = Section::new("tcp_exchange", None);
        let server = demo.ours(Role::Server);
        let client = demo.ours(Role::Client);
        assert_eq!(demo.peer(server, None, Some(1), &limits), client);
    }
}
