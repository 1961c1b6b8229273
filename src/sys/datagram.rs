//! Receiving one datagram while learning its real length, even when the
//! buffer asked for (the course's recvfrom(1024)) is shorter and the rest
//! is discarded.
//!
//! - Linux: one recvmsg() with MSG_TRUNC, which then returns the
//!   datagram's real length whatever the buffer, and carries the socket's
//!   drop counter in a control message when SO_RXQ_OVFL is on
//!   ([`super::drops`]).
//! - macOS and Windows: MSG_TRUNC on input means nothing there, so a peek
//!   first takes the datagram whole into 65,536 bytes (more than the
//!   largest UDP datagram, 65,527 bytes): its length is the real one. A
//!   recv() into the short buffer then takes the datagram, and the system
//!   discards what does not fit, as recvfrom(1024) does in the course. On
//!   Windows that recv() fails with WSAEMSGSIZE (10040) though it filled
//!   the buffer: it counts as the bytes kept. Two calls instead of one keep
//!   the code free of `unsafe` (socket2's flag-taking receive writes into
//!   uninitialised memory), and they see the same datagram because only
//!   one thread reads each socket. No drop counter there.

use std::io;
use std::net::SocketAddr;

use socket2::Socket;

/// One datagram taken from a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Received {
    /// Who sent it.
    pub(crate) from: SocketAddr,
    /// Its length as it arrived.
    pub(crate) arrived: usize,
    /// The bytes kept in the buffer: `arrived` or the buffer's size, the
    /// lesser. The system discards the rest.
    pub(crate) kept: usize,
    /// With SO_RXQ_OVFL set (Linux, see `sys::drops`): how many datagrams
    /// the kernel had dropped for this socket, its receive buffer full,
    /// when this one was queued. A counter since the socket was made (it
    /// wraps at 2^32); absent while it is 0, and on other systems.
    pub(crate) drops: Option<u32>,
}

/// `--explain` for a cut datagram, with how netplay learnt its length.
pub(crate) fn truncated(recv_size: usize) -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("explain-truncated", recv_size = recv_size)
    } else {
        crate::msg!("explain-truncated-peek", recv_size = recv_size)
    }
}

/// Receives the next datagram into `buf`.
#[cfg(target_os = "linux")]
pub(crate) fn recv(socket: &Socket, buf: &mut [u8]) -> io::Result<Received> {
    use std::io::IoSliceMut;
    use std::os::fd::AsRawFd;

    use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg};

    let mut cmsg = nix::cmsg_space!(u32);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = loop {
        match recvmsg::<SockaddrStorage>(socket.as_raw_fd(), &mut iov, Some(&mut cmsg), MsgFlags::MSG_TRUNC) {
            Err(nix::errno::Errno::EINTR) => continue,
            other => break other.map_err(io::Error::from)?,
        }
    };
    let from = msg.address.as_ref().and_then(|a| {
        a.as_sockaddr_in()
            .map(|v4| SocketAddr::from(*v4))
            .or_else(|| a.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6)))
    });
    let from = from.ok_or_else(|| io::Error::other("a datagram from a non-IP address"))?;
    let drops = msg.cmsgs().ok().and_then(|mut all| {
        all.find_map(|c| match c {
            ControlMessageOwned::RxqOvfl(count) => Some(count),
            _ => None,
        })
    });
    let arrived = msg.bytes;
    Ok(Received { from, arrived, kept: arrived.min(iov[0].len()), drops })
}

/// Receives the next datagram into `buf`.
#[cfg(not(target_os = "linux"))]
pub(crate) fn recv(socket: &Socket, buf: &mut [u8]) -> io::Result<Received> {
    let (arrived, from) = peek(socket)?;
    let kept = recv_cut(socket, buf)?;
    Ok(Received { from, arrived: arrived.max(kept), kept, drops: None })
}

/// Room for any datagram, and one byte more.
#[cfg(not(target_os = "linux"))]
const WHOLE: usize = 65_536;

/// Peeks at the next datagram: its real length and its sender.
#[cfg(not(target_os = "linux"))]
fn peek(socket: &Socket) -> io::Result<(usize, SocketAddr)> {
    use std::cell::RefCell;
    thread_local! {
        // Spare capacity only: nothing writes to it but the system.
        static ROOM: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(WHOLE));
    }
    ROOM.with_borrow_mut(|room| {
        let (arrived, from) = loop {
            match socket.peek_from(&mut room.spare_capacity_mut()[..WHOLE]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        let from = from.as_socket().ok_or_else(|| io::Error::other("a datagram from a non-IP address"))?;
        Ok((arrived, from))
    })
}

/// recv() into `buf`: the bytes kept, the rest discarded by the system.
#[cfg(not(target_os = "linux"))]
fn recv_cut(socket: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    use std::io::Read;
    loop {
        match (&*socket).read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if cut_whole(&e) => return Ok(buf.len()),
            other => return other,
        }
    }
}

/// Windows' "the datagram was longer than the buffer" (WSAEMSGSIZE): the
/// buffer holds its start, and the datagram is gone.
#[cfg(not(target_os = "linux"))]
fn cut_whole(err: &io::Error) -> bool {
    cfg!(windows) && err.raw_os_error() == Some(10040)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_datagram_is_measured_whole() {
        let socket = Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
        socket.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
        socket.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        let addr = socket.local_addr().unwrap().as_socket().unwrap();
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.send_to(&vec![1u8; 65_507], addr).unwrap();
        peer.send_to(b"after", addr).unwrap();
        let mut buf = [0u8; 10];
        let got = recv(&socket, &mut buf).unwrap();
        assert_eq!((got.from, got.arrived, got.kept), (peer.local_addr().unwrap(), 65_507, 10));
        let got = recv(&socket, &mut buf).unwrap();
        assert_eq!((got.arrived, got.kept, &buf[..5]), (5, 5, &b"after"[..]));
    }
}
