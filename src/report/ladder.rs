//! The ladder: one packet as one line between two labelled ends, the way a
//! textbook draws a TCP exchange, and one sentence per kind of packet for
//! `--explain`.
//!
//! ```text
//! client ──────────SYN─────────▶ server  seq 0 win 65495 mss 65495 wscale 10
//!                                        sackOK TS
//! client ◀───────SYN,ACK──────── server  seq 0 ack 1 win 65483 mss 65495 wscale 10
//!                                        sackOK TS
//! client ───PSH,ACK 15 bytes───▶ server  seq 1 ack 1 win 65536
//! ```
//!
//! A pure function of the packet, the two ends, colour (a bool) and the
//! width: no I/O, no globals. The payload is not drawn (the hex dump shows
//! it). Details that do not fit the width go on under the arrow, each whole
//! ([`lines`]); where even that has no room, they are shortened, then left
//! out from the end (marked `…`), never cut inside a word.

use std::net::SocketAddr;

use colored::Color;
use unicode_width::UnicodeWidthStr;

use super::paint::{Paint, paint};
use crate::model::packet::{Icmp, Packet, PacketKind, Quoted, TcpFlags};

/// The width of every arrow (at least), head included: wide enough for
/// data labels up to `PSH,ACK 9999 bytes`, so that the arrows of a ladder
/// line up, and narrow enough that a SYN's details fit 80 columns.
const ARROW: usize = 23;
/// Room kept between the right end's label and the details.
const GAP: &str = "  ";

/// One end of the ladder: its label and the address it sends from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    pub(crate) label: String,
    pub addr: SocketAddr,
}

/// The two ends a ladder is drawn between: `client`/`server`, or
/// `local`/`peer` for a lone process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ends {
    pub left: End,
    pub right: End,
}

impl Ends {
    pub fn new(
        left: impl Into<String>,
        left_addr: SocketAddr,
        right: impl Into<String>,
        right_addr: SocketAddr,
    ) -> Ends {
        Ends {
            left: End { label: left.into(), addr: left_addr },
            right: End { label: right.into(), addr: right_addr },
        }
    }

    /// Which way `packet` goes between the ends: `Some(true)` left to right.
    /// An ICMP error goes back to whoever sent the datagram it quotes.
    /// `None` when the packet is not between these two ends.
    pub fn rightward(&self, packet: &Packet) -> Option<bool> {
        let (left, right) = (canonical(self.left.addr), canonical(self.right.addr));
        let (from, to) = match &packet.icmp {
            Some(Icmp { quoted: Some(Quoted { from, to, .. }), .. }) => (canonical(*to), canonical(*from)),
            _ => (canonical(packet.from), canonical(packet.to)),
        };
        if from == left && to == right {
            Some(true)
        } else if from == right && to == left {
            Some(false)
        } else {
            None
        }
    }
}

/// An address with an IPv4-mapped IPv6 address as the IPv4 one it maps.
fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

/// One sentence on a kind of packet, for `--explain`. Each was checked on
/// Linux 6.18 with tcpdump on `lo` and Python's socket calls, and the
/// packet facts again by tests/suite/capture.rs (see docs/capture.md).
pub(crate) fn explain(kind: PacketKind) -> crate::i18n::Msg {
    use crate::msg;
    match kind {
        PacketKind::Syn => msg!("explain-packet-syn"),
        PacketKind::SynAck => msg!("explain-packet-syn-ack"),
        PacketKind::Ack => msg!("explain-packet-ack"),
        PacketKind::Data => msg!("explain-packet-data"),
        PacketKind::Fin => msg!("explain-packet-fin"),
        PacketKind::Rst => msg!("explain-packet-rst"),
        PacketKind::IcmpPortUnreachable => msg!("explain-packet-icmp-port-unreachable"),
        PacketKind::Icmpv6PortUnreachable => msg!("explain-packet-icmpv6-port-unreachable"),
        PacketKind::Icmp => msg!("explain-packet-icmp"),
        PacketKind::Udp => msg!("explain-packet-udp"),
    }
}

/// A detail shown after the ladder, with a shorter form to use when the line
/// is too wide.
struct Detail {
    full: String,
    short: Option<String>,
}

