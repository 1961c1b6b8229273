//! `netplay tcp serve`: the course's server (socket, bind, listen, accept,
//! recv, send, close), serving many clients at once on one event loop. Each
//! connection has a reader task and a writer task fed by a bounded outbox,
//! so what is sent to a client (echo, reply, stdin lines) never blocks its
//! reading or anyone else's.

use std::cell::RefCell;
use std::io::{self, BufRead, IsTerminal, Read};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;

use super::hub::{Hub, Member, SlowPolicy};
use super::outbox::{self, Inbox, Outbox};
use crate::event::{Dir, Event, Proto, Role};
use crate::net::socket::{self, SocketOptions};
use crate::net::{NetError, describe};
use crate::report::{OutputError, Report};

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
    pub echo: bool,
    pub reply: Option<Bytes>,
    pub once: bool,
    pub stdin: StdinMode,
    /// Bytes that may wait in one client's outgoing queue.
    pub queue_limit: usize,
    pub slow: SlowPolicy,
}

pub fn run(config: ServeConfig, report: Report) -> Result<()> {
    let listener = listen(&config, &report)?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("start the event loop")?;
    runtime.block_on(serve(listener, config, report))
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

/// State shared by the accept loop and every connection.
struct Server {
    config: ServeConfig,
    report: Report,
    hub: Hub,
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
}

/// Output is gone; the task stops and the server ends.
struct Stop;

async fn serve(listener: std::net::TcpListener, config: ServeConfig, report: Report) -> Result<()> {
    let local = listener.local_addr().context("read the listening address")?;
    let listener = TcpListener::from_std(listener).map_err(|e| NetError::socket("register", local, e))?;
    let server = Arc::new(Server {
        config,
        report,
        hub: Hub::default(),
        fatal: Mutex::new(None),
        stop: Notify::new(),
    });
    forward_stdin(server.clone());

    let mut connections = JoinSet::new();
    let mut next_conn = 0u64;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    next_conn += 1;
                    connections.spawn(connection(server.clone(), stream, next_conn, peer));
                    if server.config.once {
                        break;
                    }
                }
                Err(e) => accept_failed(&server, local, e).await,
            },
            _ = server.stop.notified() => break,
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    if server.config.once {
        tokio::select! {
            _ = async { while connections.join_next().await.is_some() {} } => {}
            _ = server.stop.notified() => {}
        }
    }
    match server.fatal.lock().unwrap_or_else(|e| e.into_inner()).take() {
        Some(err) => Err(err.into()),
        None => Ok(()),
    }
}

/// accept() failed: say why, and keep serving. Running out of descriptors
/// would fail again at once, so wait a little before the next accept.
async fn accept_failed(server: &Server, local: SocketAddr, err: io::Error) {
    let out_of_files = matches!(err.raw_os_error(), Some(libc::EMFILE | libc::ENFILE));
    let message = if out_of_files {
        format!(
            "accept on {local}: {}: the open-file limit stops new connections; raise it with `ulimit -n` (hard limit: `ulimit -Hn`)",
            describe(&err)
        )
    } else {
        format!("accept on {local}: {}", describe(&err))
    };
    let _ = server.emit(Event::Error { conn: None, message });
    if out_of_files {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How a connection's reading ended.
enum ReadEnd {
    /// recv returned 0: the peer half-closed.
    Eof,
    /// The hub closed it (slow client).
    Kicked,
    Failed(io::Error),
    Stopped,
}

/// Byte counts one connection shares between its reader and writer.
#[derive(Default)]
struct Totals {
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

async fn connection(server: Arc<Server>, stream: TcpStream, conn: u64, peer: SocketAddr) {
    let start = Instant::now();
    let local = stream.local_addr().unwrap_or(server.config.addr);
    if server.emit(Event::Accepted { conn, local, peer }).is_err() {
        return;
    }
    let (outbox, inbox) = outbox::channel(server.config.queue_limit);
    let kick = Arc::new(Notify::new());
    server.hub.join(conn, Member { outbox: outbox.clone(), kick: kick.clone() });
    let totals = Arc::new(Totals::default());
    let (reader, writer) = stream.into_split();
    let writing = tokio::spawn(write_loop(server.clone(), conn, start, writer, inbox, totals.clone()));

    let end = read_loop(&server, conn, start, &reader, &outbox, &kick, &totals).await;
    server.hub.leave(conn);
    drop(outbox);
    let reason = match end {
        // The peer is done sending: finish what is queued for it, then close.
        ReadEnd::Eof => match writing.await {
            Ok(Ok(())) => None,
            Ok(Err(WriteEnd::Failed(e))) => Some(describe(&e)),
            Ok(Err(WriteEnd::Stopped)) | Err(_) => return,
        },
        other => {
            writing.abort();
            match other {
                ReadEnd::Kicked => {
                    Some("disconnected: its queue was full and it was not reading".to_string())
                }
                ReadEnd::Failed(e) => Some(describe(&e)),
                _ => return,
            }
        }
    };
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
    Data { echo: Option<Bytes> },
    Eof,
    NotReady,
    Failed(io::Error),
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
    loop {
        tokio::select! {
            ready = reader.readable() => if let Err(e) = ready {
                return fail_read(server, conn, e);
            },
            _ = kick.notified() => return ReadEnd::Kicked,
        }
        let received = RECV_BUF.with_borrow_mut(|buf| {
            buf.resize(config.recv_size, 0);
            match reader.try_read(buf) {
                Ok(0) => Ok(Received::Eof),
                Ok(n) => {
                    chunk += 1;
                    let offset = totals.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    let bytes = &buf[..n];
                    server.emit(Event::data(conn, Dir::In, chunk, bytes, offset, start.elapsed()))?;
                    Ok(Received::Data { echo: config.echo.then(|| Bytes::copy_from_slice(bytes)) })
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Received::NotReady),
                Err(e) => Ok(Received::Failed(e)),
            }
        });
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
    while let Some(bytes) = inbox.recv().await {
        writer.write_all(&bytes).await.map_err(WriteEnd::Failed)?;
        chunk += 1;
        let offset = totals.bytes_out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        server
            .emit(Event::data(conn, Dir::Out, chunk, &bytes, offset, start.elapsed()))
            .map_err(|Stop| WriteEnd::Stopped)?;
        inbox.written(bytes.len());
    }
    // Every sender is gone: the peer finished and its answers are written.
    writer.shutdown().await.map_err(WriteEnd::Failed)
}

/// Sends what is typed on stdin to every connected client. The end of stdin
/// never stops the server: it is often /dev/null.
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
        while let Some(bytes) = rx.recv().await {
            let result = server.hub.fan_out(&bytes, None, server.config.slow);
            let notice =
                if result.delivered == 0 && result.dropped.is_empty() && result.disconnected.is_empty() {
                    Some(format!("no client is connected: {} bytes from stdin not sent", bytes.len()))
                } else {
                    None
                };
            let mut notices: Vec<(Option<u64>, String)> = notice.into_iter().map(|m| (None, m)).collect();
            notices.extend(result.dropped.iter().map(|&c| {
                (Some(c), format!("queue full: {} bytes from stdin not sent to this client", bytes.len()))
            }));
            notices.extend(
                result.disconnected.iter().map(|&c| (Some(c), "queue full: closing this client".to_string())),
            );
            for (conn, message) in notices {
                if server.emit(Event::Notice { conn, message }).is_err() {
                    return;
                }
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
                buf.resize(64 * 1024, 0);
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
