//! From the parsed command line to the validated run (config::Run): each
//! subcommand's arguments become its job's configuration, and a value or a
//! combination no run can serve becomes a UsageError.

use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use anyhow::{Context, Result};
use bytes::Bytes;

use super::addrs::{client_bind, flag_host};
use super::args::{
    BenchEndArgs, BindArgs, Cli, ColorArg, Command, DemoArgs, FamilyArgs, HalfCloseArg, HalfCloseArgs,
    HexArgs, InputArgs, LangArg, OutputArgs, RendererArg, SlowArg, TcpBenchArgs, TcpCommand, TcpConnectArgs,
    TcpServeArgs, UdpBenchArgs, UdpCommand, UdpSendArgs, UdpServeArgs,
};
use super::doc::{completions, manual};
use super::nc;

use crate::bench::udp as udp_bench;
use crate::config::bench::{Limit, Mode as BenchMode, TcpBenchConfig, UdpBenchConfig};
use crate::config::demo::{self, DemoConfig, Pause};
use crate::config::hex::{HexConfig, Source};
use crate::config::tcp::{
    self, Answer, BytePath, Clients, ConnectConfig, HalfClose, Owner, Reply, ServeConfig, StdinMode,
};
use crate::config::udp::{self, AnswerPolicy, SendConfig, UdpServeConfig};
use crate::config::{Job, PacketsConfig, Run, Sends};
use crate::decode::Format;

use crate::event::Family;
use crate::exit::UsageError;

use crate::hexdump::{self, Layout, Renderer};
use crate::i18n::Lang;
use crate::input::{self, Input, StdinDatagrams};
use crate::model::front::Front;
use crate::msg;
use crate::net::access::Access;
use crate::net::addr::{self, Target};
use crate::net::socket::SocketOptions;

use crate::report::html::PictureSpec;
use crate::report::{ColorChoice, Mode, OutputConfig};
use crate::script::{Script, Transport};

use crate::tcp::hub::SlowPolicy;
use crate::width;

/// What the conversion learns of the process's terminals: an input, so a run
/// is decided whole before it starts (a benchmark's progress line, the
/// demo's pauses, the width of `netplay hex`'s decoded lines) and nothing
/// changes its config after.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminals {
    /// stdin is a terminal: someone may press Enter (the demo's --step).
    pub(crate) stdin: bool,
    /// stdout is a terminal: a live progress line can be redrawn.
    pub(crate) stdout: bool,
    /// stdout's width, if it is a terminal.
    pub(crate) stdout_width: Option<usize>,
}

impl Terminals {
    /// This process's.
    pub(crate) fn of_process() -> Terminals {
        use std::io::IsTerminal;
        Terminals {
            stdin: std::io::stdin().is_terminal(),
            stdout: std::io::stdout().is_terminal(),
            stdout_width: crate::width::stdout_terminal(),
        }
    }
}

impl Cli {
    /// Validates the arguments into what the library runs, on this
    /// process's terminals.
    pub(crate) fn into_run(self) -> Result<Run> {
        self.into_run_on(Terminals::of_process())
    }

