//! Packet capture on real loopback traffic: std sockets talk on ports the
//! OS chose, a `Capture` filtered on those ports reads what went on the
//! wire. Linux only; needs CAP_NET_RAW (CI runs as root): without it each
//! test prints a SKIPPED line and returns. Every wait is bounded.

#![cfg(target_os = "linux")]

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use netplay::capture::{
    Capture, CaptureError, CaptureOptions, Captured, Flows, HEADERS_ONLY, Interface, Packet, PacketKind,
    Pcap, Protocol, TcpFlags, WHOLE_PACKETS, listen_queue, tcp_info,
};
use netplay::report::ladder::{self, Ends};

const PATIENCE: Duration = Duration::from_secs(5);

/// A capture on loopback for `ports`, or `None` (and a SKIPPED line) when
/// this process may not capture.
fn capture(ports: &[u16], snaplen: u32) -> Option<Capture> {
    let lo = Interface::loopback().expect("a loopback interface");
    match Capture::open(&CaptureOptions { interface: lo.name, ports: ports.to_vec(), snaplen }) {
        Ok(capture) => Some(capture),
        Err(CaptureError::NotPermitted) => {
            println!("SKIPPED: packet capture needs CAP_NET_RAW (run the tests as root)");
            None
        }
        Err(e) => panic!("capture: {e}"),
    }
}

/// Reads packets until `done` says the exchange is complete (then a short
/// while more, to catch any duplicate) or PATIENCE runs out. Annotates them
/// with relative numbers.
fn collect(capture: &mut Capture, done: impl Fn(&[Packet]) -> bool) -> Vec<Captured> {
    let deadline = Instant::now() + PATIENCE;
    let mut flows = Flows::new();
    let mut out: Vec<Captured> = Vec::new();
    let mut complete_at: Option<Instant> = None;
    while Instant::now() < deadline {
        if let Some(mut c) = capture.recv(Duration::from_millis(20)).unwrap() {
            flows.annotate(&mut c.packet);
            out.push(c);
        }
        let packets: Vec<Packet> = out.iter().map(|c| c.packet.clone()).collect();
        match complete_at {
            None if done(&packets) => complete_at = Some(Instant::now()),
            Some(at) if at.elapsed() > Duration::from_millis(200) => break,
            _ => {}
        }
    }
    out
}

fn packets(captured: &[Captured]) -> Vec<Packet> {
    captured.iter().map(|c| c.packet.clone()).collect()
}

fn ladder_text(packets: &[Packet], ends: &Ends) -> String {
    packets.iter().map(|p| ladder::line(p, ends, false, 80)).collect::<Vec<_>>().join("\n")
}

fn count(packets: &[Packet], f: impl Fn(&Packet) -> bool) -> usize {
    packets.iter().filter(|p| f(p)).count()
}

fn position(packets: &[Packet], f: impl Fn(&Packet) -> bool) -> usize {
    packets.iter().position(f).expect("packet present")
}

/// A whole TCP conversation: connect, 5 bytes one way, half-close, close.
/// Returns the ladder's ends and the instants around connect().
fn tcp_conversation(listener: TcpListener) -> (Ends, Instant, Instant) {
    let server_addr = listener.local_addr().unwrap();
    let before = Instant::now();
    let mut client = TcpStream::connect(server_addr).unwrap();
    let after = Instant::now();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    server.set_read_timeout(Some(PATIENCE)).unwrap();
    client.write_all(b"hello").unwrap();
    let mut got = [0; 5];
    server.read_exact(&mut got).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(server.read(&mut got).unwrap(), 0, "EOF after the client's FIN");
    let ends = Ends::new("client", client.local_addr().unwrap(), "server", server_addr);
    drop(server);
    assert_eq!(client.read(&mut got).unwrap(), 0, "EOF after the server's FIN");
    drop(client);
    (ends, before, after)
}

