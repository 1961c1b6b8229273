//! `netplay nc`: OpenBSD nc's command line, read as nc reads it (getopt's
//! short flags, bundled or apart, a value attached or not, operands before
//! or after them), and turned into the config of the runner that does the
//! job (src/nc). Its words are parsed apart from netplay's own: nc's -q is
//! not netplay's --quiet, and a mistake in them ends with nc's status, 1.

use std::ffi::OsString;
use std::time::Duration;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser};

use super::addrs::client_bind;
use super::args::OutputArgs;
use super::doc::localize;
use crate::config::nc::{NcConfig, NcJob, ScanConfig};
use crate::config::tcp::{
    self, Answer, BytePath, Clients, ConnectConfig, HalfClose, Owner, ServeConfig, StdinMode,
};
use crate::config::udp::{self, AnswerPolicy, SendConfig, UdpServeConfig};
use crate::config::{Job, PacketsConfig, Run, Sends};
use crate::event::Family;
use crate::exit::{NcExit, UsageError};
use crate::hexdump::{Renderer, shown_text};
use crate::i18n::{Lang, Msg};
use crate::input::Input;
use crate::model::front::Front;
use crate::msg;

use crate::net::access::Access;
use crate::net::addr::{self, Host, Target};
use crate::net::socket::SocketOptions;

use crate::report::Mode;

use crate::tcp::hub::SlowPolicy;

/// Run as OpenBSD nc: its flags, its exit status (0 or 1), its quiet output; -v shows netplay's
/// steps and hex dumps. `netplay nc -h` lists the flags.
#[derive(Debug, Parser)]
#[command(name = "netplay nc", args_override_self = true, after_help = super::args::NC_EXAMPLES)]
pub(super) struct NcArgs {
    /// IPv4 addresses only.
    #[arg(short = '4', overrides_with = "ipv6")]
    pub(crate) ipv4: bool,

    /// IPv6 addresses only.
    #[arg(short = '6', overrides_with = "ipv4")]
    pub(crate) ipv6: bool,

    /// Send each line end of stdin as CR LF.
    #[arg(short = 'C')]
    pub(crate) crlf: bool,

    /// Do not read stdin.
    #[arg(short = 'd')]
    pub(crate) no_stdin: bool,

    /// The receive buffer to ask for (SO_RCVBUF), in bytes.
    #[arg(short = 'I', value_name = "LENGTH", value_parser = buffer_arg)]
    pub(crate) so_rcvbuf: Option<usize>,

    /// With -l: once a client has gone, accept the next, one at a time; with -u -l, take datagrams
    /// from every sender.
    #[arg(short = 'k')]
    pub(crate) keep: bool,

    /// Listen for a connection (with -u, a datagram) instead of connecting: on every interface,
    /// unless -s or an address before the port names one.
    #[arg(short = 'l')]
    pub(crate) listen: bool,

    /// Shut down the sending side (shutdown(SHUT_WR), a FIN) when stdin ends.
    #[arg(short = 'N')]
    pub(crate) shutdown: bool,

    /// Addresses only: no host name is looked up.
    #[arg(short = 'n')]
    pub(crate) numeric: bool,

    /// The send buffer to ask for (SO_SNDBUF), in bytes.
    #[arg(short = 'O', value_name = "LENGTH", value_parser = buffer_arg)]
    pub(crate) so_sndbuf: Option<usize>,

    /// The local port: the client's source port, or with -l the port to listen on.
    #[arg(short = 'p', value_name = "PORT")]
    pub(crate) source_port: Option<String>,

    /// Once stdin has ended: -N, and with -l or -u, the peer has SECONDS more to finish, then the
    /// run ends (exit 0). A negative number changes nothing.
    #[arg(short = 'q', value_name = "SECONDS", allow_negative_numbers = true, value_parser = quit_arg)]
    pub(crate) quit: Option<i64>,

    /// With -z and several ports: try them in a random order.
    #[arg(short = 'r')]
    pub(crate) random: bool,

    /// The local address: the client's source address, or with -l the address to listen on.
    #[arg(short = 's', value_name = "ADDRESS")]
    pub(crate) source: Option<String>,

