//! What the demo is asked to do: the impaired row, the pauses, the capture,
//! and every run of its parts, built here as the commands it shows would
//! be built from their flags: the demo's runner takes them by reference, as
//! every other runner takes its config.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;

use super::tcp::{
    Answer, BytePath, Clients, ConnectConfig, Feed, HalfClose, Owner, Reply, ServeConfig, StdinMode,
};
use super::udp::{self, AnswerPolicy, SendConfig, UdpServeConfig};
use super::{PacketsConfig, Sends};
use crate::event::SlowPolicy;
use crate::input::{Input, StdinDatagrams};
use crate::model::front::Front;
use crate::net::access::Access;
use crate::net::addr::Target;
use crate::net::socket::SocketOptions;

/// The course's messages.
pub(crate) const HELLO: &str = "Hello serveur !";
pub(crate) const BONJOUR: &str = "Bonjour client !";
/// The course's recv(1024).
pub(crate) const RECV_SIZE: usize = 1024;
/// The longest any step of the demo may wait for another.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);
/// How long an unconnected sender listens for an answer from a closed port.
const SILENCE: Duration = Duration::from_millis(500);
/// The boundaries row's sends.
pub(crate) const BOUNDARY_SENDS: u64 = 5;
/// The truncation row's message: longer than recv(1024) asks for.
pub(crate) const LONG_MESSAGE: usize = 3000;
/// The impaired row's messages each way: enough for a few percent of loss
/// to show.
pub(crate) const IMPAIRED_SENDS: u64 = 20;

/// The demo: its three parts, with an impaired row if asked.
#[derive(Debug, Clone)]
pub(crate) struct DemoConfig {
    /// Add the impaired row: this loss and delay on a namespace's loopback.
    pub(crate) impair: Option<Impair>,
    pub(crate) pause: Pause,
    /// `--packets`, `--pcap`: shown in parts 1 and 2, evidence in part 3.
    pub(crate) packets: PacketsConfig,
    /// Every run of parts 1, 2 and 3.
    pub(crate) runs: Runs,
}

/// `--loss` and `--delay`: what the impaired row puts on its loopback, and
/// the runs it measures there.
#[derive(Debug, Clone)]
pub(crate) struct Impair {
    pub(crate) loss_percent: f64,
    pub(crate) delay: Duration,
    /// [`IMPAIRED_SENDS`] numbered messages each way.
    pub(crate) runs: Both,
}

/// `--step`, decided from where stdin is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pause {
    /// No `--step`.
    Never,
    /// Wait for a line on stdin, a terminal, between parts.
    OnEnter,
    /// `--step` with stdin not a terminal: nobody there to press Enter, so
    /// go on without pausing, and say so.
    NoTerminal,
}

/// The demo's runs, each the config of a real runner. A client's target
/// is the one thing not known here: the port the OS gives its server (or
/// the closed port the demo finds free) once the run starts; the client's
/// config is aimed there by [`ConnectConfig::aimed_at`] and
/// [`SendConfig::aimed_at`].
#[derive(Debug, Clone)]
pub(crate) struct Runs {
    /// Part 1: the course's exchange over TCP.
    pub(crate) tcp_exchange: TcpPair,
    /// Part 2: the course's exchange over UDP.
    pub(crate) udp_exchange: UdpPair,
    /// The table's first row: [`BOUNDARY_SENDS`] messages of 10 bytes.
    pub(crate) boundaries: Both,
    /// The table's second row: one message longer than recv(1024).
    pub(crate) truncation: Both,
    /// The table's third row: each client against a port nothing is bound
    /// to.
    pub(crate) closed_port: ClosedPort,
}

/// A `tcp serve` and the `tcp connect` that talks to it.
#[derive(Debug, Clone)]
pub(crate) struct TcpPair {
    pub(crate) server: ServeConfig,
    pub(crate) client: ConnectConfig,
}

/// A `udp serve` and the `udp send` that talks to it.
#[derive(Debug, Clone)]
pub(crate) struct UdpPair {
    pub(crate) server: UdpServeConfig,
    pub(crate) client: SendConfig,
}

