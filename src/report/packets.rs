//! Packets for people (`--packets`): each packet of the run as a ladder line
//! between the client and the server, under the socket step that sent it;
//! with `--explain`, the sentence of each kind of packet the first time one
//! shows; and TCP_INFO's figures in one short line.
//!
//! Kept apart from human.rs, which calls [`Ladder::render`] for packet
//! events (TCP_INFO's line at a close is report/tcp_info.rs's).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use super::paint::{Paint, paint};
use crate::event::packet::PacketEvent;
use crate::i18n::{Arg, Lang};
use crate::model::packet::{PacketKind, Protocol, TcpFlags};
use crate::msg;
use crate::report::ladder::{self, Ends, explain};

/// The columns a ladder line takes where the output has no width of its
/// own (a pipe, a file): what a terminal has at least, and what the rest of
/// the output holds to (a hex dump line is 79 wide).
pub(crate) const WIDTH: usize = 80;
/// Packet lines are indented under the socket steps.
const INDENT: &str = "  ";
/// Explanations are indented as the steps' are.
const EXPLAIN_INDENT: &str = "      ";

/// The human reporter's packet state: which kinds were explained already,
/// and each TCP connection's ladder so far, to total it once it is whole.
#[derive(Debug, Default)]
pub(crate) struct Ladder {
    explained: HashSet<PacketKind>,
    /// The far end is named by its address, not "server": `udp send` does
    /// not know that anything listens there (an ICMP error may say not).
    pub(crate) far_end_by_address: bool,
    tallies: HashMap<(SocketAddr, SocketAddr), Tally>,
}

/// One direction of a TCP connection, as its ladder lines showed it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OneWay {
    /// Segments drawn, the handshake's and the close's included.
    pub(crate) segments: u64,
    /// Payload bytes, each counted once (a retransmission is not new data).
    pub(crate) data: u64,
    /// Data bytes the other end acknowledged: its highest ACK less one for
    /// the SYN, which takes a sequence number and carries no byte, and less
    /// the FIN, likewise; never more than the data.
    pub(crate) acked: u64,
    syn: bool,
    /// The relative sequence number just past the FIN, once one was sent.
    fin_end: Option<u32>,
    /// The highest relative acknowledgement the other end sent.
    highest_ack: Option<u32>,
    /// The relative sequence number just past the data sent so far.
    data_end: u32,
}

/// A TCP connection's ladder: client to server, and back.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) to_server: OneWay,
    pub(crate) to_client: OneWay,
    reset: bool,
    done: bool,
}

impl Tally {
    /// Adds one segment, sent by the client when `from_client`; true when
    /// this segment made the ladder whole: both FINs sent and acknowledged,
    /// or a reset.
    pub(crate) fn add(
        &mut self,
        from_client: bool,
        flags: TcpFlags,
        seq: u32,
        ack: Option<u32>,
        len: u32,
    ) -> bool {
        let (mine, theirs) = if from_client {
            (&mut self.to_server, &mut self.to_client)
        } else {
            (&mut self.to_client, &mut self.to_server)
        };
        mine.segments += 1;
        mine.syn |= flags.has(TcpFlags::SYN);
        // Relative numbers start at 0 on the SYN; data starts at 1.
        let end = seq.wrapping_add(len);
        if len > 0 && end > mine.data_end.max(1) {
            mine.data += u64::from(end - mine.data_end.max(1));
            mine.data_end = end;
        }
        if flags.has(TcpFlags::FIN) {
            mine.fin_end = Some(end.wrapping_add(1));
        }
        if let Some(ack) = ack.filter(|_| flags.has(TcpFlags::ACK)) {
            theirs.highest_ack = Some(theirs.highest_ack.map_or(ack, |h| h.max(ack)));
            if theirs.syn {
                theirs.acked = u64::from(ack.saturating_sub(1)).min(theirs.data);
            }
        }
        self.reset |= flags.has(TcpFlags::RST);
        let closed = |w: &OneWay| w.fin_end.is_some_and(|f| w.highest_ack.is_some_and(|a| a >= f));
        let whole = self.reset || (closed(&self.to_server) && closed(&self.to_client));
        whole && !std::mem::replace(&mut self.done, true)
    }
}

