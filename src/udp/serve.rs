//! `netplay udp serve`: the non-connected server. One socket, bound and
//! never listening: there is nothing to accept, so one blocking loop in one
//! thread takes every datagram from every sender (recvfrom) and answers each
//! sender at its own address (sendto), unless the guard (guard.rs) says an
//! answer would go where it must not.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use socket2::{SockAddr, Socket};

use super::guard::{Guard, Verdict};
use super::recv_datagram;
use crate::config::udp::{Answer, Idle, Peers, UdpServeConfig};
use crate::event::{Dir, Event, Proto, Role, ServeTotals, Step};
use crate::i18n::{Arg, Msg};
use crate::model::Waits;
use crate::model::{Locked, Op, SockOpt};
use crate::msg;
use crate::net::socket::{self};
use crate::net::{NetError, describe_msg};
use crate::packets::Packets;
use crate::sink::Report;
use crate::sys::drops;
use crate::sys::stop::Stop;

/// How often the blocking receive wakes up to see whether a signal asked
/// the server to stop.
const TICK: Duration = Duration::from_millis(200);

/// After a signal, how long what waits to be shown gets to be written (the
/// loop sees the signal within [`TICK`], and at once under a flood).
const STOP_PATIENCE: Duration = Duration::from_millis(700);

/// The drop count is told at most this often while it grows.
const DROP_NOTE_EVERY: Duration = Duration::from_secs(1);

/// Counts of one run, for the summary.
#[derive(Debug, Default)]
struct Totals {
    received: u64,
    sent: u64,
    bytes_in: u64,
    bytes_out: u64,
    withheld: u64,
    ignored: u64,
}

/// Serves inside another runner (the demo): signals are left to it, and
/// its few datagrams need no drop count.
pub(crate) fn run(config: &UdpServeConfig, report: Report) -> Result<()> {
    serve(config.clone(), report, Stop::never(), false).map(drop)
}

/// Serves as the process's own command: Ctrl-C (SIGINT) or SIGTERM stops
/// the server, which then prints its totals and exits 0.
pub(crate) fn run_until_signal(config: &UdpServeConfig, report: Report) -> Result<()> {
    run_to_end(config, report).map(drop)
}

/// [`run_until_signal`], saying which signal stopped the server, if one did.
pub(crate) fn run_to_end(config: &UdpServeConfig, report: Report) -> Result<Option<&'static str>> {
    // Handlers first: a signal sent as soon as "bound to" shows must find them.
    // Whatever waits to be shown (a flood's datagrams and packets, an
    // output nobody reads), the run ends within a second of the signal.
    let stopping = report.clone();
    let stop = Stop::on_signals_then(move || stopping.stop_within(STOP_PATIENCE))
        .context("catch SIGINT and SIGTERM")?;
    serve(config.clone(), report, stop, true)
}

