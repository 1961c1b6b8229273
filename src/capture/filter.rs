//! The kernel filter: a classic BPF program, generated from the set of
//! ports, that lets the packet socket copy only this program's packets.
//!
//! What it keeps (the packet starts at the IP header: the socket is a cooked
//! `SOCK_DGRAM` packet socket):
//! - packets on one interface (`SKF_AD_IFINDEX`), and on loopback only the
//!   outgoing copy of each packet (`SKF_AD_PKTTYPE`): loopback hands every
//!   packet to packet sockets twice, once sent and once received;
//! - IPv4 and IPv6 TCP or UDP whose source or destination port is in the set,
//!   the first fragment of a UDP datagram the IP layer cut included (IPv6's
//!   fragment header read when it follows the fixed header, as Linux sends
//!   it); and every later UDP fragment, which carries no ports: user space
//!   keeps those whose IP identification is a kept first fragment's;
//! - ICMP errors (destination unreachable, source quench, time exceeded,
//!   parameter problem) and ICMPv6 errors (types 1 to 4) whose quoted TCP or
//!   UDP datagram has such a port.
//!
//! It keeps at most `snaplen` bytes of each (its return value). IPv6
//! packets with extension headers before TCP/UDP are not matched: Linux
//! sends none on loopback for plain sockets. The user-space parser checks
//! the ports again ([`super::Packet::touches`]), so the filter only has to
//! be exact in what it lets through, not perfect in what it drops.
//!
//! Only Linux's capture runs it; other systems keep [`TooManyPorts`], which
//! `CaptureError` names, and the tests.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::collections::BTreeSet;

/// The most ports one filter holds: each port costs two instructions, and a
/// classic BPF conditional jump reaches at most 255 instructions ahead.
pub(crate) const MAX_PORTS: usize = 120;

/// `SKF_AD_OFF` (-0x1000) plus an ancillary field: loads of these offsets
/// read the socket buffer's metadata, not the packet.
const SKF_AD_PKTTYPE: u32 = 0xffff_f000 + 4;
const SKF_AD_IFINDEX: u32 = 0xffff_f000 + 8;
/// `sll_pkttype` of a packet addressed to this host (the received copy).
pub(crate) const PACKET_HOST: u32 = 0;
/// `sll_pkttype` of a packet this host sends.
#[cfg(test)]
pub(crate) const PACKET_OUTGOING: u32 = 4;

/// One classic BPF instruction, `struct sock_filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Insn {
    pub(crate) code: u16,
    pub(crate) jt: u8,
    pub(crate) jf: u8,
    pub(crate) k: u32,
}

// The opcodes used (linux/filter.h, bpf_common.h).
const LD_W_ABS: u16 = 0x20;
const LD_H_ABS: u16 = 0x28;
const LD_B_ABS: u16 = 0x30;
const LD_H_IND: u16 = 0x48;
const LD_B_IND: u16 = 0x50;
const LDX_IMM: u16 = 0x01;
const LDX_B_MSH: u16 = 0xb1;
const ALU_ADD_K: u16 = 0x04;
const ALU_ADD_X: u16 = 0x0c;
const ALU_AND_K: u16 = 0x54;
const ALU_LSH_K: u16 = 0x64;
const JMP_JA: u16 = 0x05;
const JMP_JEQ_K: u16 = 0x15;
const JMP_JGT_K: u16 = 0x25;
const JMP_JSET_K: u16 = 0x45;
const RET_K: u16 = 0x06;
const MISC_TAX: u16 = 0x07;

/// What the filter keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterSpec {
    /// Only packets on this interface (`None`: any, which the socket's own
    /// binding then narrows).
    pub(crate) ifindex: Option<u32>,
    /// Keep only outgoing copies (for loopback).
    pub(crate) outgoing_only: bool,
    /// The ports: a packet is kept when either of its ports (or its quoted
    /// datagram's) is one of them. Empty: keep nothing.
    pub(crate) ports: BTreeSet<u16>,
    /// Bytes kept of each packet, from the IP header.
    pub(crate) snaplen: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct TooManyPorts {
    pub(crate) count: usize,
}