    /// UDP instead of TCP.
    #[arg(short = 'u')]
    pub(crate) udp: bool,

    /// Show netplay's socket steps, and a hex dump of each chunk either way, on stderr; stdout
    /// still gets the bytes received, unchanged.
    #[arg(short = 'v', action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Give up connecting after SECONDS, and end when nothing has moved for SECONDS (exit 0).
    #[arg(short = 'w', value_name = "SECONDS", allow_negative_numbers = true, value_parser = wait_arg)]
    pub(crate) wait: Option<u64>,

    /// Only find out whether something listens: connect, then close at once, sending nothing
    /// (TCP). Exit 0 when a port took the connection.
    #[arg(short = 'z')]
    pub(crate) zero: bool,

    /// The host to connect to; with -l, the port to listen on, or the address then the port.
    #[arg(value_name = "DESTINATION")]
    pub(crate) destination: Option<String>,

    /// The port; with -z, several, and ranges such as 20-30.
    #[arg(value_name = "PORT")]
    pub(crate) ports: Vec<String>,
}

/// The command with its words in `lang`.
pub(super) fn command_in(lang: Lang) -> clap::Command {
    let mut command = localize(NcArgs::command(), lang, "nc");
    if lang != Lang::En {
        command.build();
    }
    command
}

/// nc's flags that netplay nc does not run, with what they are for.
fn unsupported(flag: &str) -> Option<Msg> {
    Some(match flag {
        "-b" => msg!("nc-what-broadcast"),
        "-c" => msg!("nc-what-tls"),
        "-D" => msg!("nc-what-debug"),
        "-e" => msg!("nc-what-exec"),
        "-F" => msg!("nc-what-fd"),
        "-i" => msg!("nc-what-interval"),
        "-M" | "-m" => msg!("nc-what-ttl"),
        "-P" | "-X" | "-x" => msg!("nc-what-proxy"),
        "-S" => msg!("nc-what-md5"),
        "-T" => msg!("nc-what-tos"),
        "-t" => msg!("nc-what-telnet"),
        "-U" => msg!("nc-what-unix"),
        "-V" => msg!("nc-what-rtable"),
        "-W" => msg!("nc-what-recvlimit"),
        "-Z" => msg!("nc-what-dccp"),
        _ => return None,
    })
}

/// The flags of netplay that change nothing of what `netplay nc` shows.
fn refuse_output_flags(output: &OutputArgs) -> Result<(), UsageError> {
    let given = [
        (output.json, "--json"),
        (output.raw, "--raw"),
        (output.quiet, "--quiet"),
        (output.explain, "--explain"),
        (output.packets, "--packets"),
        (output.pcap.is_some(), "--pcap"),
        (output.html.is_some(), "--html"),
        (output.svg.is_some(), "--svg"),
        (output.decode.is_some(), "--decode"),
    ];
    match given.iter().find(|(given, _)| *given) {
        Some((_, flag)) => Err(UsageError(msg!("nc-netplay-flag", flag = *flag))),
        None => Ok(()),
    }
}

/// The run `netplay nc WORDS` asks for. Its failures end with nc's
/// status, 1; `-h` prints the help.
pub(super) fn run_of(words: Vec<OsString>, output: OutputArgs, renderer: Renderer) -> Result<Run> {
    // Before -u is read, or without it: no hint of these failures names
    // a protocol.
    let fail = |e: anyhow::Error| {
        anyhow::Error::from(NcExit { code: 1, cause: Some(e), front: Front::Nc { udp: false } })
    };
    refuse_output_flags(&output).map_err(|e| fail(e.into()))?;
    let command = command_in(crate::i18n::current());
    let matches = match command
        .clone()
        .try_get_matches_from(std::iter::once(OsString::from("netplay nc")).chain(words))
    {
        Ok(matches) => matches,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            let help = e.render().to_string().into_bytes();
            return Ok(Run {
                job: Job::Print(help),
                output: output.into_config(0, renderer),
                notices: Vec::new(),
            });
        }
        Err(e) => return Err(fail(UsageError(clap_what(&e)).into())),
    };
    let args = NcArgs::from_arg_matches(&matches).map_err(|e| fail(UsageError(clap_what(&e)).into()))?;
    let verbose = args.verbose > 0;
    let front = Front::Nc { udp: args.udp };
    let job = args.job().map_err(fail)?;
    let mut output = output.into_config(64 << 10, renderer);
    output.mode = Mode::Raw;
    output.quiet = !verbose;
    output.raw_dumps = verbose;
    output.front = front;
    Ok(Run { job: Job::Nc(NcConfig { job, verbose, front }), output, notices: Vec::new() })
}

