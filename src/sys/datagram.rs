//! Receiving one datagram while learning its real length, even when the
//! buffer asked for (the course's recvfrom(1024)) is shorter and the rest
//! is discarded.
//!
//! - Linux: a peek with MSG_TRUNC returns the datagram's real length
//!   whatever the buffer; one byte of buffer is enough.
//! - macOS and Windows: MSG_TRUNC on input means nothing there, so the peek
//!   takes the datagram whole into 65,536 bytes (more than the largest UDP
//!   datagram, 65,527 bytes) and its length is the real one.
//! - Then a recv() into the short buffer takes the datagram and the system
//!   discards what does not fit, as recvfrom(1024) does in the course. On
//!   Windows that recv() fails with WSAEMSGSIZE (10040) though it filled
//!   the buffer: [`recv_cut`] counts it as the bytes kept.
//!
//! Two calls instead of one keep the code free of `unsafe` (socket2's
//! flag-taking receive writes into uninitialised memory), and they see the
//! same datagram because only one thread reads each socket.

use std::io::{self, Read};
use std::net::SocketAddr;

use socket2::Socket;

/// How netplay learnt the real length, for `--explain`.
#[cfg(target_os = "linux")]
pub const HOW_MEASURED: &str = "The real length came from a peek with MSG_TRUNC just before.";
#[cfg(not(target_os = "linux"))]
pub const HOW_MEASURED: &str =
    "The real length came from a peek just before, into room for the largest datagram (65,536 bytes).";

/// Peeks at the next datagram: its real length and its sender.
#[cfg(target_os = "linux")]
pub fn peek(socket: &Socket) -> io::Result<(usize, SocketAddr)> {
    let mut probe = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    let (arrived, from) = socket.recv_from_with_flags(&mut probe, libc::MSG_PEEK | libc::MSG_TRUNC)?;
    Ok((arrived, ip_of(&from)?))
}

/// Room for any datagram, and one byte more.
#[cfg(not(target_os = "linux"))]
const WHOLE: usize = 65_536;

/// Peeks at the next datagram: its real length and its sender.
#[cfg(not(target_os = "linux"))]
pub fn peek(socket: &Socket) -> io::Result<(usize, SocketAddr)> {
    use std::cell::RefCell;
    thread_local! {
        // Spare capacity only: nothing is written to it but by the kernel.
        static ROOM: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(WHOLE));
    }
    ROOM.with_borrow_mut(|room| {
        let (arrived, from) = socket.peek_from(&mut room.spare_capacity_mut()[..WHOLE])?;
        Ok((arrived, ip_of(&from)?))
    })
}

/// recv() into `buf`: the bytes kept, the rest discarded by the system.
pub fn recv_cut(socket: &Socket, buf: &mut [u8]) -> io::Result<usize> {
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
fn cut_whole(err: &io::Error) -> bool {
    cfg!(windows) && err.raw_os_error() == Some(10040)
}

fn ip_of(from: &socket2::SockAddr) -> io::Result<SocketAddr> {
    from.as_socket().ok_or_else(|| io::Error::other("a datagram from a non-IP address"))
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
        let big = vec![1u8; 65_507];
        peer.send_to(&big, addr).unwrap();
        assert_eq!(peek(&socket).unwrap(), (65_507, peer.local_addr().unwrap()));
        let mut buf = [0u8; 10];
        assert_eq!(recv_cut(&socket, &mut buf).unwrap(), 10);
        assert!(!cut_whole(&io::Error::from(io::ErrorKind::Other)));
    }
}
