//! `netplay tcp serve`: the course's server (socket, bind, listen, accept,
//! recv, send, close), serving many clients at once on one event loop.
//!
//! Each connection has a reader task and a writer task fed by a bounded
//! outbox. Nothing is dropped by default: whatever is sent to a client
//! (echo, reply, the server's stdin, relayed chunks) waits for room in its
//! outbox, so a sender goes at the pace of its slowest reader, as TCP itself
//! does; a client that takes no data at all for `--stall-timeout` while
//! someone waits on it is cut, with that reason. Events go to the report
//! queue with `await`: a slow or blocked stdout slows reading (TCP's
//! back-pressure again) but never stops accepting, timeouts or signals.

use std::fs::File;
use std::io::{self, BufRead, IsTerminal, Read};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use socket2::SockRef;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio::task::{JoinHandle, JoinSet};

use super::direct::{self, Served};
use super::hub::{Cut, FanOut, Hub, SlowPolicy};
use super::outbox::{self, Inbox, Outbox};
use crate::config::tcp::{Clients, HalfClose, Owner, ServeConfig, StdinMode};
use crate::event::script::{ScriptEnd, ScriptTally};
use crate::event::{Dir, Event, Payload, Proto, Role};
use crate::i18n::{Arg, Msg};
use crate::input::Shrunk;
use crate::model::Locked;
use crate::model::Op;
use crate::msg;
use crate::net::limits::{self, OpenFiles};
use crate::net::socket::{self};
use crate::net::{NetError, describe_msg};
use crate::packets::{LastTcpInfo, Packets};
use crate::sink::{Cause, OutputError, Report};
use crate::sys::open_files;
use crate::sys::signals::Signals;

/// How long clients get to close when the server stops on a signal.
const CLOSE_PATIENCE: Duration = Duration::from_millis(400);
/// How long the last lines get to be written after a signal: an output
/// nobody reads must not keep a stopped server alive.
const OUTPUT_PATIENCE: Duration = Duration::from_millis(800);
/// Longest line read from stdin in Lines mode; a longer "line" (a file
/// with no newline) is sent in pieces of this size.
const MAX_LINE: usize = 64 * 1024;

pub fn run(config: &ServeConfig, report: Report) -> Result<()> {
    run_to_end(config, report).map(drop)
}

/// [`run`], saying which signal stopped the server, if one did.
pub fn run_to_end(config: &ServeConfig, report: Report) -> Result<Option<&'static str>> {
    let mut packets = Packets::new(&config.packets, &report)?;
    let files = if config.owner == Owner::Process {
        raise_open_files(config, &report)?
    } else {
        limits::open_files().unwrap_or(limits::UNKNOWN_OPEN_FILES)
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("start the event loop")?;
    let (signals, listener) = {
        let _inside = runtime.enter();
        // Handlers first: a signal sent as soon as "listening" shows must
        // stop the server cleanly, not kill it.
        let signals = if config.owner == Owner::Process { Some(Signals::new()?) } else { None };
        (signals, listen(config, &report, &mut packets)?)
    };
    let result = runtime.block_on(serve(listener, config.clone(), files, signals, report));
    // Tasks still blocked on a full output are not waited for.
    runtime.shutdown_timeout(Duration::from_millis(100));
    let finished = packets.finish();
    let stopped = result?;
    finished.map(|()| stopped)
}

/// Every client is a descriptor: take all the process may have, and say so.
fn raise_open_files(config: &ServeConfig, report: &Report) -> Result<OpenFiles> {
    let files = match limits::raise_open_files() {
        Ok(files) => files,
        Err(e) => {
            let message = msg!("notice-open-files-not-raised", error = describe_msg(&e));
            report.emit(Event::Notice { conn: None, message })?;
            return Ok(limits::UNKNOWN_OPEN_FILES);
        }
    };
    // Said where it matters: a server for many clients.
    let many = config.clients == Clients::Broadcast || config.max_conns.is_some();
    if let Some(before) = files.raised_from.filter(|_| many) {
        let message = msg!("notice-open-files-raised", before = before, after = files.soft);
        report.emit(Event::Notice { conn: None, message })?;
    }
    if let Some(max) = config.max_conns
        && max as u64 > files.soft
    {
        let message = msg!("notice-max-conns-above-files", max = max, limit = files.soft);
        report.emit(Event::Notice { conn: None, message })?;
    }
    Ok(files)
}

/// socket → options → bind → listen, each step reported; the packet
/// capture, if any, starts once the port is known.
fn listen(config: &ServeConfig, report: &Report, packets: &mut Packets) -> Result<std::net::TcpListener> {
    let socket = socket::open(&config.addr, Proto::Tcp, Role::Server, config.options, report)?;
    let local = socket::bind(&socket, &config.addr, Role::Server, report)?;
    packets.serve(local)?;
    socket::listen(&socket, &local, config.backlog, report)?;
    socket.set_nonblocking(true).map_err(|e| NetError::socket(Op::SetNonBlocking, local, e))?;
    report.emit(Event::Listening { proto: Proto::Tcp, local, backlog: Some(config.backlog) })?;
    Ok(socket.into())
}

/// Totals over the server's whole run, for the summary.
#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    rejected: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    relays: AtomicU64,
    drops: AtomicU64,
    slow_disconnects: AtomicU64,
    stalls: AtomicU64,
    /// --script: clients whose script ran to its end, and the others.
    scripts_passed: AtomicU64,
    scripts_failed: AtomicU64,
}

/// State shared by the accept loop and every connection.
struct Server {
    config: ServeConfig,
    report: Report,
    hub: Hub,
    files: OpenFiles,
    started: Instant,
    counters: Counters,
    /// Connections being served now (for --max-conns).
    live: AtomicUsize,
    /// Set when a signal stops the server: kicked clients close for that.
    stopping: AtomicBool,
    /// A descriptor kept in reserve: when the open-file limit is reached,
    /// closing it lets accept() take the waiting client and close it at once
    /// with the reason, instead of leaving it hanging in the backlog.
    spare: Mutex<Option<File>>,
    /// The first error that must end the whole server (output gone).
    fatal: Mutex<Option<OutputError>>,
    /// With --once: how the one connection failed, if it did; it is the
    /// run's result, so a reset peer does not look like success.
    failure: Mutex<Option<anyhow::Error>>,
    /// Stdin is a stream to deliver whole (a pipe or a file), not lines
    /// typed at a terminal.
    stdin_stream: bool,
    /// The one client's bytes take the direct path (tcp::direct).
    direct: bool,
    stop: Notify,
    /// Stdin has ended and --quit-after is set: no one more is accepted,
    /// and the server ends once its clients are gone.
    quitting: AtomicBool,
    /// Wakes the accept loop when `quitting` is set.
    quit: Notify,
}

