//! The packets under the socket calls: capture this program's own TCP, UDP
//! and ICMP packets (`--packets`), write them to a pcap file (`--pcap`),
//! and read TCP_INFO (report::ladder draws the packets).
//!
//! - [`Capture`]: a packet socket on one interface with a kernel filter on a
//!   set of ports; Linux only (elsewhere [`Capture::open`] says so).
//! - [`parse`] / [`Packet`]: plain data for each packet (pure, every system;
//!   they live in model::packet, under every layer, and are re-exported here).
//! - [`Flows`]: relative sequence numbers and scaled windows (model::flows).
//! - report::ladder draws each packet as a line; capture only captures.
//! - [`Pcap`]: the pcap file.
//! - [`tcp_info()`]: TCP_INFO of a connection, the accept queue of a listener.
//! - [`enter_private_netns`]: a network namespace of the process's own, where
//!   an unprivileged user may capture (for the demo).
//!
//! Time: the kernel stamps each packet on the wall clock (CLOCK_REALTIME);
//! [`packet_time`] puts the stamp on the process's monotonic clock, so that a
//! packet sorts among the events that `Instant::now()` stamped.

pub(crate) mod filter;
pub(crate) mod pcap;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
mod netns;
#[cfg(not(target_os = "linux"))]
mod other;
pub mod tcp_info;

use std::io;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime};

pub use crate::model::flows::Flows;
pub(crate) use crate::model::packet::Direction;
pub use crate::model::packet::Packet;
pub use crate::model::packet::PacketKind;
pub(crate) use crate::model::packet::ParseError;
pub use crate::model::packet::Protocol;
pub use crate::model::packet::TcpFlags;
pub(crate) use crate::model::packet::parse;
pub(crate) use crate::model::tcp_info::TcpInfo;
pub(crate) use filter::TooManyPorts;
#[cfg(target_os = "linux")]
pub use linux::Capture;
#[cfg(target_os = "linux")]
pub use linux::Interface;
#[cfg(target_os = "linux")]
pub use netns::NetnsError;
#[cfg(target_os = "linux")]
pub use netns::enter_private_netns;
#[cfg(not(target_os = "linux"))]
pub use other::Capture;
#[cfg(not(target_os = "linux"))]
pub use other::Interface;
#[cfg(not(target_os = "linux"))]
pub use other::NetnsError;
#[cfg(not(target_os = "linux"))]
pub use other::enter_private_netns;
#[cfg(not(target_os = "linux"))]
pub use other::listen_queue;
#[cfg(not(target_os = "linux"))]
pub(crate) use other::peer_unread;
#[cfg(not(target_os = "linux"))]
pub use other::tcp_info;
#[cfg(not(target_os = "linux"))]
pub(crate) use other::unsent;
pub use pcap::Pcap;
pub(crate) use pcap::PcapError;
#[cfg(target_os = "linux")]
pub use tcp_info::listen_queue;
#[cfg(target_os = "linux")]
pub(crate) use tcp_info::peer_unread;
#[cfg(target_os = "linux")]
pub use tcp_info::tcp_info;
#[cfg(target_os = "linux")]
pub(crate) use tcp_info::unsent;

/// Bytes kept of each packet when only the ladder is wanted: the IP and TCP
/// headers with all their options, and an ICMP error's quoted headers.
pub const HEADERS_ONLY: u32 = 256;
/// Bytes kept of each packet for a pcap file: the whole packet (loopback
/// segments reach 64 KiB; this is tcpdump's default snap length).
pub const WHOLE_PACKETS: u32 = 262_144;

/// What to capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureOptions {
    /// The interface, by name (`lo`); [`Interface::for_addresses`] finds the
    /// one a connection uses.
    pub interface: String,
    /// The ports whose packets are wanted (either end; for ICMP errors, the
    /// quoted datagram's). At most [`filter::MAX_PORTS`]; may change later with
    /// [`Capture::set_ports`].
    pub ports: Vec<u16>,
    /// Bytes kept of each packet: [`HEADERS_ONLY`] or [`WHOLE_PACKETS`].
    pub snaplen: u32,
}

