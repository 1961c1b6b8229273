//! The command line as clap reads it: every subcommand and flag, with the
//! doc comment `--help` shows in English (the catalogues hold every language).

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use clap::{Args, Parser, Subcommand, ValueEnum};

use super::values::{
    answer_rate_arg, backlog_arg, bench_time_arg, bytes_arg, columns_arg, count_arg, decode_arg, delay_arg,
    hex_arg, max_conns_arg, message_arg, pause_arg, percent_arg, port_arg, queue_arg, rate_arg, rcvbuf_arg,
    recv_size_arg, reply_arg, reply_hex_arg, rule_arg, send_size_arg, size_arg, timeout_arg, width_arg,
};
use crate::config::udp::DEFAULT_ANSWER_RATE;
use crate::decode::Format;
use crate::net::access::Rule;

/// See every socket step and every byte: a TCP/UDP playground and a
/// netcat-class tool.
#[derive(Debug, Parser)]
#[command(name = "netplay", version, max_term_width = 100, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) output: OutputArgs,

    /// Print the colours and glyphs of the hex dump, and exit.
    #[arg(long)]
    pub(crate) legend: bool,

    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

impl Cli {
    /// `--columns`: the width the run's last line (an error) is fitted to.
    pub fn columns(&self) -> Option<usize> {
        self.output.columns.map(usize::from)
    }
}

pub(super) const OUTPUT: &str = "Output (before or after the subcommand)";

