//! The command line: clap types, and their conversion into the validated
//! configuration the library runs on. Nothing outside this module sees clap.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use std::sync::Arc;

use anyhow::{Context, Result};
use bytes::Bytes;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::bench::tcp::TcpBenchConfig;
use crate::bench::udp::{self as udp_bench, UdpBenchConfig};
use crate::bench::{self, Limit};
use crate::config::{Job, Run};
use crate::decode::{Format, FormatError};
use crate::demo::{DemoConfig, Impair, Pause};
use crate::event::Family;
use crate::exit::{self, UsageError};
use crate::hex::{HexConfig, Source};
use crate::hexdump::{self, Layout, Renderer};
use crate::i18n::{self, Lang, Msg};
use crate::input::{self, Input, StdinDatagrams};
use crate::msg;
use crate::net::access::{self, Access, Rule};
use crate::net::addr::{self, Target};
use crate::net::socket::SocketOptions;
use crate::packets::PacketsConfig;
use crate::report::html::PictureSpec;
use crate::report::{ColorChoice, Mode, OutputConfig};
use crate::script::{Script, Transport};
use crate::tcp::HalfClose;
use crate::tcp::connect::ConnectConfig;
use crate::tcp::hub::SlowPolicy;
use crate::tcp::serve::{ServeConfig, StdinMode};
use crate::udp::send::SendConfig;
use crate::udp::serve::{AnswerPolicy, DEFAULT_ANSWER_RATE, UdpServeConfig};
use crate::units;

mod nc;

/// See every socket step and every byte: a TCP/UDP playground and a
/// netcat-class tool.
#[derive(Debug, Parser)]
#[command(name = "netplay", version, max_term_width = 100, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,

    /// Print the colours and glyphs of the hex dump, and exit.
    #[arg(long)]
    pub legend: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

const OUTPUT: &str = "Output (before or after the subcommand)";

/// Options that shape output; accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// When to colour: auto (on a terminal, unless NO_COLOR is set, CLICOLOR=0 or TERM=dumb;
    /// CLICOLOR_FORCE=1 colours a pipe too), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN", help_heading = OUTPUT)]
    pub color: ColorArg,

    /// One JSON object per line per event on stdout (see docs/json-events.md).
    #[arg(long, global = true, conflicts_with = "raw", help_heading = OUTPUT)]
    pub json: bool,

    /// Write only the received payload to stdout, unchanged, like nc. Unlike nc, the socket steps
    /// and notes still go to stderr (-q: errors only). tcp serve serves clients in turn, udp send
    /// sends stdin unchanged, a datagram per read, and udp serve sends it so to the sender of the
    /// last datagram, reading it only once one has come, as nc -u -l does (not with --echo,
    /// --reply or --script).
    #[arg(long, global = true, help_heading = OUTPUT)]
    pub raw: bool,

    /// Under each socket step, the Python line of the course and what it does.
    #[arg(long, global = true, help_heading = OUTPUT)]
    pub explain: bool,

    /// Under the socket steps, the packets they put on the wire (SYN, ACK, FIN, RST, ICMP), as a
    /// ladder between client and server; with --json, `packet` events. Linux, with CAP_NET_RAW.
    #[arg(long, global = true, help_heading = OUTPUT)]
    pub packets: bool,

    /// Write the packets of the run, whole, to FILE as pcap (tcpdump -r FILE, Wireshark).
    #[arg(long, global = true, value_name = "FILE", help_heading = OUTPUT)]
    pub pcap: Option<PathBuf>,

    /// When the run ends, and every second while it runs, write the session to FILE as one HTML
    /// page: a sequence diagram of the socket calls (and packets, with --packets), each chunk's hex
    /// dump beside the call that moved it, the Python of each step with --explain. Nothing in it is
    /// fetched from elsewhere.
    #[arg(long, global = true, value_name = "FILE", help_heading = OUTPUT)]
    pub html: Option<PathBuf>,

    /// Write the sequence diagram alone to FILE as SVG (for slides), when the run ends and every
    /// second while it runs.
    #[arg(long, global = true, value_name = "FILE", help_heading = OUTPUT)]
    pub svg: Option<PathBuf>,

    /// Only connections, data and errors: no socket steps, no notes (with --raw: errors only).
    #[arg(short, long, global = true, help_heading = OUTPUT)]
    pub quiet: bool,

    /// Decode bytes with a Python struct format, as struct.unpack does: '>h' reads b'\x01\x02'
    /// as (258,). Live, each chunk or datagram is decoded from its start; `netplay hex` decodes
    /// consecutive records. Codes: x c b B ? h H i I l L q Q e f d s p (n N P native only), after
    /// an optional byte order @ = < > !, with repeat counts like 4s or 3h.
    #[arg(long, global = true, value_name = "FORMAT", value_parser = decode_arg, help_heading = OUTPUT)]
    pub decode: Option<Format>,

    /// Fit every line in N columns, as in a terminal that wide; a hex dump line keeps 8 bytes at
    /// least (45 columns; 54 in the demo, with its label) (default: the terminal's width; in a
    /// pipe, COLUMNS if set, else whole lines, but --packets lines are cut at 80 columns with …).
    #[arg(long, global = true, value_name = "N", value_parser = columns_arg, help_heading = OUTPUT)]
    pub columns: Option<u16>,

    /// The language of what people read: en or fr (default: LC_ALL, LC_MESSAGES or LANG; English
    /// unless French). --json and --raw output are the same in every language.
    #[arg(long, global = true, value_enum, ignore_case = true, value_name = "LANG", help_heading = OUTPUT)]
    pub lang: Option<LangArg>,

    /// The code that draws the hex dump: auto (the fastest this CPU runs), avx512 or portable.
    /// Both draw the same bytes; benchmarks set it (docs/benchmarks.md), so it is not shown.
    #[arg(long, global = true, hide = true, value_enum, default_value_t = RendererArg::Auto,
          env = "NETPLAY_HEX_RENDERER", value_name = "WHICH")]
    pub hex_renderer: RendererArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RendererArg {
    Auto,
    Avx512,
    Portable,
}

impl RendererArg {
    /// The renderer asked for, or why this CPU cannot run it.
    fn resolve(self) -> Result<Renderer, UsageError> {
        self.resolve_with(Renderer::available)
    }