/// Why packet capture cannot start or go on. Each message is one line that
/// says what failed and what to do.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{}", crate::msg!("capture-not-permitted"))]
    NotPermitted,
    #[error("{}", crate::msg!("capture-unsupported"))]
    Unsupported,
    #[error("{}", crate::msg!("capture-unknown-interface", name = .0.as_str()))]
    UnknownInterface(String),
    #[error("{}", crate::msg!("capture-no-interface", address = *.0))]
    NoInterface(IpAddr),
    #[error(transparent)]
    TooManyPorts(#[from] TooManyPorts),
    #[error("{}", crate::msg!("capture-io", interface = interface.as_str(), op = op.name(), error = crate::i18n::describe_msg(source)))]
    Io {
        interface: String,
        op: CaptureOp,
        #[source]
        source: io::Error,
    },
}

/// The call of a capture that failed; the line names it as C does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureOp {
    /// Listing the interfaces and their addresses.
    GetIfAddrs,
    /// socket(AF_PACKET).
    PacketSocket,
    /// SO_TIMESTAMPNS: the kernel's time of each packet.
    Timestamps,
    /// SO_RXQ_OVFL: the count of packets the kernel dropped.
    DropCount,
    /// SO_RCVBUF: the capture's queue.
    RecvBuffer,
    /// bind() to the interface.
    Bind,
    /// SO_ATTACH_FILTER: the kernel filter.
    AttachFilter,
    /// SO_RCVTIMEO: a receive's deadline.
    RecvTimeout,
    RecvMsg,
    /// Starting the thread that reads the packets.
    Thread,
}

impl CaptureOp {
    /// The C name of the call (a name, the same in every language).
    pub(crate) fn name(self) -> &'static str {
        match self {
            CaptureOp::GetIfAddrs => "getifaddrs",
            CaptureOp::PacketSocket => "socket(AF_PACKET)",
            CaptureOp::Timestamps => "SO_TIMESTAMPNS",
            CaptureOp::DropCount => "SO_RXQ_OVFL",
            CaptureOp::RecvBuffer => "SO_RCVBUF",
            CaptureOp::Bind => "bind",
            CaptureOp::AttachFilter => "SO_ATTACH_FILTER",
            CaptureOp::RecvTimeout => "SO_RCVTIMEO",
            CaptureOp::RecvMsg => "recvmsg",
            CaptureOp::Thread => "thread",
        }
    }
}

impl CaptureError {
    /// What failed, in the catalogues' words (English in `--json`).
    pub(crate) fn message(&self) -> crate::i18n::Msg {
        use crate::msg;
        match self {
            CaptureError::NotPermitted => msg!("capture-not-permitted"),
            CaptureError::Unsupported => msg!("capture-unsupported"),
            CaptureError::UnknownInterface(name) => msg!("capture-unknown-interface", name = name.as_str()),
            CaptureError::NoInterface(address) => msg!("capture-no-interface", address = *address),
            CaptureError::TooManyPorts(e) => e.message(),
            CaptureError::Io { interface, op, source } => msg!(
                "capture-io",
                interface = interface.as_str(),
                op = op.name(),
                error = crate::i18n::describe_msg(source)
            ),
        }
    }
}

/// One packet as the kernel handed it over, before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The bytes kept, from the IP header on (at most the snap length).
    pub data: Vec<u8>,
    /// The packet's length on the wire, from its IP header.
    pub(crate) wire_len: u32,
    /// The kernel's timestamp (wall clock), as written to pcap files.
    pub(crate) kernel_time: SystemTime,
    /// The same moment on the process's monotonic clock.
    pub(crate) time: Instant,
    pub(crate) direction: Direction,
    /// The interface it was seen on.
    pub(crate) ifindex: u32,
}

impl Frame {
    pub fn parse(&self) -> Result<Packet, ParseError> {
        parse(&self.data, self.time, self.direction)
    }
}

