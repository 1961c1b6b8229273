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
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::capture::{
    Capture, CaptureError, CaptureOp, CaptureOptions, Captured, Flows, HEADERS_ONLY, Interface, Packet, Pcap,
    PcapError, QUEUE_MARGIN, TcpInfo, WHOLE_PACKETS,
};
use crate::config::PacketsConfig;
use crate::event::packet::PacketEvent;
use crate::event::{Event, Role};
use crate::model::Locked;
use crate::model::clock::Stamp;
use crate::sink::{OutputError, Report, Watermark};

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

/// How often, at least, what a capture wrote to its pcap file is written
/// out of the buffer: a capture killed (SIGKILL) leaves every packet older
/// than this in the file, and a full disk is known within this.
pub(crate) const PCAP_FLUSH: Duration = Duration::from_millis(500);

/// A pcap file that the captures of one run write to in turn (the demo
/// runs one capture per part).
#[derive(Clone)]
pub(crate) struct PcapFile(Arc<Mutex<PcapState>>);

struct PcapState {
    pcap: Option<Pcap<BufWriter<File>>>,
    /// The path as given, escaped for messages.
    path: String,
    /// Since when packets wait in the buffer.
    unflushed: Option<Instant>,
    /// A write failed and was said: the file is given up, and the run
    /// ends with a failure.
    failed: bool,
}

/// The pcap file could not be written, and that was said when it happened
/// (an error line): the run ends with exit code 1 and no second line.
#[derive(Debug, thiserror::Error)]
#[error("the pcap file could not be written")]
pub(crate) struct PcapFailed;

impl PcapFile {
    /// Creates (or truncates) `path` and writes the pcap header. A FIFO is
    /// opened for its reader, and when none is there yet, `report` says
    /// that the run waits for one ([`crate::sys::fifo`]).
    pub(crate) fn create(path: &Path, report: &Report) -> Result<PcapFile> {
        let shown = crate::hexdump::shown_os(path.as_os_str());
        let failed = |e: &std::io::Error| {
            crate::msg!("pcap-create-failed", path = shown.as_str(), error = crate::net::describe_msg(e))
        };
        let mut told = Ok(());
        let file = crate::sys::fifo::create(path, || {
            let message = crate::msg!("notice-pcap-fifo-waits", path = shown.as_str());
            told = report.emit(Event::Notice { conn: None, message }).and_then(|()| report.flush());
        })
        .map_err(|e| anyhow::Error::msg(failed(&e)))?;
        told?;
        let pcap = Pcap::to_file(file, WHOLE_PACKETS).map_err(|e| anyhow::Error::msg(failed(e.io())))?;
        let state = PcapState { pcap: Some(pcap), path: shown, unflushed: None, failed: false };
        Ok(PcapFile(Arc::new(Mutex::new(state))))
    }

    /// Writes one packet; the first error gives the file up and comes back
    /// as the line to say (once).
    fn write(&self, captured: &Captured) -> Result<(), crate::i18n::Msg> {
        let mut state = self.0.locked();
        let Some(pcap) = state.pcap.as_mut() else { return Ok(()) };
        let written = pcap.write(&captured.frame);
        state.unflushed.get_or_insert_with(Instant::now);
        state.failing(written)
    }

    /// Writes out what has waited in the buffer for [`PCAP_FLUSH`].
    fn flush_if_due(&self) -> Result<(), crate::i18n::Msg> {
        let mut state = self.0.locked();
        if state.unflushed.is_none_or(|since| since.elapsed() < PCAP_FLUSH) {
            return Ok(());
        }
        state.unflushed = None;
        let flushed = match state.pcap.as_mut() {
            Some(pcap) => pcap.flush(),
            None => Ok(()),
        };
        state.failing(flushed)
    }