    /// [`resolve`](Self::resolve) on a CPU that runs what `available` says.
    fn resolve_with(self, available: impl Fn(Renderer) -> bool) -> Result<Renderer, UsageError> {
        let renderer = match self {
            RendererArg::Auto => return Ok(Renderer::choose(available(Renderer::Avx512))),
            RendererArg::Avx512 => Renderer::Avx512,
            RendererArg::Portable => Renderer::Portable,
        };
        if available(renderer) {
            Ok(renderer)
        } else {
            Err(UsageError(msg!("usage-renderer-unavailable", name = renderer.name())))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Fr,
}

impl From<LangArg> for Lang {
    fn from(arg: LangArg) -> Lang {
        match arg {
            LangArg::En => Lang::En,
            LangArg::Fr => Lang::Fr,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// TCP and UDP side by side in one command: the course's exchange over each, then a table of
    /// what differed, measured on the spot.
    #[command(after_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// TCP, the connected mode: a byte stream between two ends.
    #[command(subcommand)]
    Tcp(TcpCommand),
    /// UDP, the non-connected mode: separate datagrams, no connection.
    #[command(subcommand)]
    Udp(UdpCommand),
    /// Show a file or stdin as the live hex dump shows bytes (a capture from --raw, any file).
    #[command(after_help = HEX_EXAMPLES)]
    Hex(HexArgs),
    /// Print a completion script for your shell on stdout (see the README to install it).
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print netplay's manual page (roff) on stdout: `netplay man | man -l -`.
    Man,
    /// Run as OpenBSD nc: its flags, its exit status (0 or 1), its quiet output; -v shows netplay's
    /// steps and hex dumps. `netplay nc -h` lists the flags.
    #[command(after_help = nc::NC_EXAMPLES)]
    Nc(NcStub),
}

/// `netplay nc WORDS`: the words are nc's, read apart from netplay's own
/// (see cli/nc.rs); clap only lists the subcommand.
#[derive(Debug, Args)]
pub struct NcStub {
    /// nc's flags and operands: netplay nc -h lists them.
    #[arg(value_name = "NC-ARGS", num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
    pub args: Vec<OsString>,
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  netplay completions bash > ~/.local/share/bash-completion/completions/netplay
  netplay completions zsh > ~/.zfunc/_netplay          (with fpath+=~/.zfunc before compinit)
  netplay completions fish > ~/.config/fish/completions/netplay.fish
  netplay completions powershell >> $PROFILE";

/// `netplay completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum TcpCommand {
    /// Listen for TCP connections; show each step, each client and each byte.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(TcpServeArgs),
    /// Connect to a TCP server, send input, show what comes back.
    #[command(after_help = CONNECT_EXAMPLES)]
    Connect(TcpConnectArgs),
    /// Measure TCP throughput, memory to memory, like iperf3: a sender and a receiver.
    #[command(after_help = TCP_BENCH_EXAMPLES)]
    Bench(TcpBenchArgs),
}

#[derive(Debug, Subcommand)]
pub enum UdpCommand {
    /// Receive UDP datagrams on one socket, with no listen and no accept, and show each one with its
    /// sender.
    #[command(after_help = UDP_SERVE_EXAMPLES)]
    Serve(UdpServeArgs),
    /// Send UDP datagrams (sendto), and with --wait show the replies.
    #[command(after_help = UDP_SEND_EXAMPLES)]
    Send(UdpSendArgs),
    /// Measure UDP throughput and loss, like iperf3 -u: numbered datagrams, counted on arrival.
    #[command(after_help = UDP_BENCH_EXAMPLES)]
    Bench(UdpBenchArgs),
}

const DEMO_EXAMPLES: &str = "\
Examples:
  netplay demo                           the three parts, one after the other
  netplay demo --step --explain          pause between parts; the course's Python under each step
  netplay demo --loss 10 --delay 50      add a row: through a lossy, slow loopback (root, netem)
  netplay --json demo                    the same, one JSON object per event and per row";

const TCP_BENCH_EXAMPLES: &str = "\
Examples:
  netplay tcp bench --local                  sender and receiver in this process, 10 seconds
  netplay tcp bench --serve --port 5201      the receiver (like iperf3 -s) ...
  netplay tcp bench 127.0.0.1 5201 -t 5s     ... and the sender (like iperf3 -c)
  netplay --json tcp bench --local --bytes 1G";

const UDP_BENCH_EXAMPLES: &str = "\
Examples:
  netplay udp bench --local --size 64        as fast as possible: how many datagrams are lost?
  netplay udp bench --local --rate 100M      at 100 Mbit/s
  netplay udp bench --serve --port 5201      the receiver ...
  netplay udp bench 127.0.0.1 5201 --count 10000 --rate 10M   ... and the sender";

const UDP_SERVE_EXAMPLES: &str = "\
Examples:
  netplay udp serve                          datagrams to 127.0.0.1:12345, each with its sender
  netplay udp serve --reply 'Bonjour client !' --explain
  netplay udp serve --recv-size 8            a longer datagram is cut: see what is discarded
  netplay udp serve --script dns-answer.np   answer dig, step by step
  netplay udp serve -6 --host :: --v6only false   dual-stack: IPv4 senders show as ::ffff:a.b.c.d";

const UDP_SEND_EXAMPLES: &str = "\
Examples:
  netplay udp send 127.0.0.1 12345 -m 'Hello serveur !' --wait 1s
  netplay udp send [::1]:12345 --hex '01 02 ff' --count 3 --interval 500ms
  netplay udp send --connect 127.0.0.1:9 -m ping --wait 1s   refused: nothing is bound there
  netplay udp send 127.0.0.1 12345 --script ping.np          one datagram a `>`, one a `<`
  printf 'one\\ntwo\\n' | netplay udp send 127.0.0.1 12345   one datagram per line
  netplay --raw udp send 127.0.0.1 53 < query.bin     unchanged: a datagram per read of stdin";

const SERVE_EXAMPLES: &str = "\
Examples:
  netplay tcp serve                          the course's server on 127.0.0.1:12345
  netplay tcp serve --reply 'Bonjour client !' --explain
  netplay tcp serve --port 0 --echo          an echo server on a port the OS chooses
  netplay tcp serve --raw --once > out.bin   receive one connection's bytes, like nc -l
  netplay tcp serve --raw --once < file      send a file to the first client, like nc -N -l < file
  netplay tcp serve --broadcast              a chat: each client's messages go to the others
  netplay tcp serve --script course-server.np   check each client, step by step
  netplay -q tcp serve --broadcast --host 0.0.0.0 --max-conns 10000 --idle-timeout 5m";

const CONNECT_EXAMPLES: &str = "\
Examples:
  netplay tcp connect 127.0.0.1 12345 -m 'Hello serveur !'
  netplay tcp connect localhost:12345 --hex '01 02 ff'
  netplay tcp connect [::1]:12345 --file request.bin
  netplay tcp connect 127.0.0.1 12345 --script course-client.np   check the server, step by step
  cat file | netplay tcp connect --raw 127.0.0.1:12345 > answer";

const HEX_EXAMPLES: &str = "\
Examples:
  netplay hex capture.bin                    the whole file, repeated lines squeezed to *
  netplay hex -s 0x100 -n 64 capture.bin     64 bytes from offset 256
  cat /dev/urandom | netplay hex | head      stdin, shown as it arrives
  netplay hex --decode '>h' data.bin         each 2 bytes as a big-endian short, like
                                             struct.iter_unpack('>h', data)";

/// `netplay hex [FILE|-]`.
#[derive(Debug, Args)]
pub struct HexArgs {
    /// The file to show; - or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Show at most SIZE bytes (sizes like 64, 4K, 1MiB, 0x100).
    #[arg(short = 'n', long, value_name = "SIZE", value_parser = size_arg)]
    pub length: Option<u64>,

    /// Start SIZE bytes into the input (a seek on a file or device, read and dropped from a pipe);
    /// offsets still count from the input's start. Past the end, nothing shows, one line on
    /// stderr says so, and the exit code is 0.
    #[arg(short, long, value_name = "SIZE", default_value = "0", value_parser = size_arg)]
    pub skip: u64,

    /// Bytes per line: 8, 16 or 32.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = width_arg)]
    pub width: usize,

    /// Show every line; by default a run of lines equal to the one above shows as one `*`
    /// (--decode turns squeezing off, so every record shows).
    #[arg(long)]
    pub no_squeeze: bool,
}

/// Where a server binds, and the socket options before bind.
#[derive(Debug, Args)]
pub struct BindArgs {
    /// Address to bind: 127.0.0.1 (this machine only; the default), 0.0.0.0 (every IPv4
    /// interface), ::1, :: (every IPv6 interface; also IPv4 when dual-stack).
    #[arg(long, value_name = "ADDR")]
    pub host: Option<String>,

    /// Port to bind; 0 lets the OS choose, and the port it chose is printed.
    #[arg(short, long, default_value_t = 12345, value_parser = port_arg)]
    pub port: u16,

    /// The port, as nc -l takes it: `netplay tcp serve 12345` is `--port 12345`.
    #[arg(value_name = "PORT", value_parser = port_arg, conflicts_with = "port")]
    pub port_given: Option<u16>,

    #[command(flatten)]
    pub family: FamilyArgs,

    /// Set SO_REUSEPORT before bind: several sockets share one port.
    #[arg(long)]
    pub reuse_port: bool,

    // The default differs by system: the words are in sys::v6only.
    #[arg(long, value_name = "BOOL", help = crate::sys::v6only::HELP)]
    pub v6only: Option<bool>,

    /// Bytes asked per recv call, like recv(1024) in the course (UDP: a longer datagram is cut
    /// and the rest discarded). Sizes like 1024, 64K, 1MiB.
    #[arg(long, default_value = "64K", value_name = "SIZE", value_parser = recv_size_arg)]
    pub recv_size: usize,
}

/// -4 / -6.
#[derive(Debug, Args)]
pub struct FamilyArgs {
    /// IPv4 only (AF_INET).
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// IPv6 only (AF_INET6): a client tries only IPv6 addresses; a server's default host
    /// becomes ::1 (which IPv4 clients cannot reach).
    #[arg(short = '6')]
    pub ipv6: bool,
}

#[derive(Debug, Args)]
pub struct TcpServeArgs {
    #[command(flatten)]
    pub bind: BindArgs,

    #[arg(long, help = crate::sys::reuse::NO_REUSE_ADDR_HELP)]
    pub no_reuse_addr: bool,

    /// SO_REUSEADDR is tcp serve's default now: accepted, and it changes nothing.
    #[arg(long, hide = true, conflicts_with = "no_reuse_addr")]
    pub reuse_addr: bool,

    /// Length of the queue of connections waiting for accept(), as in listen(5). The system may
    /// cap it (Linux: net.core.somaxconn; macOS: kern.ipc.somaxconn).
    #[arg(long, default_value_t = 1024, value_name = "N", value_parser = backlog_arg, allow_negative_numbers = true)]
    pub backlog: i32,

    /// Send each chunk received back to its sender.
    #[arg(long)]
    pub echo: bool,

    /// Send TEXT to a client after each chunk it sends (each recv(), not each message: a 300 KB
    /// request comes in several chunks; see --reply-once), like the course's b"Bonjour client !".
    /// Read as -m reads it: "b'HTTP/1.0 200 OK\r\n\r\n'" is a Python bytes literal.
    #[arg(long, value_name = "TEXT", value_parser = reply_arg)]
    pub reply: Option<Bytes>,

    /// The reply in hex, as --hex reads it ("48 69 00": three bytes, the last a NUL).
    #[arg(long, value_name = "HEX", value_parser = reply_hex_arg, conflicts_with = "reply")]
    pub reply_hex: Option<Bytes>,

    /// The reply is the content of this file, any bytes (in UDP, one datagram: a DNS answer).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["reply", "reply_hex"])]
    pub reply_file: Option<PathBuf>,

    /// Reply once per connection, after the client's first chunk, instead of after each.
    #[arg(long)]
    pub reply_once: bool,

    /// Serve one connection, then exit (8 if the client reset it). Stdin from a pipe or file
    /// waits for that client and goes to it whole; then --half-close says when the server shuts
    /// down its sending side.
    #[arg(long)]
    pub once: bool,

    #[command(flatten)]
    pub half_close: HalfCloseArgs,

    /// Relay each chunk a client sends to every other connected client (a chat, like ncat
    /// --broker); the sender gets it too with --echo. Stdin lines go to all clients.
    #[arg(long, conflicts_with_all = ["reply", "reply_hex", "reply_file"])]
    pub broadcast: bool,

    /// Serve at most N clients at once; beyond, a new client is accepted and closed at once,
    /// and the reason is reported.
    #[arg(long, value_name = "N", value_parser = max_conns_arg)]
    pub max_conns: Option<u64>,

    /// Wait DUR before each accept(), as a busy server would: clients wait in the accept queue
    /// meanwhile, shown as it fills (with a small --backlog, past it too).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg)]
    pub accept_delay: Option<Duration>,

    /// Serve one client at a time, as the course's `while True: accept()` loop does: the next
    /// client waits in the accept queue until the current one is closed. --raw does so unless
    /// --once or --broadcast, as nc -lk does.
    #[arg(long, conflicts_with = "broadcast")]
    pub sequential: bool,

    /// Close a client that has sent nothing for DUR (30s, 5m; 1ms to 7 days).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg)]
    pub idle_timeout: Option<Duration>,

    /// Accept only peers in this address block (10.0.0.0/8, ::1, 192.168.1.7); repeatable.
    /// Others are closed at once and reported. An IPv4 block also matches its IPv4-mapped form
    /// (::ffff:a.b.c.d on a dual-stack socket), and the reverse. A link-local block may name its
    /// link: fe80::1%eth0 (or %2, the interface index) matches that address on eth0 only;
    /// without %zone it matches on every link.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub allow: Vec<Rule>,

    /// Refuse peers in this address block (same forms as --allow); repeatable; wins over
    /// --allow.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub deny: Vec<Rule>,

    /// Bytes that may wait to be sent to one client (1M, 64K). A client that reads slowly
    /// costs at most this; when it is full, --slow applies.
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = queue_arg)]
    pub queue: usize,

    /// When a client's queue is full: wait for room (nothing is lost; whoever sends to it goes
    /// at its pace), disconnect it, or drop the message for it and keep it connected.
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = SlowArg::Wait)]
    pub slow: SlowArg,

    /// Cut a client that takes no data for DUR while others wait on its full queue (or while
    /// it is all that is left to send).
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = timeout_arg)]
    pub stall_timeout: Duration,

    /// Play the steps of FILE with each client instead of answering: `< BYTES` expects exactly
    /// these bytes, `> BYTES` sends, and more (docs/scripts.md). Each client's verdict is shown;
    /// exit code 9 with --once when the client does not follow it, and at the stop when any did
    /// not. Stdin is not read.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["echo", "reply", "reply_hex", "reply_file", "reply_once", "broadcast", "half_close", "no_shutdown", "idle_timeout", "queue", "slow", "stall_timeout"])]
    pub script: Option<PathBuf>,

    /// Each step of the --script waits at most DUR (500ms, 2s, 1m; default 10s).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg, requires = "script")]
    pub step_timeout: Option<Duration>,
}

// Plain comments: doc comments on the values would switch all of `tcp serve
// --help` to clap's long layout; --slow's own help says what each does.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SlowArg {
    // Wait for room: lossless, at the pace of the slowest reader.
    Wait,
    // Close the client: it gets nothing rather than a stream with holes.
    Disconnect,
    // Skip the message for that client; it stays connected and misses it.
    Drop,
}

#[derive(Debug, Args)]
pub struct TcpConnectArgs {
    /// The server: a name or address, or HOST:PORT, or [IPv6]:PORT.
    #[arg(value_name = "HOST")]
    pub host: String,

    /// The server's port, when HOST does not carry it.
    #[arg(value_name = "PORT")]
    pub port: Option<String>,

    #[command(flatten)]
    pub family: FamilyArgs,

    #[command(flatten)]
    pub input: InputArgs,

    /// Local address to bind before connecting (the client's end of the connection).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,

    /// Local port to bind before connecting, instead of an ephemeral one.
    #[arg(long, value_name = "PORT", value_parser = port_arg)]
    pub source_port: Option<u16>,

