//! Capture on Linux: a cooked packet socket (`AF_PACKET`, `SOCK_DGRAM`, so
//! packets start at the IP header) bound to one interface, with the kernel
//! filter of `filter.rs`, kernel timestamps (`SO_TIMESTAMPNS`) and the
//! socket's drop counter (`SO_RXQ_OVFL`).
//!
//! Built with socket2 (the socket, the filter, the timeouts) and nix (the
//! interface list, `bind` to the interface's link address, `recvmsg` for the
//! sender's `sockaddr_ll` and the control messages): no unsafe code here.

use std::io::IoSliceMut;
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant, UNIX_EPOCH};

use nix::errno::Errno;
use nix::ifaddrs::getifaddrs;
use nix::net::if_::InterfaceFlags;
use nix::sys::socket::{ControlMessageOwned, LinkAddr, MsgFlags, bind, recvmsg, setsockopt, sockopt};
use nix::sys::time::TimeSpec;
use socket2::{Domain, Protocol, SockFilter, Socket, Type};

use super::filter::{self, FilterSpec, PACKET_HOST};
use super::{
    CaptureError, CaptureOp, CaptureOptions, Captured, ClockAnchor, Direction, Frame, packet_time, wire_len,
};

/// `ETH_P_ALL`: every protocol, and (only for this protocol) the copies of
/// outgoing packets too.
const ETH_P_ALL: u16 = 0x0003;
/// The receive buffer asked for. Each queued packet is charged its whole
/// kernel buffer (up to 64 KiB on loopback) however few bytes the filter
/// keeps, so a small buffer drops packets during a fast transfer.
const RECV_BUFFER: usize = 32 << 20;

/// A network interface packets can be captured on.
#[derive(Debug, Clone)]
pub struct Interface {
    pub name: String,
    pub index: u32,
    pub loopback: bool,
    /// Its link-layer address, to bind the packet socket to.
    link: LinkAddr,
}

impl Interface {
    /// The interface named `name` (`lo`, `eth0`).
    pub fn named(name: &str) -> Result<Interface, CaptureError> {
        let mut found: Option<Interface> = None;
        for entry in getifaddrs().map_err(|e| io_error(name, CaptureOp::GetIfAddrs, e))? {
            if entry.interface_name != name {
                continue;
            }
            if let Some(link) = entry.address.as_ref().and_then(|a| a.as_link_addr()) {
                found = Some(Interface {
                    name: entry.interface_name.clone(),
                    index: link.ifindex() as u32,
                    loopback: entry.flags.contains(InterfaceFlags::IFF_LOOPBACK),
                    link: *link,
                });
            }
        }
        found.ok_or_else(|| CaptureError::UnknownInterface(name.to_string()))
    }

    /// The loopback interface (`lo`).
    pub fn loopback() -> Result<Interface, CaptureError> {
        let name = getifaddrs()
            .map_err(|e| io_error("lo", CaptureOp::GetIfAddrs, e))?
            .find(|e| e.flags.contains(InterfaceFlags::IFF_LOOPBACK))
            .map(|e| e.interface_name)
            .unwrap_or_else(|| "lo".to_string());
        Interface::named(&name)
    }

    /// The interface a conversation between `local` and `peer` crosses: the
    /// loopback interface when both addresses are this host's (127.x, ::1,
    /// or any address an interface holds: Linux routes traffic between
    /// local addresses through `lo`), else the interface holding `local`.
    pub fn for_addresses(local: IpAddr, peer: IpAddr) -> Result<Interface, CaptureError> {
        let (local, peer) = (local.to_canonical(), peer.to_canonical());
        let mut holder_of_local = None;
        let mut peer_is_local = peer.is_loopback();
        for entry in getifaddrs().map_err(|e| io_error("?", CaptureOp::GetIfAddrs, e))? {
            let ip = entry.address.as_ref().and_then(|a| {
                a.as_sockaddr_in()
                    .map(|v4| IpAddr::V4(v4.ip()))
                    .or_else(|| a.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip())))
            });
            if ip == Some(local) && holder_of_local.is_none() {
                holder_of_local = Some(entry.interface_name.clone());
            }
            if ip == Some(peer) {
                peer_is_local = true;
            }
        }
        if local.is_loopback() || local.is_unspecified() || peer_is_local {
            return Interface::loopback();
        }
        match holder_of_local {
            Some(name) => Interface::named(&name),
            None => Err(CaptureError::NoInterface(local)),
        }
    }
}