/// Options that shape output; accepted before or after the subcommand.
#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// When to colour: auto (on a terminal, unless NO_COLOR is set, CLICOLOR=0 or TERM=dumb;
    /// CLICOLOR_FORCE=1 colours a pipe too), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN", help_heading = OUTPUT)]
    pub(crate) color: ColorArg,

    /// One JSON object per line per event on stdout (see docs/json-events.md).
    #[arg(long, global = true, conflicts_with = "raw", help_heading = OUTPUT)]
    pub(crate) json: bool,

    /// Write only the received payload to stdout, unchanged, like nc. Unlike nc, the socket steps
    /// and notes still go to stderr (-q: errors only). tcp serve serves clients in turn, udp send
    /// sends stdin unchanged, a datagram per read, and udp serve sends it so to the sender of the
    /// last datagram, reading it only once one has come, as nc -u -l does (not with --echo,
    /// --reply or --script).
    #[arg(long, global = true, help_heading = OUTPUT)]
    pub(crate) raw: bool,

    /// Under each socket step, the Python line of the course and what it does.
    #[arg(long, global = true, help_heading = OUTPUT)]
    pub(crate) explain: bool,

    /// Under the socket steps, the packets they put on the wire (SYN, ACK, FIN, RST, ICMP), as a
    /// ladder between client and server; with --json, `packet` events. Linux, with CAP_NET_RAW.
    #[arg(long, global = true, help_heading = OUTPUT)]
    pub(crate) packets: bool,

    /// Write the packets of the run, whole, to FILE as pcap (tcpdump -r FILE, Wireshark).
    #[arg(long, global = true, value_name = "FILE", help_heading = OUTPUT)]
    pub(crate) pcap: Option<PathBuf>,

    /// When the run ends, and every second while it runs, write the session to FILE as one HTML
    /// page: a sequence diagram of the socket calls (and packets, with --packets), each chunk's hex
    /// dump beside the call that moved it, the Python of each step with --explain. Nothing in it is
    /// fetched from elsewhere.
    #[arg(long, global = true, value_name = "FILE", help_heading = OUTPUT)]
    pub(crate) html: Option<PathBuf>,

    /// Write the sequence diagram alone to FILE as SVG (for slides), when the run ends and every
    /// second while it runs.
    #[arg(long, global = true, value_name = "FILE", help_heading = OUTPUT)]
    pub(crate) svg: Option<PathBuf>,

    /// Only connections, data and errors: no socket steps, no notes (with --raw: errors only).
    #[arg(short, long, global = true, help_heading = OUTPUT)]
    pub(crate) quiet: bool,

    /// Decode bytes with a Python struct format, as struct.unpack does: '>h' reads b'\x01\x02'
    /// as (258,). Live, each chunk or datagram is decoded from its start; `netplay hex` decodes
    /// consecutive records. Codes: x c b B ? h H i I l L q Q e f d s p (n N P native only), after
    /// an optional byte order @ = < > !, with repeat counts like 4s or 3h.
    #[arg(long, global = true, value_name = "FORMAT", value_parser = decode_arg, help_heading = OUTPUT)]
    pub(crate) decode: Option<Format>,

    /// Fit every line in N columns, as in a terminal that wide; a hex dump line keeps 8 bytes at
    /// least (45 columns; 54 in the demo, with its label) (default: the terminal's width; in a
    /// pipe, COLUMNS if set, else whole lines, but --packets lines are cut at 80 columns with …).
    #[arg(long, global = true, value_name = "N", value_parser = columns_arg, help_heading = OUTPUT)]
    pub(crate) columns: Option<u16>,

    /// The language of what people read: en or fr (default: LC_ALL, LC_MESSAGES or LANG; English
    /// unless French). --json and --raw output are the same in every language.
    #[arg(long, global = true, value_enum, ignore_case = true, value_name = "LANG", help_heading = OUTPUT)]
    pub(crate) lang: Option<LangArg>,

    /// The code that draws the hex dump: auto (the fastest this CPU runs), avx512 or portable.
    /// Both draw the same bytes; benchmarks set it (docs/benchmarks.md), so it is not shown.
    #[arg(long, global = true, hide = true, value_enum, default_value_t = RendererArg::Auto,
          env = "NETPLAY_HEX_RENDERER", value_name = "WHICH")]
    pub(crate) hex_renderer: RendererArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RendererArg {
    Auto,
    Avx512,
    Portable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LangArg {
    En,
    Fr,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    #[command(after_help = NC_EXAMPLES)]
    Nc(NcStub),
}

/// `netplay nc WORDS`: the words are nc's, read apart from netplay's own
/// (see cli/nc.rs); clap only lists the subcommand.
#[derive(Debug, Args)]
pub(crate) struct NcStub {
    /// nc's flags and operands: netplay nc -h lists them.
    #[arg(value_name = "NC-ARGS", num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
    pub(crate) args: Vec<OsString>,
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  netplay completions bash > ~/.local/share/bash-completion/completions/netplay
  netplay completions zsh > ~/.zfunc/_netplay          (with fpath+=~/.zfunc before compinit)
  netplay completions fish > ~/.config/fish/completions/netplay.fish
  netplay completions powershell >> $PROFILE";

/// `netplay completions SHELL`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TcpCommand {
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
pub(crate) enum UdpCommand {
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
pub(crate) struct HexArgs {
    /// The file to show; - or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,

    /// Show at most SIZE bytes (sizes like 64, 4K, 1MiB, 0x100).
    #[arg(short = 'n', long, value_name = "SIZE", value_parser = size_arg)]
    pub(crate) length: Option<u64>,

    /// Start SIZE bytes into the input (a seek on a file or device, read and dropped from a pipe);
    /// offsets still count from the input's start. Past the end, nothing shows, one line on
    /// stderr says so, and the exit code is 0.
    #[arg(short, long, value_name = "SIZE", default_value = "0", value_parser = size_arg)]
    pub(crate) skip: u64,

    /// Bytes per line: 8, 16 or 32.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = width_arg)]
    pub(crate) width: usize,

    /// Show every line; by default a run of lines equal to the one above shows as one `*`
    /// (--decode turns squeezing off, so every record shows).
    #[arg(long)]
    pub(crate) no_squeeze: bool,
}

/// Where a server binds, and the socket options before bind.
#[derive(Debug, Args)]
pub(crate) struct BindArgs {
    /// Address to bind: 127.0.0.1 (this machine only; the default), 0.0.0.0 (every IPv4
    /// interface), ::1, :: (every IPv6 interface; also IPv4 when dual-stack).
    #[arg(long, value_name = "ADDR")]
    pub(crate) host: Option<String>,

    /// Port to bind; 0 lets the OS choose, and the port it chose is printed.
    #[arg(short, long, default_value_t = 12345, value_parser = port_arg)]
    pub(crate) port: u16,

    /// The port, as nc -l takes it: `netplay tcp serve 12345` is `--port 12345`.
    #[arg(value_name = "PORT", value_parser = port_arg, conflicts_with = "port")]
    pub(crate) port_given: Option<u16>,

    #[command(flatten)]
    pub(crate) family: FamilyArgs,

    /// Set SO_REUSEPORT before bind: several sockets share one port.
    #[arg(long)]
    pub(crate) reuse_port: bool,

    // The default differs by system: the words are in sys::v6only.
    #[arg(long, value_name = "BOOL", help = crate::sys::v6only::HELP)]
    pub(crate) v6only: Option<bool>,

    /// Bytes asked per recv call, like recv(1024) in the course (UDP: a longer datagram is cut
    /// and the rest discarded). Sizes like 1024, 64K, 1MiB.
    #[arg(long, default_value = "64K", value_name = "SIZE", value_parser = recv_size_arg)]
    pub(crate) recv_size: usize,
}

/// -4 / -6.
#[derive(Debug, Args)]
pub(crate) struct FamilyArgs {
    /// IPv4 only (AF_INET).
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub(crate) ipv4: bool,

    /// IPv6 only (AF_INET6): a client tries only IPv6 addresses; a server's default host
    /// becomes ::1 (which IPv4 clients cannot reach).
    #[arg(short = '6')]
    pub(crate) ipv6: bool,
}

#[derive(Debug, Args)]
pub(crate) struct TcpServeArgs {
    #[command(flatten)]
    pub(crate) bind: BindArgs,

    #[arg(long, help = crate::sys::reuse::NO_REUSE_ADDR_HELP)]
    pub(crate) no_reuse_addr: bool,

    /// SO_REUSEADDR is tcp serve's default now: accepted, and it changes nothing.
    #[arg(long, hide = true, conflicts_with = "no_reuse_addr")]
    pub(crate) reuse_addr: bool,

    /// Length of the queue of connections waiting for accept(), as in listen(5). The system may
    /// cap it (Linux: net.core.somaxconn; macOS: kern.ipc.somaxconn).
    #[arg(long, default_value_t = 1024, value_name = "N", value_parser = backlog_arg, allow_negative_numbers = true)]
    pub(crate) backlog: i32,

    /// Send each chunk received back to its sender.
    #[arg(long)]
    pub(crate) echo: bool,

    /// Send TEXT to a client after each chunk it sends (each recv(), not each message: a 300 KB
    /// request comes in several chunks; see --reply-once), like the course's b"Bonjour client !".
    /// Read as -m reads it: "b'HTTP/1.0 200 OK\r\n\r\n'" is a Python bytes literal.
    #[arg(long, value_name = "TEXT", value_parser = reply_arg)]
    pub(crate) reply: Option<Bytes>,

    /// The reply in hex, as --hex reads it ("48 69 00": three bytes, the last a NUL).
    #[arg(long, value_name = "HEX", value_parser = reply_hex_arg, conflicts_with = "reply")]
    pub(crate) reply_hex: Option<Bytes>,

    /// The reply is the content of this file, any bytes (in UDP, one datagram: a DNS answer).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["reply", "reply_hex"])]
    pub(crate) reply_file: Option<PathBuf>,

    /// Reply once per connection, after the client's first chunk, instead of after each.
    #[arg(long)]
    pub(crate) reply_once: bool,

    /// Serve one connection, then exit (8 if the client reset it). Stdin from a pipe or file
    /// waits for that client and goes to it whole; then --half-close says when the server shuts
    /// down its sending side.
    #[arg(long)]
    pub(crate) once: bool,

    #[command(flatten)]
    pub(crate) half_close: HalfCloseArgs,

    /// Relay each chunk a client sends to every other connected client (a chat, like ncat
    /// --broker); the sender gets it too with --echo. Stdin lines go to all clients.
    #[arg(long, conflicts_with_all = ["reply", "reply_hex", "reply_file"])]
    pub(crate) broadcast: bool,

    /// Serve at most N clients at once; beyond, a new client is accepted and closed at once,
    /// and the reason is reported.
    #[arg(long, value_name = "N", value_parser = max_conns_arg)]
    pub(crate) max_conns: Option<u64>,

    /// Wait DUR before each accept(), as a busy server would: clients wait in the accept queue
    /// meanwhile, shown as it fills (with a small --backlog, past it too).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg)]
    pub(crate) accept_delay: Option<Duration>,

    /// Serve one client at a time, as the course's `while True: accept()` loop does: the next
    /// client waits in the accept queue until the current one is closed. --raw does so unless
    /// --once or --broadcast, as nc -lk does.
    #[arg(long, conflicts_with = "broadcast")]
    pub(crate) sequential: bool,

    /// Close a client that has sent nothing for DUR (30s, 5m; 1ms to 7 days).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg)]
    pub(crate) idle_timeout: Option<Duration>,

    /// Accept only peers in this address block (10.0.0.0/8, ::1, 192.168.1.7); repeatable.
    /// Others are closed at once and reported. An IPv4 block also matches its IPv4-mapped form
    /// (::ffff:a.b.c.d on a dual-stack socket), and the reverse. A link-local block may name its
    /// link: fe80::1%eth0 (or %2, the interface index) matches that address on eth0 only;
    /// without %zone it matches on every link.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub(crate) allow: Vec<Rule>,

    /// Refuse peers in this address block (same forms as --allow); repeatable; wins over
    /// --allow.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub(crate) deny: Vec<Rule>,

    /// Bytes that may wait to be sent to one client (1M, 64K). A client that reads slowly
    /// costs at most this; when it is full, --slow applies.
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = queue_arg)]
    pub(crate) queue: usize,

    /// When a client's queue is full: wait for room (nothing is lost; whoever sends to it goes
    /// at its pace), disconnect it, or drop the message for it and keep it connected.
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = SlowArg::Wait)]
    pub(crate) slow: SlowArg,

    /// Cut a client that takes no data for DUR while others wait on its full queue (or while
    /// it is all that is left to send).
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = timeout_arg)]
    pub(crate) stall_timeout: Duration,

    /// Play the steps of FILE with each client instead of answering: `< BYTES` expects exactly
    /// these bytes, `> BYTES` sends, and more (docs/scripts.md). Each client's verdict is shown;
    /// exit code 9 with --once when the client does not follow it, and at the stop when any did
    /// not. Stdin is not read.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["echo", "reply", "reply_hex", "reply_file", "reply_once", "broadcast", "half_close", "no_shutdown", "idle_timeout", "queue", "slow", "stall_timeout"])]
    pub(crate) script: Option<PathBuf>,

    /// Each step of the --script waits at most DUR (500ms, 2s, 1m; default 10s).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg, requires = "script")]
    pub(crate) step_timeout: Option<Duration>,
}

