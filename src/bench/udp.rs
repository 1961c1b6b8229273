//! `netplay udp bench`: datagrams as fast as asked, and what became of
//! them. Every datagram starts with a 16-byte header: a magic number, a
//! kind, and a sequence number, from which the receiver counts received,
//! lost, reordered and duplicated datagrams. When done, the sender sends an
//! end marker carrying how many it sent, again until the receiver answers
//! with its counts (a report datagram), so the sender reports both ends.
//!
//! Speed comes from the kernel's UDP offloads, where it has them: the
//! sender sets UDP_SEGMENT (GSO), so one send() hands the kernel up to 64
//! datagrams, each with its own header, which it cuts apart; the receiver
//! sets UDP_GRO, so one recvmsg() may return several datagrams of one
//! sender glued together, with their size in a control message. Each
//! datagram is still one datagram on the wire, and is counted as one. Both
//! options are shown as socket steps; without them, one call per datagram.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::seq::SeqCounter;
use super::{Clock, Meter, loopback, with_receiver};
use crate::config::bench::{Limit, Mode, UdpBenchConfig};
use crate::event::bench::{BenchSide, Moved, SeqCounts, UdpBenchResult};
use crate::event::{Event, Proto, Role, Step};
use crate::model::{Op, SockOpt};
use crate::net::NetError;
use crate::net::addr::Target;
use crate::net::socket::{self, SocketOptions};
use crate::sink::Report;
use crate::sys::offload;
use crate::udp::send;

/// The header: magic (4 bytes), kind (1), zeros (3), sequence number (8).
pub(crate) const HEADER: usize = 16;
const MAGIC: [u8; 4] = *b"npb1";
const DATA: u8 = 0;
/// The sender is done; the sequence field holds how many it sent.
const END: u8 = 1;
/// The receiver's counts, after the header (whose sequence field holds the
/// sender's count): received, lost, reordered, duplicated, bytes, µs.
const REPORT: u8 = 2;
const REPORT_LEN: usize = HEADER + 6 * 8;

/// The receive queue asked for; the kernel caps it at net.core.rmem_max.
const RECV_BUFFER: usize = 4 << 20;
/// How long the sender waits for the report after each end marker, and
/// how many end markers it sends.
const REPORT_WAIT: Duration = Duration::from_millis(200);
const END_TRIES: u32 = 10;
/// A receiver gives up on a sender silent for this long.
const IDLE: Duration = Duration::from_secs(3);
/// How often a waiting receiver looks at the clock.
const POLL: Duration = Duration::from_millis(100);

pub(crate) fn run(config: &UdpBenchConfig, report: Report) -> Result<()> {
    if config.offload && !offload::AVAILABLE {
        report.emit(Event::Notice { conn: None, message: offload::unavailable() })?;
    }
    match &config.mode {
        Mode::Serve { addr, options, once } => {
            let socket = bind(*addr, *options, config.offload, &report)?;
            let stop = AtomicBool::new(false);
            serve(&socket, config, *once, &stop, &report)
        }
        Mode::Send { target, family } => {
            let result = send_to(target, *family, config, BenchSide::Sender, &report)?;
            report.emit(Event::UdpBench(result))?;
            Ok(())
        }
        Mode::Local { family } => {
            let socket = bind(loopback(*family), SocketOptions::default(), config.offload, &report)?;
            let addr = socket.local_addr().context("read the receiving socket's address")?;
            let stop = Arc::new(AtomicBool::new(false));
            let receiver = {
                let (config, report, stop) = (config.clone(), report.clone(), stop.clone());
                thread::Builder::new()
                    .name("receive".into())
                    .spawn(move || serve(&socket, &config, false, &stop, &report))?
            };
            let target = Target::of(addr);
            let result = send_to(&target, None, config, BenchSide::Local, &report);
            stop.store(true, Ordering::Relaxed);
            report.emit(Event::UdpBench(with_receiver(result, receiver)?))?;
            Ok(())
        }
    }
}

