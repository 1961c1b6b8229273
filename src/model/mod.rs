//! The plain types everything else is made of, and the clock: what a
//! protocol, a family, a role and a direction are; a parsed packet (and its
//! parser); what TCP_INFO says; the facts of ports; the moment an event
//! happened. A leaf: nothing here imports the rest of the crate, so every
//! layer above (sys, net, capture, event, report) can share these types
//! without importing one another (tests/suite/layers.rs keeps it so).

use std::net::SocketAddr;

use serde::Serialize;

pub(crate) mod clock;
pub(crate) mod flows;
pub(crate) mod front;
pub(crate) mod packet;
pub(crate) mod ports;
pub(crate) mod tcp_info;

use std::sync::{Condvar, Mutex, MutexGuard, WaitTimeoutResult};
use std::time::Duration;

/// TCP or UDP: the two modes the course compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    /// `TCP`, `UDP`: the protocol as people name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
        }
    }

    /// `SOCK_STREAM`, `SOCK_DGRAM`: the socket type socket() takes.
    pub(crate) fn socket_type(self) -> &'static str {
        match self {
            Proto::Tcp => "SOCK_STREAM",
            Proto::Udp => "SOCK_DGRAM",
        }
    }
}

/// The address family of a socket: AF_INET or AF_INET6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Family {
    #[serde(rename = "ipv4")]
    V4,
    #[serde(rename = "ipv6")]
    V6,
}

impl Family {
    pub(crate) fn of(addr: &SocketAddr) -> Family {
        if addr.is_ipv4() { Family::V4 } else { Family::V6 }
    }

    /// `IPv4`, `IPv6`: the family as people name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }

    /// `AF_INET`, `AF_INET6`: the constant socket() takes.
    pub(crate) fn constant(self) -> &'static str {
        match self {
            Family::V4 => "AF_INET",
            Family::V6 => "AF_INET6",
        }
    }
}

/// Which end of the exchange a socket plays, so explanations can name it the
/// way the course does (`server_socket`, `client_socket`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Server,
    Client,
}

/// Direction of bytes, seen from netplay: `in` was received, `out` was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    In,
    Out,
}

/// A socket option netplay sets or reads. JSON carries its C name
/// (`"SO_REUSEADDR"`), as the course and the man pages write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SockOpt {
    #[serde(rename = "SO_REUSEADDR")]
    ReuseAddr,
    #[serde(rename = "SO_REUSEPORT")]
    ReusePort,
    #[serde(rename = "SO_RCVBUF")]
    RcvBuf,
    #[serde(rename = "SO_SNDBUF")]
    SndBuf,
    #[serde(rename = "IPV6_V6ONLY")]
    V6Only,
    #[serde(rename = "SO_RXQ_OVFL")]
    RxqOvfl,
    #[serde(rename = "SO_LINGER")]
    Linger,
    #[serde(rename = "UDP_SEGMENT")]
    UdpSegment,
    #[serde(rename = "UDP_GRO")]
    UdpGro,
}

impl SockOpt {
    /// The option's C name, as `setsockopt` takes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            SockOpt::ReuseAddr => "SO_REUSEADDR",
            SockOpt::ReusePort => "SO_REUSEPORT",
            SockOpt::RcvBuf => "SO_RCVBUF",
            SockOpt::SndBuf => "SO_SNDBUF",
            SockOpt::V6Only => "IPV6_V6ONLY",
            SockOpt::RxqOvfl => "SO_RXQ_OVFL",
            SockOpt::Linger => "SO_LINGER",
            SockOpt::UdpSegment => "UDP_SEGMENT",
            SockOpt::UdpGro => "UDP_GRO",
        }
    }

    /// The protocol level `setsockopt` takes it at.
    pub(crate) fn level(self) -> &'static str {
        match self {
            SockOpt::V6Only => "IPPROTO_IPV6",
            SockOpt::UdpSegment | SockOpt::UdpGro => "SOL_UDP",
            _ => "SOL_SOCKET",
        }
    }
}

