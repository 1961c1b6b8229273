//! `--packets` and `--pcap` for one run: a thread that reads the run's
//! packets off the wire ([`crate::capture`]), keeps those between the run's
//! own ends, and hands each on: to the report at the kernel's time (through
//! a watermark, so a packet lands between the socket steps in the order
//! things happened), to a pcap file, and for the demo's table to a list.
//!
//! Runners hold a [`Packets`]: inert (no socket, no thread, no cost) unless
//! the run asked for packets. A server starts it once bound; a client just
//! before connect(), or before its first datagram. Without CAP_NET_RAW, or
//! off Linux, it says so in one line and the run goes on without it.

mod pcap;
mod scope;
mod tcp_info;
mod wire;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;

pub(crate) use self::pcap::{PcapFailed, PcapFile};
pub(crate) use self::scope::{Recorded, Sinks};
use self::scope::{Scope, Shared};
pub(crate) use self::tcp_info::LastTcpInfo;
use self::wire::{Start, Wire};
use crate::capture::{CaptureError, CaptureOptions, HEADERS_ONLY, Interface, WHOLE_PACKETS};
use crate::config::PacketsConfig;
use crate::event::Event;
use crate::sink::{OutputError, Report};

/// The capture of a run: inert unless the run asked for packets; started
/// when the run knows where its packets will go (see the module comment).
pub(crate) struct Packets {
    report: Report,
    pcap: Option<PcapFile>,
    /// Shown through this report (the run's own, or the demo's wire end).
    show: Option<Report>,
    record: Option<Recorded>,
    /// The pcap file is this capture's own to finish (not the demo's,
    /// shared by its parts).
    owns_pcap: bool,
    wire: Option<Wire>,
    /// The capture could not start: said once, not tried again.
    failed: bool,
}

impl Packets {
    /// A run's capture; creates the pcap file now, so that a bad path ends
    /// the run before anything happens.
    pub(crate) fn new(config: &PacketsConfig, report: &Report) -> Result<Packets> {
        let pcap = config.pcap.as_deref().map(|path| PcapFile::create(path, report)).transpose()?;
        let show = config.show.then(|| report.clone());
        let mut packets = Packets::with_sinks(report, Sinks { show, record: None, pcap });
        packets.owns_pcap = true;
        Ok(packets)
    }

    /// Runs a client's exchange with the run's capture around it: the
    /// capture (and its pcap file) made first, its last packets read once
    /// the exchange has closed its socket. The exchange's error comes first.
    /// `tcp connect` and `udp send` share this frame; their exchanges, a
    /// stream and datagrams, have little else in common.
    pub(crate) fn around<T>(
        config: &PacketsConfig,
        report: &Report,
        exchange: impl FnOnce(&mut Packets) -> Result<T>,
    ) -> Result<T> {
        let mut packets = Packets::new(config, report)?;
        let result = exchange(&mut packets);
        let finished = packets.finish();
        result.and_then(|value| finished.map(|()| value))
    }

    /// A capture that sends its packets to `sinks` (the demo's parts and
    /// experiments); problems are told through `report`.
    pub(crate) fn with_sinks(report: &Report, sinks: Sinks) -> Packets {
        Packets {
            report: report.clone(),
            owns_pcap: false,
            pcap: sinks.pcap,
            show: sinks.show,
            record: sinks.record,
            wire: None,
            failed: false,
        }
    }

    fn active(&self) -> bool {
        self.show.is_some() || self.pcap.is_some() || self.record.is_some()
    }