    /// [`into_run`](Self::into_run) on the terminals given.
    pub(crate) fn into_run_on(self, terminals: Terminals) -> Result<Run> {
        let output = self.output;
        // A benchmark's live progress line: only for people, on a terminal;
        // a pipe or `--json` gets the summary alone.
        let progress = !output.json && !output.raw && !output.quiet && terminals.stdout;
        let renderer = output.hex_renderer.resolve()?;
        let picture = output.picture();
        let packets = PacketsConfig {
            show: output.packets,
            pcap: output.pcap.clone(),
            tcp_info: output.packets || output.explain || output.json || picture.wanted(),
        };
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
                let columns =
                    width::columns(output.columns.map(usize::from), terminals.stdout, terminals.stdout_width);
                (Job::Hex(args.into_config(output.decode.clone(), renderer, columns)), 0)
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
                (Job::TcpBench(args.into_config(progress)?), recv_size)
            }
            Some(Command::Udp(UdpCommand::Bench(args))) => {
                (Job::UdpBench(args.into_config(progress)?), 65_536)
            }
            Some(Command::Completions(args)) => (Job::Print(completions(args.shell)), 0),
            Some(Command::Nc(stub)) => return nc::run_of(stub.args, output, renderer),
            Some(Command::Man) => (Job::Print(manual()?), 0),
            Some(Command::Demo(args)) => {
                if output.raw {
                    return Err(UsageError(msg!("usage-demo-raw")).into());
                }
                (Job::Demo(Box::new(args.into_config(terminals.stdin, packets.tcp_info))), demo::RECV_SIZE)
            }
        };
        let job = job.with_packets(packets)?;
        if picture.wanted() && !job.draws_picture() {
            return Err(UsageError(msg!("usage-html-where")).into());
        }
        Ok(Run { job, output: output.into_config(recv_size, renderer), notices })
    }
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

    pub(super) fn into_config(self, recv_size: usize, renderer: Renderer) -> OutputConfig {
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
            front: Front::Native,
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
        // Raw bytes of two clients never mix in one stdout: they are served
        // in turn, as `nc -lk` does (a relay is --broadcast's).
        let clients = if self.broadcast {
            Clients::Broadcast
        } else if self.sequential || (raw && !self.once && script.is_none()) {
            Clients::InTurn
        } else {
            Clients::Together
        };
        let stdin = match (script.is_some(), raw) {
            (true, _) => StdinMode::Off,
            (false, true) => StdinMode::Raw,
            (false, false) => StdinMode::Lines,
        };
        let path = if direct && script.is_none() { BytePath::Kernel } else { BytePath::Events };
        Ok(ServeConfig {
            packets: PacketsConfig::default(),
            addr: self.bind.address()?,
            options: self.bind.options(Some(reuse_addr)),
            backlog: self.backlog,
            recv_size: self.bind.recv_size,
            clients,
            answer: match script {
                Some(script) => Answer::Script {
                    script,
                    step_timeout: self.step_timeout.unwrap_or(crate::script::DEFAULT_TIMEOUT),
                },
                None => Answer::Chunks {
                    echo: self.echo,
                    reply: reply_bytes(self.reply, self.reply_hex, self.reply_file.as_deref())?
                        .map(|bytes| Reply { bytes, once: self.reply_once }),
                },
            },
            once: self.once,
            // A script's clients get the script's bytes, nobody's typing.
            stdin,
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
            max_conns: self.max_conns.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            idle_timeout: self.idle_timeout,
            front: Front::Native,
            access: Access { allow: self.allow, deny: self.deny },
            path,
            owner: Owner::Process,
        })
    }
}