/// The same messages over TCP and over UDP, for one row of the table.
#[derive(Debug, Clone)]
pub(crate) struct Both {
    pub(crate) tcp: TcpPair,
    pub(crate) udp: UdpPair,
}

/// The clients of the closed-port row.
#[derive(Debug, Clone)]
pub(crate) struct ClosedPort {
    pub(crate) tcp: ConnectConfig,
    /// sendto(), listening [`SILENCE`] for an answer that never comes.
    pub(crate) udp_unconnected: SendConfig,
    /// A connected socket, which the ICMP error reaches.
    pub(crate) udp_connected: SendConfig,
}

impl DemoConfig {
    /// The demo's runs. `tcp_info` (--explain, --json, --packets, a
    /// picture): part 1's ends read TCP_INFO at their close, as `tcp serve`
    /// and `tcp connect` do, since the demo's ends are those commands.
    pub(crate) fn new(impair: Option<(f64, Duration)>, pause: Pause, tcp_info: bool) -> DemoConfig {
        let packets = PacketsConfig { tcp_info, ..PacketsConfig::default() };
        let hello = || vec![HELLO.as_bytes().to_vec()];
        let runs = Runs {
            tcp_exchange: TcpPair {
                server: ServeConfig { packets: packets.clone(), ..tcp_server(Some(BONJOUR)) },
                client: ConnectConfig { packets, ..tcp_client(hello()) },
            },
            udp_exchange: UdpPair {
                server: udp_server(Some(BONJOUR), 1, PATIENCE),
                client: udp_client(hello(), PATIENCE, false),
            },
            boundaries: both(messages(BOUNDARY_SENDS), PATIENCE),
            truncation: both(vec![(0..LONG_MESSAGE).map(|i| b"0123456789"[i % 10]).collect()], PATIENCE),
            closed_port: ClosedPort {
                tcp: tcp_client(hello()),
                udp_unconnected: udp_client(hello(), SILENCE, false),
                udp_connected: udp_client(hello(), PATIENCE, true),
            },
        };
        let impair = impair.map(|(loss_percent, delay)| Impair {
            loss_percent,
            delay,
            // A lost datagram never comes: the receiver stops waiting a
            // while after the last one could have come.
            runs: both(messages(IMPAIRED_SENDS), Duration::from_millis(500) + 4 * delay),
        });
        DemoConfig { impair, pause, packets: PacketsConfig::default(), runs }
    }
}

impl ConnectConfig {
    /// This demo client, aimed at `server` (see [`Runs`]).
    pub(crate) fn aimed_at(&self, server: SocketAddr) -> ConnectConfig {
        ConnectConfig { target: Target::of(server), ..self.clone() }
    }
}

impl SendConfig {
    /// This demo client, aimed at `server` (see [`Runs`]).
    pub(crate) fn aimed_at(&self, server: SocketAddr) -> SendConfig {
        SendConfig { target: Target::of(server), ..self.clone() }
    }
}

/// Messages of 10 bytes each, numbered from 1: `Hello #01!`.
pub(crate) fn messages(n: u64) -> Vec<Vec<u8>> {
    (1..=n).map(|i| format!("Hello #{i:02}!").into_bytes()).collect()
}

/// Where a demo client points until [`Runs`] says: nowhere yet.
const NOT_AIMED: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 0));

/// `messages` from `tcp connect` to a `tcp serve --once` that does not
/// answer, and from `udp send` to a `udp serve` that takes as many, or
/// gives up after `idle` without any: a datagram may be lost.
fn both(messages: Vec<Vec<u8>>, idle: Duration) -> Both {
    let limit = messages.len() as u64;
    Both {
        tcp: TcpPair { server: tcp_server(None), client: tcp_client(messages.clone()) },
        udp: UdpPair {
            server: udp_server(None, limit, idle),
            client: udp_client(messages, Duration::ZERO, false),
        },
    }
}

