//! `--explain`: for each socket step, the line of the Python course that does
//! the same thing, and one sentence on what it does. Kept apart from the
//! human reporter so the wording can be read and reviewed in one place.

use std::net::SocketAddr;

use crate::decode::PyBytes;
use crate::event::{Dir, Family, Proto, Role, Step};

/// The Python statement and the sentence for a socket step of a `proto`
/// socket.
pub fn step(step: &Step, proto: Proto) -> (String, String) {
    match step {
        Step::Socket { role, family, proto } => (
            format!("{} = socket({}, {})", var(*role, *proto), family_const(*family), type_const(*proto)),
            format!(
                "{} means {} addresses; {}",
                family_const(*family),
                match family {
                    Family::V4 => "IPv4",
                    Family::V6 => "IPv6",
                },
                match proto {
                    Proto::Tcp => {
                        "SOCK_STREAM means TCP, the connected mode: a reliable, ordered byte stream between two ends."
                    }
                    Proto::Udp => {
                        "SOCK_DGRAM means UDP, the non-connected mode: separate datagrams, no connection, no delivery guarantee."
                    }
                }
            ),
        ),
        Step::SetOption { role, name, value } | Step::ReadOption { role, name, value } => {
            let level = match name {
                n if n.starts_with("IPV6") => "IPPROTO_IPV6",
                n if n.starts_with("UDP_") => "SOL_UDP",
                _ => "SOL_SOCKET",
            };
            let python = match step {
                Step::SetOption { .. } => {
                    format!("{}.setsockopt({level}, {name}, {value})", var(*role, proto))
                }
                _ => format!("{}.getsockopt({level}, {name})  # {value}", var(*role, proto)),
            };
            (python, option_sentence(name, *value).to_string())
        }
        Step::Bind { role, addr } => (
            format!("{}.bind({})", var(*role, proto), py_addr(addr)),
            bind_sentence(addr),
        ),
        Step::Listen { backlog, .. } => (
            format!("server_socket.listen({backlog})"),
            format!(
                "The socket becomes a server socket: the kernel completes clients' connections by itself and keeps them in a queue until accept() takes them, up to {backlog}{}",
                crate::sys::backlog::WHEN_FULL
            ),
        ),
        Step::Resolve { host, port, .. } => (
            format!("socket.getaddrinfo('{host}', {port})"),
            "A host name becomes one or more addresses (IPv4 and/or IPv6): a TCP client tries them in order until one connects; a UDP datagram, which brings no answer to judge by, goes to the first.".to_string(),
        ),
        Step::Connect { role, addr } => (
            format!("{}.connect({})", var(*role, proto), py_addr(addr)),
            match proto {
                Proto::Tcp => "connect() blocks until TCP's handshake (SYN, SYN-ACK, ACK) with the server is done, or fails; the OS gives the socket an ephemeral local port if none was bound.",
                Proto::Udp => crate::sys::refused::CONNECT_EXPLAINED,
            }
            .to_string(),
        ),
    }
}

/// Why a UDP server neither listens nor accepts.
pub fn no_listen() -> (String, String) {
    (
        "# no sock.listen(), no sock.accept(): the next call is sock.recvfrom()".to_string(),
        "listen() and accept() exist for connections, and UDP has none: no handshake to complete, no queue of clients waiting, no socket per client. Every datagram, from anyone, lands on this one bound socket; recvfrom() says who sent it, and sendto() answers that address.".to_string(),
    )
}

/// The local address of a UDP client, and where its port came from.
pub fn udp_local(local: &SocketAddr, connected: bool, range: Option<(u16, u16)>) -> (String, String) {
    let range = match range {
        Some((low, high)) => format!(" (from its ephemeral range {low}-{high})"),
        None => String::new(),
    };
    let address = if local.ip().is_unspecified() {
        format!(
            " The address stays {}: a socket that is not connected may send through any interface, and each datagram leaves from the one its route uses.",
            local.ip()
        )
    } else {
        String::new()
    };
    (
        format!("sock.getsockname()  # {}", py_addr(local)),
        format!(
            "A datagram needs a source port, so the first {} gave the socket a free one{range}; replies come back to it.{address}",
            if connected { "connect()" } else { "sendto()" }
        ),
    )
}