    /// Give up connecting after DUR, and when nothing moves either way for DUR (500ms, 2s, 1m;
    /// 1ms to 7 days).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg)]
    pub timeout: Option<Duration>,

    /// Bytes asked per recv call, like recv(1024) in the course. Sizes like 1024, 64K, 1MiB.
    #[arg(long, default_value = "64K", value_name = "SIZE", value_parser = recv_size_arg)]
    pub recv_size: usize,

    #[command(flatten)]
    pub half_close: HalfCloseArgs,

    /// Play the steps of FILE against the server instead of sending input: `> BYTES` sends,
    /// `< BYTES` expects exactly these bytes, and more (docs/scripts.md). Exit code 9 when the
    /// server does not follow it; --timeout is each step's wait (default 10s).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["messages", "hex", "file", "no_shutdown", "half_close"])]
    pub script: Option<PathBuf>,
}

/// When to half-close after the input ends; the same for `tcp serve` and
/// `tcp connect`.
#[derive(Debug, Args)]
pub struct HalfCloseArgs {
    /// When to half-close (shutdown(SHUT_WR): the peer reads EOF) after the input ends: `data`
    /// (the default) after an input that sent at least one byte, or that Ctrl-D ended at a
    /// terminal, so an upload ends but an empty input (/dev/null) never cuts a download; `always`, even after an empty input (nc -N);
    /// `never` (ncat --no-shutdown): the connection ends when the peer closes.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = HalfCloseArg::Data)]
    pub half_close: HalfCloseArg,

    /// Never half-close: --half-close never, as ncat --no-shutdown.
    #[arg(long, conflicts_with = "half_close")]
    pub no_shutdown: bool,
}

// Plain comments: --half-close's own help says what each does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HalfCloseArg {
    // After an input that sent a byte.
    Data,
    // Whenever the input ends.
    Always,
    // Never.
    Never,
}

impl HalfCloseArgs {
    fn into_config(self) -> HalfClose {
        match (self.no_shutdown, self.half_close) {
            (true, _) | (_, HalfCloseArg::Never) => HalfClose::Never,
            (_, HalfCloseArg::Data) => HalfClose::AfterData,
            (_, HalfCloseArg::Always) => HalfClose::Always,
        }
    }
}

/// What a client sends. Without any of these, stdin.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Text to send; repeat for several sends, each one send call (one datagram in UDP). A
    /// Python bytes literal is read as Python reads it: -m "b'\x01\x02Hello'" sends 7 bytes.
    #[arg(short = 'm', long = "message", value_name = "TEXT", value_parser = message_arg)]
    pub messages: Vec<Vec<u8>>,

    /// Bytes to send, written in hex ("01 02 ff", "\x01\x02", "0x01 0x02"); repeat for several sends,
    /// mixed with -m in the order given.
    #[arg(long, value_name = "HEX", value_parser = hex_arg)]
    pub hex: Vec<Vec<u8>>,

    /// Send the content of this file (in UDP, as one datagram).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["messages", "hex"])]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UdpServeArgs {
    #[command(flatten)]
    pub bind: BindArgs,

    /// Set SO_REUSEADDR before bind. For UDP, which has no TIME_WAIT, it lets several sockets
    /// that all set it bind one address and port; on Linux the last one bound gets the datagrams.
    #[arg(long)]
    pub reuse_addr: bool,

    /// Send each datagram back to its sender (the bytes kept, if it was cut).
    #[arg(long)]
    pub echo: bool,

    /// Send TEXT to the sender of each datagram, like the course's b"Bonjour client !". Read as
    /// -m reads it: "b'\x00\x01'" is a Python bytes literal.
    #[arg(long, value_name = "TEXT", value_parser = reply_arg)]
    pub reply: Option<Bytes>,

    /// The reply in hex, as --hex reads it ("48 69 00": three bytes, the last a NUL).
    #[arg(long, value_name = "HEX", value_parser = reply_hex_arg, conflicts_with = "reply")]
    pub reply_hex: Option<Bytes>,

    /// The reply is the content of this file, any bytes (in UDP, one datagram: a DNS answer).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["reply", "reply_hex"])]
    pub reply_file: Option<PathBuf>,

    /// Receive one datagram (and answer it), then exit.
    #[arg(long)]
    pub once: bool,

    /// Answer one peer at most N times a second (a burst of N, then N a second); the datagrams
    /// over are shown but not answered, and that is said once per peer. This ends a loop between
    /// two servers that answer everything, and bounds a flood toward a forged address. 0: no
    /// limit. Whatever the rate, the server never answers its own address, port 0, or with more
    /// than 3 times the bytes a peer sent (a forged source would make it an amplifier).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ANSWER_RATE, value_parser = answer_rate_arg)]
    pub answer_rate: u32,

    /// Take datagrams only from this address block (as tcp serve's --allow); repeatable. Others
    /// are ignored: not shown, not answered, counted. A UDP source can be forged: this keeps
    /// answers away from other addresses, it does not authenticate anyone.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub allow: Vec<Rule>,

    /// Ignore datagrams from this address block; repeatable; wins over --allow.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub deny: Vec<Rule>,

    /// Ask for a receive buffer of SIZE (SO_RCVBUF; Linux doubles it, within net.core.rmem_max):
    /// a small one shows datagrams dropped while it is full, which the server then counts.
    #[arg(long, value_name = "SIZE", value_parser = rcvbuf_arg)]
    pub rcvbuf: Option<usize>,

    /// Play the steps of FILE instead of answering: `< BYTES` expects a datagram of exactly these
    /// bytes, from any sender, and `> BYTES` sends one to the sender of the last datagram
    /// received (docs/scripts.md). Played again for the next datagram; with --once, once. Exit
    /// code 9 with --once when the peer does not follow it, and at the stop when a run failed.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["echo", "reply", "reply_hex", "reply_file", "answer_rate", "allow", "deny"])]
    pub script: Option<PathBuf>,

    /// Each step of the --script waits at most DUR (500ms, 2s, 1m; default 10s); the first waits
    /// for a datagram as long as the server runs.
    #[arg(long, value_name = "DUR", value_parser = timeout_arg, requires = "script")]
    pub step_timeout: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct UdpSendArgs {
    /// Where to send: a name or address, or HOST:PORT, or [IPv6]:PORT.
    #[arg(value_name = "HOST")]
    pub host: String,

    /// The port, when HOST does not carry it.
    #[arg(value_name = "PORT")]
    pub port: Option<String>,

    #[command(flatten)]
    pub family: FamilyArgs,

    #[command(flatten)]
    pub input: InputArgs,

    /// Read all of stdin as one datagram, instead of one datagram per line (without its newline;
    /// with --raw, one datagram per read of stdin, unchanged, as nc -u sends).
    #[arg(long, conflicts_with_all = ["messages", "hex", "file"])]
    pub stdin_datagram: bool,

    /// Send the input N times.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = count_arg)]
    pub count: u64,

    /// Pause DUR between two datagrams (500ms, 2s, 1m; up to 7 days).
    #[arg(long, value_name = "DUR", value_parser = pause_arg)]
    pub interval: Option<Duration>,

    /// Keep receiving replies for DUR after the last datagram; each is shown with its sender.
    /// Default: exit at once, showing only replies already there. Up to 7 days.
    #[arg(long, value_name = "DUR", value_parser = pause_arg)]
    pub wait: Option<Duration>,

    /// Use a connected UDP socket: send() and recv() instead of sendto() and recvfrom(). The
    /// kernel then drops datagrams from other addresses, and an ICMP port unreachable from the
    /// peer is reported as "connection refused" (exit code 4).
    #[arg(long)]
    pub connect: bool,

    /// Local address to bind before sending (the source address of the datagrams).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,

    /// Local port to bind before sending, instead of the ephemeral one the OS picks.
    #[arg(long, value_name = "PORT", value_parser = port_arg)]
    pub source_port: Option<u16>,

    /// Bytes asked per recv call for replies; a longer reply is cut and the rest discarded.
    /// Sizes like 1024, 64K, 1MiB.
    #[arg(long, default_value = "64K", value_name = "SIZE", value_parser = recv_size_arg)]
    pub recv_size: usize,

    /// Play the steps of FILE instead of sending input: `> BYTES` sends one datagram, `< BYTES`
    /// expects the next datagram to be exactly these bytes, and more (docs/scripts.md). Exit
    /// code 9 when the peer does not follow it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["messages", "hex", "file", "stdin_datagram", "count", "interval", "wait"])]
    pub script: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Add a row to the table: the same messages through a loopback that loses PCT% of packets
    /// (netem, in a network namespace of the demo's own; needs root, ip and tc).
    #[arg(long, value_name = "PCT", value_parser = percent_arg)]
    pub loss: Option<f64>,

    /// With that row: each packet is delayed by MS milliseconds (a bare number is milliseconds;
    /// 0.1s works too), at most 1000.
    #[arg(long, value_name = "MS", value_parser = delay_arg)]
    pub delay: Option<Duration>,

    /// Pause before each part until Enter is pressed (when stdin is a terminal; otherwise the
    /// demo says so and goes on).
    #[arg(long)]
    pub step: bool,
}

/// What a benchmark end is, and where; shared by `tcp bench` and `udp bench`.
#[derive(Debug, Args)]
pub struct BenchEndArgs {
    /// The receiver to send to: a name or address, or HOST:PORT, or [IPv6]:PORT.
    #[arg(value_name = "HOST", conflicts_with_all = ["serve", "local"])]
    pub host: Option<String>,

    /// The receiver's port, when HOST does not carry it.
    #[arg(value_name = "PORT")]
    pub port: Option<String>,

    /// Receive: wait for senders on --host and --port, one after the other (like iperf3 -s).
    #[arg(long, conflicts_with = "local")]
    pub serve: bool,

    /// Both ends in this process, over loopback, on a port the OS chooses.
    #[arg(long)]
    pub local: bool,

    /// With --serve: the address to bind (default 127.0.0.1; ::1 with -6).
    #[arg(long = "host", id = "bind_host", value_name = "ADDR")]
    pub bind_host: Option<String>,

    /// With --serve: the port to bind; 0 lets the OS choose, and the port it chose is printed.
    #[arg(short, long = "port", value_name = "PORT", value_parser = port_arg)]
    pub port_number: Option<u16>,

    /// With --serve: receive from one sender, then exit.
    #[arg(long)]
    pub once: bool,

    #[command(flatten)]
    pub family: FamilyArgs,

    /// Send for DUR (500ms, 2s, 1m; 1ms to 24h). Default: 10s, as iperf3.
    #[arg(short = 't', long, value_name = "DUR", value_parser = bench_time_arg, conflicts_with = "serve")]
    pub time: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct TcpBenchArgs {
    #[command(flatten)]
    pub end: BenchEndArgs,

    /// Send this many bytes instead of sending for a time (1G, 500M).
    #[arg(short = 'n', long, value_name = "SIZE", value_parser = bytes_arg, conflicts_with_all = ["time", "serve"])]
    pub bytes: Option<u64>,

    /// Bytes per send() call.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = send_size_arg, conflicts_with = "serve")]
    pub size: usize,

    /// Bytes asked per recv() call by the receiver.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = recv_size_arg)]
    pub recv_size: usize,
}

#[derive(Debug, Args)]
pub struct UdpBenchArgs {
    #[command(flatten)]
    pub end: BenchEndArgs,

