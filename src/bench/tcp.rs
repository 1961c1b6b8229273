//! `netplay tcp bench`: memory-to-memory TCP throughput. The sender writes
//! one reused buffer over and over; the receiver reads and counts. At the
//! end the sender half-closes, and the receiver answers with what it
//! counted (24 bytes: bytes, recv calls, microseconds, big-endian) before it
//! closes, so the sender reports both ends.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::{Clock, Meter, loopback, with_receiver};
use crate::config::bench::{Limit, Mode, TcpBenchConfig};
use crate::event::bench::{BenchSide, Moved, TcpBenchResult};
use crate::event::{Event, Proto, Role};
use crate::model::Op;
use crate::net::NetError;
use crate::net::addr::Target;
use crate::net::socket::{self, SocketOptions};
use crate::packets::LastTcpInfo;
use crate::sink::Report;
use crate::tcp::connect;

/// How long connecting may take, and how long the sender waits for the
/// receiver's count once it is done (the receiver may still be reading
/// what the buffers hold).
const PATIENCE: Duration = Duration::from_secs(10);

/// The receiver's count: bytes, recv calls, microseconds.
const COUNT_LEN: usize = 24;

pub(crate) fn run(config: &TcpBenchConfig, report: Report) -> Result<()> {
    match &config.mode {
        Mode::Serve { addr, options, once } => serve(config, *addr, *options, *once, &report),
        Mode::Send { target, family } => {
            let stream = connect::open(
                target,
                *family,
                None,
                SocketOptions::default(),
                Some(PATIENCE),
                &report,
                None,
            )?;
            let result = send(stream, config, BenchSide::Sender, &report)?;
            report.emit(Event::TcpBench(result))?;
            Ok(())
        }
        Mode::Local { family } => {
            let listener = listen(loopback(*family), SocketOptions::default(), 1, &report)?;
            let addr =
                listener.local_addr().map_err(|e| NetError::socket(Op::GetSockName, loopback(*family), e))?;
            let receiver = {
                let (config, report) = (config.clone(), report.clone());
                thread::Builder::new().name("receive".into()).spawn(move || -> Result<()> {
                    let (stream, peer) =
                        listener.accept().map_err(|e| NetError::socket(Op::Accept, addr, e))?;
                    report.emit(Event::Accepted { conn: 1, local: addr, peer })?;
                    receive(stream, peer, &config, None, &report)?;
                    Ok(())
                })?
            };
            let target = Target::of(addr);
            let stream =
                connect::open(&target, None, None, SocketOptions::default(), Some(PATIENCE), &report, None)?;
            let result = send(stream, config, BenchSide::Local, &report);
            report.emit(Event::TcpBench(with_receiver(result, receiver)?))?;
            Ok(())
        }
    }
}

/// socket, bind, listen: reported, as `tcp serve` does them.
fn listen(addr: SocketAddr, options: SocketOptions, backlog: i32, report: &Report) -> Result<TcpListener> {
    let socket = socket::open(&addr, Proto::Tcp, Role::Server, options, report)?;
    let local = socket::bind(&socket, &addr, Role::Server, report)?;
    socket::listen(&socket, &local, backlog, report)?;
    report.emit(Event::Listening { proto: Proto::Tcp, local, backlog: Some(backlog) })?;
    Ok(socket.into())
}

/// `--serve`: one sender after the other (or one, with `--once`).
fn serve(
    config: &TcpBenchConfig,
    addr: SocketAddr,
    options: SocketOptions,
    once: bool,
    report: &Report,
) -> Result<()> {
    let listener = listen(addr, options, 16, report)?;
    let local = listener.local_addr().map_err(|e| NetError::socket(Op::GetSockName, addr, e))?;
    for conn in 1u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(NetError::socket(Op::Accept, local, e).into()),
        };
        report.emit(Event::Accepted { conn, local, peer })?;
        match receive(stream, peer, config, Some(conn), report) {
            Ok(received) => report.emit(Event::TcpBench(TcpBenchResult {
                side: BenchSide::Receiver,
                local,
                peer,
                sent: None,
                received: Some(received),
                send_size: None,
                tcp_info: None,
            }))?,
            Err(e) if once => return Err(e),
            Err(e) => report
                .emit(Event::Error { conn: Some(conn), message: crate::i18n::Msg::text(format!("{e:#}")) })?,
        }
        if once {
            break;
        }
    }
    Ok(())
}

