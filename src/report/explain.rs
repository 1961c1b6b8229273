//! `--explain`: for each socket step, the line of the Python course that does
//! the same thing, and one sentence on what it does. Kept apart from the
//! human reporter so the wording can be read and reviewed in one place.

use std::net::SocketAddr;

use crate::decode::PyBytes;
use crate::event::{Dir, Proto, Role, SockOpt, Step};
use crate::i18n::{Arg, Lang, Msg};
use crate::{msg, tr};

/// The Python statement and the sentence for a socket step of a `proto`
/// socket.
pub(crate) fn step(lang: Lang, step: &Step, proto: Proto) -> (String, String) {
    match step {
        Step::Socket { role, family, proto } => (
            format!("{} = socket({}, {})", var(*role, *proto), family.constant(), proto.socket_type()),
            tr!(
                lang,
                "explain-socket",
                family = family.constant(),
                version = family.name(),
                mode = match proto {
                    Proto::Tcp => msg!("explain-socket-tcp"),
                    Proto::Udp => msg!("explain-socket-udp"),
                }
            ),
        ),
        Step::SetOption { role, name, value, .. } | Step::ReadOption { role, name, value } => {
            let level = name.level();
            // Options Python's socket module has no name for (3.11 here):
            // their Linux numbers, named in a comment.
            let (option, comment) = match *name {
                SockOpt::RxqOvfl => ("40".to_string(), format!("  # {name}")),
                SockOpt::UdpSegment => ("103".to_string(), format!("  # {name}")),
                SockOpt::UdpGro => ("104".to_string(), format!("  # {name}")),
                _ => (name.to_string(), String::new()),
            };
            let python = match step {
                Step::SetOption { set, .. } => {
                    format!("{}.setsockopt({level}, {option}, {set}){comment}", var(*role, proto))
                }
                _ => format!("{}.getsockopt({level}, {name})  # {value}", var(*role, proto)),
            };
            (python, option_sentence(*name, *value).render(lang))
        }
        Step::Bind { role, addr } => {
            (format!("{}.bind({})", var(*role, proto), py_addr(addr)), bind_sentence(addr).render(lang))
        }
        Step::Listen { backlog, .. } => (
            format!("server_socket.listen({backlog})"),
            crate::sys::backlog::explained(*backlog).render(lang),
        ),
        Step::Resolve { host, port, .. } => {
            // `from socket import *` (the transcript's first line) binds
            // `socket` to the class: the function is called by its name.
            (format!("getaddrinfo('{host}', {port})"), tr!(lang, "explain-resolve"))
        }
        Step::Connect { role, addr } => (
            format!("{}.connect({})", var(*role, proto), py_addr(addr)),
            match proto {
                Proto::Tcp => tr!(lang, "explain-connect-tcp"),
                Proto::Udp => crate::sys::refused::connect_explained().render(lang),
            },
        ),
    }
}

/// Why a UDP server neither listens nor accepts.
pub(crate) fn no_listen(lang: Lang) -> (String, String) {
    (format!("# {}", tr!(lang, "python-comment-no-listen")), tr!(lang, "explain-no-listen"))
}

/// The local address of a UDP client, and where its port came from.
pub(crate) fn udp_local(
    lang: Lang,
    local: &SocketAddr,
    connected: bool,
    range: Option<(u16, u16)>,
) -> (String, String) {
    let call = if connected { "connect()" } else { "sendto()" };
    let port = match range {
        Some((low, high)) => msg!("explain-udp-port-range", call = call, low = low, high = high),
        None => msg!("explain-udp-port", call = call),
    };
    let mut sentence = port.render(lang);
    if local.ip().is_unspecified() {
        sentence.push(' ');
        sentence.push_str(&tr!(lang, "explain-udp-unspecified", ip = local.ip()));
    }
    (format!("sock.getsockname()  # {}", crate::python::returned_addr(local)), sentence)
}

