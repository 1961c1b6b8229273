//! Relative sequence numbers and scaled windows, as Wireshark shows them: a
//! small tracker that remembers, for each TCP connection seen, each side's
//! initial sequence number and window scale.
//!
//! - Initial number: from the side's SYN; without one (the capture started
//!   mid-connection), the first segment seen from that side counts as 0.
//! - Acknowledgement numbers are relative to the *other* side's initial
//!   number, so the ACK of a SYN is `ack 1`. Until that side has been seen,
//!   the relative ack is unknown (`None`).
//! - Window: the scale comes from the SYN options (RFC 7323) and applies only
//!   when both SYNs carried one; without both SYNs the scale is unknown and
//!   `window_bytes` stays `None` (show the raw field and say so).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use super::packet::{Packet, Relative, TcpFlags};

/// How many connections are remembered; the oldest is forgotten first.
const DEFAULT_CAPACITY: usize = 4096;

#[derive(Debug, Default, Clone, Copy)]
struct Side {
    /// The initial sequence number (or first seen).
    base: Option<u32>,
    /// What this side's SYN said about window scaling: `None` before its SYN
    /// was seen, `Some(None)` for a SYN without the option.
    syn_scale: Option<Option<u8>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Flow {
    /// Index 0: the side with the smaller address.
    sides: [Side; 2],
}

/// Remembers each connection's initial numbers; see the module comment.
#[derive(Debug)]
pub struct Flows {
    flows: HashMap<(SocketAddr, SocketAddr), Flow>,
    order: VecDeque<(SocketAddr, SocketAddr)>,
    capacity: usize,
}

impl Default for Flows {
    fn default() -> Self {
        Flows::new()
    }
}

impl Flows {
    pub fn new() -> Flows {
        Flows::with_capacity(DEFAULT_CAPACITY)
    }

