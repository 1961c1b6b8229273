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
//!
//! Here: the run, its listening socket and the state every task shares
//! (`Server`). The accept loop is in accept.rs, a connection's reader and
//! writer in conn.rs, `--script`'s steps in script.rs, the glue to the
//! direct path (tcp::direct) in direct_path.rs, the server's stdin in
//! stdin.rs.

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
use crate::tcp::direct::{self, Served};
use crate::tcp::hub::{Cut, FanOut, Hub, SlowPolicy};
use crate::tcp::outbox::{self, Inbox, Outbox};
use crate::tcp::owed::{self, InputCut};

mod accept;
mod conn;
mod direct_path;
mod script;
mod stdin;

use accept::*;
use conn::*;
use direct_path::*;
use script::*;
use stdin::*;

/// How long clients get to close when the server stops on a signal.
const CLOSE_PATIENCE: Duration = Duration::from_millis(400);
/// How long the last lines get to be written after a signal: an output
/// nobody reads must not keep a stopped server alive.
const OUTPUT_PATIENCE: Duration = Duration::from_millis(800);
/// Longest line read from stdin in Lines mode; a longer "line" (a file
/// with no newline) is sent in pieces of this size.
const MAX_LINE: usize = 64 * 1024;

pub(crate) fn run(config: &ServeConfig, report: Report) -> Result<()> {
    run_to_end(config, report).map(drop)
}

/// [`run`], saying which signal stopped the server, if one did.
pub(crate) fn run_to_end(config: &ServeConfig, report: Report) -> Result<Option<&'static str>> {
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
    /// That stream was read to its end and all of it queued for the
    /// clients (it is theirs once their writers have written it).
    stdin_ended: AtomicBool,
    /// Bytes read from it so far.
    stdin_read: AtomicU64,
    /// stdout's reader left while stdin was still being given to a client,
    /// or before the client acknowledged it: the run's result (exit 1).
    input_cut: Mutex<Option<InputCut>>,
    /// The one client's bytes take the direct path (tcp::direct).
    direct: bool,
    stop: Notify,
    /// Stdin has ended and --quit-after is set: no one more is accepted,
    /// and the server ends once its clients are gone.
    quitting: AtomicBool,
    /// Wakes the accept loop when `quitting` is set.
    quit: Notify,
    /// The last connection whose "accepted" line has its place: the accept
    /// loop numbers connections in the accept order, and each one's task
    /// takes its line's place after the one before it ([`Turn`]).
    told: tokio::sync::watch::Sender<u64>,
}

/// A connection's turn to take the place of its "accepted" line: its task
/// waits until connection `conn - 1` had its turn, so the lines come in the
/// accept order, numbers increasing, however the tasks run. Dropped (after
/// the place is taken, or if the task ends first), it passes the turn on.
struct Turn<'a> {
    told: &'a tokio::sync::watch::Sender<u64>,
    conn: u64,
}

impl<'a> Turn<'a> {
    async fn wait(told: &'a tokio::sync::watch::Sender<u64>, conn: u64) -> Turn<'a> {
        let mut seen = told.subscribe();
        // The sender lives in the server, which outlives this task.
        let _ = seen.wait_for(|&last| last + 1 >= conn).await;
        Turn { told, conn }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.told.send_if_modified(|last| {
            let later = self.conn > *last;
            if later {
                *last = self.conn;
            }
            later
        });
    }
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

    /// A client's stream of stdin was cut by stdout's reader leaving.
    fn cut_input(&self, cut: InputCut) {
        let mut held = self.input_cut.locked();
        *held = Some(match *held {
            Some(earlier) => earlier.with(cut),
            None => cut,
        });
    }

    /// stdout is gone (its reader left, or writing it failed).
    fn output_gone(&self) -> bool {
        self.fatal.locked().is_some() || self.report.check().is_err()
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