fn tcp_exchange(bind: &str) {
    let Ok(listener) = TcpListener::bind(bind) else {
        println!("SKIPPED: cannot bind {bind}");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    let Some(mut cap) = capture(&[port], HEADERS_ONLY) else { return };
    let (ends, before, after) = tcp_conversation(listener);
    let is = |p: &Packet, kind: PacketKind, rightward: bool| {
        p.kind() == kind && ends.rightward(p) == Some(rightward)
    };
    let captured = collect(&mut cap, |ps| {
        count(ps, |p| is(p, PacketKind::Fin, false)) == 1
            && ps.last().is_some_and(|p| is(p, PacketKind::Ack, true) && p.tcp.as_ref().unwrap().ack != 0)
    });
    // The filter is by port: another test's datagrams to or from the same
    // port number (drawn with port 0 for UDP) are not this conversation's.
    let ps: Vec<Packet> =
        packets(&captured).into_iter().filter(|p| p.tcp.is_some() && ends.rightward(p).is_some()).collect();
    let text = ladder_text(&ps, &ends);
    println!("{text}");

    // Each packet once (loopback shows each twice to a packet socket).
    let syn = |p: &Packet| is(p, PacketKind::Syn, true);
    let synack = |p: &Packet| is(p, PacketKind::SynAck, false);
    let data = |p: &Packet| is(p, PacketKind::Data, true);
    let client_fin = |p: &Packet| is(p, PacketKind::Fin, true);
    let server_fin = |p: &Packet| is(p, PacketKind::Fin, false);
    for (name, f) in [
        ("SYN", &syn as &dyn Fn(&Packet) -> bool),
        ("SYN,ACK", &synack),
        ("data", &data),
        ("client FIN", &client_fin),
        ("server FIN", &server_fin),
    ] {
        assert_eq!(count(&ps, f), 1, "one {name}:\n{text}");
    }
    // In order: SYN, SYN,ACK, ACK, data, FIN, FIN, last ACK.
    let handshake_ack = position(&ps, |p| is(p, PacketKind::Ack, true));
    let order = [
        position(&ps, syn),
        position(&ps, synack),
        handshake_ack,
        position(&ps, data),
        position(&ps, client_fin),
        position(&ps, server_fin),
        ps.len() - 1,
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "order {order:?}:\n{text}");

    // Relative numbers, flags and lengths as the kernel sent them.
    let tcp = |i: usize| ps[i].tcp.clone().unwrap();
    let rel = |i: usize| tcp(i).relative.unwrap();
    assert_eq!(rel(order[0]).seq, 0);
    assert_eq!((rel(order[1]).seq, rel(order[1]).ack), (0, Some(1)));
    let d = order[3];
    assert!(tcp(d).has(TcpFlags::PSH | TcpFlags::ACK), "data carries PSH:\n{text}");
    assert_eq!((rel(d).seq, ps[d].length), (1, 5));
    assert_eq!(rel(order[4]).seq, 6, "the client's FIN follows its 5 bytes");
    assert_eq!(rel(order[5]).ack, Some(7), "the server acknowledges the FIN");
    assert_eq!(rel(order[6]).ack, Some(2), "the last ACK acknowledges the server's FIN");
    let syn_opts = tcp(order[0]).options;
    assert!(
        syn_opts.mss.is_some() && syn_opts.sack_permitted && syn_opts.timestamps.is_some(),
        "{syn_opts:?}"
    );

    // The kernel's timestamps, on the monotonic clock, fall inside connect().
    let margin = Duration::from_millis(1);
    let syn_time = ps[order[0]].time;
    assert!(
        syn_time + margin >= before && syn_time <= after + margin,
        "SYN at {syn_time:?} not in connect()"
    );
    assert!(ps.windows(2).all(|w| w[0].time <= w[1].time), "timestamps in capture order");
    assert_eq!(cap.drops(), 0);

    // The ladder of the handshake, as a person sees it.
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[order[0]].starts_with("client ──────────SYN─────────▶ server  seq 0 win "), "{text}");
    assert!(lines[order[1]].starts_with("client ◀───────SYN,ACK──────── server  seq 0 ack 1 win "), "{text}");
    assert!(lines[d].starts_with("client ────PSH,ACK 5 bytes───▶ server  seq 1 ack 1 win "), "{text}");
}

#[test]
fn a_tcp_exchange_shows_each_packet_once_in_order_ipv4() {
    tcp_exchange("127.0.0.1:0");
}

#[test]
fn a_tcp_exchange_shows_each_packet_once_in_order_ipv6() {
    tcp_exchange("[::1]:0");
}

/// A port nothing listens on ([`common::closed_port`]) on `host`, where
/// a socket can be bound.
fn closed_tcp_port(host: &str) -> Option<SocketAddr> {
    TcpListener::bind(format!("{host}:0")).ok()?;
    let ip = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().ok()?;
    Some(SocketAddr::new(ip, common::closed_port()))
}

