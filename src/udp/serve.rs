//! `netplay udp serve`: the non-connected server. One socket, bound and
//! never listening: there is nothing to accept, so one blocking loop in one
//! thread takes every datagram from every sender (recvfrom) and answers each
//! sender at its own address (sendto).

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::Bytes;
use socket2::{SockAddr, Socket};

use super::recv_datagram;
use crate::event::{Dir, Event, Proto, Role};
use crate::net::socket::{self, SocketOptions};
use crate::net::{NetError, describe};
use crate::packets::{Packets, PacketsConfig};
use crate::report::Report;

#[derive(Debug, Clone)]
pub struct UdpServeConfig {
    pub addr: SocketAddr,
    pub options: SocketOptions,
    /// Bytes asked per recvfrom; a longer datagram is cut to this.
    pub recv_size: usize,
    /// Send each datagram (the bytes kept) back to its sender.
    pub echo: bool,
    /// Send these bytes to the sender of each datagram.
    pub reply: Option<Vec<u8>>,
    /// Exit after this many datagrams (and their answers): `--once` is 1.
    pub limit: Option<u64>,
    /// Give up when no datagram comes for this long (exit code 5); the
    /// demo bounds its waits with it, since a lost datagram never comes.
    pub idle: Option<Duration>,
    /// `--packets`, `--pcap`.
    pub packets: PacketsConfig,
}

/// Counts of one run, for the summary.
#[derive(Debug, Default)]
struct Totals {
    received: u64,
    sent: u64,
    bytes_in: u64,
    bytes_out: u64,
}

pub fn run(config: UdpServeConfig, report: Report) -> Result<()> {
    let mut packets = Packets::new(&config.packets, &report)?;
    let socket = socket::open(&config.addr, Proto::Udp, Role::Server, config.options, &report)?;
    let local = socket::bind(&socket, &config.addr, Role::Server, &report)?;
    packets.serve(local)?;
    report.emit(Event::Listening { proto: Proto::Udp, local, backlog: None })?;
    let start = Instant::now();
    let mut totals = Totals::default();
    let mut buf = vec![0u8; config.recv_size];
    socket.set_read_timeout(config.idle).map_err(|e| NetError::socket("set timeout for", local, e))?;
    loop {
        let got = match recv_datagram(&socket, &mut buf) {
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                let after = config.idle.unwrap_or_default();
                return Err(NetError::Idle { what: "waiting for datagrams on", addr: local, after }.into());
            }
            // An ICMP error about an earlier answer (Linux reports them
            // only to connected sockets, other systems to any): it concerns
            // one peer, not the server.
            Err(e)
                if matches!(e.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset) =>
            {
                report.emit(Event::Error { conn: None, message: format!("recvfrom: {}", describe(&e)) })?;
                continue;
            }
            Err(e) => return Err(NetError::socket("recvfrom on", local, e).into()),
        };
        totals.received += 1;
        totals.bytes_in += got.kept as u64;
        let bytes = Bytes::copy_from_slice(&buf[..got.kept]);
        report.emit(Event::datagram(
            Dir::In,
            got.from,
            totals.received,
            bytes.clone(),
            Some(got.arrived),
            start.elapsed(),
        ))?;
        let echo = config.echo.then_some(&bytes[..]);
        for answer in echo.into_iter().chain(config.reply.as_deref()) {
            answer_to(&socket, got.from, answer, start, &mut totals, &report)?;
        }
        if config.limit.is_some_and(|limit| totals.received >= limit) {
            break;
        }
    }
    report.emit(Event::Done {
        sent: totals.sent,
        received: totals.received,
        bytes_out: totals.bytes_out,
        bytes_in: totals.bytes_in,
        duration: start.elapsed(),
    })?;
    packets.finish()
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
            let bytes = Bytes::copy_from_slice(&bytes[..n]);
            cause.emit(Event::datagram(Dir::Out, peer, totals.sent, bytes, None, start.elapsed()))?;
        }
        Err(e) => {
            report.emit(Event::Error { conn: None, message: format!("sendto {peer}: {}", describe(&e)) })?;
        }
    }
    Ok(())
}