impl TooManyPorts {
    /// What failed, in the catalogues' words (English in `--json`).
    pub(crate) fn message(&self) -> crate::i18n::Msg {
        crate::msg!("capture-too-many-ports", count = self.count, max = MAX_PORTS)
    }
}

/// A label in the program being assembled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum L {
    Next,
    Drop,
    Accept,
    Ports,
    V4,
    V6,
    Icmp4,
    Icmp4Error,
    Quoted4,
    Icmp6,
    Later4,
    Frag6,
    Later6,
    Keep,
}

enum Op {
    Insn(u16, u32),
    /// A conditional jump: code, k, where to go if true, if false.
    Jump(u16, u32, L, L),
    Always(L),
    Label(L),
}

/// Builds the program for `spec`.
pub(crate) fn program(spec: &FilterSpec) -> Result<Vec<Insn>, TooManyPorts> {
    if spec.ports.len() > MAX_PORTS {
        return Err(TooManyPorts { count: spec.ports.len() });
    }
    if spec.ports.is_empty() {
        return Ok(vec![Insn { code: RET_K, jt: 0, jf: 0, k: 0 }]);
    }
    use L::*;
    use Op::{Always, Insn as I, Jump as J, Label};
    let mut ops = Vec::new();
    if let Some(index) = spec.ifindex {
        ops.extend([I(LD_W_ABS, SKF_AD_IFINDEX), J(JMP_JEQ_K, index, Next, Drop)]);
    }
    if spec.outgoing_only {
        ops.extend([I(LD_W_ABS, SKF_AD_PKTTYPE), J(JMP_JEQ_K, PACKET_HOST, Drop, Next)]);
    }
    ops.extend([
        // IP version.
        I(LD_B_ABS, 0),
        I(ALU_AND_K, 0xf0),
        J(JMP_JEQ_K, 0x40, V4, Next),
        J(JMP_JEQ_K, 0x60, V6, Drop),
        // IPv4: X = header length; after the first fragment, no ports.
        Label(V4),
        I(LD_H_ABS, 6),
        J(JMP_JSET_K, 0x1fff, Later4, Next),
        I(LD_B_ABS, 9),
        I(LDX_B_MSH, 0),
        J(JMP_JEQ_K, 6, Ports, Next),
        J(JMP_JEQ_K, 17, Ports, Next),
        J(JMP_JEQ_K, 1, Icmp4, Drop),
        Label(Icmp4),
        I(LD_B_IND, 0),
        J(JMP_JEQ_K, 3, Icmp4Error, Next),
        J(JMP_JEQ_K, 4, Icmp4Error, Next),
        J(JMP_JEQ_K, 11, Icmp4Error, Next),
        J(JMP_JEQ_K, 12, Icmp4Error, Drop),
        // The quoted IPv4 header starts 8 bytes into the ICMP message.
        Label(Icmp4Error),
        I(LD_B_IND, 8 + 9),
        J(JMP_JEQ_K, 6, Quoted4, Next),
        J(JMP_JEQ_K, 17, Quoted4, Drop),
        Label(Quoted4),
        I(LD_B_IND, 8),
        I(ALU_AND_K, 0x0f),
        I(ALU_LSH_K, 2),
        I(ALU_ADD_X, 0),
        I(ALU_ADD_K, 8),
        I(MISC_TAX, 0),
        Always(Ports),
        // A later UDP fragment: kept, for user space to match.
        Label(Later4),
        I(LD_B_ABS, 9),
        J(JMP_JEQ_K, 17, Keep, Drop),
        // IPv6: a fixed 40-byte header, then TCP, UDP, ICMPv6 or a
        // fragment header.
        Label(V6),
        I(LD_B_ABS, 6),
        I(LDX_IMM, 40),
        J(JMP_JEQ_K, 6, Ports, Next),
        J(JMP_JEQ_K, 17, Ports, Next),
        J(JMP_JEQ_K, 44, Frag6, Next),
        J(JMP_JEQ_K, 58, Icmp6, Drop),
        // The fragment header: next header, reserved, offset and flags,
        // identification. The first fragment has the UDP header after it.
        Label(Frag6),
        I(LD_H_ABS, 42),
        J(JMP_JSET_K, 0xfff8, Later6, Next),
        I(LD_B_ABS, 40),
        I(LDX_IMM, 48),
        J(JMP_JEQ_K, 17, Ports, Drop),
        Label(Later6),
        I(LD_B_ABS, 40),
        J(JMP_JEQ_K, 17, Keep, Drop),
        // ICMPv6 errors are types 1 to 4; the quoted IPv6 header follows
        // the 8-byte ICMPv6 header.
        Label(Icmp6),
        I(LD_B_ABS, 40),
        J(JMP_JGT_K, 4, Drop, Next),
        J(JMP_JEQ_K, 0, Drop, Next),
        I(LD_B_ABS, 40 + 8 + 6),
        I(LDX_IMM, 40 + 8 + 40),
        J(JMP_JEQ_K, 6, Ports, Next),
        J(JMP_JEQ_K, 17, Ports, Drop),
        // An unconditional jump reaches the end however many ports.
        Label(Keep),
        Always(Accept),
        Label(Drop),
        I(RET_K, 0),
        // X points at a TCP or UDP header: source port, destination port.
        Label(Ports),
        I(LD_H_IND, 0),
    ]);
    for &port in &spec.ports {
        ops.push(J(JMP_JEQ_K, u32::from(port), Accept, Next));
    }
    ops.push(I(LD_H_IND, 2));
    for &port in &spec.ports {
        ops.push(J(JMP_JEQ_K, u32::from(port), Accept, Next));
    }
    ops.extend([I(RET_K, 0), Label(Accept), I(RET_K, spec.snaplen)]);
    Ok(assemble(&ops))
}