fn refused(host: &str) {
    let Some(addr) = closed_tcp_port(host) else {
        println!("SKIPPED: cannot bind {host}");
        return;
    };
    let Some(mut cap) = capture(&[addr.port()], HEADERS_ONLY) else { return };
    let err = TcpStream::connect_timeout(&addr, PATIENCE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    let captured = collect(&mut cap, |ps| ps.iter().any(|p| p.kind() == PacketKind::Rst));
    let ps = packets(&captured);
    let kinds: Vec<PacketKind> = ps.iter().map(Packet::kind).collect();
    assert_eq!(kinds, [PacketKind::Syn, PacketKind::Rst], "{ps:#?}");
    let rst = ps[1].tcp.clone().unwrap();
    assert_eq!(rst.flags.to_string(), "RST,ACK");
    assert_eq!(rst.relative.unwrap().ack, Some(1), "the RST acknowledges the SYN");
    assert_eq!((ps[1].from, ps[1].to), (ps[0].to, ps[0].from));
}

#[test]
fn a_connect_to_a_closed_port_is_a_syn_answered_by_rst_ipv4() {
    refused("127.0.0.1");
}

#[test]
fn a_connect_to_a_closed_port_is_a_syn_answered_by_rst_ipv6() {
    refused("[::1]");
}

fn udp_to_closed_port(host: &str, protocol: Protocol) {
    let Ok(closed) = UdpSocket::bind(format!("{host}:0"))
        .map(|s| SocketAddr::new(s.local_addr().unwrap().ip(), common::closed_port()))
    else {
        println!("SKIPPED: cannot bind {host}");
        return;
    };
    let Some(mut cap) = capture(&[closed.port()], HEADERS_ONLY) else { return };
    let sender = UdpSocket::bind(format!("{host}:0")).unwrap();
    // Unconnected: the send succeeds, the ICMP error is never reported.
    assert_eq!(sender.send_to(b"0123456789", closed).unwrap(), 10);
    let captured = collect(&mut cap, |ps| ps.iter().any(|p| p.protocol == protocol));
    let ps = packets(&captured);
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert_eq!((ps[0].protocol, ps[0].length, ps[0].to), (Protocol::Udp, 10, closed));
    let icmp = ps[1].icmp.clone().unwrap();
    let expected_kind = if protocol == Protocol::Icmp {
        PacketKind::IcmpPortUnreachable
    } else {
        PacketKind::Icmpv6PortUnreachable
    };
    assert_eq!(ps[1].kind(), expected_kind);
    let (kind, code) = if protocol == Protocol::Icmp { (3, 3) } else { (1, 4) };
    assert_eq!((icmp.kind, icmp.code), (kind, code));
    let quoted = icmp.quoted.unwrap();
    assert_eq!(
        (quoted.protocol, quoted.from, quoted.to),
        (Protocol::Udp, sender.local_addr().unwrap(), closed)
    );
    let ends = Ends::new("client", sender.local_addr().unwrap(), "server", closed);
    let text = ladder_text(&ps, &ends);
    println!("{text}");
    let name = if protocol == Protocol::Icmp { "ICMP" } else { "ICMPv6" };
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("client ◀──{name} port unreachable── server  for UDP"))
    );
}

#[test]
fn a_udp_datagram_to_a_closed_port_brings_back_icmp_port_unreachable() {
    udp_to_closed_port("127.0.0.1", Protocol::Icmp);
}

#[test]
fn a_udp_datagram_to_a_closed_ipv6_port_brings_back_icmpv6_port_unreachable() {
    udp_to_closed_port("[::1]", Protocol::Icmpv6);
}

/// Takes the next connection `listener` holds, within PATIENCE: its
/// handshake is over on both sides, the last ACK received, so every packet
/// of it has been sent (and seen by a capture, which takes the sent copy).
fn accepted(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + PATIENCE;
    loop {
        match listener.accept() {
            Ok((stream, _)) => return stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(1));
            }
            Err(e) => panic!("no connection to accept: {e}"),
        }
    }
}

#[test]
fn other_ports_are_not_captured_and_drain_marks_how_far_it_read() {
    let watched = TcpListener::bind("127.0.0.1:0").unwrap();
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let Some(mut cap) = capture(&[watched.local_addr().unwrap().port()], HEADERS_ONLY) else { return };
    let _o = TcpStream::connect(other.local_addr().unwrap()).unwrap();
    let _w = TcpStream::connect(watched.local_addr().unwrap()).unwrap();
    let sent = Instant::now();
    // Everything is queued once the handshakes are over (both accepted: a
    // fixed 50 ms stood here); drain reads it all without waiting, and its
    // watermark is later than every packet.
    let _accepted = (accepted(&other), accepted(&watched));
    let mut out = Vec::new();
    let watermark = cap.drain(&mut out).unwrap();
    let ps = packets(&out);
    assert_eq!(ps.len(), 3, "the handshake of the watched port only: {ps:#?}");
    assert!(ps.iter().all(|p| p.touches(&[watched.local_addr().unwrap().port()])));
    assert!(watermark > sent && ps.iter().all(|p| p.time < watermark));
    let again = cap.drain(&mut out).unwrap();
    assert!(again >= watermark && out.len() == 3);

    // Watching the other port from now on.
    cap.set_ports(&[other.local_addr().unwrap().port()]).unwrap();
    let _o2 = TcpStream::connect(other.local_addr().unwrap()).unwrap();
    let _w2 = TcpStream::connect(watched.local_addr().unwrap()).unwrap();
    let _accepted2 = (accepted(&other), accepted(&watched));
    let mut out = Vec::new();
    cap.drain(&mut out).unwrap();
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|c| c.packet.to.port() == other.local_addr().unwrap().port()
        || c.packet.from.port() == other.local_addr().unwrap().port()));
}

