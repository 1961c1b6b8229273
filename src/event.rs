//! What happened, as plain data. Runners emit events; reporters turn them into
//! text, JSON lines or raw bytes. Nothing here formats anything, which is what
//! makes `--json`, `--raw`, the demo's table and the tests cheap.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;

use crate::i18n::Msg;
pub use crate::model::Dir;
pub(crate) use crate::model::Family;
pub(crate) use crate::model::Proto;
pub(crate) use crate::model::Role;
pub(crate) use crate::model::SockOpt;
use crate::model::clock::Stamp;
pub(crate) use crate::model::clock::serialize_micros;

pub(crate) mod bench;
pub(crate) mod demo;
pub(crate) mod packet;
pub mod script;

/// Something that renders events to its writer. Only the report queue's
/// output thread calls it, with events in the order they happened.
pub(crate) trait Reporter: Send {
    /// `at` is when the event happened, on the process clock.
    fn event(&mut self, at: Stamp, event: &Event) -> io::Result<()>;

    /// The events given so far may be written together now: the output
    /// thread calls it after each batch it releases, so a reporter may
    /// gather a batch's writes into one.
    fn batch_done(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Waits until everything reported is written, and returns the error
    /// of any write still unreported.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// The run is stopping, and `event` (data, a datagram, a packet) came
    /// too late to be shown before the run ends (see
    /// sink::Report::stop_within): it is passed over, and the reporter counts
    /// it, to say so before the totals.
    fn skipped(&mut self, _event: &Event) {}
}

/// One step of building a socket, with the values really used.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// `socket(domain, type)`.
    Socket { role: Role, family: Family, proto: Proto },
    /// `setsockopt(level, name, set)`, with the value read back afterwards
    /// (which may differ: Linux doubles SO_RCVBUF).
    SetOption { role: Role, name: SockOpt, set: i64, value: i64 },
    /// An option left alone, shown with the value the OS uses.
    ReadOption { role: Role, name: SockOpt, value: i64 },
    /// `bind(addr)`; `addr` is the address asked for (the port may be 0).
    Bind { role: Role, addr: SocketAddr },
    /// `listen(backlog)`; `effective` is the queue length the kernel really
    /// uses when it caps the request (net.core.somaxconn).
    Listen { backlog: i32, effective: i32 },
    /// Name resolution gave these addresses, tried in this order.
    Resolve { host: String, port: u16, addrs: Vec<SocketAddr> },
    /// `connect(addr)` is being attempted.
    Connect { role: Role, addr: SocketAddr },
}