// Plain comments: doc comments on the values would switch all of `tcp serve
// --help` to clap's long layout; --slow's own help says what each does.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum SlowArg {
    // Wait for room: lossless, at the pace of the slowest reader.
    Wait,
    // Close the client: it gets nothing rather than a stream with holes.
    Disconnect,
    // Skip the message for that client; it stays connected and misses it.
    Drop,
}

#[derive(Debug, Args)]
pub(crate) struct TcpConnectArgs {
    /// The server: a name or address, or HOST:PORT, or [IPv6]:PORT.
    #[arg(value_name = "HOST")]
    pub(crate) host: String,

    /// The server's port, when HOST does not carry it.
    #[arg(value_name = "PORT")]
    pub(crate) port: Option<String>,

    #[command(flatten)]
    pub(crate) family: FamilyArgs,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Local address to bind before connecting (the client's end of the connection).
    #[arg(long, value_name = "ADDR")]
    pub(crate) bind: Option<String>,

    /// Local port to bind before connecting, instead of an ephemeral one.
    #[arg(long, value_name = "PORT", value_parser = port_arg)]
    pub(crate) source_port: Option<u16>,

    /// Give up connecting after DUR, and when nothing moves either way for DUR (500ms, 2s, 1m;
    /// 1ms to 7 days).
    #[arg(long, value_name = "DUR", value_parser = timeout_arg)]
    pub(crate) timeout: Option<Duration>,

    /// Bytes asked per recv call, like recv(1024) in the course. Sizes like 1024, 64K, 1MiB.
    #[arg(long, default_value = "64K", value_name = "SIZE", value_parser = recv_size_arg)]
    pub(crate) recv_size: usize,

    #[command(flatten)]
    pub(crate) half_close: HalfCloseArgs,

    /// Play the steps of FILE against the server instead of sending input: `> BYTES` sends,
    /// `< BYTES` expects exactly these bytes, and more (docs/scripts.md). Exit code 9 when the
    /// server does not follow it; --timeout is each step's wait (default 10s).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["messages", "hex", "file", "no_shutdown", "half_close"])]
    pub(crate) script: Option<PathBuf>,
}

/// When to half-close after the input ends; the same for `tcp serve` and
/// `tcp connect`.
#[derive(Debug, Args)]
pub(crate) struct HalfCloseArgs {
    /// When to half-close (shutdown(SHUT_WR): the peer reads EOF) after the input ends: `data`
    /// (the default) after an input that sent at least one byte, or that Ctrl-D ended at a
    /// terminal, so an upload ends but an empty input (/dev/null) never cuts a download; `always`, even after an empty input (nc -N);
    /// `never` (ncat --no-shutdown): the connection ends when the peer closes.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = HalfCloseArg::Data)]
    pub(crate) half_close: HalfCloseArg,