/// Resolves labels into relative jumps. The layout above keeps every
/// conditional jump within 255 instructions (checked in the tests for
/// [`MAX_PORTS`]).
fn assemble(ops: &[Op]) -> Vec<Insn> {
    let mut at = Vec::new();
    let mut pc = 0usize;
    for op in ops {
        match op {
            Op::Label(l) => at.push((*l, pc)),
            _ => pc += 1,
        }
    }
    let find = |l: L, from: usize| -> usize {
        let target = match l {
            L::Next => from + 1,
            _ => at.iter().find(|(name, _)| *name == l).map(|(_, pc)| *pc).expect("label defined"),
        };
        target - (from + 1)
    };
    let mut out = Vec::new();
    for op in ops {
        let pc = out.len();
        match *op {
            Op::Label(_) => {}
            Op::Insn(code, k) => out.push(Insn { code, jt: 0, jf: 0, k }),
            Op::Always(l) => out.push(Insn { code: JMP_JA, jt: 0, jf: 0, k: find(l, pc) as u32 }),
            Op::Jump(code, k, t, f) => {
                let jt = u8::try_from(find(t, pc)).expect("jump within 255");
                let jf = u8::try_from(find(f, pc)).expect("jump within 255");
                out.push(Insn { code, jt, jf, k });
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod interpreter {
    //! A classic BPF interpreter for the instructions [`program`] emits, to
    //! run it on sample packets the way the kernel does (`bpf_convert_filter`
    //! semantics: a load past the end drops the packet).

    use super::*;

    /// The socket buffer metadata the ancillary loads read.
    pub(crate) struct Meta {
        pub(crate) ifindex: u32,
        pub(crate) pkttype: u32,
    }

    /// Runs `prog` on `packet`; returns the number of bytes kept (0: drop).
    pub(crate) fn run(prog: &[Insn], packet: &[u8], meta: &Meta) -> u32 {
        let (mut a, mut x) = (0u32, 0u32);
        let mut pc = 0usize;
        let load = |off: u32, size: usize| -> Option<u32> {
            let off = off as usize;
            let bytes = packet.get(off..off.checked_add(size)?)?;
            Some(bytes.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b)))
        };
        loop {
            let Insn { code, jt, jf, k } = prog[pc];
            pc += 1;
            match code {
                LD_W_ABS if k == SKF_AD_IFINDEX => a = meta.ifindex,
                LD_W_ABS if k == SKF_AD_PKTTYPE => a = meta.pkttype,
                LD_W_ABS => match load(k, 4) {
                    Some(v) => a = v,
                    None => return 0,
                },
                LD_H_ABS | LD_B_ABS | LD_H_IND | LD_B_IND => {
                    let size = if code & 0x18 == 0x08 { 2 } else { 1 };
                    let off = if code & 0x40 != 0 { x.wrapping_add(k) } else { k };
                    match load(off, size) {
                        Some(v) => a = v,
                        None => return 0,
                    }
                }
                LDX_IMM => x = k,
                LDX_B_MSH => match load(k, 1) {
                    Some(v) => x = (v & 0xf) * 4,
                    None => return 0,
                },
                ALU_ADD_K => a = a.wrapping_add(k),
                ALU_ADD_X => a = a.wrapping_add(x),
                ALU_AND_K => a &= k,
                ALU_LSH_K => a <<= k,
                MISC_TAX => x = a,
                JMP_JA => pc += k as usize,
                JMP_JEQ_K | JMP_JGT_K | JMP_JSET_K => {
                    let taken = match code {
                        JMP_JEQ_K => a == k,
                        JMP_JGT_K => a > k,
                        _ => a & k != 0,
                    };
                    pc += usize::from(if taken { jt } else { jf });
                }
                RET_K => return k,
                other => panic!("opcode {other:#x} not emitted by program()"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::interpreter::{Meta, run};
    use super::*;
    use crate::model::packet::samples::*;

    const LO: u32 = 1;

    fn spec(ports: &[u16]) -> FilterSpec {
        FilterSpec {
            ifindex: Some(LO),
            outgoing_only: true,
            ports: ports.iter().copied().collect(),
            snaplen: 256,
        }
    }

    fn kept(ports: &[u16], packet: &[u8]) -> u32 {
        run(&program(&spec(ports)).unwrap(), packet, &Meta { ifindex: LO, pkttype: PACKET_OUTGOING })
    }

    #[test]
    fn tcp_and_udp_on_a_watched_port_either_way_ipv4_and_ipv6() {
        for packet in [
            tcp4(40000, 9000, 0x02, 0, 0, &[]),
            tcp4(9000, 40000, 0x12, 0, 1, &[]),
            udp4(40000, 9000, b"x"),
            udp4(9000, 40000, b"x"),
            tcp6(40000, 9000, 0x02, 0, &[]),
            udp6(9000, 40000, b"x"),
        ] {
            assert_eq!(kept(&[9000], &packet), 256, "{packet:?}");
            assert_eq!(kept(&[9001, 7], &packet), 0, "{packet:?}");
        }
    }

    #[test]
    fn icmp_errors_are_kept_for_the_ports_of_the_datagram_they_quote() {
        let v4 = icmp4_port_unreachable(&udp4(40000, 9, b"hello"));
        assert_eq!(kept(&[9], &v4), 256);
        assert_eq!(kept(&[40000], &v4), 256);
        assert_eq!(kept(&[10], &v4), 0);
        let tcp_quoted = icmp4_port_unreachable(&tcp4(40000, 9, 0x02, 0, 0, &[]));
        assert_eq!(kept(&[9], &tcp_quoted), 256);
        let v6 = icmp6_port_unreachable(&udp6(40000, 9, b"hello"));
        assert_eq!(kept(&[9], &v6), 256);
        assert_eq!(kept(&[10], &v6), 0);
        // A ping quotes nothing: not ours.
        assert_eq!(kept(&[9], &icmp4_echo()), 0);
    }

    #[test]
    fn the_received_copy_other_interfaces_and_non_ip_are_dropped() {
        let prog = program(&spec(&[9000])).unwrap();
        let syn = tcp4(40000, 9000, 0x02, 0, 0, &[]);
        assert_eq!(run(&prog, &syn, &Meta { ifindex: LO, pkttype: PACKET_HOST }), 0);
        assert_eq!(run(&prog, &syn, &Meta { ifindex: 2, pkttype: PACKET_OUTGOING }), 0);
        assert_eq!(run(&prog, &[0x00, 0x01], &Meta { ifindex: LO, pkttype: PACKET_OUTGOING }), 0);
        assert_eq!(run(&prog, &[], &Meta { ifindex: LO, pkttype: PACKET_OUTGOING }), 0);
        // Not on loopback: both directions are wanted.
        let anywhere = program(&FilterSpec { ifindex: None, outgoing_only: false, ..spec(&[9000]) }).unwrap();
        assert_eq!(run(&anywhere, &syn, &Meta { ifindex: 7, pkttype: PACKET_HOST }), 256);
    }

    #[test]
    fn ipv4_options_move_the_ports_and_later_fragments_have_none() {
        let mut syn = tcp4(40000, 9000, 0x02, 0, 0, &[]);
        // Insert 4 bytes of IPv4 options (NOP NOP NOP EOL): IHL 5 → 6.
        syn.splice(20..20, [1, 1, 1, 0]);
        syn[0] = 0x46;
        assert_eq!(kept(&[9000], &syn), 256);
        let mut fragment = tcp4(40000, 9000, 0x02, 0, 0, &[]);
        fragment[7] = 0x10; // fragment offset 16 (x 8 bytes)
        assert_eq!(kept(&[9000], &fragment), 0);
    }

    #[test]
    fn a_cut_datagrams_first_fragment_by_its_ports_and_every_later_one() {
        let v4 = fragments4(&udp4(40000, 9000, &[1; 1600]), 1480, 7);
        let v6 = fragments6(&udp6(40000, 9000, &[1; 3000]), 1448, 7);
        for (first, later) in [(&v4[0], &v4[1]), (&v6[0], &v6[1])] {
            assert_eq!(kept(&[9000], first), 256);
            assert_eq!(kept(&[9001], first), 0, "another port's datagram");
            // No ports to read: kept, and user space matches its id.
            assert_eq!(kept(&[9001], later), 256);
        }
        // Under the largest filter too (the jump to keep is not conditional).
        let most: Vec<u16> = (1000..1000 + MAX_PORTS as u16).collect();
        assert_eq!(kept(&most, &v6[1]), 256);
        assert_eq!(kept(&most, &v4[1]), 256);
    }

    #[test]
    fn no_ports_keep_nothing_and_too_many_is_an_error() {
        assert_eq!(kept(&[], &tcp4(1, 2, 0x02, 0, 0, &[])), 0);
        let many: Vec<u16> = (1..=MAX_PORTS as u16 + 1).collect();
        assert_eq!(program(&spec(&many)), Err(TooManyPorts { count: MAX_PORTS + 1 }));
        // In the catalogues' words, as every capture error (issue 21, item 3).
        let e = TooManyPorts { count: MAX_PORTS + 1 };
        assert_eq!(
            e.message().render(crate::i18n::Lang::En),
            "packet filter: 121 ports to watch, at most 120 fit in one kernel filter"
        );
        assert_eq!(
            e.message().render(crate::i18n::Lang::Fr),
            "filtre de paquets\u{a0}: 121 ports à surveiller, un filtre du noyau en contient 120 au plus"
        );
        // The largest filter assembles (every jump within reach) and works
        // for its first and last port.
        let most: Vec<u16> = (1000..1000 + MAX_PORTS as u16).collect();
        assert_eq!(kept(&most, &tcp4(1000, 1, 0x02, 0, 0, &[])), 256);
        assert_eq!(kept(&most, &tcp4(1, 1000 + MAX_PORTS as u16 - 1, 0x02, 0, 0, &[])), 256);
    }
}