/// Everything a runner reports.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Step(Step),
    /// The server is ready: TCP listens, UDP is bound.
    Listening {
        proto: Proto,
        local: SocketAddr,
        #[serde(skip_serializing_if = "Option::is_none")]
        backlog: Option<i32>,
    },
    /// The listening socket's accept queue changed: connections the kernel
    /// has completed (the handshake is done) and accept() has not taken yet.
    AcceptQueue {
        queued: u32,
        /// listen()'s backlog as the kernel uses it.
        backlog: u32,
    },
    /// A connect attempt failed; the next address (if any) is tried.
    ConnectFailed {
        addr: SocketAddr,
        error: Msg,
    },
    /// The client's connect succeeded.
    Connected {
        conn: u64,
        local: SocketAddr,
        peer: SocketAddr,
        /// True when the OS chose the local port (no `--source-port`).
        ephemeral: bool,
    },
    /// The server's accept returned a new connection.
    Accepted {
        conn: u64,
        local: SocketAddr,
        peer: SocketAddr,
    },
    /// One recv() chunk or one send() call: its bytes and where they sit in
    /// the stream of that connection and direction.
    Data {
        conn: u64,
        dir: Dir,
        /// Number of this chunk in this connection and direction, from 1.
        chunk: u64,
        /// Offset of the first byte in the stream of this direction.
        offset: u64,
        /// Time since the connection started.
        #[serde(rename = "elapsed_us", serialize_with = "serialize_micros")]
        elapsed: Duration,
        #[serde(flatten)]
        bytes: Payload,
    },
    /// The peer half-closed: recv() returned 0 bytes.
    Eof {
        conn: u64,
    },
    /// netplay half-closed: shutdown(SHUT_WR) after the end of its input.
    Shutdown {
        conn: u64,
    },
    /// The connection is closed; totals for both directions.
    Closed {
        conn: u64,
        bytes_in: u64,
        bytes_out: u64,
        #[serde(rename = "duration_us", serialize_with = "serialize_micros")]
        duration: Duration,
        /// Why it ended when it did not end normally (reset, error, ...).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<Msg>,
        /// TCP_INFO read just before close() (Linux; with --packets,
        /// --explain or --json).
        #[serde(skip_serializing_if = "Option::is_none")]
        tcp_info: Option<crate::model::tcp_info::TcpInfo>,
    },
    /// A connection was accepted and closed at once, before being served:
    /// --max-conns reached, --deny / --allow, or the open-file limit.
    Rejected {
        peer: SocketAddr,
        reason: Msg,
    },
    /// Broadcast: a client joined the clients that relays go to.
    Join {
        conn: u64,
        /// Clients connected now, this one included.
        clients: usize,
    },
    /// Broadcast: a client left; relays no longer go to it.
    Leave {
        conn: u64,
        /// Clients still connected.
        clients: usize,
    },
    /// Broadcast: one chunk received from a client (or read from the
    /// server's stdin) and queued for the other clients. Reported once per
    /// chunk, however many clients it goes to.
    Relay {
        /// The sender; absent for bytes read from the server's stdin.
        #[serde(skip_serializing_if = "Option::is_none")]
        conn: Option<u64>,
        /// Number of this chunk from this sender, from 1.
        chunk: u64,
        /// Offset of the first byte in the sender's stream.
        offset: u64,
        /// Time since the sender connected (since the server started, for stdin).
        #[serde(rename = "elapsed_us", serialize_with = "serialize_micros")]
        elapsed: Duration,
        /// Clients the chunk was queued for.
        to: usize,
        #[serde(flatten)]
        bytes: Payload,
    },
    /// `--slow drop|disconnect`: a client's outgoing queue was full, so the
    /// message was skipped for it (`drop`) or it is disconnected
    /// (`disconnect`). Never with the default policy, `wait`.
    #[serde(rename = "drop")]
    Dropped {
        /// The client that is not reading.
        conn: u64,
        /// Who sent the message; absent for the server's stdin.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<u64>,
        len: usize,
        /// What that client's queue holds, in bytes, counting each message's
        /// bookkeeping (see outbox::PER_MESSAGE).
        queued: usize,
        /// What was done: `drop` or `disconnect`.
        policy: SlowPolicy,
    },
    /// The server stopped on a signal; totals over its whole run.
    Summary {
        /// SIGINT or SIGTERM.
        signal: &'static str,
        /// Connections accepted and served.
        connections: u64,
        /// Connections accepted and closed at once (see `rejected`).
        rejected: u64,
        bytes_in: u64,
        bytes_out: u64,
        /// Chunks relayed (broadcast).
        relays: u64,
        /// Messages skipped for a client whose queue was full.
        drops: u64,
        /// Clients disconnected because their queue was full (--slow disconnect).
        slow_disconnects: u64,
        /// Clients cut because they took no data for --stall-timeout.
        stalls: u64,
        /// With --script: the clients whose script passed, and failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        scripts: Option<script::ScriptTally>,
        #[serde(rename = "duration_us", serialize_with = "serialize_micros")]
        duration: Duration,
    },
    /// One UDP datagram, received or sent whole: UDP keeps message
    /// boundaries, so each is shown on its own, from offset 0.
    Datagram {
        dir: Dir,
        /// The sender (`in`) or the destination (`out`).
        peer: SocketAddr,
        /// Number of this datagram in this direction, from 1.
        seq: u64,
        /// Time since the socket was bound (server) or opened (client).
        #[serde(rename = "elapsed_us", serialize_with = "serialize_micros")]
        elapsed: Duration,
        /// For `in`: the datagram's length as it arrived. More than the bytes
        /// kept (`len`) when it was longer than the receive buffer; the rest
        /// was discarded by the kernel.
        #[serde(skip_serializing_if = "Option::is_none")]
        arrived: Option<usize>,
        #[serde(flatten)]
        bytes: Payload,
    },
    /// A UDP client's socket has its local address: the OS picked the port
    /// at the first sendto() (not connected) or at connect() (connected).
    SendingFrom {
        local: SocketAddr,
        peer: SocketAddr,
        /// True for a connected UDP socket (`--connect`).
        connected: bool,
        /// True when the OS chose the local port (no `--source-port`).
        ephemeral: bool,
    },
    /// The UDP client has sent its input and listens for replies for `wait`.
    Waiting {
        #[serde(rename = "wait_us", serialize_with = "serialize_micros")]
        wait: Duration,
        /// It stops sooner, once this many replies came (the demo).
        #[serde(skip_serializing_if = "Option::is_none")]
        replies: Option<u64>,
    },
    /// A UDP run is over: datagrams and bytes each way.
    Done {
        sent: u64,
        received: u64,
        bytes_out: u64,
        bytes_in: u64,
        #[serde(rename = "duration_us", serialize_with = "serialize_micros")]
        duration: Duration,
        /// `udp serve` only: what it did not answer, what the kernel dropped.
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        server: Option<ServeTotals>,
    },
    /// Something worth telling that is not an error: a queue full, a limit.
    Notice {
        #[serde(skip_serializing_if = "Option::is_none")]
        conn: Option<u64>,
        message: Msg,
    },
    /// An error that did not stop netplay (a fatal one ends the run instead).
    Error {
        #[serde(skip_serializing_if = "Option::is_none")]
        conn: Option<u64>,
        message: Msg,
    },
    /// `netplay demo` begins one of its parts.
    DemoPart {
        part: demo::DemoPart,
    },
    /// `netplay demo --step` waits for Enter before the next part.
    DemoPause {
        next: demo::DemoPart,
    },
    /// One row of the demo's table, measured in this run.
    DemoRow(demo::DemoRow),
    /// A benchmark's counts so far (sent only to a terminal, for the live
    /// progress line).
    BenchProgress(bench::BenchProgress),
    /// A TCP benchmark is over.
    TcpBench(bench::TcpBenchResult),
    /// A UDP benchmark is over.
    UdpBench(bench::UdpBenchResult),
    /// A packet of this run, captured on the wire (`--packets`), stamped
    /// with the kernel's time.
    Packet(packet::PacketEvent),
    /// One step of a script (`--script`), played: its outcome.
    Script(script::ScriptStep),
    /// A scripted run is over: its exit code.
    ScriptEnd(script::ScriptEnd),
    /// The run is over: the last event of every `--json` run, whatever
    /// ended it, with the process's exit code and its totals (like
    /// iperf3's `end`). A failure is an `error` event just before it.
    End {
        /// The status the process exits with (README's exit codes).
        exit_code: u8,
        /// Payload bytes received and sent over the whole run, every
        /// connection or datagram, on every path (the direct one too).
        bytes_in: u64,
        bytes_out: u64,
        #[serde(rename = "duration_us", serialize_with = "serialize_micros")]
        duration: Duration,
    },
}

