//! What `netplay demo` measured for its table, as plain data. Every value
//! comes from the events of that run; the human reporter turns them into
//! words, `--json` gives them as they are.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;

use super::serialize_micros;

/// The demo's three parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoPart {
    /// The course's exchange over TCP.
    TcpExchange,
    /// The same over UDP.
    UdpExchange,
    /// What differed, measured.
    Table,
}

impl DemoPart {
    pub(crate) fn number(self) -> u8 {
        match self {
            DemoPart::TcpExchange => 1,
            DemoPart::UdpExchange => 2,
            DemoPart::Table => 3,
        }
    }
}

/// One row of the table: the same experiment over TCP and over UDP.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "row", rename_all = "snake_case")]
pub enum DemoRow {
    /// `sends` messages of `size` bytes each, sent one send() each.
    Boundaries { sends: u64, size: usize, tcp: Received, udp: Received },
    /// One message of `message` bytes, read with a `buffer`-byte buffer.
    Truncation { message: usize, buffer: usize, tcp: Received, udp: Received },
    /// A port nothing is bound to: what TCP's connect(), an unconnected
    /// UDP sendto() and a connected UDP send() make of it.
    ClosedPort { port: u16, tcp: Attempt, udp_unconnected: Attempt, udp_connected: Attempt },
    /// The addresses of parts 1 and 2: each server's port came from
    /// bind(port 0), each client's from the OS's ephemeral range.
    ClientPorts {
        tcp_client: SocketAddr,
        tcp_server: SocketAddr,
        udp_client: SocketAddr,
        udp_server: SocketAddr,
        /// The OS's ephemeral range (ip_local_port_range), if readable.
        #[serde(skip_serializing_if = "Option::is_none")]
        range: Option<[u16; 2]>,
    },
    /// The same messages through a network namespace whose loopback loses
    /// and delays packets (netem).
    Impaired {
        loss_percent: f64,
        delay_ms: u64,
        #[serde(flatten)]
        outcome: Impairment,
    },
}

/// What a receiver got, one entry per recv() call that returned data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Received {
    /// recv() (TCP) or recvfrom() (UDP) calls that returned data.
    pub(crate) calls: u64,
    /// The bytes each call returned (kept, for UDP).
    pub(crate) lengths: Vec<usize>,
    /// The bytes kept, all calls together.
    pub(crate) bytes: u64,
    /// UDP: each datagram's length as it arrived (more than kept when the
    /// buffer cut it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) arrived: Option<Vec<usize>>,
    /// UDP: bytes that arrived and were discarded, all calls together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) discarded: Option<u64>,
    /// What the capture saw on the wire (`--packets`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) wire: Option<OnWire>,
}

/// What went on the wire during one experiment, from the packet capture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct OnWire {
    /// Packets between the two ends, all kinds.
    pub(crate) packets: u64,
    /// The payload length of each data segment (TCP) or datagram (UDP) the
    /// client sent, in order.
    pub(crate) data: Vec<u32>,
    /// What answered the client when its packet was refused: `RST,ACK`,
    /// `ICMP port unreachable`, `ICMPv6 port unreachable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) answer: Option<String>,
}

/// What one attempt on a closed port came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    /// The call failed with ECONNREFUSED.
    Refused,
    /// The datagram went out and nothing came back: no error, no reply.
    Silent,
    /// Something answered after all.
    Answered,
    /// It failed some other way (`error` says how).
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub(crate) verdict: Verdict,
    /// The error, in the man pages' words, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<crate::i18n::Msg>,
    /// Datagrams (or messages) that send() or sendto() accepted.
    pub(crate) sent: u64,
    /// From the start of the attempt to its verdict (for `silent`: the
    /// whole wait).
    #[serde(rename = "after_us", serialize_with = "serialize_micros")]
    pub(crate) after: Duration,
    /// What the capture saw on the wire (`--packets`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) wire: Option<OnWire>,
}

/// The impaired row: measured, or skipped and why.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Impairment {
    Measured { tcp: Delivery, udp: Delivery },
    Skipped { reason: crate::i18n::Msg },
}

/// How `sent` messages fared.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub(crate) sent: u64,
    /// Messages that arrived whole (TCP: bytes received / message size).
    pub(crate) delivered: u64,
    pub(crate) lost: u64,
    /// Everything that arrived came in the order it was sent.
    pub(crate) in_order: bool,
    /// From the first send to the last message received.
    #[serde(rename = "duration_us", serialize_with = "serialize_micros")]
    pub(crate) duration: Duration,
}
