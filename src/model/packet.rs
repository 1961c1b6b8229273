//! One captured packet as plain data: who sent it to whom, TCP's flags,
//! numbers, window and options, UDP's length, ICMP's meaning and the
//! datagram it answers. Parsing is a pure function of the IP bytes, so it is
//! tested on every system; capturing them is Linux-only (see `linux.rs`).
//!
//! etherparse does the slicing: it is pure Rust, has no unsafe in the paths
//! used here beyond bounds-checked reads, is maintained, and has a lax mode
//! that accepts packets cut short by the capture's snap length (we keep the
//! headers of a 64 KiB loopback segment, not its payload).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use etherparse::{IpNumber, LaxNetSlice, LaxSlicedPacket, TcpOptionElement, TransportSlice};
use serde::{Serialize, Serializer};

/// The transport protocol of a packet (or of the datagram an ICMP error
/// quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
}

impl Protocol {
    /// The name people know it by: TCP, UDP, ICMP, ICMPv6.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::Icmpv6 => "ICMPv6",
        }
    }
}

/// Whether this host sent or received the packet, as the kernel's packet
/// socket tells it (`sll_pkttype`). On loopback every packet is both: the
/// capture keeps the outgoing copy, so every loopback packet is `Out`; which
/// end sent it is in `from`. Built by Linux's capture only.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Direction {
    Out,
    In,
}

/// TCP's control bits, as on the wire (FIN = 0x01 ... CWR = 0x80).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    pub(crate) const FIN: u8 = 0x01;
    pub(crate) const SYN: u8 = 0x02;
    pub(crate) const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
    pub(crate) const URG: u8 = 0x20;
    pub(crate) const ECE: u8 = 0x40;
    pub(crate) const CWR: u8 = 0x80;

    /// The order flags are named in: the one that says what the segment is
    /// first (SYN, FIN, RST), then PSH and ACK, as in `SYN,ACK`, `FIN,ACK`,
    /// `PSH,ACK`.
    const ORDER: [(u8, &'static str); 8] = [
        (Self::SYN, "SYN"),
        (Self::FIN, "FIN"),
        (Self::RST, "RST"),
        (Self::PSH, "PSH"),
        (Self::ACK, "ACK"),
        (Self::URG, "URG"),
        (Self::ECE, "ECE"),
        (Self::CWR, "CWR"),
    ];

    pub(crate) fn has(self, flag: u8) -> bool {
        self.0 & flag == flag
    }

    /// The names of the flags that are set: SYN, FIN, RST, PSH, ACK, URG,
    /// ECE, CWR, in that order.
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        Self::ORDER.into_iter().filter(move |(bit, _)| self.0 & bit != 0).map(|(_, name)| name)
    }
}

impl fmt::Display for TcpFlags {
    /// `SYN,ACK`; `none` when no flag is set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.names().collect();
        if names.is_empty() { f.write_str("none") } else { f.write_str(&names.join(",")) }
    }
}

impl fmt::Debug for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TcpFlags({self})")
    }
}

impl Serialize for TcpFlags {
    /// A list of names: `["SYN", "ACK"]`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

/// The TCP options worth showing a person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TcpOptions {
    /// Maximum segment size the sender accepts (SYN and SYN,ACK only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mss: Option<u16>,
    /// Window scale shift the sender will apply to its windows (SYN only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) window_scale: Option<u8>,
    /// The sender can take selective acknowledgements.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sack_permitted: bool,
    /// Selective acknowledgement blocks: byte ranges received out of order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) sack: Vec<(u32, u32)>,
    /// Timestamps option (RFC 7323): the sender's clock and the echo of the
    /// peer's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<(u32, u32)>,
}

/// Sequence and acknowledgement numbers relative to each side's initial
/// one, as Wireshark shows them; filled in by [`super::Flows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Relative {
    pub seq: u32,
    /// `None` when the segment has no ACK flag or the peer's initial number
    /// is not known yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack: Option<u32>,
}

/// What a TCP segment carries besides its ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tcp {
    pub flags: TcpFlags,
    /// Raw sequence number, as on the wire.
    pub(crate) seq: u32,
    /// Raw acknowledgement number (meaningful only with the ACK flag).
    pub ack: u32,
    /// The window field as on the wire (not scaled).
    pub(crate) window: u16,
    pub options: TcpOptions,
    /// Relative numbers, once [`super::Flows`] has seen the packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative: Option<Relative>,
    /// The window in bytes (the field shifted by the sender's window scale),
    /// when [`super::Flows`] saw both SYNs and so knows the scale. SYNs are
    /// never scaled, so for them this is the field itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) window_bytes: Option<u32>,
}

