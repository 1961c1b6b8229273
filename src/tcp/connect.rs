//! `netplay tcp connect`: the course's client (socket, connect, send, recv,
//! close). One connection, so two plain threads do it: this one receives,
//! a second one sends the input and then half-closes (shutdown SHUT_WR), so
//! the server sees the end of the request and can still answer.

use std::io::{self, IsTerminal, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use bytes::Bytes;
use socket2::SockRef;

use super::direct;
use super::owed;
pub(crate) use super::owed::InputCut;
use crate::config::Sends;
use crate::config::tcp::{BytePath, ConnectConfig, Feed, HalfClose};
use crate::event::{Dir, Event, Family, Proto, Role};
use crate::input::{self, Input, Shrunk};
use crate::model::Locked;
use crate::model::{Op, SockOpt};
use crate::msg;
use crate::net::addr::Target;
use crate::net::socket::{self, SocketOptions};
use crate::net::{NetError, describe_msg};
use crate::packets::{LastTcpInfo, Packets};
use crate::sink::{OutputError, Report};
use crate::sys::ready::{Bell, Patient};

/// The only connection a client has.
const CONN: u64 = 1;

pub(crate) fn run(config: &ConnectConfig, report: Report) -> Result<()> {
    run_with(config, report, None)
}

/// [`run`] for `tcp connect` itself, which owns the process: SIGINT or
/// SIGTERM (Ctrl-C) cuts the connection with a RST before the process
/// dies of the signal, so the server learns at once that the stream was
/// cut instead of reading a FIN, the end of a whole stream.
pub(crate) fn run_owning_process(config: &ConnectConfig, report: Report) -> Result<()> {
    let socket: Socket = Arc::default();
    let held = socket.clone();
    crate::sys::stop::die_after(move || {
        if let Some(socket) = held.locked().as_ref() {
            super::cut::abort(SockRef::from(socket), true);
        }
    })?;
    run_with(config, report, Some(socket))
}

/// Where the signal handler of [`run_owning_process`] finds the socket.
type Socket = Arc<Mutex<Option<TcpStream>>>;

fn run_with(config: &ConnectConfig, report: Report, held: Option<Socket>) -> Result<()> {
    if let Sends::Input(feed) = &config.sends {
        feed.input.check()?;
    }
    Packets::around(&config.packets, &report.clone(), |packets| {
        exchange(config.clone(), report, packets, held)
    })
}

fn exchange(
    config: ConnectConfig,
    report: Report,
    packets: &mut Packets,
    held: Option<Socket>,
) -> Result<()> {
    let (stream, peer, start) = connected(&config, &report, packets, held)?;
    let reads_stdin = matches!(&config.sends, Sends::Input(feed) if feed.input == Input::Stdin);
    let (pending, seen) = watch_stdout(&stream, &report, reads_stdin);
    let feed = match &config.sends {
        Sends::Script(script) => return scripted(script, stream, peer, &config, &report, start),
        Sends::Input(feed) => feed,
    };
    if feed.input == Input::Stdin && io::stdin().is_terminal() {
        let message = msg!("notice-tcp-type-lines");
        report.emit(Event::Notice { conn: None, message })?;
    }
    // Lines typed at a terminal are sent as they come: none is ever
    // pending when stdout goes.
    let typing = feed.input == Input::Stdin && io::stdin().is_terminal();
    pending.set(!typing);
    let activity = Arc::new(Activity::new(start, config.packets.tcp_info, pending, seen)?);
    if feed.path == BytePath::Kernel && direct::receives() {
        // The direct path waits with poll(2), never in a call (tcp::direct).
        stream.set_nonblocking(true).map_err(|e| NetError::socket(Op::SetNonBlocking, peer, e))?;
    }
    let sender = spawn_sender(&stream, peer, feed, &report, &activity)?;

    let received = receive(&stream, peer, &config, feed.path, &report, &activity, &sender);
    tell_idle_close(&received, &stream, &report, &activity)?;
    // stdout's reader left while the input was still being sent: the run
    // ends now, without waiting for a sender that may be blocked on a
    // server that reads nothing more.
    let output_failed = matches!(&received, Err(e) if e.is::<OutputError>());
    if output_failed && activity.pending.once_stdout_left() {
        return Err(upload_cut(&stream, &activity, None).into());
    }
    let sent = join_sender(&received, sender, feed, typing, &activity);
    settle(received, sent, &stream, &report, &activity)?;
    activity.tcp_info.read(&stream);
    let tcp_info = activity.tcp_info.get();
    report.emit(Event::Closed {
        conn: CONN,
        bytes_in: activity.bytes_in.load(Ordering::Relaxed),
        bytes_out: activity.bytes_out.load(Ordering::Relaxed),
        duration: start.elapsed(),
        reason: None,
        tcp_info,
    })?;
    Ok(())
}

/// Connects (see [`open`]), gives the socket to the signal handler of
/// [`run_owning_process`] if it holds one, and tells the connection; the
/// run's times count from here.
fn connected(
    config: &ConnectConfig,
    report: &Report,
    packets: &mut Packets,
    held: Option<Socket>,
) -> Result<(TcpStream, SocketAddr, Instant)> {
    let stream = open(
        &config.target,
        config.family,
        config.bind,
        config.options,
        config.timeout,
        report,
        Some(packets),
    )?;
    if let Some(held) = held {
        *held.locked() = stream.try_clone().ok();
    }
    let start = Instant::now();
    let peer = stream.peer_addr().map_err(|e| NetError::socket(Op::GetPeerName, config.bind_or_any(), e))?;
    let local = stream.local_addr().map_err(|e| NetError::socket(Op::GetSockName, peer, e))?;
    let ephemeral = config.bind.is_none_or(|bind| bind.port() == 0);
    report.emit(Event::Connected { conn: CONN, local, peer, ephemeral })?;
    Ok((stream, peer, start))
}

/// A closed stdout must end the run even while recv waits for a server
/// that sends nothing: wake it. While the input is still being sent, the
/// upload is cut, and the server must not read a FIN, the end of a whole
/// stream: a RST instead (the last close, at the process's end). Returns
/// the hook's `pending` (input still to be sent: false until the sender
/// starts; `reads_stdin`: the input is stdin) and `seen` (see
/// [`stdout_left`]).
fn watch_stdout(
    stream: &TcpStream,
    report: &Report,
    reads_stdin: bool,
) -> (Arc<Pending>, Arc<Mutex<Option<u64>>>) {
    let pending = Arc::new(Pending { flag: AtomicBool::new(false), stdin: reads_stdin });
    let seen = Arc::new(Mutex::new(None));
    if let Ok(waker) = stream.try_clone() {
        let (pending, seen) = (pending.clone(), seen.clone());
        report.on_output_failure(move || stdout_left(&waker, pending.once_stdout_left(), &seen));
    }
    (pending, seen)
}

/// Input still to be sent: set before the sender starts (unless a person
/// types it), cleared once all of it was handed to the socket.
struct Pending {
    flag: AtomicBool,
    /// The input is stdin.
    stdin: bool,
}

impl Pending {
    fn set(&self, pending: bool) {
        self.flag.store(pending, Ordering::SeqCst);
    }

    /// Whether input is still to be sent, asked once stdout's reader left.
    /// An empty stdin (`< /dev/null`) whose end the sender has not read yet
    /// held nothing to cut: one look tells it (sys::ready::stdin_at_end, as
    /// tcp serve does), which may take a byte of a stdin being given up.
    fn once_stdout_left(&self) -> bool {
        if self.flag.load(Ordering::SeqCst) && self.stdin && crate::sys::ready::stdin_at_end() {
            self.set(false);
        }
        self.flag.load(Ordering::SeqCst)
    }
}

/// Starts the thread that sends the input; when sending fails, it wakes
/// the receiving side and shuts the socket down.
fn spawn_sender(
    stream: &TcpStream,
    peer: SocketAddr,
    feed: &Feed,
    report: &Report,
    activity: &Arc<Activity>,
) -> Result<thread::JoinHandle<Result<()>>> {
    let stream = stream.try_clone().map_err(|e| NetError::socket(Op::CloneSocket, peer, e))?;
    let (feed, report, activity) = (feed.clone(), report.clone(), activity.clone());
    let sender = thread::Builder::new().name("send".into()).spawn(move || {
        let sent = send_input(&stream, peer, &feed, &report, &activity);
        if let Err(e) = &sent {
            // Wake the receiving thread: the run is over.
            activity.stopping.store(true, Ordering::SeqCst);
            activity.bell.ring();
            if e.is::<Shrunk>() {
                // A RST, not a FIN: what the server got is not the
                // file. SHUT_RD sends nothing; it wakes a recv.
                super::cut::abort(SockRef::from(&stream), true);
                let _ = stream.shutdown(Shutdown::Read);
            } else {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        sent
    })?;
    Ok(sender)
}

/// Ended by --timeout as tcp serve's --idle-timeout ends a client: the
/// close is told, with TCP_INFO read just before it.
fn tell_idle_close(
    received: &Result<()>,
    stream: &TcpStream,
    report: &Report,
    activity: &Activity,
) -> Result<()> {
    if let Err(e) = received
        && let Some(NetError::Idle { after, flag, .. }) = e.downcast_ref::<NetError>()
    {
        activity.tcp_info.read(stream);
        report.emit(Event::Closed {
            conn: CONN,
            bytes_in: activity.bytes_in.load(Ordering::Relaxed),
            bytes_out: activity.bytes_out.load(Ordering::Relaxed),
            duration: activity.start.elapsed(),
            reason: Some(msg!("reason-idle", after = crate::i18n::Arg::duration(*after), flag = *flag)),
            tcp_info: activity.tcp_info.get(),
        })?;
    }
    Ok(())
}

/// The sender's end, once the receiving side has ended `received`: waited
/// for when it matters, taken as Ok(()) when the sender may be blocked for
/// good (reading a terminal).
fn join_sender(
    received: &Result<()>,
    sender: thread::JoinHandle<Result<()>>,
    feed: &Feed,
    typing: bool,
    activity: &Activity,
) -> Result<()> {
    // The server's EOF closes only its direction: input is sent whole
    // before we close, as `nc -N` does, and a send that fails says so. A
    // person typing at a terminal is the exception: once the server has
    // closed, nothing typed can bring an answer, so the run ends.
    // After a failed receive, a sender blocked reading stdin may never
    // return: only a finite input is waited for then.
    let stdin = feed.input == Input::Stdin;
    let wait = match received {
        Ok(()) => !typing,
        Err(_) => !stdin,
    };
    // A receiver stopped by the sender's failure waits for its error.
    let stopped = matches!(received, Err(e) if e.is::<Stopped>());
    // The direct path's sender waits with the bell: rung, it returns at
    // once, with its own failure if it met one (how much was sent).
    let direct_sender = feed.path == BytePath::Kernel && direct::carries(&feed.input);
    if received.is_err() && direct_sender {
        activity.stopping.store(true, Ordering::SeqCst);
        activity.bell.ring();
    }
    if sender.is_finished() || wait || stopped || (received.is_err() && direct_sender) {
        sender.join().unwrap_or_else(|_| bail!("the send thread panicked"))
    } else {
        Ok(())
    }
}

/// The run's error from what the two sides met, or Ok(()) when both ended
/// well and stdout took everything.
fn settle(
    received: Result<()>,
    sent: Result<()>,
    stream: &TcpStream,
    report: &Report,
    activity: &Activity,
) -> Result<()> {
    // A closed stdout ends the run quietly whichever thread met it first;
    // the other thread's error is then only its consequence. Input that
    // could not all be sent says how much was: that is what a person needs
    // to know, more than which thread saw the reset first.
    // Both ends may also have finished while only the output thread met
    // the closed stdout (the hook of [`watch_stdout`] then shut the socket
    // down).
    let gone = |e: anyhow::Error| {
        if activity.pending.once_stdout_left() {
            return upload_cut(stream, activity, None).into();
        }
        match owes(stream, activity) {
            Some(owed) => upload_cut(stream, activity, Some(owed)).into(),
            None => e,
        }
    };
    match (received, sent) {
        (Err(e), _) | (_, Err(e)) if e.is::<OutputError>() => Err(gone(e)),
        (Ok(()), Ok(())) => match report.check() {
            Err(e) => Err(gone(e.into())),
            Ok(()) => Ok(()),
        },
        (received, Err(e)) if matches!(e.downcast_ref::<NetError>(), Some(NetError::Unsent { .. })) => {
            Err(reset_first(e, received))
        }
        (_, Err(e)) if e.is::<Shrunk>() => Err(e),
        // The sender stopped because the receiver failed.
        (Err(e), Err(sent)) if sent.is::<Stopped>() => Err(e),
        // The receiving side stopped because the sending side failed.
        (Err(e), Err(sent)) if e.is::<Stopped>() => Err(sent),
        (received, sent) => {
            received?;
            sent
        }
    }
}

/// `--script`: the steps instead of the input, then the close, with the
/// totals of what the script moved (played to its end or not).
fn scripted(
    script: &crate::script::Script,
    stream: TcpStream,
    peer: SocketAddr,
    config: &ConnectConfig,
    report: &Report,
    start: Instant,
) -> Result<()> {
    use crate::script::{DEFAULT_TIMEOUT, Failed, Settings, TcpConn};
    let tcp_info = LastTcpInfo::new(config.packets.tcp_info);
    let mut conn = TcpConn::new(stream, peer);
    let settings = Settings {
        conn: Some(CONN),
        timeout: config.timeout.unwrap_or(DEFAULT_TIMEOUT),
        recv_size: config.recv_size,
        start,
    };
    let played = crate::script::play(script, &mut conn, report, &settings);
    let (totals, reason) = match &played {
        Ok(totals) => (*totals, None),
        Err(e) => match e.downcast_ref::<Failed>() {
            Some(failed) => (failed.played, Some(msg!("closed-script-failed", line = failed.line))),
            None => return played.map(drop),
        },
    };
    if let Some(stream) = conn.stream() {
        tcp_info.read(stream);
    }
    drop(conn);
    report.count_in(totals.bytes_in);
    report.count_out(totals.bytes_out);
    report.emit(Event::Closed {
        conn: CONN,
        bytes_in: totals.bytes_in,
        bytes_out: totals.bytes_out,
        duration: start.elapsed(),
        reason,
        tcp_info: tcp_info.get(),
    })?;
    played.map(drop)
}

impl ConnectConfig {
    fn bind_or_any(&self) -> SocketAddr {
        self.bind.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)))
    }
}

