//! What `tcp bench` and `udp bench` measured, as plain data: the events
//! carry these, the reporters render them.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;

use super::serialize_micros;

/// Which end of a benchmark this process plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BenchSide {
    /// Sends to a receiver elsewhere (`HOST PORT`).
    Sender,
    /// Receives (`--serve`).
    Receiver,
    /// Both, in one process over loopback (`--local`).
    Local,
}

/// Counts so far, for the live progress line.
#[derive(Debug, Clone, Serialize)]
pub struct BenchProgress {
    pub(crate) side: BenchSide,
    /// Bytes sent (sender, local) or received (receiver) so far.
    pub(crate) bytes: u64,
    /// Datagrams so far (UDP only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) datagrams: Option<u64>,
    #[serde(rename = "elapsed_us", serialize_with = "serialize_micros")]
    pub(crate) elapsed: Duration,
    /// The rate over the last interval, in bits of payload per second.
    pub(crate) bits_per_second: f64,
    /// A TCP sender's TCP_INFO at this tick (Linux).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tcp_info: Option<crate::model::tcp_info::TcpInfo>,
}

/// One direction's totals: bytes, the calls that moved them, and the time
/// they took.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Moved {
    pub(crate) bytes: u64,
    /// send() or recv() calls (TCP); datagrams (UDP).
    pub(crate) calls: u64,
    #[serde(rename = "duration_us", serialize_with = "serialize_micros")]
    pub(crate) duration: Duration,
    pub(crate) bits_per_second: f64,
}

impl Moved {
    pub(crate) fn new(bytes: u64, calls: u64, duration: Duration) -> Moved {
        Moved { bytes, calls, duration, bits_per_second: per_second(bytes as f64 * 8.0, duration) }
    }

    /// Calls (datagrams) per second.
    pub(crate) fn calls_per_second(&self) -> f64 {
        per_second(self.calls as f64, self.duration)
    }
}

/// `amount` per second over `duration`; 0 when no time passed.
pub(crate) fn per_second(amount: f64, duration: Duration) -> f64 {
    let secs = duration.as_secs_f64();
    if secs > 0.0 { amount / secs } else { 0.0 }
}

/// The result of a TCP benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct TcpBenchResult {
    pub(crate) side: BenchSide,
    pub(crate) local: SocketAddr,
    pub(crate) peer: SocketAddr,
    /// What this process sent (sender, local).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sent: Option<Moved>,
    /// What the receiver counted: this process's (receiver, local), or the
    /// one the receiver sent back (sender; absent if it sent none back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) received: Option<Moved>,
    /// Bytes per send() call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) send_size: Option<usize>,
    /// The sending socket's TCP_INFO once all was sent and acknowledged,
    /// before close() (Linux).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tcp_info: Option<crate::model::tcp_info::TcpInfo>,
}

/// What the receiver of a UDP benchmark counted, by sequence number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SeqCounts {
    /// Distinct datagrams received.
    pub(crate) received: u64,
    /// Sent but never received: the sender's count (or, when it is
    /// unknown, the highest sequence number seen plus one) less `received`.
    pub(crate) lost: u64,
    /// Received after a datagram with a higher sequence number.
    pub(crate) reordered: u64,
    /// Copies of a datagram already received (not counted in `received`).
    pub(crate) duplicated: u64,
}

/// The result of a UDP benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct UdpBenchResult {
    pub(crate) side: BenchSide,
    pub(crate) local: SocketAddr,
    pub(crate) peer: SocketAddr,
    /// Bytes of payload per datagram.
    pub(crate) size: usize,
    /// The sending rate asked for, in bits per second; 0 is as fast as
    /// possible (absent on the receiver, which is not told).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rate: Option<u64>,
    /// What this process sent (sender, local): `calls` are datagrams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sent: Option<Moved>,
    /// Datagrams the sender said it sent, as the receiver learnt it from
    /// the end marker (absent when none arrived).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sent_by_peer: Option<u64>,
    /// What the receiver took, from its first datagram to its last
    /// (absent when the receiver's report never came back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) received: Option<Moved>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) counts: Option<SeqCounts>,
}