impl Tcp {
    pub fn has(&self, flag: u8) -> bool {
        self.flags.has(flag)
    }
}

/// What an ICMP or ICMPv6 message means, in a word a program can match on
/// (the JSON carries it as snake_case; [`IcmpMeaning::words`] says it for a
/// person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum IcmpMeaning {
    NetUnreachable,
    HostUnreachable,
    ProtocolUnreachable,
    PortUnreachable,
    /// IPv4: the datagram needs fragmenting but says don't fragment.
    FragmentationNeeded,
    /// IPv6: the datagram is larger than the next link's MTU.
    PacketTooBig,
    AdministrativelyProhibited,
    NoRoute,
    AddressUnreachable,
    /// TTL (IPv4) or hop limit (IPv6) reached zero in transit.
    TimeExceeded,
    ReassemblyTimeExceeded,
    ParameterProblem,
    SourceQuench,
    EchoRequest,
    EchoReply,
    Other,
}

impl IcmpMeaning {
    /// The meaning in words, in English (the human reporter's catalogue may
    /// translate it; the JSON keeps the snake_case name).
    pub(crate) fn words(self) -> &'static str {
        match self {
            IcmpMeaning::NetUnreachable => "network unreachable",
            IcmpMeaning::HostUnreachable => "host unreachable",
            IcmpMeaning::ProtocolUnreachable => "protocol unreachable",
            IcmpMeaning::PortUnreachable => "port unreachable",
            IcmpMeaning::FragmentationNeeded => "fragmentation needed",
            IcmpMeaning::PacketTooBig => "packet too big",
            IcmpMeaning::AdministrativelyProhibited => "administratively prohibited",
            IcmpMeaning::NoRoute => "no route to destination",
            IcmpMeaning::AddressUnreachable => "address unreachable",
            IcmpMeaning::TimeExceeded => "time exceeded",
            IcmpMeaning::ReassemblyTimeExceeded => "reassembly time exceeded",
            IcmpMeaning::ParameterProblem => "parameter problem",
            IcmpMeaning::SourceQuench => "source quench",
            IcmpMeaning::EchoRequest => "echo request",
            IcmpMeaning::EchoReply => "echo reply",
            IcmpMeaning::Other => "message",
        }
    }

    /// The meaning of an ICMP (IPv4) type and code (RFC 792, RFC 1122).
    pub(crate) fn of_icmpv4(kind: u8, code: u8) -> IcmpMeaning {
        match (kind, code) {
            (0, _) => IcmpMeaning::EchoReply,
            (3, 0) | (3, 6) | (3, 11) => IcmpMeaning::NetUnreachable,
            (3, 1) | (3, 7) | (3, 12) => IcmpMeaning::HostUnreachable,
            (3, 2) => IcmpMeaning::ProtocolUnreachable,
            (3, 3) => IcmpMeaning::PortUnreachable,
            (3, 4) => IcmpMeaning::FragmentationNeeded,
            (3, 9) | (3, 10) | (3, 13) => IcmpMeaning::AdministrativelyProhibited,
            (4, _) => IcmpMeaning::SourceQuench,
            (8, _) => IcmpMeaning::EchoRequest,
            (11, 1) => IcmpMeaning::ReassemblyTimeExceeded,
            (11, _) => IcmpMeaning::TimeExceeded,
            (12, _) => IcmpMeaning::ParameterProblem,
            _ => IcmpMeaning::Other,
        }
    }

    /// The meaning of an ICMPv6 type and code (RFC 4443).
    pub(crate) fn of_icmpv6(kind: u8, code: u8) -> IcmpMeaning {
        match (kind, code) {
            (1, 0) | (1, 6) => IcmpMeaning::NoRoute,
            (1, 1) | (1, 5) => IcmpMeaning::AdministrativelyProhibited,
            (1, 3) => IcmpMeaning::AddressUnreachable,
            (1, 4) => IcmpMeaning::PortUnreachable,
            (2, _) => IcmpMeaning::PacketTooBig,
            (3, 1) => IcmpMeaning::ReassemblyTimeExceeded,
            (3, _) => IcmpMeaning::TimeExceeded,
            (4, _) => IcmpMeaning::ParameterProblem,
            (128, _) => IcmpMeaning::EchoRequest,
            (129, _) => IcmpMeaning::EchoReply,
            _ => IcmpMeaning::Other,
        }
    }
}

