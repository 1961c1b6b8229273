//! `netplay udp send`: the non-connected client. Datagrams go out with
//! sendto() (or send() on a `--connect`ed socket) from a second thread,
//! while this one receives, so a reply is shown as it comes, even while
//! stdin is still being typed, and none is lost before `--wait` ends.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use bytes::Bytes;
use socket2::{SockAddr, Socket};

use super::{max_datagram, max_reason, recv_datagram};
use crate::config::Sends;
use crate::config::udp::{Feed, SendConfig};
use crate::event::{Dir, Event, Family, Proto, Role};
use crate::input::{self, Input, StdinDatagrams, TooLong};
use crate::model::Op;
use crate::model::{Locked, Waits};
use crate::msg;
use crate::net::addr::Target;
use crate::net::socket::{self, SocketOptions};
use crate::net::{NetError, describe_msg};
use crate::packets::{ClientHandle, Packets};
use crate::sink::Report;

/// How often the receiving thread looks whether sending has ended.
const POLL: Duration = Duration::from_millis(50);

pub(crate) fn run(config: &SendConfig, report: Report) -> Result<()> {
    if let Sends::Input(feed) = &config.sends {
        feed.input.check()?;
    }
    Packets::around(&config.packets, &report.clone(), |packets| exchange(config, report, packets))
}

fn exchange(config: &SendConfig, report: Report, packets: &mut Packets) -> Result<()> {
    let start = Instant::now();
    let (socket, peer) = open(&config.target, config.family, config.bind, config.connect, &report)?;
    // Nothing is on the wire yet (a UDP connect() sends nothing).
    packets.before_connect(peer, config.bind, false)?;
    if let Some(local) = socket.local_addr().ok().and_then(|a| a.as_socket()).filter(|a| a.port() != 0) {
        packets.client(local);
    }
    let client = packets.handle();
    let feed = match &config.sends {
        Sends::Script(script) => return scripted(script, socket, peer, config, &report, start, client),
        Sends::Input(feed) => feed,
    };
    let family = Family::of(&peer);
    let max = max_datagram(family);
    // Every datagram of a finite input is checked before the first is sent.
    let ready =
        feed.input.datagrams(max, feed.stdin == StdinDatagrams::Whole).map_err(|e| too_long(e, family))?;
    if ready.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let message = msg!("notice-udp-type-lines");
        report.emit(Event::Notice { conn: None, message })?;
    }

    let socket = Arc::new(socket);
    let shared = Arc::new(Shared {
        start,
        finished: OnceLock::new(),
        last_move_us: AtomicU64::new(0),
        sent: Default::default(),
        stopped: Mutex::new(false),
        wake: Condvar::new(),
    });
    let sender = {
        let (socket, config, feed, report, shared) =
            (socket.clone(), config.clone(), feed.clone(), report.clone(), shared.clone());
        thread::Builder::new()
            .name("send".into())
            .spawn(move || send_all(&socket, peer, ready, (&config, &feed), &report, &shared, &client))?
    };
    let received = match receive(&socket, peer, config, feed, &report, &shared, &sender) {
        Ok(received) => received,
        Err(e) => {
            // A finite input's sender stops at once: let it report what it
            // sent (its own error, if any, is the same refusal). One reading
            // stdin may be blocked there for good: leave it.
            shared.stop();
            if feed.input != Input::Stdin {
                let _ = sender.join();
            }
            return Err(e);
        }
    };
    sender.join().unwrap_or_else(|_| bail!("the send thread panicked"))?;
    report.emit(Event::Done {
        sent: shared.sent.datagrams.load(Ordering::Relaxed),
        received: received.datagrams.load(Ordering::Relaxed),
        bytes_out: shared.sent.bytes.load(Ordering::Relaxed),
        bytes_in: received.bytes.load(Ordering::Relaxed),
        duration: start.elapsed(),
        server: None,
    })?;
    Ok(())
}