    /// A server bound to `local`: its packets, with any client. A server
    /// on every address is watched on loopback only, and says so.
    pub(crate) fn serve(&mut self, local: SocketAddr) -> Result<(), OutputError> {
        if !self.active() || self.wire.is_some() || self.failed {
            return Ok(());
        }
        let interface = if local.ip().is_unspecified() || local.ip().is_loopback() {
            Interface::loopback()
        } else {
            // The interface that holds the address (a documentation-only
            // address as the peer: nothing is sent to it).
            Interface::for_addresses(local.ip(), IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)))
        };
        if local.ip().is_unspecified() && interface.as_ref().is_ok_and(|i| i.loopback) {
            let name = interface.as_ref().map(|i| i.name.as_str()).unwrap_or("lo");
            let message = crate::msg!("notice-packets-loopback-only", interface = name);
            self.report.emit(Event::Notice { conn: None, message })?;
        }
        let scope = Scope { servers: vec![local], ..Scope::default() };
        self.start(interface, local.port(), scope)
    }

    /// A client is about to connect or send to `peer`, from `bind` if it
    /// bound an address: starts the capture on the interface that traffic
    /// takes. With `hold`, packets wait (briefly) until [`Packets::client`]
    /// names the client's own address, so that only its own connection is
    /// shown, not another one to the same server.
    pub(crate) fn before_connect(
        &mut self,
        peer: SocketAddr,
        bind: Option<SocketAddr>,
        hold: bool,
    ) -> Result<(), OutputError> {
        if !self.active() || self.failed {
            return Ok(());
        }
        if let Some(wire) = &self.wire {
            // Another address of the same name: same port, one more end.
            wire.shared.set(|scope| {
                if !scope.servers.contains(&peer) {
                    scope.servers.push(peer);
                }
                scope.holding = hold.then(Instant::now);
            });
            return Ok(());
        }
        let local =
            bind.map(|b| b.ip()).filter(|ip| !ip.is_unspecified()).or_else(|| route_source(peer.ip()));
        let interface = Interface::for_addresses(local.unwrap_or(peer.ip()), peer.ip());
        let holding = hold.then(Instant::now);
        self.start(interface, peer.port(), Scope { servers: vec![peer], client: None, holding })
    }

    /// The client's own address, now known: from here on only the packets
    /// between it and the server are the run's.
    pub(crate) fn client(&self, local: SocketAddr) {
        if let Some(wire) = &self.wire {
            wire.shared.set(|scope| {
                scope.client = Some(local);
                scope.holding = None;
            });
        }
    }

    /// The connect attempt is over without a connection: stop holding.
    pub(crate) fn settled(&self) {
        if let Some(wire) = &self.wire {
            wire.shared.set(|scope| scope.holding = None);
        }
    }

    /// A handle another thread can name the client's address through.
    pub(crate) fn handle(&self) -> ClientHandle {
        ClientHandle(self.wire.as_ref().map(|w| w.shared.clone()))
    }

    fn start(
        &mut self,
        interface: Result<Interface, CaptureError>,
        port: u16,
        scope: Scope,
    ) -> Result<(), OutputError> {
        let snaplen = if self.pcap.is_some() { WHOLE_PACKETS } else { HEADERS_ONLY };
        let sinks = Sinks { show: self.show.clone(), record: self.record.clone(), pcap: self.pcap.clone() };
        let started = interface.map_err(Start::Capture).and_then(|interface| {
            let options = CaptureOptions { interface: interface.name, ports: vec![port], snaplen };
            Wire::start(&options, scope, sinks, self.report.clone())
        });
        match started {
            Ok(wire) => self.wire = Some(wire),
            Err(Start::Output(e)) => return Err(e),
            Err(Start::Capture(e)) => {
                // A note, not an error: the run goes on, without packets.
                self.failed = true;
                let message = crate::msg!("capture-skipped", why = e.message());
                self.report.emit(Event::Notice { conn: None, message })?;
            }
        }
        Ok(())
    }

    /// Ends the capture: a last look for packets on their way, a note if
    /// the kernel dropped some, and (for the run's own file) the pcap file
    /// written out. Runs on drop too, without the file's last error.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.stop()?;
        if let Some(pcap) = self.pcap.take()
            && self.owns_pcap
        {
            pcap.finish()?;
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<(), OutputError> {
        let Some(mut wire) = self.wire.take() else { return Ok(()) };
        let outcome = wire.stop();
        if outcome.drops > 0 {
            let message = crate::msg!("notice-capture-drops", n = crate::i18n::Arg::count(outcome.drops));
            self.report.emit(Event::Notice { conn: None, message })?;
        }
        if outcome.unshown > 0 {
            let n = crate::i18n::Arg::count(outcome.unshown);
            let message = match self.pcap.is_some() {
                true => crate::msg!(
                    "notice-capture-unshown-total-pcap",
                    n = n,
                    limit = crate::sink::queue::CAPTURED_LIMIT
                ),
                false => crate::msg!(
                    "notice-capture-unshown-total",
                    n = n,
                    limit = crate::sink::queue::CAPTURED_LIMIT
                ),
            };
            self.report.emit(Event::Notice { conn: None, message })?;
        }
        if let Some(failure) = outcome.failure {
            self.report.emit(Event::Error { conn: None, message: crate::i18n::Msg::text(failure) })?;
        }
        Ok(())
    }
}

impl Drop for Packets {
    fn drop(&mut self) {
        let _ = self.stop();
        if let Some(pcap) = self.pcap.take()
            && self.owns_pcap
        {
            let _ = pcap.finish();
        }
    }
}

/// Names a client's address from another thread (see [`Packets::client`]).
#[derive(Clone)]
pub(crate) struct ClientHandle(Option<Arc<Shared>>);

impl ClientHandle {
    pub(crate) fn client(&self, local: SocketAddr) {
        if let Some(shared) = &self.0 {
            shared.set(|scope| {
                scope.client = Some(local);
                scope.holding = None;
            });
        }
    }
}

/// The source address the kernel would use to reach `peer`: a UDP socket
/// connected to it says, and sends nothing.
fn route_source(peer: IpAddr) -> Option<IpAddr> {
    let any = match peer {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    let socket = UdpSocket::bind((any, 0)).ok()?;
    socket.connect((peer, 9)).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_asked_nothing_started() {
        let config = PacketsConfig::default();
        let mut packets = Packets::new(&config, &Report::discard()).unwrap();
        packets.serve("127.0.0.1:9".parse().unwrap()).unwrap();
        assert!(packets.wire.is_none() && !packets.failed);
        packets.finish().unwrap();
    }

    #[test]
    fn the_route_to_loopback_starts_on_loopback() {
        assert_eq!(route_source("127.0.0.1".parse().unwrap()), Some("127.0.0.1".parse().unwrap()));
    }
}