fn serve(config: UdpServeConfig, report: Report, stop: Stop, count: bool) -> Result<Option<&'static str>> {
    let mut packets = Packets::new(&config.packets, &report)?;
    let (socket, local, counting) = open(&config, &report, &mut packets, count)?;
    let (echo, reply, stdin) = match &config.answer {
        Answer::Datagrams { echo, reply } => (*echo, reply.as_deref(), None),
        Answer::Script { script, step_timeout } => {
            let played = scripted((script, *step_timeout), &socket, local, &config, &report, &stop, counting);
            return played.and(packets.finish()).map(|()| None);
        }
        Answer::Stdin { crlf, quit_after } => {
            // netplay nc (the first peer only) is as quiet as nc: the
            // native server says it.
            if count && config.peers == Peers::Every {
                report.emit(Event::Notice { conn: None, message: msg!("notice-udp-stdin") })?;
            }
            let sender = StdinSender::start(&socket, local, *crlf, &report)?;
            (false, None, Some((sender, *quit_after)))
        }
    };
    let start = Instant::now();
    let mut totals = Totals::default();
    let mut guard = Guard::new(local, config.answers.rate, config.answers.access.clone());
    let mut kernel = KernelDrops::default();
    let mut buf = vec![0u8; config.recv_size];
    let tick = config.idle.after().map_or(TICK, |idle| idle.clamp(Duration::from_millis(1), TICK));
    crate::sys::timeout::set_read(&socket, tick).map_err(|e| NetError::socket(Op::SetTimeout, local, e))?;
    let mut last_datagram = Instant::now();
    let mut first = true;
    let signal = loop {
        if let Some(signal) = stop.requested() {
            break Some(signal);
        }
        if let Some((stdin, quit_after)) = &stdin {
            // Stdin's failure ends the run; its end, --quit-after later.
            if let Some(end) = stdin.ended()? {
                let after = quit_after.unwrap_or(Duration::MAX);
                if end.elapsed() >= after {
                    break None;
                }
            }
        }
        let got = match recv_datagram(&socket, &mut buf) {
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                recv_failed(e, (config.idle, first, last_datagram), local, &mut kernel, &report)?;
                continue;
            }
        };
        let now = Instant::now();
        last_datagram = now;
        if let Some(message) = kernel.update(got.drops, now) {
            report.emit(Event::Notice { conn: None, message })?;
        }
        if !admitted(&mut guard, got.from, got.arrived, now, &mut totals, &report)? {
            continue;
        }
        if std::mem::take(&mut first) && config.peers == Peers::First {
            connect_first(&socket, got.from, &report)?;
        }
        totals.received += 1;
        totals.bytes_in += got.kept as u64;
        report.count_in(got.kept as u64);
        let bytes = Bytes::copy_from_slice(&buf[..got.kept]);
        report.emit(Event::datagram(
            Dir::In,
            got.from,
            totals.received,
            bytes.clone(),
            Some(got.arrived),
            start.elapsed(),
        ))?;
        // Only once the datagram is told may stdin go to its sender: what
        // stdin sends is stamped after the datagram that let it go.
        if let Some((stdin, _)) = &stdin {
            stdin.peer(got.from);
        }
        let own = echo.then_some(&bytes[..]);
        for answer in own.into_iter().chain(reply) {
            match guard.answer(got.from, answer.len(), now) {
                Verdict::Go => answer_to(&socket, got.from, answer, start, &mut totals, &report)?,
                Verdict::No { why, tell } => {
                    totals.withheld += 1;
                    if tell {
                        let message = msg!("notice-not-answering", peer = got.from, why = why.message());
                        report.emit(Event::Notice { conn: None, message })?;
                    }
                }
            }
        }
        if config.limit.is_some_and(|limit| totals.received >= limit) {
            // With stdin as the answer, answering is sending all of it
            // (as `tcp serve --raw --once < file` does): the run ends
            // when stdin has, no datagram more is taken.
            match &stdin {
                Some((stdin, _)) => break stdin.sent_whole(&stop)?,
                None => break None,
            }
        }
    };
    // The exact count, drops after the last datagram included.
    let kernel_drops = counting.then(|| drops::total(&socket).unwrap_or(kernel.total).max(kernel.total));
    // Stdin sends nothing more: what it sent is counted, and no datagram
    // leaves after the summary.
    let from_stdin = stdin.as_ref().map_or((0, 0), |(stdin, _)| stdin.close());
    report.emit(totals.done(signal, kernel_drops, from_stdin, start))?;
    packets.finish()?;
    Ok(signal)
}

/// Opens and binds the socket (counting the kernel's drops if `count`),
/// starts the capture, and says the server listens; with nothing sent from
/// stdin and a person at it, that typing sends nothing. The socket, its
/// address, and whether drops are counted.
fn open(
    config: &UdpServeConfig,
    report: &Report,
    packets: &mut Packets,
    count: bool,
) -> Result<(Socket, SocketAddr, bool)> {
    let socket = socket::open(&config.addr, Proto::Udp, Role::Server, config.options, report)?;
    let counting = count && count_drops(&socket, &config.addr, report)?;
    let local = socket::bind(&socket, &config.addr, Role::Server, report)?;
    packets.serve(local)?;
    report.emit(Event::Listening { proto: Proto::Udp, local, backlog: None })?;
    let sends_stdin = matches!(config.answer, Answer::Stdin { .. });
    if count && !sends_stdin && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let message = msg!("notice-udp-typing");
        report.emit(Event::Notice { conn: None, message })?;
    }
    Ok((socket, local, counting))
}