/// Explanation of the first datagram in a direction.
pub(crate) fn datagram(
    lang: Lang,
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
                py_bytes(bytes),
                crate::python::returned_addr(peer)
            ),
            tr!(lang, "explain-recvfrom", recv_size = recv_size),
        ),
        (Dir::In, true) => (
            format!("data = sock.recv({recv_size})  # {}", py_bytes(bytes)),
            tr!(lang, "explain-udp-recv-connected"),
        ),
        (Dir::Out, false) => {
            (format!("sock.sendto({}, {})", py_bytes(bytes), py_addr(peer)), tr!(lang, "explain-sendto"))
        }
        (Dir::Out, true) => {
            (format!("sock.send({})", py_bytes(bytes)), crate::sys::refused::send_explained().render(lang))
        }
    }
}

/// Why a datagram longer than the buffer loses its end.
pub(crate) fn truncated(lang: Lang, recv_size: usize) -> String {
    crate::sys::datagram::truncated(recv_size).render(lang)
}

/// Explanation of an accepted connection (server side).
pub(crate) fn accepted(lang: Lang, peer: &SocketAddr) -> (String, String) {
    (
        format!(
            "client_socket, client_address = server_socket.accept()  # client_address = {}",
            crate::python::returned_addr(peer)
        ),
        tr!(lang, "explain-accept"),
    )
}

/// Why the client's port is not the server's (the course's question).
pub(crate) fn ephemeral(
    lang: Lang,
    local: &SocketAddr,
    peer: &SocketAddr,
    range: Option<(u16, u16)>,
) -> String {
    match range {
        Some((low, high)) => tr!(
            lang,
            "explain-ephemeral-range",
            local = local.port(),
            peer = peer.port(),
            low = low,
            high = high
        ),
        None => tr!(lang, "explain-ephemeral", local = local.port(), peer = peer.port()),
    }
}

/// The Python line of one TCP chunk (every chunk has one), with what the
/// call returned as Python prints it; and, for the first chunk of a
/// direction, the sentence on what the call does.
pub(crate) fn data(lang: Lang, dir: Dir, role: Role, recv_size: usize, bytes: &[u8]) -> (String, String) {
    match dir {
        Dir::In => (
            format!("{} = client_socket.recv({recv_size})  # {}", received_var(role), py_bytes(bytes)),
            match recv_size {
                1024 => tr!(lang, "explain-recv", recv_size = recv_size),
                _ => tr!(lang, "explain-recv-not-1024", recv_size = recv_size),
            },
        ),
        // The server writes with one send() a call, each shown; the client
        // sends each piece of its input whole, as sendall() does.
        Dir::Out => match role {
            Role::Server => (
                format!(
                    "client_socket.send({})  # {}",
                    py_bytes(bytes),
                    tr!(lang, "python-comment-returns", n = bytes.len().to_string())
                ),
                tr!(lang, "explain-send"),
            ),
            Role::Client => {
                (format!("client_socket.sendall({})", py_bytes(bytes)), tr!(lang, "explain-sendall"))
            }
        },
    }
}

/// The variable the course's code receives into: `data` on the server,
/// `response` on the client.
pub(crate) fn received_var(role: Role) -> &'static str {
    match role {
        Role::Server => "data",
        Role::Client => "response",
    }
}

/// `data.decode()` on received bytes: the Python line with the text it
/// returns, or the UnicodeDecodeError Python raises, word for word; with a
/// sentence when the error is the stream cutting a character in two.
pub(crate) fn decoded(lang: Lang, var: &str, bytes: &[u8]) -> (String, Option<String>) {
    match crate::python::decode(bytes) {
        Ok(text) => (format!("{var}.decode()  # {}", crate::python::PyStr(&text)), None),
        Err(error) => {
            let cut = error.ends_with("unexpected end of data");
            let why = cut.then(|| tr!(lang, "explain-decode-cut"));
            (format!("{var}.decode()  # UnicodeDecodeError: {error}"), why)
        }
    }
}

/// The recv() that returns b'': the same call as the chunks' before it.
pub(crate) fn eof(lang: Lang, role: Role, recv_size: usize) -> (String, String) {
    (format!("{} = client_socket.recv({recv_size})  # b''", received_var(role)), tr!(lang, "explain-eof"))
}

