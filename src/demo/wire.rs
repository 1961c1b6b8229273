//! The demo's packets (`netplay --packets demo`): parts 1 and 2 show theirs
//! between the two ends' lines; part 3's experiments keep theirs for the
//! table's evidence (the RST that refuses, the ICMP an unconnected socket
//! is never told of, segments against sends). With `--pcap`, all of them
//! go to one file.
//!
//! Both ends run in this process, so where an unprivileged user may have a
//! network namespace of their own, the demo moves into one before anything
//! else and captures there without root ([`isolate`]).

use std::net::SocketAddr;

use anyhow::Result;

use crate::capture::{self, Capture, CaptureError, CaptureOptions, HEADERS_ONLY, Interface, PacketKind};
use crate::config::PacketsConfig;
use crate::event::Role;
use crate::event::demo::OnWire;
use crate::event::packet::PacketEvent;
use crate::i18n::Msg;
use crate::model::Locked;
use crate::output::Board;
use crate::packets::{Packets, PcapFile, Recorded, Sinks};

/// Where the demo can capture, decided before any thread exists.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Isolation {
    /// No packets asked for.
    NotAsked,
    /// This process captures on the host's loopback (root, or CAP_NET_RAW).
    Host,
    /// The demo runs in a network namespace of its own, where it may.
    Private,
    /// Neither: why, in one line (the demo runs without packets).
    Refused(Msg),
}

/// Moves the process into a private network namespace when the demo wants
/// packets and may not capture where it is. Call it first, while the
/// process has one thread; an error means it is in a namespace without a
/// working loopback, and must stop.
pub(crate) fn isolate(config: &PacketsConfig) -> Result<Isolation> {
    if !config.wanted() {
        return Ok(Isolation::NotAsked);
    }
    // Root, or a binary given CAP_NET_RAW, captures here as it is.
    let probe = Interface::loopback().and_then(|lo| {
        Capture::open(&CaptureOptions { interface: lo.name, ports: vec![9], snaplen: HEADERS_ONLY })
    });
    match probe {
        Ok(_) => return Ok(Isolation::Host),
        Err(CaptureError::NotPermitted) => {}
        Err(other) => return Ok(Isolation::Refused(other.message())),
    }
    match capture::enter_private_netns() {
        Ok(()) => Ok(Isolation::Private),
        #[cfg(target_os = "linux")]
        Err(e @ capture::NetnsError::LoopbackDown(_)) => Err(e.into()),
        Err(e) => Ok(Isolation::Refused(e.message())),
    }
}

/// The demo's captures: one at a time, all to the same pcap file.
pub(crate) struct DemoWire<'a> {
    show: bool,
    pcap: Option<PcapFile>,
    board: &'a Board,
}

impl DemoWire<'_> {
    /// `None` when no packets are wanted or none can be captured.
    pub(crate) fn new<'a>(
        config: &PacketsConfig,
        isolation: &Isolation,
        board: &'a Board,
    ) -> Result<Option<DemoWire<'a>>> {
        if !matches!(isolation, Isolation::Host | Isolation::Private) {
            return Ok(None);
        }
        let pcap = config.pcap.as_deref().map(|path| PcapFile::create(path, &board.main())).transpose()?;
        Ok(Some(DemoWire { show: config.show, pcap, board }))
    }

    /// Starts watching the packets to and from `server`: shown on `part`'s
    /// wire end (parts 1 and 2, with --packets), or kept (part 3).
    pub(crate) fn watch(&self, server: SocketAddr, part: Option<&'static str>) -> Result<Watching> {
        let record = Recorded::default();
        let show = part.filter(|_| self.show).map(|part| self.board.wire(part));
        let sinks = Sinks { show, record: Some(record.clone()), pcap: self.pcap.clone() };
        let mut packets = Packets::with_sinks(&self.board.main(), sinks);
        packets.serve(server)?;
        Ok(Watching { packets, record })
    }

    /// Writes out the pcap file.
    pub(crate) fn finish(&self) -> Result<()> {
        match &self.pcap {
            Some(pcap) => pcap.finish(),
            None => Ok(()),
        }
    }
}

/// A capture under way for one part or experiment.
pub(crate) struct Watching {
    packets: Packets,
    record: Recorded,
}

impl Watching {
    /// Stops (after a last look for packets on their way) and returns what
    /// was seen.
    pub(crate) fn finish(self) -> Result<Vec<PacketEvent>> {
        self.packets.finish()?;
        Ok(std::mem::take(&mut *self.record.locked()))
    }
}

/// What the wire showed of one experiment: the client's data, and what
/// answered it when something refused.
pub(crate) fn on_wire(packets: &[PacketEvent]) -> OnWire {
    let from_client = |p: &&PacketEvent| p.sender == Some(Role::Client);
    let data =
        packets.iter().filter(from_client).filter(|p| p.packet.length > 0).map(|p| p.packet.length).collect();
    let answer = packets
        .iter()
        .filter(|p| p.sender == Some(Role::Server))
        .find(|p| {
            matches!(
                p.packet.kind(),
                PacketKind::Rst | PacketKind::IcmpPortUnreachable | PacketKind::Icmpv6PortUnreachable
            )
        })
        .map(|p| crate::event::packet::arrow_label(&p.packet));
    OnWire { packets: packets.len() as u64, data, answer }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::capture::{Direction, parse};
    use crate::model::packet::samples::{icmp4_port_unreachable, tcp4, udp4};

    fn event(bytes: &[u8], sender: Role) -> PacketEvent {
        PacketEvent { packet: parse(bytes, Instant::now(), Direction::Out).unwrap(), sender: Some(sender) }
    }

    #[test]
    fn the_wire_evidence_of_an_experiment() {
        let refused = [
            event(&tcp4(40000, 9, 0x02, 1, 0, &[]), Role::Client),
            event(&tcp4(9, 40000, 0x14, 0, 2, &[]), Role::Server),
        ];
        let seen = on_wire(&refused);
        assert_eq!((seen.packets, seen.data.len(), seen.answer.as_deref()), (2, 0, Some("RST,ACK")));
        let datagram = udp4(40000, 9, b"hello");
        let silent =
            [event(&datagram, Role::Client), event(&icmp4_port_unreachable(&datagram), Role::Server)];
        let seen = on_wire(&silent);
        assert_eq!(seen.data, [5]);
        assert_eq!(seen.answer.as_deref(), Some("ICMP port unreachable"));
    }
}
