//! What one `netplay nc` command runs: one of the runners' jobs, as nc's
//! flags ask, and nc's port scan (-z).

use std::net::SocketAddr;
use std::time::Duration;

use super::tcp::{ConnectConfig, ServeConfig};
use super::udp::{SendConfig, UdpServeConfig};
use crate::event::Family;
use crate::model::front::Front;
use crate::net::socket::SocketOptions;

/// What one `netplay nc` command runs.
#[derive(Debug, Clone)]
pub(crate) struct NcConfig {
    pub(crate) job: NcJob,
    /// `-v`: the steps on stderr, and the failure that nc itself would
    /// only tell with -v (a connection refused).
    pub(crate) verbose: bool,
    /// nc's command line, with or without -u: a failure's hint names nc's
    /// options.
    pub(crate) front: Front,
}

/// nc's modes, each a runner's config.
#[derive(Debug, Clone)]
pub(crate) enum NcJob {
    /// `nc HOST PORT`.
    Connect(ConnectConfig),
    /// `nc -l [-k] PORT`.
    Listen(ServeConfig),
    /// `nc -u HOST PORT`.
    Send(SendConfig),
    /// `nc -u -l [-k] PORT`.
    UdpListen(UdpServeConfig),
    /// `nc -z HOST PORT...`.
    Scan(ScanConfig),
}

/// `nc -z`: which ports to try, and how.
#[derive(Debug, Clone)]
pub(crate) struct ScanConfig {
    pub(crate) host: String,
    /// In the order they are tried.
    pub(crate) ports: Vec<u16>,
    pub(crate) family: Option<Family>,
    /// Local address (and port) to bind before each connect.
    pub(crate) bind: Option<SocketAddr>,
    /// Bounds each connect.
    pub(crate) timeout: Option<Duration>,
    pub(crate) options: SocketOptions,
}