fn io_error(interface: &str, op: CaptureOp, e: impl Into<std::io::Error>) -> CaptureError {
    CaptureError::Io { interface: interface.to_string(), op, source: e.into() }
}

/// A running capture; see the module comment. Read it from one thread:
/// [`Capture::recv`] blocks up to a timeout, [`Capture::drain`] never blocks.
pub struct Capture {
    socket: Socket,
    interface: Interface,
    spec: FilterSpec,
    buf: Vec<u8>,
    drops: u32,
    timeout: Option<Duration>,
}

impl Capture {
    /// Opens the packet socket on `options.interface`, filtering on
    /// `options.ports`. Fails with [`CaptureError::NotPermitted`] without
    /// CAP_NET_RAW.
    pub fn open(options: &CaptureOptions) -> Result<Capture, CaptureError> {
        let interface = Interface::named(&options.interface)?;
        let name = interface.name.clone();
        let protocol = Protocol::from(i32::from(ETH_P_ALL.to_be()));
        let socket = Socket::new(Domain::PACKET, Type::DGRAM, Some(protocol)).map_err(|e| {
            match Errno::from_raw(e.raw_os_error().unwrap_or(0)) {
                Errno::EPERM | Errno::EACCES => CaptureError::NotPermitted,
                _ => io_error(&name, CaptureOp::PacketSocket, e),
            }
        })?;
        // Timestamps first: a packet queued before this has none, and would
        // be stamped when read.
        setsockopt(&socket, sockopt::ReceiveTimestampns, &true)
            .map_err(|e| io_error(&name, CaptureOp::Timestamps, e))?;
        setsockopt(&socket, sockopt::RxqOvfl, &1).map_err(|e| io_error(&name, CaptureOp::DropCount, e))?;
        // SO_RCVBUFFORCE passes net.core.rmem_max but needs CAP_NET_ADMIN
        // (root has it; a binary given cap_net_raw alone does not).
        if setsockopt(&socket, sockopt::RcvBufForce, &RECV_BUFFER).is_err() {
            socket
                .set_recv_buffer_size(RECV_BUFFER)
                .map_err(|e| io_error(&name, CaptureOp::RecvBuffer, e))?;
        }
        let spec = FilterSpec {
            ifindex: Some(interface.index),
            outgoing_only: interface.loopback,
            ports: options.ports.iter().copied().collect(),
            snaplen: options.snaplen.max(64),
        };
        let mut capture =
            Capture { socket, interface, buf: vec![0; spec.snaplen as usize], spec, drops: 0, timeout: None };
        capture.attach()?;
        // The socket saw every interface's packets until the filter was on:
        // throw away what it queued meanwhile, then narrow it to the one
        // interface.
        while capture.read(MsgFlags::MSG_DONTWAIT)?.is_some() {}
        bind(capture.socket.as_raw_fd(), &capture.interface.link)
            .map_err(|e| io_error(&capture.interface.name, CaptureOp::Bind, e))?;
        Ok(capture)
    }

    /// Watches `ports` from now on (replacing the kernel filter at once).
    pub fn set_ports(&mut self, ports: &[u16]) -> Result<(), CaptureError> {
        self.spec.ports = ports.iter().copied().collect();
        self.attach()
    }

    /// Packets the kernel dropped because this socket's queue was full, since
    /// it opened (`SO_RXQ_OVFL`, as of the last packet read).
    pub fn drops(&self) -> u32 {
        self.drops
    }

    fn attach(&self) -> Result<(), CaptureError> {
        let program = filter::program(&self.spec)?;
        let insns: Vec<SockFilter> =
            program.iter().map(|i| SockFilter::new(i.code, i.jt, i.jf, i.k)).collect();
        self.socket
            .attach_filter(&insns)
            .map_err(|e| io_error(&self.interface.name, CaptureOp::AttachFilter, e))
    }