/// The course's server as `tcp serve --port 0 --once` runs it, with
/// listen(5) as in the course.
fn tcp_server(reply: Option<&str>) -> ServeConfig {
    ServeConfig {
        half_close: HalfClose::Always,
        crlf: false,
        quit_after: None,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        options: SocketOptions::default(),
        backlog: 5,
        recv_size: RECV_SIZE,
        answer: Answer::Chunks {
            echo: false,
            reply: reply.map(|r| Reply { bytes: Bytes::from(r.to_string()), once: false }),
        },
        clients: Clients::Together,
        once: true,
        stdin: StdinMode::Off,
        queue_limit: 1 << 20,
        slow: SlowPolicy::Wait,
        stall_timeout: PATIENCE,
        accept_delay: None,
        max_conns: None,
        idle_timeout: None,
        front: Front::Native,
        access: Access::default(),
        path: BytePath::Events,
        // The demo keeps Ctrl-C for itself.
        owner: Owner::Embedded,
        // The demo captures for both ends (see demo/wire.rs).
        packets: PacketsConfig::default(),
    }
}

/// `tcp connect -m ...` of `messages`.
fn tcp_client(messages: Vec<Vec<u8>>) -> ConnectConfig {
    ConnectConfig {
        target: Target::of(NOT_AIMED),
        family: None,
        sends: Sends::Input(Feed {
            input: Input::Messages(messages),
            half_close: HalfClose::Always,
            crlf: false,
            path: BytePath::Events,
        }),
        bind: None,
        timeout: Some(PATIENCE),
        front: Front::Native,
        recv_size: RECV_SIZE,
        options: SocketOptions::default(),
        packets: PacketsConfig::default(),
    }
}

/// `udp serve --port 0` taking `limit` datagrams, never waiting more than
/// `idle` for one: a datagram may be lost.
fn udp_server(reply: Option<&str>, limit: u64, idle: Duration) -> UdpServeConfig {
    UdpServeConfig {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        options: SocketOptions::default(),
        recv_size: RECV_SIZE,
        answer: udp::Answer::Datagrams { echo: false, reply: reply.map(|r| r.as_bytes().to_vec()) },
        limit: Some(limit),
        idle: udp::Idle::FromStart(idle),
        peers: udp::Peers::Every,
        answers: AnswerPolicy::default(),
        packets: PacketsConfig::default(),
    }
}

/// `udp send` of `messages`, listening `wait` for one reply.
fn udp_client(messages: Vec<Vec<u8>>, wait: Duration, connect: bool) -> SendConfig {
    SendConfig {
        target: Target::of(NOT_AIMED),
        family: None,
        sends: Sends::Input(udp::Feed {
            input: Input::Messages(messages),
            stdin: StdinDatagrams::Lines,
            count: 1,
            interval: None,
            wait,
            idle: None,
            crlf: false,
            replies: Some(1),
        }),
        connect,
        bind: None,
        recv_size: RECV_SIZE,
        packets: PacketsConfig::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the runner set at run time before (part 1's TCP_INFO, the
    /// impaired row's idle limit, each client's target) is decided here.
    #[test]
    fn the_demo_s_runs_are_whole_at_conversion() {
        let config = DemoConfig::new(Some((5.0, Duration::from_millis(20))), Pause::Never, true);
        let part1 = &config.runs.tcp_exchange;
        assert!(part1.server.packets.tcp_info && part1.client.packets.tcp_info);
        assert!(!config.runs.boundaries.tcp.server.packets.tcp_info, "the table reads no TCP_INFO");
        let quiet = DemoConfig::new(None, Pause::Never, false);
        assert!(!quiet.runs.tcp_exchange.server.packets.tcp_info && quiet.impair.is_none());
        let impaired = &config.impair.as_ref().expect("--loss asked").runs;
        assert_eq!(impaired.udp.server.idle, udp::Idle::FromStart(Duration::from_millis(580)));
        assert_eq!(impaired.udp.server.limit, Some(IMPAIRED_SENDS));
        assert_eq!(config.runs.boundaries.udp.server.limit, Some(BOUNDARY_SENDS));
        let server: SocketAddr = "127.0.0.1:4242".parse().unwrap();
        assert_eq!(config.runs.closed_port.tcp.aimed_at(server).target, Target::of(server));
        assert_eq!(config.runs.udp_exchange.client.aimed_at(server).target, Target::of(server));
    }
}
