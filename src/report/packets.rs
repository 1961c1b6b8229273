//! Packets for people (`--packets`): each packet of the run as a ladder line
//! between the client and the server, under the socket step that sent it;
//! with `--explain`, the sentence of each kind of packet the first time one
//! shows; and TCP_INFO's figures in one short line.
//!
//! Kept apart from human.rs, which calls [`Ladder::render`] for packet
//! events and [`tcp_info_text`] for the TCP_INFO of a closed connection.

use std::collections::HashSet;
use std::time::Duration;

use super::tables;
use crate::capture::{Ends, PacketKind, TcpInfo, explain, ladder};
use crate::event::packet::PacketEvent;
use crate::i18n::{Arg, Lang};
use crate::msg;

/// The columns a ladder line takes where the output has no width of its
/// own (a pipe, a file): what a terminal has at least, and what the rest of
/// the output holds to (a hex dump line is 79 wide).
pub const WIDTH: usize = 80;
/// Packet lines are indented under the socket steps.
const INDENT: &str = "  ";
/// Explanations are indented as the steps' are.
const EXPLAIN_INDENT: &str = "      ";

/// The label of the demo's packet lines, as wide as the ends' (`server │ `).
pub fn label(lang: Lang, color: bool) -> String {
    let name = msg!("demo-label-wire").render(lang);
    let name = format!("{name:>width$}", width = super::human::label_columns(lang) - 3);
    if color { format!("\x1b[1m{name}\x1b[0m \x1b[2m│\x1b[0m ") } else { format!("{name} │ ") }
}

/// The human reporter's packet state: which kinds were explained already.
#[derive(Debug, Default)]
pub struct Ladder {
    explained: HashSet<PacketKind>,
}

impl Ladder {
    /// Appends the lines of one packet to `out`: the ladder line, and with
    /// `explain` its kind's sentence if none of that kind was shown yet.
    #[allow(clippy::too_many_arguments)]
    pub fn render(
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
        for line in ladder::lines(packet, &ends, color, width.saturating_sub(INDENT.len())) {
            out.extend_from_slice(INDENT.as_bytes());
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        let kind = packet.kind();
        if explain_kinds && self.explained.insert(kind) {
            let sentence = explain(kind).render(lang);
            for text in tables::wrap(&sentence, width.saturating_sub(EXPLAIN_INDENT.len())) {
                let text = format!("{EXPLAIN_INDENT}{text}");
                let text = if color { format!("\x1b[2m{text}\x1b[0m") } else { text };
                out.extend_from_slice(text.as_bytes());
                out.push(b'\n');
            }
        }
    }
}

/// TCP_INFO's figures in a few words: `rtt 38µs (±19µs), cwnd 10, 0
/// retransmitted, 5 segments in, 6 out, 17 B acked`.
pub fn tcp_info_text(lang: Lang, info: &TcpInfo) -> String {
    let micros = |us: u32| Arg::duration(Duration::from_micros(u64::from(us)));
    msg!(
        "tcp-info",
        rtt = micros(info.rtt_us),
        rtt_var = micros(info.rtt_var_us),
        cwnd = info.cwnd,
        retransmits = Arg::count(info.retransmits),
        segs_in = Arg::count(info.segs_in),
        segs_out = Arg::count(info.segs_out),
        acked = Arg::bytes(info.bytes_acked)
    )
    .render(lang)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use unicode_width::UnicodeWidthStr;

    use super::*;
    use crate::capture::packet::samples::{icmp4_port_unreachable, tcp4, udp4};
    use crate::capture::{Direction, Flows, parse};
    use crate::event::Role;

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

    #[test]
    fn tcp_info_in_a_line() {
        let info = TcpInfo {
            state: 8,
            rtt_us: 38,
            rtt_var_us: 19,
            cwnd: 10,
            mss: 32768,
            retransmits: 0,
            segs_in: 5,
            segs_out: 6,
            bytes_acked: 17,
            bytes_received: 16,
            unacked: 0,
            sacked: 0,
        };
        assert_eq!(
            tcp_info_text(Lang::En, &info),
            "rtt 38µs (±19µs), cwnd 10, 0 retransmitted, 5 segments in, 6 out, 17 B acked"
        );
    }
}
