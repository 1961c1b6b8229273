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

use std::fs::File;
use std::io::BufWriter;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::capture::{
    Capture, CaptureError, CaptureOptions, Captured, Flows, HEADERS_ONLY, Interface, Packet, Pcap, PcapError,
    QUEUE_MARGIN, TcpInfo, WHOLE_PACKETS,
};
use crate::clock::Stamp;
use crate::event::packet::PacketEvent;
use crate::event::{Event, Role};
use crate::report::{OutputError, Report, Watermark};

/// What a run captures, from `--packets` and `--pcap`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PacketsConfig {
    /// Show each packet: a ladder line, or a JSON `packet` event.
    pub show: bool,
    /// Write the packets, whole, to this pcap file.
    pub pcap: Option<PathBuf>,
    /// Read TCP_INFO when a TCP connection closes (with --packets,
    /// --explain or --json: a sock_diag query, 12 µs).
    pub tcp_info: bool,
}

impl PacketsConfig {
    /// True when a capture is wanted at all.
    pub fn wanted(&self) -> bool {
        self.show || self.pcap.is_some()
    }
}

/// How long the capture thread sleeps between two reads of its queue when
/// the last read found nothing, and when it found packets. It sleeps rather
/// than waiting in recv(): a thread waiting on the packet socket is woken by
/// every packet, and on a bulk transfer those wake-ups cost the sender more
/// than the capture itself (docs/benchmarks.md). Events stamped after the
/// watermark wait for it, so this is also the most a step waits to be shown.
const IDLE: Duration = Duration::from_millis(5);
const BUSY: Duration = Duration::from_millis(1);
/// After the stop, how long packets still on their way (the last ACK, the
/// FIN of close()) get before the last read.
const GRACE: Duration = Duration::from_millis(10);
/// The longest a connecting client's packets wait for it to learn its own
/// address (connect() on loopback takes tens of microseconds).
const HOLD_LIMIT: Duration = Duration::from_millis(100);

/// A pcap file that the captures of one run write to in turn (the demo
/// runs one capture per part).
#[derive(Clone)]
pub struct PcapFile(Arc<Mutex<Option<Pcap<BufWriter<File>>>>>);

impl PcapFile {
    /// Creates (or truncates) `path` and writes the pcap header.
    pub fn create(path: &Path) -> Result<PcapFile> {
        let pcap = Pcap::create(path, WHOLE_PACKETS).map_err(|e| match e {
            PcapError::Create { source, .. } => {
                anyhow::anyhow!("--pcap {}: {}", path.display(), crate::net::describe(&source))
            }
            other => anyhow::anyhow!("--pcap {}: {other}", path.display()),
        })?;
        Ok(PcapFile(Arc::new(Mutex::new(Some(pcap)))))
    }