    /// Send this many datagrams instead of sending for a time.
    #[arg(long, value_name = "N", value_parser = count_arg, conflicts_with_all = ["time", "serve"])]
    pub count: Option<u64>,

    /// Bytes of payload per datagram, its 16-byte header (sequence number) included; 1472 fills
    /// a 1500-byte Ethernet frame.
    #[arg(long, default_value = "1472", value_name = "SIZE", value_parser = size_arg, conflicts_with = "serve")]
    pub size: u64,

    /// Bits per second to send at, like iperf3 -b (500K, 100M, 1G); 0 is as fast as possible.
    #[arg(long, default_value = "0", value_name = "RATE", value_parser = rate_arg, conflicts_with = "serve")]
    pub rate: u64,

    /// One send() and one recv() per datagram, as iperf3 does, instead of handing the kernel up to
    /// 64 datagrams per call (UDP_SEGMENT) and taking them back glued (UDP_GRO).
    #[arg(long)]
    pub no_offload: bool,
}

/// The clap command, with the legend and the exit codes under `--help`,
/// in the language of the run.
pub fn command() -> clap::Command {
    command_in(i18n::current())
}

/// The clap command with every text a person reads in `lang`: each
/// subcommand's summary, each flag's help, the examples, the headings, the
/// legend and the exit codes come from the catalogues (`about-…`,
/// `help-…`, `examples-…`), and in French clap's own words too (`Usage:`,
/// `[default: …]`, `Print help`). The doc comments above keep the English
/// for whoever reads the code; a test holds them equal to the English
/// catalogue. Completions and the man page are made in English.
pub fn command_in(lang: Lang) -> clap::Command {
    let after =
        format!("{}\n\n{}", crate::report::legend::legend_in(lang, false).trim_end(), exit::table_in(lang));
    let mut command = localize(Cli::command(), lang, "").after_help(after);
    if lang != Lang::En {
        // clap makes the `help` subcommand when it builds the command.
        command.build();
        command = localize_help_subcommand(command, lang);
    }
    command
}

/// A heading as clap shows it (it adds the colon): French puts a no-break
/// space before it.
fn heading(lang: Lang, id: &str) -> String {
    let text = match id {
        "help-heading-output" => msg!("help-heading-output"),
        "help-heading-options" => msg!("help-heading-options"),
        "help-heading-arguments" => msg!("help-heading-arguments"),
        _ => msg!("help-heading-commands"),
    }
    .render(lang);
    match lang {
        Lang::En => text,
        _ => format!("{text}{}", i18n::NBSP),
    }
}

/// `command` (at `path`, its subcommand names joined by `-`) and all its
/// subcommands, in `lang`.
fn localize(mut command: clap::Command, lang: Lang, path: &str) -> clap::Command {
    use clap::{Arg, ArgAction};
    let name = if path.is_empty() { "netplay" } else { path };
    if let Some(about) = i18n::lookup(lang, &format!("about-{name}")) {
        command = command.about(about);
    }
    if let Some(examples) = i18n::lookup(lang, &format!("examples-{name}")) {
        command = command.after_help(examples);
    }
    let ids: Vec<String> = command.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        command = command.mut_arg(&id, |arg| localize_arg(arg, lang, path));
    }
    if lang != Lang::En {
        let usage = msg!("help-usage").render(lang);
        command = command
            .help_template(format!(
                "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{{all-args}}{{after-help}}"
            ))
            .subcommand_help_heading(heading(lang, "help-heading-commands"))
            .disable_help_flag(true)
            .arg(
                Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(ArgAction::Help)
                    .help(msg!("help-help").render(lang))
                    .help_heading(heading(lang, "help-heading-options")),
            );
        if command.get_version().is_some() {
            command = command.disable_version_flag(true).arg(
                Arg::new("version")
                    .short('V')
                    .long("version")
                    .action(ArgAction::Version)
                    .help(msg!("help-version").render(lang))
                    .help_heading(heading(lang, "help-heading-options")),
            );
        }
    }
    let subcommands: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for sub in subcommands {
        let inner = if path.is_empty() { sub.clone() } else { format!("{path}-{sub}") };
        command = command.mut_subcommand(&sub, |s| localize(s, lang, &inner));
    }
    command
}

/// The help text of flag `id` of the command at `path`: the command's own
/// (`help-tcp-serve-port`) where the same flag says different things
/// elsewhere, else the flag's (`help-color`); a system's own for the
/// flags whose meaning differs by system.
pub fn arg_help(lang: Lang, path: &str, id: &str) -> Option<String> {
    let dashed = id.replace('_', "-");
    match id {
        "v6only" => Some(crate::sys::v6only::help().render(lang)),
        "no_reuse_addr" => Some(crate::sys::reuse::no_reuse_addr_help().render(lang)),
        _ => i18n::lookup(lang, &format!("help-{path}-{dashed}"))
            .or_else(|| i18n::lookup(lang, &format!("help-{dashed}"))),
    }
}

/// The catalogue ids `--help` looks up by name made at run time (each
/// subcommand's `about-…` and `examples-…`, each flag's `help-…`), for the
/// test that every message of the catalogues is used.
pub fn help_ids() -> Vec<String> {
    fn walk(command: &clap::Command, path: &str, out: &mut Vec<String>) {
        let name = if path.is_empty() { "netplay" } else { path };
        for id in [format!("about-{name}"), format!("examples-{name}")] {
            if i18n::lookup(Lang::En, &id).is_some() {
                out.push(id);
            }
        }
        // v6only and no_reuse_addr say what their system does: named in sys/.
        for arg in
            command.get_arguments().filter(|a| !["v6only", "no_reuse_addr"].contains(&a.get_id().as_str()))
        {
            let dashed = arg.get_id().as_str().replace('_', "-");
            let own = format!("help-{path}-{dashed}");
            out.push(if i18n::lookup(Lang::En, &own).is_some() { own } else { format!("help-{dashed}") });
        }
        for sub in command.get_subcommands() {
            let inner = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path}-{}", sub.get_name())
            };
            walk(sub, &inner, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), "", &mut out);
    // `netplay nc` reads its words with a command of its own.
    walk(&nc::NcArgs::command(), "nc", &mut out);
    out
}

fn localize_arg(mut arg: clap::Arg, lang: Lang, path: &str) -> clap::Arg {
    if arg.get_help_heading() == Some(OUTPUT) {
        arg = arg.help_heading(heading(lang, "help-heading-output"));
    }
    let Some(mut help) = arg_help(lang, path, arg.get_id().as_str()) else { return arg };
    if lang != Lang::En {
        if arg.get_help_heading().is_none() {
            let id = if arg.is_positional() { "help-heading-arguments" } else { "help-heading-options" };
            arg = arg.help_heading(heading(lang, id));
        }
        // clap's `[default: …]` and `[possible values: …]`, in words.
        let takes = arg.get_action().takes_values();
        let defaults: Vec<String> =
            arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
        if takes && !defaults.is_empty() && !arg.is_hide_default_value_set() {
            help.push(' ');
            help.push_str(&msg!("help-default", value = defaults.join(", ")).render(lang));
        }
        let possible: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if takes && !possible.is_empty() && !arg.is_hide_possible_values_set() {
            help.push(' ');
            help.push_str(&msg!("help-possible", values = possible.join(", ")).render(lang));
        }
        if takes {
            arg = arg.hide_default_value(true).hide_possible_values(true);
        }
    }
    arg.help(help)
}

/// The `help` subcommand clap made, in `lang`, wherever there is one.
fn localize_help_subcommand(mut command: clap::Command, lang: Lang) -> clap::Command {
    let subcommands: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for sub in subcommands {
        command = command.mut_subcommand(&sub, |s| match sub.as_str() {
            "help" => s.about(msg!("about-help").render(lang)),
            _ => localize_help_subcommand(s, lang),
        });
    }
    command
}

/// Parses arguments; a clap error carries its own exit code (0 for --help).
/// A subcommand given without its protocol (`netplay connect`) says which
/// to add.
pub fn parse(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> Result<Cli, clap::Error> {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // The language first: clap's own errors and ours are said in it.
    i18n::set_current(lang_asked(&args[1..]).unwrap_or_else(i18n::lang::from_env));
    if let Some(tip) = missing_protocol(&args[1..]) {
        return Err(command().error(clap::error::ErrorKind::InvalidSubcommand, tip.to_string()));
    }
    // nc's words are nc's: clap reads netplay's up to `nc`, and they wait
    // for cli/nc.rs.
    let (args, nc_words) = match first_plain(&args[1..]) {
        Some((at, "nc")) => (args[..at + 2].to_vec(), Some(args[at + 2..].to_vec())),
        _ => (args, None),
    };
    let matches = match command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(mut err) => {
            // In place of clap's own tip ("to pass 'Hello' as a value, use
            // '-- Hello'"), which leads into another error (and is English):
            // ours, or none, and the line ends with the command's --help.
            let tips = match usage_tip(&args[1..], &err) {
                Some(tip) => vec![clap::builder::StyledStr::from(tip.to_string())],
                None => Vec::new(),
            };
            err.insert(clap::error::ContextKind::Suggested, clap::error::ContextValue::StyledStrs(tips));
            return Err(err);
        }
    };
    // `tcp serve -q 1` parses (quiet, port 1): an nc habit, said as one.
    let words: Vec<&str> = args[1..].iter().filter_map(|a| a.to_str()).collect();
    if let Some(tip) = quit_habit(&words, true) {
        return Err(command().error(clap::error::ErrorKind::InvalidSubcommand, tip.render(i18n::current())));
    }
    let mut cli = Cli::from_arg_matches(&matches)?;
    in_order(&mut cli, &matches);
    if let (Some(Command::Nc(stub)), Some(words)) = (&mut cli.command, nc_words) {
        stub.args = words;
    }
    Ok(cli)
}

/// The first word that is no flag and no global flag's value (the
/// subcommand, or the protocol), and where it is.
fn first_plain(args: &[OsString]) -> Option<(usize, &str)> {
    let mut at = 0;
    while let Some(word) = args.get(at) {
        let word = word.to_str()?;
        match word {
            "--" => return None,
            w if GLOBAL_WITH_VALUE.contains(&w) => at += 1,
            w if w.starts_with('-') => {}
            w => return Some((at, w)),
        }
        at += 1;
    }
    None
}

/// `-m` and `--hex` together: one list of messages in command-line order
/// (clap keeps each flag's values apart, and their positions).
fn in_order(cli: &mut Cli, matches: &clap::ArgMatches) {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    let input = match &mut cli.command {
        Some(Command::Tcp(TcpCommand::Connect(args))) => &mut args.input,
        Some(Command::Udp(UdpCommand::Send(args))) => &mut args.input,
        _ => return,
    };
    if input.messages.is_empty() || input.hex.is_empty() {
        return;
    }
    let at = |id: &str| leaf.indices_of(id).map(|i| i.collect::<Vec<_>>()).unwrap_or_default();
    let mut parts: Vec<(usize, Vec<u8>)> =
        at("messages").into_iter().zip(std::mem::take(&mut input.messages)).collect();
    parts.extend(at("hex").into_iter().zip(std::mem::take(&mut input.hex)));
    parts.sort_by_key(|(index, _)| *index);
    input.messages = parts.into_iter().map(|(_, bytes)| bytes).collect();
}

