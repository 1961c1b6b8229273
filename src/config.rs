//! The validated run: what to do and how output looks. Built from the
//! command line by cli.rs; the library runs it without knowing about clap.

use crate::bench::tcp::TcpBenchConfig;
use crate::bench::udp::UdpBenchConfig;
use crate::demo::DemoConfig;
use crate::hex::HexConfig;
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
}

#[derive(Debug, Clone)]
pub struct Run {
    pub job: Job,
    pub output: OutputConfig,
    /// Notes about the command line itself (a flag that changes nothing
    /// now), told before the job starts.
    pub notices: Vec<String>,
}
