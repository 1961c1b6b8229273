//! Which packets are the run's and which end sent each ([`Scope`]),
//! where they go ([`Sinks`]), and what the capture thread and its owner
//! share while the run learns its ends ([`Shared`]).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::pcap::PcapFile;
use crate::capture::Packet;
use crate::event::Role;
use crate::event::packet::PacketEvent;
use crate::model::{Locked, Waits};
use crate::sink::Report;

/// The longest a connecting client's packets wait for it to learn its own
/// address (connect() on loopback takes tens of microseconds).
const HOLD_LIMIT: Duration = Duration::from_millis(100);

/// Packets kept for the demo's table.
pub(crate) type Recorded = Arc<Mutex<Vec<PacketEvent>>>;

/// Where a capture's packets go.
#[derive(Clone, Default)]
pub(crate) struct Sinks {
    /// Shown, in the order of events, through this report.
    pub(crate) show: Option<Report>,
    /// Kept in this list.
    pub(crate) record: Option<Recorded>,
    pub(crate) pcap: Option<PcapFile>,
}

/// Which packets are this run's, and which end sent each.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    /// A packet to or from one of these is the run's (an unspecified
    /// address matches its port on any address).
    pub(super) servers: Vec<SocketAddr>,
    /// Once known, the client end: only packets between it and a server.
    pub(super) client: Option<SocketAddr>,
    /// A client is connecting: its packets wait until it knows its address.
    pub(super) holding: Option<Instant>,
}

fn same_end(end: SocketAddr, addr: SocketAddr) -> bool {
    end.port() == addr.port()
        && (end.ip().is_unspecified() || end.ip().to_canonical() == addr.ip().to_canonical())
}

impl Scope {
    /// The end that sent `packet`, or `None` when it is not between this
    /// run's ends. An ICMP error is sent by the host its datagram went to.
    pub(super) fn sender(&self, packet: &Packet) -> Option<Role> {
        let (from, to) = match packet.icmp.as_ref().and_then(|i| i.quoted) {
            Some(q) => (q.to, q.from),
            None => (packet.from, packet.to),
        };
        let server = |a: SocketAddr| self.servers.iter().any(|&s| same_end(s, a));
        let client = |a: SocketAddr| self.client.is_none_or(|c| same_end(c, a));
        if server(from) && client(to) {
            Some(Role::Server)
        } else if server(to) && client(from) {
            Some(Role::Client)
        } else {
            None
        }
    }
}

/// What the capture thread and its owner share.
#[derive(Default)]
pub(super) struct Shared {
    pub(super) scope: Mutex<Scope>,
    pub(super) changed: Condvar,
    pub(super) stop: AtomicBool,
}

impl Shared {
    pub(super) fn set(&self, change: impl FnOnce(&mut Scope)) {
        change(&mut self.scope.locked());
        self.changed.notify_all();
    }

    /// Sleeps `how_long`, or less if told to stop.
    pub(super) fn pause(&self, how_long: Duration) {
        let scope = self.scope.locked();
        if !self.stop.load(Ordering::SeqCst) {
            let _ = self.changed.wait_timeout(scope, how_long);
        }
    }

    /// Waits while a client is connecting (at most [`HOLD_LIMIT`]).
    pub(super) fn wait_while_holding(&self) {
        let mut scope = self.scope.locked();
        while let Some(since) = scope.holding {
            let left = HOLD_LIMIT.saturating_sub(since.elapsed());
            if left.is_zero() || self.stop.load(Ordering::SeqCst) {
                scope.holding = None;
                break;
            }
            scope = self.changed.waited_for(scope, left).0;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::capture::{Direction, parse};
    use crate::model::packet::samples::{icmp4_port_unreachable, tcp4, udp4};

    fn parsed(bytes: &[u8]) -> Packet {
        parse(bytes, Instant::now(), Direction::Out).unwrap()
    }

    #[test]
    fn the_scope_keeps_the_runs_own_packets_and_names_their_sender() {
        let server: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        let mut scope = Scope { servers: vec![server], ..Scope::default() };
        let syn = parsed(&tcp4(40000, 9000, 0x02, 1, 0, &[]));
        let synack = parsed(&tcp4(9000, 40000, 0x12, 1, 2, &[]));
        let other = parsed(&tcp4(40000, 9001, 0x02, 1, 0, &[]));
        assert_eq!(scope.sender(&syn), Some(Role::Client));
        assert_eq!(scope.sender(&synack), Some(Role::Server));
        assert_eq!(scope.sender(&other), None);
        // Once the client is known, another client of the server is not ours.
        scope.client = Some("127.0.0.1:40001".parse().unwrap());
        assert_eq!(scope.sender(&syn), None);
        // A server on every address matches its port on any.
        let any = Scope { servers: vec!["[::]:9000".parse().unwrap()], ..Scope::default() };
        assert_eq!(any.sender(&syn), Some(Role::Client));
    }

    #[test]
    fn an_icmp_error_is_sent_by_the_host_of_the_closed_port() {
        // udp4 goes from 127.0.0.1:40000 to 127.0.0.2:9.
        let icmp = parsed(&icmp4_port_unreachable(&udp4(40000, 9, b"hi")));
        let scope = Scope { servers: vec!["127.0.0.2:9".parse().unwrap()], ..Scope::default() };
        assert_eq!(scope.sender(&icmp), Some(Role::Server));
        let datagram = parsed(&udp4(40000, 9, b"hi"));
        assert_eq!(scope.sender(&datagram), Some(Role::Client));
    }
}
