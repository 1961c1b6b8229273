//! UDP, the non-connected mode: `udp serve` and `udp send`. What they share
//! lives here: the largest datagram each family can carry, and a receive
//! that knows a datagram's real length even when the buffer cut it.

pub(crate) mod guard;
pub(crate) mod send;
pub(crate) mod serve;

use std::io;

use socket2::Socket;

use crate::event::Family;
use crate::sys::datagram;

/// The most bytes one UDP datagram carries: the 16-bit length of an IPv4
/// packet (65535) less its 20-byte header and UDP's 8-byte header; IPv6's
/// payload length does not count its own header, so only UDP's 8 bytes go.
pub(crate) fn max_datagram(family: Family) -> usize {
    match family {
        Family::V4 => 65_507,
        Family::V6 => 65_527,
    }
}

/// Why the maximum is what it is, for error messages.
pub(crate) fn max_reason(family: Family) -> crate::i18n::Msg {
    match family {
        Family::V4 => crate::msg!("max-datagram-v4"),
        Family::V6 => crate::msg!("max-datagram-v6"),
    }
}

pub(crate) use crate::sys::datagram::Received;

/// Receives the next datagram into `buf`, learning its real length even
/// when `buf` cut it (how, on each system: [`crate::sys::datagram`]).
pub(crate) fn recv_datagram(socket: &Socket, buf: &mut [u8]) -> io::Result<Received> {
    datagram::recv(socket, buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Type};
    use std::net::{SocketAddr, UdpSocket};
    use std::time::Duration;

    fn bound() -> (Socket, SocketAddr) {
        let socket = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
        socket.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let addr = socket.local_addr().unwrap().as_socket().unwrap();
        (socket, addr)
    }

    #[test]
    fn a_long_datagram_reports_both_lengths() {
        let (socket, addr) = bound();
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.send_to(&[7u8; 3000], addr).unwrap();
        peer.send_to(b"", addr).unwrap();
        peer.send_to(b"fits", addr).unwrap();
        let mut buf = [0u8; 100];
        let first = recv_datagram(&socket, &mut buf).unwrap();
        assert_eq!((first.arrived, first.kept), (3000, 100));
        assert_eq!(first.from, peer.local_addr().unwrap());
        assert!(buf.iter().all(|&b| b == 7));
        let empty = recv_datagram(&socket, &mut buf).unwrap();
        assert_eq!((empty.arrived, empty.kept), (0, 0));
        let fits = recv_datagram(&socket, &mut buf).unwrap();
        assert_eq!((fits.arrived, fits.kept), (4, 4));
        assert_eq!(&buf[..4], b"fits");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_buffer_shows_in_the_drop_counter() {
        let (socket, addr) = bound();
        socket.set_recv_buffer_size(1).unwrap();
        assert!(crate::sys::drops::enable(&socket).unwrap());
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..200 {
            peer.send_to(b"x", addr).unwrap();
        }
        let mut buf = [0u8; 16];
        let first = recv_datagram(&socket, &mut buf).unwrap();
        // Queued before the buffer filled: nothing dropped yet.
        assert_eq!(first.drops, None);
        // Drain what was queued; the next one sent, after the drops,
        // carries their count.
        socket.set_nonblocking(true).unwrap();
        while recv_datagram(&socket, &mut buf).is_ok() {}
        socket.set_nonblocking(false).unwrap();
        peer.send_to(b"y", addr).unwrap();
        let after = recv_datagram(&socket, &mut buf).unwrap();
        let dropped = u64::from(after.drops.expect("a drop count"));
        assert!(dropped > 0 && dropped < 200, "{dropped}");
        assert_eq!(crate::sys::drops::total(&socket), Some(dropped));
        assert_eq!((after.arrived, after.kept, &buf[..1]), (1, 1, &b"y"[..]));
    }

    #[test]
    fn maxima_per_family() {
        assert_eq!(max_datagram(Family::V4), 65507);
        assert_eq!(max_datagram(Family::V6), 65527);
    }
}