    /// Waits for the next packet, up to about `timeout` (each wait on the
    /// socket is `timeout`, and a packet that is not kept, rare, starts
    /// another: at most twice `timeout` in all); `None` when none came.
    /// Packets already queued are read without a system call more than the
    /// read itself.
    pub fn recv(&mut self, timeout: Duration) -> Result<Option<Captured>, CaptureError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.read(MsgFlags::MSG_DONTWAIT)? {
                Some(Some(captured)) => return Ok(Some(captured)),
                Some(None) => continue,
                None => {}
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            // A zero timeout means "forever" to SO_RCVTIMEO.
            let wait = timeout.max(Duration::from_micros(1));
            if self.timeout != Some(wait) {
                self.socket
                    .set_read_timeout(Some(wait))
                    .map_err(|e| io_error(&self.interface.name, CaptureOp::RecvTimeout, e))?;
                self.timeout = Some(wait);
            }
            match self.read(MsgFlags::empty())? {
                None => return Ok(None),
                Some(Some(captured)) => return Ok(Some(captured)),
                Some(None) => {}
            }
        }
    }

    /// Reads every packet queued now into `out`, without waiting, and
    /// returns the time just before it found the queue empty: every packet
    /// stamped before that (less [`super::QUEUE_MARGIN`]) has been read.
    pub fn drain(&mut self, out: &mut Vec<Captured>) -> Result<Instant, CaptureError> {
        Ok(self.drain_at_most(out, usize::MAX, usize::MAX)?.0)
    }

    /// [`Capture::drain`], stopping once `most` packets or `most_bytes`
    /// bytes of them are kept (a flood would otherwise keep it reading, and
    /// its list growing, for as long as it lasts). Also returns whether the
    /// queue was found empty; when not, the time returned is the last
    /// packet's: the queue is read in the order packets came.
    pub(crate) fn drain_at_most(
        &mut self,
        out: &mut Vec<Captured>,
        most: usize,
        most_bytes: usize,
    ) -> Result<(Instant, bool), CaptureError> {
        let (mut kept, mut bytes) = (0, 0);
        loop {
            let before = Instant::now();
            match self.read(MsgFlags::MSG_DONTWAIT)? {
                None => return Ok((before, true)),
                Some(Some(captured)) => {
                    let time = captured.frame.time;
                    bytes += captured.frame.data.len();
                    out.push(captured);
                    kept += 1;
                    if kept >= most || bytes >= most_bytes {
                        return Ok((time.min(before), false));
                    }
                }
                Some(None) => {}
            }
        }
    }

    /// Reads one packet: `None` when there was none (would block, timed
    /// out), `Some(None)` for one that is not kept (the received copy on
    /// loopback, another interface, not ours after all), else the packet.
    fn read(&mut self, flags: MsgFlags) -> Result<Option<Option<Captured>>, CaptureError> {
        let mut cmsg = nix::cmsg_space!(TimeSpec, u32);
        let (bytes, from, stamp, drops) = loop {
            let mut iov = [IoSliceMut::new(&mut self.buf)];
            match recvmsg::<LinkAddr>(self.socket.as_raw_fd(), &mut iov, Some(&mut cmsg), flags) {
                Ok(msg) => {
                    let mut stamp = None;
                    let mut drops = None;
                    for c in msg.cmsgs().map_err(|e| io_error(&self.interface.name, CaptureOp::RecvMsg, e))? {
                        match c {
                            ControlMessageOwned::ScmTimestampns(ts) => stamp = Some(ts),
                            ControlMessageOwned::RxqOvfl(n) => drops = Some(n),
                            _ => {}
                        }
                    }
                    break (msg.bytes, msg.address, stamp, drops);
                }
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => return Ok(None),
                Err(e) => return Err(io_error(&self.interface.name, CaptureOp::RecvMsg, e)),
            }
        };
        let anchor = ClockAnchor::now();
        if let Some(n) = drops {
            self.drops = n;
        }
        let Some(from) = from else { return Ok(Some(None)) };
        let outgoing = u32::from(from.pkttype()) != PACKET_HOST;
        if from.ifindex() as u32 != self.interface.index || (self.interface.loopback && !outgoing) {
            return Ok(Some(None));
        }
        let kernel_time = match stamp {
            Some(ts) => UNIX_EPOCH + Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32),
            None => anchor.system,
        };
        let data = self.buf[..bytes].to_vec();
        let frame = Frame {
            wire_len: wire_len(&data),
            data,
            kernel_time,
            time: packet_time(kernel_time, anchor),
            direction: if outgoing { Direction::Out } else { Direction::In },
            ifindex: from.ifindex() as u32,
        };
        let Ok(packet) = frame.parse() else { return Ok(Some(None)) };
        let ports = &self.spec.ports;
        // A later fragment has no ports: its IP identification tells whose
        // it is, which the caller matches with the first fragments it kept.
        let later = packet.fragment.is_some_and(|f| f.later());
        if !later && !packet.ports().is_some_and(|(a, b)| ports.contains(&a) || ports.contains(&b)) {
            return Ok(Some(None));
        }
        Ok(Some(Some(Captured { frame, packet })))
    }
}