/// The global options that take a value, as a word of their own.
const GLOBAL_WITH_VALUE: [&str; 5] = ["--color", "--decode", "--columns", "--lang", "--pcap"];

/// A usage error a learner meets, and the command that does what they
/// meant, whole and quoted for a shell: `udp connect` (UDP opens no
/// connection: `udp send --connect`), `tcp send` (`tcp connect`), a
/// message given without -m or split by the shell at its spaces, `-6`
/// before the subcommand.
fn usage_tip(args: &[OsString], err: &clap::Error) -> Option<Msg> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let words: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
    let value = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.as_str()),
        _ => None,
    };
    // Where the words that are no flag stand: the protocol, the subcommand,
    // its arguments (a global option's value skipped).
    let mut plain = Vec::new();
    let mut i = 0;
    while i < words.len() && words[i] != "--" {
        if GLOBAL_WITH_VALUE.contains(&words[i]) {
            i += 1;
        } else if !words[i].starts_with('-') {
            plain.push(i);
        }
        i += 1;
    }
    let command =
        |new: Vec<&str>| exit::shell_command(&std::iter::once("netplay").chain(new).collect::<Vec<_>>());
    let (&proto_at, &leaf_at) = (plain.first()?, plain.get(1)?);
    match err.kind() {
        ErrorKind::InvalidSubcommand => {
            let word = value(ContextKind::InvalidSubcommand)?;
            if words[leaf_at] != word {
                return None;
            }
            let (id, instead): (&str, &[&str]) = match (words[proto_at], word) {
                ("udp", "connect") => ("usage-tip-udp-connect", &["send", "--connect"]),
                ("tcp", "send") => ("usage-tip-tcp-send", &["connect"]),
                ("tcp" | "udp", "listen") => ("usage-tip-serve", &["serve"]),
                _ => return None,
            };
            let mut new = words[..leaf_at].to_vec();
            new.extend(instead);
            new.extend(&words[leaf_at + 1..]);
            let command = command(new);
            Some(match id {
                "usage-tip-udp-connect" => msg!("usage-tip-udp-connect", command = command),
                "usage-tip-tcp-send" => msg!("usage-tip-tcp-send", command = command),
                _ => msg!("usage-tip-serve", command = command),
            })
        }
        ErrorKind::UnknownArgument => {
            let arg = value(ContextKind::InvalidArg)?;
            if let Some(tip) = quit_habit(&words, false) {
                return Some(tip);
            }
            if let Some(habit) = nc_habit(words[proto_at], words[leaf_at], arg) {
                return Some(msg!("usage-tip-nc", habit = habit));
            }
            if arg == "-4" || arg == "-6" {
                let at = words.iter().position(|w| *w == arg).filter(|&at| at < leaf_at)?;
                let mut new = words.clone();
                new.remove(at);
                new.insert(leaf_at, arg);
                return Some(msg!("usage-tip-family-after", flag = arg, command = command(new)));
            }
            // A message after HOST PORT, without -m: one word, or several
            // the shell cut at their spaces.
            if !matches!((words[proto_at], words[leaf_at]), ("tcp", "connect") | ("udp", "send")) {
                return None;
            }
            let at = (leaf_at + 1..words.len()).find(|&i| words[i] == arg && plain.contains(&i))?;
            let stray: Vec<&str> = words[at..].iter().take_while(|w| !w.starts_with('-')).copied().collect();
            let text = stray.join(" ");
            let mut new = words[..at].to_vec();
            new.extend(&words[at + stray.len()..]);
            new.extend(["-m", text.as_str()]);
            let command = command(new);
            Some(match stray.len() {
                1 => msg!("usage-tip-message", command = command),
                _ => msg!("usage-tip-message-split", words = text.as_str(), command = command),
            })
        }
        _ => None,
    }
}

/// An nc flag given to a native subcommand (`netplay tcp connect -l`): what
/// does its job here, for usage_tip. None for a word nc does not take.
fn nc_habit(proto: &str, leaf: &str, flag: &str) -> Option<Msg> {
    let command = |words: &[&str]| {
        exit::shell_command(&std::iter::once("netplay").chain(words.iter().copied()).collect::<Vec<_>>())
    };
    Some(match (flag, proto, leaf) {
        ("-l", _, "serve") => msg!("nc-habit-listen-serve"),
        ("-l", "tcp", _) => msg!("nc-habit-listen", command = command(&["tcp", "serve"])),
        ("-l", "udp", _) => msg!("nc-habit-listen", command = command(&["udp", "serve"])),
        ("-u", "udp", _) => msg!("nc-habit-udp-already"),
        ("-u", _, "serve") => msg!("nc-habit-udp", command = command(&["udp", "serve"])),
        ("-u", _, _) => msg!("nc-habit-udp", command = command(&["udp", "send"])),
        ("-k", ..) => msg!("nc-habit-keep"),
        ("-z", ..) => msg!("nc-habit-zero"),
        ("-w", "tcp", "connect") => msg!("nc-habit-wait-connect"),
        ("-w", "tcp", "serve") => msg!("nc-habit-wait-serve"),
        ("-w", "udp", "send") => msg!("nc-habit-wait-send"),
        ("-N", ..) => msg!("nc-habit-shutdown"),
        ("-p", _, "connect" | "send") => msg!("nc-habit-source-port"),
        ("-v", ..) => msg!("nc-habit-verbose"),
        ("-4" | "-6", ..) => return None,
        (flag, ..) if flag.len() == 2 && "CDFIMOPSTUVWXZbcdehimnrstwx".contains(&flag[1..]) => {
            msg!("nc-habit-other", flag = flag)
        }
        _ => return None,
    })
}

/// nc's `-q SECONDS` given to a native subcommand (`netplay tcp serve -q
/// 1`): netplay's -q is --quiet and takes no value, so the number would be
/// taken for a port, and the line that says which one hidden. A number
/// right after -q is refused, with what each reading means.
fn quit_habit(words: &[&str], parsed: bool) -> Option<Msg> {
    let end = words.iter().position(|w| *w == "--").unwrap_or(words.len());
    let proto = words[..end].iter().position(|w| matches!(*w, "tcp" | "udp"))?;
    let at = (proto + 1..end.saturating_sub(1))
        .find(|&i| words[i] == "-q" && words[i + 1].parse::<i64>().is_ok())?;
    if !parsed {
        // The number was refused (a port too many, -1): it is no port.
        return Some(msg!("nc-habit-quit"));
    }
    let mut quiet: Vec<&str> = vec!["netplay", "-q"];
    quiet.extend(words.iter().enumerate().filter(|&(i, _)| i != at).map(|(_, w)| *w));
    let quit = msg!("nc-habit-quit");
    Some(msg!(
        "nc-habit-quit-port",
        quit = quit,
        value = words[at + 1],
        command = exit::shell_command(&quiet)
    ))
}

/// What `netplay` alone prints: what a newcomer should try first.
/// What `netplay` alone prints, in the reader's language.
pub fn greeting() -> String {
    msg!("greeting").render(i18n::lang::from_env())
}

/// Prints `--help` or `--version` on stdout, or a command-line error as one
/// line on stderr (see [`error_text`]). `Err` when stdout could not take
/// the help or the version (`--help > /dev/full`): that is no success.
pub fn print_error(err: &clap::Error) -> std::io::Result<()> {
    use crate::width;
    use std::io::{IsTerminal, Write};
    let wide = width::columns(None, std::io::stderr().is_terminal(), width::stderr_terminal()).is_some();
    match error_text(i18n::current(), err) {
        Some(text) => std::io::stderr().write_all(width::fit_stderr(&text, None).as_bytes()),
        // Help to stderr where it has a width (`netplay tcp`, its
        // subcommand missing): wrapped as every line is (clap would let the
        // terminal cut its words), in clap's colours where clap would use
        // them.
        None if err.use_stderr() && wide => {
            let colour = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").is_ok_and(|t| t != "dumb");
            let rendered = err.render();
            let text = if colour { rendered.ansi().to_string() } else { rendered.to_string() };
            std::io::stderr().write_all(width::fit_stderr(&text, None).as_bytes())
        }
        None => {
            err.print()?;
            std::io::stdout().flush()
        }
    }
}

/// A command-line error as netplay's other failures are: one line, what
/// is wrong (the flag, the value as typed, escaped as the hex panel shows
/// text), then what to try (a similar flag or subcommand, the values
/// allowed, the usage, or the command's --help), in `lang`. None for
/// `--help` and `--version`, which clap prints.
pub fn error_text(lang: Lang, err: &clap::Error) -> Option<String> {
    error_what(err).map(|what| msg!("error-line", what = what).render(lang) + "\n")
}

/// What [`error_text`] says after `netplay: `; None for `--help` and
/// `--version`.
fn error_what(err: &clap::Error) -> Option<Msg> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let strings = |kind: ContextKind| match err.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(s)) => s.clone(),
        Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
        Some(ContextValue::StyledStrs(s)) => s.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    };
    // What the person typed, as the hex panel would show it.
    let typed = |kind: ContextKind| {
        strings(kind).iter().map(|s| hexdump::shown_text(s.as_bytes())).collect::<Vec<_>>().join(", ")
    };
    let arg = typed(ContextKind::InvalidArg);
    let value = typed(ContextKind::InvalidValue);
    // The usage, its program name as netplay (clap takes the name the
    // binary was run as), and the command typed, for its --help: the
    // usage's words before the first [OPTIONS], <ARG> or flag.
    let usage = strings(ContextKind::Usage).concat();
    let usage: Vec<&str> =
        usage.trim().strip_prefix("Usage:").unwrap_or(&usage).split_whitespace().skip(1).collect();
    let command = std::iter::once("netplay")
        .chain(usage.iter().copied().take_while(|w| !w.starts_with(['[', '<', '-'])))
        .collect::<Vec<_>>()
        .join(" ");
    let usage = std::iter::once("netplay").chain(usage).collect::<Vec<_>>().join(" ");
    // The command's --help, when clap says which command it was; a bad
    // value's own sentence says what to use.
    let more = (usage != "netplay").then(|| msg!("clap-more", command = command));
    // The command that does what was meant ([`usage_tip`]): already in
    // the reader's words, its values quoted for a shell.
    let tip = strings(ContextKind::Suggested).first().map(|tip| msg!("clap-tip", tip = tip.trim()));
    let (head, hint) = match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return None;
        }
        ErrorKind::InvalidValue if value.is_empty() => (msg!("clap-value-required", arg = arg), more),
        ErrorKind::InvalidValue => {
            let valid = strings(ContextKind::ValidValue);
            let hint = match valid.is_empty() {
                true => more,
                false => Some(msg!("clap-possible-values", values = valid.join(", "))),
            };
            (msg!("clap-invalid-value", value = value, arg = arg), hint)
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(err).map(|e| e.to_string()).unwrap_or_default();
            (msg!("clap-value-validation", value = value, arg = arg, why = why), None)
        }
        ErrorKind::UnknownArgument => {
            let hint = match (tip, strings(ContextKind::SuggestedArg).first()) {
                (Some(tip), _) => Some(tip),
                (None, Some(similar)) => Some(msg!("clap-tip-argument", arg = similar)),
                (None, None) => more,
            };
            (msg!("clap-unknown-argument", arg = arg), hint)
        }
        ErrorKind::ArgumentConflict => {
            (msg!("clap-conflict", arg = arg, prior = typed(ContextKind::PriorArg)), more)
        }
        ErrorKind::MissingRequiredArgument => {
            let hint = match usage == "netplay" {
                true => more,
                false => Some(msg!("clap-usage", usage = usage)),
            };
            (msg!("clap-missing", args = strings(ContextKind::InvalidArg).join(" ")), hint)
        }
        ErrorKind::InvalidSubcommand => match strings(ContextKind::InvalidSubcommand).first() {
            Some(word) => {
                let hint = match (tip, strings(ContextKind::SuggestedSubcommand).first()) {
                    (Some(tip), _) => Some(tip),
                    (None, Some(similar)) => Some(msg!("clap-tip-subcommand", word = similar)),
                    (None, None) => more,
                };
                (msg!("clap-invalid-subcommand", word = hexdump::shown_text(word.as_bytes())), hint)
            }
            // netplay's own (`netplay serve`): already in the reader's
            // words, and it says what to try.
            None => return Some(Msg::text(clap_first_line(err))),
        },
        _ => (msg!("clap-error", what = clap_first_line(err)), more),
    };
    Some(match hint {
        Some(hint) => msg!("error-with-hint", error = head, hint = hint),
        None => head,
    })
}