/// A recvfrom that brought no datagram (but for EINTR): a quiet moment, an
/// ICMP error about an earlier answer, or the socket's failure. Ok: the
/// loop goes on. `(idle, first, last_datagram)`: the idle limit, whether
/// no datagram has come yet, and when the last one came.
fn recv_failed(
    e: io::Error,
    (idle, first, last_datagram): (Idle, bool, Instant),
    local: SocketAddr,
    kernel: &mut KernelDrops,
    report: &Report,
) -> Result<()> {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            // A quiet moment: output may have gone (`| head`), and drops
            // counted since the last note are told.
            report.check()?;
            if let Some(message) = kernel.update(None, Instant::now()) {
                report.emit(Event::Notice { conn: None, message })?;
            }
            match idle {
                Idle::AfterFirst(_) if first => Ok(()),
                Idle::FromStart(after) | Idle::AfterFirst(after) if last_datagram.elapsed() >= after => {
                    Err(NetError::Idle { what: Op::WaitDatagrams, addr: local, after, flag: "-w" }.into())
                }
                _ => Ok(()),
            }
        }
        // An ICMP error about an earlier answer (Linux reports them
        // only to connected sockets, other systems to any): it concerns
        // one peer, not the server.
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {
            report.emit(Event::Error {
                conn: None,
                message: msg!("error-recvfrom", error = describe_msg(&e)),
            })?;
            Ok(())
        }
        _ => Err(NetError::socket(Op::RecvFrom, local, e).into()),
    }
}

/// Whether the guard takes a datagram of `arrived` bytes from `from`; one
/// it ignores is counted, and said once per sender.
fn admitted(
    guard: &mut Guard,
    from: SocketAddr,
    arrived: usize,
    now: Instant,
    totals: &mut Totals,
    report: &Report,
) -> Result<bool> {
    match guard.admit(from, arrived, now) {
        Verdict::Go => Ok(true),
        Verdict::No { why, tell } => {
            totals.ignored += 1;
            if tell {
                let message = msg!("notice-ignored", from = from, why = why.message());
                report.emit(Event::Notice { conn: None, message })?;
            }
            Ok(false)
        }
    }
}

/// connect()s the socket to the first peer (nc -u -l): from now on, the
/// kernel takes datagrams from this peer only.
fn connect_first(socket: &Socket, peer: SocketAddr, report: &Report) -> Result<()> {
    let cause = report.cause(0)?;
    socket.connect(&SockAddr::from(peer)).map_err(|e| NetError::socket(Op::ConnectUdp, peer, e))?;
    cause.emit(Event::Step(Step::Connect { role: Role::Server, addr: peer }))?;
    Ok(())
}

impl Totals {
    /// The run's summary: these counts, and `from_stdin`'s datagrams and
    /// bytes among those sent.
    fn done(
        &self,
        signal: Option<&'static str>,
        kernel_drops: Option<u64>,
        (stdin_sent, stdin_bytes): (u64, u64),
        start: Instant,
    ) -> Event {
        Event::Done {
            sent: self.sent + stdin_sent,
            received: self.received,
            bytes_out: self.bytes_out + stdin_bytes,
            bytes_in: self.bytes_in,
            duration: start.elapsed(),
            server: Some(ServeTotals {
                signal,
                withheld: self.withheld,
                ignored: self.ignored,
                kernel_drops,
                scripts: None,
            }),
        }
    }
}

/// [`Answer::Stdin`] (nc -u -l, udp serve --raw): a thread that reads
/// stdin once a datagram has come, and sends each read as a datagram to
/// the last sender (or the one peer the socket is connected to). It is no
/// answer: the guard, which bounds what --echo and --reply send back, does
/// not apply.
struct StdinSender {
    shared: std::sync::Arc<StdinShared>,
}

#[derive(Default)]
struct StdinShared {
    /// Where stdin goes: the last sender, nobody before any. Held while a
    /// datagram is sent and counted, so that [`StdinSender::close`] counts
    /// every datagram sent, and none after.
    peer: std::sync::Mutex<Target>,
    wake: std::sync::Condvar,
    /// When stdin ended, or how reading or sending it failed.
    ended: std::sync::Mutex<Option<Result<Instant>>>,
    /// Told when `ended` is set.
    ended_wake: std::sync::Condvar,
    datagrams: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
}