    /// Writes out what is buffered; later writes are ignored. A write that
    /// failed before and was said is [`PcapFailed`].
    pub(crate) fn finish(&self) -> Result<()> {
        let mut state = self.0.locked();
        if let Some(pcap) = state.pcap.take() {
            pcap.finish().map_err(|e| {
                anyhow::Error::msg(crate::msg!(
                    "pcap-write-failed-end",
                    path = state.path.as_str(),
                    error = crate::net::describe_msg(e.io())
                ))
            })?;
        }
        if state.failed {
            return Err(PcapFailed.into());
        }
        Ok(())
    }
}

impl PcapState {
    /// After a write or a flush: on its error, gives the file up and gives
    /// back the line to say.
    fn failing(&mut self, result: Result<(), PcapError>) -> Result<(), crate::i18n::Msg> {
        let Err(e) = result else { return Ok(()) };
        self.pcap = None;
        self.failed = true;
        Err(crate::msg!(
            "pcap-write-failed",
            path = self.path.as_str(),
            error = crate::net::describe_msg(e.io())
        ))
    }
}

/// Packets kept for the demo's table.
pub(crate) type Recorded = Arc<Mutex<Vec<PacketEvent>>>;

/// Where a capture's packets go.
#[derive(Clone, Default)]
pub(crate) struct Sinks {
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
        change(&mut self.scope.locked());
        self.changed.notify_all();
    }

    /// Sleeps `how_long`, or less if told to stop.
    fn pause(&self, how_long: Duration) {
        let scope = self.scope.locked();
        if !self.stop.load(Ordering::SeqCst) {
            let _ = self.changed.wait_timeout(scope, how_long);
        }
    }

    /// Waits while a client is connecting (at most [`HOLD_LIMIT`]).
    fn wait_while_holding(&self) {
        let mut scope = self.scope.locked();
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
    /// Packets not shown: more waited to be shown than the queue holds.
    unshown: u64,
    /// Why it stopped early, if it did.
    failure: Option<String>,
}

/// The most packets, and bytes of them, read from the capture socket at
/// once: under a flood the list of them would otherwise grow for as long
/// as it lasts. The kernel's own queue for the capture (32 MiB of kernel
/// memory) holds the rest, and counts what it drops.
const MAX_BATCH: usize = 4096;
const MAX_BATCH_BYTES: usize = 8 << 20;

/// How often the counts of packets dropped or not shown are told while
/// they grow (the totals come at the end).
const NOTE_EVERY: Duration = Duration::from_secs(1);

/// A running capture: one thread, one packet socket.
struct Wire {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<Outcome>>,
}