    /// Never half-close: --half-close never, as ncat --no-shutdown.
    #[arg(long, conflicts_with = "half_close")]
    pub(crate) no_shutdown: bool,
}

// Plain comments: --half-close's own help says what each does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum HalfCloseArg {
    // After an input that sent a byte.
    Data,
    // Whenever the input ends.
    Always,
    // Never.
    Never,
}

/// What a client sends. Without any of these, stdin.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Text to send; repeat for several sends, each one send call (one datagram in UDP). A
    /// Python bytes literal is read as Python reads it: -m "b'\x01\x02Hello'" sends 7 bytes.
    #[arg(short = 'm', long = "message", value_name = "TEXT", value_parser = message_arg)]
    pub(crate) messages: Vec<Vec<u8>>,

    /// Bytes to send, written in hex ("01 02 ff", "\x01\x02", "0x01 0x02"); repeat for several sends,
    /// mixed with -m in the order given.
    #[arg(long, value_name = "HEX", value_parser = hex_arg)]
    pub(crate) hex: Vec<Vec<u8>>,

    /// Send the content of this file (in UDP, as one datagram).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["messages", "hex"])]
    pub(crate) file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct UdpServeArgs {
    #[command(flatten)]
    pub(crate) bind: BindArgs,

    /// Set SO_REUSEADDR before bind. For UDP, which has no TIME_WAIT, it lets several sockets
    /// that all set it bind one address and port; on Linux the last one bound gets the datagrams.
    #[arg(long)]
    pub(crate) reuse_addr: bool,

    /// Send each datagram back to its sender (the bytes kept, if it was cut).
    #[arg(long)]
    pub(crate) echo: bool,

    /// Send TEXT to the sender of each datagram, like the course's b"Bonjour client !". Read as
    /// -m reads it: "b'\x00\x01'" is a Python bytes literal.
    #[arg(long, value_name = "TEXT", value_parser = reply_arg)]
    pub(crate) reply: Option<Bytes>,

    /// The reply in hex, as --hex reads it ("48 69 00": three bytes, the last a NUL).
    #[arg(long, value_name = "HEX", value_parser = reply_hex_arg, conflicts_with = "reply")]
    pub(crate) reply_hex: Option<Bytes>,

    /// The reply is the content of this file, any bytes (in UDP, one datagram: a DNS answer).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["reply", "reply_hex"])]
    pub(crate) reply_file: Option<PathBuf>,

    /// Receive one datagram (and answer it), then exit; with --raw, stdin is the answer: exit once
    /// it has all been sent.
    #[arg(long)]
    pub(crate) once: bool,

    /// Answer one peer at most N times a second (a burst of N, then N a second); the datagrams
    /// over are shown but not answered, and that is said once per peer. This ends a loop between
    /// two servers that answer everything, and bounds a flood toward a forged address. 0: no
    /// limit. Whatever the rate, the server never answers its own address, port 0, or with more
    /// than 3 times the bytes a peer sent (a forged source would make it an amplifier).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ANSWER_RATE, value_parser = answer_rate_arg)]
    pub(crate) answer_rate: u32,

    /// Take datagrams only from this address block (as tcp serve's --allow); repeatable. Others
    /// are ignored: not shown, not answered, counted. A UDP source can be forged: this keeps
    /// answers away from other addresses, it does not authenticate anyone.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub(crate) allow: Vec<Rule>,

    /// Ignore datagrams from this address block; repeatable; wins over --allow.
    #[arg(long, value_name = "CIDR", value_parser = rule_arg)]
    pub(crate) deny: Vec<Rule>,

    /// Ask for a receive buffer of SIZE (SO_RCVBUF; Linux doubles it, within net.core.rmem_max):
    /// a small one shows datagrams dropped while it is full, which the server then counts.
    #[arg(long, value_name = "SIZE", value_parser = rcvbuf_arg)]
    pub(crate) rcvbuf: Option<usize>,

    /// Play the steps of FILE instead of answering: `< BYTES` expects a datagram of exactly these
    /// bytes, from any sender, and `> BYTES` sends one to the sender of the last datagram
    /// received (docs/scripts.md). Played again for the next datagram; with --once, once. Exit
    /// code 9 with --once when the peer does not follow it, and at the stop when a run failed.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["echo", "reply", "reply_hex", "reply_file", "answer_rate", "allow", "deny"])]
    pub(crate) script: Option<PathBuf>,

    /// Each step of the --script waits at most DUR (500ms, 2s, 1m; default 10s); the first waits
    /// for a datagram as long as the server runs.
    #[arg(long, value_name = "DUR", value_parser = timeout_arg, requires = "script")]
    pub(crate) step_timeout: Option<Duration>,
}

