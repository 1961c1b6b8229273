//! The experiments behind the demo's table, each run quietly on loopback
//! with the real runners; every value in a row comes from their events.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use anyhow::{Context, Result};

use super::log::{Entry, Seen};
use super::wire::{DemoWire, on_wire};
use super::{Exchange, Pair, pair, solo};
use crate::config::demo::{
    BOUNDARY_SENDS, Both, ClosedPort, LONG_MESSAGE, RECV_SIZE, TcpPair, UdpPair, messages,
};
use crate::event::Dir;
use crate::event::demo::{Attempt, DemoRow, Received, Verdict};
use crate::net::{NetError, describe_msg, ports};

pub(super) fn boundaries(wire: Option<&DemoWire>, runs: &Both) -> Result<DemoRow> {
    let tcp = tcp_pair(&runs.tcp, wire)?;
    let udp = udp_pair(&runs.udp, wire)?;
    Ok(DemoRow::Boundaries {
        sends: BOUNDARY_SENDS,
        size: messages(1)[0].len(),
        tcp: received_seen(&tcp, wire),
        udp: received_seen(&udp, wire),
    })
}

pub(super) fn truncation(wire: Option<&DemoWire>, runs: &Both) -> Result<DemoRow> {
    let tcp = tcp_pair(&runs.tcp, wire)?;
    let udp = udp_pair(&runs.udp, wire)?;
    Ok(DemoRow::Truncation {
        message: LONG_MESSAGE,
        buffer: RECV_SIZE,
        tcp: received_seen(&tcp, wire),
        udp: received_seen(&udp, wire),
    })
}

/// What the server received and, when the pair was watched, what the wire
/// carried.
fn received_seen(run: &Pair, wire: Option<&DemoWire>) -> Received {
    Received { wire: wire.map(|_| on_wire(&run.packets)), ..received(&run.server) }
}

/// A `tcp connect` and the `tcp serve --once` that does not answer it;
/// with `wire`, their packets are kept.
pub(super) fn tcp_pair(runs: &TcpPair, wire: Option<&DemoWire>) -> Result<Pair> {
    let server = runs.server.clone();
    let run = pair(
        (None, None),
        wire.map(|wire| (wire, None)),
        move |report| crate::tcp::serve::run(&server, report),
        |report, addr| crate::tcp::connect::run(&runs.client.aimed_at(addr), report),
    )?;
    run.server_result.as_ref().map_err(|e| anyhow::anyhow!("{e:#}"))?;
    Ok(run)
}

/// A `udp send` and the `udp serve` that takes as many datagrams, or gives
/// up after its idle time without any: a datagram may be lost.
pub(super) fn udp_pair(runs: &UdpPair, wire: Option<&DemoWire>) -> Result<Pair> {
    let server = runs.server.clone();
    let run = pair(
        (None, None),
        wire.map(|wire| (wire, None)),
        move |report| crate::udp::serve::run(&server, report),
        |report, addr| crate::udp::send::run(&runs.client.aimed_at(addr), report),
    )?;
    if let Err(e) = &run.server_result
        && !matches!(e.downcast_ref::<NetError>(), Some(NetError::Idle { .. }))
    {
        return Err(anyhow::anyhow!("{e:#}"));
    }
    Ok(run)
}

/// What a receiver got, from its `in` events.
pub(super) fn received(entries: &[Entry]) -> Received {
    let mut got = Received::default();
    let mut arrived = Vec::new();
    for entry in entries {
        match &entry.seen {
            Seen::Data { dir: Dir::In, bytes } => got.lengths.push(bytes.len()),
            Seen::Datagram { dir: Dir::In, arrived: length, bytes } => {
                got.lengths.push(bytes.len());
                arrived.push(length.unwrap_or(bytes.len()));
            }
            _ => continue,
        }
        got.calls += 1;
    }
    got.bytes = got.lengths.iter().map(|&n| n as u64).sum();
    if got.calls > 0 && !arrived.is_empty() {
        got.discarded =
            Some(arrived.iter().zip(&got.lengths).map(|(&a, &k)| a.saturating_sub(k) as u64).sum());
        got.arrived = Some(arrived);
    }
    got
}

pub(super) fn closed_port(wire: Option<&DemoWire>, runs: &ClosedPort) -> Result<DemoRow> {
    let port = closed_port_number()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let tcp = watched(wire, addr, || {
        attempt(solo(|report| crate::tcp::connect::run(&runs.tcp.aimed_at(addr), report)))
    })?;
    let udp_unconnected = watched(wire, addr, || {
        attempt(solo(|report| crate::udp::send::run(&runs.udp_unconnected.aimed_at(addr), report)))
    })?;
    let udp_connected = watched(wire, addr, || {
        attempt(solo(|report| crate::udp::send::run(&runs.udp_connected.aimed_at(addr), report)))
    })?;
    Ok(DemoRow::ClosedPort { port, tcp, udp_unconnected, udp_connected })
}

