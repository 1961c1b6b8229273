//! `tcp bench` and `udp bench`: throughput and loss, like iperf3. A sender
//! and a receiver, in two processes (`HOST PORT` and `--serve`) or in one
//! (`--local`). The hot loops only count; a clock thread ends a timed run
//! and, on a terminal, reports progress.

pub(crate) mod seq;
pub(crate) mod tcp;
pub(crate) mod udp;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::event::bench::{BenchProgress, BenchSide, per_second};
use crate::event::{Event, Family};
use crate::sink::Report;

/// The loopback address of a family, port 0: where `--local` runs.
fn loopback(family: Family) -> SocketAddr {
    let ip = match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Family::V6 => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    SocketAddr::new(ip, 0)
}

/// How often the progress line changes.
const TICK: Duration = Duration::from_millis(250);

/// What a hot loop counts, and the flag that stops it.
#[derive(Debug)]
pub(crate) struct Meter {
    pub(crate) bytes: AtomicU64,
    pub(crate) datagrams: AtomicU64,
    stop: AtomicBool,
    start: Instant,
}

impl Meter {
    pub(crate) fn new() -> Arc<Meter> {
        Arc::new(Meter {
            bytes: AtomicU64::new(0),
            datagrams: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            start: Instant::now(),
        })
    }

    /// True once the time is up (or the run was ended).
    pub(crate) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// The clock of a run: reports progress every TICK when asked, and stops
/// the meter at the deadline. Ends with [`Clock::finish`].
pub(crate) struct Clock {
    meter: Arc<Meter>,
    thread: Option<JoinHandle<()>>,
}

impl Clock {
    /// `datagrams`: progress counts datagrams too (UDP).
    pub(crate) fn start(
        meter: &Arc<Meter>,
        side: BenchSide,
        deadline: Option<Duration>,
        progress: bool,
        datagrams: bool,
        report: &Report,
    ) -> Clock {
        Clock::probing(meter, side, deadline, progress, datagrams, report, None)
    }

    /// [`Clock::start`] whose progress lines also carry what `probe` reads
    /// at each tick (a TCP sender's TCP_INFO).
    pub(crate) fn probing(
        meter: &Arc<Meter>,
        side: BenchSide,
        deadline: Option<Duration>,
        progress: bool,
        datagrams: bool,
        report: &Report,
        probe: Option<Probe>,
    ) -> Clock {
        if deadline.is_none() && !progress {
            return Clock { meter: meter.clone(), thread: None };
        }
        let (meter2, report) = (meter.clone(), report.clone());
        let thread = thread::Builder::new()
            .name("clock".into())
            .spawn(move || tick(&meter2, side, deadline, progress, datagrams, &report, probe))
            .ok();
        if thread.is_none() {
            // Without a clock a timed run could not end: end it now.
            meter.stop.store(true, Ordering::Relaxed);
        }
        Clock { meter: meter.clone(), thread }
    }

    /// Stops the clock (and the meter) and waits for its thread.
    pub(crate) fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.meter.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for Clock {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Reads something about the connection at each tick.
pub(crate) type Probe = Box<dyn Fn() -> Option<crate::model::tcp_info::TcpInfo> + Send>;

fn tick(
    meter: &Meter,
    side: BenchSide,
    deadline: Option<Duration>,
    progress: bool,
    datagrams: bool,
    report: &Report,
    probe: Option<Probe>,
) {
    let (mut last_bytes, mut last_at) = (0u64, Duration::ZERO);
    let mut next_tick = TICK;
    while !meter.stopped() {
        let now = meter.start.elapsed();
        if deadline.is_some_and(|d| now >= d) {
            meter.stop.store(true, Ordering::Relaxed);
            return;
        }
        if progress && now >= next_tick {
            let bytes = meter.bytes.load(Ordering::Relaxed);
            let rate = per_second((bytes - last_bytes) as f64 * 8.0, now - last_at);
            (last_bytes, last_at) = (bytes, now);
            next_tick = now + TICK;
            let event = Event::BenchProgress(BenchProgress {
                side,
                bytes,
                datagrams: datagrams.then(|| meter.datagrams.load(Ordering::Relaxed)),
                elapsed: now,
                bits_per_second: rate,
                tcp_info: probe.as_ref().and_then(|probe| probe()),
            });
            if report.emit(event).is_err() {
                // Output is gone; the run's own emit will say so.
                return;
            }
        }
        let until_tick = if progress { next_tick.saturating_sub(now) } else { Duration::MAX };
        let until_end = deadline.map_or(Duration::MAX, |d| d.saturating_sub(now));
        thread::park_timeout(until_tick.min(until_end).min(Duration::from_secs(1)));
    }
}

/// `--local`: the sender's result, once the receiving thread has ended too;
/// the sender's failure first, as it is the one that stopped the run.
fn with_receiver<T>(sent: Result<T>, receiver: JoinHandle<Result<()>>) -> Result<T> {
    let received = receiver.join().unwrap_or_else(|_| bail!("the receiving thread panicked"));
    let sent = sent?;
    received?;
    Ok(sent)
}
