//! TCP_INFO: the kernel's view of one TCP connection (round-trip time,
//! congestion window, retransmissions, segments, bytes) and of a listener's
//! accept queue.
//!
//! A connection's TCP_INFO is read with `getsockopt(TCP_INFO)` on its own
//! descriptor, which answers in every state: the end that sends the first
//! FIN leaves the kernel's tables (its TIME_WAIT remnant carries no
//! TCP_INFO) as soon as the peer's FIN comes, before its recv() returns
//! EOF, and sock_diag, which finds a socket in those tables, then had only
//! an older reading to give, taken before the last ACKs moved rtt and
//! cwnd (`ss` read other values at the same moment: tests/suite/ss_numbers.rs).
//! nix 0.32 and socket2 have no TCP_INFO option, so that one call is
//! `unsafe` ([`linux::by_descriptor`]). The same `struct tcp_info` comes
//! through sock_diag netlink (what `ss -ti` uses; the kernel fills both
//! with `tcp_get_info`), which stays for a listener's accept queue and the
//! bytes not yet acknowledged, and when getsockopt fails: the socket is
//! found by its addresses and checked by inode, so the answer is about
//! this socket and no other. netlink-packet-sock-diag parses both.

#[cfg(target_os = "linux")]
pub use self::linux::listen_queue;
#[cfg(target_os = "linux")]
pub(crate) use self::linux::peer_unread;
#[cfg(target_os = "linux")]
pub use self::linux::tcp_info;
#[cfg(target_os = "linux")]
pub(crate) use self::linux::unsent;

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io::{self, Read};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    use std::time::Duration;

    use netlink_packet_core::{NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload};
    use netlink_packet_sock_diag::SockDiagMessage;
    use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
    use netlink_packet_sock_diag::inet::nlas::{Nla, TcpInfo as RawTcpInfo};
    use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, InetResponse, SocketId, StateFlags};
    use socket2::{Domain, Protocol, SockRef, Socket, Type};

    use crate::model::tcp_info::{ListenQueue, TcpInfo};

    const NETLINK_SOCK_DIAG: i32 = 4;
    /// `INET_DIAG_NOCOOKIE`: find the socket by its addresses alone.
    const NO_COOKIE: [u8; 8] = [0xff; 8];
    /// `TCP_LISTEN` in `tcpi_state`.
    const TCP_LISTEN: u8 = 10;
    /// The states after a FIN was received (`include/net/tcp_states.h`).
    const TCP_CLOSE_WAIT: u8 = 8;
    const TCP_LAST_ACK: u8 = 9;
    const TCP_CLOSING: u8 = 11;

    fn from_raw(raw: &RawTcpInfo) -> TcpInfo {
        TcpInfo {
            state: raw.state,
            rtt_us: raw.rtt,
            rtt_var_us: raw.rttvar,
            cwnd: raw.snd_cwnd,
            mss: raw.snd_mss,
            retransmits: raw.total_retrans,
            segs_in: raw.segs_in,
            segs_out: raw.segs_out,
            bytes_acked: raw.bytes_acked,
            bytes_received: raw.bytes_received,
            unacked: raw.unacked,
            notsent: u64::from(raw.notsent_bytes),
            sacked: raw.sacked,
            read_us: None,
        }
    }

    /// TCP_INFO of a TCP socket (connected or listening), in whatever state
    /// it is, closed included, as long as its descriptor is open.
    pub fn tcp_info(socket: &impl AsFd) -> io::Result<TcpInfo> {
        match by_descriptor(socket) {
            Ok(raw) => Ok(from_raw(&raw)),
            Err(_) => lookup(socket).map(|(_, raw)| from_raw(&raw)),
        }
    }

    /// `getsockopt(fd, IPPROTO_TCP, TCP_INFO)`, parsed as sock_diag's
    /// attribute is (the same `struct tcp_info`).
    ///
    /// Why `unsafe` is needed: neither nix 0.32 nor socket2 0.6 offers
    /// TCP_INFO, and sock_diag cannot stand in for it: it finds a socket in
    /// the kernel's hash tables, which an end that sent the first FIN
    /// leaves when the peer's FIN arrives (CLOSE, its place taken by a
    /// TIME_WAIT remnant without TCP_INFO), so the last values of every
    /// such connection were out of its reach.
    #[allow(unsafe_code)]
    fn by_descriptor(socket: &impl AsFd) -> io::Result<RawTcpInfo> {
        use std::os::fd::AsRawFd;
        // Larger than any kernel's struct tcp_info; the kernel writes at most
        // `len` bytes and says how many.
        let mut buf = [0u8; 512];
        let mut len = buf.len() as libc::socklen_t;
        // SAFETY: the descriptor is open for the borrow's length; `buf` is
        // writable for `len` bytes and `len` is a valid socklen_t the kernel
        // updates; getsockopt writes nothing else.
        let rc = unsafe {
            libc::getsockopt(
                socket.as_fd().as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                buf.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        let written = (len as usize).min(buf.len());
        RawTcpInfo::parse(&buf[..written]).map_err(|e| not_tcp(&format!("{e}")))
    }

    /// Bytes a connected TCP socket was given and its peer has not
    /// acknowledged yet (written, sent or not, and not ACKed: `write_seq -
    /// snd_una`, sock_diag's `idiag_wqueue`, `ss`'s Send-Q), and one more for
    /// a FIN not acknowledged yet. A close that aborts the connection (RST)
    /// throws these away: the peer never gets them.
    pub(crate) fn unsent(socket: &impl AsFd) -> io::Result<u64> {
        let (response, _) = lookup(socket)?;
        Ok(u64::from(response.header.send_queue))
    }

    /// What the peer of a connected TCP socket has received and its program
    /// has not read yet (the peer's Recv-Q), when that peer is a socket of
    /// this machine and network namespace (loopback, a local address): None
    /// when sock_diag finds no such socket (a peer elsewhere). The FIN it
    /// received and has not read yet is not counted: only data.
    pub(crate) fn peer_unread(socket: &impl AsFd) -> io::Result<Option<u64>> {
        let sock = SockRef::from(socket);
        let local = sock.local_addr()?.as_socket().ok_or_else(|| not_tcp("not an IP socket"))?;
        let peer = sock.peer_addr()?.as_socket().ok_or_else(|| not_tcp("not an IP socket"))?;
        let request = InetRequest {
            family: if peer.is_ipv4() { AF_INET } else { AF_INET6 },
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::empty(),
            states: StateFlags::all(),
            socket_id: SocketId {
                source_port: peer.port(),
                destination_port: local.port(),
                source_address: peer.ip(),
                destination_address: local.ip(),
                interface_id: 0,
                cookie: NO_COOKIE,
            },
        };
        Ok(query(request, false)?.first().map(|response| {
            let queued = u64::from(response.header.recv_queue);
            // A FIN received moves rcv_nxt by one, and reading the end
            // (recv returning 0) moves copied_seq past it: in these
            // states, until then, the Recv-Q counts the FIN.
            match response.header.state {
                TCP_CLOSE_WAIT | TCP_LAST_ACK | TCP_CLOSING => queued.saturating_sub(1),
                _ => queued,
            }
        }))
    }

    /// The accept queue of a listening TCP socket. sock_diag reports it twice:
    /// as the receive and send queues (`ss`'s Recv-Q and Send-Q for a LISTEN
    /// socket) and as TCP_INFO's `tcpi_unacked` and `tcpi_sacked`; the first is
    /// returned, and the tests check both agree.
    pub fn listen_queue(listener: &impl AsFd) -> io::Result<ListenQueue> {
        let (response, raw) = lookup(listener)?;
        if raw.state != TCP_LISTEN {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "TCP_INFO: not a listening socket"));
        }
        Ok(ListenQueue { queued: response.header.recv_queue, backlog: response.header.send_queue })
    }

    /// Finds `socket` through sock_diag: by its four addresses when connected
    /// (one lookup), else among the listeners on its port; the inode must match.
    pub(super) fn lookup(socket: &impl AsFd) -> io::Result<(InetResponse, RawTcpInfo)> {
        let sock = SockRef::from(socket);
        let local = sock.local_addr()?.as_socket().ok_or_else(|| not_tcp("not an IP socket"))?;
        let peer = sock.peer_addr().ok().and_then(|a| a.as_socket());
        let inode = File::from(socket.as_fd().try_clone_to_owned()?).metadata()?.ino();
        let family = if local.is_ipv4() { AF_INET } else { AF_INET6 };
        let unspecified = if local.is_ipv4() {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        };
        let (states, dump, remote) = match peer {
            Some(peer) => (StateFlags::all(), false, peer),
            None => (StateFlags::LISTEN, true, SocketAddr::new(unspecified, 0)),
        };
        let request = InetRequest {
            family,
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::INFO,
            states,
            socket_id: SocketId {
                source_port: local.port(),
                destination_port: remote.port(),
                source_address: local.ip(),
                destination_address: remote.ip(),
                interface_id: 0,
                cookie: NO_COOKIE,
            },
        };
        for response in query(request, dump)? {
            if u64::from(response.header.inode) != inode {
                continue;
            }
            let raw = response.nlas.iter().find_map(|nla| match nla {
                Nla::TcpInfo(info) => Some(info.clone()),
                _ => None,
            });
            return match raw {
                Some(raw) => Ok((response, raw)),
                None => Err(not_tcp("the kernel sent no TCP_INFO for this socket")),
            };
        }
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("TCP_INFO: no TCP socket {local} found (closed?)"),
        ))
    }

    fn not_tcp(what: &str) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, format!("TCP_INFO: {what}"))
    }

    /// Sends one sock_diag request and collects the sockets it answers with.
    fn query(request: InetRequest, dump: bool) -> io::Result<Vec<InetResponse>> {
        let socket = Socket::new(
            Domain::from(libc::AF_NETLINK),
            Type::DGRAM,
            Some(Protocol::from(NETLINK_SOCK_DIAG)),
        )?;
        socket.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | if dump { NLM_F_DUMP } else { 0 };
        let mut message = NetlinkMessage::new(header, SockDiagMessage::InetRequest(request).into());
        message.finalize();
        let mut out = vec![0; message.buffer_len()];
        message.serialize(&mut out);
        // An unconnected netlink socket sends to the kernel (port 0).
        socket.send(&out)?;

        let mut responses = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let size = (&socket).read(&mut buf)?;
            let mut offset = 0;
            while offset < size {
                let message = NetlinkMessage::<SockDiagMessage>::deserialize(&buf[offset..size])
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("sock_diag: {e}")))?;
                let length = message.header.length as usize;
                match message.payload {
                    NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
                        responses.push(*response);
                        if !dump {
                            return Ok(responses);
                        }
                    }
                    NetlinkPayload::Done(_) => return Ok(responses),
                    NetlinkPayload::Error(error) => {
                        return match error.code {
                            Some(code) if code.get() == -libc::ENOENT => Ok(responses),
                            Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
                            None => Ok(responses),
                        };
                    }
                    _ => {}
                }
                if length == 0 {
                    break;
                }
                offset += length;
            }
            if !dump {
                return Ok(responses);
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};

    use super::*;
    use std::io::Read;
    use std::time::Duration;

    #[test]
    fn a_connection_shows_its_bytes_and_segments() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(&[7; 1000]).unwrap();
        let mut got = [0; 1000];
        server.read_exact(&mut got).unwrap();
        // The ACK of those bytes may still be on its way: wait for it.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let info = loop {
            let info = tcp_info(&client).unwrap();
            if info.bytes_acked >= 1001 || std::time::Instant::now() > deadline {
                break info;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(info.state_name(), "ESTABLISHED");
        // bytes_acked counts the SYN as one byte (RFC 4898).
        assert_eq!(info.bytes_acked, 1001, "{info:?}");
        assert!(info.segs_out >= 2 && info.cwnd >= 1 && info.mss > 0, "{info:?}");
        let theirs = tcp_info(&server).unwrap();
        assert_eq!(theirs.bytes_received, 1000, "{theirs:?}");
    }

    /// The end that sends the first FIN is out of sock_diag's reach once
    /// the peer's FIN comes (CLOSE, then TIME_WAIT's remnant): its descriptor
    /// still gives its TCP_INFO, the values of its last moment.
    #[test]
    fn a_connection_closed_both_ways_still_reads_through_its_descriptor() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(b"Hello serveur !").unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let mut got = Vec::new();
        server.read_to_end(&mut got).unwrap();
        server.write_all(b"Bonjour client !").unwrap();
        drop(server);
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).unwrap();
        assert_eq!((got.len(), reply.len()), (15, 16));
        assert!(linux::lookup(&client).is_err(), "sock_diag still lists a socket closed both ways");
        let info = tcp_info(&client).unwrap();
        assert_eq!(info.state_name(), "CLOSE", "{info:?}");
        // Sequence numbers, as the kernel counts them: the SYN, 15 bytes and
        // the FIN acknowledged; 16 bytes and the peer's FIN received.
        assert_eq!((info.bytes_acked, info.bytes_received), (17, 17), "{info:?}");
        assert!(info.rtt_us > 0 && info.cwnd >= 1, "{info:?}");
    }

    #[test]
    fn ipv6_connections_too() {
        let Ok(listener) = TcpListener::bind("[::1]:0") else { return };
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        assert_eq!(tcp_info(&client).unwrap().state_name(), "ESTABLISHED");
    }

    #[test]
    fn a_closed_peer_and_a_udp_socket_are_clear_errors() {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert!(tcp_info(&udp).is_err());
    }
}