impl std::fmt::Display for SockOpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A socket operation that can fail, named by what was attempted: an error
/// carries one (net::NetError), exit.rs picks a code by it, and the
/// catalogues hold its words (`op-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    /// socket(), for a connection to or from an address.
    Socket,
    Bind,
    Listen,
    Accept,
    GetSockName,
    GetPeerName,
    SetNonBlocking,
    /// A second handle on the socket (`try_clone`).
    CloneSocket,
    /// dup(): a second descriptor of the socket, for another thread.
    Dup,
    /// Handing the socket to the event loop.
    Register,
    /// SO_RCVTIMEO: a deadline on each receive.
    SetTimeout,
    Shutdown,
    Close,
    /// recv() on a TCP connection.
    Recv,
    /// send() on a TCP connection.
    Send,
    /// recvfrom() on a UDP socket that receives from anyone.
    RecvFrom,
    /// sendto() on a UDP socket that is not connected.
    SendTo,
    /// recvmsg() with its ancillary data.
    RecvMsg,
    /// recv() on a connected UDP socket.
    RecvConnectedUdp,
    /// send() on a connected UDP socket.
    SendConnectedUdp,
    /// recvfrom() on the unconnected UDP socket a client sends from.
    RecvFromSending,
    /// A bench sender reading the count its receiver sent back.
    ReadCount,
    SetOption(SockOpt),
    ReadOption(SockOpt),
    /// A receive that waited its whole idle limit for data (TCP).
    WaitData,
    /// A receive that waited its whole idle limit for datagrams (UDP).
    WaitDatagrams,
    /// A receive that waited its whole idle limit for the one peer's
    /// datagrams (UDP, `netplay nc -u -l -w`).
    WaitDatagramsFrom,
    /// connect() of a UDP socket to the one peer it answers.
    ConnectUdp,
}

impl Op {
    /// True for the operations of a UDP client (sending, or receiving the
    /// replies): an ICMP port unreachable that came back fails these.
    pub(crate) fn is_udp_client(self) -> bool {
        matches!(self, Op::SendTo | Op::RecvFromSending | Op::SendConnectedUdp | Op::RecvConnectedUdp)
    }
}

/// The documented exit codes (README, `netplay --help`); exit.rs maps each
/// failure to one, net and script say which their errors mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    /// Anything not listed below (a file that cannot be read, ...).
    Failure = 1,
    /// A bad flag or value (a datagram too big for UDP too); clap uses 2
    /// for its own usage errors too.
    Usage = 2,
    /// A host name did not resolve, or not in the family asked for.
    Resolve = 3,
    /// Connection refused: nothing listens there (for UDP, an ICMP port
    /// unreachable on a connected socket).
    Refused = 4,
    /// Connecting or waiting for data took longer than --timeout.
    Timeout = 5,
    /// Address already in use.
    AddrInUse = 6,
    /// Permission denied (a privileged port, most often).
    Permission = 7,
    /// The peer reset or aborted the connection.
    Reset = 8,
    /// The peer did not follow the `--script`: other bytes, an early EOF,
    /// a reset, or silence past a step's timeout (src/script).
    Script = 9,
    /// The input, a regular file, shrank while it was sent: the peer got a
    /// cut stream (and a RST), not the file.
    InputShrank = 10,
}

/// A mutex taken whatever happened to its last holder: a poisoned lock only
/// means another thread panicked while holding it (and that panic is
/// reported); what it guards (counters, buffers, queues) is still usable, and
/// output must go on. The one place this choice is made.
pub(crate) trait Locked<T> {
    fn locked(&self) -> MutexGuard<'_, T>;
}

impl<T> Locked<T> for Mutex<T> {
    fn locked(&self) -> MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A condition variable waited on by the same rule as [`Locked`]: a wait
/// that wakes on a poisoned lock goes on with what it guards.
pub(crate) trait Waits {
    fn waited<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T>;
    fn waited_for<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult);
    fn waited_while<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        cond: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T>;
    fn waited_for_while<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
        cond: impl FnMut(&mut T) -> bool,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult);
}

impl Waits for Condvar {
    fn waited<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    fn waited_for<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        self.wait_timeout(guard, dur).unwrap_or_else(|e| e.into_inner())
    }

    fn waited_while<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        cond: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        self.wait_while(guard, cond).unwrap_or_else(|e| e.into_inner())
    }

    fn waited_for_while<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
        cond: impl FnMut(&mut T) -> bool,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        self.wait_timeout_while(guard, dur, cond).unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Condvar, Mutex};
    use std::time::Duration;

    use super::{Locked, Waits};

    /// A lock poisoned by a thread that panicked holding it: taking it and
    /// waiting on it both go on with what it guards.
    #[test]
    fn a_poisoned_lock_is_taken_and_waited_on() {
        let shared = Arc::new((Mutex::new(7), Condvar::new()));
        let other = shared.clone();
        let _ = std::thread::spawn(move || {
            let _held = other.0.lock().unwrap();
            panic!("poisons the lock");
        })
        .join();
        assert!(shared.0.is_poisoned());
        let (lock, changed) = &*shared;
        assert_eq!(*lock.locked(), 7);
        let (guard, waited) = changed.waited_for(lock.locked(), Duration::from_millis(1));
        assert!(waited.timed_out());
        assert_eq!(*guard, 7);
        let guard = changed.waited_while(guard, |n| *n != 7);
        let (guard, _) = changed.waited_for_while(guard, Duration::from_millis(1), |n| *n != 7);
        assert_eq!(*guard, 7);
    }
}