/// The first line of clap's own text for an error, without its `error: `.
fn clap_first_line(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
}

/// `netplay connect ...`: the subcommand needs its protocol first.
/// `--lang fr` or `--lang=fr`, wherever it stands, read before clap so
/// that a bad command line is told in the language asked for. A value
/// clap would refuse is left for clap to refuse.
fn lang_asked(args: &[OsString]) -> Option<Lang> {
    let mut words = args.iter().map(|a| a.to_str().unwrap_or(""));
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--lang") {
            Some("") => words.next().unwrap_or(""),
            Some(rest) => match rest.strip_prefix('=') {
                Some(value) => value,
                None => continue,
            },
            None => continue,
        };
        return LangArg::from_str(value, true).ok().map(Lang::from);
    }
    None
}

fn missing_protocol(args: &[OsString]) -> Option<Msg> {
    // The first word that is not a flag (or a global flag's value).
    let words: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
    let mut at = 0;
    let first = loop {
        let word = *words.get(at)?;
        match word {
            w if GLOBAL_WITH_VALUE.contains(&w) => at += 1,
            w if w.starts_with('-') => {}
            w => break w,
        }
        at += 1;
    };
    let (tcp, udp): (&[&str], &[&str]) = match first {
        "serve" | "listen" => (&["tcp", "serve"], &["udp", "serve"]),
        "connect" => (&["tcp", "connect"], &["udp", "send", "--connect"]),
        "send" => (&["tcp", "connect"], &["udp", "send"]),
        "bench" => (&["tcp", "bench"], &["udp", "bench"]),
        _ => return None,
    };
    // The whole command line, the protocol put in: pasted, it runs.
    let whole = |sub: &[&str]| {
        let mut new: Vec<&str> = vec!["netplay"];
        new.extend(&words[..at]);
        new.extend(sub);
        new.extend(&words[at + 1..]);
        exit::shell_command(&new)
    };
    Some(msg!("usage-needs-protocol", first = first, tcp = whole(tcp), udp = whole(udp)))
}

/// A whole number from `low` to `high`; an error names the range (clap
/// names the flag and the value before it).
fn whole_in(text: &str, low: i64, high: i64) -> Result<i64, Msg> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(msg!("usage-not-whole", low = low, high = high));
    }
    match trimmed.parse::<i64>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err(msg!("usage-out-of-range", low = low, high = high)),
    }
}

/// --columns: 20 (what a line needs at least) to 65535.
fn columns_arg(text: &str) -> Result<u16, Msg> {
    Ok(whole_in(text, 20, u16::MAX.into())? as u16)
}

/// --backlog: listen()'s int, not negative (the system caps it anyway).
fn backlog_arg(text: &str) -> Result<i32, Msg> {
    Ok(whole_in(text, 0, i32::MAX.into())? as i32)
}

/// --max-conns: 1 client at least; more than the open files a process may
/// have is already more than it can hold.
fn max_conns_arg(text: &str) -> Result<u64, Msg> {
    Ok(whole_in(text, 1, i64::from(u32::MAX))? as u64)
}

fn port_arg(text: &str) -> Result<u16, Msg> {
    if text.starts_with("ort") {
        // `-port 12345` is read as -p with the value "ort".
        return Err(msg!("usage-one-dash-port", text = crate::hexdump::shown_text(text.as_bytes())));
    }
    addr::parse_port(text)
}

/// The longest wait any flag takes: longer than any sensible wait, far
/// from where the clock's arithmetic overflows.
const LONGEST: Duration = Duration::from_secs(7 * 24 * 3600);

/// A timeout (--idle-timeout, --timeout): 1ms to 7 days (0 would give up
/// before starting; the OS refuses a zero socket timeout).
fn timeout_arg(text: &str) -> Result<Duration, Msg> {
    units::parse_duration_in(text, Duration::from_millis(1)..=LONGEST)
}

/// A pause or a wait (--interval, --wait): 0 to 7 days.
fn pause_arg(text: &str) -> Result<Duration, Msg> {
    units::parse_duration_in(text, Duration::ZERO..=LONGEST)
}

/// A benchmark's length: 1ms to 24h, iperf3's own limit.
fn bench_time_arg(text: &str) -> Result<Duration, Msg> {
    units::parse_duration_in(text, Duration::from_millis(1)..=Duration::from_secs(24 * 3600))
}

/// The demo's netem delay: 0 to 1s; its exchanges wait 10s at most, and a
/// TCP exchange takes several round trips.
fn delay_arg(text: &str) -> Result<Duration, Msg> {
    const MAX: Duration = Duration::from_secs(1);
    let delay = match text.trim().parse::<u64>() {
        Ok(ms) => Duration::from_millis(ms),
        Err(_) => units::parse_duration(text).map_err(|_| {
            msg!("usage-delay-bad", text = crate::hexdump::shown_text(text.trim().as_bytes()))
        })?,
    };
    match delay {
        delay if delay <= MAX => Ok(delay),
        _ => Err(msg!("usage-delay-too-long", text = crate::hexdump::shown_text(text.trim().as_bytes()))),
    }
}

fn rule_arg(text: &str) -> Result<Rule, Msg> {
    access::parse_rule(text).map_err(Msg::text)
}

/// Queue sizes from 1 byte to 1 GiB.
fn queue_arg(text: &str) -> Result<usize, Msg> {
    match units::parse_size_in(text, 1..=1 << 30) {
        Ok(n) => Ok(n as usize),
        Err(_) if units::parse_size(text) == Ok(0) => Err(msg!("usage-queue-zero")),
        Err(e) => Err(e),
    }
}

/// A benchmark's amount of bytes: 1 or more.
fn bytes_arg(text: &str) -> Result<u64, Msg> {
    units::parse_size_in(text, 1..=u64::MAX)
}

fn count_arg(text: &str) -> Result<u64, Msg> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err(msg!("usage-count-zero")),
        Ok(n) => Ok(n),
        Err(_) => Err(msg!("usage-count-bad", text = crate::hexdump::shown_text(text.as_bytes()))),
    }
}

fn size_arg(text: &str) -> Result<u64, Msg> {
    units::parse_size(text)
}

fn rate_arg(text: &str) -> Result<u64, Msg> {
    units::parse_rate(text)
}

fn percent_arg(text: &str) -> Result<f64, Msg> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(msg!("usage-percent-bad", text = crate::hexdump::shown_text(text.as_bytes()))),
    }
}

/// A message: its text as UTF-8, or the bytes of a Python bytes literal.
fn message_arg(text: &str) -> Result<Vec<u8>, Msg> {
    match crate::python::bytes_literal(text) {
        None => Ok(text.as_bytes().to_vec()),
        Some(Ok(bytes)) => Ok(bytes),
        Some(Err(why)) => {
            Err(msg!("usage-bytes-literal", text = crate::hexdump::shown_text(text.as_bytes()), why = why))
        }
    }
}

/// A --reply: read as -m reads a message.
fn reply_arg(text: &str) -> Result<Bytes, Msg> {
    message_arg(text).map(Bytes::from)
}

fn reply_hex_arg(text: &str) -> Result<Bytes, Msg> {
    hex_arg(text).map(Bytes::from)
}

fn hex_arg(text: &str) -> Result<Vec<u8>, Msg> {
    input::parse_hex(text)
}

fn width_arg(text: &str) -> Result<usize, Msg> {
    match text.trim().parse() {
        Ok(width) if hexdump::WIDTHS.contains(&width) => Ok(width),
        _ => Err(msg!("usage-width-bad", text = crate::hexdump::shown_text(text.as_bytes()))),
    }
}

/// A struct format that decodes at least one byte.
fn decode_arg(text: &str) -> Result<Format, Msg> {
    let format: Format = text.parse().map_err(|e: FormatError| Msg::text(e.to_string()))?;
    if format.size() == 0 {
        return Err(msg!("usage-decode-empty", text = crate::hexdump::shown_text(text.as_bytes())));
    }
    Ok(format)
}

/// Answers a second to one peer: 0 (no limit) to a million.
fn answer_rate_arg(text: &str) -> Result<u32, Msg> {
    const MAX: u32 = 1_000_000;
    match text.trim().parse::<u32>() {
        Ok(n) if n <= MAX => Ok(n),
        _ => {
            Err(msg!("usage-answer-rate-bad", text = crate::hexdump::shown_text(text.as_bytes()), max = MAX))
        }
    }
}

/// A receive buffer from 1 byte (the kernel raises it to its minimum) to
/// 1 GiB (the kernel caps it at net.core.rmem_max anyway; the option is a
/// C int, so 4 GiB would wrap to 0).
fn rcvbuf_arg(text: &str) -> Result<usize, Msg> {
    Ok(units::parse_size_in(text, 1..=1 << 30)? as usize)
}

/// Receive sizes from 1 byte (to watch a stream arrive byte by byte) to 16 MiB.
fn recv_size_arg(text: &str) -> Result<usize, Msg> {
    match units::parse_size_in(text, 1..=16 << 20) {
        Ok(n) => Ok(n as usize),
        Err(_) if units::parse_size(text) == Ok(0) => Err(msg!("usage-recv-size-zero")),
        Err(e) => Err(e),
    }
}

/// Send sizes, as receive sizes: 1 byte to 16 MiB.
fn send_size_arg(text: &str) -> Result<usize, Msg> {
    match units::parse_size_in(text, 1..=16 << 20) {
        Ok(n) => Ok(n as usize),
        Err(_) if units::parse_size(text) == Ok(0) => Err(msg!("usage-send-size-zero")),
        Err(e) => Err(e),
    }
}