/// Resolves the target and tries each address in turn, reporting each
/// attempt, until one connects. `tcp bench` connects the same way. With
/// `packets`, the capture starts before each connect() and learns which
/// connection is the client's own.
pub(crate) fn open(
    target: &Target,
    family: Option<Family>,
    bind: Option<SocketAddr>,
    options: SocketOptions,
    timeout: Option<Duration>,
    report: &Report,
    mut packets: Option<&mut Packets>,
) -> Result<TcpStream> {
    let Target { host, port } = target;
    let addrs = socket::resolve_target(target, family, bind, report)?;
    let mut attempts = Vec::new();
    for addr in &addrs {
        let socket = socket::open(addr, Proto::Tcp, Role::Client, options, report)?;
        if let Some(bind) = bind {
            // Reusing the address lets --source-port work again right after
            // an earlier run left the port in TIME_WAIT (where it is needed).
            if crate::sys::reuse::CLIENT_SOURCE_PORT {
                socket
                    .set_reuse_address(true)
                    .map_err(|e| NetError::socket(Op::SetOption(SockOpt::ReuseAddr), bind, e))?;
            }
            socket::bind(&socket, &bind, Role::Client, report)?;
        }
        if let Some(packets) = packets.as_deref_mut() {
            packets.before_connect(*addr, bind, true)?;
        }
        let connected = socket::connect(&socket, addr, timeout, report)?;
        if let Some(packets) = packets.as_deref() {
            match socket.local_addr().ok().and_then(|a| a.as_socket()) {
                Some(local) if connected.is_ok() => packets.client(local),
                _ => packets.settled(),
            }
        }
        match connected {
            Ok(()) => return Ok(socket.into()),
            Err(e) => {
                report.emit(Event::ConnectFailed { addr: *addr, error: describe_msg(&e) })?;
                attempts.push((*addr, e));
            }
        }
    }
    Err(NetError::AllAttemptsFailed { host: host.clone(), port: *port, attempts }.into())
}

