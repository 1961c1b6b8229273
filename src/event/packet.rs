//! A captured packet as an event (`--packets`): the parsed packet and which
//! end of the run sent it. Its JSON shape is flat for what people look for
//! first (flags, relative seq and ack, window, length) and keeps the raw
//! values beside them; docs/json-events.md shows it from real runs.

use std::net::SocketAddr;

use serde::{Serialize, Serializer};

use super::Role;
use crate::model::packet::{Direction, Icmp, Packet, PacketKind, Protocol, TcpFlags, TcpOptions};

/// One packet of this run, seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketEvent {
    pub(crate) packet: Packet,
    /// The end that sent it (for an ICMP error: the end whose host answered
    /// the datagram it quotes); `None` when it is between other ends.
    pub(crate) sender: Option<Role>,
}

impl PacketEvent {
    /// The ends a ladder draws it between: (client, server) addresses, from
    /// who sent it. `None` when the sender is not known.
    pub(crate) fn ends(&self) -> Option<(SocketAddr, SocketAddr)> {
        let p = &self.packet;
        let (from, to) = match &p.icmp {
            // The error travels back to the datagram's sender, from the
            // host it was sent to.
            Some(Icmp { quoted: Some(q), .. }) => (q.to, q.from),
            _ => (p.from, p.to),
        };
        match self.sender? {
            Role::Client => Some((from, to)),
            Role::Server => Some((to, from)),
        }
    }
}

/// The JSON view: see docs/json-events.md.
#[derive(Serialize)]
struct Json<'a> {
    kind: PacketKind,
    direction: Direction,
    from: SocketAddr,
    to: SocketAddr,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<Role>,
    protocol: Protocol,
    /// Payload bytes (TCP or UDP data; ICMP: the quoted datagram).
    length: u32,
    /// The whole IP packet.
    wire_length: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<TcpFlags>,
    /// Relative to the sender's initial sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u32>,
    /// Relative to the receiver's initial sequence number; only with ACK.
    #[serde(skip_serializing_if = "Option::is_none")]
    ack: Option<u32>,
    /// The window field as on the wire.
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<u16>,
    /// The window in bytes, once the scale is known (both SYNs seen).
    #[serde(skip_serializing_if = "Option::is_none")]
    window_bytes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_seq: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_ack: Option<u32>,
    #[serde(skip_serializing_if = "options_empty")]
    options: Option<&'a TcpOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icmp: Option<&'a Icmp>,
    /// A UDP datagram the IP layer cut: how many fragments carry it.
    #[serde(skip_serializing_if = "Option::is_none")]
    fragments: Option<u32>,
}

fn options_empty(options: &Option<&TcpOptions>) -> bool {
    options.is_none_or(|o| *o == TcpOptions::default())
}

impl Serialize for PacketEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let p = &self.packet;
        let tcp = p.tcp.as_ref();
        let relative = tcp.and_then(|t| t.relative);
        let acks = tcp.is_some_and(|t| t.has(TcpFlags::ACK));
        Json {
            kind: p.kind(),
            direction: p.direction,
            from: p.from,
            to: p.to,
            sender: self.sender,
            protocol: p.protocol,
            length: p.length,
            wire_length: p.wire_length,
            flags: tcp.map(|t| t.flags),
            seq: relative.map(|r| r.seq).or(tcp.map(|t| t.seq)),
            ack: if acks { relative.and_then(|r| r.ack) } else { None },
            window: tcp.map(|t| t.window),
            window_bytes: tcp.and_then(|t| t.window_bytes),
            raw_seq: tcp.map(|t| t.seq),
            raw_ack: tcp.filter(|_| acks).map(|t| t.ack),
            options: tcp.map(|t| &t.options),
            icmp: p.icmp.as_ref(),
            fragments: p.fragments,
        }
        .serialize(serializer)
    }
}

/// The label a packet goes by, inside the ladder's arrow and in the demo's
/// table: the flags and byte count, the datagram's length, or the ICMP
/// message's meaning.
pub(crate) fn arrow_label(packet: &Packet) -> String {
    // The run's language: the ladder's words are few, the reporter's.
    let bytes = |n: u32| crate::msg!("bytes", n = n).to_string();
    match (&packet.tcp, &packet.icmp) {
        (Some(tcp), _) if packet.length > 0 => format!("{} {}", tcp.flags, bytes(packet.length)),
        (Some(tcp), _) => tcp.flags.to_string(),
        (_, Some(icmp)) => format!("{} {}", packet.protocol.name(), icmp.meaning.words()),
        _ => format!("{} {}", packet.protocol.name(), bytes(packet.length)),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::model::flows::Flows;
    use crate::model::packet::parse;
    use crate::model::packet::samples::{icmp4_port_unreachable, tcp4, udp4};

    fn parsed(bytes: &[u8]) -> Packet {
        parse(bytes, Instant::now(), Direction::Out).unwrap()
    }

    #[test]
    fn a_segment_is_flat_json_with_relative_and_raw_numbers() {
        let mut flows = Flows::new();
        let mut syn = parsed(&tcp4(40000, 9000, 0x02, 1000, 0, &[]));
        let mut synack = parsed(&tcp4(9000, 40000, 0x12, 5000, 1001, &[]));
        flows.annotate(&mut syn);
        flows.annotate(&mut synack);
        let event = crate::event::Event::Packet(PacketEvent { packet: synack, sender: Some(Role::Server) });
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event"], "packet");
        assert_eq!(json["kind"], "syn_ack");
        assert_eq!(json["sender"], "server");
        assert_eq!(json["flags"], serde_json::json!(["SYN", "ACK"]));
        assert_eq!((json["seq"].as_u64(), json["ack"].as_u64()), (Some(0), Some(1)));
        assert_eq!((json["raw_seq"].as_u64(), json["raw_ack"].as_u64()), (Some(5000), Some(1001)));
        assert_eq!(json["from"], "127.0.0.1:9000");
        assert!(json.get("icmp").is_none() && json.get("options").is_none(), "{json}");
        // A SYN has no ACK flag: no ack at all, raw or relative.
        let json = serde_json::to_value(PacketEvent { packet: syn, sender: Some(Role::Client) }).unwrap();
        assert!(json.get("ack").is_none() && json.get("raw_ack").is_none(), "{json}");
    }

    #[test]
    fn an_icmp_error_names_its_datagram_and_its_ends() {
        let icmp = parsed(&icmp4_port_unreachable(&udp4(40000, 9, b"hello")));
        let event = PacketEvent { packet: icmp, sender: Some(Role::Server) };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["kind"], "icmp_port_unreachable");
        assert_eq!(json["icmp"]["type"], 3);
        assert_eq!(json["icmp"]["code"], 3);
        assert_eq!(json["icmp"]["quoted"]["from"], "127.0.0.1:40000");
        assert!(json.get("flags").is_none());
        let (client, server) = event.ends().unwrap();
        assert_eq!(client, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(server, "127.0.0.2:9".parse().unwrap());
    }
}