/// The start of the datagram an ICMP error answers, as the error quotes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quoted {
    pub protocol: Protocol,
    /// Who sent the datagram that failed (the one the error goes back to).
    pub from: SocketAddr,
    /// Where it was going.
    pub to: SocketAddr,
}

/// An ICMP or ICMPv6 message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Icmp {
    #[serde(rename = "type")]
    pub kind: u8,
    pub code: u8,
    pub(crate) meaning: IcmpMeaning,
    /// The datagram an error answers (errors only; and only a TCP or UDP one
    /// whose ports are quoted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted: Option<Quoted>,
}

/// One packet, parsed: plain data, no formatting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Packet {
    /// When the kernel saw it, on the process's monotonic clock (see
    /// [`super::packet_time`]). Not serialized: the reporter writes its own
    /// stamp (time since the process started).
    #[serde(skip)]
    pub time: Instant,
    pub(crate) direction: Direction,
    /// Sender. For ICMP, which has no ports, the port is 0.
    pub from: SocketAddr,
    /// Receiver. For ICMP the port is 0.
    pub to: SocketAddr,
    pub protocol: Protocol,
    /// Payload bytes: TCP's segment data, UDP's datagram data, ICMP's body
    /// after its 8-byte header (the quoted datagram). Taken from the length
    /// fields, so it is right even when the capture kept only the headers.
    pub length: u32,
    /// The whole IP packet's length on the wire.
    pub(crate) wire_length: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<Tcp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp: Option<Icmp>,
    /// An IP fragment of a datagram: the first carries the UDP header (so
    /// its ports, and the datagram's whole length), the others bytes only.
    #[serde(skip)]
    pub(crate) fragment: Option<Fragment>,
    /// The first fragment of a datagram the IP layer cut: how many
    /// fragments it was sent in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fragments: Option<u32>,
}

/// Where an IP fragment stands in its datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fragment {
    /// The identification every fragment of one datagram shares (IPv4's
    /// 16-bit field, the 32 bits of IPv6's fragment header).
    pub(crate) id: u32,
    /// Where its bytes go in the datagram, in bytes: 0 for the first.
    pub(crate) offset: u32,
    /// More fragments follow.
    pub(crate) more: bool,
}

impl Fragment {
    /// A fragment after the first: it has no ports of its own.
    pub(crate) fn later(&self) -> bool {
        self.offset > 0
    }
}

/// The fragment fields of an IP packet, read from its header (IPv4) or
/// from a fragment header right after the fixed header (IPv6, as Linux
/// sends a datagram it cuts): `None` for a whole datagram. Also the offset
/// of the fragment's payload.
fn fragment_of(data: &[u8]) -> Option<(Fragment, usize)> {
    match data.first()? >> 4 {
        4 => {
            let flags = u16::from_be_bytes([*data.get(6)?, *data.get(7)?]);
            let (more, offset) = (flags & 0x2000 != 0, u32::from(flags & 0x1fff) * 8);
            if !more && offset == 0 {
                return None;
            }
            let id = u32::from(u16::from_be_bytes([data[4], data[5]]));
            Some((Fragment { id, offset, more }, usize::from(data[0] & 0x0f) * 4))
        }
        6 if *data.get(6)? == 44 => {
            let field = u16::from_be_bytes([*data.get(42)?, *data.get(43)?]);
            let id = u32::from_be_bytes(data.get(44..48)?.try_into().ok()?);
            Some((Fragment { id, offset: u32::from(field & 0xfff8), more: field & 1 != 0 }, 48))
        }
        _ => None,
    }
}

/// The IP protocol a fragment carries (IPv4's header, or the next header
/// in IPv6's fragment header).
fn fragment_protocol(data: &[u8]) -> Option<u8> {
    match data.first()? >> 4 {
        4 => data.get(9).copied(),
        _ => data.get(40).copied(),
    }
}

impl Packet {
    /// The ports this packet is about: its own (TCP, UDP) or those of the
    /// datagram an ICMP error quotes.
    pub(crate) fn ports(&self) -> Option<(u16, u16)> {
        match (&self.protocol, &self.icmp) {
            (Protocol::Tcp | Protocol::Udp, _) => Some((self.from.port(), self.to.port())),
            (_, Some(Icmp { quoted: Some(q), .. })) => Some((q.from.port(), q.to.port())),
            _ => None,
        }
    }