impl Wire {
    fn start(options: &CaptureOptions, scope: Scope, sinks: Sinks, problems: Report) -> Result<Wire, Start> {
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
            .spawn(move || capture_loop(capture, &inner, mark, &sinks, &problems))
            .map_err(|e| {
                Start::Capture(CaptureError::Io { interface: "?".into(), op: CaptureOp::Thread, source: e })
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

/// The counts told once a second while they grow: packets the kernel
/// dropped, and packets not shown.
struct Counts {
    drops: (u64, u64),
    unshown: (u64, u64),
    last: Instant,
}

impl Counts {
    fn new() -> Counts {
        Counts { drops: (0, 0), unshown: (0, 0), last: Instant::now() }
    }

    /// The notes due now: what grew since the last ones, once a second.
    fn due(&mut self, pcap: bool) -> Vec<crate::i18n::Msg> {
        use crate::i18n::Arg;
        if self.last.elapsed() < NOTE_EVERY {
            return Vec::new();
        }
        self.last = Instant::now();
        let mut notes = Vec::new();
        let (total, told) = self.drops;
        if total > told {
            let (new, total) = (Arg::count(total - told), Arg::count(total));
            notes.push(crate::msg!("notice-capture-kernel-dropped", new = new, total = total));
        }
        let (total, told) = self.unshown;
        if total > told {
            let (new, total) = (Arg::count(total - told), Arg::count(total));
            notes.push(match pcap {
                true => crate::msg!("notice-capture-unshown-pcap", new = new, total = total),
                false => crate::msg!("notice-capture-unshown", new = new, total = total),
            });
        }
        self.drops.1 = self.drops.0;
        self.unshown.1 = self.unshown.0;
        notes
    }
}

/// The capture thread: reads, keeps the run's packets, hands them on, and
/// moves the watermark to the time before which it has read everything.
/// Problems (a pcap file that cannot be written, the counts of packets
/// dropped) are told through `problems` when they happen.
fn capture_loop(
    mut capture: Capture,
    shared: &Shared,
    mut mark: Option<Watermark>,
    sinks: &Sinks,
    problems: &Report,
) -> Outcome {
    let mut flows = Flows::new();
    let mut batch: Vec<Captured> = Vec::with_capacity(MAX_BATCH);
    let mut counts = Counts::new();
    let mut cut = CutDatagrams::default();
    let failure = loop {
        shared.wait_while_holding();
        let stopping = shared.stop.load(Ordering::SeqCst);
        if stopping {
            // A packet sent as the run ended is read too.
            thread::sleep(GRACE);
        }
        let (seen, emptied) = match capture.drain_at_most(&mut batch, MAX_BATCH, MAX_BATCH_BYTES) {
            Ok(drained) => drained,
            Err(e) => break Some(e.to_string()),
        };
        let found = !batch.is_empty();
        let scope = shared.scope.locked().clone();
        match hand_on(&mut batch, &scope, &mut flows, &mut cut, mark.as_ref(), sinks) {
            Ok(Handed { unshown, pcap_failed }) => {
                counts.unshown.0 += unshown;
                if let Some(message) = pcap_failed {
                    tell(problems, mark.as_ref(), Event::Error { conn: None, message });
                }
            }
            Err(e) => break e,
        }
        if let Some(pcap) = &sinks.pcap
            && let Err(message) = pcap.flush_if_due()
        {
            tell(problems, mark.as_ref(), Event::Error { conn: None, message });
        }
        counts.drops.0 = u64::from(capture.drops());
        for message in counts.due(sinks.pcap.is_some()) {
            tell(problems, mark.as_ref(), Event::Notice { conn: None, message });
        }
        if let Some(mark) = &mut mark {
            mark.advance(Stamp::of(seen.checked_sub(QUEUE_MARGIN).unwrap_or(seen)));
        }
        if stopping {
            break None;
        }
        // Packets left in the socket's queue are read at once.
        if emptied {
            shared.pause(if found { BUSY } else { IDLE });
        }
    };
    Outcome { drops: capture.drops(), unshown: counts.unshown.0, failure }
}

/// Tells a problem now: through the watermark when the capture holds one
/// (waiting for room in the queue while holding it would stall the output
/// until the hold ran out), else through the run's report.
fn tell(problems: &Report, mark: Option<&Watermark>, event: Event) {
    let _ = match mark {
        Some(mark) => mark.emit_all(vec![(crate::model::clock::now(), event)]).map(drop),
        None => problems.emit(event),
    };
}

/// The run's datagrams the IP layer cut, by their first fragment: the
/// fragments after it have no ports, only the IP identification they
/// share with it (and the same addresses).
#[derive(Default)]
struct CutDatagrams(std::collections::VecDeque<(IpAddr, IpAddr, u32)>);

/// The most cut datagrams remembered (the oldest forgotten first): their
/// fragments follow their first within microseconds.
const CUT_DATAGRAMS: usize = 1024;

impl CutDatagrams {
    fn remember(&mut self, first: &Packet, id: u32) {
        if self.0.len() >= CUT_DATAGRAMS {
            self.0.pop_front();
        }
        self.0.push_back((first.from.ip(), first.to.ip(), id));
    }

    fn is_ours(&self, later: &Packet, id: u32) -> bool {
        self.0.contains(&(later.from.ip(), later.to.ip(), id))
    }
}

/// What [`hand_on`] did besides handing packets on.
struct Handed {
    /// Packets not shown: the queue held as many as it may.
    unshown: u64,
    /// The pcap file could not be written: the line to say (once).
    pcap_failed: Option<crate::i18n::Msg>,
}

/// Hands the packets of `batch` that are the run's to the sinks. An error
/// that ends the capture: `Some(text)` to say, `None` when output is gone.
fn hand_on(
    batch: &mut Vec<Captured>,
    scope: &Scope,
    flows: &mut Flows,
    cut: &mut CutDatagrams,
    mark: Option<&Watermark>,
    sinks: &Sinks,
) -> Result<Handed, Option<String>> {
    let mut shown = Vec::new();
    let mut pcap_failed = None;
    for mut captured in batch.drain(..) {
        // A later fragment of one of the run's datagrams goes to the pcap
        // file; the datagram's line (its first fragment's) says how many.
        if let Some(fragment) = captured.packet.fragment.filter(|f| f.later()) {
            if cut.is_ours(&captured.packet, fragment.id)
                && let Some(pcap) = &sinks.pcap
                && let Err(message) = pcap.write(&captured)
            {
                pcap_failed = Some(message);
            }
            continue;
        }
        flows.annotate(&mut captured.packet);
        let Some(sender) = scope.sender(&captured.packet) else { continue };
        if let Some(fragment) = captured.packet.fragment {
            cut.remember(&captured.packet, fragment.id);
        }
        if let Some(pcap) = &sinks.pcap
            && let Err(message) = pcap.write(&captured)
        {
            pcap_failed = Some(message);
        }
        let event = PacketEvent { packet: captured.packet, sender: Some(sender) };
        if let Some(record) = &sinks.record {
            record.locked().push(event.clone());
        }
        if mark.is_some() {
            shown.push((Stamp::of(event.packet.time), Event::Packet(event)));
        }
    }
    let unshown = match mark {
        Some(mark) if !shown.is_empty() => mark.emit_all(shown).map_err(|_| None)?,
        _ => 0,
    };
    Ok(Handed { unshown, pcap_failed })
}

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
pub(crate) struct LastTcpInfo {
    enabled: bool,
    /// The last values read, when, and whether a later forced read found
    /// the socket gone (then they are given with the time they were read).
    last: Mutex<(Option<TcpInfo>, Option<Instant>)>,
    stale: std::sync::atomic::AtomicBool,
}

/// The least time between two reads after data: a bulk transfer's sends
/// would otherwise each cost a query.
pub(crate) const DATA_READS: Duration = Duration::from_millis(10);

impl LastTcpInfo {
    pub(crate) fn new(enabled: bool) -> LastTcpInfo {
        LastTcpInfo { enabled, last: Mutex::new((None, None)), stale: Default::default() }
    }

    /// Reads the socket's TCP_INFO now, if the kernel still lists it.
    pub(crate) fn read<S: SocketFd>(&self, socket: &S) {
        self.read_if(socket, true);
    }

    /// After data: reads it unless it was read less than [`DATA_READS`] ago.
    pub(crate) fn read_after_data<S: SocketFd>(&self, socket: &S) {
        self.read_if(socket, false);
    }

    fn read_if<S: SocketFd>(&self, socket: &S, forced: bool) {
        if !self.enabled {
            return;
        }
        let due = forced || self.last.locked().1.is_none_or(|at| at.elapsed() >= DATA_READS);
        if !due {
            return;
        }
        let read = socket.tcp_info();
        self.stale.store(read.is_none() && forced, std::sync::atomic::Ordering::Relaxed);
        if let Some(info) = read {
            *self.last.locked() = (Some(info), Some(Instant::now()));
        }
    }

    /// The last TCP_INFO read; when the last forced read found the socket
    /// gone, with the time it was read (`read_us`).
    pub(crate) fn get(&self) -> Option<TcpInfo> {
        let (info, at) = *self.last.locked();
        let stale = self.stale.load(std::sync::atomic::Ordering::Relaxed);
        info.map(|info| match (stale, at) {
            (true, Some(at)) => {
                TcpInfo { read_us: Some(crate::model::clock::Stamp::of(at).0.as_micros() as u64), ..info }
            }
            _ => info,
        })
    }
}

/// A socket whose TCP_INFO can be read: Linux for now.
pub(crate) trait SocketFd {
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