impl Ladder {
    /// Appends the lines of one packet to `out`: the ladder line, and with
    /// `explain` its kind's sentence if none of that kind was shown yet.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn render(
        &mut self,
        lang: Lang,
        event: &PacketEvent,
        color: bool,
        explain_kinds: bool,
        width: usize,
        out: &mut Vec<u8>,
    ) {
        let packet = &event.packet;
        let ends = match event.ends() {
            Some((client, server)) => Ends::new(
                msg!("demo-label-client").render(lang),
                client,
                msg!("demo-label-server").render(lang),
                server,
            ),
            // Between other ends: the ladder draws it between its addresses.
            None => Ends::new(packet.from.to_string(), packet.from, packet.to.to_string(), packet.to),
        };
        let ends = match (self.far_end_by_address, event.ends()) {
            (true, Some((_, server))) => {
                Ends::new(ends.left.label.clone(), ends.left.addr, server.to_string(), server)
            }
            _ => ends,
        };
        for line in ladder::lines(packet, &ends, color, width.saturating_sub(INDENT.len())) {
            out.extend_from_slice(INDENT.as_bytes());
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        let whole = self.tally(event);
        let kind = packet.kind();
        if explain_kinds && self.explained.insert(kind) {
            let sentence = explain(kind).render(lang);
            for text in crate::width::wrap_cell(&sentence, width.saturating_sub(EXPLAIN_INDENT.len())) {
                let text = format!("{EXPLAIN_INDENT}{text}");
                let text = paint(&text, Paint::Dim, color);
                out.extend_from_slice(text.as_bytes());
                out.push(b'\n');
            }
        }
        if let Some(tally) = whole {
            let (client, server) = (ends.left.label.as_str(), ends.right.label.as_str());
            for (from, to, way) in [(client, server, &tally.to_server), (server, client, &tally.to_client)] {
                let text = wire_total(lang, from, to, way);
                for text in crate::width::wrap_cell(&text, width.saturating_sub(INDENT.len())) {
                    let text = format!("{INDENT}{text}");
                    let text = paint(&text, Paint::Dim, color);
                    out.extend_from_slice(text.as_bytes());
                    out.push(b'\n');
                }
            }
        }
    }

    /// Counts a TCP segment into its connection's tally; the tally, once,
    /// when this segment made the ladder whole.
    fn tally(&mut self, event: &PacketEvent) -> Option<Tally> {
        let packet = &event.packet;
        let (tcp, (client, server)) = match (packet.protocol, &packet.tcp, event.ends()) {
            (Protocol::Tcp, Some(tcp), Some(ends)) => (tcp, ends),
            _ => return None,
        };
        let relative = tcp.relative?;
        let key = (client, server);
        let from_client = packet.from == client;
        let tally = self.tallies.entry(key).or_default();
        let whole = tally.add(from_client, tcp.flags, relative.seq, relative.ack, packet.length);
        let tally = *tally;
        if whole {
            // A later connection between the same ports starts anew.
            self.tallies.remove(&key);
        }
        whole.then_some(tally)
    }
}

/// One direction of a whole ladder: what crossed, counted from the lines
/// drawn above it.
pub(crate) fn wire_total(lang: Lang, from: &str, to: &str, way: &OneWay) -> String {
    msg!(
        "wire-total",
        from = from,
        to = to,
        segments = Arg::count(way.segments),
        data = Arg::bytes(way.data),
        acked = Arg::bytes(way.acked)
    )
    .render(lang)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use unicode_width::UnicodeWidthStr;

    use super::*;
    use crate::event::Role;
    use crate::model::flows::Flows;
    use crate::model::packet::samples::{icmp4_port_unreachable, tcp4, udp4};
    use crate::model::packet::{Direction, parse};

    fn event(bytes: &[u8], sender: Role, flows: &mut Flows) -> PacketEvent {
        let mut packet = parse(bytes, Instant::now(), Direction::Out).unwrap();
        flows.annotate(&mut packet);
        PacketEvent { packet, sender: Some(sender) }
    }

    fn rendered(ladder: &mut Ladder, event: &PacketEvent, explain: bool) -> String {
        let mut out = Vec::new();
        ladder.render(Lang::En, event, false, explain, WIDTH, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn packets_are_ladder_lines_within_80_columns_each_kind_explained_once() {
        let mut flows = Flows::new();
        let mut ladder = Ladder::default();
        let syn = event(&tcp4(40000, 9000, 0x02, 7, 0, &[]), Role::Client, &mut flows);
        let synack = event(&tcp4(9000, 40000, 0x12, 70, 8, &[]), Role::Server, &mut flows);
        let first = rendered(&mut ladder, &syn, true);
        let lines: Vec<&str> = first.lines().collect();
        assert!(lines[0].starts_with("  client ──────────SYN─────────▶ server  seq 0 win 65495"), "{first}");
        assert!(lines[1].starts_with("      SYN: connect() sends"), "{first}");
        assert!(lines.iter().all(|l| l.width() <= WIDTH), "{first}");
        assert_eq!(rendered(&mut ladder, &syn, true).lines().count(), 1, "SYN explained once");
        let back = rendered(&mut ladder, &synack, false);
        assert!(back.starts_with("  client ◀───────SYN,ACK──────── server  seq 0 ack 1"), "{back}");
    }

    #[test]
    fn an_icmp_error_points_back_at_the_sender_of_the_datagram() {
        let mut flows = Flows::new();
        let icmp = event(&icmp4_port_unreachable(&udp4(40000, 9, b"hi")), Role::Server, &mut flows);
        let text = rendered(&mut Ladder::default(), &icmp, false);
        assert!(text.starts_with("  client ◀──ICMP port unreachable── server  for UDP"), "{text}");
        assert!(text.trim_end().width() <= WIDTH, "{text}");
    }
}
