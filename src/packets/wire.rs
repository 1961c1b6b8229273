//! The capture thread: it reads the run's packets off the wire, keeps
//! those between the run's ends, hands each on to its sinks, moves the
//! watermark, and tells the counts of packets dropped or not shown.

use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::scope::{Scope, Shared, Sinks};
use crate::capture::{
    Capture, CaptureError, CaptureOp, CaptureOptions, Captured, Flows, Packet, QUEUE_MARGIN,
};
use crate::event::Event;
use crate::event::packet::PacketEvent;
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

/// How a capture thread ended.
#[derive(Default)]
pub(super) struct Outcome {
    /// Packets the kernel dropped (its queue for the capture was full).
    pub(super) drops: u32,
    /// Packets not shown: more waited to be shown than the queue holds.
    pub(super) unshown: u64,
    /// Why it stopped early, if it did.
    pub(super) failure: Option<String>,
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
pub(super) struct Wire {
    pub(super) shared: Arc<Shared>,
    thread: Option<JoinHandle<Outcome>>,
}

impl Wire {
    pub(super) fn start(
        options: &CaptureOptions,
        scope: Scope,
        sinks: Sinks,
        problems: Report,
    ) -> Result<Wire, Start> {
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
    pub(super) fn stop(&mut self) -> Outcome {
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

pub(super) enum Start {
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