/// Where stdin's datagrams go.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Target {
    /// No datagram has come yet: stdin waits.
    #[default]
    Nobody,
    Peer(SocketAddr),
    /// The run is over: stdin sends nothing more.
    Closed,
}

impl StdinSender {
    fn start(socket: &Socket, local: SocketAddr, crlf: bool, report: &Report) -> Result<StdinSender> {
        let socket = socket.try_clone().map_err(|e| NetError::socket(Op::CloneSocket, local, e))?;
        let shared = std::sync::Arc::new(StdinShared::default());
        let (inner, report) = (shared.clone(), report.clone());
        let family = crate::event::Family::of(&local);
        let mut crlf = crlf.then(crate::input::Crlf::default);
        std::thread::Builder::new().name("stdin".into()).spawn(move || {
            // Nobody to send to before the first datagram: stdin waits.
            let first = {
                let peer = inner.peer.locked();
                let peer = inner.wake.waited_while(peer, |p| *p == Target::Nobody);
                matches!(*peer, Target::Peer(_))
            };
            let start = Instant::now();
            let max = super::max_datagram(family);
            let sent = first.then(|| {
                crate::input::stdin_reads(if crlf.is_some() { max / 2 } else { max }, |read| {
                    let bytes = match crlf.as_mut() {
                        Some(crlf) => crlf.convert(read),
                        None => std::borrow::Cow::Borrowed(read),
                    };
                    // Room to show it first: that may wait for the output,
                    // which must not hold the server's loop.
                    let cause = report.cause(bytes.len())?;
                    let target = inner.peer.locked();
                    let Target::Peer(peer) = *target else {
                        return Ok(());
                    };
                    let n = socket
                        .send_to(&bytes, &SockAddr::from(peer))
                        .map_err(|e| NetError::socket(Op::SendTo, peer, e))?;
                    let seq = inner.datagrams.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    inner.bytes.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                    drop(target);
                    report.count_out(n as u64);
                    let bytes = Bytes::copy_from_slice(&bytes[..n]);
                    cause.emit(Event::datagram(Dir::Out, peer, seq, bytes, None, start.elapsed()))?;
                    Ok(())
                })
            });
            let ended = match sent {
                Some(Err(e)) => Err(e),
                _ => Ok(Instant::now()),
            };
            *inner.ended.locked() = Some(ended);
            inner.ended_wake.notify_all();
        })?;
        Ok(StdinSender { shared })
    }

    /// A datagram came from `peer`: stdin goes there from now on.
    fn peer(&self, peer: SocketAddr) {
        *self.shared.peer.locked() = Target::Peer(peer);
        self.shared.wake.notify_all();
    }

    /// Waits until stdin has all been sent (None), or for a signal (its
    /// name); stdin's failure is the run's.
    fn sent_whole(&self, stop: &Stop) -> Result<Option<&'static str>> {
        loop {
            if let Some(signal) = stop.requested() {
                return Ok(Some(signal));
            }
            if self.ended()?.is_some() {
                return Ok(None);
            }
            let ended = self.shared.ended.locked();
            // A signal is looked at every TICK.
            drop(self.shared.ended_wake.waited_for_while(ended, TICK, |e| e.is_none()));
        }
    }

    /// Ends stdin's sending: nothing is sent after this returns. The
    /// datagrams and bytes it sent.
    fn close(&self) -> (u64, u64) {
        let mut target = self.shared.peer.locked();
        *target = Target::Closed;
        self.shared.wake.notify_all();
        self.sent()
    }

    /// When stdin ended, if it has; its failure is the run's.
    fn ended(&self) -> Result<Option<Instant>> {
        let mut ended = self.shared.ended.locked();
        match ended.take() {
            None => Ok(None),
            Some(Ok(at)) => {
                *ended = Some(Ok(at));
                Ok(Some(at))
            }
            Some(Err(e)) => Err(e),
        }
    }

    /// Datagrams and bytes sent from stdin.
    fn sent(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.shared.datagrams.load(Relaxed), self.shared.bytes.load(Relaxed))
    }
}

