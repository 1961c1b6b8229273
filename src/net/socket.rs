//! Builds sockets with socket2, one step at a time, and reports each step
//! with the values really in effect (read back from the socket), so the
//! course's socket → bind → listen sequence appears on screen in order.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Result;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::event::{Event, Family, Proto, Role, Step};
use crate::model::{Op, SockOpt};
use crate::net::addr::{Target, resolve};
use crate::net::{NetError, ports};
use crate::sink::Report;
use crate::sys::reuse_port;

/// Options set on a socket before bind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SocketOptions {
    /// SO_REUSEADDR: `Some(true)` sets it, `Some(false)` shows it left off
    /// (the OS default), `None` neither sets nor shows it.
    pub(crate) reuse_addr: Option<bool>,
    pub(crate) reuse_port: bool,
    /// IPV6_V6ONLY on an IPv6 socket; `None` leaves the OS default.
    pub(crate) v6only: Option<bool>,
    /// SO_RCVBUF to ask for; `None` leaves the OS default.
    pub(crate) recv_buffer: Option<usize>,
    /// SO_SNDBUF to ask for; `None` leaves the OS default.
    pub(crate) send_buffer: Option<usize>,
}

/// Resolves a client's target and reports the addresses it will try. With
/// a local `bind` address, only addresses of its family remain: a socket
/// bound to IPv4 cannot reach IPv6.
pub(crate) fn resolve_target(
    target: &Target,
    family: Option<Family>,
    bind: Option<SocketAddr>,
    report: &Report,
) -> Result<Vec<SocketAddr>> {
    let Target { host, port } = target;
    let mut addrs = resolve(host, *port, family)?;
    if let Some(bind) = bind {
        addrs.retain(|a| a.is_ipv4() == bind.is_ipv4());
        if addrs.is_empty() {
            return Err(NetError::BindFamily { host: host.clone(), bind }.into());
        }
    }
    report.emit(Event::Step(Step::Resolve { host: host.clone(), port: *port, addrs: addrs.clone() }))?;
    Ok(addrs)
}

/// `socket()` and the options, reported.
pub(crate) fn open(
    addr: &SocketAddr,
    proto: Proto,
    role: Role,
    options: SocketOptions,
    report: &Report,
) -> Result<Socket> {
    let family = Family::of(addr);
    let (domain, ty, protocol) = match proto {
        Proto::Tcp => (Domain::for_address(*addr), Type::STREAM, Protocol::TCP),
        Proto::Udp => (Domain::for_address(*addr), Type::DGRAM, Protocol::UDP),
    };
    let socket =
        Socket::new(domain, ty, Some(protocol)).map_err(|e| NetError::socket(Op::Socket, *addr, e))?;
    report.emit(Event::Step(Step::Socket { role, family, proto }))?;

    let fail = |op| move |e| NetError::socket(op, *addr, e);
    match options.reuse_addr {
        Some(true) => {
            socket.set_reuse_address(true).map_err(fail(Op::SetOption(SockOpt::ReuseAddr)))?;
            let value = socket.reuse_address().map_err(fail(Op::ReadOption(SockOpt::ReuseAddr)))?;
            report.emit(Event::Step(Step::SetOption {
                role,
                name: SockOpt::ReuseAddr,
                set: 1,
                value: value.into(),
            }))?;
            if let Some(warning) = crate::sys::reuse::when_set() {
                report.emit(Event::Notice { conn: None, message: warning })?;
            }
        }
        Some(false) => {
            let value = socket.reuse_address().map_err(fail(Op::ReadOption(SockOpt::ReuseAddr)))?;
            report.emit(Event::Step(Step::ReadOption {
                role,
                name: SockOpt::ReuseAddr,
                value: value.into(),
            }))?;
        }
        None => {}
    }
    if options.reuse_port {
        match reuse_port::set(&socket).map_err(fail(Op::SetOption(SockOpt::ReusePort)))? {
            Some(value) => report.emit(Event::Step(Step::SetOption {
                role,
                name: SockOpt::ReusePort,
                set: 1,
                value: value.into(),
            }))?,
            None => report.emit(Event::Notice { conn: None, message: reuse_port::unavailable() })?,
        }
    }
    if let Some(size) = options.recv_buffer {
        socket.set_recv_buffer_size(size).map_err(fail(Op::SetOption(SockOpt::RcvBuf)))?;
        let value = socket.recv_buffer_size().map_err(fail(Op::ReadOption(SockOpt::RcvBuf)))?;
        report.emit(Event::Step(Step::SetOption {
            role,
            name: SockOpt::RcvBuf,
            set: size as i64,
            value: value as i64,
        }))?;
    }
    if let Some(size) = options.send_buffer {
        socket.set_send_buffer_size(size).map_err(fail(Op::SetOption(SockOpt::SndBuf)))?;
        let value = socket.send_buffer_size().map_err(fail(Op::ReadOption(SockOpt::SndBuf)))?;
        report.emit(Event::Step(Step::SetOption {
            role,
            name: SockOpt::SndBuf,
            set: size as i64,
            value: value as i64,
        }))?;
    }
    // IPV6_V6ONLY decides only whether a socket bound to :: (or to an
    // IPv4-mapped address) takes IPv4 peers: shown where it is asked for,
    // or where a server binds such an address (a client to ::1, a server
    // on ::1, would show a number that means nothing there).
    let dual = match addr.ip() {
        std::net::IpAddr::V6(ip) => ip.is_unspecified() || ip.to_ipv4_mapped().is_some(),
        std::net::IpAddr::V4(_) => false,
    };
    let matters = options.v6only.is_some() || (role == Role::Server && dual);
    if family == Family::V6 && matters {
        let step = match options.v6only {
            Some(only) => {
                socket.set_only_v6(only).map_err(fail(Op::SetOption(SockOpt::V6Only)))?;
                let value = socket.only_v6().map_err(fail(Op::ReadOption(SockOpt::V6Only)))?;
                Step::SetOption { role, name: SockOpt::V6Only, set: only.into(), value: value.into() }
            }
            None => {
                let value = socket.only_v6().map_err(fail(Op::ReadOption(SockOpt::V6Only)))?;
                Step::ReadOption { role, name: SockOpt::V6Only, value: value.into() }
            }
        };
        report.emit(Event::Step(step))?;
    }
    Ok(socket)
}