impl Server {
    async fn emit(&self, event: Event) -> Result<(), Stop> {
        // Boxed: a task keeps the state of its largest await in its own
        // allocation, and an event waiting for room is large; ten thousand
        // idle connections would each carry room for one.
        Box::pin(self.report.send(event)).await.map_err(|e| {
            self.fail(e);
            Stop
        })
    }

    /// Reports a cause's event (stamped when it was taken).
    fn tell(&self, cause: Result<Cause, OutputError>, event: Event) -> Result<(), Stop> {
        cause.and_then(|cause| cause.emit(event)).map_err(|e| {
            self.fail(e);
            Stop
        })
    }

    fn fail(&self, err: OutputError) {
        let mut fatal = self.fatal.locked();
        if fatal.is_none() {
            *fatal = Some(err);
        }
        self.stop.notify_one();
    }

    /// Why a new peer must be turned away, if it must.
    fn refusal(&self, peer: &SocketAddr) -> Option<Msg> {
        if let Err(refusal) = self.config.access.check(peer) {
            return Some(refusal.message());
        }
        match self.config.max_conns {
            Some(max) if self.live.load(Ordering::Relaxed) >= max => {
                Some(msg!("reject-max-conns", max = max))
            }
            _ => None,
        }
    }

    async fn reject(&self, stream: TcpStream, peer: SocketAddr, reason: Msg) {
        // Closing at once: the client sees its connection end instead of
        // waiting on a server that will never answer it.
        drop(stream);
        self.counters.rejected.fetch_add(1, Ordering::Relaxed);
        let _ = self.emit(Event::Rejected { peer, reason }).await;
    }

    /// Sends a chunk to every client through the hub (the sender too with
    /// --echo; none but the others without), then reports it once as a
    /// relay, and what a --slow policy did.
    async fn relay(
        &self,
        from: Option<u64>,
        chunk: u64,
        offset: u64,
        elapsed: Duration,
        bytes: Bytes,
    ) -> Result<(), Stop> {
        let except = if self.config.answer.echoes() { None } else { from };
        let result = self.hub.fan_out(&bytes, except, self.config.slow).await;
        self.counters.relays.fetch_add(1, Ordering::Relaxed);
        let to = result.delivered;
        let len = bytes.len();
        self.emit(Event::Relay { conn: from, chunk, offset, elapsed, to, bytes: Payload(bytes) }).await?;
        self.report_full(from, len, &result).await
    }

    /// Sends stdin's chunk to every client, without a relay line: each
    /// client's writer reports its own sends.
    async fn forward(&self, bytes: Bytes) -> Result<(), Stop> {
        let len = bytes.len();
        let result = self.hub.fan_out(&bytes, None, self.config.slow).await;
        self.report_full(None, len, &result).await
    }

    /// `--slow drop|disconnect`: a Drop event for each client whose queue
    /// was full in a fan-out; then those the policy disconnects are closed.
    async fn report_full(&self, from: Option<u64>, len: usize, result: &FanOut) -> Result<(), Stop> {
        let policy = self.config.slow;
        let counter = match policy {
            SlowPolicy::Drop => &self.counters.drops,
            SlowPolicy::Disconnect | SlowPolicy::Wait => &self.counters.slow_disconnects,
        };
        for full in &result.full {
            counter.fetch_add(1, Ordering::Relaxed);
            self.emit(Event::Dropped { conn: full.conn, from, len, queued: full.queued, policy }).await?;
        }
        result.disconnect();
        Ok(())
    }

    /// Stdin has ended: clients that had all of it may get our FIN, and
    /// with --quit-after no one more is accepted.
    fn stdin_over(&self) {
        self.hub.stdin_ended(self.config.half_close);
        if self.config.quit_after.is_some() {
            self.quitting.store(true, Ordering::SeqCst);
            self.quit.notify_one();
        }
    }

    fn summary(&self, signal: &'static str) -> Event {
        let c = &self.counters;
        Event::Summary {
            signal,
            connections: c.connections.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            bytes_in: c.bytes_in.load(Ordering::Relaxed),
            bytes_out: c.bytes_out.load(Ordering::Relaxed),
            relays: c.relays.load(Ordering::Relaxed),
            drops: c.drops.load(Ordering::Relaxed),
            slow_disconnects: c.slow_disconnects.load(Ordering::Relaxed),
            stalls: c.stalls.load(Ordering::Relaxed),
            scripts: self.config.answer.script().map(|_| ScriptTally {
                passed: c.scripts_passed.load(Ordering::Relaxed),
                failed: c.scripts_failed.load(Ordering::Relaxed),
            }),
            duration: self.started.elapsed(),
        }
    }
}

/// Output is gone; the task stops and the server ends.
struct Stop;