/// `--script`: a run of the script begins with a datagram, from anyone;
/// each `>` answers the sender of the last datagram received. Played again
/// for the next datagram until a signal (with `--once`, once). Each run's
/// verdict is a `script_end`; the totals count them, and a stop after a
/// failed run fails the server (exit code 9), as with `--once` the run's
/// own verdict does.
fn scripted(
    (script, step_timeout): (&crate::script::Script, Duration),
    socket: &Socket,
    local: SocketAddr,
    config: &UdpServeConfig,
    report: &Report,
    stop: &Stop,
    counting: bool,
) -> Result<()> {
    use crate::event::script::{ScriptEnd, ScriptTally};
    use crate::script::{Failed, Played, Settings, Stoppable, UdpConn};
    let start = Instant::now();
    let mut tally = ScriptTally::default();
    let mut moved = Played::default();
    let mut runs = 0u64;
    let mut failure = None;
    let signal = loop {
        if config.limit.is_some_and(|limit| runs >= limit) {
            break None;
        }
        if let Some(signal) = wait_for_datagram(socket, local, stop, report)? {
            break Some(signal);
        }
        runs += 1;
        let own = socket.try_clone().map_err(|e| NetError::socket(Op::Dup, local, e))?;
        let mut conn = Stoppable::new(UdpConn::server(own), || stop.requested().is_some());
        let settings = Settings { conn: None, timeout: step_timeout, recv_size: config.recv_size, start };
        let played = crate::script::play(script, &mut conn, report, &settings);
        let this = match &played {
            Ok(this) => *this,
            Err(e) => e.downcast_ref::<Failed>().map(|f| f.played).unwrap_or_default(),
        };
        moved.datagrams_in += this.datagrams_in;
        moved.datagrams_out += this.datagrams_out;
        moved.bytes_in += this.bytes_in;
        moved.bytes_out += this.bytes_out;
        report.count_in(this.bytes_in);
        report.count_out(this.bytes_out);
        let end = |code: crate::model::Code, line: Option<u32>| {
            let end = ScriptEnd {
                conn: None,
                run: Some(runs),
                file: script.name.clone(),
                exit_code: code as u8,
                line,
            };
            report.emit(Event::ScriptEnd(end))
        };
        match played {
            Ok(_) => {
                tally.passed += 1;
                end(crate::model::Code::Ok, None)?;
            }
            Err(e) if e.is::<crate::sink::OutputError>() => return Err(e),
            // Cut by the stop: no verdict on the peer.
            Err(_) if stop.requested().is_some() => break stop.requested(),
            Err(e) => {
                tally.failed += 1;
                let code = crate::script::verdict(&e);
                end(code, e.downcast_ref::<Failed>().map(|f| f.line))?;
                if config.limit.is_some() {
                    failure = Some(e);
                } else if let Some(net) = e.downcast_ref::<NetError>() {
                    // Its steps said nothing of it: the socket failed.
                    report.emit(Event::Error { conn: None, message: net.message() })?;
                }
            }
        }
    };
    let kernel_drops = counting.then(|| drops::total(socket).unwrap_or(0));
    report.emit(Event::Done {
        sent: moved.datagrams_out,
        received: moved.datagrams_in,
        bytes_out: moved.bytes_out,
        bytes_in: moved.bytes_in,
        duration: start.elapsed(),
        server: Some(ServeTotals { signal, withheld: 0, ignored: 0, kernel_drops, scripts: Some(tally) }),
    })?;
    if let Some(failure) = failure {
        return Err(failure);
    }
    match tally.failed {
        0 => Ok(()),
        failed => Err(crate::script::SomeFailed {
            file: script.name.clone(),
            failed,
            played: failed + tally.passed,
            clients: false,
        }
        .into()),
    }
}

/// Waits, without taking it, for the datagram that begins a run; the
/// signal's name when a stop comes first.
fn wait_for_datagram(
    socket: &Socket,
    local: SocketAddr,
    stop: &Stop,
    report: &Report,
) -> Result<Option<&'static str>> {
    loop {
        if let Some(signal) = stop.requested() {
            return Ok(Some(signal));
        }
        crate::sys::timeout::set_read(socket, TICK)
            .map_err(|e| NetError::socket(Op::SetTimeout, local, e))?;
        match socket.peek_sender() {
            Ok(_) => return Ok(None),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                report.check()?;
            }
            // An ICMP error about an earlier answer (see serve's loop).
            Err(e)
                if matches!(e.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset) =>
            {
                let message = msg!("error-recvfrom", error = describe_msg(&e));
                report.emit(Event::Error { conn: None, message })?;
            }
            Err(e) => return Err(NetError::socket(Op::RecvFrom, local, e).into()),
        }
    }
}