impl HexArgs {
    fn into_config(self, decode: Option<Format>, renderer: Renderer, columns: Option<usize>) -> HexConfig {
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
            columns,
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

impl TcpConnectArgs {
    fn into_config(self, direct: bool) -> Result<ConnectConfig> {
        let target = Target::parse(&self.host, self.port.as_deref()).map_err(UsageError)?;
        let family = self.family.family();
        let bind = client_bind(self.bind.as_deref(), self.source_port, family, &target)?;
        let sends = match script_arg(self.script.as_deref(), Transport::Stream)? {
            Some(script) => Sends::Script(script),
            None => Sends::Input(tcp::Feed {
                input: self.input.into_input(),
                half_close: self.half_close.into_config(),
                crlf: false,
                path: if direct { BytePath::Kernel } else { BytePath::Events },
            }),
        };
        Ok(ConnectConfig {
            packets: PacketsConfig::default(),
            target,
            family,
            sends,
            bind,
            timeout: self.timeout,
            front: Front::Native,
            recv_size: self.recv_size,
            options: SocketOptions::default(),
        })
    }
}

impl UdpServeArgs {
    /// `raw`: stdin goes to the last sender, as with nc -u -l, unless the
    /// server answers by itself (--echo, --reply, --script).
    fn into_config(self, raw: bool) -> Result<UdpServeConfig> {
        let script = script_arg(self.script.as_deref(), Transport::Datagram)?;
        let reply = reply_bytes(self.reply, self.reply_hex, self.reply_file.as_deref())?.map(Vec::from);
        let answer = match script {
            Some(script) => udp::Answer::Script {
                script,
                step_timeout: self.step_timeout.unwrap_or(crate::script::DEFAULT_TIMEOUT),
            },
            None if raw && !self.echo && reply.is_none() => {
                udp::Answer::Stdin { crlf: false, quit_after: None }
            }
            None => udp::Answer::Datagrams { echo: self.echo, reply },
        };
        Ok(UdpServeConfig {
            packets: PacketsConfig::default(),
            addr: self.bind.address()?,
            options: SocketOptions {
                recv_buffer: self.rcvbuf,
                ..self.bind.options(self.reuse_addr.then_some(true))
            },
            recv_size: self.bind.recv_size,
            answer,
            limit: self.once.then_some(1),
            idle: udp::Idle::Never,
            peers: udp::Peers::Every,
            answers: AnswerPolicy {
                rate: self.answer_rate,
                access: Access { allow: self.allow, deny: self.deny },
            },
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
        let sends = match script {
            Some(script) => Sends::Script(script),
            None => Sends::Input(udp::Feed {
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
                replies: None,
            }),
        };
        Ok(SendConfig {
            packets: PacketsConfig::default(),
            target,
            family,
            sends,
            connect: self.connect,
            bind,
            recv_size: self.recv_size,
        })
    }
}

impl DemoArgs {
    /// `stdin`: whether stdin is a terminal, where a person can press Enter.
    /// `tcp_info`: whether TCP closes read TCP_INFO.
    fn into_config(self, stdin: bool, tcp_info: bool) -> DemoConfig {
        let impair = (self.loss.is_some() || self.delay.is_some())
            .then(|| (self.loss.unwrap_or(0.0), self.delay.unwrap_or_default()));
        // --step with nobody at a terminal to press Enter: the demo goes on
        // without pausing, and says so.
        let pause = match (self.step, stdin) {
            (false, _) => Pause::Never,
            (true, true) => Pause::OnEnter,
            (true, false) => Pause::NoTerminal,
        };
        DemoConfig::new(impair, pause, tcp_info)
    }
}

impl BenchEndArgs {
    fn mode(&self) -> Result<BenchMode> {
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
            return Ok(BenchMode::Local { family: family.unwrap_or(Family::V4) });
        }
        if self.serve {
            let host = match (&self.bind_host, family) {
                (Some(host), _) => host.as_str(),
                (None, Some(Family::V6)) => "::1",
                (None, _) => "127.0.0.1",
            };
            flag_host("--host", host)?;
            let addr = addr::resolve(host, self.port_number.unwrap_or(12345), family)?[0];
            return Ok(BenchMode::Serve { addr, options: SocketOptions::default(), once: self.once });
        }
        let host = self.host.as_deref().unwrap_or_default();
        let target = Target::parse(host, self.port.as_deref()).map_err(UsageError)?;
        Ok(BenchMode::Send { target, family })
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
    fn into_config(self, progress: bool) -> Result<TcpBenchConfig> {
        let mut mode = self.end.mode()?;
        // A TCP server, restarted on its fixed port: SO_REUSEADDR, as iperf3.
        if let BenchMode::Serve { options, .. } = &mut mode {
            options.reuse_addr = Some(crate::sys::reuse::TCP_SERVER_DEFAULT);
        }
        Ok(TcpBenchConfig {
            mode,
            limit: self.end.limit(self.bytes),
            size: self.size,
            recv_size: self.recv_size,
            progress,
        })
    }
}

impl UdpBenchArgs {
    fn into_config(self, progress: bool) -> Result<UdpBenchConfig> {
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
            progress,
        })
    }
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

impl From<LangArg> for Lang {
    fn from(arg: LangArg) -> Lang {
        match arg {
            LangArg::En => Lang::En,
            LangArg::Fr => Lang::Fr,
        }
    }
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

#[cfg(test)]
mod udp_serve_tests {
    use super::*;
    use clap::Parser;

    fn answer(args: &[&str]) -> udp::Answer {
        let cli = Cli::try_parse_from(["netplay"].iter().chain(args)).unwrap();
        let terminals = Terminals { stdin: false, stdout: false, stdout_width: None };
        let Job::UdpServe(serve) = cli.into_run_on(terminals).unwrap().job else { panic!("{args:?}") };
        assert_eq!((serve.idle, serve.peers), (udp::Idle::Never, udp::Peers::Every), "{args:?}");
        serve.answer
    }

    #[test]
    fn stdin_is_sent_under_raw_only_when_nothing_else_answers() {
        let stdin =
            |args: &[&str]| matches!(answer(args), udp::Answer::Stdin { crlf: false, quit_after: None });
        assert!(stdin(&["--raw", "udp", "serve", "--port", "0"]));
        assert!(!stdin(&["udp", "serve", "--port", "0"]));
        assert!(!stdin(&["--raw", "udp", "serve", "--port", "0", "--echo"]));
        assert!(!stdin(&["--raw", "udp", "serve", "--port", "0", "--reply", "ok"]));
        let echo = answer(&["--raw", "udp", "serve", "--port", "0", "--echo"]);
        assert!(matches!(echo, udp::Answer::Datagrams { echo: true, reply: None }), "{echo:?}");
    }
}
