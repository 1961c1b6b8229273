//! The validated run: what to do and how output looks. Built from the
//! command line by cli/convert.rs; the library runs it without knowing about
//! clap. Every job's type lives here, under the runners that take it by
//! reference: a runner reads its config, never changes it, and what a run
//! learns of its terminal (a progress line, the demo's pauses, the hex
//! dump's width) is decided in the conversion, before the job starts.

pub(crate) mod bench;
pub(crate) mod demo;
pub(crate) mod hex;
pub(crate) mod nc;
pub(crate) mod tcp;
pub(crate) mod udp;

use std::path::PathBuf;
use std::sync::Arc;

use bench::{TcpBenchConfig, UdpBenchConfig};
use demo::DemoConfig;
use hex::HexConfig;
use tcp::{ConnectConfig, ServeConfig};
use udp::{SendConfig, UdpServeConfig};

use crate::report::OutputConfig;
use crate::script::Script;

#[derive(Debug, Clone)]
pub(crate) enum Job {
    /// Print the hex dump's legend.
    Legend,
    /// Write these bytes to stdout: a completion script, the manual page.
    Print(Vec<u8>),
    TcpServe(ServeConfig),
    TcpConnect(ConnectConfig),
    /// Dump a file or stdin.
    Hex(HexConfig),
    UdpServe(UdpServeConfig),
    UdpSend(SendConfig),
    TcpBench(TcpBenchConfig),
    UdpBench(UdpBenchConfig),
    /// Boxed: its runs are every server and client of its parts.
    Demo(Box<DemoConfig>),
    /// `netplay nc`: one of the runners above, as nc's flags ask.
    Nc(nc::NcConfig),
}

#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) job: Job,
    pub(crate) output: OutputConfig,
    /// Notes about the command line itself (a flag that changes nothing
    /// now), told before the job starts.
    pub(crate) notices: Vec<crate::i18n::Msg>,
}

impl Job {
    /// The jobs `--html` and `--svg` draw: the course's exchanges and the demo.
    pub(crate) fn draws_picture(&self) -> bool {
        matches!(
            self,
            Job::TcpServe(_) | Job::TcpConnect(_) | Job::UdpServe(_) | Job::UdpSend(_) | Job::Demo(_)
        )
    }

    /// The command a picture is titled with, and the end it runs.
    pub(crate) fn picture_title(&self) -> (&'static str, crate::event::Role) {
        use crate::event::Role;
        match self {
            Job::TcpServe(_) => ("tcp serve", Role::Server),
            Job::TcpConnect(_) => ("tcp connect", Role::Client),
            Job::UdpServe(_) => ("udp serve", Role::Server),
            Job::UdpSend(_) => ("udp send", Role::Client),
            _ => ("demo", Role::Client),
        }
    }

    /// The job with what `--packets`, `--pcap` (and TCP_INFO) ask of it;
    /// only the runners of the course's exchanges and the demo capture.
    pub(crate) fn with_packets(mut self, packets: PacketsConfig) -> Result<Job, UsageError> {
        match &mut self {
            Job::TcpServe(config) => config.packets = packets,
            Job::TcpConnect(config) => config.packets = packets,
            Job::UdpServe(config) => config.packets = packets,
            Job::UdpSend(config) => config.packets = packets,
            Job::Demo(config) => config.packets = packets,
            _ if packets.wanted() => {
                return Err(UsageError(crate::msg!("usage-packets-where")));
            }
            _ => {}
        }
        Ok(self)
    }
}

/// What a client sends: an input, fed as `F` says (`tcp::Feed`,
/// `udp::Feed`: where the bytes come from and what is done with them on
/// the way), or a script's steps instead. A run carries one or the other:
/// there is no input beside a script to build, nor a CR LF or a count that
/// a script would ignore.
#[derive(Debug, Clone)]
pub(crate) enum Sends<F> {
    Input(F),
    /// `--script`: play these steps instead of sending an input.
    Script(Arc<Script>),
}

impl<F> Sends<F> {
    /// The script played, if the run plays one.
    pub(crate) fn script(&self) -> Option<&Arc<Script>> {
        match self {
            Sends::Script(script) => Some(script),
            Sends::Input(_) => None,
        }
    }
}

/// A bad value met after clap's parsing (a port, a host:port, a hex string),
/// or a combination no run can serve: exit.rs gives it the usage code.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub crate::i18n::Msg);

/// What a run captures, from `--packets` and `--pcap`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PacketsConfig {
    /// Show each packet: a ladder line, or a JSON `packet` event.
    pub(crate) show: bool,
    /// Write the packets, whole, to this pcap file.
    pub(crate) pcap: Option<PathBuf>,
    /// Read TCP_INFO when a TCP connection closes (with --packets,
    /// --explain or --json: a getsockopt, or a sock_diag query, 12 µs).
    pub(crate) tcp_info: bool,
}

impl PacketsConfig {
    /// True when a capture is wanted at all.
    pub(crate) fn wanted(&self) -> bool {
        self.show || self.pcap.is_some()
    }
}
