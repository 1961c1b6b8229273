//! The packets of `--packets` and of the demo's wire: each an arrow
//! between the lifelines of its two ends.

use super::super::session::{Arrow, Detail, Repeat, Row, Tone};
use super::Recorder;
use crate::event::Role;
use crate::event::packet::PacketEvent;
use crate::model::clock::Stamp;
use crate::model::packet::PacketKind;

impl Recorder {
    /// A packet, as an arrow between the lifelines of its two ends. `us`
    /// is the run's own end (none for the demo's wire, where both ends are
    /// ours).
    pub(super) fn packet(&mut self, s: usize, us: Option<usize>, at: Stamp, event: &PacketEvent) {
        let packet = &event.packet;
        let limits = self.session.limits;
        let section = &mut self.session.sections[s];
        let ends = match (us, event.ends(), event.sender) {
            (Some(us), Some((client, server)), Some(sender)) => {
                let role = section.lanes[us].role;
                let peer_addr = if role == Role::Server { client } else { server };
                let peer = section.peer(us, Some(peer_addr), None, &limits);
                Some(if sender == role { (us, peer) } else { (peer, us) })
            }
            (None, Some(_), Some(sender)) => {
                let client = section.lanes.iter().position(|l| l.ours && l.role == Role::Client);
                let server = section.lanes.iter().position(|l| l.ours && l.role == Role::Server);
                client.zip(server).map(|(c, srv)| if sender == Role::Client { (c, srv) } else { (srv, c) })
            }
            _ => section.lane_at(packet.from).zip(section.lane_at(packet.to)),
        };
        let Some((from, to)) = ends.filter(|(a, b)| a != b) else {
            self.session.stray_packets += 1;
            return;
        };
        let kind = packet.kind();
        self.session.sections[s].packets = true;
        let repeat = match kind {
            PacketKind::Data | PacketKind::Ack | PacketKind::Udp => {
                Some((Repeat::Packet(from, to, kind), u64::from(packet.length)))
            }
            _ => None,
        };
        if let Some((key, bytes)) = repeat
            && self.session.fold_into(s, key, bytes, at)
        {
            return;
        }
        let label = crate::report::ladder::arrow_label(packet);
        let mut r = Row::new(at, None, Tone::Packet(kind), String::new());
        r.arrow = Some(Arrow { from, to, label, packet: true });
        r.details.push(Detail::Note(crate::report::ladder::details_text(packet)));
        // Each kind's sentence once a section.
        if self.session.explain && self.state(s, usize::MAX).told.insert(packet_kind_name(kind)) {
            r.details.push(Detail::Sentence(self.t(crate::report::ladder::explain(kind))));
        }
        self.session.push(s, r, repeat);
    }
}

/// A name for each packet kind, to tell its sentence once.
fn packet_kind_name(kind: PacketKind) -> &'static str {
    match kind {
        PacketKind::Syn => "syn",
        PacketKind::SynAck => "syn-ack",
        PacketKind::Ack => "ack",
        PacketKind::Data => "data",
        PacketKind::Fin => "fin",
        PacketKind::Rst => "rst",
        PacketKind::IcmpPortUnreachable => "icmp-port",
        PacketKind::Icmpv6PortUnreachable => "icmpv6-port",
        PacketKind::Icmp => "icmp",
        PacketKind::Udp => "udp",
    }
}