/// Explanation of the first datagram in a direction.
pub fn datagram(
    dir: Dir,
    connected: bool,
    recv_size: usize,
    peer: &SocketAddr,
    bytes: &[u8],
) -> (String, String) {
    match (dir, connected) {
        (Dir::In, false) => (
            format!(
                "data, address = sock.recvfrom({recv_size})  # {}, {}",
                py_bytes(bytes, 40),
                crate::python::returned_addr(peer)
            ),
            format!(
                "recvfrom() returns one datagram, whole, and its sender's address: UDP keeps message boundaries, where TCP's recv() returns any part of a stream. A datagram longer than {recv_size} bytes is cut, and the rest discarded."
            ),
        ),
        (Dir::In, true) => (
            format!("data = sock.recv({recv_size})  # {}", py_bytes(bytes, 40)),
            "On a connected UDP socket recv() returns one datagram, whole, and only from the connected peer: the kernel drops the others.".to_string(),
        ),
        (Dir::Out, false) => (
            format!("sock.sendto({}, {})", py_bytes(bytes, 40), py_addr(peer)),
            "sendto() hands one datagram to the network and returns: no connection, no acknowledgement, so nothing tells the sender whether anyone received it.".to_string(),
        ),
        (Dir::Out, true) => (
            format!("sock.send({})", py_bytes(bytes, 40)),
            crate::sys::refused::SEND_EXPLAINED.to_string(),
        ),
    }
}

/// Why a datagram longer than the buffer loses its end.
pub fn truncated(recv_size: usize) -> String {
    format!(
        "recvfrom({recv_size}) takes one whole datagram from the queue: what does not fit in {recv_size} bytes is discarded, not kept for the next call as TCP would. {}",
        crate::sys::datagram::HOW_MEASURED
    )
}

/// Explanation of an accepted connection (server side).
pub fn accepted(peer: &SocketAddr) -> (String, String) {
    (
        format!(
            "client_socket, client_address = server_socket.accept()  # client_address = {}",
            crate::python::returned_addr(peer)
        ),
        "accept() takes the next connection from the queue and returns a new socket just for this client; the listening socket goes on listening.".to_string(),
    )
}

/// Why the client's port is not the server's (the course's question).
pub fn ephemeral(local: &SocketAddr, peer: &SocketAddr, range: Option<(u16, u16)>) -> String {
    let range = match range {
        Some((low, high)) => format!(" from its ephemeral range {low}-{high}"),
        None => String::new(),
    };
    format!(
        "Why {} and not {}? The server's port names the service; the client's end of each connection needs a port too, so the client's OS picked a free one{range}. The pair of addresses and ports identifies this connection.",
        local.port(),
        peer.port()
    )
}

/// The Python line of one TCP chunk (every chunk has one), with what the
/// call returned as Python prints it; and, for the first chunk of a
/// direction, the sentence on what the call does.
pub fn data(dir: Dir, role: Role, recv_size: usize, bytes: &[u8]) -> (String, String) {
    match dir {
        Dir::In => (
            format!("{} = client_socket.recv({recv_size})  # {}", received_var(role), py_bytes(bytes, 40)),
            format!(
                "recv() returns what has arrived so far, at most {recv_size} bytes: TCP carries a stream of bytes, not messages, so one send() may arrive in several chunks and several sends in one.{}",
                recv_size_note(recv_size)
            ),
        ),
        // The server writes with one send() a call, each shown; the client
        // sends each piece of its input whole, as sendall() does.
        Dir::Out => match role {
            Role::Server => (
                format!("client_socket.send({})  # returns {}", py_bytes(bytes, 40), bytes.len()),
                "send() copies the bytes into the kernel's send buffer and returns how many it took; TCP delivers them in order, but the peer's recv() may cut them differently.".to_string(),
            ),
            Role::Client => (
                format!("client_socket.sendall({})", py_bytes(bytes, 40)),
                "sendall() calls send() until every byte is in the kernel's send buffer; TCP delivers them in order, but the peer's recv() may cut them differently.".to_string(),
            ),
        },
    }
}

/// The variable the course's code receives into: `data` on the server,
/// `response` on the client.
pub fn received_var(role: Role) -> &'static str {
    match role {
        Role::Server => "data",
        Role::Client => "response",
    }
}

/// Why netplay's recv size is not the course's 1024, when it is not.
fn recv_size_note(recv_size: usize) -> String {
    if recv_size == 1024 {
        return String::new();
    }
    format!(
        " netplay asks {recv_size} bytes a call where the course asks 1024: a bigger buffer takes the same bytes in fewer calls; --recv-size 1024 does as the course does."
    )
}

/// `data.decode()` on received bytes: the Python line with the text it
/// returns, or the UnicodeDecodeError Python raises, word for word; with a
/// sentence when the error is the stream cutting a character in two.
pub fn decoded(var: &str, bytes: &[u8]) -> (String, Option<String>) {
    match crate::python::decode(bytes) {
        Ok(text) => (format!("{var}.decode()  # {}", crate::python::PyStr(&text)), None),
        Err(error) => {
            let cut = error.ends_with("unexpected end of data");
            let why = cut.then(|| {
                "The chunk ends inside a character: UTF-8 writes it in several bytes, and recv() cut the stream between them. Decode once all of its bytes have arrived (keep the tail for the next recv(), or use codecs.getincrementaldecoder)."
                    .to_string()
            });
            (format!("{var}.decode()  # UnicodeDecodeError: {error}"), why)
        }
    }
}