impl Detail {
    fn new(full: String) -> Detail {
        Detail { full, short: None }
    }
}

pub(crate) use crate::event::packet::arrow_label;

fn details(packet: &Packet) -> Vec<Detail> {
    let mut out = Vec::new();
    if let Some(tcp) = &packet.tcp {
        let (seq, ack) = match tcp.relative {
            Some(rel) => (rel.seq, rel.ack),
            None => (tcp.seq, Some(tcp.ack)),
        };
        out.push(Detail::new(format!("seq {seq}")));
        if tcp.has(TcpFlags::ACK)
            && let Some(ack) = ack
        {
            out.push(Detail::new(format!("ack {ack}")));
        }
        out.push(match tcp.window_bytes {
            Some(bytes) => Detail::new(format!("win {bytes}")),
            None => Detail {
                full: format!("win {} {}", tcp.window, crate::msg!("ladder-unscaled")),
                short: Some(format!("win {}?", tcp.window)),
            },
        });
        let o = &tcp.options;
        if let Some(mss) = o.mss {
            out.push(Detail::new(format!("mss {mss}")));
        }
        if let Some(shift) = o.window_scale {
            // tcpdump's word, as the README and --explain say it.
            out.push(Detail::new(format!("wscale {shift}")));
        }
        if o.sack_permitted {
            out.push(Detail::new("sackOK".into()));
        }
        if !o.sack.is_empty() {
            out.push(Detail::new("SACK".into()));
        }
        // Every Linux segment carries timestamps; say so where they are
        // agreed on, in the SYNs.
        if o.timestamps.is_some() && tcp.has(TcpFlags::SYN) {
            out.push(Detail::new("TS".into()));
        }
    }
    if let Some(n) = packet.fragments {
        out.push(Detail::new(crate::msg!("ladder-fragments", n = n).to_string()));
    }
    if let Some(icmp) = &packet.icmp {
        if let Some(q) = &icmp.quoted {
            out.push(Detail {
                full: crate::msg!(
                    "ladder-for",
                    what = format!("{} {} → {}", q.protocol.name(), q.from, q.to)
                )
                .to_string(),
                short: Some(
                    crate::msg!(
                        "ladder-for",
                        what = format!("{} :{} → :{}", q.protocol.name(), q.from.port(), q.to.port())
                    )
                    .to_string(),
                ),
            });
        }
        out.push(Detail { full: format!("type {} code {}", icmp.kind, icmp.code), short: None });
    }
    out
}

/// The details of a packet after its arrow (`seq 0 ack 1 win 65483 mss
/// 65495 ...`), whole: for the page (report/html), which has room for them.
pub(crate) fn details_text(packet: &Packet) -> String {
    details(packet).into_iter().map(|d| d.full).collect::<Vec<_>>().join(" ")
}

fn arrow_paint(packet: &Packet) -> Paint {
    match packet.kind() {
        PacketKind::Syn | PacketKind::SynAck => Paint::Fg(Color::Green),
        PacketKind::Fin => Paint::Fg(Color::Yellow),
        PacketKind::Rst
        | PacketKind::IcmpPortUnreachable
        | PacketKind::Icmpv6PortUnreachable
        | PacketKind::Icmp => Paint::Fg(Color::Red),
        PacketKind::Data | PacketKind::Udp => Paint::Fg(Color::Cyan),
        PacketKind::Ack => Paint::Plain,
    }
}

/// The arrow with its label, `inner` columns wide (head included), the
/// label in the middle (the odd column, if any, on the head's side).
fn arrow(label: &str, rightward: bool, inner: usize) -> String {
    let rest = inner.saturating_sub(label.width());
    let (tail, head) = (rest / 2, rest - rest / 2);
    let line = |n: usize| "─".repeat(n);
    if rightward {
        format!("{}{label}{}▶", line(tail), line(head.saturating_sub(1)))
    } else {
        format!("◀{}{label}{}", line(head.saturating_sub(1)), line(tail))
    }
}

