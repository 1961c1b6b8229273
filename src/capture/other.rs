//! Systems other than Linux: packet capture, TCP_INFO and private network
//! namespaces are Linux-only for now. Every entry point says so in one line
//! ([`CaptureError::Unsupported`]); the types exist so that callers build
//! the same everywhere. A later capture library (pcap, BPF devices on
//! macOS, Npcap on Windows) can fill this in.

use std::io;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::{CaptureError, CaptureOptions, Captured, TcpInfo};
use crate::model::tcp_info::ListenQueue;

/// Nothing: a value of this type cannot exist, so neither can a `Capture`.
#[derive(Debug, Clone)]
enum Never {}

/// A network interface (never found on this system).
#[derive(Debug, Clone)]
pub struct Interface {
    pub name: String,
    pub index: u32,
    pub loopback: bool,
}

impl Interface {
    pub fn named(_name: &str) -> Result<Interface, CaptureError> {
        Err(CaptureError::Unsupported)
    }

    pub fn loopback() -> Result<Interface, CaptureError> {
        Err(CaptureError::Unsupported)
    }

    pub fn for_addresses(_local: IpAddr, _peer: IpAddr) -> Result<Interface, CaptureError> {
        Err(CaptureError::Unsupported)
    }
}

/// A packet capture: cannot be opened on this system.
pub struct Capture {
    never: Never,
}

impl Capture {
    pub fn open(_options: &CaptureOptions) -> Result<Capture, CaptureError> {
        Err(CaptureError::Unsupported)
    }

    pub fn set_ports(&mut self, _ports: &[u16]) -> Result<(), CaptureError> {
        match self.never {}
    }

    pub fn drops(&self) -> u32 {
        match self.never {}
    }

    pub fn recv(&mut self, _timeout: Duration) -> Result<Option<Captured>, CaptureError> {
        match self.never {}
    }

    pub fn drain(&mut self, _out: &mut Vec<Captured>) -> Result<Instant, CaptureError> {
        match self.never {}
    }

    pub(crate) fn drain_at_most(
        &mut self,
        _out: &mut Vec<Captured>,
        _most: usize,
        _most_bytes: usize,
    ) -> Result<(Instant, bool), CaptureError> {
        match self.never {}
    }
}

fn unsupported() -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, "TCP_INFO is read on Linux only for now")
}

/// TCP_INFO: Linux-only for now.
pub fn tcp_info<S>(_socket: &S) -> io::Result<TcpInfo> {
    Err(unsupported())
}

/// Bytes not acknowledged by the peer: Linux-only for now.
pub(crate) fn unsent<S>(_socket: &S) -> io::Result<u64> {
    Err(unsupported())
}

/// What a peer on this machine has not read: Linux-only for now (None:
/// not known, as for a peer elsewhere).
pub(crate) fn peer_unread<S>(_socket: &S) -> io::Result<Option<u64>> {
    Ok(None)
}

/// The accept queue: Linux-only for now.
pub fn listen_queue<S>(_listener: &S) -> io::Result<ListenQueue> {
    Err(unsupported())
}

/// Why the process could not move into a private network namespace.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message())]
pub enum NetnsError {
    Unsupported,
}

impl NetnsError {
    /// What failed, in the catalogues' words (English in `--json`).
    pub(crate) fn message(&self) -> crate::i18n::Msg {
        match self {
            NetnsError::Unsupported => crate::msg!("netns-unsupported"),
        }
    }
}

/// Private network namespaces are Linux-only.
pub fn enter_private_netns() -> Result<(), NetnsError> {
    Err(NetnsError::Unsupported)
}