    fn write(&self, captured: &Captured) -> Result<(), String> {
        match lock(&self.0).as_mut() {
            Some(pcap) => pcap.write(&captured.frame).map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    /// Writes out what is buffered; later writes are ignored.
    pub fn finish(&self) -> Result<()> {
        if let Some(pcap) = lock(&self.0).take() {
            pcap.finish()?;
        }
        Ok(())
    }
}

/// Packets kept for the demo's table.
pub type Recorded = Arc<Mutex<Vec<PacketEvent>>>;

/// Where a capture's packets go.
#[derive(Clone, Default)]
pub struct Sinks {
    /// Shown, in the order of events, through this report.
    pub show: Option<Report>,
    /// Kept in this list.
    pub record: Option<Recorded>,
    pub pcap: Option<PcapFile>,
}

/// Which packets are this run's, and which end sent each.
#[derive(Debug, Clone, Default)]
struct Scope {
    /// A packet to or from one of these is the run's (an unspecified
    /// address matches its port on any address).
    servers: Vec<SocketAddr>,
    /// Once known, the client end: only packets between it and a server.
    client: Option<SocketAddr>,
    /// A client is connecting: its packets wait until it knows its address.
    holding: Option<Instant>,
}

fn same_end(end: SocketAddr, addr: SocketAddr) -> bool {
    end.port() == addr.port()
        && (end.ip().is_unspecified() || end.ip().to_canonical() == addr.ip().to_canonical())
}

impl Scope {
    /// The end that sent `packet`, or `None` when it is not between this
    /// run's ends. An ICMP error is sent by the host its datagram went to.
    fn sender(&self, packet: &Packet) -> Option<Role> {
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
struct Shared {
    scope: Mutex<Scope>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn set(&self, change: impl FnOnce(&mut Scope)) {
        change(&mut lock(&self.scope));
        self.changed.notify_all();
    }

    /// Sleeps `how_long`, or less if told to stop.
    fn pause(&self, how_long: Duration) {
        let scope = lock(&self.scope);
        if !self.stop.load(Ordering::SeqCst) {
            let _ = self.changed.wait_timeout(scope, how_long);
        }
    }

    /// Waits while a client is connecting (at most [`HOLD_LIMIT`]).
    fn wait_while_holding(&self) {
        let mut scope = lock(&self.scope);
        while let Some(since) = scope.holding {
            let left = HOLD_LIMIT.saturating_sub(since.elapsed());
            if left.is_zero() || self.stop.load(Ordering::SeqCst) {
                scope.holding = None;
                break;
            }
            scope = self.changed.wait_timeout(scope, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// How a capture thread ended.
#[derive(Default)]
struct Outcome {
    /// Packets the kernel dropped (its queue for the capture was full).
    drops: u32,
    /// Why it stopped early, if it did.
    failure: Option<String>,
}

/// A running capture: one thread, one packet socket.
struct Wire {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<Outcome>>,
}

impl Wire {
    fn start(options: &CaptureOptions, scope: Scope, sinks: Sinks) -> Result<Wire, Start> {
        let capture = Capture::open(options).map_err(Start::Capture)?;
        // The mark starts now: whatever the run does next may be preceded
        // by packets, so it waits for them.
        let mark = match &sinks.show {
            Some(report) => Some(report.watermark().map_err(Start::Output)?),
            None => None,
        };
        let shared = Arc::new(Shared { scope: Mutex::new(scope), ..Shared::default() });
        let inner = shared.clone();
        let thread = thread::Builder::new()
            .name("packets".into())
            .spawn(move || capture_loop(capture, &inner, mark, &sinks))
            .map_err(|e| {
                Start::Capture(CaptureError::Io { interface: "?".into(), op: "thread", source: e })
            })?;
        Ok(Wire { shared, thread: Some(thread) })
    }

    /// Stops after a last look for packets still on their way; returns how
    /// the thread ended.
    fn stop(&mut self) -> Outcome {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(outcome)) => outcome,
            Some(Err(_)) => {
                Outcome { failure: Some("the capture thread panicked".into()), ..Outcome::default() }
            }
            None => Outcome::default(),
        }
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.stop();
    }
}

enum Start {
    Capture(CaptureError),
    Output(OutputError),
}

/// The capture thread: reads, keeps the run's packets, hands them on, and
/// moves the watermark to the time before which it has read everything.
fn capture_loop(
    mut capture: Capture,
    shared: &Shared,
    mut mark: Option<Watermark>,
    sinks: &Sinks,
) -> Outcome {
    let mut flows = Flows::new();
    let mut batch: Vec<Captured> = Vec::new();
    let failure = loop {
        shared.wait_while_holding();
        let stopping = shared.stop.load(Ordering::SeqCst);
        if stopping {
            // A packet sent as the run ended is read too.
            thread::sleep(GRACE);
        }
        let seen = match capture.drain(&mut batch) {
            Ok(seen) => seen,
            Err(e) => break Some(e.to_string()),
        };
        let found = !batch.is_empty();
        let scope = lock(&shared.scope).clone();
        if let Err(e) = hand_on(&mut batch, &scope, &mut flows, mark.as_ref(), sinks) {
            break e;
        }
        if let Some(mark) = &mut mark {
            mark.advance(Stamp::of(seen.checked_sub(QUEUE_MARGIN).unwrap_or(seen)));
        }
        if stopping {
            break None;
        }
        shared.pause(if found { BUSY } else { IDLE });
    };
    Outcome { drops: capture.drops(), failure }
}

/// Hands the packets of `batch` that are the run's to the sinks. An error
/// that ends the capture: `Some(text)` to say, `None` when output is gone.
fn hand_on(
    batch: &mut Vec<Captured>,
    scope: &Scope,
    flows: &mut Flows,
    mark: Option<&Watermark>,
    sinks: &Sinks,
) -> Result<(), Option<String>> {
    let mut shown = Vec::new();
    for mut captured in batch.drain(..) {
        flows.annotate(&mut captured.packet);
        let Some(sender) = scope.sender(&captured.packet) else { continue };
        if let Some(pcap) = &sinks.pcap {
            pcap.write(&captured).map_err(Some)?;
        }
        let event = PacketEvent { packet: captured.packet, sender: Some(sender) };
        if let Some(record) = &sinks.record {
            lock(record).push(event.clone());
        }
        if mark.is_some() {
            shown.push((Stamp::of(event.packet.time), Event::Packet(event)));
        }
    }
    match mark {
        Some(mark) if !shown.is_empty() => mark.emit_all(shown).map_err(|_| None),
        _ => Ok(()),
    }
}

/// The capture of a run: inert unless the run asked for packets; started
/// when the run knows where its packets will go (see the module comment).
pub struct Packets {
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
    pub fn new(config: &PacketsConfig, report: &Report) -> Result<Packets> {
        let pcap = config.pcap.as_deref().map(PcapFile::create).transpose()?;
        let show = config.show.then(|| report.clone());
        let mut packets = Packets::with_sinks(report, Sinks { show, record: None, pcap });
        packets.owns_pcap = true;
        Ok(packets)
    }

    /// A capture that sends its packets to `sinks` (the demo's parts and
    /// experiments); problems are told through `report`.
    pub fn with_sinks(report: &Report, sinks: Sinks) -> Packets {
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
    pub fn serve(&mut self, local: SocketAddr) -> Result<(), OutputError> {
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
    pub fn before_connect(
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
    pub fn client(&self, local: SocketAddr) {
        if let Some(wire) = &self.wire {
            wire.shared.set(|scope| {
                scope.client = Some(local);
                scope.holding = None;
            });
        }
    }

    /// The connect attempt is over without a connection: stop holding.
    pub fn settled(&self) {
        if let Some(wire) = &self.wire {
            wire.shared.set(|scope| scope.holding = None);
        }
    }

    /// A handle another thread can name the client's address through.
    pub fn handle(&self) -> ClientHandle {
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
            Wire::start(&options, scope, sinks)
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
    pub fn finish(mut self) -> Result<()> {
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
            let message = crate::msg!("notice-capture-drops", n = outcome.drops);
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
pub struct ClientHandle(Option<Arc<Shared>>);

impl ClientHandle {
    pub fn client(&self, local: SocketAddr) {
        if let Some(shared) = &self.0 {
            shared.set(|scope| {
                scope.client = Some(local);
                scope.holding = None;
            });
        }
    }
}

/// The latest TCP_INFO of one connection. sock_diag, which reads it, finds
/// a socket only while the kernel lists it: once both FINs are through (the
/// side that closed first moves to TIME_WAIT, the other to CLOSE), it is
/// gone, often before the program's own close(). So it is read at each
/// step that may be the last one the kernel sees listed (a shutdown, an
/// EOF, the close), and after data at most every [`DATA_READS`]; the last
/// answer is the one kept, and its `state` says when that was. A read is a
/// sock_diag query (12 µs); it is made only when asked for (`--packets`,
/// `--explain`, `--json`).
#[derive(Debug, Default)]
pub struct LastTcpInfo {
    enabled: bool,
    /// The last values read, when, and whether a later forced read found
    /// the socket gone (then they are given with the time they were read).
    last: Mutex<(Option<TcpInfo>, Option<Instant>)>,
    stale: std::sync::atomic::AtomicBool,
}

/// The least time between two reads after data: a bulk transfer's sends
/// would otherwise each cost a query.
pub const DATA_READS: Duration = Duration::from_millis(10);

impl LastTcpInfo {
    pub fn new(enabled: bool) -> LastTcpInfo {
        LastTcpInfo { enabled, last: Mutex::new((None, None)), stale: Default::default() }
    }

    /// Reads the socket's TCP_INFO now, if the kernel still lists it.
    pub fn read<S: SocketFd>(&self, socket: &S) {
        self.read_if(socket, true);
    }

    /// After data: reads it unless it was read less than [`DATA_READS`] ago.
    pub fn read_after_data<S: SocketFd>(&self, socket: &S) {
        self.read_if(socket, false);
    }

    fn read_if<S: SocketFd>(&self, socket: &S, forced: bool) {
        if !self.enabled {
            return;
        }
        let due = forced || lock(&self.last).1.is_none_or(|at| at.elapsed() >= DATA_READS);
        if !due {
            return;
        }
        let read = socket.tcp_info();
        self.stale.store(read.is_none() && forced, std::sync::atomic::Ordering::Relaxed);
        if let Some(info) = read {
            *lock(&self.last) = (Some(info), Some(Instant::now()));
        }
    }

    /// The last TCP_INFO read; when the last forced read found the socket
    /// gone, with the time it was read (`read_us`).
    pub fn get(&self) -> Option<TcpInfo> {
        let (info, at) = *lock(&self.last);
        let stale = self.stale.load(std::sync::atomic::Ordering::Relaxed);
        info.map(|info| match (stale, at) {
            (true, Some(at)) => {
                TcpInfo { read_us: Some(crate::clock::Stamp::of(at).0.as_micros() as u64), ..info }
            }
            _ => info,
        })
    }
}

/// A socket whose TCP_INFO can be read: Linux for now.
pub trait SocketFd {
    fn tcp_info(&self) -> Option<TcpInfo>;
}

#[cfg(target_os = "linux")]
impl<T: std::os::fd::AsFd> SocketFd for T {
    fn tcp_info(&self) -> Option<TcpInfo> {
        crate::capture::tcp_info(self).ok()
    }
}

#[cfg(not(target_os = "linux"))]
impl<T> SocketFd for T {
    fn tcp_info(&self) -> Option<TcpInfo> {
        None
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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::capture::packet::samples::{icmp4_port_unreachable, tcp4, udp4};
    use crate::capture::{Direction, parse};

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