/// `--script`: the steps instead of the input; the totals after, played
/// to its end or not.
fn scripted(
    script: &crate::script::Script,
    socket: Socket,
    peer: SocketAddr,
    config: &SendConfig,
    report: &Report,
    start: Instant,
    client: ClientHandle,
) -> Result<()> {
    use crate::script::{DEFAULT_TIMEOUT, Failed, Settings, UdpConn};
    let bound = config.bind.is_some() || config.connect;
    let mut conn = Capturing { inner: UdpConn::client(socket, peer, config.connect, bound), client };
    let settings = Settings { conn: None, timeout: DEFAULT_TIMEOUT, recv_size: config.recv_size, start };
    let played = crate::script::play(script, &mut conn, report, &settings);
    let totals = match &played {
        Ok(totals) => *totals,
        Err(e) => match e.downcast_ref::<Failed>() {
            Some(failed) => failed.played,
            None => return played.map(drop),
        },
    };
    report.count_in(totals.bytes_in);
    report.count_out(totals.bytes_out);
    report.emit(Event::Done {
        sent: totals.datagrams_out,
        received: totals.datagrams_in,
        bytes_out: totals.bytes_out,
        bytes_in: totals.bytes_in,
        duration: start.elapsed(),
        server: None,
    })?;
    played.map(drop)
}

/// A script's socket whose port, given by its first sendto(), is told to
/// the capture (`--packets`): from then on it shows this socket's packets
/// only, not those of another client of the same server.
struct Capturing {
    inner: crate::script::UdpConn,
    client: ClientHandle,
}

impl crate::script::Conn for Capturing {
    fn transport(&self) -> crate::script::Transport {
        self.inner.transport()
    }

    fn peer(&self) -> Option<SocketAddr> {
        self.inner.peer()
    }

