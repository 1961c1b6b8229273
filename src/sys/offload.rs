//! The kernel's UDP offloads, which `udp bench` uses where they exist.
//!
//! - Linux (4.18 and later): UDP_SEGMENT (GSO) on the sender, so one send()
//!   hands the kernel up to 64 datagrams of one size, which it cuts apart;
//!   UDP_GRO on the receiver, so one recvmsg() may return several
//!   datagrams of one sender glued together, their size in a control
//!   message (UDP_GRO, cmsg).
//! - macOS and Windows: neither (Windows has USO and URO, but only through
//!   WSAIoctl and WSARecvMsg, which netplay does not call): one send() and
//!   one recv() per datagram, and [`UNAVAILABLE`] says so once.

use std::io;
use std::net::{SocketAddr, UdpSocket};

/// Said once when offloads were asked for and this system has none.
pub(crate) fn unavailable() -> crate::i18n::Msg {
    crate::msg!("notice-offload-unavailable")
}

/// Whether this system has the offloads at all.
pub(crate) const AVAILABLE: bool = cfg!(target_os = "linux");

/// Asks the kernel to glue datagrams on receive; false when it will not.
#[cfg(target_os = "linux")]
pub(crate) fn enable_gro(socket: &impl std::os::fd::AsFd) -> bool {
    use nix::sys::socket::{setsockopt, sockopt};
    setsockopt(socket, sockopt::UdpGroSegment, &true).is_ok()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn enable_gro<S>(_socket: &S) -> bool {
    false
}

/// Makes each send() of `socket` carry datagrams of `size` bytes (0
/// turns it off); false when the kernel will not.
#[cfg(target_os = "linux")]
pub(crate) fn set_gso(socket: &impl std::os::fd::AsFd, size: usize) -> bool {
    use nix::sys::socket::{setsockopt, sockopt};
    setsockopt(socket, sockopt::UdpGsoSegment, &(size as i32)).is_ok()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn set_gso<S>(_socket: &S, _size: usize) -> bool {
    false
}

/// A send() with segments that the path cannot offload after all (EIO,
/// EINVAL): the sender goes back to one datagram per send().
pub(crate) fn gso_refused(err: &io::Error) -> bool {
    cfg!(target_os = "linux") && matches!(err.raw_os_error(), Some(libc::EIO | libc::EINVAL))
}

/// The kernel's queue was full for a moment (ENOBUFS; WSAENOBUFS, 10055).
pub(crate) fn no_buffer_space(err: &io::Error) -> bool {
    let code = if cfg!(windows) { 10055 } else { libc::ENOBUFS };
    err.raw_os_error() == Some(code)
}

/// Receives with room for glued datagrams: `cmsg` is kept between calls.
pub(crate) struct Receiver {
    #[cfg(target_os = "linux")]
    cmsg: Vec<u8>,
}

impl Receiver {
    pub(crate) fn new() -> Receiver {
        Receiver {
            #[cfg(target_os = "linux")]
            cmsg: nix::cmsg_space!(i32),
        }
    }

    /// One receive: the bytes in `buf`, their sender, and the size of each
    /// datagram in them (more than one when GRO glued them).
    #[cfg(target_os = "linux")]
    pub(crate) fn receive(
        &mut self,
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr, usize)> {
        use std::io::IoSliceMut;
        use std::os::fd::AsRawFd;

        use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg};

        let mut iov = [IoSliceMut::new(buf)];
        let msg =
            recvmsg::<SockaddrStorage>(socket.as_raw_fd(), &mut iov, Some(&mut self.cmsg), MsgFlags::empty())
                .map_err(io::Error::from)?;
        let len = msg.bytes;
        let segment = msg
            .cmsgs()
            .ok()
            .and_then(|mut all| {
                all.find_map(|c| match c {
                    ControlMessageOwned::UdpGroSegments(size) if size > 0 => Some(size as usize),
                    _ => None,
                })
            })
            .unwrap_or(len);
        let from = msg.address.and_then(|a| {
            a.as_sockaddr_in()
                .map(|v4| SocketAddr::from(*v4))
                .or_else(|| a.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6)))
        });
        let from = from.ok_or_else(|| io::Error::other("a datagram from a non-IP address"))?;
        Ok((len, from, segment.max(1)))
    }

    /// One receive: one datagram, its sender, and its size.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn receive(
        &mut self,
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr, usize)> {
        let (len, from) = socket.recv_from(buf)?;
        Ok((len, from, len.max(1)))
    }
}

impl Default for Receiver {
    fn default() -> Self {
        Receiver::new()
    }
}