    /// A tracker that remembers at most `capacity` connections.
    pub(crate) fn with_capacity(capacity: usize) -> Flows {
        Flows { flows: HashMap::new(), order: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Fills `packet.tcp`'s `relative` and `window_bytes` (TCP packets only;
    /// others are left as they are). Call it on packets in capture order.
    pub fn annotate(&mut self, packet: &mut Packet) {
        let Some(tcp) = packet.tcp.as_mut() else { return };
        let (key, me) = if packet.from <= packet.to {
            ((packet.from, packet.to), 0)
        } else {
            ((packet.to, packet.from), 1)
        };
        let syn = tcp.has(TcpFlags::SYN);
        let flow = match self.flows.get_mut(&key) {
            Some(flow) => {
                // A SYN without ACK opens a new connection on the same
                // ports (after TIME_WAIT, or a retry): start again.
                if syn && !tcp.has(TcpFlags::ACK) {
                    *flow = Flow::default();
                }
                flow
            }
            None => {
                if self.order.len() >= self.capacity
                    && let Some(old) = self.order.pop_front()
                {
                    self.flows.remove(&old);
                }
                self.order.push_back(key);
                self.flows.entry(key).or_default()
            }
        };
        let side = &mut flow.sides[me];
        if syn {
            side.base = Some(tcp.seq);
            side.syn_scale = Some(tcp.options.window_scale);
        } else if side.base.is_none() {
            side.base = Some(tcp.seq);
        }
        let mine = flow.sides[me];
        let theirs = flow.sides[1 - me];
        let seq = tcp.seq.wrapping_sub(mine.base.unwrap_or(tcp.seq));
        let ack = match (tcp.has(TcpFlags::ACK), theirs.base) {
            (true, Some(base)) => Some(tcp.ack.wrapping_sub(base)),
            _ => None,
        };
        tcp.relative = Some(Relative { seq, ack });
        tcp.window_bytes = if syn || tcp.window == 0 {
            // RFC 7323: the window of a SYN is never scaled; and 0 is 0
            // whatever the scale.
            Some(u32::from(tcp.window))
        } else {
            match (mine.syn_scale, theirs.syn_scale) {
                (Some(Some(shift)), Some(Some(_))) => Some(u32::from(tcp.window) << shift.min(14)),
                (Some(_), Some(_)) => Some(u32::from(tcp.window)),
                _ => None,
            }
        };
    }

    /// How many connections are remembered now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.flows.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use etherparse::TcpOptionElement::{MaximumSegmentSize, WindowScale};

    use super::*;
    use crate::model::packet::samples::{tcp4, tcp4_with};
    use crate::model::packet::{Direction, parse};

    fn annotated(flows: &mut Flows, bytes: &[u8]) -> (u32, Option<u32>, Option<u32>) {
        let mut p = parse(bytes, Instant::now(), Direction::Out).unwrap();
        flows.annotate(&mut p);
        let tcp = p.tcp.unwrap();
        let rel = tcp.relative.unwrap();
        (rel.seq, rel.ack, tcp.window_bytes)
    }

    #[test]
    fn a_handshake_and_data_in_relative_numbers_with_scaled_windows() {
        let mut f = Flows::new();
        let (c, s) = (40000, 9000);
        let syn = tcp4_with(c, s, 0x02, 1000, 0, 65495, &[MaximumSegmentSize(65495), WindowScale(7)], &[]);
        let synack =
            tcp4_with(s, c, 0x12, 5000, 1001, 65483, &[MaximumSegmentSize(65495), WindowScale(10)], &[]);
        assert_eq!(annotated(&mut f, &syn), (0, None, Some(65495)));
        assert_eq!(annotated(&mut f, &synack), (0, Some(1), Some(65483)));
        // The client's windows scale by its own shift (7), the server's by 10.
        let ack = tcp4_with(c, s, 0x10, 1001, 5001, 512, &[], &[]);
        assert_eq!(annotated(&mut f, &ack), (1, Some(1), Some(512 << 7)));
        let data = tcp4_with(c, s, 0x18, 1001, 5001, 512, &[], b"hello");
        assert_eq!(annotated(&mut f, &data), (1, Some(1), Some(512 << 7)));
        let reply = tcp4_with(s, c, 0x10, 5001, 1006, 64, &[], &[]);
        assert_eq!(annotated(&mut f, &reply), (1, Some(6), Some(64 << 10)));
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn without_both_window_scales_windows_are_bytes_and_without_syns_unknown() {
        let mut f = Flows::new();
        let syn = tcp4_with(1, 2, 0x02, 10, 0, 100, &[WindowScale(7)], &[]);
        let synack = tcp4_with(2, 1, 0x12, 20, 11, 100, &[], &[]);
        annotated(&mut f, &syn);
        annotated(&mut f, &synack);
        assert_eq!(annotated(&mut f, &tcp4_with(1, 2, 0x10, 11, 21, 300, &[], &[])).2, Some(300));

        // A connection seen from its middle: first segment counts as 0, the
        // ack stays unknown until the other side shows up; windows unknown.
        let mut f = Flows::new();
        assert_eq!(annotated(&mut f, &tcp4(3, 4, 0x18, 777, 999, b"x")), (0, None, None));
        assert_eq!(annotated(&mut f, &tcp4(4, 3, 0x10, 999, 778, &[])), (0, Some(1), None));
    }

    #[test]
    fn a_refused_connect_rst_answers_with_ack_1() {
        let mut f = Flows::new();
        annotated(&mut f, &tcp4(40000, 9, 0x02, 4_000_000_000, 0, &[]));
        // Linux's RST to a SYN: seq 0, ack = the SYN's seq + 1.
        // No SYN from the refusing side, so its window scale is unknown...
        assert_eq!(annotated(&mut f, &tcp4(9, 40000, 0x14, 0, 4_000_000_001, &[])), (0, Some(1), None));
        // ...but a zero window is zero bytes whatever the scale.
        let rst = tcp4_with(9, 40000, 0x14, 0, 4_000_000_001, 0, &[], &[]);
        assert_eq!(annotated(&mut f, &rst), (0, Some(1), Some(0)));
    }

    #[test]
    fn numbers_wrap_around_and_a_new_syn_starts_again() {
        let mut f = Flows::new();
        annotated(&mut f, &tcp4(1, 2, 0x02, u32::MAX, 0, &[]));
        assert_eq!(annotated(&mut f, &tcp4(1, 2, 0x18, 0, 0, b"a")).0, 1);
        annotated(&mut f, &tcp4(1, 2, 0x02, 500, 0, &[]));
        assert_eq!(annotated(&mut f, &tcp4(1, 2, 0x18, 501, 0, b"a")).0, 1);
    }

    #[test]
    fn the_oldest_connection_is_forgotten_first() {
        let mut f = Flows::with_capacity(2);
        for port in 1..=3 {
            annotated(&mut f, &tcp4(port, 100, 0x02, 0, 0, &[]));
        }
        assert_eq!(f.len(), 2);
    }
}