pub fn eof() -> (String, String) {
    (
        "data = client_socket.recv(...)  # b''".to_string(),
        "recv() returned b'': the peer called shutdown(SHUT_WR) or close(); no more bytes will come from it."
            .to_string(),
    )
}

pub fn shutdown() -> (String, String) {
    (
        "client_socket.shutdown(SHUT_WR)".to_string(),
        "shutdown(SHUT_WR) sends a FIN: once the peer has read everything before it, its recv() returns b''. Reading still works in the other direction (a half-close).".to_string(),
    )
}

/// Who sent the first FIN of a connection, which decides where TIME_WAIT is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstFin {
    /// We shut down first: this end goes through TIME_WAIT.
    Ours,
    /// The peer did: TIME_WAIT is on its side.
    Peers,
    /// Neither (a reset, an error): no TIME_WAIT to speak of.
    Neither,
}

/// The close of a TCP connection's socket, true for each end: an accepted
/// socket's close leaves the listening socket and its port alone, and the
/// end that sent the first FIN keeps the pair of addresses in TIME_WAIT.
pub fn closed(role: Role, first_fin: FirstFin, time_wait: Option<std::time::Duration>) -> (String, String) {
    let what = match role {
        Role::Server => {
            "close() releases this connection's socket only: the listening socket is another one, and its port is not affected."
        }
        Role::Client => "close() releases the socket.",
    };
    let wait = time_wait.map(|d| format!("{}s", d.as_secs())).unwrap_or_else(|| "a while".to_string());
    let after = match first_fin {
        FirstFin::Ours => format!(
            " This end sent the first FIN, so the kernel keeps the connection (its pair of addresses and ports) in TIME_WAIT for {wait}, so that no late packet of it is taken for a new connection's (`{}` shows it).",
            crate::sys::in_use::SHOW_TIME_WAIT
        ),
        FirstFin::Peers => " The peer sent the first FIN, so TIME_WAIT is on its side, not here.".to_string(),
        FirstFin::Neither => String::new(),
    };
    ("client_socket.close()".to_string(), format!("{what}{after}"))
}

/// The course's variable names; its UDP examples name the socket `sock`.
fn var(role: Role, proto: Proto) -> &'static str {
    match (proto, role) {
        (Proto::Udp, _) => "sock",
        (Proto::Tcp, Role::Server) => "server_socket",
        (Proto::Tcp, Role::Client) => "client_socket",
    }
}

fn family_const(family: Family) -> &'static str {
    match family {
        Family::V4 => "AF_INET",
        Family::V6 => "AF_INET6",
    }
}

fn type_const(proto: Proto) -> &'static str {
    match proto {
        Proto::Tcp => "SOCK_STREAM",
        Proto::Udp => "SOCK_DGRAM",
    }
}

fn option_sentence(name: &str, value: i64) -> &'static str {
    match (name, value) {
        ("SO_REUSEADDR", _) => crate::sys::reuse::EXPLAINED,
        ("SO_REUSEPORT", _) => crate::sys::reuse_port::EXPLAINED,
        ("IPV6_V6ONLY", 0) => {
            "IPV6_V6ONLY = 0 is dual-stack: an IPv6 socket bound to :: also receives IPv4 peers, shown as IPv4-mapped addresses ::ffff:a.b.c.d."
        }
        ("IPV6_V6ONLY", _) => "IPV6_V6ONLY = 1: this socket speaks IPv6 only; IPv4 peers cannot reach it.",
        ("SO_RCVBUF", _) => crate::sys::rcvbuf::EXPLAINED,
        ("SO_RXQ_OVFL", _) => {
            "SO_RXQ_OVFL (40 on Linux; Python's socket module has no name for it) makes each datagram received carry, in a control message, how many datagrams the kernel has dropped for this socket because its receive buffer was full: the only way the receiver learns of those losses."
        }
        ("UDP_SEGMENT", _) => {
            "UDP_SEGMENT (GSO): one send() of a long buffer becomes datagrams of this size, cut by the kernel; far fewer calls for the same datagrams."
        }
        ("UDP_GRO", _) => {
            "UDP_GRO: datagrams of one sender that arrive together may come out of one recvmsg(), glued, with their size in a control message."
        }
        _ => "A socket option.",
    }
}

fn bind_sentence(addr: &SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        format!("{} means every interface of the machine", addr.ip())
    } else if addr.ip().is_loopback() {
        format!("{} is the loopback address: only this machine can reach it", addr.ip())
    } else {
        format!("{} is one address of this machine", addr.ip())
    };
    let port = if addr.port() == 0 {
        "port 0 asks the OS to choose a free port".to_string()
    } else {
        format!("port {} is where peers will find the socket", addr.port())
    };
    format!("bind() attaches the socket to an address and a port: {host}; {port}.")
}