#[test]
fn a_pcap_file_holds_the_handshake_for_tcpdump() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let Some(mut cap) = capture(&[port], WHOLE_PACKETS) else { return };
    let (ends, _, _) = tcp_conversation(listener);
    let captured = collect(&mut cap, |ps| ps.iter().filter(|p| p.kind() == PacketKind::Fin).count() == 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("handshake.pcap");
    let mut pcap = Pcap::create(&path, WHOLE_PACKETS).unwrap();
    for c in &captured {
        pcap.write(&c.frame).unwrap();
    }
    pcap.finish().unwrap();
    // The payload was kept whole.
    assert!(captured.iter().any(|c| c.frame.data.ends_with(b"hello")));

    let Ok(out) = Command::new("tcpdump").args(["-n", "-r"]).arg(&path).output() else {
        println!("SKIPPED: tcpdump is not installed (apt-get install tcpdump)");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stderr}{text}");
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("link-type RAW"), "{stderr}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), captured.len());
    let (client, server) = (ends.left.addr, ends.right.addr);
    let c = format!("127.0.0.1.{} > 127.0.0.1.{}", client.port(), server.port());
    let s = format!("127.0.0.1.{} > 127.0.0.1.{}", server.port(), client.port());
    assert!(lines[0].contains(&format!("IP {c}: Flags [S],")), "{text}");
    assert!(lines[1].contains(&format!("IP {s}: Flags [S.],")), "{text}");
    assert!(lines[2].contains(&format!("IP {c}: Flags [.], ack 1,")), "{text}");
    assert!(text.contains("Flags [P.], seq 1:6, ack 1"), "{text}");
}

#[test]
fn the_interface_a_conversation_crosses() {
    let lo = Interface::loopback().unwrap();
    assert!(lo.loopback && lo.index > 0);
    for (local, peer) in [("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("::ffff:127.0.0.1", "127.0.0.1")] {
        let found = Interface::for_addresses(local.parse().unwrap(), peer.parse().unwrap()).unwrap();
        assert_eq!(found.name, lo.name, "{local} → {peer}");
    }
    // An address no interface holds (TEST-NET-3; nothing is sent to it).
    let err =
        Interface::for_addresses("203.0.113.7".parse().unwrap(), "203.0.113.8".parse().unwrap()).unwrap_err();
    assert_eq!(err.to_string(), "packet capture: no network interface holds the address 203.0.113.7");
    let err = Interface::named("nosuchif0").unwrap_err();
    assert_eq!(err.to_string(), "packet capture: no network interface named 'nosuchif0' (see `ip link`)");
}

#[test]
fn too_many_ports_is_one_clear_line() {
    let Some(mut cap) = capture(&[9], HEADERS_ONLY) else { return };
    let many: Vec<u16> = (1000..1200).collect();
    let err = cap.set_ports(&many).unwrap_err();
    assert_eq!(err.to_string(), "packet filter: 200 ports to watch, at most 120 fit in one kernel filter");
}

#[test]
fn tcp_info_reports_the_accept_queue_of_listen_5() {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
    listener.listen(5).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let clients: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
    // The third ACK may still be on its way into the queue.
    let deadline = Instant::now() + PATIENCE;
    let queue = loop {
        let queue = listen_queue(&listener).unwrap();
        if queue.queued == 3 || Instant::now() > deadline {
            break queue;
        }
        thread::sleep(Duration::from_millis(5));
    };
    assert_eq!((queue.queued, queue.backlog), (3, 5));
    // TCP_INFO says the same through tcpi_unacked and tcpi_sacked.
    let info = tcp_info(&listener).unwrap();
    assert_eq!((info.state_name(), info.unacked, info.sacked), ("LISTEN", 3, 5));
    // A connection's own TCP_INFO, read before it closes.
    let mine = tcp_info(&clients[0]).unwrap();
    assert_eq!(mine.state_name(), "ESTABLISHED");
    assert!(mine.segs_out >= 2, "SYN and ACK at least: {mine:?}");
    drop(clients);
}
