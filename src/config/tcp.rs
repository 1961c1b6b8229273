//! What a TCP job is asked to do: `tcp serve` (ServeConfig, with what it
//! answers, how it serves clients side by side, which path the bytes take
//! and whose process it runs in, each an enum) and `tcp connect`
//! (ConnectConfig).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::{PacketsConfig, Sends};
use crate::event::{Family, SlowPolicy};
use crate::input::Input;
use crate::model::front::Front;
use crate::net::access::Access;
use crate::net::addr::Target;
use crate::net::socket::SocketOptions;
use crate::script::Script;

/// When a TCP end half-closes (shutdown(SHUT_WR), a FIN) after its input
/// ends: the peer then reads EOF and knows the request, or the upload, is
/// whole. nc and ncat differ here, and a peer that stops sending when it
/// reads EOF (`nc -N -l`, `ncat --send-only`, socat) loses the rest of its
/// download to a FIN sent too early: README's "Half-close" measures each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum HalfClose {
    /// After an input that sent at least one byte (or that a person ended
    /// with Ctrl-D at a terminal); an empty input (/dev/null, an empty
    /// file) sends no FIN, and the connection ends when the peer closes.
    /// Ends an upload, never cuts a download.
    #[default]
    AfterData,
    /// Whenever the input ends, even at once (OpenBSD `nc -N`).
    Always,
    /// Never before the connection closes (`ncat --no-shutdown`, nc
    /// without -N).
    Never,
}

impl HalfClose {
    /// Whether to half-close once the input has ended, having sent `sent`
    /// bytes of it.
    pub(crate) fn after(self, sent: u64) -> bool {
        match self {
            HalfClose::AfterData => sent > 0,
            HalfClose::Always => true,
            HalfClose::Never => false,
        }
    }
}

/// What the server's stdin is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdinMode {
    /// Each line is sent to every connected client.
    Lines,
    /// Raw bytes as they come (with --raw), sent to every client.
    Raw,
    /// Not read at all: the demo runs a server whose stdin is the person's
    /// (for `--step`), not the clients'.
    Off,
}

#[derive(Debug, Clone)]
pub(crate) struct ServeConfig {
    pub(crate) addr: SocketAddr,
    pub(crate) options: SocketOptions,
    pub(crate) backlog: i32,
    pub(crate) recv_size: usize,
    /// What the server answers each client with.
    pub(crate) answer: Answer,
    /// How clients are served beside each other.
    pub(crate) clients: Clients,
    /// End once the first client is gone.
    pub(crate) once: bool,
    pub(crate) stdin: StdinMode,
    /// When a client gets our FIN after the server's stdin ends.
    pub(crate) half_close: HalfClose,
    /// Send each line end of stdin as CR LF (--crlf, nc -C).
    pub(crate) crlf: bool,
    /// Once stdin has ended: accept no one more, give each client this long
    /// after it had all of stdin, then close it and end (--quit-after, nc -q).
    pub(crate) quit_after: Option<Duration>,
    /// Bytes that may wait in one client's outgoing queue.
    pub(crate) queue_limit: usize,
    pub(crate) slow: SlowPolicy,
    /// A client that takes no data for this long while its queue holds
    /// others up (or while it is all that is left to send) is cut.
    pub(crate) stall_timeout: Duration,
    /// Clients served at once; beyond, new ones are accepted and closed.
    pub(crate) max_conns: Option<usize>,
    /// Wait this long before each accept(), as a busy server would: clients
    /// wait in the accept queue meanwhile (the listen(5) lesson).
    pub(crate) accept_delay: Option<Duration>,
    /// Close a client that has sent nothing for this long.
    pub(crate) idle_timeout: Option<Duration>,
    /// The command line that asked for the server: the idle close's reason
    /// and hint name its option for `idle_timeout` ([`Front::idle_flag`]).
    pub(crate) front: Front,
    pub(crate) access: Access,
    /// Which path the payload may take: with --once, see
    /// `tcp::direct::serves`.
    pub(crate) path: BytePath,
    /// Whose process the server runs in.
    pub(crate) owner: Owner,
    /// `--packets`, `--pcap`, TCP_INFO.
    pub(crate) packets: PacketsConfig,
}