/// A packet that passed the filters: the frame (for the pcap file) and what
/// it says (for the ladder and the JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    pub frame: Frame,
    pub packet: Packet,
}

/// The length an IP packet states in its header (`data.len()` when it
/// cannot be read).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(crate) fn wire_len(data: &[u8]) -> u32 {
    let stated = match data.first().map(|b| b >> 4) {
        Some(4) if data.len() >= 4 => u32::from(u16::from_be_bytes([data[2], data[3]])),
        Some(6) if data.len() >= 6 => 40 + u32::from(u16::from_be_bytes([data[4], data[5]])),
        _ => 0,
    };
    stated.max(data.len() as u32)
}

/// A moment read on both clocks at once: the process's monotonic clock
/// (`Instant`, which the reporter stamps events with) and the wall clock
/// (`SystemTime`, which the kernel stamps packets with).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClockAnchor {
    pub(crate) instant: Instant,
    pub(crate) system: SystemTime,
}

impl ClockAnchor {
    /// Reads both clocks now. The wall clock is read between two reads of
    /// the monotonic one, and the midpoint taken, so the pair is off by half
    /// the time of one clock read (tens of nanoseconds).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn now() -> ClockAnchor {
        let before = Instant::now();
        let system = SystemTime::now();
        let after = Instant::now();
        ClockAnchor { instant: before + (after - before) / 2, system }
    }
}

/// Puts a kernel timestamp (wall clock) on the monotonic clock, through an
/// anchor read on both. The wall clock can be stepped or slewed (NTP), so
/// the nearer the anchor, the truer the result: [`Capture`] reads a fresh
/// anchor for each batch of packets. A time before the monotonic clock's
/// own start (not reachable by an `Instant`) comes back as the anchor.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(crate) fn packet_time(kernel_realtime: SystemTime, anchor: ClockAnchor) -> Instant {
    match kernel_realtime.duration_since(anchor.system) {
        Ok(after) => anchor.instant + after,
        Err(before) => anchor.instant.checked_sub(before.duration()).unwrap_or(anchor.instant),
    }
}

/// How long after its timestamp a packet may still be on its way into the
/// capture socket's queue: the kernel stamps a packet, then runs the filter
/// and queues it. [`Capture::drain`]'s watermark less this margin is safe to
/// release events up to.
pub(crate) const QUEUE_MARGIN: Duration = Duration::from_millis(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_wall_times_land_on_the_monotonic_clock() {
        let anchor = ClockAnchor::now();
        let later = anchor.system + Duration::from_millis(5);
        assert_eq!(packet_time(later, anchor), anchor.instant + Duration::from_millis(5));
        let earlier = anchor.system - Duration::from_micros(7);
        assert_eq!(packet_time(earlier, anchor), anchor.instant - Duration::from_micros(7));
        // Something the monotonic clock cannot express stays at the anchor.
        let ancient = SystemTime::UNIX_EPOCH;
        assert!(packet_time(ancient, anchor) <= anchor.instant);
    }

    /// The anchor's monotonic time is taken around its wall-clock read, so
    /// it lies between two readings made just before and just after: an
    /// order the monotonic clock keeps however loaded the machine, where a
    /// bound in milliseconds between two anchors' clocks did not (and a
    /// stepped wall clock breaks it).
    #[test]
    fn an_anchor_is_read_on_both_clocks_at_once() {
        for _ in 0..1000 {
            let before = Instant::now();
            let anchor = ClockAnchor::now();
            let after = Instant::now();
            assert!(before <= anchor.instant && anchor.instant <= after, "{before:?} {anchor:?} {after:?}");
        }
    }

    #[test]
    fn the_wire_length_comes_from_the_ip_header() {
        let syn = crate::model::packet::samples::tcp4(1, 2, 0x02, 0, 0, &[0; 100]);
        assert_eq!(wire_len(&syn[..40]), syn.len() as u32);
        let six = crate::model::packet::samples::udp6(1, 2, &[0; 10]);
        assert_eq!(wire_len(&six[..20]), 58);
        assert_eq!(wire_len(&[1, 2, 3]), 3);
    }
}
