//! What a benchmark is asked to do: which end this process plays (Mode),
//! when the sender stops (Limit), and each protocol's sizes.

use std::net::SocketAddr;
use std::time::Duration;

use crate::event::Family;
use crate::net::addr::Target;
use crate::net::socket::SocketOptions;

/// Which end this process plays.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    /// Receive, on `addr`; serve senders one after the other, or only one.
    Serve { addr: SocketAddr, options: SocketOptions, once: bool },
    /// Send to the receiver at `target`.
    Send { target: Target, family: Option<Family> },
    /// Both ends, over the loopback of `family`.
    Local { family: Family },
}

/// When a sender stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// After this long.
    Time(Duration),
    /// After this many bytes (TCP) or datagrams (UDP).
    Amount(u64),
}

#[derive(Debug, Clone)]
pub(crate) struct TcpBenchConfig {
    pub(crate) mode: Mode,
    pub(crate) limit: Limit,
    /// Bytes per send() call.
    pub(crate) size: usize,
    /// Bytes asked per recv() call.
    pub(crate) recv_size: usize,
    /// Report progress every so often (on a terminal).
    pub(crate) progress: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct UdpBenchConfig {
    pub(crate) mode: Mode,
    pub(crate) limit: Limit,
    /// Bytes of payload per datagram, header included.
    pub(crate) size: usize,
    /// Bits per second to send at; 0 is as fast as possible.
    pub(crate) rate: u64,
    /// Use UDP_SEGMENT and UDP_GRO where the kernel has them; without,
    /// one send() and one recv() per datagram, as iperf3 does.
    pub(crate) offload: bool,
    /// Report progress every so often (on a terminal).
    pub(crate) progress: bool,
}