pub(crate) fn shutdown(lang: Lang) -> (String, String) {
    ("client_socket.shutdown(SHUT_WR)".to_string(), tr!(lang, "explain-shutdown"))
}

/// Who sent the first FIN of a connection, which decides where TIME_WAIT is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstFin {
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
pub(crate) fn closed(
    lang: Lang,
    role: Role,
    first_fin: FirstFin,
    time_wait: Option<std::time::Duration>,
) -> (String, String) {
    let mut sentence = match role {
        Role::Server => tr!(lang, "explain-close-server"),
        Role::Client => tr!(lang, "explain-close-client"),
    };
    let after = match (first_fin, time_wait) {
        (FirstFin::Ours, Some(wait)) => Some(msg!(
            "explain-time-wait-ours",
            seconds = wait.as_secs(),
            command = crate::sys::in_use::SHOW_TIME_WAIT
        )),
        (FirstFin::Ours, None) => {
            Some(msg!("explain-time-wait-ours-while", command = crate::sys::in_use::SHOW_TIME_WAIT))
        }
        (FirstFin::Peers, _) => Some(msg!("explain-time-wait-theirs")),
        (FirstFin::Neither, _) => None,
    };
    if let Some(after) = after {
        sentence.push(' ');
        sentence.push_str(&after.render(lang));
    }
    ("client_socket.close()".to_string(), sentence)
}

/// The course's variable names; its UDP examples name the socket `sock`.
fn var(role: Role, proto: Proto) -> &'static str {
    match (proto, role) {
        (Proto::Udp, _) => "sock",
        (Proto::Tcp, Role::Server) => "server_socket",
        (Proto::Tcp, Role::Client) => "client_socket",
    }
}

fn option_sentence(name: SockOpt, value: i64) -> Msg {
    match (name, value) {
        (SockOpt::ReuseAddr, _) => crate::sys::reuse::explained(),
        (SockOpt::ReusePort, _) => crate::sys::reuse_port::explained(),
        (SockOpt::V6Only, 0) => msg!("explain-v6only-off"),
        (SockOpt::V6Only, _) => msg!("explain-v6only-on"),
        (SockOpt::RcvBuf, _) => crate::sys::rcvbuf::explained(),
        (SockOpt::RxqOvfl, _) => msg!("explain-so-rxq-ovfl"),
        (SockOpt::UdpSegment, _) => msg!("explain-udp-segment"),
        (SockOpt::UdpGro, _) => msg!("explain-udp-gro"),
        _ => msg!("explain-option"),
    }
}

fn bind_sentence(addr: &SocketAddr) -> Msg {
    let ip = addr.ip();
    let host = if ip.is_unspecified() {
        msg!("explain-bind-any", ip = ip)
    } else if ip.is_loopback() {
        msg!("explain-bind-loopback", ip = ip)
    } else {
        msg!("explain-bind-local", ip = ip)
    };
    let port: Arg = if addr.port() == 0 {
        msg!("explain-bind-port-zero").into()
    } else {
        msg!("explain-bind-port", port = addr.port()).into()
    };
    msg!("explain-bind", host = host, port = port)
}

/// An address as Python's socket module writes it: `('127.0.0.1', 12345)`.
pub(crate) fn py_addr(addr: &SocketAddr) -> String {
    format!("('{}', {})", addr.ip(), addr.port())
}

