//! TCP_INFO: the kernel's view of one TCP connection (round-trip time,
//! congestion window, retransmissions, segments, bytes) and of a listener's
//! accept queue.
//!
//! The values only (plain data, every system); capture::tcp_info reads them.
//!
//! Read through sock_diag netlink (what `ss -ti` uses), not through
//! `getsockopt(TCP_INFO)`: nix 0.32 has no TCP_INFO option, socket2 none
//! either, and a hand-written `getsockopt` would need `unsafe`. sock_diag
//! returns the same `struct tcp_info` (the kernel fills both with
//! `tcp_get_info`), needs no privilege, and netlink-packet-sock-diag parses
//! it. The socket is found by its addresses and checked by inode, so the
//! answer is about this socket and no other. Ask before close(): a closed
//! socket has no TCP_INFO (its TIME_WAIT remnant has none).

use serde::Serialize;

/// What TCP_INFO says about a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TcpInfo {
    /// `tcpi_state`: 1 ESTABLISHED ... 10 LISTEN (see [`TcpInfo::state_name`]);
    /// JSON carries the name.
    #[serde(serialize_with = "state_name")]
    pub(crate) state: u8,
    /// Smoothed round-trip time, in microseconds (`tcpi_rtt`).
    pub(crate) rtt_us: u32,
    /// Its mean deviation, in microseconds (`tcpi_rttvar`).
    pub(crate) rtt_var_us: u32,
    /// Congestion window, in segments (`tcpi_snd_cwnd`).
    pub(crate) cwnd: u32,
    /// The segment size used for sending (`tcpi_snd_mss`).
    pub(crate) mss: u32,
    /// Segments retransmitted over the connection's life
    /// (`tcpi_total_retrans`).
    pub(crate) retransmits: u32,
    pub(crate) segs_in: u32,
    pub segs_out: u32,
    /// Bytes sent and acknowledged by the peer (`tcpi_bytes_acked`).
    pub(crate) bytes_acked: u64,
    /// Bytes received in order (`tcpi_bytes_received`).
    pub(crate) bytes_received: u64,
    /// `tcpi_unacked`: segments in flight; on a listener, the accept queue's
    /// length.
    pub unacked: u32,
    /// `tcpi_notsent_bytes`: bytes written and not sent yet.
    #[serde(skip)]
    pub(crate) notsent: u64,
    /// `tcpi_sacked`: segments selectively acknowledged; on a listener, the
    /// backlog given to listen().
    pub sacked: u32,
    /// When these values were read, in microseconds on the events' clock
    /// (`time_us`'s), given only when they are older than the event that
    /// carries them: the kernel no longer listed the socket when it was
    /// read again (a reset closed it), so `state` is the last one seen
    /// while it was listed, not the state at the close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) read_us: Option<u64>,
}

impl TcpInfo {
    /// The connection's state by its kernel name.
    pub fn state_name(&self) -> &'static str {
        state_text(self.state)
    }
}

fn state_name<S: serde::Serializer>(state: &u8, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(state_text(*state))
}

fn state_text(state: u8) -> &'static str {
    match state {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        _ => "UNKNOWN",
    }
}

/// A listening socket's accept queue: connections the kernel has completed
/// (three-way handshake done) that accept() has not taken yet, and the most
/// it holds (the backlog given to listen(), capped by net.core.somaxconn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListenQueue {
    pub queued: u32,
    pub backlog: u32,
}