#[derive(Debug, Args)]
pub(crate) struct UdpSendArgs {
    /// Where to send: a name or address, or HOST:PORT, or [IPv6]:PORT.
    #[arg(value_name = "HOST")]
    pub(crate) host: String,

    /// The port, when HOST does not carry it.
    #[arg(value_name = "PORT")]
    pub(crate) port: Option<String>,

    #[command(flatten)]
    pub(crate) family: FamilyArgs,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Read all of stdin as one datagram, instead of one datagram per line (without its newline;
    /// with --raw, one datagram per read of stdin, unchanged, as nc -u sends).
    #[arg(long, conflicts_with_all = ["messages", "hex", "file"])]
    pub(crate) stdin_datagram: bool,

    /// Send the input N times.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = count_arg)]
    pub(crate) count: u64,

    /// Pause DUR between two datagrams (500ms, 2s, 1m; up to 7 days).
    #[arg(long, value_name = "DUR", value_parser = pause_arg)]
    pub(crate) interval: Option<Duration>,

    /// Keep receiving replies for DUR after the last datagram; each is shown with its sender.
    /// Default: exit at once, showing only replies already there. Up to 7 days.
    #[arg(long, value_name = "DUR", value_parser = pause_arg)]
    pub(crate) wait: Option<Duration>,

    /// Use a connected UDP socket: send() and recv() instead of sendto() and recvfrom(). The
    /// kernel then drops datagrams from other addresses, and an ICMP port unreachable from the
    /// peer is reported as "connection refused" (exit code 4).
    #[arg(long)]
    pub(crate) connect: bool,

    /// Local address to bind before sending (the source address of the datagrams).
    #[arg(long, value_name = "ADDR")]
    pub(crate) bind: Option<String>,

    /// Local port to bind before sending, instead of the ephemeral one the OS picks.
    #[arg(long, value_name = "PORT", value_parser = port_arg)]
    pub(crate) source_port: Option<u16>,

    /// Bytes asked per recv call for replies; a longer reply is cut and the rest discarded.
    /// Sizes like 1024, 64K, 1MiB.
    #[arg(long, default_value = "64K", value_name = "SIZE", value_parser = recv_size_arg)]
    pub(crate) recv_size: usize,

    /// Play the steps of FILE instead of sending input: `> BYTES` sends one datagram, `< BYTES`
    /// expects the next datagram to be exactly these bytes, and more (docs/scripts.md). Exit
    /// code 9 when the peer does not follow it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["messages", "hex", "file", "stdin_datagram", "count", "interval", "wait"])]
    pub(crate) script: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Add a row to the table: the same messages through a loopback that loses PCT% of packets
    /// (netem, in a network namespace of the demo's own; needs root, ip and tc).
    #[arg(long, value_name = "PCT", value_parser = percent_arg)]
    pub(crate) loss: Option<f64>,

    /// With that row: each packet is delayed by MS milliseconds (a bare number is milliseconds;
    /// 0.1s works too), at most 1000.
    #[arg(long, value_name = "MS", value_parser = delay_arg)]
    pub(crate) delay: Option<Duration>,

    /// Pause before each part until Enter is pressed (when stdin is a terminal; otherwise the
    /// demo says so and goes on).
    #[arg(long)]
    pub(crate) step: bool,
}

/// What a benchmark end is, and where; shared by `tcp bench` and `udp bench`.
#[derive(Debug, Args)]
pub(crate) struct BenchEndArgs {
    /// The receiver to send to: a name or address, or HOST:PORT, or [IPv6]:PORT.
    #[arg(value_name = "HOST", conflicts_with_all = ["serve", "local"])]
    pub(crate) host: Option<String>,