    fn send(&mut self, bytes: &[u8], deadline: Instant) -> std::io::Result<()> {
        self.inner.send(bytes, deadline)
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> std::io::Result<crate::script::Came> {
        self.inner.recv(buf, deadline)
    }

    fn shutdown(&mut self) -> std::io::Result<()> {
        self.inner.shutdown()
    }

    fn close(&mut self) -> std::io::Result<()> {
        self.inner.close()
    }

    fn reset(&mut self) -> std::io::Result<()> {
        self.inner.reset()
    }

    fn new_local(&mut self) -> Option<SocketAddr> {
        let local = self.inner.new_local()?;
        self.client.client(local);
        Some(local)
    }
}

/// Datagrams and bytes one way.
#[derive(Debug, Default)]
struct Count {
    datagrams: AtomicU64,
    bytes: AtomicU64,
}

impl Count {
    /// Counts one datagram; returns its number, from 1.
    fn add(&self, len: usize) -> u64 {
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        self.datagrams.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// The sender's end when the receiver failed first: never shown (the
/// receiver's error is the run's).
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sending stopped: receiving failed")
    }
}

impl std::error::Error for Stopped {}

/// What the two threads share.
struct Shared {
    start: Instant,
    /// Microseconds from `start` to the last datagram sent or received.
    last_move_us: AtomicU64,
    /// When the last datagram was sent; unset while sending, and for good
    /// when sending failed.
    finished: OnceLock<Instant>,
    sent: Count,
    /// Set when receiving failed (a refusal): the sender sends no more,
    /// and a pause between datagrams ends at once.
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Shared {
    /// A datagram went or came now.
    fn moved(&self) {
        self.last_move_us.fetch_max(self.start.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// How long nothing has moved either way.
    fn still(&self) -> Duration {
        let last = Duration::from_micros(self.last_move_us.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }

    /// Tells the sender to stop: what it sends next would not change the
    /// outcome, and a long `--interval` must not keep the run going.
    fn stop(&self) {
        *self.stopped.locked() = true;
        self.wake.notify_all();
    }

    /// Waits `pause`, or less if told to stop; true if told to stop.
    fn pause(&self, pause: Duration) -> bool {
        let stopped = self.stopped.locked();
        let (stopped, _) = self.wake.waited_for_while(stopped, pause, |stopped| !*stopped);
        *stopped
    }

    fn is_stopped(&self) -> bool {
        *self.stopped.locked()
    }
}

/// Resolves the target, then builds the socket: socket, bind if asked,
/// and with `connect` connect, trying each address in turn. `udp bench`
/// opens its sending socket the same way.
pub(crate) fn open(
    target: &Target,
    family: Option<Family>,
    bind: Option<SocketAddr>,
    connect: bool,
    report: &Report,
) -> Result<(Socket, SocketAddr)> {
    let Target { host, port } = target;
    let addrs = socket::resolve_target(target, family, bind, report)?;
    let ephemeral = bind.is_none_or(|b| b.port() == 0);

    if !connect {
        let peer = addrs[0];
        if addrs.len() > 1 {
            let message = msg!("notice-udp-many-addresses", host = host, count = addrs.len(), peer = peer);
            report.emit(Event::Notice { conn: None, message })?;
        }
        let socket = socket::open(&peer, Proto::Udp, Role::Client, SocketOptions::default(), report)?;
        if let Some(bind) = bind {
            socket::bind(&socket, &bind, Role::Client, report)?;
        }
        return Ok((socket, peer));
    }

    let mut attempts = Vec::new();
    for (i, addr) in addrs.iter().enumerate() {
        let socket = socket::open(addr, Proto::Udp, Role::Client, SocketOptions::default(), report)?;
        if let Some(bind) = bind {
            socket::bind(&socket, &bind, Role::Client, report)?;
        }
        match socket::connect(&socket, addr, None, report)? {
            Ok(()) => {
                let local = socket::local_addr(&socket, addr)?;
                report.emit(Event::SendingFrom { local, peer: *addr, connected: true, ephemeral })?;
                if i + 1 < addrs.len() {
                    let message = msg!("notice-udp-connect-first", addr = addr, host = host);
                    report.emit(Event::Notice { conn: None, message })?;
                }
                return Ok((socket, *addr));
            }
            // Only local reasons fail a UDP connect: no route, no such
            // address family on this machine.
            Err(e) => {
                report.emit(Event::ConnectFailed { addr: *addr, error: describe_msg(&e) })?;
                attempts.push((*addr, e));
            }
        }
    }
    Err(NetError::AllAttemptsFailed { host: host.clone(), port: *port, attempts }.into())
}

/// Input that makes a datagram longer than UDP carries, the limit named:
/// exit.rs gives it the usage code (the run was asked the impossible).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TooLongForUdp(pub crate::i18n::Msg);

/// A datagram too long for UDP becomes [`TooLongForUdp`].
fn too_long(err: anyhow::Error, family: Family) -> anyhow::Error {
    match err.downcast::<TooLong>() {
        Ok(t) => TooLongForUdp(msg!(
            "usage-datagram-too-long",
            what = t.what.clone(),
            size = t.size_text(),
            family = family.name(),
            why = max_reason(family),
        ))
        .into(),
        Err(other) => other,
    }
}

fn send_op(connected: bool) -> Op {
    if connected { Op::SendConnectedUdp } else { Op::SendTo }
}

/// Sends the input, `count` times over, `interval` apart, then marks the
/// end so the receiver knows how long to go on.
fn send_all(
    socket: &Socket,
    peer: SocketAddr,
    ready: Option<Vec<Vec<u8>>>,
    (config, feed): (&SendConfig, &Feed),
    report: &Report,
    shared: &Shared,
    client: &ClientHandle,
) -> Result<()> {
    let target = SockAddr::from(peer);
    let crlf = std::cell::RefCell::new(feed.crlf.then(input::Crlf::default));
    let one = |read: &[u8]| -> Result<()> {
        let mut crlf = crlf.borrow_mut();
        let bytes = match crlf.as_mut() {
            Some(crlf) => crlf.convert(read),
            None => std::borrow::Cow::Borrowed(read),
        };
        let bytes = &bytes[..];
        let sent_before = shared.sent.datagrams.load(Ordering::Relaxed);
        let stopped = match feed.interval {
            Some(pause) if sent_before > 0 => shared.pause(pause),
            _ => shared.is_stopped(),
        };
        if stopped {
            return Err(Stopped.into());
        }
        // Stamped before the call, so the server's recvfrom shows after it.
        let cause = report.cause(bytes.len())?;
        let sent = if config.connect { socket.send(bytes) } else { socket.send_to(bytes, &target) };
        let n = sent.map_err(|e| NetError::socket(send_op(config.connect), peer, e))?;
        shared.moved();
        let seq = shared.sent.add(n);
        report.count_out(n as u64);
        let bytes = Bytes::copy_from_slice(&bytes[..n]);
        cause.emit(Event::datagram(Dir::Out, peer, seq, bytes, None, shared.start.elapsed()))?;
        if sent_before == 0 && !config.connect {
            // The socket had no port until this first sendto() gave it one:
            // told after the datagram, as getsockname() answers only then
            // (before it, Python's returns port 0).
            let local = socket::local_addr(socket, &peer)?;
            client.client(local);
            let ephemeral = config.bind.is_none_or(|b| b.port() == 0);
            report.emit(Event::SendingFrom { local, peer, connected: false, ephemeral })?;
        }
        Ok(())
    };
    match ready {
        Some(datagrams) => {
            for _ in 0..feed.count {
                datagrams.iter().try_for_each(|d| one(d))?;
            }
        }
        None if feed.stdin == StdinDatagrams::Reads => {
            // A read whose every byte is a LF doubles with --crlf.
            let max = max_datagram(Family::of(&peer));
            input::stdin_reads(if feed.crlf { max / 2 } else { max }, one)?
        }
        None => {
            let family = Family::of(&peer);
            input::stdin_lines(max_datagram(family), one).map_err(|e| too_long(e, family))?
        }
    }
    if !feed.wait.is_zero() && feed.wait != Duration::MAX {
        report.emit(Event::Waiting { wait: feed.wait, replies: feed.replies })?;
    }
    let _ = shared.finished.set(Instant::now());
    Ok(())
}

/// Receives until `--wait` after the last datagram sent, or until sending
/// fails. Returns the counts of what came in.
fn receive(
    socket: &Socket,
    peer: SocketAddr,
    config: &SendConfig,
    feed: &Feed,
    report: &Report,
    shared: &Shared,
    sender: &JoinHandle<Result<()>>,
) -> Result<Count> {
    let count = Count::default();
    let mut buf = vec![0u8; config.recv_size];
    let set_timeout =
        |limit| crate::sys::timeout::set_read(socket, limit).map_err(|e| fail(Op::SetTimeout, peer, e));
    loop {
        let answered = feed.replies.is_some_and(|n| count.datagrams.load(Ordering::Relaxed) >= n);
        if answered && shared.finished.get().is_some() {
            return Ok(count);
        }
        let limit = match (sender.is_finished(), shared.finished.get()) {
            (false, _) => POLL,
            // Sending failed: its error ends the run.
            (true, None) => return Ok(count),
            (true, Some(&end)) => match end.checked_add(feed.wait) {
                // A wait too long for the clock to count is forever.
                None => POLL,
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(POLL),
                    _ => break,
                },
            },
        };
        // Output may have gone (`| head`) while nothing came.
        report.check()?;
        // Enough replies already: only the sender's end is awaited.
        let limit = if answered { limit.min(Duration::from_millis(1)) } else { limit };
        let limit = match feed.idle {
            Some(idle) => match idle.checked_sub(shared.still()) {
                Some(left) if !left.is_zero() => limit.min(left),
                _ => {
                    return Err(NetError::Idle {
                        what: Op::WaitDatagramsFrom,
                        addr: peer,
                        after: idle,
                        flag: "-w",
                    }
                    .into());
                }
            },
            None => limit,
        };
        set_timeout(limit)?;
        if take_one(socket, peer, config, report, shared, &count, &mut buf)? {
            shared.moved();
        }
    }
    // The wait is over: what has already arrived is still shown.
    socket.set_nonblocking(true).map_err(|e| fail(Op::SetNonBlocking, peer, e))?;
    while take_one(socket, peer, config, report, shared, &count, &mut buf)? {}
    Ok(count)
}

/// Receives one datagram and reports it; false when none came in time.
fn take_one(
    socket: &Socket,
    peer: SocketAddr,
    config: &SendConfig,
    report: &Report,
    shared: &Shared,
    count: &Count,
    buf: &mut [u8],
) -> Result<bool> {
    match recv_datagram(socket, buf) {
        Ok(got) => {
            let seq = count.add(got.kept);
            report.count_in(got.kept as u64);
            let bytes = Bytes::copy_from_slice(&buf[..got.kept]);
            report.emit(Event::datagram(
                Dir::In,
                got.from,
                seq,
                bytes,
                Some(got.arrived),
                shared.start.elapsed(),
            ))?;
            Ok(true)
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
            ) =>
        {
            Ok(false)
        }
        Err(e) => {
            let op = if config.connect { Op::RecvConnectedUdp } else { Op::RecvFromSending };
            Err(fail(op, peer, e).into())
        }
    }
}

fn fail(op: Op, addr: SocketAddr, e: io::Error) -> NetError {
    NetError::socket(op, addr, e)
}
