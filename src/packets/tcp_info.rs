//! The latest TCP_INFO of a connection, read while the kernel still
//! lists the socket ([`LastTcpInfo`]), and the sockets it can be read of.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::capture::TcpInfo;
use crate::model::Locked;

/// The latest TCP_INFO of one connection. sock_diag, which reads it, finds
/// a socket only while the kernel lists it: once both FINs are through (the
/// side that closed first moves to TIME_WAIT, the other to CLOSE), it is
/// gone, often before the program's own close(). So it is read at each
/// step that may be the last one the kernel sees listed (a shutdown, an
/// EOF, the close), and after data at most every [`DATA_READS`]; the last
/// answer is the one kept, and its `state` says when that was. A read is a
/// sock_diag query (12 µs); it is made only when asked for (`--packets`,
/// `--explain`, `--json`).
#[derive(Debug, Default)]
pub(crate) struct LastTcpInfo {
    enabled: bool,
    /// The last values read, when, and whether a later forced read found
    /// the socket gone (then they are given with the time they were read).
    last: Mutex<(Option<TcpInfo>, Option<Instant>)>,
    stale: std::sync::atomic::AtomicBool,
}

/// The least time between two reads after data: a bulk transfer's sends
/// would otherwise each cost a query.
pub(crate) const DATA_READS: Duration = Duration::from_millis(10);

impl LastTcpInfo {
    pub(crate) fn new(enabled: bool) -> LastTcpInfo {
        LastTcpInfo { enabled, last: Mutex::new((None, None)), stale: Default::default() }
    }

    /// Reads the socket's TCP_INFO now, if the kernel still lists it.
    pub(crate) fn read<S: SocketFd>(&self, socket: &S) {
        self.read_if(socket, true);
    }

    /// After data: reads it unless it was read less than [`DATA_READS`] ago.
    pub(crate) fn read_after_data<S: SocketFd>(&self, socket: &S) {
        self.read_if(socket, false);
    }

    fn read_if<S: SocketFd>(&self, socket: &S, forced: bool) {
        if !self.enabled {
            return;
        }
        let due = forced || self.last.locked().1.is_none_or(|at| at.elapsed() >= DATA_READS);
        if !due {
            return;
        }
        let read = socket.tcp_info();
        self.stale.store(read.is_none() && forced, std::sync::atomic::Ordering::Relaxed);
        if let Some(info) = read {
            *self.last.locked() = (Some(info), Some(Instant::now()));
        }
    }

    /// The last TCP_INFO read; when the last forced read found the socket
    /// gone, with the time it was read (`read_us`).
    pub(crate) fn get(&self) -> Option<TcpInfo> {
        let (info, at) = *self.last.locked();
        let stale = self.stale.load(std::sync::atomic::Ordering::Relaxed);
        info.map(|info| match (stale, at) {
            (true, Some(at)) => {
                TcpInfo { read_us: Some(crate::model::clock::Stamp::of(at).0.as_micros() as u64), ..info }
            }
            _ => info,
        })
    }
}

/// A socket whose TCP_INFO can be read: Linux for now.
pub(crate) trait SocketFd {
    fn tcp_info(&self) -> Option<TcpInfo>;
}

#[cfg(target_os = "linux")]
impl<T: std::os::fd::AsFd> SocketFd for T {
    fn tcp_info(&self) -> Option<TcpInfo> {
        crate::capture::tcp_info(self).ok()
    }
}

#[cfg(not(target_os = "linux"))]
impl<T> SocketFd for T {
    fn tcp_info(&self) -> Option<TcpInfo> {
        None
    }
}