/// Reads until the sender half-closes, counting; then sends the count
/// back and closes. `conn` is set when this process only receives: it then
/// reports progress itself.
fn receive(
    mut stream: TcpStream,
    peer: SocketAddr,
    config: &TcpBenchConfig,
    conn: Option<u64>,
    report: &Report,
) -> Result<Moved> {
    let meter = Meter::new();
    let clock =
        Clock::start(&meter, BenchSide::Receiver, None, config.progress && conn.is_some(), false, report);
    let mut buf = vec![0u8; config.recv_size];
    let (mut bytes, mut calls) = (0u64, 0u64);
    let start = Instant::now();
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                bytes += n as u64;
                calls += 1;
                meter.bytes.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(NetError::socket(Op::Recv, peer, e).into()),
        }
    }
    let duration = start.elapsed();
    clock.finish();
    let mut count = [0u8; COUNT_LEN];
    count[..8].copy_from_slice(&bytes.to_be_bytes());
    count[8..16].copy_from_slice(&calls.to_be_bytes());
    count[16..].copy_from_slice(&(duration.as_micros() as u64).to_be_bytes());
    // A sender that is not netplay may be gone already: the count is a
    // courtesy, its loss is no error.
    let _ = stream.write_all(&count);
    let _ = stream.shutdown(Shutdown::Write);
    Ok(Moved::new(bytes, calls, duration))
}

/// Sends until the limit, half-closes, and reads the receiver's count.
fn send(
    mut stream: TcpStream,
    config: &TcpBenchConfig,
    side: BenchSide,
    report: &Report,
) -> Result<TcpBenchResult> {
    let peer = stream.peer_addr().context("read the connected peer's address")?;
    let local = stream.local_addr().context("read the connected socket's address")?;
    report.emit(Event::Connected { conn: 1, local, peer, ephemeral: true })?;
    // Bytes that are not all zeros, in case something on the way compresses.
    let buf: Vec<u8> = (0..config.size).map(|i| (i % 251) as u8).collect();
    let (deadline, max_bytes) = match config.limit {
        Limit::Time(d) => (Some(d), u64::MAX),
        Limit::Amount(n) => (None, n),
    };
    let meter = Meter::new();
    // Each progress line also says how TCP is doing: RTT, window, losses.
    let probe: Option<crate::bench::Probe> = stream
        .try_clone()
        .ok()
        .map(|socket| Box::new(move || crate::capture::tcp_info(&socket).ok()) as crate::bench::Probe);
    let clock = Clock::probing(&meter, side, deadline, config.progress, false, report, probe);
    let (mut bytes, mut calls) = (0u64, 0u64);
    let start = Instant::now();
    while bytes < max_bytes && !meter.stopped() {
        let len = (max_bytes - bytes).min(buf.len() as u64) as usize;
        match stream.write(&buf[..len]) {
            Ok(n) => {
                bytes += n as u64;
                calls += 1;
                meter.bytes.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(NetError::socket(Op::Send, peer, e).into()),
        }
    }
    let duration = start.elapsed();
    clock.finish();
    // Read while the kernel still lists the socket (see LastTcpInfo): before
    // the half-close, and again once the count is in, if it still is then
    // (every byte sent was acknowledged by that time).
    let tcp_info = LastTcpInfo::new(true);
    tcp_info.read(&stream);
    stream.shutdown(Shutdown::Write).map_err(|e| NetError::socket(Op::Shutdown, peer, e))?;
    let received = read_count(&mut stream).map_err(|e| NetError::socket(Op::ReadCount, peer, e))?;
    tcp_info.read(&stream);
    let tcp_info = tcp_info.get();
    Ok(TcpBenchResult {
        side,
        local,
        peer,
        sent: Some(Moved::new(bytes, calls, duration)),
        received,
        send_size: Some(config.size),
        tcp_info,
    })
}

/// The receiver's count; None when it closed without one.
fn read_count(stream: &mut TcpStream) -> io::Result<Option<Moved>> {
    stream.set_read_timeout(Some(PATIENCE))?;
    let mut count = Vec::with_capacity(COUNT_LEN);
    // A receiver that is not netplay may reset, or keep the connection
    // open without a word: no count, which is no failure of the run.
    Read::by_ref(stream).take(COUNT_LEN as u64).read_to_end(&mut count).or_else(|e| match e.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Ok(0),
        _ => Err(e),
    })?;
    if count.len() < COUNT_LEN {
        return Ok(None);
    }
    let field = |i: usize| u64::from_be_bytes(count[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    Ok(Some(Moved::new(field(0), field(1), Duration::from_micros(field(2)))))
}
