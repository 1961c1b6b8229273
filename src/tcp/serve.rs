//! `netplay tcp serve`: the course's server (socket, bind, listen, accept,
//! recv, send, close), serving many clients at once on one event loop. Each
//! connection has a reader task and a writer task fed by a bounded outbox,
//! so what is sent to a client (echo, reply, stdin lines, relayed chunks)
//! never blocks its reading or anyone else's. With `--broadcast`, each chunk
//! a client sends is relayed to the others through the hub.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, IsTerminal, Read};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Notify, mpsc};
use tokio::task::{JoinHandle, JoinSet};

use super::hub::{FanOut, Hub, Member, SlowPolicy};
use super::outbox::{self, Inbox, Outbox};
use crate::event::{Dir, Event, Payload, Proto, Role};
use crate::net::access::Access;
use crate::net::limits::{self, OpenFiles};
use crate::net::socket::{self, SocketOptions};
use crate::net::{NetError, describe};
use crate::report::{OutputError, Report};
use crate::units::format_duration;

/// What the server's stdin is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdinMode {
    /// Each line typed is sent to every connected client.
    Lines,
    /// Raw bytes as they come (with --raw), sent to every client.
    Raw,
    /// Not read at all: the demo runs a server whose stdin is the person's
    /// (for `--step`), not the clients'.
    Off,
}

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub options: SocketOptions,
    pub backlog: i32,
    pub recv_size: usize,
    /// Send each chunk back to its sender (in broadcast: include the sender).
    pub echo: bool,
    pub reply: Option<Bytes>,
    pub once: bool,
    pub stdin: StdinMode,
    /// Bytes that may wait in one client's outgoing queue.
    pub queue_limit: usize,
    pub slow: SlowPolicy,
    /// Relay each chunk a client sends to the other clients.
    pub broadcast: bool,
    /// Clients served at once; beyond, new ones are accepted and closed.
    pub max_conns: Option<usize>,
    /// Close a client that has sent nothing for this long.
    pub idle_timeout: Option<Duration>,
    pub access: Access,
    /// The server owns the process, as `tcp serve` does: it raises the
    /// open-file limit, and SIGINT / SIGTERM stop it cleanly with totals.
    /// False when it is embedded (the demo), whose host keeps the signals.
    pub owns_process: bool,
}

/// How long clients get to close when the server stops on a signal.
const CLOSE_PATIENCE: Duration = Duration::from_secs(2);