/// socket, SO_RCVBUF, UDP_GRO (with `offload`), bind: reported.
fn bind(addr: SocketAddr, options: SocketOptions, offload: bool, report: &Report) -> Result<UdpSocket> {
    let socket = socket::open(&addr, Proto::Udp, Role::Server, options, report)?;
    // A bigger queue rides out the moments the receiving thread is not
    // running; what the kernel granted is read back and shown.
    let fail = |op| move |e| NetError::socket(op, addr, e);
    socket.set_recv_buffer_size(RECV_BUFFER).map_err(fail(Op::SetOption(SockOpt::RcvBuf)))?;
    let granted = socket.recv_buffer_size().map_err(fail(Op::ReadOption(SockOpt::RcvBuf)))?;
    report.emit(Event::Step(Step::SetOption {
        role: Role::Server,
        name: SockOpt::RcvBuf,
        set: RECV_BUFFER as i64,
        value: granted as i64,
    }))?;
    // Several datagrams per recvmsg(), where the kernel can.
    if offload && offload::enable_gro(&socket) {
        report.emit(Event::Step(Step::SetOption {
            role: Role::Server,
            name: SockOpt::UdpGro,
            set: 1,
            value: 1,
        }))?;
    }
    let local = socket::bind(&socket, &addr, Role::Server, report)?;
    report.emit(Event::Listening { proto: Proto::Udp, local, backlog: None })?;
    Ok(socket.into())
}

/// The header of a datagram of `kind` with sequence field `seq`.
fn header(buf: &mut [u8], kind: u8, seq: u64) {
    buf[..4].copy_from_slice(&MAGIC);
    buf[4..8].copy_from_slice(&[kind, 0, 0, 0]);
    buf[8..16].copy_from_slice(&seq.to_be_bytes());
}

/// The kind and sequence field of a datagram of ours.
fn parse(datagram: &[u8]) -> Option<(u8, u64)> {
    if datagram.len() < HEADER || datagram[..4] != MAGIC {
        return None;
    }
    Some((datagram[4], u64::from_be_bytes(datagram[8..16].try_into().ok()?)))
}

/// One sender's datagrams, as the receiver counts them.
struct Session {
    peer: SocketAddr,
    seq: SeqCounter,
    bytes: u64,
    /// Datagrams taken, copies included.
    datagrams: u64,
    first: Instant,
    last: Instant,
    meter: Arc<Meter>,
    clock: Clock,
}

impl Session {
    /// A sender's first datagram (or its end marker, when every datagram
    /// was lost) starts its session.
    fn start(peer: SocketAddr, progress: bool, report: &Report) -> Session {
        let now = Instant::now();
        let meter = Meter::new();
        let clock = Clock::start(&meter, BenchSide::Receiver, None, progress, true, report);
        Session {
            peer,
            seq: SeqCounter::default(),
            bytes: 0,
            datagrams: 0,
            first: now,
            last: now,
            meter,
            clock,
        }
    }

    fn received(&self) -> Moved {
        let counts = self.seq.counts(None);
        Moved::new(self.bytes, counts.received, self.last - self.first)
    }
}

/// The last report sent, to send again when its end marker comes again.
struct Answered {
    peer: SocketAddr,
    datagram: Vec<u8>,
}