impl Cli {
    /// Validates the arguments into what the library runs.
    pub fn into_run(self) -> Result<Run> {
        let output = self.output;
        let renderer = output.hex_renderer.resolve()?;
        let mut notices = Vec::new();
        let (job, recv_size) = match self.command {
            _ if self.legend => (Job::Legend, 0),
            None => {
                return Err(UsageError(msg!("usage-no-command")).into());
            }
            Some(Command::Tcp(TcpCommand::Serve(args))) => {
                let recv_size = args.bind.recv_size;
                if args.reuse_addr {
                    notices.push(crate::msg!("notice-reuse-addr-default"));
                }
                if output.raw && !args.broadcast && !args.once && !args.sequential {
                    notices.push(crate::msg!("notice-raw-in-turn"));
                }
                (Job::TcpServe(args.into_config(output.raw, output.direct())?), recv_size)
            }
            Some(Command::Tcp(TcpCommand::Connect(args))) => {
                let recv_size = args.recv_size;
                (Job::TcpConnect(args.into_config(output.direct())?), recv_size)
            }
            Some(Command::Hex(args)) => {
                if output.json || output.raw {
                    return Err(UsageError(msg!("usage-hex-json-raw")).into());
                }
                (Job::Hex(args.into_config(output.decode.clone(), renderer)), 0)
            }
            Some(Command::Udp(UdpCommand::Serve(args))) => {
                let recv_size = args.bind.recv_size;
                (Job::UdpServe(args.into_config(output.raw)?), recv_size)
            }
            Some(Command::Udp(UdpCommand::Send(args))) => {
                let recv_size = args.recv_size;
                (Job::UdpSend(args.into_config(output.raw)?), recv_size)
            }
            Some(Command::Tcp(TcpCommand::Bench(args))) => {
                let recv_size = args.recv_size;
                (Job::TcpBench(args.into_config()?), recv_size)
            }
            Some(Command::Udp(UdpCommand::Bench(args))) => (Job::UdpBench(args.into_config()?), 65_536),
            Some(Command::Completions(args)) => (Job::Print(completions(args.shell)), 0),
            Some(Command::Nc(stub)) => return nc::run_of(stub.args, output, renderer),
            Some(Command::Man) => (Job::Print(manual()?), 0),
            Some(Command::Demo(args)) => {
                if output.raw {
                    return Err(UsageError(msg!("usage-demo-raw")).into());
                }
                (Job::Demo(args.into_config()), crate::demo::RECV_SIZE)
            }
        };
        let picture = output.picture();
        let packets = PacketsConfig {
            show: output.packets,
            pcap: output.pcap.clone(),
            tcp_info: output.packets || output.explain || output.json || picture.wanted(),
        };
        let job = job.with_packets(packets)?;
        if picture.wanted() && !job.draws_picture() {
            return Err(UsageError(msg!("usage-html-where")).into());
        }
        Ok(Run { job, output: output.into_config(recv_size, renderer), notices })
    }
}

/// The completion script for `shell`, from the clap definitions.
fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command_in(Lang::En), "netplay", &mut script);
    script
}