/// `bind(addr)`, reported; returns the address really bound (port 0
/// becomes the port the OS chose).
pub(crate) fn bind(socket: &Socket, addr: &SocketAddr, role: Role, report: &Report) -> Result<SocketAddr> {
    report.emit(Event::Step(Step::Bind { role, addr: *addr }))?;
    socket.bind(&SockAddr::from(*addr)).map_err(|e| match e.kind() {
        // Who holds it is looked up now, while it still does.
        std::io::ErrorKind::AddrInUse => {
            let proto = if socket.r#type().is_ok_and(|t| t == Type::DGRAM) { Proto::Udp } else { Proto::Tcp };
            let holder = crate::sys::in_use::holder(proto, *addr);
            let reuse = socket.reuse_address().unwrap_or(false);
            NetError::InUse { proto, role, addr: *addr, holder, reuse }
        }
        _ => NetError::socket(Op::Bind, *addr, e),
    })?;
    local_addr(socket, addr)
}

/// `listen(backlog)`, reported with the queue length the kernel really uses.
pub(crate) fn listen(socket: &Socket, addr: &SocketAddr, backlog: i32, report: &Report) -> Result<()> {
    socket.listen(backlog).map_err(|e| NetError::socket(Op::Listen, *addr, e))?;
    let effective = ports::somaxconn().map_or(backlog, |cap| backlog.min(cap));
    report.emit(Event::Step(Step::Listen { backlog, effective }))?;
    Ok(())
}

/// `connect(addr)` bounded by `timeout`, reported. The outer result fails
/// only when output is gone; the inner one is the attempt's outcome.
pub(crate) fn connect(
    socket: &Socket,
    addr: &SocketAddr,
    timeout: Option<Duration>,
    report: &Report,
) -> Result<std::io::Result<()>> {
    // Stamped before the call: the server's accept is shown after it.
    let cause = report.cause(0)?;
    let target = SockAddr::from(*addr);
    let result = match timeout {
        Some(limit) => socket.connect_timeout(&target, limit),
        None => socket.connect(&target),
    };
    cause.emit(Event::Step(Step::Connect { role: Role::Client, addr: *addr }))?;
    Ok(result)
}

/// The socket's own address, as the OS sees it.
pub(crate) fn local_addr(socket: &Socket, asked: &SocketAddr) -> Result<SocketAddr> {
    let local = socket.local_addr().map_err(|e| NetError::socket(Op::GetSockName, *asked, e))?;
    Ok(local.as_socket().unwrap_or(*asked))
}