    /// The receiver's port, when HOST does not carry it.
    #[arg(value_name = "PORT")]
    pub(crate) port: Option<String>,

    /// Receive: wait for senders on --host and --port, one after the other (like iperf3 -s).
    #[arg(long, conflicts_with = "local")]
    pub(crate) serve: bool,

    /// Both ends in this process, over loopback, on a port the OS chooses.
    #[arg(long)]
    pub(crate) local: bool,

    /// With --serve: the address to bind (default 127.0.0.1; ::1 with -6).
    #[arg(long = "host", id = "bind_host", value_name = "ADDR")]
    pub(crate) bind_host: Option<String>,

    /// With --serve: the port to bind; 0 lets the OS choose, and the port it chose is printed.
    #[arg(short, long = "port", value_name = "PORT", value_parser = port_arg)]
    pub(crate) port_number: Option<u16>,

    /// With --serve: receive from one sender, then exit.
    #[arg(long)]
    pub(crate) once: bool,

    #[command(flatten)]
    pub(crate) family: FamilyArgs,

    /// Send for DUR (500ms, 2s, 1m; 1ms to 24h). Default: 10s, as iperf3.
    #[arg(short = 't', long, value_name = "DUR", value_parser = bench_time_arg, conflicts_with = "serve")]
    pub(crate) time: Option<Duration>,
}

#[derive(Debug, Args)]
pub(crate) struct TcpBenchArgs {
    #[command(flatten)]
    pub(crate) end: BenchEndArgs,