    /// Whether one of the packet's ports (or its quoted datagram's) is in
    /// `ports`: the same test as the kernel filter, done again in user space
    /// so that nothing the filter let through by a race slips by.
    pub fn touches(&self, ports: &[u16]) -> bool {
        self.ports().is_some_and(|(a, b)| ports.contains(&a) || ports.contains(&b))
    }
}

/// What a packet is, for a person: the kinds `--explain` has a sentence for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketKind {
    Syn,
    SynAck,
    Ack,
    /// A segment that carries data (Linux sets PSH on it: see [`explain`]).
    Data,
    Fin,
    Rst,
    IcmpPortUnreachable,
    Icmpv6PortUnreachable,
    /// Any other ICMP or ICMPv6 message.
    Icmp,
    Udp,
}

impl Packet {
    /// The kind of packet this is; a segment with several meanings is named
    /// by the strongest (RST, then SYN, then FIN, then data).
    pub fn kind(&self) -> PacketKind {
        match (self.protocol, &self.tcp, &self.icmp) {
            (Protocol::Tcp, Some(tcp), _) => {
                if tcp.has(TcpFlags::RST) {
                    PacketKind::Rst
                } else if tcp.has(TcpFlags::SYN | TcpFlags::ACK) {
                    PacketKind::SynAck
                } else if tcp.has(TcpFlags::SYN) {
                    PacketKind::Syn
                } else if tcp.has(TcpFlags::FIN) {
                    PacketKind::Fin
                } else if self.length > 0 {
                    PacketKind::Data
                } else {
                    PacketKind::Ack
                }
            }
            (Protocol::Udp, ..) => PacketKind::Udp,
            (Protocol::Icmp, _, Some(i)) if i.meaning == IcmpMeaning::PortUnreachable => {
                PacketKind::IcmpPortUnreachable
            }
            (Protocol::Icmpv6, _, Some(i)) if i.meaning == IcmpMeaning::PortUnreachable => {
                PacketKind::Icmpv6PortUnreachable
            }
            _ => PacketKind::Icmp,
        }
    }
}

/// Why some bytes are not a packet netplay shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not an IPv4 or IPv6 packet: {0}")]
    NotIp(String),
    #[error("IP fragment without the transport header")]
    Fragment,
    #[error("{protocol} header cut short ({have} bytes captured)")]
    Truncated { protocol: &'static str, have: usize },
    #[error("IP protocol {0} is not TCP, UDP, ICMP or ICMPv6")]
    Unsupported(u8),
}

/// Parses one IP packet (IPv4 or IPv6, starting at the IP header: what a
/// cooked packet socket and LINKTYPE_RAW hold).
pub(crate) fn parse(data: &[u8], time: Instant, direction: Direction) -> Result<Packet, ParseError> {
    let sliced = LaxSlicedPacket::from_ip(data).map_err(|e| ParseError::NotIp(e.to_string()))?;
    let (src, dst, wire_length, payload) = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                u32::from(h.total_len()),
                ip.payload(),
            )
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                40 + u32::from(h.payload_length()),
                ip.payload(),
            )
        }
        _ => return Err(ParseError::NotIp("no IP header".into())),
    };
    if let Some((fragment, start)) = fragment_of(data) {
        return parse_fragment(data, time, direction, (src, dst), wire_length, fragment, start);
    }
    if payload.fragmented && sliced.transport.is_none() {
        return Err(ParseError::Fragment);
    }
    // Bytes of the transport layer as the IP header states them, whatever
    // the capture kept: the total less the IP headers.
    let offset = payload.payload.as_ptr() as usize - data.as_ptr() as usize;
    let transport_len = (wire_length as usize).saturating_sub(offset);
    let addr = |ip: IpAddr, port: u16| SocketAddr::new(ip, port);
    let truncated = |protocol| ParseError::Truncated { protocol, have: data.len() };

    let mut packet = Packet {
        time,
        direction,
        from: addr(src, 0),
        to: addr(dst, 0),
        protocol: Protocol::Tcp,
        length: 0,
        wire_length,
        tcp: None,
        icmp: None,
        fragment: None,
        fragments: None,
    };
    match (&sliced.transport, payload.ip_number) {
        (Some(TransportSlice::Tcp(tcp)), _) => {
            packet.from.set_port(tcp.source_port());
            packet.to.set_port(tcp.destination_port());
            packet.length = transport_len.saturating_sub(tcp.header_slice().len()) as u32;
            packet.tcp = Some(Tcp {
                flags: TcpFlags(tcp.header_slice()[13]),
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                window: tcp.window_size(),
                options: tcp_options(tcp.options_iterator()),
                relative: None,
                window_bytes: None,
            });
        }
        (Some(TransportSlice::Udp(udp)), _) => {
            packet.protocol = Protocol::Udp;
            packet.from.set_port(udp.source_port());
            packet.to.set_port(udp.destination_port());
            packet.length = u32::from(udp.length()).saturating_sub(8);
        }
        (Some(TransportSlice::Icmpv4(icmp)), _) => {
            packet.protocol = Protocol::Icmp;
            packet.length = transport_len.saturating_sub(8) as u32;
            let (kind, code) = (icmp.type_u8(), icmp.code_u8());
            let error = matches!(kind, 3 | 4 | 11 | 12);
            packet.icmp = Some(Icmp {
                kind,
                code,
                meaning: IcmpMeaning::of_icmpv4(kind, code),
                quoted: if error { quoted(icmp.payload()) } else { None },
            });
        }
        (Some(TransportSlice::Icmpv6(icmp)), _) => {
            packet.protocol = Protocol::Icmpv6;
            packet.length = transport_len.saturating_sub(8) as u32;
            let (kind, code) = (icmp.type_u8(), icmp.code_u8());
            // Types below 128 are errors, which quote the datagram.
            let error = kind < 128;
            packet.icmp = Some(Icmp {
                kind,
                code,
                meaning: IcmpMeaning::of_icmpv6(kind, code),
                quoted: if error { quoted(icmp.payload()) } else { None },
            });
        }
        (_, IpNumber::TCP) => return Err(truncated("TCP")),
        (_, IpNumber::UDP) => return Err(truncated("UDP")),
        (_, IpNumber::ICMP) => return Err(truncated("ICMP")),
        (_, IpNumber::IPV6_ICMP) => return Err(truncated("ICMPv6")),
        (_, other) => return Err(ParseError::Unsupported(other.0)),
    }
    Ok(packet)
}