/// Cuts `text` to at most `width` columns, ending in `…` when cut.
fn fit_label(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.to_string().width() + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Renders `packet` as one ladder line between `ends`, at most `width`
/// columns wide (80 holds every line for labels up to 8 columns; a line can
/// only be wider when the labels and arrow alone are). A packet that is not
/// between the two ends is drawn between its own addresses.
pub fn line(packet: &Packet, ends: &Ends, color: bool, width: usize) -> String {
    layout(packet, ends, color, width, false).remove(0)
}

/// [`line`], but where its details do not fit beside the arrow they go on
/// under it, aligned, each whole, rather than being left out: the SYN's
/// `wscale 10 sackOK TS` at 80 columns. Only a width too narrow for that
/// (a detail column under 20) drops them as [`line`] does.
pub(crate) fn lines(packet: &Packet, ends: &Ends, color: bool, width: usize) -> Vec<String> {
    layout(packet, ends, color, width, true)
}

fn layout(packet: &Packet, ends: &Ends, color: bool, width: usize, wrap: bool) -> Vec<String> {
    let (ends, rightward) = match ends.rightward(packet) {
        Some(rightward) => (ends.clone(), rightward),
        None => (Ends::new(packet.from.to_string(), packet.from, packet.to.to_string(), packet.to), true),
    };
    let label = arrow_label(packet);
    let mut inner = ARROW.max(label.width() + 5);
    let (mut left, mut right) = (ends.left.label.clone(), ends.right.label.clone());
    let core = |left: &str, right: &str, inner: usize| left.width() + 1 + inner + 1 + right.width();
    if core(&left, &right, inner) > width {
        inner = label.width() + 5;
    }
    if core(&left, &right, inner) > width {
        let room = width.saturating_sub(inner + 2) / 2;
        left = fit_label(&left, room.max(1));
        right = fit_label(&right, room.max(1));
    }
    let used = core(&left, &right, inner);

    // The details that fit: all in full, else shortened from the end, else
    // left out from the end.
    let details = details(packet);
    let text = |ds: &[Detail], short_from: usize| -> String {
        let words: Vec<&str> = ds
            .iter()
            .enumerate()
            .map(|(i, d)| if i >= short_from { d.short.as_deref().unwrap_or(&d.full) } else { &d.full })
            .collect();
        words.join(" ")
    };
    let room = width.saturating_sub(used + GAP.len());
    let arrow = paint(&arrow(&label, rightward, inner), arrow_paint(packet), color);
    let head = format!("{left} {arrow} {right}");
    let full = text(&details, details.len());
    let widest = details.iter().map(|d| d.full.width()).max().unwrap_or(0);
    if wrap && full.width() > room && room >= 20 && widest <= room {
        let mut rows: Vec<String> = vec![String::new()];
        for detail in &details {
            let row = rows.last_mut().unwrap();
            if !row.is_empty() && row.width() + 1 + detail.full.width() > room {
                rows.push(detail.full.clone());
            } else {
                if !row.is_empty() {
                    row.push(' ');
                }
                row.push_str(&detail.full);
            }
        }
        let under = " ".repeat(used + GAP.len());
        return rows
            .iter()
            .enumerate()
            .map(|(i, row)| match i {
                0 => format!("{head}{GAP}{}", paint(row, Paint::Dim, color)),
                _ => format!("{under}{}", paint(row, Paint::Dim, color)),
            })
            .collect();
    }
    let fitting =
        (0..=details.len()).rev().map(|short_from| text(&details, short_from)).find(|t| t.width() <= room);
    let shown = fitting.unwrap_or_else(|| {
        (0..details.len())
            .rev()
            .map(|keep| if keep == 0 { "…".to_string() } else { format!("{} …", text(&details[..keep], 0)) })
            .find(|t| t.width() <= room)
            .unwrap_or_default()
    });

    let mut out = head;
    if !shown.is_empty() {
        out.push_str(GAP);
        out.push_str(&paint(&shown, Paint::Dim, color));
    }
    vec![out]
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use etherparse::TcpOptionElement::*;

    use super::*;
    use crate::model::flows::Flows;
    use crate::model::packet::samples::*;
    use crate::model::packet::{Direction, parse};

    const C: u16 = 40000;
    const S: u16 = 9000;

    fn ends() -> Ends {
        Ends::new("client", "127.0.0.1:40000".parse().unwrap(), "server", "127.0.0.1:9000".parse().unwrap())
    }

    fn exchange() -> Vec<Packet> {
        let opts = [
            MaximumSegmentSize(65495),
            SelectiveAcknowledgementPermitted,
            Timestamp(1, 0),
            Noop,
            WindowScale(10),
        ];
        let raw = [
            tcp4_with(C, S, 0x02, 1000, 0, 65495, &opts, &[]),
            tcp4_with(S, C, 0x12, 5000, 1001, 65483, &opts, &[]),
            tcp4_with(C, S, 0x10, 1001, 5001, 64, &[], &[]),
            tcp4_with(C, S, 0x18, 1001, 5001, 64, &[], b"hello, world!!!"),
            tcp4_with(S, C, 0x10, 5001, 1016, 64, &[], &[]),
            tcp4_with(C, S, 0x11, 1016, 5001, 64, &[], &[]),
            tcp4_with(S, C, 0x11, 5001, 1017, 64, &[], &[]),
            tcp4_with(C, S, 0x10, 1017, 5002, 64, &[], &[]),
        ];
        let mut flows = Flows::new();
        raw.iter()
            .map(|bytes| {
                let mut p = parse(bytes, Instant::now(), Direction::Out).unwrap();
                flows.annotate(&mut p);
                p
            })
            .collect()
    }

    #[test]
    fn a_whole_tcp_exchange_as_a_ladder() {
        let lines: Vec<String> = exchange().iter().flat_map(|p| lines(p, &ends(), false, 80)).collect();
        // The SYNs' options in tcpdump's words, whole, under the arrow.
        let expected = [
            "client ──────────SYN─────────▶ server  seq 0 win 65495 mss 65495 wscale 10",
            "                                       sackOK TS",
            "client ◀───────SYN,ACK──────── server  seq 0 ack 1 win 65483 mss 65495 wscale 10",
            "                                       sackOK TS",
            "client ──────────ACK─────────▶ server  seq 1 ack 1 win 65536",
            "client ───PSH,ACK 15 bytes───▶ server  seq 1 ack 1 win 65536",
            "client ◀─────────ACK────────── server  seq 1 ack 16 win 65536",
            "client ────────FIN,ACK───────▶ server  seq 16 ack 1 win 65536",
            "client ◀───────FIN,ACK──────── server  seq 1 ack 17 win 65536",
            "client ──────────ACK─────────▶ server  seq 17 ack 2 win 65536",
        ];
        assert_eq!(lines, expected, "\n{}", lines.join("\n"));
        for l in &lines {
            assert!(l.width() <= 80, "{l}");
        }
    }

    #[test]
    fn the_arrows_line_up_and_narrow_widths_drop_details_whole() {
        let packets = exchange();
        let syn = &packets[0];
        // Wider: everything in full.
        assert_eq!(
            line(syn, &ends(), false, 100),
            "client ──────────SYN─────────▶ server  seq 0 win 65495 mss 65495 wscale 10 sackOK TS"
        );
        assert_eq!(line(syn, &ends(), false, 60), "client ──────────SYN─────────▶ server  seq 0 win 65495 …");
        assert_eq!(line(syn, &ends(), false, 45), "client ──────────SYN─────────▶ server  …");
        // Narrower than labels and arrow: the arrow shrinks to its label.
        assert_eq!(line(syn, &ends(), false, 32), "client ──SYN──▶ server  seq 0 …");
        for width in 10..100 {
            let l = line(&packets[1], &ends(), false, width);
            assert!(l.width() <= width.max(29), "{width}: {l}");
            assert!(!l.contains("mss 6549 ") && !l.ends_with("mss 6"), "{width}: {l}");
        }
    }

    #[test]
    fn a_refused_connect_is_a_syn_answered_by_rst() {
        let mut flows = Flows::new();
        let mut syn = parse(&tcp4(C, S, 0x02, 77, 0, &[]), Instant::now(), Direction::Out).unwrap();
        let mut rst =
            parse(&tcp4_with(S, C, 0x14, 0, 78, 0, &[], &[]), Instant::now(), Direction::Out).unwrap();
        flows.annotate(&mut syn);
        flows.annotate(&mut rst);
        assert_eq!(rst.kind(), PacketKind::Rst);
        assert_eq!(
            line(&rst, &ends(), false, 80),
            "client ◀───────RST,ACK──────── server  seq 0 ack 1 win 0"
        );
    }

    #[test]
    fn icmp_port_unreachable_goes_back_to_the_sender_of_the_datagram() {
        let udp = udp4(C, 9, b"hello");
        let icmp = parse(&icmp4_port_unreachable(&udp), Instant::now(), Direction::Out).unwrap();
        let e =
            Ends::new("client", "127.0.0.1:40000".parse().unwrap(), "server", "127.0.0.2:9".parse().unwrap());
        assert_eq!(icmp.kind(), PacketKind::IcmpPortUnreachable);
        assert_eq!(
            line(&icmp, &e, false, 100),
            "client ◀──ICMP port unreachable── server  for UDP 127.0.0.1:40000 → 127.0.0.2:9 type 3 code 3"
        );
        assert_eq!(
            line(&icmp, &e, false, 80),
            "client ◀──ICMP port unreachable── server  for UDP :40000 → :9 type 3 code 3"
        );
        let datagram = parse(&udp, Instant::now(), Direction::Out).unwrap();
        assert_eq!(line(&datagram, &e, false, 80), "client ──────UDP 5 bytes─────▶ server");
    }

    #[test]
    fn icmpv6_and_a_packet_between_other_ends() {
        let icmp = parse(&icmp6_port_unreachable(&udp6(C, 9, b"x")), Instant::now(), Direction::Out).unwrap();
        assert_eq!(icmp.kind(), PacketKind::Icmpv6PortUnreachable);
        let e = Ends::new("local", "[::1]:40000".parse().unwrap(), "peer", "[::1]:9".parse().unwrap());
        assert!(line(&icmp, &e, false, 80).starts_with("local ◀──ICMPv6 port unreachable── peer  for UDP"));
        // Not between `ends()`: drawn between its own addresses.
        let other = parse(&udp4(1, 2, b"ab"), Instant::now(), Direction::Out).unwrap();
        assert_eq!(line(&other, &ends(), false, 80), "127.0.0.1:1 ──────UDP 2 bytes─────▶ 127.0.0.2:2");
    }

    #[test]
    fn ipv4_mapped_addresses_match_their_ipv4_end() {
        let p = &exchange()[0];
        let e = Ends::new(
            "client",
            "[::ffff:127.0.0.1]:40000".parse().unwrap(),
            "server",
            "127.0.0.1:9000".parse().unwrap(),
        );
        assert_eq!(e.rightward(p), Some(true));
    }

    #[test]
    fn colour_paints_the_arrow_and_dims_the_details_without_changing_the_text() {
        let packets = exchange();
        for p in &packets {
            let plain = line(p, &ends(), false, 80);
            let coloured = line(p, &ends(), true, 80);
            let stripped = coloured.replace("\x1b[0m", "").replace("\x1b[2m", "").replace("\x1b[32m", "");
            let stripped = stripped.replace("\x1b[33m", "").replace("\x1b[36m", "");
            assert_eq!(stripped, plain);
        }
        assert!(line(&packets[0], &ends(), true, 80).contains("\x1b[32m"), "SYN is green");
        assert!(line(&packets[3], &ends(), true, 80).contains("\x1b[36m"), "data is cyan");
        assert!(line(&packets[5], &ends(), true, 80).contains("\x1b[33m"), "FIN is yellow");
    }

    #[test]
    fn every_kind_has_its_sentence() {
        let kinds: Vec<PacketKind> = exchange().iter().map(Packet::kind).collect();
        use PacketKind::*;
        assert_eq!(kinds, [Syn, SynAck, Ack, Data, Ack, Fin, Fin, Ack]);
        for kind in [Syn, SynAck, Ack, Data, Fin, Rst, IcmpPortUnreachable, Icmpv6PortUnreachable, Icmp, Udp]
        {
            assert!(explain(kind).to_string().len() > 40);
        }
    }
}
