//! The human reporter's packets (--packets): each as a ladder line between
//! client and server, drawn by report/packets.rs.

use super::*;

impl Human {
    pub(super) fn packet(&mut self, packet: &crate::event::packet::PacketEvent) {
        if matches!(packet.packet.kind(), PacketKind::IcmpPortUnreachable | PacketKind::Icmpv6PortUnreachable)
            && let Some((_, server)) = packet.ends()
        {
            self.udp.refused_at = Some(server);
        }
        // `udp send` cannot know anything listens at its target.
        self.ladder.far_end_by_address = self.proto == Proto::Udp && self.role == Role::Client;
        let width = self.style.width.unwrap_or(packets::WIDTH);
        self.ladder.render(
            self.style.lang,
            packet,
            self.style.color,
            self.style.explain,
            width,
            &mut self.buf,
        )
    }
}