async fn serve(
    listener: std::net::TcpListener,
    config: ServeConfig,
    files: OpenFiles,
    mut signals: Option<Signals>,
    report: Report,
) -> Result<Option<&'static str>> {
    let local = listener.local_addr().context("read the listening address")?;
    let listener = TcpListener::from_std(listener).map_err(|e| NetError::socket(Op::Register, local, e))?;
    let feeds = config.clients == Clients::Broadcast || config.stdin != StdinMode::Off;
    let config_stdin = config.stdin;
    let direct = direct::serves(&config);
    let server = Arc::new(Server {
        config,
        report,
        hub: Hub::new(feeds),
        files,
        started: Instant::now(),
        counters: Counters::default(),
        live: AtomicUsize::new(0),
        stopping: AtomicBool::new(false),
        spare: Mutex::new(open_files::spare()),
        fatal: Mutex::new(None),
        failure: Mutex::new(None),
        stdin_stream: stdin_stream(config_stdin),
        direct,
        stop: Notify::new(),
        quitting: AtomicBool::new(false),
        quit: Notify::new(),
    });
    let waker = server.clone();
    server.report.on_output_failure(move || waker.stop.notify_one());
    if !direct {
        forward_stdin(server.clone()).await;
    }

    let mut connections = JoinSet::new();
    let mut next_conn = 0u64;
    let mut stopped_by = None;
    let delay = server.config.accept_delay.unwrap_or_default();
    let mut accept_at = tokio::time::Instant::now() + delay;
    let queue_watch = watch_the_accept_queue(&server, &listener);
    // Nothing in this loop waits for output: reports of rejections and
    // accept errors go from tasks of their own, so a signal is always seen.
    loop {
        let quitting = server.quitting.load(Ordering::SeqCst);
        if quitting && connections.is_empty() {
            break;
        }
        // --sequential: the next accept() waits until the current client is gone.
        let may_accept = (server.config.clients != Clients::InTurn || connections.is_empty()) && !quitting;
        tokio::select! {
            biased;
            name = Signals::next(&mut signals) => {
                stopped_by = Some(name);
                break;
            }
            _ = server.stop.notified() => break,
            _ = server.quit.notified(), if !quitting => {}
            accepted = accept_after(&listener, accept_at), if may_accept => match accepted {
                Ok((stream, peer)) => {
                    accept_at = tokio::time::Instant::now() + delay;
                    if let Some(reason) = server.refusal(&peer) {
                        let server = server.clone();
                        tokio::spawn(async move { server.reject(stream, peer, reason).await });
                        continue;
                    }
                    next_conn += 1;
                    server.live.fetch_add(1, Ordering::Relaxed);
                    server.counters.connections.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(connection(server.clone(), stream, next_conn, peer));
                    if server.config.once {
                        break;
                    }
                }
                Err(e) => accept_failed(&server, &listener, local, e).await,
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(queue_watch);
    // Stop accepting: new clients are refused by the kernel from here on.
    drop(listener);
    if server.config.once && stopped_by.is_none() {
        tokio::select! {
            _ = async { while connections.join_next().await.is_some() {} } => {}
            name = Signals::next(&mut signals) => stopped_by = Some(name),
            _ = server.stop.notified() => {}
        }
    }
    if let Some(name) = stopped_by {
        server.report.stop_within(CLOSE_PATIENCE + OUTPUT_PATIENCE);
        close_all(&server, &mut connections).await;
        // A blocked output gets no more than its patience; a gone one is in
        // `fatal`.
        let _ = tokio::time::timeout(OUTPUT_PATIENCE, server.emit(server.summary(name))).await;
    }
    if let Some(err) = server.fatal.locked().take() {
        return Err(err.into());
    }
    match server.failure.locked().take() {
        Some(err) if stopped_by.is_none() => Err(err),
        _ => scripts_failed(&server).map(|()| stopped_by),
    }
}

/// A server stopping after clients whose script failed fails too (exit
/// code 9), whatever the others did: each one's step was shown.
fn scripts_failed(server: &Server) -> Result<()> {
    let Some((script, _)) = server.config.answer.script() else { return Ok(()) };
    let c = &server.counters;
    let failed = c.scripts_failed.load(Ordering::Relaxed);
    if failed == 0 {
        return Ok(());
    }
    let played = failed + c.scripts_passed.load(Ordering::Relaxed);
    Err(crate::script::SomeFailed { file: script.name.clone(), failed, played, clients: true }.into())
}

/// accept(), once `at` has come.
async fn accept_after(
    listener: &TcpListener,
    at: tokio::time::Instant,
) -> io::Result<(TcpStream, SocketAddr)> {
    // Only when there is a wait: tokio's timer rounds a deadline up to its
    // next millisecond tick, so even one already passed would cost each
    // accept up to 1 ms (10,000 clients took 10 s to connect instead of 1).
    if tokio::time::Instant::now() < at {
        tokio::time::sleep_until(at).await;
    }
    listener.accept().await
}

/// With --accept-delay or --sequential, clients wait in the accept queue:
/// shows it as it fills and empties (Linux reads it through sock_diag, as
/// `ss -lt` does). The task ends when its handle is dropped.
fn watch_the_accept_queue(server: &Arc<Server>, listener: &TcpListener) -> Option<AbortOnDrop<()>> {
    if server.config.accept_delay.is_none() && server.config.clients != Clients::InTurn {
        return None;
    }
    let server = server.clone();
    let listener = match socket2::SockRef::from(listener).try_clone() {
        Ok(socket) => socket,
        Err(_) => return None,
    };
    Some(AbortOnDrop(tokio::spawn(async move {
        // What was shown: the queue's length, and after how many accepts (an
        // accept that another client replaced at once changes no length).
        let mut last = (0, 0);
        loop {
            let accepted = server.counters.connections.load(Ordering::Relaxed);
            match crate::capture::listen_queue(&listener) {
                Ok(queue) if queue.queued != last.0 || (queue.queued > 0 && accepted != last.1) => {
                    last = (queue.queued, accepted);
                    let event = Event::AcceptQueue { queued: queue.queued, backlog: queue.backlog };
                    if server.emit(event).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let message = msg!("notice-accept-queue-unseen", error = describe_msg(&e));
                    let _ = server.emit(Event::Notice { conn: None, message }).await;
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })))
}

/// Tells every client to close, and gives them a little time to report it.
async fn close_all(server: &Server, connections: &mut JoinSet<()>) {
    server.stopping.store(true, Ordering::SeqCst);
    server.hub.cut_all(msg!("reason-server-stopping"));
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(CLOSE_PATIENCE, drained).await.is_err() {
        connections.shutdown().await;
    }
}

/// accept() failed: say why, and keep serving. When a limit is the cause,
/// name it and how to raise it, and close the waiting client at once rather
/// than let it hang; then pause, since the next accept would fail too.
async fn accept_failed(server: &Arc<Server>, listener: &TcpListener, local: SocketAddr, err: io::Error) {
    let Some(limit) = limits::accept_limit(&err, server.files) else {
        let message = msg!("error-accept", local = local, error = describe_msg(&err));
        let server = server.clone();
        tokio::spawn(async move { server.emit(Event::Error { conn: None, message }).await });
        return;
    };
    let spare = server.spare.locked().take();
    let waiting = match spare {
        Some(spare) => {
            drop(spare);
            tokio::time::timeout(Duration::from_millis(10), listener.accept()).await.ok().and_then(Result::ok)
        }
        None => None,
    };
    let reporter = server.clone();
    match waiting {
        Some((stream, peer)) => {
            tokio::spawn(async move { reporter.reject(stream, peer, limit).await });
        }
        None => {
            let message = msg!("error-accept", local = local, error = limit);
            tokio::spawn(async move { reporter.emit(Event::Error { conn: None, message }).await });
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    *server.spare.locked() = open_files::spare();
}

/// How a connection's reading ended.
enum ReadEnd {
    /// recv returned 0: the peer half-closed.
    Eof,
    /// Closed from elsewhere: a --slow policy, a stall, or the server is
    /// stopping; the reason is in the connection's [`Cut`].
    Kicked,
    /// Nothing came from the peer for --idle-timeout.
    Idle(Duration),
    Failed(io::Error),
    Stopped,
}

/// Byte counts one connection shares between its reader and writer.
#[derive(Default)]
struct Totals {
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    /// The peer has finished sending: whatever is queued is all it waits for.
    finished: AtomicBool,
    /// The writer holds bytes it has not all written.
    holding: AtomicBool,
    /// Read after each step, for the `closed` event.
    tcp_info: LastTcpInfo,
}

/// Counts a connection as live until its task ends, however it ends.
struct Live(Arc<Server>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A task that is aborted when its handle is dropped, so a writer never
/// outlives its connection.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn connection(server: Arc<Server>, stream: TcpStream, conn: u64, peer: SocketAddr) {
    let live = Live(server.clone());
    let start = Instant::now();
    let local = stream.local_addr().unwrap_or(server.config.addr);
    // Join before telling: whoever sees "accepted" may send to all clients
    // at once (a stdin line), and this one must be among them.
    let (outbox, inbox) = outbox::channel(server.config.queue_limit);
    let cut = Arc::new(Cut::default());
    let release = Arc::new(Notify::new());
    // In broadcast, the count and the places of "accepted" and "joins" in
    // the order are taken together under the hub's lock: the joins count
    // up in the order they are shown, however the tasks run.
    let broadcast = server.config.clients == Clients::Broadcast;
    let rooms = match broadcast {
        true => Some((server.report.room_async(0).await, server.report.room_async(0).await)),
        false => None,
    };
    let (clients, causes) = server.hub.join_then(conn, &outbox, cut.clone(), release.clone(), |clients| {
        (clients, rooms.map(|(accepted, joins)| (accepted.cause(), joins.cause())))
    });
    // The reader keeps the client's queue open for its answers (--echo,
    // --reply) and, when no stream comes from stdin, until the peer has
    // finished: then "nothing more to send" comes when the peer is done. A
    // stdin stream with nothing to answer decides with --half-close: its
    // end is ours at once (always), once it brought this client a byte
    // (data: the hub releases the reader's hold), or never.
    let answers =
        server.config.answer.echoes() || server.config.answer.reply().is_some() || !server.stdin_stream;
    let holds = !answers && server.config.half_close != HalfClose::Always;
    let mut queue = Queue { outbox: (answers || holds).then_some(outbox), release: holds.then_some(release) };
    let (accepted, joins) = match causes {
        Some((accepted, joins)) => {
            (server.tell(accepted, Event::Accepted { conn, local, peer }), Some(joins))
        }
        None => (server.emit(Event::Accepted { conn, local, peer }).await, None),
    };
    if accepted.is_err() {
        server.hub.leave(conn);
        return;
    }
    if server.stopping.load(Ordering::SeqCst) {
        // Joined after the stop cut everyone.
        cut.cut(msg!("reason-server-stopping"));
    }
    if let Some(joins) = joins
        && server.tell(joins, Event::Join { conn, clients }).is_err()
    {
        return;
    }
    let totals =
        Arc::new(Totals { tcp_info: LastTcpInfo::new(server.config.packets.tcp_info), ..Totals::default() });
    if let Some(script) = server.config.answer.script().map(|(s, _)| s.clone()) {
        let Some((failure, verdict)) =
            serve_script(&server, stream, conn, peer, start, &cut, &totals, script).await
        else {
            return;
        };
        server.hub.leave(conn);
        closed(&server, conn, start, live, &totals, failure).await;
        if let Some(verdict) = verdict {
            let _ = server.emit(Event::ScriptEnd(verdict)).await;
        }
        return;
    }
    if server.direct {
        if let Some(failure) = serve_direct(&server, stream, conn, peer, &cut, &totals).await {
            server.hub.leave(conn);
            closed(&server, conn, start, live, &totals, failure).await;
        }
        return;
    }
    let (reader, writer) = stream.into_split();
    let mut writing = AbortOnDrop(tokio::spawn(write_loop(
        server.clone(),
        conn,
        start,
        writer,
        inbox,
        totals.clone(),
        cut.clone(),
    )));

    let end = read_loop(&server, conn, start, &reader, &mut queue, &cut, &totals).await;
    drop(queue);
    // A peer that finished sending still gets the rest of a stdin stream
    // (`nc -N -l < file` delivers it whole); in broadcast it leaves the
    // chat, and lines typed at a terminal are not a stream to finish.
    let stays = matches!(end, ReadEnd::Eof)
        && server.config.clients != Clients::Broadcast
        && server.stdin_stream
        && server.hub.feeds();
    if !stays && broadcast && !matches!(end, ReadEnd::Stopped) {
        // The count and the line's place in the order, together under the
        // hub's lock (see the join above): the leaves count down as shown.
        let room = server.report.room_async(0).await;
        let (clients, cause) = server.hub.leave_then(conn, |clients| (clients, room.cause()));
        if server.tell(cause, Event::Leave { conn, clients }).is_err() {
            return;
        }
    } else if !stays {
        server.hub.leave(conn);
    }
    // The stream is cut (a stop, a stall): the close aborts it, with a RST.
    let mut cut_off = matches!(end, ReadEnd::Kicked);
    let mut writer_done = false;
    let failure: Option<(Msg, anyhow::Error)> = match end {
        // The peer is done sending: finish what is queued for it, then close.
        ReadEnd::Eof => {
            totals.finished.store(true, Ordering::SeqCst);
            let written = (&mut writing.0).await;
            writer_done = true;
            server.hub.leave(conn);
            match written {
                Ok(Ok(())) => None,
                Ok(Err(WriteEnd::Failed(e))) => Some(failed(Op::Send, peer, e)),
                Ok(Err(WriteEnd::Stalled(reason))) => {
                    cut_off = true;
                    Some(stalled(reason, peer))
                }
                Ok(Err(WriteEnd::Stopped)) | Err(_) => return,
            }
        }
        ReadEnd::Kicked => {
            let reason = cut.reason().unwrap_or_else(|| msg!("reason-closed-by-server"));
            if cut.planned() {
                Some((reason, Planned.into()))
            } else if server.stopping.load(Ordering::SeqCst) {
                Some((reason, anyhow::Error::msg(msg!("reason-server-stopping"))))
            } else {
                // A stall ends the writer first; its reason is the cut's.
                Some(stalled(reason, peer))
            }
        }
        ReadEnd::Idle(after) => Some((
            msg!("reason-idle", after = Arg::duration(after)),
            NetError::Idle { what: Op::WaitData, addr: peer, after }.into(),
        )),
        ReadEnd::Failed(e) => Some(failed(Op::Recv, peer, e)),
        ReadEnd::Stopped => return,
    };
    // The writer ends before the counts are read: they are final.
    if !writer_done {
        writing.0.abort();
        let _ = (&mut writing.0).await;
    }
    // The socket is still open (the read half holds it).
    totals.tcp_info.read(reader.as_ref());
    if cut_off {
        // More was to come: the writer held bytes not all written.
        let pending = totals.holding.load(Ordering::SeqCst);
        let aborted = super::cut::abort(SockRef::from(reader.as_ref()), pending);
        // Closed at once, the counts just read: the kernel sends nothing more.
        drop(reader);
        if uncount(&server, conn, &totals, aborted).await.is_err() {
            return;
        }
    }
    closed(&server, conn, start, live, &totals, failure).await;
}

/// Reports the connection closed, and with --once, how it failed.
async fn closed(
    server: &Server,
    conn: u64,
    start: Instant,
    live: Live,
    totals: &Totals,
    failure: Option<(Msg, anyhow::Error)>,
) {
    // The slot is free before `closed` is reported: a client that connects
    // right after it must not meet --max-conns.
    drop(live);
    let (reason, error) = match failure {
        Some((reason, error)) => (Some(reason), Some(error)),
        None => (None, None),
    };
    let tcp_info = totals.tcp_info.get();
    let _ = server
        .emit(Event::Closed {
            conn,
            bytes_in: totals.bytes_in.load(Ordering::Relaxed),
            bytes_out: totals.bytes_out.load(Ordering::Relaxed),
            duration: start.elapsed(),
            reason,
            tcp_info,
        })
        .await;
    if server.config.once
        && let Some(error) = error.filter(|e| !e.is::<Planned>())
    {
        *server.failure.locked() = Some(error);
    }
}

/// `--script`: the steps with this client, on a blocking thread of its own
/// (the engine's calls block, each bounded by its step's deadline). How the
/// connection ended and the script's verdict (None when the server's stop
/// cut it: that is no verdict on the client); None when output is gone.
#[allow(clippy::too_many_arguments)]
async fn serve_script(
    server: &Arc<Server>,
    stream: TcpStream,
    conn: u64,
    peer: SocketAddr,
    start: Instant,
    cut: &Cut,
    totals: &Arc<Totals>,
    script: Arc<crate::script::Script>,
) -> Option<(Option<(Msg, anyhow::Error)>, Option<ScriptEnd>)> {
    use crate::script::{Failed, Settings, Stoppable, TcpConn};
    let socket = match stream.into_std().and_then(|s| s.set_nonblocking(false).map(|()| s)) {
        Ok(socket) => socket,
        Err(e) => return Some((Some(failed(Op::Recv, peer, e)), None)),
    };
    let kick = match socket.try_clone() {
        Ok(kick) => kick,
        Err(e) => return Some((Some(failed(Op::Recv, peer, e)), None)),
    };
    let stopped = Arc::new(AtomicBool::new(false));
    let mut session = {
        let (server, totals, stopped) = (server.clone(), totals.clone(), stopped.clone());
        tokio::task::spawn_blocking(move || {
            let settings = Settings {
                conn: Some(conn),
                timeout: server.config.answer.script().map_or(crate::script::DEFAULT_TIMEOUT, |(_, t)| t),
                recv_size: server.config.recv_size,
                start,
            };
            let mut conn = Stoppable::new(TcpConn::new(socket, peer), || stopped.load(Ordering::SeqCst));
            let played = crate::script::play(&script, &mut conn, &server.report, &settings);
            if let Some(stream) = conn.inner.stream() {
                totals.tcp_info.read(stream);
            }
            played
        })
    };
    let played = tokio::select! {
        played = &mut session => played,
        _ = cut.notified() => {
            // The step under way ends at once (Stoppable), and no other begins.
            stopped.store(true, Ordering::SeqCst);
            let _ = kick.shutdown(std::net::Shutdown::Read);
            session.await
        }
    };
    drop(kick);
    let played = played.unwrap_or_else(|e| Err(anyhow::anyhow!("the script's thread failed: {e}")));
    let moved = match &played {
        Ok(moved) => *moved,
        Err(e) => e.downcast_ref::<Failed>().map(|f| f.played).unwrap_or_default(),
    };
    totals.bytes_in.fetch_add(moved.bytes_in, Ordering::Relaxed);
    totals.bytes_out.fetch_add(moved.bytes_out, Ordering::Relaxed);
    server.counters.bytes_in.fetch_add(moved.bytes_in, Ordering::Relaxed);
    server.counters.bytes_out.fetch_add(moved.bytes_out, Ordering::Relaxed);
    server.report.count_in(moved.bytes_in);
    server.report.count_out(moved.bytes_out);
    let file = server.config.answer.script().map(|(s, _)| s.name.clone()).unwrap_or_default();
    let verdict = |exit_code: crate::model::Code, line: Option<u32>| ScriptEnd {
        conn: Some(conn),
        run: None,
        file: file.clone(),
        exit_code: exit_code as u8,
        line,
    };
    Some(match played {
        Ok(_) => {
            server.counters.scripts_passed.fetch_add(1, Ordering::Relaxed);
            (None, Some(verdict(crate::model::Code::Ok, None)))
        }
        Err(e) if e.is::<OutputError>() => return None,
        Err(_) if stopped.load(Ordering::SeqCst) => {
            let reason = cut.reason().unwrap_or_else(|| msg!("reason-server-stopping"));
            (Some((reason, anyhow::Error::msg(msg!("reason-server-stopping")))), None)
        }
        Err(e) => {
            server.counters.scripts_failed.fetch_add(1, Ordering::Relaxed);
            let code = crate::script::verdict(&e);
            let line = e.downcast_ref::<Failed>().map(|f| f.line);
            let reason = match line {
                Some(line) => msg!("closed-script-failed", line = line),
                None => match e.downcast_ref::<NetError>() {
                    Some(net) => net.message(),
                    None => Msg::text(e.to_string()),
                },
            };
            (Some((reason, e)), Some(verdict(code, line)))
        }
    })
}

/// How a connection that ended as the command asked (--quit-after) ends:
/// its reason is shown, and it is no failure of the run.
#[derive(Debug, thiserror::Error)]
#[error("ended as asked")]
struct Planned;

/// The direct path (`--once --raw`, see tcp::direct): the client's bytes go
/// between the socket and stdin/stdout on blocking threads, in the kernel
/// where it can move them, not through this event loop. How it failed, if
/// it did; None when output is gone and nothing more is to be said.
async fn serve_direct(
    server: &Arc<Server>,
    stream: TcpStream,
    conn: u64,
    peer: SocketAddr,
    cut: &Cut,
    totals: &Arc<Totals>,
) -> Option<Option<(Msg, anyhow::Error)>> {
    let socket = match stream.into_std() {
        Ok(socket) => socket,
        Err(e) => return Some(Some(failed(Op::Recv, peer, e))),
    };
    let kick = match direct::Kick::new() {
        Ok(kick) => kick,
        Err(e) => return Some(Some(failed(Op::Recv, peer, e))),
    };
    let session = {
        let (server, kick, totals) = (server.clone(), kick.clone(), totals.clone());
        let limits = direct::Limits {
            stall: server.config.stall_timeout,
            idle: server.config.idle_timeout,
            recv_size: server.config.recv_size,
            half_close: server.config.half_close,
        };
        tokio::task::spawn_blocking(move || {
            let (sender, sent_totals) = (server.clone(), totals.clone());
            let received = |n: usize, socket: &std::net::TcpStream| {
                totals.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                server.counters.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                server.report.count_in(n as u64);
                totals.tcp_info.read_after_data(socket);
            };
            let sent = move |n: usize, socket: &std::net::TcpStream| {
                sent_totals.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
                sender.counters.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
                sender.report.count_out(n as u64);
                sent_totals.tcp_info.read_after_data(socket);
            };
            let last = |socket: &std::net::TcpStream| totals.tcp_info.read(socket);
            direct::serve(
                socket,
                &kick,
                limits,
                &server.report,
                conn,
                direct::Counts { received, sent, last },
            )
        })
    };
    let mut session = session;
    let ended = tokio::select! {
        ended = &mut session => ended,
        _ = cut.notified() => {
            // Both directions stop between two calls, and say so: the
            // counts are final once they have.
            kick.kick();
            session.await
        }
    };
    let direct::Ended { served, cut: aborted } =
        ended.unwrap_or(direct::Ended { served: Served::Kicked, cut: Default::default() });
    if uncount(server, conn, totals, aborted).await.is_err() {
        return None;
    }
    Some(match served {
        Served::Done => None,
        Served::RecvFailed(e) => Some(failed(Op::Recv, peer, e)),
        Served::SendFailed(e) => Some(failed(Op::Send, peer, e)),
        Served::Idle(after) => Some((
            msg!("reason-idle", after = Arg::duration(after)),
            NetError::Idle { what: Op::WaitData, addr: peer, after }.into(),
        )),
        Served::Stalled { waiting } => {
            server.counters.stalls.fetch_add(1, Ordering::Relaxed);
            let reason = msg!(
                "reason-stalled",
                after = Arg::duration(server.config.stall_timeout),
                waiting = Arg::bytes(waiting),
            );
            Some(stalled(reason, peer))
        }
        Served::Kicked => {
            let reason = cut.reason().unwrap_or_else(|| msg!("reason-closed-by-server"));
            if server.stopping.load(Ordering::SeqCst) {
                Some((reason, anyhow::Error::msg(msg!("reason-server-stopping"))))
            } else {
                Some(stalled(reason, peer))
            }
        }
        Served::Shrunk { size, sent } => {
            let shrunk = Shrunk { what: "stdin".into(), size, sent };
            Some((shrunk.reason(), shrunk.into()))
        }
        Served::Output(e) => {
            server.fail(OutputError(e));
            return None;
        }
    })
}

/// Takes back from the counts out what a cut connection's client had not
/// acknowledged (the socket was given it; the client got it or not), and
/// says so.
async fn uncount(server: &Server, conn: u64, totals: &Totals, cut: super::cut::Cut) -> Result<(), Stop> {
    let unacknowledged = cut.unacknowledged();
    for count in [&totals.bytes_out, &server.counters.bytes_out] {
        let _ = count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(unacknowledged)));
    }
    match cut.note() {
        Some(message) => server.emit(Event::Notice { conn: Some(conn), message }).await,
        None => Ok(()),
    }
}

/// A failed recv or send: the reason shown, and the error --once ends with.
fn failed(op: Op, peer: SocketAddr, err: io::Error) -> (Msg, anyhow::Error) {
    (describe_msg(&err), NetError::socket(op, peer, err).into())
}

fn stalled(reason: Msg, peer: SocketAddr) -> (Msg, anyhow::Error) {
    let error = anyhow::Error::msg(msg!("error-send-stalled", peer = peer, reason = reason.clone()));
    (reason, error)
}

thread_local! {
    /// One receive buffer per worker thread, not per connection: an idle
    /// client costs no buffer, so thousands of them fit in little memory.
    static RECV_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What one read did.
enum Received {
    Chunk(Bytes),
    Eof,
    NotReady,
    Failed(io::Error),
}

/// The reader's hold on its client's queue: for answers (--echo, --reply),
/// or only to put off the FIN until `release` says the input that ends
/// with one is over.
struct Queue {
    outbox: Option<Outbox>,
    release: Option<Arc<Notify>>,
}

/// Waits for `release`, or forever without one.
async fn released(release: Option<&Notify>) {
    match release {
        Some(release) => release.notified().await,
        None => std::future::pending().await,
    }
}

/// Waits until `deadline`, or forever without one.
async fn until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

async fn read_loop(
    server: &Server,
    conn: u64,
    start: Instant,
    reader: &OwnedReadHalf,
    queue: &mut Queue,
    cut: &Cut,
    totals: &Totals,
) -> ReadEnd {
    let config = &server.config;
    let mut chunk = 0u64;
    let idle = config.idle_timeout;
    let mut deadline = idle.map(|d| tokio::time::Instant::now() + d);
    loop {
        tokio::select! {
            ready = reader.readable() => if let Err(e) = ready {
                return fail_read(server, conn, e).await;
            },
            _ = cut.notified() => return ReadEnd::Kicked,
            _ = until(deadline) => return ReadEnd::Idle(idle.unwrap_or_default()),
            // The queue was held only to put off our FIN: the input that
            // ends with one is over.
            _ = released(queue.release.as_deref()), if queue.outbox.is_some() => {
                queue.outbox = None;
                continue;
            }
        }
        let received = RECV_BUF.with_borrow_mut(|buf| {
            buf.resize(config.recv_size, 0);
            match reader.try_read(buf) {
                Ok(0) => Received::Eof,
                Ok(n) => Received::Chunk(Bytes::copy_from_slice(&buf[..n])),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Received::NotReady,
                Err(e) => Received::Failed(e),
            }
        });
        match received {
            Received::Chunk(_) => totals.tcp_info.read_after_data(reader.as_ref()),
            Received::Eof | Received::Failed(_) => totals.tcp_info.read(reader.as_ref()),
            Received::NotReady => {}
        }
        let bytes = match received {
            Received::NotReady => continue,
            Received::Eof => {
                return match server.emit(Event::Eof { conn }).await {
                    Ok(()) => ReadEnd::Eof,
                    Err(Stop) => ReadEnd::Stopped,
                };
            }
            Received::Failed(e) => return fail_read(server, conn, e).await,
            Received::Chunk(bytes) => bytes,
        };
        deadline = idle.map(|d| tokio::time::Instant::now() + d);
        chunk += 1;
        let n = bytes.len() as u64;
        let offset = totals.bytes_in.fetch_add(n, Ordering::Relaxed);
        server.counters.bytes_in.fetch_add(n, Ordering::Relaxed);
        server.report.count_in(n);
        let sent = if config.clients == Clients::Broadcast {
            // Reported once, by the relay, not here.
            Box::pin(server.relay(Some(conn), chunk, offset, start.elapsed(), bytes)).await
        } else {
            let echo = config.answer.echoes().then(|| bytes.clone());
            if let Err(Stop) =
                server.emit(Event::data(conn, Dir::In, chunk, bytes, offset, start.elapsed())).await
            {
                return ReadEnd::Stopped;
            }
            // Waiting for room here is TCP's own back-pressure: a client
            // that does not read its echoes stops being read.
            let reply = config.answer.reply().filter(|r| !r.once || chunk == 1).map(|r| r.bytes.clone());
            let answers = echo.into_iter().chain(reply);
            for (answer, outbox) in answers.zip(std::iter::repeat(queue.outbox.as_ref()).flatten()) {
                tokio::select! {
                    sent = Box::pin(outbox.send(answer)) => if sent.is_err() {
                        // The writer is gone: it says why.
                        return ReadEnd::Kicked;
                    },
                    _ = cut.notified() => return ReadEnd::Kicked,
                }
            }
            Ok(())
        };
        if sent.is_err() {
            return ReadEnd::Stopped;
        }
    }
}

async fn fail_read(server: &Server, conn: u64, err: io::Error) -> ReadEnd {
    match server
        .emit(Event::Error { conn: Some(conn), message: msg!("error-recv", error = describe_msg(&err)) })
        .await
    {
        Ok(()) => ReadEnd::Failed(err),
        Err(Stop) => ReadEnd::Stopped,
    }
}

enum WriteEnd {
    Failed(io::Error),
    /// The client took nothing for the stall timeout; the reason says so.
    Stalled(Msg),
    Stopped,
}

async fn write_loop(
    server: Arc<Server>,
    conn: u64,
    start: Instant,
    writer: OwnedWriteHalf,
    mut inbox: Inbox,
    totals: Arc<Totals>,
    cut: Arc<Cut>,
) -> Result<(), WriteEnd> {
    // Dropped (the task aborted), a write half would send a FIN: a cut
    // connection must end with a RST only (see super::cut).
    let mut writer = NoFinOnDrop(Some(writer));
    let mut chunk = 0u64;
    // In broadcast, each relay is reported once, not once per recipient;
    // --raw shows no sends at all.
    let report = server.config.clients != Clients::Broadcast && server.report.shows_sends();
    let stall = server.config.stall_timeout;
    // TCP_INFO is read after data only with --packets, --explain or
    // --json: asked once here, not of the shared totals at every send.
    let tcp_info = server.config.packets.tcp_info;
    // The stall clock: since when the client's socket has been full with
    // data waiting for it. It starts when a send finds the socket full and
    // ends with the next send that moves data, so it never runs while a
    // reader waits with nothing to take (behind a quiet sender, or behind a
    // stuck client that holds the sender back): such a reader has not
    // stalled, and must not be cut the moment data comes. Only a socket
    // found full is waited for, with a timer (a timer for every send costs
    // a registration in tokio's shared timer wheel: at 10,000 broadcast
    // clients, 10,000 a message); the clock is read only then, too.
    let mut progress = tokio::time::Instant::now();
    while let Some(bytes) = inbox.recv().await {
        totals.holding.store(true, Ordering::SeqCst);
        let mut done = 0;
        let mut full = false;
        while done < bytes.len() {
            if full {
                tokio::select! {
                    // A client that can take data is never cut because its
                    // deadline also passed (select! would otherwise pick one
                    // of the two ready branches at random).
                    biased;
                    ready = writer.writable() => ready.map_err(WriteEnd::Failed)?,
                    _ = Box::pin(tokio::time::sleep_until(progress + stall)) => {
                        // Cut only a client that holds something up: a sender
                        // waiting for room, or its own close.
                        if inbox.holds_up_a_sender() || totals.finished.load(Ordering::SeqCst) {
                            let reason = msg!(
                                "reason-stalled",
                                after = Arg::duration(progress.elapsed()),
                                waiting = Arg::bytes(bytes.len() - done + inbox.queued()),
                            );
                            server.counters.stalls.fetch_add(1, Ordering::Relaxed);
                            cut.cut(reason.clone());
                            return Err(WriteEnd::Stalled(reason));
                        }
                        progress = tokio::time::Instant::now();
                        continue;
                    }
                }
            }
            // One send() call, stamped before it: the client's recv of
            // these bytes is shown after it.
            let cause = if report {
                Some(Box::pin(server.report.cause_async(bytes.len() - done)).await.map_err(|e| {
                    server.fail(e);
                    WriteEnd::Stopped
                })?)
            } else {
                None
            };
            let n = match writer.try_write(&bytes[done..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !full {
                        full = true;
                        progress = tokio::time::Instant::now();
                    }
                    continue;
                }
                Err(e) => return Err(WriteEnd::Failed(super::cut::send_error(e))),
            };
            full = false;
            if tcp_info {
                totals.tcp_info.read_after_data(writer.as_ref());
            }
            chunk += 1;
            let offset = totals.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
            server.counters.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
            server.report.count_out(n as u64);
            if let Some(cause) = cause {
                let sent = bytes.slice(done..done + n);
                cause.emit(Event::data(conn, Dir::Out, chunk, sent, offset, start.elapsed())).map_err(
                    |e| {
                        server.fail(e);
                        WriteEnd::Stopped
                    },
                )?;
            }
            done += n;
        }
        inbox.written(bytes.len());
        totals.holding.store(inbox.queued() > 0, Ordering::SeqCst);
    }
    // Every sender is gone: nothing more will be sent. The FIN is stamped
    // before the call, so the client's EOF shows after it.
    let cause = Box::pin(server.report.cause_async(0)).await.map_err(|e| {
        server.fail(e);
        WriteEnd::Stopped
    })?;
    let Some(mut writer) = writer.0.take() else { return Err(WriteEnd::Stopped) };
    totals.tcp_info.read(writer.as_ref());
    tokio::io::AsyncWriteExt::shutdown(&mut writer).await.map_err(WriteEnd::Failed)?;
    totals.tcp_info.read(writer.as_ref());
    cause.emit(Event::Shutdown { conn }).map_err(|e| {
        server.fail(e);
        WriteEnd::Stopped
    })?;
    // --quit-after: the client has had all of stdin; it gets so long to
    // finish. Cutting a connection that has ended already does nothing.
    if let Some(after) = server.config.quit_after.filter(|_| server.quitting.load(Ordering::SeqCst)) {
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            cut.end(msg!("reason-quit-after", after = Arg::duration(after)));
        });
    }
    Ok(())
}

/// A write half that, dropped, does not shut its direction down: tokio's
/// sends a FIN then, which would tell a client whose connection is being
/// cut that the stream ended whole. Its FIN is sent on purpose, once
/// everything is written.
struct NoFinOnDrop(Option<OwnedWriteHalf>);

impl std::ops::Deref for NoFinOnDrop {
    type Target = OwnedWriteHalf;

    fn deref(&self) -> &OwnedWriteHalf {
        // Taken out only for the shutdown, after its last use here.
        self.0.as_ref().expect("the write half is there until its shutdown")
    }
}

impl Drop for NoFinOnDrop {
    fn drop(&mut self) {
        if let Some(writer) = self.0.take() {
            writer.forget();
        }
    }
}

/// True when the server's stdin is a stream to deliver (a pipe or a file).
fn stdin_stream(mode: StdinMode) -> bool {
    mode != StdinMode::Off && !io::stdin().is_terminal()
}

/// Sends the server's stdin to every connected client (as relays in
/// broadcast mode). Nothing read is lost: a pipe or file is read only while
/// a client is connected (`nc -l < file` waits for its client too), and
/// waits for room in every client's queue. A line typed at a terminal with
/// no client connected is not sent, and the person is told. The end of
/// stdin never stops the server (it is often /dev/null): it lets clients
/// that have finished sending close.
async fn forward_stdin(server: Arc<Server>) {
    let mode = server.config.stdin;
    if mode == StdinMode::Off {
        return;
    }
    let terminal = io::stdin().is_terminal();
    let (tx, mut rx) = mpsc::channel::<Bytes>(4);
    let hub = server.clone();
    let crlf = server.config.crlf.then(crate::input::Crlf::default);
    let spawned = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || read_stdin(mode, terminal, crlf, &hub.hub, tx));
    if spawned.is_err() {
        server.stdin_over();
        let message = msg!("notice-stdin-no-thread");
        let _ = server.emit(Event::Notice { conn: None, message }).await;
        return;
    }
    if terminal {
        let message = msg!("notice-stdin-broadcast");
        let _ = server.emit(Event::Notice { conn: None, message }).await;
    }
    tokio::spawn(async move {
        let (mut chunk, mut offset) = (0u64, 0u64);
        while let Some(bytes) = rx.recv().await {
            if !terminal {
                // The client it was read for may have gone since: the
                // chunk waits for the next one.
                server.hub.a_client().await;
            }
            if server.hub.is_empty() {
                // Only a terminal's lines are read with nobody to take them.
                let message = msg!("notice-no-client", bytes = Arg::bytes(bytes.len()));
                if server.emit(Event::Notice { conn: None, message }).await.is_err() {
                    return;
                }
                continue;
            }
            chunk += 1;
            let len = bytes.len() as u64;
            let sent = if server.config.clients == Clients::Broadcast {
                server.relay(None, chunk, offset, server.started.elapsed(), bytes).await
            } else {
                server.forward(bytes).await
            };
            offset += len;
            if sent.is_err() {
                return;
            }
        }
        // Stdin ended: clients that finished sending may now close.
        if server.config.clients != Clients::Broadcast {
            server.stdin_over();
        }
    });
}

/// The stdin thread: reads chunks (Raw) or lines (Lines, at most MAX_LINE
/// bytes each) and hands them on; from a pipe or file, only while a client
/// is connected.
fn read_stdin(
    mode: StdinMode,
    terminal: bool,
    mut crlf: Option<crate::input::Crlf>,
    hub: &Hub,
    tx: mpsc::Sender<Bytes>,
) {
    let stdin = io::stdin();
    // Patient: a stdin a parent left non-blocking is waited for, not ended.
    let mut input = io::BufReader::new(crate::sys::ready::Patient(stdin));
    loop {
        if !terminal {
            hub.wait_for_a_client();
        }
        let mut buf = Vec::new();
        let read = match mode {
            StdinMode::Lines => (&mut input).take(MAX_LINE as u64).read_until(b'\n', &mut buf),
            StdinMode::Raw => {
                buf.resize(crate::input::SEND_CHUNK, 0);
                input.read(&mut buf).inspect(|&n| buf.truncate(n))
            }
            StdinMode::Off => return,
        };
        match read {
            Ok(0) => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
            Ok(_) => {
                let bytes = match crlf.as_mut() {
                    Some(crlf) => Bytes::from(crlf.convert(&buf).into_owned()),
                    None => Bytes::from(buf),
                };
                if tx.blocking_send(bytes).is_err() {
                    return;
                }
            }
        }
    }
}