/// A bytes literal as Python prints it, whole: a line that sends it must
/// send every byte when pasted into Python (the human reporter lays a long
/// one out in pieces Python joins again: report::pyline).
pub(crate) fn py_bytes(bytes: &[u8]) -> String {
    PyBytes(bytes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Family;

    #[test]
    fn python_lines_match_the_course() {
        let tcp = Proto::Tcp;
        let (py, _) =
            step(Lang::En, &Step::Socket { role: Role::Server, family: Family::V4, proto: tcp }, tcp);
        assert_eq!(py, "server_socket = socket(AF_INET, SOCK_STREAM)");
        let (py, _) = step(Lang::En, &Step::Listen { backlog: 5, effective: 5 }, tcp);
        assert_eq!(py, "server_socket.listen(5)");
        let (py, _) =
            step(Lang::En, &Step::Bind { role: Role::Server, addr: "0.0.0.0:12345".parse().unwrap() }, tcp);
        assert_eq!(py, "server_socket.bind(('0.0.0.0', 12345))");
        let (py, _) = step(
            Lang::En,
            &Step::Connect { role: Role::Client, addr: "127.0.0.1:12345".parse().unwrap() },
            tcp,
        );
        assert_eq!(py, "client_socket.connect(('127.0.0.1', 12345))");
    }

    #[test]
    fn udp_lines_match_the_course() {
        let udp = Proto::Udp;
        let (py, why) =
            step(Lang::En, &Step::Socket { role: Role::Client, family: Family::V4, proto: udp }, udp);
        assert_eq!(py, "sock = socket(AF_INET, SOCK_DGRAM)");
        assert!(why.contains("non-connected"));
        let (py, _) =
            step(Lang::En, &Step::Bind { role: Role::Server, addr: "0.0.0.0:12345".parse().unwrap() }, udp);
        assert_eq!(py, "sock.bind(('0.0.0.0', 12345))");
        let (_, why) =
            step(Lang::En, &Step::Connect { role: Role::Client, addr: "127.0.0.1:9".parse().unwrap() }, udp);
        assert!(why.contains("sends nothing"), "{why}");
        let peer = "127.0.0.1:12345".parse().unwrap();
        let (py, _) = datagram(Lang::En, Dir::Out, false, 1024, &peer, b"Hello serveur !");
        assert_eq!(py, "sock.sendto(b'Hello serveur !', ('127.0.0.1', 12345))");
        let (py, _) = datagram(Lang::En, Dir::In, false, 1024, &peer, b"x");
        assert_eq!(py, "data, address = sock.recvfrom(1024)  # b'x', ('127.0.0.1', 12345)");
        let (py, why) = no_listen(Lang::En);
        assert!(py.contains("no sock.listen(), no sock.accept()"));
        assert!(why.contains("UDP has none"));
    }

    #[test]
    fn every_call_has_its_python_and_the_close_tells_where_time_wait_is() {
        let (py, why) = data(Lang::En, Dir::In, Role::Server, 65536, b"Hello");
        assert_eq!(py, "data = client_socket.recv(65536)  # b'Hello'");
        assert!(why.contains("--recv-size 1024 does as the course does"), "{why}");
        let (py, why) = data(Lang::En, Dir::In, Role::Client, 1024, b"Hi");
        assert_eq!(py, "response = client_socket.recv(1024)  # b'Hi'");
        assert!(!why.contains("--recv-size"));
        let (py, why) = decoded(Lang::En, "data", b"f\xc3");
        assert!(py.ends_with(
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data"
        ));
        assert!(why.is_some());
        let wait = Some(std::time::Duration::from_secs(60));
        let (_, ours) = closed(Lang::En, Role::Server, FirstFin::Ours, wait);
        assert!(ours.contains("TIME_WAIT for 60s") && ours.contains("listening socket is another one"));
        let (_, theirs) = closed(Lang::En, Role::Client, FirstFin::Peers, wait);
        assert!(theirs.contains("TIME_WAIT is on its side") && !theirs.contains("listening"));
        let (_, reset) = closed(Lang::En, Role::Client, FirstFin::Neither, wait);
        assert!(!reset.contains("TIME_WAIT"));
    }

    #[test]
    fn bytes_like_python() {
        assert_eq!(py_bytes("fête".as_bytes()), "b'f\\xc3\\xaate'");
        assert_eq!(py_bytes(b"\x01\x02Hello\x07\x08"), "b'\\x01\\x02Hello\\x07\\x08'");
        assert_eq!(py_bytes(&[b'a'; 300]), format!("b'{}'", "a".repeat(300)));
    }
}
