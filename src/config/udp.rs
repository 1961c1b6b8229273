//! What a UDP job is asked to do: `udp serve` (UdpServeConfig, its
//! AnswerPolicy) and `udp send` (SendConfig).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{PacketsConfig, Sends};
use crate::event::Family;
use crate::input::{Input, StdinDatagrams};
use crate::net::access::Access;
use crate::net::addr::Target;
use crate::net::socket::SocketOptions;
use crate::script::Script;

#[derive(Debug, Clone)]
pub(crate) struct UdpServeConfig {
    pub(crate) addr: SocketAddr,
    pub(crate) options: SocketOptions,
    /// Bytes asked per recvfrom; a longer datagram is cut to this.
    pub(crate) recv_size: usize,
    /// What it sends: each datagram's own bytes or a reply, a script's
    /// steps, or its stdin, one way at a time.
    pub(crate) answer: Answer,
    /// Exit after this many datagrams (and their answers): `--once` is 1.
    pub(crate) limit: Option<u64>,
    /// When it gives up waiting for datagrams (exit code 5), if ever.
    pub(crate) idle: Idle,
    /// Whose datagrams it takes: every sender's, or the first one's only.
    pub(crate) peers: Peers,
    /// Whom to answer, and how often.
    pub(crate) answers: AnswerPolicy,
    /// `--packets`, `--pcap`.
    pub(crate) packets: PacketsConfig,
}

/// What a UDP server sends, as tcp serve's [`super::tcp::Answer`]: a
/// script, an echo or a reply, and its own stdin are each a way of its
/// own; no front asks for two at once.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// Each datagram is answered with its own bytes (the bytes kept; `echo`,
    /// --echo), then with `reply` (--reply, --reply-hex, --reply-file); with
    /// neither, nothing.
    Datagrams { echo: bool, reply: Option<Vec<u8>> },
    /// `--script`: play these steps instead of answering, again and again
    /// (with `limit`, that many times); `step_timeout` (--step-timeout) is a
    /// step's wait when the script sets none.
    Script { script: Arc<Script>, step_timeout: Duration },
    /// No answer: what stdin brings goes to the last sender, a datagram per
    /// read, once a datagram has come (nc -u -l; udp serve --raw with no
    /// answer of its own). `crlf` sends each line end as CR LF (--crlf,
    /// nc -C); once stdin has ended, the server receives `quit_after` more
    /// (nc -q), then ends.
    Stdin { crlf: bool, quit_after: Option<Duration> },
}

impl Answer {
    /// No answer at all: the datagrams are only shown.
    pub(crate) const NOTHING: Answer = Answer::Datagrams { echo: false, reply: None };
}

/// When a UDP server gives up waiting for datagrams (exit code 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idle {
    /// Never: it waits until stopped.
    Never,
    /// When none has come for this long since the start or the last one:
    /// the demo bounds its waits with it, since a lost datagram never comes.
    FromStart(Duration),
    /// When none has come for this long after the last one; the first is
    /// waited for however long (nc -u -l -w).
    AfterFirst(Duration),
}

impl Idle {
    /// How long a quiet moment may last, if it is bounded at all.
    pub(crate) fn after(self) -> Option<Duration> {
        match self {
            Idle::Never => None,
            Idle::FromStart(after) | Idle::AfterFirst(after) => Some(after),
        }
    }
}

/// Whose datagrams a UDP server takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peers {
    /// Every sender's, each answered at its own address (udp serve, nc -u -l
    /// -k).
    Every,
    /// The first sender's only: the socket is connect()ed to it, and the
    /// kernel drops the others (nc -u -l without -k).
    First,
}

/// `--answer-rate`, `--allow`, `--deny`: see guard.rs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AnswerPolicy {
    /// Answers a second to one peer; 0 is no limit.
    pub(crate) rate: u32,
    pub(crate) access: Access,
}

/// The default `--answer-rate`: far more than a person or a test script
/// sends, far less than a loop between two servers on one machine.
pub(crate) const DEFAULT_ANSWER_RATE: u32 = 100;

impl Default for AnswerPolicy {
    fn default() -> AnswerPolicy {
        AnswerPolicy { rate: DEFAULT_ANSWER_RATE, access: Access::default() }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SendConfig {
    pub(crate) target: Target,
    pub(crate) family: Option<Family>,
    /// The input and how it is sent, or `--script`'s steps instead.
    pub(crate) sends: Sends<Feed>,
    /// Use a connected UDP socket (send/recv) instead of sendto/recvfrom.
    pub(crate) connect: bool,
    /// Local address to bind before sending (--bind / --source-port).
    pub(crate) bind: Option<SocketAddr>,
    pub(crate) recv_size: usize,
    /// `--packets`, `--pcap`.
    pub(crate) packets: PacketsConfig,
}

/// How `udp send` sends its input, and how long it listens after: what
/// only an input means, which a script's run cannot carry.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    pub(crate) input: Input,
    /// How stdin is cut into datagrams.
    pub(crate) stdin: StdinDatagrams,
    /// Times the whole input is sent; 1 or more.
    pub(crate) count: u64,
    /// Pause between two datagrams.
    pub(crate) interval: Option<Duration>,
    /// How long to keep receiving after the last datagram (Duration::MAX:
    /// until stopped).
    pub(crate) wait: Duration,
    /// End when nothing was sent or received for this long (nc -u -w;
    /// `udp send` has no flag for it).
    pub(crate) idle: Option<Duration>,
    /// Send each line end of the input as CR LF (--crlf, nc -C).
    pub(crate) crlf: bool,
    /// Stop listening once this many replies came, before `wait` ends (the
    /// demo waits for the server's one answer, not a fixed time).
    pub(crate) replies: Option<u64>,
}