impl Event {
    /// One chunk of data; `offset` is where it starts in its direction's
    /// stream.
    pub(crate) fn data(
        conn: u64,
        dir: Dir,
        chunk: u64,
        bytes: impl Into<Bytes>,
        offset: u64,
        elapsed: Duration,
    ) -> Event {
        Event::Data { conn, dir, chunk, offset, elapsed, bytes: Payload(bytes.into()) }
    }

    /// One datagram; `arrived` is its length on the wire when it was
    /// received (`None` for a datagram sent).
    pub(crate) fn datagram(
        dir: Dir,
        peer: SocketAddr,
        seq: u64,
        bytes: impl Into<Bytes>,
        arrived: Option<usize>,
        elapsed: Duration,
    ) -> Event {
        Event::Datagram { dir, peer, seq, elapsed, arrived, bytes: Payload(bytes.into()) }
    }

    /// The bytes of payload the event carries, for the room it takes in the
    /// report queue.
    /// What a flood is made of: data, datagrams, relays, packets; passed
    /// over, counted, when they come too late for a stopping run.
    pub(crate) fn is_bulk(&self) -> bool {
        matches!(self, Event::Data { .. } | Event::Relay { .. } | Event::Datagram { .. } | Event::Packet(_))
    }

    pub(crate) fn payload_len(&self) -> usize {
        match self {
            Event::Data { bytes, .. } | Event::Relay { bytes, .. } | Event::Datagram { bytes, .. } => {
                bytes.0.len()
            }
            _ => 0,
        }
    }
}

/// The totals only `udp serve` keeps, in its `done` event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServeTotals {
    /// SIGINT or SIGTERM, when a signal stopped the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signal: Option<&'static str>,
    /// Answers not sent: to the server's own address or a forged one, over
    /// --answer-rate, or over 3 times what the peer sent (udp/guard.rs).
    pub(crate) withheld: u64,
    /// Datagrams not taken, from peers --allow / --deny refuse.
    pub(crate) ignored: u64,
    /// Datagrams the kernel dropped for this socket because its receive
    /// buffer was full (SO_RXQ_OVFL); absent where the system has no count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kernel_drops: Option<u64>,
    /// With --script: the runs of the script that passed, and failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scripts: Option<script::ScriptTally>,
}

/// What to do with a client whose outgoing queue is full (`--slow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SlowPolicy {
    /// Wait for room: whoever sends to it is held back (the default, and
    /// TCP's own way). A client that takes nothing for the stall timeout is
    /// cut.
    Wait,
    /// Close the connection: it gets nothing rather than a stream with holes.
    Disconnect,
    /// Skip this message for that client and keep it connected.
    Drop,
}

/// Bytes that crossed a socket. In JSON they appear as `len` and `hex`.
/// Owned (cheaply shared), so an event can wait in the report queue.
#[derive(Debug, Clone)]
pub struct Payload(pub Bytes);

impl Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("len", &self.0.len())?;
        map.serialize_entry("hex", &HexText(&self.0))?;
        map.end()
    }
}

/// Lower-case hex digits without separators, written straight into the
/// serializer.
pub(crate) struct HexText<'a>(pub(crate) &'a [u8]);

impl Serialize for HexText<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(self.0.len() * 2);
        for &b in self.0 {
            text.push(DIGITS[usize::from(b >> 4)] as char);
            text.push(DIGITS[usize::from(b & 15)] as char);
        }
        s.serialize_str(&text)
    }
}