/// The manual page, netplay(1), from the clap definitions: the top
/// command's name, synopsis and options, a section for each subcommand with
/// its own options (the global ones are said once, at the top), then the
/// hex dump's legend and the exit codes.
fn manual() -> Result<Vec<u8>> {
    let mut top = localize(Cli::command(), Lang::En, "");
    top.build();
    let man = clap_mangen::Man::new(top.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let global: Vec<String> =
        top.get_arguments().filter(|a| a.is_global_set()).map(|a| a.get_id().to_string()).collect();
    let mut leaves = Vec::new();
    for sub in top.get_subcommands().filter(|s| s.get_name() != "help") {
        match sub.has_subcommands() {
            true => leaves.extend(
                sub.get_subcommands()
                    .filter(|s| s.get_name() != "help")
                    .map(|leaf| (format!("{} {}", sub.get_name(), leaf.get_name()), leaf)),
            ),
            false => leaves.push((sub.get_name().to_string(), sub)),
        }
    }
    for (name, leaf) in leaves {
        let mut leaf = leaf.clone();
        for id in global.iter().map(String::as_str).chain(["help"]) {
            if leaf.get_arguments().any(|a| a.get_id() == id) {
                leaf = leaf.mut_arg(id, |a| a.hide(true));
            }
        }
        page.extend(format!(".SH \"NETPLAY {}\"\n", name.to_uppercase()).as_bytes());
        if let Some(about) = leaf.get_long_about().or(leaf.get_about()) {
            page.extend(format!(".PP\n{}\n", roff_text(&about.to_string())).as_bytes());
        }
        let mut options = Vec::new();
        clap_mangen::Man::new(leaf).render_options_section(&mut options)?;
        // Its headings become sub-headings of this section.
        page.extend(String::from_utf8_lossy(&options).replace(".SH ", ".SS ").as_bytes());
    }
    for (heading, text) in
        [("HEX DUMP", crate::report::legend::legend(false)), ("EXIT STATUS", exit::table())]
    {
        page.extend(format!(".SH \"{heading}\"\n.nf\n{}\n.fi\n", roff_text(text.trim_end())).as_bytes());
    }
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// Text as roff reads it: a backslash is \e, and a line may not start with
/// a dot or a quote.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\e")
        .lines()
        .map(|line| if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

impl OutputArgs {
    /// Nothing shown needs the payload's bytes in our memory: --raw writes
    /// them unchanged, no --decode reads them, and no capture (--packets,
    /// --pcap) shows the run's packets beside its calls. They may then go
    /// straight between the socket and stdin/stdout (tcp::direct).
    fn direct(&self) -> bool {
        self.raw && self.decode.is_none() && !self.packets && self.pcap.is_none() && !self.picture().wanted()
    }

    /// `--html`, `--svg`.
    fn picture(&self) -> PictureSpec {
        PictureSpec { html: self.html.clone(), svg: self.svg.clone() }
    }

    fn into_config(self, recv_size: usize, renderer: Renderer) -> OutputConfig {
        OutputConfig {
            mode: if self.json {
                Mode::Json
            } else if self.raw {
                Mode::Raw
            } else {
                Mode::Human
            },
            color: match self.color {
                ColorArg::Auto => ColorChoice::Auto,
                ColorArg::Always => ColorChoice::Always,
                ColorArg::Never => ColorChoice::Never,
            },
            explain: self.explain,
            quiet: self.quiet,
            dump: Layout::default(),
            renderer,
            recv_size,
            decode: self.decode,
            columns: self.columns.map(usize::from),
            lang: self.lang.map(Lang::from).unwrap_or_else(crate::i18n::current),
            picture: PictureSpec { html: self.html, svg: self.svg },
            raw_dumps: false,
        }
    }
}

impl FamilyArgs {
    fn family(&self) -> Option<Family> {
        match (self.ipv4, self.ipv6) {
            (true, _) => Some(Family::V4),
            (_, true) => Some(Family::V6),
            _ => None,
        }
    }
}

impl BindArgs {
    /// The address to bind: --host resolved (a name is allowed), in the
    /// family of -4/-6, on --port.
    fn address(&self) -> Result<SocketAddr> {
        let family = self.family.family();
        let host = match (&self.host, family) {
            (Some(host), _) => host.as_str(),
            (None, Some(Family::V6)) => "::1",
            (None, _) => "127.0.0.1",
        };
        flag_host("--host", host)?;
        let addr = addr::resolve(host, self.port_given.unwrap_or(self.port), family)?[0];
        if self.v6only.is_some() && addr.is_ipv4() {
            return Err(UsageError(msg!("usage-v6only-ipv4", ip = addr.ip())).into());
        }
        Ok(addr)
    }

    /// The options before bind; SO_REUSEADDR is set (Some(true)), shown
    /// as left off (Some(false)), or not mentioned (None).
    fn options(&self, reuse_addr: Option<bool>) -> SocketOptions {
        SocketOptions {
            reuse_addr,
            reuse_port: self.reuse_port,
            v6only: self.v6only,
            recv_buffer: None,
            send_buffer: None,
        }
    }
}

impl TcpServeArgs {
    fn into_config(self, raw: bool, direct: bool) -> Result<ServeConfig> {
        let reuse_addr = !self.no_reuse_addr && crate::sys::reuse::TCP_SERVER_DEFAULT;
        let script = script_arg(self.script.as_deref(), Transport::Stream)?;
        Ok(ServeConfig {
            packets: PacketsConfig::default(),
            addr: self.bind.address()?,
            options: self.bind.options(Some(reuse_addr)),
            backlog: self.backlog,
            recv_size: self.bind.recv_size,
            echo: self.echo,
            reply: reply_bytes(self.reply, self.reply_hex, self.reply_file.as_deref())?,
            reply_once: self.reply_once,
            once: self.once,
            // A script's clients get the script's bytes, nobody's typing.
            stdin: match (script.is_some(), raw) {
                (true, _) => StdinMode::Off,
                (false, true) => StdinMode::Raw,
                (false, false) => StdinMode::Lines,
            },
            half_close: self.half_close.into_config(),
            crlf: false,
            quit_after: None,
            queue_limit: self.queue,
            slow: match self.slow {
                SlowArg::Wait => SlowPolicy::Wait,
                SlowArg::Disconnect => SlowPolicy::Disconnect,
                SlowArg::Drop => SlowPolicy::Drop,
            },
            stall_timeout: self.stall_timeout,
            accept_delay: self.accept_delay,
            // Raw bytes of two clients never mix in one stdout: they are
            // served in turn, as `nc -lk` does (a relay is --broadcast's).
            sequential: self.sequential || (raw && !self.broadcast && !self.once && script.is_none()),
            broadcast: self.broadcast,
            max_conns: self.max_conns.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            idle_timeout: self.idle_timeout,
            access: Access { allow: self.allow, deny: self.deny },
            direct: direct && script.is_none(),
            owns_process: true,
            script,
            step_timeout: self.step_timeout.unwrap_or(crate::script::DEFAULT_TIMEOUT),
        })
    }
}

impl HexArgs {
    fn into_config(self, decode: Option<Format>, renderer: Renderer) -> HexConfig {
        let source = match self.file {
            Some(path) if path.as_os_str() != "-" => Source::File(path),
            _ => Source::Stdin,
        };
        HexConfig {
            source,
            skip: self.skip,
            length: self.length,
            layout: Layout { width: self.width, squeeze: !self.no_squeeze },
            renderer,
            decode,
            columns: None,
        }
    }
}

impl InputArgs {
    fn into_input(self) -> Input {
        if let Some(path) = self.file {
            Input::File(path)
        } else if !self.messages.is_empty() {
            Input::Messages(self.messages)
        } else if !self.hex.is_empty() {
            Input::Messages(self.hex)
        } else {
            Input::Stdin
        }
    }
}

/// `--script FILE`, read and checked now, before any socket: a mistake in
/// it is a usage error (exit 2) with its file, line and column.
fn script_arg(path: Option<&std::path::Path>, transport: Transport) -> Result<Option<Arc<Script>>> {
    let Some(path) = path else { return Ok(None) };
    let name = hexdump::shown_os(path.as_os_str());
    let source = std::fs::read_to_string(path).with_context(|| msg!("script-read", file = name.as_str()))?;
    let script = crate::script::parse(&name, &source, transport).map_err(|e| UsageError(e.message()))?;
    Ok(Some(Arc::new(script)))
}

/// An address flag (--host, --bind) given a port too: the flag for the
/// port is named. Other hosts that cannot be one are refused by
/// [`addr::resolve`], before any lookup.
fn flag_host(flag: &'static str, host: &str) -> Result<(), UsageError> {
    let ip = match host.parse::<SocketAddr>() {
        Ok(addr) => addr.ip().to_string(),
        Err(_) => match host.rsplit_once(':') {
            Some((ip, port))
                if !ip.contains(':') && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) =>
            {
                ip.to_string()
            }
            _ => return Ok(()),
        },
    };
    let (host, ip) = (hexdump::shown_text(host.as_bytes()), hexdump::shown_text(ip.as_bytes()));
    Err(UsageError(match flag {
        "--bind" => msg!("usage-bind-with-port", host = host, ip = ip),
        _ => msg!("usage-host-with-port", host = host, ip = ip),
    }))
}

/// The reply of --reply, --reply-hex or --reply-file (read now: a file that
/// cannot be read fails before the server starts).
fn reply_bytes(
    text: Option<Bytes>,
    hex: Option<Bytes>,
    file: Option<&std::path::Path>,
) -> Result<Option<Bytes>> {
    if let Some(path) = file {
        return Ok(Some(input::read_reply_file(path)?.into()));
    }
    Ok(text.or(hex))
}

/// A client's local address from --bind and --source-port, if either is
/// given.
fn client_bind(
    bind: Option<&str>,
    source_port: Option<u16>,
    family: Option<Family>,
    target: &Target,
) -> Result<Option<SocketAddr>> {
    Ok(match (bind, source_port) {
        (None, None) => None,
        (Some(host), port) => {
            flag_host("--bind", host)?;
            Some(addr::resolve(host, port.unwrap_or(0), family)?[0])
        }
        (None, Some(port)) => {
            // Bind the wildcard of the family the target will use.
            let v6 = family == Some(Family::V6) || target.host.contains(':');
            let ip: std::net::IpAddr = if v6 { "::".parse()? } else { "0.0.0.0".parse()? };
            Some(SocketAddr::new(ip, port))
        }
    })
}

impl TcpConnectArgs {
    fn into_config(self, direct: bool) -> Result<ConnectConfig> {
        let target = Target::parse(&self.host, self.port.as_deref()).map_err(UsageError)?;
        let family = self.family.family();
        let bind = client_bind(self.bind.as_deref(), self.source_port, family, &target)?;
        let script = script_arg(self.script.as_deref(), Transport::Stream)?;
        Ok(ConnectConfig {
            packets: PacketsConfig::default(),
            target,
            family,
            input: self.input.into_input(),
            bind,
            timeout: self.timeout,
            recv_size: self.recv_size,
            half_close: self.half_close.into_config(),
            crlf: false,
            options: SocketOptions::default(),
            direct: direct && script.is_none(),
            script,
        })
    }
}

impl UdpServeArgs {
    /// `raw`: stdin goes to the last sender, as with nc -u -l, unless the
    /// server answers by itself (--echo, --reply, --script).
    fn into_config(self, raw: bool) -> Result<UdpServeConfig> {
        let script = script_arg(self.script.as_deref(), Transport::Datagram)?;
        let reply = reply_bytes(self.reply, self.reply_hex, self.reply_file.as_deref())?.map(Vec::from);
        let send_stdin = raw && !self.echo && reply.is_none() && script.is_none();
        Ok(UdpServeConfig {
            packets: PacketsConfig::default(),
            addr: self.bind.address()?,
            options: SocketOptions {
                recv_buffer: self.rcvbuf,
                ..self.bind.options(self.reuse_addr.then_some(true))
            },
            recv_size: self.bind.recv_size,
            echo: self.echo,
            reply,
            limit: self.once.then_some(1),
            idle: None,
            idle_after_first: false,
            first_peer: false,
            send_stdin,
            crlf: false,
            quit_after: None,
            answers: AnswerPolicy {
                rate: self.answer_rate,
                access: Access { allow: self.allow, deny: self.deny },
            },
            script,
            step_timeout: self.step_timeout.unwrap_or(crate::script::DEFAULT_TIMEOUT),
        })
    }
}

impl UdpSendArgs {
    fn into_config(self, raw: bool) -> Result<SendConfig> {
        let target = Target::parse(&self.host, self.port.as_deref()).map_err(UsageError)?;
        let family = self.family.family();
        let bind = client_bind(self.bind.as_deref(), self.source_port, family, &target)?;
        let input = self.input.into_input();
        let script = script_arg(self.script.as_deref(), Transport::Datagram)?;
        if input == Input::Stdin && !self.stdin_datagram && self.count > 1 {
            return Err(UsageError(msg!("usage-count-stdin", count = self.count)).into());
        }
        Ok(SendConfig {
            packets: PacketsConfig::default(),
            target,
            family,
            input,
            stdin: match (self.stdin_datagram, raw) {
                (true, _) => StdinDatagrams::Whole,
                (false, true) => StdinDatagrams::Reads,
                (false, false) => StdinDatagrams::Lines,
            },
            count: self.count,
            interval: self.interval,
            wait: self.wait.unwrap_or_default(),
            idle: None,
            crlf: false,
            connect: self.connect,
            bind,
            recv_size: self.recv_size,
            replies: None,
            script,
        })
    }
}

impl DemoArgs {
    fn into_config(self) -> DemoConfig {
        let impair = (self.loss.is_some() || self.delay.is_some()).then(|| Impair {
            loss_percent: self.loss.unwrap_or(0.0),
            delay: self.delay.unwrap_or_default(),
        });
        DemoConfig {
            impair,
            pause: if self.step { Pause::OnEnter } else { Pause::Never },
            packets: PacketsConfig::default(),
        }
    }
}

impl BenchEndArgs {
    fn mode(&self) -> Result<bench::Mode> {
        let family = self.family.family();
        let serve_only = [
            (self.bind_host.is_some(), "--host"),
            (self.port_number.is_some(), "--port"),
            (self.once, "--once"),
        ];
        if let Some((_, flag)) = serve_only.iter().find(|(given, _)| *given).filter(|_| !self.serve) {
            return Err(UsageError(msg!("usage-bench-serve-only", flag = *flag)).into());
        }
        if self.host.is_none() && !self.serve && !self.local {
            return Err(UsageError(msg!("usage-bench-which-end")).into());
        }
        if self.local {
            return Ok(bench::Mode::Local { family: family.unwrap_or(Family::V4) });
        }
        if self.serve {
            let host = match (&self.bind_host, family) {
                (Some(host), _) => host.as_str(),
                (None, Some(Family::V6)) => "::1",
                (None, _) => "127.0.0.1",
            };
            flag_host("--host", host)?;
            let addr = addr::resolve(host, self.port_number.unwrap_or(12345), family)?[0];
            return Ok(bench::Mode::Serve { addr, options: SocketOptions::default(), once: self.once });
        }
        let host = self.host.as_deref().unwrap_or_default();
        let target = Target::parse(host, self.port.as_deref()).map_err(UsageError)?;
        Ok(bench::Mode::Send { target, family })
    }

    /// A time, or else `amount` (bytes or datagrams), or else 10 s.
    fn limit(&self, amount: Option<u64>) -> Limit {
        match (amount, self.time) {
            (Some(n), _) => Limit::Amount(n),
            (None, Some(time)) => Limit::Time(time),
            (None, None) => Limit::Time(Duration::from_secs(10)),
        }
    }
}

impl TcpBenchArgs {
    fn into_config(self) -> Result<TcpBenchConfig> {
        let mut mode = self.end.mode()?;
        // A TCP server, restarted on its fixed port: SO_REUSEADDR, as iperf3.
        if let bench::Mode::Serve { options, .. } = &mut mode {
            options.reuse_addr = Some(crate::sys::reuse::TCP_SERVER_DEFAULT);
        }
        Ok(TcpBenchConfig {
            mode,
            limit: self.end.limit(self.bytes),
            size: self.size,
            recv_size: self.recv_size,
            progress: false,
        })
    }
}

impl UdpBenchArgs {
    fn into_config(self) -> Result<UdpBenchConfig> {
        let max = crate::udp::max_datagram(self.end.family.family().unwrap_or(Family::V4)) as u64;
        if self.size < udp_bench::HEADER as u64 || self.size > max {
            return Err(UsageError(msg!(
                "usage-bench-size",
                size = self.size,
                header = udp_bench::HEADER,
                max = max
            ))
            .into());
        }
        Ok(UdpBenchConfig {
            mode: self.end.mode()?,
            limit: self.end.limit(self.count),
            size: self.size as usize,
            rate: self.rate,
            offload: !self.no_offload,
            progress: false,
        })
    }
}

#[cfg(test)]
mod help_tests {
    use super::*;

    /// Every subcommand's summary and every flag's help, by path.
    fn texts(command: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
        out.push((format!("about {path}"), command.get_about().map(|a| a.to_string()).unwrap_or_default()));
        if path != "netplay" {
            let examples = command.get_after_help().map(|a| a.to_string()).unwrap_or_default();
            out.push((format!("examples {path}"), examples));
        }
        for arg in command.get_arguments() {
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push((format!("{path} --{}", arg.get_id()), help));
        }
        for sub in command.get_subcommands() {
            texts(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    /// The doc comments of the clap definitions are the English catalogue's
    /// help texts, word for word: whoever edits one sees the other.
    #[test]
    fn the_doc_comments_are_the_english_catalogue() {
        let (mut code, mut catalogue) = (Vec::new(), Vec::new());
        texts(&Cli::command(), "netplay", &mut code);
        texts(&command_in(Lang::En), "netplay", &mut catalogue);
        assert_eq!(code.len(), catalogue.len());
        for ((what, from_code), (_, from_catalogue)) in code.iter().zip(&catalogue) {
            assert!(
                !from_catalogue.is_empty() || what.starts_with("examples"),
                "{what} has no help in the catalogue"
            );
            assert_eq!(from_code, from_catalogue, "{what}: the doc comment and locales/en differ");
        }
    }

    /// In French, every flag and subcommand has its own text, none left in
    /// English.
    #[test]
    fn every_help_text_is_in_french() {
        let (mut en, mut fr) = (Vec::new(), Vec::new());
        texts(&command_in(Lang::En), "netplay", &mut en);
        texts(&command_in(Lang::Fr), "netplay", &mut fr);
        let fr: std::collections::HashMap<_, _> = fr.into_iter().collect();
        for (what, english) in
            en.into_iter().filter(|(what, text)| !(what.starts_with("examples") && text.is_empty()))
        {
            let french = fr.get(&what).unwrap_or_else(|| panic!("{what} is not in the French help"));
            assert!(!french.is_empty() && french != &english, "{what}: {french:?}");
        }
    }
}

#[cfg(test)]
mod renderer_tests {
    use super::*;

    #[test]
    fn the_renderer_asked_for_runs_or_is_refused() {
        // `avx512` says whether the CPU runs the AVX-512 renderer; the
        // portable one runs everywhere.
        let cpu = |avx512: bool| move |renderer: Renderer| renderer == Renderer::Portable || avx512;
        for (asked, avx512, given) in [
            (RendererArg::Auto, true, Renderer::Avx512),
            (RendererArg::Auto, false, Renderer::Portable),
            (RendererArg::Avx512, true, Renderer::Avx512),
            (RendererArg::Portable, true, Renderer::Portable),
            (RendererArg::Portable, false, Renderer::Portable),
        ] {
            assert_eq!(asked.resolve_with(cpu(avx512)).unwrap(), given, "{asked:?}, AVX-512 {avx512}");
        }
        let UsageError(refused) = RendererArg::Avx512.resolve_with(cpu(false)).unwrap_err();
        let line = refused.render(Lang::En);
        assert!(line.contains("cannot run the avx512 hex dump renderer"), "{line}");
    }
}