/// Receives senders one after the other until `stop` (or, with `once`,
/// the first sender's end).
fn serve(
    socket: &UdpSocket,
    config: &UdpBenchConfig,
    once: bool,
    stop: &AtomicBool,
    report: &Report,
) -> Result<()> {
    let local = socket.local_addr().context("read the receiving socket's address")?;
    socket.set_read_timeout(Some(POLL)).map_err(|e| NetError::socket(Op::SetTimeout, local, e))?;
    // A datagram up to UDP's maximum fits, so none is ever cut.
    let mut buf = vec![0u8; 65_536];
    let mut session: Option<Session> = None;
    let mut answered: Option<Answered> = None;
    let alone = matches!(config.mode, Mode::Serve { .. });
    let mut receiver = offload::Receiver::new();
    while !stop.load(Ordering::Relaxed) {
        let (len, from, segment) = match receiver.receive(socket, &mut buf) {
            Ok(got) => got,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                if session.as_ref().is_some_and(|s| s.last.elapsed() >= IDLE) {
                    // The sender went quiet without its end marker.
                    if let Some(s) = session.take() {
                        finish(s, None, socket, local, alone, report)?;
                    }
                }
                continue;
            }
            // An ICMP error about an earlier report: it concerns one sender.
            Err(e) if crate::sys::refused::is_refusal(&e) || e.kind() == io::ErrorKind::ConnectionReset => {
                continue;
            }
            Err(e) => return Err(NetError::socket(Op::RecvMsg, local, e).into()),
        };
        for datagram in buf[..len].chunks(segment) {
            let Some((kind, seq)) = parse(datagram) else { continue };
            match kind {
                DATA => {
                    let s =
                        session.get_or_insert_with(|| Session::start(from, config.progress && alone, report));
                    if s.peer != from {
                        // Another sender while one runs: not counted.
                        continue;
                    }
                    s.seq.record(seq);
                    s.bytes += datagram.len() as u64;
                    s.datagrams += 1;
                }
                END => {
                    if session.as_ref().is_some_and(|s| s.peer == from) {
                        if let Some(s) = session.take() {
                            answered = Some(finish(s, Some(seq), socket, local, alone, report)?);
                        }
                        if once {
                            return Ok(());
                        }
                    } else if let Some(a) = answered.as_ref().filter(|a| a.peer == from) {
                        let _ = socket.send_to(&a.datagram, from);
                    } else if session.is_none() {
                        // A sender whose datagrams were all lost.
                        let s = Session::start(from, false, report);
                        answered = Some(finish(s, Some(seq), socket, local, alone, report)?);
                    }
                }
                _ => {}
            }
        }
        if let Some(s) = session.as_mut().filter(|s| s.peer == from) {
            s.last = Instant::now();
            s.meter.bytes.store(s.bytes, Ordering::Relaxed);
            s.meter.datagrams.store(s.datagrams, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Ends a session: the report datagram to its sender, and (when this
/// process only receives) the result.
fn finish(
    session: Session,
    sent: Option<u64>,
    socket: &UdpSocket,
    local: SocketAddr,
    alone: bool,
    report: &Report,
) -> Result<Answered> {
    let counts = session.seq.counts(sent);
    let received = session.received();
    session.clock.finish();
    let mut datagram = vec![0u8; REPORT_LEN];
    header(&mut datagram, REPORT, sent.unwrap_or(u64::MAX));
    let fields = [
        counts.received,
        counts.lost,
        counts.reordered,
        counts.duplicated,
        received.bytes,
        received.duration.as_micros() as u64,
    ];
    for (i, value) in fields.iter().enumerate() {
        datagram[HEADER + i * 8..HEADER + i * 8 + 8].copy_from_slice(&value.to_be_bytes());
    }
    if sent.is_some() {
        let _ = socket.send_to(&datagram, session.peer);
    }
    if alone {
        report.emit(Event::UdpBench(UdpBenchResult {
            side: BenchSide::Receiver,
            local,
            peer: session.peer,
            size: (received.bytes / received.calls.max(1)) as usize,
            rate: None,
            sent: None,
            sent_by_peer: sent,
            received: Some(received),
            counts: Some(counts),
        }))?;
    }
    Ok(Answered { peer: session.peer, datagram })
}

/// The receiver's report: the sender's count as it learnt it, its counts,
/// and what it took.
fn parse_report(datagram: &[u8]) -> Option<(u64, SeqCounts, Moved)> {
    let (kind, sent) = parse(datagram)?;
    if datagram.len() < REPORT_LEN || kind != REPORT {
        return None;
    }
    let field = |i: usize| {
        let at = HEADER + i * 8;
        u64::from_be_bytes(datagram[at..at + 8].try_into().unwrap_or_default())
    };
    let counts = SeqCounts { received: field(0), lost: field(1), reordered: field(2), duplicated: field(3) };
    Some((sent, counts, Moved::new(field(4), field(0), Duration::from_micros(field(5)))))
}

/// Datagrams per send(): up to 64, as GSO segments, within the 64 KiB a
/// send() may carry (the step said); one when the kernel will not.
fn per_send(socket: &UdpSocket, config: &UdpBenchConfig, report: &Report) -> Result<usize> {
    let mut per_send = if config.offload { (65_000 / config.size).clamp(1, 64) } else { 1 };
    if per_send > 1 {
        if offload::set_gso(socket, config.size) {
            let step = Step::SetOption {
                role: Role::Client,
                name: SockOpt::UdpSegment,
                set: config.size as i64,
                value: config.size as i64,
            };
            report.emit(Event::Step(step))?;
        } else {
            per_send = 1;
        }
    }
    Ok(per_send)
}

/// Sends the end marker (after `sent` datagrams) to `peer`, again until
/// the receiver's report comes back, at most [`END_TRIES`] times: the
/// report, or None when none came.
fn ask_report(socket: &UdpSocket, peer: SocketAddr, sent: u64) -> Result<Option<(u64, SeqCounts, Moved)>> {
    let fail = |op| move |e| NetError::socket(op, peer, e);
    let mut end = [0u8; HEADER];
    header(&mut end, END, sent);
    socket.set_read_timeout(Some(REPORT_WAIT)).map_err(fail(Op::SetTimeout))?;
    let mut answer = [0u8; 256];
    let mut from_receiver = None;
    'tries: for _ in 0..END_TRIES {
        socket.send(&end).map_err(fail(Op::SendConnectedUdp))?;
        let asked = Instant::now();
        while asked.elapsed() < REPORT_WAIT {
            match socket.recv(&mut answer) {
                Ok(n) => {
                    if let Some(parsed) = parse_report(&answer[..n]) {
                        from_receiver = Some(parsed);
                        break 'tries;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                    ) =>
                {
                    break;
                }
                Err(e) => return Err(fail(Op::RecvConnectedUdp)(e).into()),
            }
        }
    }
    Ok(from_receiver)
}

/// Sends to `target` until the limit, then asks for the receiver's report.
fn send_to(
    target: &Target,
    family: Option<crate::event::Family>,
    config: &UdpBenchConfig,
    side: BenchSide,
    report: &Report,
) -> Result<UdpBenchResult> {
    let (socket, peer) = send::open(target, family, None, true, report)?;
    let socket: UdpSocket = socket.into();
    let local = socket.local_addr().context("read the sending socket's address")?;
    let fail = |op| move |e| NetError::socket(op, peer, e);

    let mut per_send = per_send(&socket, config, report)?;
    let pattern = (0..config.size).map(|i| (i % 251) as u8);
    let mut buf: Vec<u8> = pattern.cycle().take(config.size * per_send).collect();
    let (deadline, max) = match config.limit {
        Limit::Time(d) => (Some(d), u64::MAX),
        Limit::Amount(n) => (None, n),
    };
    // Nanoseconds between two datagrams at the rate asked for.
    let gap = match config.rate {
        0 => 0.0,
        rate => config.size as f64 * 8.0 * 1e9 / rate as f64,
    };
    let meter = Meter::new();
    let clock = Clock::start(&meter, side, deadline, config.progress, true, report);
    let mut sent = 0u64;
    let start = Instant::now();
    while sent < max && !meter.stopped() {
        let mut batch = (max - sent).min(per_send as u64);
        if gap > 0.0 {
            // Datagrams due by now, at the rate asked for.
            let due = (start.elapsed().as_nanos() as f64 / gap) as u64 + 1;
            if due <= sent {
                thread::sleep(
                    Duration::from_nanos(((sent + 1) as f64 * gap) as u64).saturating_sub(start.elapsed()),
                );
                continue;
            }
            batch = batch.min(due - sent);
        }
        for (i, datagram) in buf.chunks_mut(config.size).take(batch as usize).enumerate() {
            header(datagram, DATA, sent + i as u64);
        }
        match socket.send(&buf[..batch as usize * config.size]) {
            Ok(_) => {
                sent += batch;
                meter.bytes.store(sent * config.size as u64, Ordering::Relaxed);
                meter.datagrams.store(sent, Ordering::Relaxed);
            }
            // The kernel's queue is full for a moment: try again.
            Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock) => {}
            Err(e) if offload::no_buffer_space(&e) => {}
            // No GSO on the way after all: one datagram per send().
            Err(e) if per_send > 1 && offload::gso_refused(&e) => {
                per_send = 1;
                offload::set_gso(&socket, 0);
            }
            Err(e) => return Err(fail(Op::SendConnectedUdp)(e).into()),
        }
    }
    let duration = start.elapsed();
    clock.finish();

    let (sent_by_peer, counts, received) = match ask_report(&socket, peer, sent)? {
        Some((n, c, r)) => (Some(n), Some(c), Some(r)),
        None => (None, None, None),
    };
    Ok(UdpBenchResult {
        side,
        local,
        peer,
        size: config.size,
        rate: Some(config.rate),
        sent: Some(Moved::new(sent * config.size as u64, sent, duration)),
        sent_by_peer,
        received,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let mut buf = [0u8; 20];
        header(&mut buf, END, 1234);
        assert_eq!(parse(&buf), Some((END, 1234)));
        assert_eq!(parse(&buf[..15]), None);
        buf[0] = b'x';
        assert_eq!(parse(&buf), None);
    }
}