/// What a server answers a client with. A script replaces every answer:
/// there is no `--echo` beside `--script` to build.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// Each chunk a client sends is answered with itself (`echo`, --echo;
    /// in broadcast the sender is included), then with `reply` (--reply,
    /// --reply-hex, --reply-file); with neither, nothing.
    Chunks { echo: bool, reply: Option<Reply> },
    /// `--script`: play these steps with each client instead of answering;
    /// `step_timeout` (--step-timeout) is a step's wait when the script
    /// sets none.
    Script { script: Arc<Script>, step_timeout: Duration },
}

/// The bytes a server sends back to each chunk.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) bytes: Bytes,
    /// After a client's first chunk only, not after each (--reply-once).
    pub(crate) once: bool,
}

impl Answer {
    /// No answer at all: the bytes are only shown (and relayed).
    pub(crate) const NOTHING: Answer = Answer::Chunks { echo: false, reply: None };

    /// True when each chunk goes back to its sender.
    pub(crate) fn echoes(&self) -> bool {
        matches!(self, Answer::Chunks { echo: true, .. })
    }

    /// The reply to each chunk, if any.
    pub(crate) fn reply(&self) -> Option<&Reply> {
        match self {
            Answer::Chunks { reply, .. } => reply.as_ref(),
            Answer::Script { .. } => None,
        }
    }

    /// The script played with each client, and a step's default wait.
    pub(crate) fn script(&self) -> Option<(&Arc<Script>, Duration)> {
        match self {
            Answer::Script { script, step_timeout } => Some((script, *step_timeout)),
            Answer::Chunks { .. } => None,
        }
    }
}

/// How a server serves its clients beside each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clients {
    /// All at once, each on its own.
    Together,
    /// One at a time, as the course's `while True: accept()` loop does: the
    /// next is accepted once the current one is closed (--sequential, and
    /// --raw's default: two clients' bytes never mix in one stdout).
    InTurn,
    /// All at once, each chunk a client sends relayed to the others
    /// (--broadcast).
    Broadcast,
}

/// Which path a run's payload takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BytePath {
    /// Through events: each chunk is shown, dumped, decoded or captured.
    Events,
    /// Straight between the socket and stdin/stdout, in the kernel where it
    /// can (tcp::direct): --raw with nothing that reads the bytes (no
    /// --decode, no capture, no script).
    Kernel,
}

/// Whose process a server runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// Its own, as `tcp serve`: it raises the open-file limit, and SIGINT /
    /// SIGTERM stop it cleanly with totals.
    Process,
    /// Another run's (the demo), whose host keeps the signals.
    Embedded,
}

#[derive(Debug, Clone)]
pub(crate) struct ConnectConfig {
    pub(crate) target: Target,
    pub(crate) family: Option<Family>,
    /// The input and how it is sent, or `--script`'s steps instead.
    pub(crate) sends: Sends<Feed>,
    /// Local address to bind before connecting (--bind / --source-port).
    pub(crate) bind: Option<SocketAddr>,
    /// Bounds connecting, and waiting while nothing moves either way (with
    /// a script, each step's wait when the script sets none).
    pub(crate) timeout: Option<Duration>,
    /// The command line that asked for the client: the idle close's reason
    /// and hint name its option for `timeout` ([`Front::idle_flag`]).
    pub(crate) front: Front,
    pub(crate) recv_size: usize,
    /// Options set on the socket before it connects (nc -I, -O).
    pub(crate) options: SocketOptions,
    /// `--packets`, `--pcap`, TCP_INFO.
    pub(crate) packets: PacketsConfig,
}

/// How `tcp connect` sends its input: what only an input means, which a
/// script's run cannot carry.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    pub(crate) input: Input,
    /// When to half-close after the input ends (--half-close).
    pub(crate) half_close: HalfClose,
    /// Send each line end of the input as CR LF (--crlf, nc -C).
    pub(crate) crlf: bool,
    /// Which path the payload may take, both ways (tcp::direct).
    pub(crate) path: BytePath,
}
