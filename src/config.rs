//! The validated run: what to do and how output looks. Built from the
//! command line by cli/convert.rs; the library runs it without knowing about clap.

use crate::bench::tcp::TcpBenchConfig;
use crate::bench::udp::UdpBenchConfig;
use crate::demo::DemoConfig;
use crate::hex::HexConfig;
use crate::packets::PacketsConfig;
use crate::report::OutputConfig;
use crate::tcp::connect::ConnectConfig;
use crate::tcp::serve::ServeConfig;
use crate::udp::send::SendConfig;
use crate::udp::serve::UdpServeConfig;

#[derive(Debug, Clone)]
pub enum Job {
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
    Demo(DemoConfig),
    /// `netplay nc`: one of the runners above, as nc's flags ask.
    Nc(crate::nc::NcConfig),
}

#[derive(Debug, Clone)]
pub struct Run {
    pub job: Job,
    pub output: OutputConfig,
    /// Notes about the command line itself (a flag that changes nothing
    /// now), told before the job starts.
    pub notices: Vec<crate::i18n::Msg>,
}

impl Job {
    /// The jobs `--html` and `--svg` draw: the course's exchanges and the demo.
    pub fn draws_picture(&self) -> bool {
        matches!(
            self,
            Job::TcpServe(_) | Job::TcpConnect(_) | Job::UdpServe(_) | Job::UdpSend(_) | Job::Demo(_)
        )
    }

    /// The command a picture is titled with, and the end it runs.
    pub fn picture_title(&self) -> (&'static str, crate::event::Role) {
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
    pub fn with_packets(mut self, packets: PacketsConfig) -> Result<Job, UsageError> {
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

/// A bad value met after clap's parsing (a port, a host:port, a hex string),
/// or a combination no run can serve: exit.rs gives it the usage code.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub crate::i18n::Msg);