    /// Send this many bytes instead of sending for a time (1G, 500M).
    #[arg(short = 'n', long, value_name = "SIZE", value_parser = bytes_arg, conflicts_with_all = ["time", "serve"])]
    pub(crate) bytes: Option<u64>,

    /// Bytes per send() call.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = send_size_arg, conflicts_with = "serve")]
    pub(crate) size: usize,

    /// Bytes asked per recv() call by the receiver.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = recv_size_arg)]
    pub(crate) recv_size: usize,
}

#[derive(Debug, Args)]
pub(crate) struct UdpBenchArgs {
    #[command(flatten)]
    pub(crate) end: BenchEndArgs,

    /// Send this many datagrams instead of sending for a time.
    #[arg(long, value_name = "N", value_parser = count_arg, conflicts_with_all = ["time", "serve"])]
    pub(crate) count: Option<u64>,

    /// Bytes of payload per datagram, its 16-byte header (sequence number) included; 1472 fills
    /// a 1500-byte Ethernet frame.
    #[arg(long, default_value = "1472", value_name = "SIZE", value_parser = size_arg, conflicts_with = "serve")]
    pub(crate) size: u64,

    /// Bits per second to send at, like iperf3 -b (500K, 100M, 1G); 0 is as fast as possible.
    #[arg(long, default_value = "0", value_name = "RATE", value_parser = rate_arg, conflicts_with = "serve")]
    pub(crate) rate: u64,

    /// One send() and one recv() per datagram, as iperf3 does, instead of handing the kernel up to
    /// 64 datagrams per call (UDP_SEGMENT) and taking them back glued (UDP_GRO).
    #[arg(long)]
    pub(crate) no_offload: bool,
}

/// The examples under `netplay nc -h` (and `netplay nc --help`), which
/// `nc`'s own parser and the `nc` subcommand's stub both show.
pub(super) const NC_EXAMPLES: &str = "\
Examples:
  netplay nc -l 9000 > file               receive one connection's bytes (on every interface)
  netplay nc -N 192.0.2.7 9000 < file     send a file, then a FIN
  netplay nc -lk 127.0.0.1 9000           serve clients one after the other
  netplay nc -zv 127.0.0.1 20-25          which ports take a connection?
  netplay nc -u -w 1 127.0.0.1 53 < q.bin   one UDP exchange, ended by a second of silence";