/// A mistake in nc's words, in netplay's.
fn clap_what(err: &clap::Error) -> Msg {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() == ErrorKind::UnknownArgument
        && let Some(ContextValue::String(flag)) = err.get(ContextKind::InvalidArg)
    {
        // `-x proxy:8080`, `-vx`: clap names the first flag it did not know.
        let flag = flag.split_whitespace().next().unwrap_or_default();
        let short: String = flag.chars().take(2).collect();
        if let Some(what) = unsupported(&short) {
            return msg!("nc-unsupported", flag = short, what = what);
        }
        return msg!("nc-unknown-flag", flag = shown_text(flag.as_bytes()));
    }
    super::parse::error_what(err).unwrap_or_else(|| Msg::text(err.to_string()))
}

/// How long -q and -w say, in whole seconds.
fn seconds(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// What nc's flags say for every mode: the family, -q, -w, -N, -I/-O and
/// the byte path.
#[derive(Clone, Copy)]
struct Common {
    family: Option<Family>,
    /// -q: how long after stdin ends the run goes on.
    quit: Option<Duration>,
    /// -w: how long nothing may move.
    idle: Option<Duration>,
    /// -w: how long a connect may take.
    connect_timeout: Option<Duration>,
    half_close: HalfClose,
    options: SocketOptions,
    path: BytePath,
}

/// nc's usage error, in netplay's words.
fn usage(message: Msg) -> anyhow::Error {
    anyhow::Error::from(UsageError(message))
}

/// A local port (-p, or the port to listen on): 0 to 65535.
fn local_port(text: &str) -> Result<u16> {
    addr::parse_port(text).map_err(|why| usage(port_msg(text, why)))
}

impl NcArgs {
    /// The runner's config for these flags, or the usage error nc would
    /// give (in netplay's words).
    fn job(self) -> Result<NcJob> {
        let (host, ports) = self.operands()?;
        self.refuse_combinations(host.as_ref())?;
        let common = self.common();
        if self.listen {
            return self.listener(host.as_deref(), &ports[0], &common);
        }
        self.client(host.unwrap_or_default(), &ports, &common)
    }

    /// Where nc takes its host and ports from (netcat.c's "cruft"): the
    /// operands, or with -l, -s and -p.
    fn operands(&self) -> Result<(Option<String>, Vec<String>)> {
        let operands: Vec<String> = self.destination.iter().chain(&self.ports).cloned().collect();
        let (host, ports) = match (operands.len(), self.listen) {
            (0, true) => (self.source.clone(), self.source_port.iter().cloned().collect()),
            (1, true) if self.source.is_none() && self.source_port.is_none() => (None, operands),
            (1, false) => {
                return Err(usage(msg!("nc-missing-port", host = shown_text(operands[0].as_bytes()))));
            }
            (n, listen) if n >= 2 => {
                if listen && (self.source.is_some() || self.source_port.is_some() || n > 2) {
                    return Err(usage(msg!("nc-operands")));
                }
                (Some(operands[0].clone()), operands[1..].to_vec())
            }
            _ => return Err(usage(msg!("nc-operands"))),
        };
        if ports.is_empty() {
            return Err(usage(msg!("nc-listen-port")));
        }
        Ok((host, ports))
    }

    /// The flags nc refuses together, and -n's names.
    fn refuse_combinations(&self, host: Option<&String>) -> Result<()> {
        if self.listen && self.zero {
            return Err(usage(msg!("nc-z-with-l")));
        }
        if !self.listen && self.keep {
            return Err(usage(msg!("nc-k-without-l")));
        }
        if self.zero && self.udp {
            return Err(usage(msg!("nc-unsupported", flag = "-z -u", what = msg!("nc-what-udp-probe"))));
        }
        if self.numeric {
            for given in host.into_iter().chain(&self.source) {
                if !matches!(addr::parse_host(given), Ok(Host::Ip(..))) {
                    return Err(usage(msg!("nc-numeric-name", host = shown_text(given.as_bytes()))));
                }
            }
        }
        Ok(())
    }

    fn common(&self) -> Common {
        let family = match (self.ipv4, self.ipv6) {
            (true, _) => Some(Family::V4),
            (_, true) => Some(Family::V6),
            _ => None,
        };
        let quit = self.quit.filter(|&q| q >= 0).map(|q| seconds(q as u64));
        // nc's -w 0 polls once, and ends at once: the shortest wait there is.
        let idle = self.wait.map(|w| seconds(w).max(Duration::from_millis(1)));
        let connect_timeout = self.wait.filter(|&w| w > 0).map(seconds);
        let half_close = if self.shutdown || quit.is_some() { HalfClose::Always } else { HalfClose::Never };
        let options = SocketOptions {
            recv_buffer: self.so_rcvbuf,
            send_buffer: self.so_sndbuf,
            ..SocketOptions::default()
        };
        let path = if self.verbose == 0 && !self.crlf { BytePath::Kernel } else { BytePath::Events };
        Common { family, quit, idle, connect_timeout, half_close, options, path }
    }

    /// `nc -l`, `nc -u -l`: the server's config.
    fn listener(&self, host: Option<&str>, port: &str, common: &Common) -> Result<NcJob> {
        let Common { family, quit, idle, half_close, options, path, .. } = *common;
        let port = local_port(port)?;
        let host = match (host, family) {
            (Some(host), _) => host,
            (None, Some(Family::V6)) => "::",
            (None, _) => "0.0.0.0",
        };
        let addr = addr::resolve(host, port, family)?[0];
        if self.udp {
            return Ok(NcJob::UdpListen(UdpServeConfig {
                addr,
                options,
                recv_size: 64 << 10,
                answer: match self.no_stdin {
                    true => udp::Answer::NOTHING,
                    false => udp::Answer::Stdin { crlf: self.crlf, quit_after: quit },
                },
                limit: None,
                idle: idle.map_or(udp::Idle::Never, udp::Idle::AfterFirst),
                peers: if self.keep { udp::Peers::Every } else { udp::Peers::First },
                answers: AnswerPolicy::default(),
                packets: PacketsConfig::default(),
            }));
        }
        let reuse_addr = crate::sys::reuse::TCP_SERVER_DEFAULT;
        Ok(NcJob::Listen(ServeConfig {
            addr,
            options: SocketOptions { reuse_addr: Some(reuse_addr), ..options },
            backlog: 1024,
            recv_size: 64 << 10,
            answer: Answer::NOTHING,
            // -k: one client after the other, as nc serves them.
            clients: if self.keep { Clients::InTurn } else { Clients::Together },
            once: !self.keep,
            stdin: if self.no_stdin { StdinMode::Off } else { StdinMode::Raw },
            half_close,
            crlf: self.crlf,
            quit_after: quit,
            queue_limit: 1 << 20,
            slow: SlowPolicy::Wait,
            // nc never gives up on a client that reads slowly.
            stall_timeout: super::values::LONGEST,
            accept_delay: None,
            max_conns: None,
            idle_timeout: idle,
            front: Front::Nc { udp: false },
            access: Access::default(),
            path,
            owner: Owner::Process,
            packets: PacketsConfig::default(),
        }))
    }

    /// `nc HOST PORT`, `nc -u HOST PORT`, `nc -z HOST PORT...`: the
    /// client's config, or the scan's.
    fn client(&self, host: String, ports: &[String], common: &Common) -> Result<NcJob> {
        let Common { family, quit, idle, connect_timeout, half_close, options, path } = *common;
        let mut targets = Vec::new();
        for text in ports {
            targets.extend(port_list(text).map_err(usage)?);
        }
        let source_port = self.source_port.as_deref().map(local_port).transpose()?;
        let first = Target::parse(&host, Some(&targets[0].to_string())).map_err(usage)?;
        let bind = client_bind(self.source.as_deref(), source_port, family, &first)?;
        if self.zero {
            if self.random {
                shuffle(&mut targets);
            }
            return Ok(NcJob::Scan(ScanConfig {
                host,
                ports: targets,
                family,
                bind,
                timeout: connect_timeout,
                options,
            }));
        }
        if targets.len() > 1 {
            return Err(usage(msg!("nc-ports-need-z")));
        }
        let input = if self.no_stdin { Input::Messages(Vec::new()) } else { Input::Stdin };
        if self.udp {
            return Ok(NcJob::Send(SendConfig {
                target: first,
                family,
                sends: Sends::Input(udp::Feed {
                    input,
                    stdin: crate::input::StdinDatagrams::Reads,
                    count: 1,
                    interval: None,
                    // nc -u reads replies until -q's time after stdin ends, or for ever.
                    wait: quit.unwrap_or(Duration::MAX),
                    idle,
                    crlf: self.crlf,
                    replies: None,
                }),
                connect: true,
                bind,
                recv_size: 64 << 10,
                packets: PacketsConfig::default(),
            }));
        }
        Ok(NcJob::Connect(ConnectConfig {
            target: first,
            family,
            sends: Sends::Input(tcp::Feed { input, half_close, crlf: self.crlf, path }),
            bind,
            timeout: connect_timeout,
            front: Front::Nc { udp: false },
            recv_size: 64 << 10,
            options,
            packets: PacketsConfig::default(),
        }))
    }
}

/// A port that nc would refuse, said as netplay says it.
fn port_msg(text: &str, why: Msg) -> Msg {
    msg!("nc-bad-port", text = shown_text(text.as_bytes()), why = why)
}

/// A port operand: one port (1 to 65535) or a range `LOW-HIGH`.
fn port_list(text: &str) -> Result<Vec<u16>, Msg> {
    let one = |part: &str| match addr::parse_port(part) {
        Ok(0) => Err(port_msg(text, msg!("target-port-zero"))),
        Ok(port) => Ok(port),
        Err(why) => Err(port_msg(text, why)),
    };
    match text.split_once('-') {
        Some((low, high)) if low.bytes().next().is_some_and(|b| b.is_ascii_digit()) => {
            let (low, high) = (one(low)?, one(high)?);
            Ok((low.min(high)..=low.max(high)).collect())
        }
        _ => Ok(vec![one(text)?]),
    }
}

/// Puts `ports` in a random order (-r): Fisher-Yates, drawing from the
/// randomly keyed hasher std gives every map.
fn shuffle(ports: &mut [u16]) {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    for i in (1..ports.len()).rev() {
        let mut hasher = state.build_hasher();
        hasher.write_usize(i);
        let j = (hasher.finish() % (i as u64 + 1)) as usize;
        ports.swap(i, j);
    }
}

/// -q: a whole number of seconds, as nc takes it (negative: no quitting).
fn quit_arg(text: &str) -> Result<i64, Msg> {
    match text.trim().parse::<i64>() {
        Ok(n) if (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&n) => Ok(n),
        _ => Err(msg!("nc-seconds-bad", text = shown_text(text.as_bytes()))),
    }
}

/// -w: a whole number of seconds, 0 or more.
fn wait_arg(text: &str) -> Result<u64, Msg> {
    match text.trim().parse::<u64>() {
        Ok(n) if n <= i32::MAX as u64 / 1000 => Ok(n),
        _ => Err(msg!("nc-seconds-bad", text = shown_text(text.as_bytes()))),
    }
}

/// -I, -O: 1 byte to 1 GiB, as nc allows.
fn buffer_arg(text: &str) -> Result<usize, Msg> {
    Ok(crate::units::parse_size_in(text, 1..=65536 << 14)? as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(words: &[&str]) -> Result<NcJob> {
        let matches = NcArgs::command()
            .try_get_matches_from(std::iter::once("netplay nc").chain(words.iter().copied()))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        NcArgs::from_arg_matches(&matches)?.job()
    }

    /// nc always sends an input, never a script.
    fn fed<F>(sends: &Sends<F>) -> &F {
        match sends {
            Sends::Input(feed) => feed,
            Sends::Script(_) => panic!("nc played a script"),
        }
    }

    fn refused(words: &[&str]) -> String {
        let err = job(words).expect_err("refused");
        match err.downcast_ref::<UsageError>() {
            Some(UsageError(message)) => message.render(Lang::En),
            None => err.to_string(),
        }
    }

    #[test]
    fn operands_are_read_as_nc_reads_them() {
        let NcJob::Listen(serve) = job(&["-l", "127.0.0.1", "0"]).unwrap() else { panic!("not a server") };
        assert_eq!(serve.addr, "127.0.0.1:0".parse().unwrap());
        assert!(serve.once && serve.clients == Clients::Together && serve.half_close == HalfClose::Never);
        let NcJob::Listen(serve) = job(&["-lk", "-s", "127.0.0.1", "-p", "0", "-N"]).unwrap() else {
            panic!()
        };
        assert!(!serve.once && serve.clients == Clients::InTurn && serve.half_close == HalfClose::Always);
        let NcJob::Listen(serve) = job(&["-l", "0"]).unwrap() else { panic!() };
        assert_eq!(serve.addr, "0.0.0.0:0".parse().unwrap());
        let NcJob::Listen(serve) = job(&["-6l", "0"]).unwrap() else { panic!() };
        assert_eq!(serve.addr, "[::]:0".parse().unwrap());
        let NcJob::Connect(client) = job(&["127.0.0.1", "9", "-q", "1", "-w3"]).unwrap() else { panic!() };
        assert_eq!(fed(&client.sends).half_close, HalfClose::Always);
        assert_eq!(client.timeout, Some(Duration::from_secs(3)));
        let NcJob::Connect(client) = job(&["-q-1", "-p", "4000", "127.0.0.1", "9"]).unwrap() else {
            panic!()
        };
        assert_eq!(fed(&client.sends).half_close, HalfClose::Never);
        assert_eq!(client.bind, Some("0.0.0.0:4000".parse().unwrap()));
        let NcJob::Scan(scan) = job(&["-z", "127.0.0.1", "22-20", "80"]).unwrap() else { panic!() };
        assert_eq!(scan.ports, [20, 21, 22, 80]);
        let NcJob::Send(send) = job(&["-u", "-q0", "127.0.0.1", "53"]).unwrap() else { panic!() };
        assert_eq!((fed(&send.sends).wait, send.connect), (Duration::ZERO, true));
        let NcJob::UdpListen(serve) = job(&["-ul", "127.0.0.1", "0", "-w", "2"]).unwrap() else { panic!() };
        assert_eq!(
            (serve.peers, serve.idle),
            (udp::Peers::First, udp::Idle::AfterFirst(Duration::from_secs(2)))
        );
        assert!(matches!(serve.answer, udp::Answer::Stdin { crlf: false, quit_after: None }));
    }

    #[test]
    fn mistakes_are_nc_s() {
        assert!(refused(&["127.0.0.1"]).contains("no port"), "{}", refused(&["127.0.0.1"]));
        assert!(refused(&["-l"]).contains("port to listen on"), "{}", refused(&["-l"]));
        assert!(refused(&["-k", "127.0.0.1", "9"]).contains("-k"));
        assert!(refused(&["-lz", "9"]).contains("-z"));
        assert!(refused(&["-l", "-p", "5", "6"]).contains("usage"));
        assert!(refused(&["-l", "127.0.0.1", "5", "6"]).contains("usage"));
        assert!(refused(&["127.0.0.1", "0"]).contains("port 0"), "{}", refused(&["127.0.0.1", "0"]));
        assert!(refused(&["127.0.0.1", "70000"]).contains("70000"));
        assert!(refused(&["127.0.0.1", "8-9"]).contains("-z"));
        assert!(refused(&["-n", "localhost", "80"]).contains("localhost"));
        assert!(refused(&["-zu", "127.0.0.1", "53"]).contains("not supported"));
    }
}