pub fn run(config: ServeConfig, report: Report) -> Result<()> {
    let files = if config.owns_process {
        raise_open_files(&config, &report)?
    } else {
        limits::open_files().unwrap_or(limits::UNKNOWN_OPEN_FILES)
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("start the event loop")?;
    runtime.block_on(async {
        // Handlers first: a signal sent as soon as "listening" shows must
        // stop the server cleanly, not kill it.
        let signals = if config.owns_process { Some(Signals::new()?) } else { None };
        let listener = listen(&config, &report)?;
        serve(listener, config, files, signals, report).await
    })
}

/// Every client is a descriptor: take all the process may have, and say so.
fn raise_open_files(config: &ServeConfig, report: &Report) -> Result<OpenFiles> {
    let files = match limits::raise_open_files() {
        Ok(files) => files,
        Err(e) => {
            let message = format!("open-file limit not raised: {}", describe(&e));
            report.emit(Event::Notice { conn: None, message })?;
            return Ok(limits::UNKNOWN_OPEN_FILES);
        }
    };
    if let Some(before) = files.raised_from {
        let message = format!(
            "open-file limit raised from {before} to {} (the hard limit): each client takes one open file",
            files.soft
        );
        report.emit(Event::Notice { conn: None, message })?;
    }
    if let Some(max) = config.max_conns
        && max as u64 > files.soft
    {
        let message = format!(
            "--max-conns {max} is above the open-file limit ({}): that limit will refuse clients first",
            files.soft
        );
        report.emit(Event::Notice { conn: None, message })?;
    }
    Ok(files)
}

/// socket → options → bind → listen, each step reported.
fn listen(config: &ServeConfig, report: &Report) -> Result<std::net::TcpListener> {
    let socket = socket::open(&config.addr, Proto::Tcp, Role::Server, config.options, report)?;
    let local = socket::bind(&socket, &config.addr, Role::Server, report)?;
    socket::listen(&socket, &local, config.backlog, report)?;
    socket.set_nonblocking(true).map_err(|e| NetError::socket("set non-blocking", local, e))?;
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
    stop: Notify,
}

impl Server {
    fn emit(&self, event: Event<'_>) -> Result<(), Stop> {
        self.report.emit(event).map_err(|e| {
            self.fail(e);
            Stop
        })
    }

    fn fail(&self, err: OutputError) {
        let mut fatal = self.fatal.lock().unwrap_or_else(|e| e.into_inner());
        if fatal.is_none() {
            *fatal = Some(err);
        }
        self.stop.notify_one();
    }

    /// Why a new peer must be turned away, if it must.
    fn refusal(&self, peer: &SocketAddr) -> Option<String> {
        if let Err(refusal) = self.config.access.check(peer) {
            return Some(refusal.to_string());
        }
        match self.config.max_conns {
            Some(max) if self.live.load(Ordering::Relaxed) >= max => {
                Some(format!("--max-conns {max} reached: {max} clients are connected"))
            }
            _ => None,
        }
    }

    fn reject(&self, stream: TcpStream, peer: SocketAddr, reason: String) -> Result<(), Stop> {
        // Closing at once: the client sees its connection end instead of
        // waiting on a server that will never answer it.
        drop(stream);
        self.counters.rejected.fetch_add(1, Ordering::Relaxed);
        self.emit(Event::Rejected { peer, reason })
    }

    /// Broadcast: queues a chunk for every client (the sender too with
    /// --echo), then reports it once, and what the slow policy did.
    fn relay(
        &self,
        from: Option<u64>,
        chunk: u64,
        offset: u64,
        elapsed: Duration,
        bytes: &Bytes,
    ) -> Result<(), Stop> {
        let except = if self.config.echo { None } else { from };
        let result = self.hub.fan_out(bytes, except, self.config.slow);
        self.counters.relays.fetch_add(1, Ordering::Relaxed);
        let to = result.delivered;
        self.emit(Event::Relay { conn: from, chunk, offset, elapsed, to, bytes: Payload(bytes) })?;
        self.report_full(from, bytes.len(), &result)
    }

    /// A Drop event for each client whose queue was full in a fan-out; then
    /// those the policy disconnects are closed.
    fn report_full(&self, from: Option<u64>, len: usize, result: &FanOut) -> Result<(), Stop> {
        let policy = self.config.slow;
        let counter = match policy {
            SlowPolicy::Drop => &self.counters.drops,
            SlowPolicy::Disconnect => &self.counters.slow_disconnects,
        };
        let reported = result.full.iter().try_for_each(|full| {
            counter.fetch_add(1, Ordering::Relaxed);
            self.emit(Event::Dropped { conn: full.conn, from, len, queued: full.queued, policy })
        });
        result.disconnect();
        reported
    }

    fn summary(&self, signal: &'static str) -> Event<'static> {
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
            duration: self.started.elapsed(),
        }
    }
}

/// Output is gone; the task stops and the server ends.
struct Stop;

/// SIGINT (Ctrl-C) and SIGTERM: both stop the server cleanly.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt()).context("listen for SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("listen for SIGTERM")?,
        })
    }

    /// The name of the next signal received.
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    /// The next signal, or never when the server does not handle them.
    async fn next(signals: &mut Option<Signals>) -> &'static str {
        match signals {
            Some(signals) => signals.recv().await,
            None => std::future::pending().await,
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    config: ServeConfig,
    files: OpenFiles,
    mut signals: Option<Signals>,
    report: Report,
) -> Result<()> {
    let local = listener.local_addr().context("read the listening address")?;
    let listener = TcpListener::from_std(listener).map_err(|e| NetError::socket("register", local, e))?;
    let server = Arc::new(Server {
        config,
        report,
        hub: Hub::default(),
        files,
        started: Instant::now(),
        counters: Counters::default(),
        live: AtomicUsize::new(0),
        stopping: AtomicBool::new(false),
        spare: Mutex::new(File::open("/dev/null").ok()),
        fatal: Mutex::new(None),
        stop: Notify::new(),
    });
    forward_stdin(server.clone());

    let mut connections = JoinSet::new();
    let mut next_conn = 0u64;
    let mut stopped_by = None;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if let Some(reason) = server.refusal(&peer) {
                        if server.reject(stream, peer, reason).is_err() {
                            break;
                        }
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
            name = Signals::next(&mut signals) => {
                stopped_by = Some(name);
                break;
            }
            _ = server.stop.notified() => break,
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
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
        close_all(&server, &mut connections).await;
        // Ends quietly if output is gone: the error is in `fatal`.
        let _ = server.emit(server.summary(name));
    }
    match server.fatal.lock().unwrap_or_else(|e| e.into_inner()).take() {
        Some(err) => Err(err.into()),
        None => Ok(()),
    }
}