/// A fragment of a UDP datagram (the IP layer cuts UDP datagrams; TCP
/// segments fit their path). The first holds the UDP header: ports, the
/// datagram's length, and so how many fragments of this size carry it.
/// The others hold bytes only: no ports, the fragment's own length.
fn parse_fragment(
    data: &[u8],
    time: Instant,
    direction: Direction,
    (src, dst): (IpAddr, IpAddr),
    wire_length: u32,
    fragment: Fragment,
    start: usize,
) -> Result<Packet, ParseError> {
    if fragment_protocol(data) != Some(17) {
        return Err(ParseError::Fragment);
    }
    // The bytes this fragment carries, as its header states them.
    let carried = (wire_length as usize).saturating_sub(start) as u32;
    let mut packet = Packet {
        time,
        direction,
        from: SocketAddr::new(src, 0),
        to: SocketAddr::new(dst, 0),
        protocol: Protocol::Udp,
        length: carried,
        wire_length,
        tcp: None,
        icmp: None,
        fragment: Some(fragment),
        fragments: None,
    };
    if fragment.later() {
        return Ok(packet);
    }
    let udp =
        data.get(start..start + 8).ok_or(ParseError::Truncated { protocol: "UDP", have: data.len() })?;
    packet.from.set_port(u16::from_be_bytes([udp[0], udp[1]]));
    packet.to.set_port(u16::from_be_bytes([udp[2], udp[3]]));
    let whole = u32::from(u16::from_be_bytes([udp[4], udp[5]]));
    packet.length = whole.saturating_sub(8);
    // Every fragment but the last carries as much as the first.
    packet.fragments = (carried > 0).then(|| whole.div_ceil(carried).max(1));
    Ok(packet)
}

fn tcp_options(options: etherparse::TcpOptionsIterator<'_>) -> TcpOptions {
    let mut out = TcpOptions::default();
    for option in options.flatten() {
        match option {
            TcpOptionElement::MaximumSegmentSize(mss) => out.mss = Some(mss),
            TcpOptionElement::WindowScale(shift) => out.window_scale = Some(shift),
            TcpOptionElement::SelectiveAcknowledgementPermitted => out.sack_permitted = true,
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                out.sack.push(first);
                out.sack.extend(rest.into_iter().flatten());
            }
            TcpOptionElement::Timestamp(value, echo) => out.timestamps = Some((value, echo)),
            TcpOptionElement::Noop => {}
        }
    }
    out
}