/// Asks the kernel to count the datagrams it drops for this socket, and
/// reports the step; where the system cannot, says so once.
fn count_drops(socket: &Socket, addr: &SocketAddr, report: &Report) -> Result<bool> {
    let counting =
        drops::enable(socket).map_err(|e| NetError::socket(Op::SetOption(SockOpt::RxqOvfl), *addr, e))?;
    if counting {
        report.emit(Event::Step(Step::SetOption {
            role: Role::Server,
            name: SockOpt::RxqOvfl,
            set: 1,
            value: 1,
        }))?;
    } else {
        report.emit(Event::Notice { conn: None, message: msg!("notice-drops-uncounted") })?;
    }
    Ok(counting)
}

/// The kernel's drop counter as the datagrams bring it.
#[derive(Debug, Default)]
struct KernelDrops {
    /// The counter in the last datagram (it wraps at 2^32).
    last: u32,
    total: u64,
    /// The total last told, and when.
    told: u64,
    told_at: Option<Instant>,
}

impl KernelDrops {
    /// Takes the counter a datagram carried; returns a note when the total
    /// grew and none was given in the last second.
    fn update(&mut self, counter: Option<u32>, now: Instant) -> Option<Msg> {
        let counter = counter.unwrap_or(self.last);
        self.total += u64::from(counter.wrapping_sub(self.last));
        self.last = counter;
        if self.total == self.told || self.told_at.is_some_and(|at| now.duration_since(at) < DROP_NOTE_EVERY)
        {
            return None;
        }
        let new = self.total - self.told;
        self.told = self.total;
        self.told_at = Some(now);
        Some(msg!("notice-kernel-dropped", new = Arg::count(new), total = Arg::count(self.total)))
    }
}

/// sendto() the sender of a datagram. A failure concerns that peer only: it
/// is reported and the server goes on.
fn answer_to(
    socket: &Socket,
    peer: SocketAddr,
    bytes: &[u8],
    start: Instant,
    totals: &mut Totals,
    report: &Report,
) -> Result<()> {
    let cause = report.cause(bytes.len())?;
    match socket.send_to(bytes, &SockAddr::from(peer)) {
        Ok(n) => {
            totals.sent += 1;
            totals.bytes_out += n as u64;
            report.count_out(n as u64);
            let bytes = Bytes::copy_from_slice(&bytes[..n]);
            cause.emit(Event::datagram(Dir::Out, peer, totals.sent, bytes, None, start.elapsed()))?;
        }
        Err(e) => {
            report.emit(Event::Error {
                conn: None,
                message: msg!("error-sendto", peer = peer, error = describe_msg(&e)),
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_notes_are_rate_limited_and_count_across_a_wrap() {
        let start = Instant::now();
        let mut kernel = KernelDrops::default();
        assert_eq!(kernel.update(None, start), None);
        let first = kernel.update(Some(5), start).unwrap().to_string();
        assert!(first.contains("dropped 5 more datagrams (5 in all)"), "{first}");
        // Within the second: counted, not told.
        assert_eq!(kernel.update(Some(9), start + Duration::from_millis(500)), None);
        assert_eq!(kernel.update(None, start + Duration::from_millis(600)), None);
        let later = kernel.update(Some(10), start + Duration::from_secs(1)).unwrap().to_string();
        assert!(later.contains("dropped 5 more datagrams (10 in all)"), "{later}");
        // Nothing new: nothing said.
        assert_eq!(kernel.update(Some(10), start + Duration::from_secs(5)), None);
        // The counter wraps at 2^32.
        let mut kernel = KernelDrops { last: u32::MAX - 1, total: 100, told: 100, told_at: None };
        kernel.update(Some(3), start);
        assert_eq!(kernel.total, 105);
    }
}