/// Tells every client to close, and gives them a little time to report it.
async fn close_all(server: &Server, connections: &mut JoinSet<()>) {
    server.stopping.store(true, Ordering::SeqCst);
    server.hub.kick_all();
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(CLOSE_PATIENCE, drained).await.is_err() {
        connections.shutdown().await;
    }
}

/// accept() failed: say why, and keep serving. When a limit is the cause,
/// name it and how to raise it, and close the waiting client at once rather
/// than let it hang; then pause, since the next accept would fail too.
async fn accept_failed(server: &Server, listener: &TcpListener, local: SocketAddr, err: io::Error) {
    let Some(limit) = limits::accept_limit(&err, server.files) else {
        let _ = server
            .emit(Event::Error { conn: None, message: format!("accept on {local}: {}", describe(&err)) });
        return;
    };
    let spare = server.spare.lock().unwrap_or_else(|e| e.into_inner()).take();
    let waiting = match spare {
        Some(spare) => {
            drop(spare);
            tokio::time::timeout(Duration::from_millis(10), listener.accept()).await.ok().and_then(Result::ok)
        }
        None => None,
    };
    match waiting {
        Some((stream, peer)) => {
            let _ = server.reject(stream, peer, limit);
        }
        None => {
            let _ = server.emit(Event::Error { conn: None, message: format!("accept on {local}: {limit}") });
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    *server.spare.lock().unwrap_or_else(|e| e.into_inner()) = File::open("/dev/null").ok();
}

/// How a connection's reading ended.
enum ReadEnd {
    /// recv returned 0: the peer half-closed.
    Eof,
    /// The hub closed it (slow client), or the server is stopping.
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
    let kick = Arc::new(Notify::new());
    let clients = server.hub.join(conn, Member { outbox: outbox.clone(), kick: kick.clone() });
    if server.emit(Event::Accepted { conn, local, peer }).is_err() {
        server.hub.leave(conn);
        return;
    }
    if server.stopping.load(Ordering::SeqCst) {
        // Joined after the stop kicked everyone.
        kick.notify_one();
    }
    if server.config.broadcast && server.emit(Event::Join { conn, clients }).is_err() {
        return;
    }
    let totals = Arc::new(Totals::default());
    let (reader, writer) = stream.into_split();
    let mut writing =
        AbortOnDrop(tokio::spawn(write_loop(server.clone(), conn, start, writer, inbox, totals.clone())));

    let end = read_loop(&server, conn, start, &reader, &outbox, &kick, &totals).await;
    let clients = server.hub.leave(conn);
    drop(outbox);
    if !matches!(end, ReadEnd::Stopped)
        && server.config.broadcast
        && server.emit(Event::Leave { conn, clients }).is_err()
    {
        return;
    }
    let reason = match end {
        // The peer is done sending: finish what is queued for it, then close.
        ReadEnd::Eof => match (&mut writing.0).await {
            Ok(Ok(())) => None,
            Ok(Err(WriteEnd::Failed(e))) => Some(describe(&e)),
            Ok(Err(WriteEnd::Stopped)) | Err(_) => return,
        },
        ReadEnd::Kicked if server.stopping.load(Ordering::SeqCst) => {
            Some("the server is stopping".to_string())
        }
        ReadEnd::Kicked => Some(format!(
            "disconnected: its queue was full ({} waiting) and it was not reading (--slow disconnect)",
            crate::units::format_bytes(server.config.queue_limit as u64)
        )),
        ReadEnd::Idle(after) => {
            Some(format!("idle: nothing received for {} (--idle-timeout)", format_duration(after)))
        }
        ReadEnd::Failed(e) => Some(describe(&e)),
        ReadEnd::Stopped => return,
    };
    drop(writing);
    // The slot is free before `closed` is reported: a client that connects
    // right after it must not meet --max-conns.
    drop(live);
    let _ = server.emit(Event::Closed {
        conn,
        bytes_in: totals.bytes_in.load(Ordering::Relaxed),
        bytes_out: totals.bytes_out.load(Ordering::Relaxed),
        duration: start.elapsed(),
        reason,
    });
}

thread_local! {
    /// One receive buffer per worker thread, not per connection: an idle
    /// client costs no buffer, so thousands of them fit in little memory.
    static RECV_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What one read did, decided inside the borrow of the thread's buffer.
enum Received {
    Data {
        echo: Option<Bytes>,
    },
    /// Broadcast: a chunk to relay, and its offset in the sender's stream.
    Relay {
        bytes: Bytes,
        offset: u64,
    },
    Eof,
    NotReady,
    Failed(io::Error),
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
    outbox: &Outbox,
    kick: &Notify,
    totals: &Totals,
) -> ReadEnd {
    let config = &server.config;
    let mut chunk = 0u64;
    let idle = config.idle_timeout;
    let mut deadline = idle.map(|d| tokio::time::Instant::now() + d);
    loop {
        tokio::select! {
            ready = reader.readable() => if let Err(e) = ready {
                return fail_read(server, conn, e);
            },
            _ = kick.notified() => return ReadEnd::Kicked,
            _ = until(deadline) => return ReadEnd::Idle(idle.unwrap_or_default()),
        }
        let received = RECV_BUF.with_borrow_mut(|buf| {
            buf.resize(config.recv_size, 0);
            match reader.try_read(buf) {
                Ok(0) => Ok(Received::Eof),
                Ok(n) => {
                    chunk += 1;
                    let offset = totals.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    server.counters.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    let bytes = &buf[..n];
                    if config.broadcast {
                        // Reported once, by the relay, not here.
                        return Ok(Received::Relay { bytes: Bytes::copy_from_slice(bytes), offset });
                    }
                    server.emit(Event::data(conn, Dir::In, chunk, bytes, offset, start.elapsed()))?;
                    Ok(Received::Data { echo: config.echo.then(|| Bytes::copy_from_slice(bytes)) })
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Received::NotReady),
                Err(e) => Ok(Received::Failed(e)),
            }
        });
        if matches!(received, Ok(Received::Data { .. } | Received::Relay { .. })) {
            deadline = idle.map(|d| tokio::time::Instant::now() + d);
        }
        match received {
            Err(Stop) => return ReadEnd::Stopped,
            Ok(Received::NotReady) => {}
            Ok(Received::Eof) => {
                return match server.emit(Event::Eof { conn }) {
                    Ok(()) => ReadEnd::Eof,
                    Err(Stop) => ReadEnd::Stopped,
                };
            }
            Ok(Received::Failed(e)) => return fail_read(server, conn, e),
            Ok(Received::Relay { bytes, offset }) => {
                if server.relay(Some(conn), chunk, offset, start.elapsed(), &bytes).is_err() {
                    return ReadEnd::Stopped;
                }
            }
            Ok(Received::Data { echo }) => {
                // Waiting for room here is TCP's own back-pressure: a client
                // that does not read its echoes stops being read.
                for answer in echo.into_iter().chain(config.reply.clone()) {
                    if outbox.send(answer).await.is_err() {
                        return ReadEnd::Eof;
                    }
                }
            }
        }
    }
}

fn fail_read(server: &Server, conn: u64, err: io::Error) -> ReadEnd {
    match server.emit(Event::Error { conn: Some(conn), message: format!("recv: {}", describe(&err)) }) {
        Ok(()) => ReadEnd::Failed(err),
        Err(Stop) => ReadEnd::Stopped,
    }
}

enum WriteEnd {
    Failed(io::Error),
    Stopped,
}

async fn write_loop(
    server: Arc<Server>,
    conn: u64,
    start: Instant,
    mut writer: OwnedWriteHalf,
    mut inbox: Inbox,
    totals: Arc<Totals>,
) -> Result<(), WriteEnd> {
    let mut chunk = 0u64;
    // In broadcast, each relay is reported once, not once per recipient.
    let report = !server.config.broadcast;
    while let Some(bytes) = inbox.recv().await {
        writer.write_all(&bytes).await.map_err(WriteEnd::Failed)?;
        chunk += 1;
        let offset = totals.bytes_out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        server.counters.bytes_out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if report {
            server
                .emit(Event::data(conn, Dir::Out, chunk, &bytes, offset, start.elapsed()))
                .map_err(|Stop| WriteEnd::Stopped)?;
        }
        inbox.written(bytes.len());
    }
    // Every sender is gone: the peer finished and its answers are written.
    writer.shutdown().await.map_err(WriteEnd::Failed)
}

/// Sends what is typed on stdin to every connected client (as a relay in
/// broadcast mode). The end of stdin never stops the server: it is often
/// /dev/null.
fn forward_stdin(server: Arc<Server>) {
    let mode = server.config.stdin;
    if mode == StdinMode::Off {
        return;
    }
    let (tx, mut rx) = mpsc::channel::<Bytes>(16);
    let spawned = std::thread::Builder::new().name("stdin".into()).spawn(move || read_stdin(mode, tx));
    if spawned.is_err() {
        let _ =
            server.emit(Event::Notice { conn: None, message: "stdin is not read: no thread for it".into() });
        return;
    }
    if io::stdin().is_terminal() {
        let message = "each line typed here is sent to every connected client".to_string();
        let _ = server.emit(Event::Notice { conn: None, message });
    }
    tokio::spawn(async move {
        let (mut chunk, mut offset) = (0u64, 0u64);
        while let Some(bytes) = rx.recv().await {
            if server.hub.is_empty() {
                let message = format!("no client is connected: {} bytes from stdin not sent", bytes.len());
                if server.emit(Event::Notice { conn: None, message }).is_err() {
                    return;
                }
                continue;
            }
            chunk += 1;
            let sent = if server.config.broadcast {
                server.relay(None, chunk, offset, server.started.elapsed(), &bytes)
            } else {
                let result = server.hub.fan_out(&bytes, None, server.config.slow);
                server.report_full(None, bytes.len(), &result)
            };
            offset += bytes.len() as u64;
            if sent.is_err() {
                return;
            }
        }
    });
}

fn read_stdin(mode: StdinMode, tx: mpsc::Sender<Bytes>) {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    loop {
        let mut buf = Vec::new();
        let read = match mode {
            StdinMode::Lines => input.read_until(b'\n', &mut buf),
            StdinMode::Raw => {
                buf.resize(crate::input::SEND_CHUNK, 0);
                input.read(&mut buf).inspect(|&n| buf.truncate(n))
            }
            StdinMode::Off => return,
        };
        match read {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if tx.blocking_send(Bytes::from(buf)).is_err() {
                    return;
                }
            }
        }
    }
}