/// An address as Python's socket module writes it: `('127.0.0.1', 12345)`.
pub fn py_addr(addr: &SocketAddr) -> String {
    format!("('{}', {})", addr.ip(), addr.port())
}

/// A bytes literal as Python prints it, cut after `max` bytes.
pub fn py_bytes(bytes: &[u8], max: usize) -> String {
    let shown = PyBytes(&bytes[..bytes.len().min(max)]);
    if bytes.len() > max { format!("{shown}...  # {} bytes", bytes.len()) } else { shown.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lines_match_the_course() {
        let tcp = Proto::Tcp;
        let (py, _) = step(&Step::Socket { role: Role::Server, family: Family::V4, proto: tcp }, tcp);
        assert_eq!(py, "server_socket = socket(AF_INET, SOCK_STREAM)");
        let (py, _) = step(&Step::Listen { backlog: 5, effective: 5 }, tcp);
        assert_eq!(py, "server_socket.listen(5)");
        let (py, _) = step(&Step::Bind { role: Role::Server, addr: "0.0.0.0:12345".parse().unwrap() }, tcp);
        assert_eq!(py, "server_socket.bind(('0.0.0.0', 12345))");
        let (py, _) =
            step(&Step::Connect { role: Role::Client, addr: "127.0.0.1:12345".parse().unwrap() }, tcp);
        assert_eq!(py, "client_socket.connect(('127.0.0.1', 12345))");
    }

    #[test]
    fn udp_lines_match_the_course() {
        let udp = Proto::Udp;
        let (py, why) = step(&Step::Socket { role: Role::Client, family: Family::V4, proto: udp }, udp);
        assert_eq!(py, "sock = socket(AF_INET, SOCK_DGRAM)");
        assert!(why.contains("non-connected"));
        let (py, _) = step(&Step::Bind { role: Role::Server, addr: "0.0.0.0:12345".parse().unwrap() }, udp);
        assert_eq!(py, "sock.bind(('0.0.0.0', 12345))");
        let (_, why) = step(&Step::Connect { role: Role::Client, addr: "127.0.0.1:9".parse().unwrap() }, udp);
        assert!(why.contains("sends nothing"), "{why}");
        let peer = "127.0.0.1:12345".parse().unwrap();
        let (py, _) = datagram(Dir::Out, false, 1024, &peer, b"Hello serveur !");
        assert_eq!(py, "sock.sendto(b'Hello serveur !', ('127.0.0.1', 12345))");
        let (py, _) = datagram(Dir::In, false, 1024, &peer, b"x");
        assert_eq!(py, "data, address = sock.recvfrom(1024)  # b'x', ('127.0.0.1', 12345)");
        let (py, why) = no_listen();
        assert!(py.contains("no sock.listen(), no sock.accept()"));
        assert!(why.contains("UDP has none"));
    }

    #[test]
    fn every_call_has_its_python_and_the_close_tells_where_time_wait_is() {
        let (py, why) = data(Dir::In, Role::Server, 65536, b"Hello");
        assert_eq!(py, "data = client_socket.recv(65536)  # b'Hello'");
        assert!(why.contains("--recv-size 1024 does as the course does"), "{why}");
        let (py, why) = data(Dir::In, Role::Client, 1024, b"Hi");
        assert_eq!(py, "response = client_socket.recv(1024)  # b'Hi'");
        assert!(!why.contains("--recv-size"));
        let (py, why) = decoded("data", b"f\xc3");
        assert!(py.ends_with(
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data"
        ));
        assert!(why.is_some());
        let wait = Some(std::time::Duration::from_secs(60));
        let (_, ours) = closed(Role::Server, FirstFin::Ours, wait);
        assert!(ours.contains("TIME_WAIT for 60s") && ours.contains("listening socket is another one"));
        let (_, theirs) = closed(Role::Client, FirstFin::Peers, wait);
        assert!(theirs.contains("TIME_WAIT is on its side") && !theirs.contains("listening"));
        let (_, reset) = closed(Role::Client, FirstFin::Neither, wait);
        assert!(!reset.contains("TIME_WAIT"));
    }

    #[test]
    fn bytes_like_python() {
        assert_eq!(py_bytes("fête".as_bytes(), 40), "b'f\\xc3\\xaate'");
        assert_eq!(py_bytes(b"\x01\x02Hello\x07\x08", 40), "b'\\x01\\x02Hello\\x07\\x08'");
        assert_eq!(py_bytes(b"abcdef", 3), "b'abc'...  # 6 bytes");
    }
}