/// The TCP or UDP datagram an ICMP error quotes: its IP header and at least
/// the first 8 bytes of its transport header, which hold both ports.
fn quoted(body: &[u8]) -> Option<Quoted> {
    let sliced = LaxSlicedPacket::from_ip(body).ok()?;
    let (src, dst, payload) = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            (IpAddr::V4(ip.header().source_addr()), IpAddr::V4(ip.header().destination_addr()), ip.payload())
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            (IpAddr::V6(ip.header().source_addr()), IpAddr::V6(ip.header().destination_addr()), ip.payload())
        }
        _ => return None,
    };
    let protocol = match payload.ip_number {
        IpNumber::TCP => Protocol::Tcp,
        IpNumber::UDP => Protocol::Udp,
        _ => return None,
    };
    let ports = payload.payload.get(..4)?;
    Some(Quoted {
        protocol,
        from: SocketAddr::new(src, u16::from_be_bytes([ports[0], ports[1]])),
        to: SocketAddr::new(dst, u16::from_be_bytes([ports[2], ports[3]])),
    })
}

#[cfg(test)]
pub(crate) mod samples {
    //! Packets built byte by byte (with etherparse's builder), shared by the
    //! parser's, the filter's and the ladder's tests.

    use etherparse::{PacketBuilder, TcpOptionElement};