/// An attempt on `addr`, with what the wire showed of it when watched.
fn watched(wire: Option<&DemoWire>, addr: SocketAddr, run: impl FnOnce() -> Attempt) -> Result<Attempt> {
    let Some(wire) = wire else { return Ok(run()) };
    let watching = wire.watch(addr, None)?;
    let attempt = run();
    let packets = watching.finish()?;
    Ok(Attempt { wire: Some(on_wire(&packets)), ..attempt })
}

/// A port nothing is bound to, for TCP and for UDP, below the ephemeral
/// range ([`ports::below_ephemeral`]): the demo's own clients, which bind
/// to port 0 as they connect or send, can never be given it between this
/// choice and its use (a port drawn from the range could be, and then no
/// RST,ACK came: tests/suite/wire_numbers.rs failed so, rarely). Where the range
/// leaves no room below it, a port the OS just gave out and took back.
fn closed_port_number() -> Result<u16> {
    if let Some(below) = ports::below_ephemeral() {
        let (first, span) = (u32::from(*below.start()), u32::from(below.end() - below.start()) + 1);
        // Start anywhere, so demos run side by side seldom share the port.
        let start = {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new().build_hasher().finish() as u32
        };
        for i in 0..64 {
            let port = (first + start.wrapping_add(i) % span) as u16;
            if nothing_bound(port) {
                return Ok(port);
            }
        }
    }
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").context("bind a UDP socket to find a free port")?;
        let port = udp.local_addr().context("read a UDP socket's port")?.port();
        drop(udp);
        // The same port must be free for TCP too.
        if nothing_bound(port) {
            return Ok(port);
        }
    }
    anyhow::bail!("found no port free for both TCP and UDP in 20 tries")
}

/// Whether no socket is bound to `port` on 127.0.0.1, for TCP nor UDP:
/// both binds succeed (the TCP one never listens, so a SYN that came
/// meanwhile is answered by RST,ACK all the same); both are let go at once.
fn nothing_bound(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let tcp = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .is_ok_and(|socket| socket.bind(&addr.into()).is_ok());
    tcp && UdpSocket::bind(addr).is_ok()
}

/// The verdict of one run against the closed port.
fn attempt((entries, result, took): (Vec<Entry>, Result<()>, Duration)) -> Attempt {
    let sent = entries
        .iter()
        .filter(|e| matches!(e.seen, Seen::Data { dir: Dir::Out, .. } | Seen::Datagram { dir: Dir::Out, .. }))
        .count() as u64;
    let answered = entries
        .iter()
        .any(|e| matches!(e.seen, Seen::Data { dir: Dir::In, .. } | Seen::Datagram { dir: Dir::In, .. }));
    let (verdict, error) = match &result {
        Ok(()) if answered => (Verdict::Answered, None),
        Ok(()) => (Verdict::Silent, None),
        Err(e) => {
            let refused = e
                .downcast_ref::<NetError>()
                .and_then(NetError::io_kind)
                .is_some_and(crate::sys::refused::is_refusal_kind);
            let text = match e.downcast_ref::<NetError>() {
                Some(NetError::Socket { source, .. }) => describe_msg(source),
                Some(NetError::AllAttemptsFailed { attempts, .. }) if !attempts.is_empty() => {
                    describe_msg(&attempts[attempts.len() - 1].1)
                }
                _ => crate::i18n::Msg::text(format!("{e:#}")),
            };
            (if refused { Verdict::Refused } else { Verdict::Failed }, Some(text))
        }
    };
    Attempt { verdict, error, sent, after: took, wire: None }
}

pub(super) fn ports(tcp: &Exchange, udp: &Exchange) -> DemoRow {
    DemoRow::ClientPorts {
        tcp_client: tcp.client,
        tcp_server: tcp.server,
        udp_client: udp.client,
        udp_server: udp.server,
        range: ports::ephemeral_range().map(|r| [*r.start(), *r.end()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed port lies below the ephemeral range, where no bind to
    /// port 0 (the demo's clients connect and send unbound) can take it
    /// between its choice and its use; it was drawn from the range before,
    /// and this failed on every draw.
    #[test]
    fn the_closed_port_is_one_no_port_0_bind_is_given() {
        let first = crate::sys::ephemeral::first();
        for _ in 0..20 {
            let port = closed_port_number().unwrap();
            assert!(
                (1024..first).contains(&port),
                "{port}: inside the ephemeral range {:?}",
                crate::sys::ephemeral::range()
            );
            assert!(nothing_bound(port), "{port} was bound");
        }
    }

    /// A port something is bound to (TCP or UDP) is not closed.
    #[test]
    fn a_bound_port_is_not_closed() {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        assert!(!nothing_bound(udp.local_addr().unwrap().port()));
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(!nothing_bound(tcp.local_addr().unwrap().port()));
    }
}