/// Counters and the time of the last byte either way, shared by the two
/// threads so "idle" means nothing moved in either direction.
struct Activity {
    start: Instant,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    /// Microseconds since `start` of the last send.
    last_send_us: AtomicU64,
    /// Read after each step, for the `closed` event.
    tcp_info: LastTcpInfo,
    /// Set when one thread failed: the other one's end is its consequence.
    stopping: AtomicBool,
    /// Rung with `stopping`, for the direct path's waits.
    bell: Bell,
    /// Input is still to be sent ([`Pending`]).
    pending: Arc<Pending>,
    /// The server's unread bytes when stdout's reader left ([`stdout_left`]).
    seen: Arc<Mutex<Option<u64>>>,
}

impl Activity {
    fn new(
        start: Instant,
        tcp_info: bool,
        pending: Arc<Pending>,
        seen: Arc<Mutex<Option<u64>>>,
    ) -> io::Result<Activity> {
        Ok(Activity {
            start,
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            last_send_us: AtomicU64::new(0),
            tcp_info: LastTcpInfo::new(tcp_info),
            stopping: AtomicBool::new(false),
            bell: Bell::new()?,
            pending,
            seen,
        })
    }

    fn since_last_send(&self) -> Duration {
        let last = Duration::from_micros(self.last_send_us.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

fn send_input(
    stream: &TcpStream,
    peer: SocketAddr,
    feed: &Feed,
    report: &Report,
    activity: &Activity,
) -> Result<()> {
    // CR LF line ends need the bytes in our memory.
    let direct = match feed.path == BytePath::Kernel && !feed.crlf && direct::carries(&feed.input) {
        true => direct::open_input(&feed.input)?,
        false => None,
    };
    let mut chunk = 0u64;
    let fed = match direct {
        Some(input) => send_direct(&input, stream, peer, report, activity),
        None => {
            let shown = report.shows_sends();
            let mut crlf = feed.crlf.then(input::Crlf::default);
            feed.input.feed(input::SEND_CHUNK, |read| {
                let bytes = match crlf.as_mut() {
                    Some(crlf) => crlf.convert(read),
                    None => std::borrow::Cow::Borrowed(read),
                };
                let bytes = &bytes[..];
                // Stamped before the call: what the server does with these
                // bytes is shown after this send, whichever thread reports
                // first.
                let cause = shown.then(|| report.cause(bytes.len())).transpose()?;
                // Patient: on the direct path the socket is non-blocking.
                Patient(stream).write_all(bytes).map_err(|e| NetError::Unsent {
                    addr: peer,
                    sent: activity.bytes_out.load(Ordering::Relaxed),
                    source: e,
                })?;
                chunk += 1;
                let offset = activity.bytes_out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                report.count_out(bytes.len() as u64);
                let elapsed = activity.start.elapsed();
                activity.last_send_us.store(elapsed.as_micros() as u64, Ordering::Relaxed);
                if let Some(cause) = cause {
                    cause.emit(Event::data(
                        CONN,
                        Dir::Out,
                        chunk,
                        Bytes::copy_from_slice(bytes),
                        offset,
                        elapsed,
                    ))?;
                }
                activity.tcp_info.read_after_data(&stream);
                Ok(())
            })
        }
    };
    fed?;
    activity.pending.set(false);
    // Ctrl-D at a terminal is a person saying they are done, sent or not.
    let typed = feed.input == Input::Stdin && io::stdin().is_terminal();
    let half_close = match feed.half_close {
        HalfClose::AfterData if typed => HalfClose::Always,
        other => other,
    };
    if half_close.after(activity.bytes_out.load(Ordering::Relaxed)) {
        activity.tcp_info.read(&stream);
        let cause = report.cause(0)?;
        match stream.shutdown(Shutdown::Write) {
            Ok(()) => {
                cause.emit(Event::Shutdown { conn: CONN })?;
                activity.tcp_info.read(&stream);
            }
            // The server may have closed first; reading will tell.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
            Err(e) => return Err(NetError::socket(Op::Shutdown, peer, e).into()),
        }
    }
    Ok(())
}

/// Sends the input on the direct path (tcp::direct): no event per chunk.
fn send_direct(
    input: &direct::Opened,
    stream: &TcpStream,
    peer: SocketAddr,
    report: &Report,
    activity: &Activity,
) -> Result<()> {
    let sent = |n: usize| {
        activity.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
        report.count_out(n as u64);
        activity.last_send_us.store(activity.start.elapsed().as_micros() as u64, Ordering::Relaxed);
        activity.tcp_info.read_after_data(&stream);
    };
    let tally = direct::send(&input.file, &input.name, stream, None, Some(&activity.bell), sent).map_err(
        |failure| match failure {
            direct::Failure::Input(e) => anyhow::Error::new(e).context(input.reading.clone()),
            direct::Failure::Shrunk { size, sent } => Shrunk { what: input.name.clone(), size, sent }.into(),
            direct::Failure::Stopped => Stopped.into(),
            other => NetError::Unsent {
                addr: peer,
                sent: activity.bytes_out.load(Ordering::Relaxed),
                source: other.into_io(),
            }
            .into(),
        },
    )?;
    for message in tally.note(Dir::Out).into_iter().chain(tally.way_note()) {
        report.emit(Event::Notice { conn: Some(CONN), message })?;
    }
    Ok(())
}

fn receive(
    mut stream: &TcpStream,
    peer: SocketAddr,
    config: &ConnectConfig,
    path: BytePath,
    report: &Report,
    activity: &Activity,
    sender: &thread::JoinHandle<Result<()>>,
) -> Result<()> {
    stream.set_read_timeout(config.timeout).map_err(|e| NetError::socket(Op::SetTimeout, peer, e))?;
    // Nothing sending means idle once the read times out; while sending,
    // only when sending is idle too.
    let idle = || {
        let limit = config.timeout.unwrap_or_default();
        let idle = sender.is_finished() || activity.since_last_send() >= limit;
        idle.then_some(NetError::Idle {
            what: Op::WaitData,
            addr: peer,
            after: limit,
            flag: config.front.idle_flag(Role::Client),
        })
    };
    if path == BytePath::Kernel && direct::receives() {
        let out = direct::stdout().map_err(OutputError)?;
        let mut receiver = direct::Receiver::new(stream, &out, config.recv_size, Some(&activity.bell));
        let received = |n: usize| {
            activity.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
            report.count_in(n as u64);
            activity.tcp_info.read_after_data(&stream);
        };
        loop {
            let next = match receiver.next(config.timeout, received) {
                Ok(direct::End::Eof) if activity.stopping.load(Ordering::SeqCst) => {
                    Err(direct::Failure::Stopped)
                }
                next => next,
            };
            match next {
                Ok(direct::End::Eof) => {
                    activity.tcp_info.read(&stream);
                    if let Some(message) = receiver.tally().note(Dir::In) {
                        report.emit(Event::Notice { conn: Some(CONN), message })?;
                    }
                    report.emit(Event::Eof { conn: CONN })?;
                    return Ok(());
                }
                Ok(direct::End::TimedOut) => match idle() {
                    Some(idle) => return Err(idle.into()),
                    None => continue,
                },
                Err(direct::Failure::Output(e)) => {
                    // The sender stops too, as when the report's output fails.
                    stdout_left(stream, activity.pending.once_stdout_left(), &activity.seen);
                    activity.stopping.store(true, Ordering::SeqCst);
                    activity.bell.ring();
                    return Err(OutputError(e).into());
                }
                Err(direct::Failure::Stopped) => return Err(Stopped.into()),
                Err(failure) => return Err(NetError::socket(Op::Recv, peer, failure.into_io()).into()),
            }
        }
    }
    let mut buf = vec![0u8; config.recv_size];
    let mut chunk = 0u64;
    loop {
        match stream.read(&mut buf) {
            // Woken by the sending side's failure: no EOF of the peer's.
            Ok(0) if activity.stopping.load(Ordering::SeqCst) => return Err(Stopped.into()),
            Ok(0) => {
                activity.tcp_info.read(&stream);
                report.emit(Event::Eof { conn: CONN })?;
                return Ok(());
            }
            Ok(n) => {
                activity.tcp_info.read_after_data(&stream);
                chunk += 1;
                let offset = activity.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                report.count_in(n as u64);
                let bytes = Bytes::copy_from_slice(&buf[..n]);
                report.emit(Event::data(CONN, Dir::In, chunk, bytes, offset, activity.start.elapsed()))?;
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                if let Some(idle) = idle() {
                    return Err(idle.into());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(NetError::socket(Op::Recv, peer, e).into()),
        }
    }
}

/// stdout's reader left: the run ends. With input still `pending`, the
/// connection is cut so the server knows its stream is not whole (SO_LINGER
/// 0: the last close sends a RST; SHUT_RD sends nothing and wakes a recv);
/// otherwise both directions are shut down, a FIN if none was sent yet,
/// once the server's unread bytes are read into `seen`: a socket shut for
/// reading answers the next bytes that come with a RST, after which the
/// server's socket is no longer found ([`owed::untaken`]).
fn stdout_left(stream: &TcpStream, pending: bool, seen: &Mutex<Option<u64>>) {
    match pending {
        true => {
            super::cut::abort(SockRef::from(stream), true);
            let _ = stream.shutdown(Shutdown::Read);
        }
        false => {
            *seen.locked() = crate::capture::peer_unread(stream).ok().flatten();
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// stdout's reader left after the input was all handed to the socket:
/// whether the server had not taken some of it once the socket and the
/// server had a moment ([`owed::untaken_after_drain`]): the last close,
/// with the server's bytes left unread, is a RST that throws away what the
/// socket held, and a server that meets it may stop reading what its own
/// socket held.
/// The server's unread bytes as read when stdout's reader left, before the
/// socket was shut down, start the drain (`activity.seen`).
fn owes(stream: &TcpStream, activity: &Activity) -> Option<owed::Owed> {
    let seen = *activity.seen.locked();
    let owed = owed::untaken_after_drain(
        &SockRef::from(stream),
        owed::End::Connected,
        activity.bytes_out.load(Ordering::Relaxed),
        seen,
    );
    owed.any().then_some(owed)
}

/// The upload cut by stdout's reader leaving: the connection is aborted
/// (SO_LINGER 0) so the server reads a RST, not the FIN of a whole stream.
/// The peer's reset is given once (ECONNRESET), to whichever call meets it
/// first: when the receiving thread took it, the sending thread's next call
/// got EPIPE, and the line would say "broken pipe" of a connection the peer
/// reset. The unsent line then names the reset the receiver met.
fn reset_first(unsent: anyhow::Error, received: Result<()>) -> anyhow::Error {
    let Err(received) = received else { return unsent };
    let reset = match received.downcast::<NetError>() {
        Ok(NetError::Socket { source, .. }) if source.kind() == io::ErrorKind::ConnectionReset => source,
        _ => return unsent,
    };
    match unsent.downcast::<NetError>() {
        Ok(NetError::Unsent { addr, sent, source }) if source.kind() == io::ErrorKind::BrokenPipe => {
            NetError::Unsent { addr, sent, source: reset }.into()
        }
        Ok(other) => other.into(),
        Err(unsent) => unsent,
    }
}

/// `owed`: what the drain found, read again otherwise.
fn upload_cut(stream: &TcpStream, activity: &Activity, owed: Option<owed::Owed>) -> InputCut {
    let sent = activity.bytes_out.load(Ordering::Relaxed);
    let owed =
        owed.unwrap_or_else(|| owed::untaken(&SockRef::from(stream), owed::End::Connected, sent, &mut None));
    super::cut::abort(SockRef::from(stream), true);
    InputCut { sent, pending: activity.pending.once_stdout_left(), owed }
}

/// The receiving side's end when the sending side failed first: never
/// shown (the sending side's error is the run's).
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("receiving stopped: sending failed")
    }
}

impl std::error::Error for Stopped {}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsent(kind: io::ErrorKind) -> anyhow::Error {
        NetError::Unsent { addr: "127.0.0.1:9".parse().unwrap(), sent: 1 << 20, source: kind.into() }.into()
    }

    fn received(kind: io::ErrorKind) -> Result<()> {
        Err(NetError::socket(Op::Recv, "127.0.0.1:9".parse().unwrap(), kind.into()).into())
    }

    fn kind(e: &anyhow::Error) -> Option<io::ErrorKind> {
        match e.downcast_ref::<NetError>() {
            Some(NetError::Unsent { source, sent: 1_048_576, .. }) => Some(source.kind()),
            _ => None,
        }
    }

    /// The fault matrix's reset peer (tests/suite/relay_faults.rs) failed once in
    /// CI: the receiver had taken the peer's ECONNRESET, the sender's next
    /// call got EPIPE, and the line said "broken pipe".
    #[test]
    fn an_unsent_line_names_the_reset_the_receiver_met() {
        use io::ErrorKind::{BrokenPipe, ConnectionReset, TimedOut};
        let e = reset_first(unsent(BrokenPipe), received(ConnectionReset));
        assert_eq!(kind(&e), Some(ConnectionReset));
        // Nothing else changes: the receiver ended well or otherwise, or
        // the sender met something else than EPIPE.
        assert_eq!(kind(&reset_first(unsent(BrokenPipe), Ok(()))), Some(BrokenPipe));
        assert_eq!(kind(&reset_first(unsent(BrokenPipe), received(TimedOut))), Some(BrokenPipe));
        assert_eq!(kind(&reset_first(unsent(TimedOut), received(ConnectionReset))), Some(TimedOut));
    }
}