    pub(crate) const A4: [u8; 4] = [127, 0, 0, 1];
    pub(crate) const B4: [u8; 4] = [127, 0, 0, 2];
    pub(crate) const V6: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    /// A TCP segment over IPv4; `flags` as on the wire.
    pub(crate) fn tcp4(sport: u16, dport: u16, flags: u8, seq: u32, ack: u32, payload: &[u8]) -> Vec<u8> {
        tcp4_with(sport, dport, flags, seq, ack, 65495, &[], payload)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn tcp4_with(
        sport: u16,
        dport: u16,
        flags: u8,
        seq: u32,
        ack: u32,
        window: u16,
        options: &[TcpOptionElement],
        payload: &[u8],
    ) -> Vec<u8> {
        let mut b = PacketBuilder::ipv4(A4, A4, 64).tcp(sport, dport, seq, window);
        if flags & 0x02 != 0 {
            b = b.syn();
        }
        if flags & 0x10 != 0 {
            b = b.ack(ack);
        }
        if flags & 0x01 != 0 {
            b = b.fin();
        }
        if flags & 0x04 != 0 {
            b = b.rst();
        }
        if flags & 0x08 != 0 {
            b = b.psh();
        }
        if !options.is_empty() {
            b = b.options(options).expect("options fit");
        }
        let mut out = Vec::new();
        b.write(&mut out, payload).expect("write to a Vec");
        out
    }

    pub(crate) fn tcp6(sport: u16, dport: u16, flags: u8, seq: u32, payload: &[u8]) -> Vec<u8> {
        let mut b = PacketBuilder::ipv6(V6, V6, 64).tcp(sport, dport, seq, 65476);
        if flags & 0x02 != 0 {
            b = b.syn();
        }
        let mut out = Vec::new();
        b.write(&mut out, payload).expect("write to a Vec");
        out
    }

    pub(crate) fn udp4(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ipv4(A4, B4, 64).udp(sport, dport).write(&mut out, payload).expect("write to a Vec");
        out
    }

    pub(crate) fn udp6(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ipv6(V6, V6, 64).udp(sport, dport).write(&mut out, payload).expect("write to a Vec");
        out
    }

    /// `whole` (an IPv4 packet with a 20-byte header) cut as the IP layer
    /// cuts it: fragments carrying `size` bytes (a multiple of 8) each.
    pub(crate) fn fragments4(whole: &[u8], size: usize, id: u16) -> Vec<Vec<u8>> {
        let (header, payload) = whole.split_at(20);
        let chunks: Vec<&[u8]> = payload.chunks(size).collect();
        let last = chunks.len() - 1;
        chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut out = header.to_vec();
                out[2..4].copy_from_slice(&((20 + chunk.len()) as u16).to_be_bytes());
                out[4..6].copy_from_slice(&id.to_be_bytes());
                let field = ((i * size / 8) as u16) | if i < last { 0x2000 } else { 0 };
                out[6..8].copy_from_slice(&field.to_be_bytes());
                out.extend_from_slice(chunk);
                out
            })
            .collect()
    }

    /// `whole` (an IPv6 packet with no extension header) cut as Linux
    /// cuts it: a fragment header after the fixed one, `size` bytes each.
    pub(crate) fn fragments6(whole: &[u8], size: usize, id: u32) -> Vec<Vec<u8>> {
        let (header, payload) = whole.split_at(40);
        let chunks: Vec<&[u8]> = payload.chunks(size).collect();
        let last = chunks.len() - 1;
        chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut out = header.to_vec();
                out[4..6].copy_from_slice(&((8 + chunk.len()) as u16).to_be_bytes());
                out[6] = 44;
                let field = ((i * size) as u16) | u16::from(i < last);
                out.extend_from_slice(&[header[6], 0]);
                out.extend_from_slice(&field.to_be_bytes());
                out.extend_from_slice(&id.to_be_bytes());
                out.extend_from_slice(chunk);
                out
            })
            .collect()
    }

    /// The ICMP port unreachable Linux sends for `datagram` (an IPv4 UDP
    /// datagram): type 3 code 3, quoting the datagram.
    pub(crate) fn icmp4_port_unreachable(datagram: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ipv4(B4, A4, 64)
            .icmpv4(etherparse::Icmpv4Type::DestinationUnreachable(
                etherparse::icmpv4::DestUnreachableHeader::Port,
            ))
            .write(&mut out, datagram)
            .expect("write to a Vec");
        out
    }

    /// ICMPv6 destination unreachable, port unreachable (type 1 code 4).
    pub(crate) fn icmp6_port_unreachable(datagram: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ipv6(V6, V6, 64)
            .icmpv6(etherparse::Icmpv6Type::DestinationUnreachable(
                etherparse::icmpv6::DestUnreachableCode::Port,
            ))
            .write(&mut out, datagram)
            .expect("write to a Vec");
        out
    }

    /// An ICMP echo request (ping): no quoted datagram, no ports.
    pub(crate) fn icmp4_echo() -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ipv4(A4, A4, 64)
            .icmpv4_echo_request(1, 1)
            .write(&mut out, b"ping")
            .expect("write to a Vec");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    fn parsed(bytes: &[u8]) -> Packet {
        parse(bytes, Instant::now(), Direction::Out).expect("parses")
    }

    #[test]
    fn a_datagram_cut_in_fragments_is_one_datagram_in_n() {
        // 65,527 bytes over ::1 (MTU 65536): Linux sends 65,448, then 87.
        let whole = udp6(40000, 9000, &vec![7; 65527]);
        let cut = fragments6(&whole, 65448, 0xdead_beef);
        assert_eq!(cut.len(), 2);
        let first = parsed(&cut[0]);
        assert_eq!((first.protocol, first.from.port(), first.to.port()), (Protocol::Udp, 40000, 9000));
        assert_eq!((first.length, first.fragments), (65527, Some(2)));
        assert_eq!(first.fragment, Some(Fragment { id: 0xdead_beef, offset: 0, more: true }));
        let second = parsed(&cut[1]);
        assert_eq!(second.fragment, Some(Fragment { id: 0xdead_beef, offset: 65448, more: false }));
        assert_eq!((second.ports(), second.length, second.fragments), (Some((0, 0)), 87, None));
        // 1,600 bytes over a 1500-byte MTU: 1,480, then 128.
        let whole = udp4(40000, 9000, &[1; 1600]);
        let cut = fragments4(&whole, 1480, 0x1234);
        let first = parsed(&cut[0]);
        assert_eq!((first.length, first.fragments, first.to.port()), (1600, Some(2), 9000));
        let second = parsed(&cut[1]);
        assert_eq!(second.fragment, Some(Fragment { id: 0x1234, offset: 1480, more: false }));
        assert_eq!(second.wire_length, 20 + 128);
        // A whole datagram is no fragment.
        assert_eq!(parsed(&udp4(1, 2, b"x")).fragment, None);
    }

    #[test]
    fn a_syn_with_its_options() {
        let syn = tcp4_with(
            40000,
            9000,
            0x02,
            1000,
            0,
            65495,
            &[
                TcpOptionElement::MaximumSegmentSize(65495),
                TcpOptionElement::SelectiveAcknowledgementPermitted,
                TcpOptionElement::Timestamp(7, 0),
                TcpOptionElement::Noop,
                TcpOptionElement::WindowScale(7),
            ],
            &[],
        );
        let p = parsed(&syn);
        assert_eq!(p.protocol, Protocol::Tcp);
        assert_eq!(p.from, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(p.to, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(p.length, 0);
        assert_eq!(p.wire_length as usize, syn.len());
        let tcp = p.tcp.unwrap();
        assert_eq!(tcp.flags.to_string(), "SYN");
        assert_eq!((tcp.seq, tcp.window), (1000, 65495));
        assert_eq!(
            tcp.options,
            TcpOptions {
                mss: Some(65495),
                window_scale: Some(7),
                sack_permitted: true,
                sack: vec![],
                timestamps: Some((7, 0))
            }
        );
    }

    #[test]
    fn the_payload_length_comes_from_the_headers_when_the_capture_kept_less() {
        let data = tcp4(40000, 9000, 0x18, 1, 1, &[b'x'; 3000]);
        let p = parsed(&data[..100]);
        assert_eq!(p.length, 3000);
        assert_eq!(p.wire_length as usize, data.len());
        assert_eq!(p.tcp.unwrap().flags.to_string(), "PSH,ACK");
    }

    #[test]
    fn flags_are_named_in_the_order_people_write_them() {
        assert_eq!(TcpFlags(0x12).to_string(), "SYN,ACK");
        assert_eq!(TcpFlags(0x11).to_string(), "FIN,ACK");
        assert_eq!(TcpFlags(0x14).to_string(), "RST,ACK");
        assert_eq!(TcpFlags(0x19).to_string(), "FIN,PSH,ACK");
        assert_eq!(TcpFlags(0).to_string(), "none");
        assert_eq!(serde_json::to_string(&TcpFlags(0x12)).unwrap(), r#"["SYN","ACK"]"#);
    }

    #[test]
    fn udp_over_ipv4_and_ipv6() {
        let p = parsed(&udp4(5000, 9, b"0123456789"));
        assert_eq!((p.protocol, p.length), (Protocol::Udp, 10));
        assert_eq!(p.to, "127.0.0.2:9".parse().unwrap());
        let p = parsed(&udp6(5000, 9, b"abc"));
        assert_eq!((p.protocol, p.length), (Protocol::Udp, 3));
        assert_eq!(p.from, "[::1]:5000".parse().unwrap());
    }

    #[test]
    fn icmp_port_unreachable_names_the_datagram_it_answers() {
        let p = parsed(&icmp4_port_unreachable(&udp4(40000, 9, b"hello")));
        assert_eq!(p.protocol, Protocol::Icmp);
        let icmp = p.icmp.clone().unwrap();
        assert_eq!((icmp.kind, icmp.code, icmp.meaning), (3, 3, IcmpMeaning::PortUnreachable));
        let q = icmp.quoted.unwrap();
        assert_eq!(q.protocol, Protocol::Udp);
        assert_eq!(q.from, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(q.to, "127.0.0.2:9".parse().unwrap());
        assert_eq!(p.ports(), Some((40000, 9)));
        assert!(p.touches(&[9]) && !p.touches(&[10]));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["icmp"]["type"], 3);
        assert_eq!(json["icmp"]["meaning"], "port_unreachable");
        assert_eq!(json["icmp"]["quoted"]["to"], "127.0.0.2:9");
    }

    #[test]
    fn icmpv6_port_unreachable_names_the_datagram_it_answers() {
        let p = parsed(&icmp6_port_unreachable(&udp6(40000, 9, b"hello")));
        assert_eq!(p.protocol, Protocol::Icmpv6);
        let icmp = p.icmp.unwrap();
        assert_eq!((icmp.kind, icmp.code, icmp.meaning), (1, 4, IcmpMeaning::PortUnreachable));
        assert_eq!(icmp.quoted.unwrap().to, "[::1]:9".parse().unwrap());
    }

    #[test]
    fn an_echo_request_quotes_nothing() {
        let p = parsed(&icmp4_echo());
        assert_eq!(p.icmp.as_ref().unwrap().meaning, IcmpMeaning::EchoRequest);
        assert_eq!(p.ports(), None);
    }

    #[test]
    fn what_is_not_a_packet_is_an_error_not_a_panic() {
        assert!(matches!(parse(&[], Instant::now(), Direction::In), Err(ParseError::NotIp(_))));
        assert!(matches!(parse(&[0x45, 0, 0], Instant::now(), Direction::In), Err(ParseError::NotIp(_))));
        let syn = tcp4(1, 2, 0x02, 0, 0, &[]);
        assert!(matches!(
            parse(&syn[..24], Instant::now(), Direction::In),
            Err(ParseError::Truncated { .. })
        ));
        let six = tcp6(1, 2, 0x02, 0, &[]);
        assert_eq!(parsed(&six).to, "[::1]:2".parse().unwrap());
    }
}
