//! Which datagrams `udp serve` answers. A UDP source address is whatever
//! the sender wrote in it: nothing proves it, so an answer may go to
//! someone who never asked. Three faults follow, and each is closed here:
//!
//! - **Answering itself.** A datagram "from" the server's own address and
//!   port makes `--echo` answer itself, forever. Never answer our own
//!   address, port 0, or a source no real sender has (0.0.0.0, multicast,
//!   broadcast).
//! - **Loops.** Two servers that answer everything (two `--echo`, or an echo
//!   and a `--reply`) answer each other forever once one datagram starts
//!   them. Nothing in a datagram tells a server's answer from a client's
//!   request (a client sending the same line again looks just like an echo
//!   server), so the loop is recognised by its rate: one peer gets at most
//!   `--answer-rate` answers a second (a token bucket of that size, refilled
//!   at that rate). A loop on one machine runs far faster, so it breaks at
//!   the first answer withheld: one lost datagram ends it. A loop between
//!   servers far apart (more than 1/rate seconds per round trip) is bounded
//!   to that rate, not ended.
//! - **Amplification.** A 1-byte datagram with a victim's address must not
//!   make `--reply` send 1,400 bytes to the victim. As QUIC does before it
//!   has checked a peer's address, a peer gets at most 3 times the bytes it
//!   sent (counted on the wire, IP and UDP headers included, so a learner's
//!   `hi` still gets `Bonjour client !`).
//!
//! `--allow` / `--deny` (shared with `tcp serve`) decide whose datagrams are
//! taken at all. They filter honest senders; against a forged source they
//! only keep answers away from the addresses not allowed.
//!
//! Each withheld answer is counted; the reason is told once per peer, never
//! once per datagram, so a flood cannot flood the output too.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::i18n::Msg;
use crate::msg;
use crate::net::access::{Access, Refusal};
use crate::sys::local_addrs::{self, LocalAddrs};

/// At most this many times the bytes a peer sent may go back to it.
pub(crate) const AMPLIFICATION: u64 = 3;

/// Peers remembered at once; past that, peers silent for `FORGET` are
/// forgotten, and if all are recent (a flood of forged sources), new ones
/// are not answered until some are.
const MAX_PEERS: usize = 4096;
const FORGET: Duration = Duration::from_secs(60);

/// How often the machine's addresses are listed again.
const REFRESH: Duration = Duration::from_secs(5);

/// Why an answer is not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Withheld {
    /// The datagram claims to come from this server's own address.
    OwnAddress,
    /// Port 0, or a source address no sender has.
    ImpossibleSource(&'static str),
    /// The peer sends faster than `--answer-rate`.
    Rate(u32),
    /// The answer would exceed 3 times what the peer sent.
    Amplification { answer: usize, sent: u64, received: u64 },
    /// Too many peers at once to keep count of them.
    TooManyPeers,
}

impl Withheld {
    /// Why, in the catalogues' words.
    pub(crate) fn message(&self) -> Msg {
        match self {
            Withheld::OwnAddress => msg!("withheld-own-address"),
            Withheld::ImpossibleSource(why) => msg!(
                "withheld-impossible",
                why = match *why {
                    "port-zero" => msg!("source-port-zero"),
                    "unspecified" => msg!("source-unspecified"),
                    "multicast" => msg!("source-multicast"),
                    _ => msg!("source-broadcast"),
                }
            ),
            Withheld::Rate(rate) => msg!("withheld-rate", rate = *rate),
            Withheld::Amplification { answer, sent, received } => msg!(
                "withheld-amplification",
                answer = *answer,
                total = sent + wire(*answer, true),
                received = *received,
                times = AMPLIFICATION
            ),
            Withheld::TooManyPeers => {
                msg!("withheld-too-many-peers", max = MAX_PEERS, seconds = FORGET.as_secs())
            }
        }
    }
}

impl fmt::Display for Withheld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

/// What the guard says about one datagram or one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict<T> {
    Go,
    /// Not taken or not answered; `tell` is true the first time for this
    /// peer (the only time the reason is shown).
    No {
        why: T,
        tell: bool,
    },
}

#[derive(Debug)]
struct Peer {
    tokens: f64,
    refilled: Instant,
    last_seen: Instant,
    /// Bytes on the wire, both ways, for the amplification bound.
    wire_in: u64,
    wire_out: u64,
    told_withheld: bool,
    told_ignored: bool,
}

/// The per-peer state of one `udp serve`.
#[derive(Debug)]
pub(crate) struct Guard {
    local: SocketAddr,
    /// Answers a second to one peer; 0 is no limit.
    rate: u32,
    access: Access,
    peers: HashMap<SocketAddr, Peer>,
    own: LocalAddrs,
    listed: Option<Instant>,
    /// The system lists the machine's addresses (false in unit tests).
    list_addrs: bool,
    told_too_many: bool,
}

impl Guard {
    pub(crate) fn new(local: SocketAddr, rate: u32, access: Access) -> Guard {
        Guard {
            local,
            rate,
            access,
            peers: HashMap::new(),
            own: LocalAddrs::default(),
            listed: None,
            list_addrs: true,
            told_too_many: false,
        }
    }

    /// A datagram from `peer`, `arrived` bytes long: taken, or ignored
    /// (--allow / --deny).
    pub(crate) fn admit(&mut self, peer: SocketAddr, arrived: usize, now: Instant) -> Verdict<Refusal> {
        let refused = self.access.check(&peer).err();
        let Some(state) = self.peer(peer, now) else {
            return match refused {
                None => Verdict::Go,
                Some(why) => Verdict::No { why, tell: false },
            };
        };
        state.last_seen = now;
        match refused {
            None => {
                state.wire_in += wire(arrived, is_v4(&peer));
                Verdict::Go
            }
            Some(why) => Verdict::No { why, tell: !std::mem::replace(&mut state.told_ignored, true) },
        }
    }

    /// May `len` bytes be sent to `peer` now? Counts them if so.
    pub(crate) fn answer(&mut self, peer: SocketAddr, len: usize, now: Instant) -> Verdict<Withheld> {
        if let Some(why) = impossible_source(&peer) {
            return Verdict::No { why: Withheld::ImpossibleSource(why), tell: !self.told(peer, now) };
        }
        if self.is_own(&peer, now) {
            return Verdict::No { why: Withheld::OwnAddress, tell: !self.told(peer, now) };
        }
        let rate = self.rate;
        let Some(state) = self.peer(peer, now) else {
            let tell = !std::mem::replace(&mut self.told_too_many, true);
            return Verdict::No { why: Withheld::TooManyPeers, tell };
        };
        let cost = wire(len, is_v4(&peer));
        let why = if state.wire_out + cost > AMPLIFICATION * state.wire_in {
            Some(Withheld::Amplification { answer: len, sent: state.wire_out, received: state.wire_in })
        } else if rate > 0 && !take_token(state, rate, now) {
            Some(Withheld::Rate(rate))
        } else {
            None
        };
        match why {
            None => {
                state.wire_out += cost;
                Verdict::Go
            }
            Some(why) => Verdict::No { why, tell: !std::mem::replace(&mut state.told_withheld, true) },
        }
    }

    /// Marks `peer` as told about a withheld answer; true if it already
    /// was.
    fn told(&mut self, peer: SocketAddr, now: Instant) -> bool {
        match self.peer(peer, now) {
            Some(state) => std::mem::replace(&mut state.told_withheld, true),
            None => std::mem::replace(&mut self.told_too_many, true),
        }
    }

    /// The state of `peer`, made if new; None when too many are kept.
    fn peer(&mut self, peer: SocketAddr, now: Instant) -> Option<&mut Peer> {
        if !self.peers.contains_key(&peer) && self.peers.len() >= MAX_PEERS {
            self.peers.retain(|_, p| now.saturating_duration_since(p.last_seen) < FORGET);
            if self.peers.len() >= MAX_PEERS {
                return None;
            }
        }
        let rate = f64::from(self.rate);
        Some(self.peers.entry(peer).or_insert(Peer {
            tokens: rate,
            refilled: now,
            last_seen: now,
            wire_in: 0,
            wire_out: 0,
            told_withheld: false,
            told_ignored: false,
        }))
    }

    /// True when `peer` is this very socket: our port, and our address (or,
    /// bound to a wildcard, any address of this machine).
    fn is_own(&mut self, peer: &SocketAddr, now: Instant) -> bool {
        if peer.port() != self.local.port() {
            return false;
        }
        let ip = peer.ip().to_canonical();
        let bound = self.local.ip().to_canonical();
        if ip == bound {
            return true;
        }
        if !bound.is_unspecified() {
            return false;
        }
        // A wildcard socket (0.0.0.0, or :: which also takes IPv4) gets
        // datagrams sent to any address of the machine.
        if ip.is_loopback() {
            return true;
        }
        if self.list_addrs && self.listed.is_none_or(|at| now.saturating_duration_since(at) >= REFRESH) {
            self.own = local_addrs::list();
            self.listed = Some(now);
        }
        self.own.addresses.iter().any(|a| a.to_canonical() == ip)
    }
}

/// Refills the bucket for the time gone by, then takes one answer from it.
fn take_token(state: &mut Peer, rate: u32, now: Instant) -> bool {
    let rate = f64::from(rate);
    let gone = now.saturating_duration_since(state.refilled).as_secs_f64();
    state.tokens = (state.tokens + gone * rate).min(rate);
    state.refilled = now;
    if state.tokens >= 1.0 {
        state.tokens -= 1.0;
        true
    } else {
        false
    }
}

/// Why `peer` cannot be a real sender, if it cannot.
fn impossible_source(peer: &SocketAddr) -> Option<&'static str> {
    let ip = peer.ip().to_canonical();
    if peer.port() == 0 {
        Some("port-zero")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip == IpAddr::V4(Ipv4Addr::BROADCAST) {
        Some("broadcast")
    } else {
        None
    }
}

fn is_v4(peer: &SocketAddr) -> bool {
    peer.ip().to_canonical().is_ipv4()
}

/// A datagram's size on the wire: its payload and the IP and UDP headers
/// (20 + 8 bytes for IPv4, 40 + 8 for IPv6, options aside).
fn wire(payload: usize, v4: bool) -> u64 {
    payload as u64 + if v4 { 28 } else { 48 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::access::parse_rule;

    const SERVER: &str = "127.0.0.1:12345";

    fn guard(rate: u32) -> Guard {
        let mut guard = Guard::new(SERVER.parse().unwrap(), rate, Access::default());
        guard.list_addrs = false;
        guard
    }

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    /// admit, then answer `len` bytes: the verdict on the answer.
    fn exchange(
        guard: &mut Guard,
        peer: &str,
        arrived: usize,
        len: usize,
        now: Instant,
    ) -> Verdict<Withheld> {
        assert_eq!(guard.admit(addr(peer), arrived, now), Verdict::Go);
        guard.answer(addr(peer), len, now)
    }

    #[test]
    fn never_answers_its_own_address_or_an_impossible_source() {
        let now = Instant::now();
        let mut g = guard(0);
        assert_eq!(
            exchange(&mut g, SERVER, 5, 5, now),
            Verdict::No { why: Withheld::OwnAddress, tell: true }
        );
        // Told once per peer.
        assert_eq!(
            exchange(&mut g, SERVER, 5, 5, now),
            Verdict::No { why: Withheld::OwnAddress, tell: false }
        );
        let mut g = Guard::new(addr("[::]:7000"), 0, Access::default());
        g.list_addrs = false;
        for own in ["127.0.0.1:7000", "127.0.0.9:7000", "[::ffff:127.0.0.1]:7000", "[::1]:7000"] {
            assert!(
                matches!(exchange(&mut g, own, 1, 1, now), Verdict::No { why: Withheld::OwnAddress, .. }),
                "{own}"
            );
        }
        // The same address on another port is someone else.
        assert_eq!(exchange(&mut g, "127.0.0.1:7001", 1, 1, now), Verdict::Go);
        for forged in ["127.0.0.1:0", "0.0.0.0:53", "[::]:53", "224.0.0.1:53", "255.255.255.255:53"] {
            let verdict = exchange(&mut guard(0), forged, 1, 1, now);
            assert!(
                matches!(verdict, Verdict::No { why: Withheld::ImpossibleSource(_), tell: true }),
                "{forged}"
            );
        }
    }

    #[test]
    fn a_bound_address_is_own_only_on_itself() {
        let now = Instant::now();
        // Bound to 127.0.0.1: 127.0.0.2 on the same port is another socket.
        assert_eq!(exchange(&mut guard(0), "127.0.0.2:12345", 1, 1, now), Verdict::Go);
    }

    #[test]
    fn the_rate_ends_a_fast_loop_and_refills() {
        let start = Instant::now();
        let mut g = guard(100);
        // A loop on one machine: thousands of round trips a second.
        let answered = (0..1000)
            .take_while(|i| {
                let now = start + Duration::from_micros(50 * i);
                exchange(&mut g, "127.0.0.1:5000", 10, 10, now) == Verdict::Go
            })
            .count();
        assert!((100..=101).contains(&answered), "{answered} answers before the first withheld");
        // The reason was told at the first withheld answer, not again.
        let later = start + Duration::from_micros(5_060);
        assert_eq!(
            exchange(&mut g, "127.0.0.1:5000", 10, 10, later),
            Verdict::No { why: Withheld::Rate(100), tell: false }
        );
        // A second later the bucket is full again.
        assert_eq!(exchange(&mut g, "127.0.0.1:5000", 10, 10, start + Duration::from_secs(2)), Verdict::Go);
        // Another peer has its own bucket.
        assert_eq!(exchange(&mut g, "127.0.0.1:5001", 10, 10, later), Verdict::Go);
        // 0: no limit.
        let mut g = guard(0);
        assert!((0..10_000).all(|_| exchange(&mut g, "127.0.0.1:5000", 10, 10, start) == Verdict::Go));
    }

    #[test]
    fn answers_at_most_three_times_what_a_peer_sent() {
        let now = Instant::now();
        // The course's exchange, and a learner's short line, are answered.
        assert_eq!(exchange(&mut guard(0), "127.0.0.1:5000", 15, 16, now), Verdict::Go);
        assert_eq!(exchange(&mut guard(0), "127.0.0.1:5000", 2, 16, now), Verdict::Go);
        assert_eq!(exchange(&mut guard(0), "127.0.0.1:5000", 0, 56, now), Verdict::Go);
        // A 1-byte datagram does not buy 1,400 bytes.
        let mut g = guard(0);
        let verdict = exchange(&mut g, "127.0.0.1:5000", 1, 1400, now);
        assert_eq!(
            verdict,
            Verdict::No { why: Withheld::Amplification { answer: 1400, sent: 0, received: 29 }, tell: true }
        );
        // 49 more such datagrams (50 x 29 = 1450 bytes in) buy one answer
        // of 1428 bytes on the wire: 3 times is the bound, over time too.
        let answered =
            (0..200).filter(|_| exchange(&mut g, "127.0.0.1:5000", 1, 1400, now) == Verdict::Go).count();
        assert_eq!(answered, (201 * 29 * 3) / 1428);
        // An echo is never more than what came.
        let mut g = guard(0);
        assert!((0..100).all(|_| exchange(&mut g, "[::1]:5000", 1, 1, now) == Verdict::Go));
    }

    #[test]
    fn allow_and_deny_decide_whose_datagrams_are_taken() {
        let now = Instant::now();
        let access = Access { allow: vec![parse_rule("127.0.0.0/8").unwrap()], deny: vec![] };
        let mut g = Guard::new(SERVER.parse().unwrap(), 0, access);
        assert_eq!(g.admit(addr("127.0.0.1:5000"), 1, now), Verdict::Go);
        let first = g.admit(addr("[::1]:5000"), 1, now);
        assert!(matches!(first, Verdict::No { tell: true, .. }), "{first:?}");
        assert!(matches!(g.admit(addr("[::1]:5000"), 1, now), Verdict::No { tell: false, .. }));
    }

    #[test]
    fn a_flood_of_forged_sources_keeps_memory_bounded() {
        let now = Instant::now();
        let mut g = guard(100);
        for i in 0..(MAX_PEERS as u32 + 10) {
            let peer = SocketAddr::from((Ipv4Addr::from(0x0a00_0000 + i), 4000));
            let _ = g.admit(peer, 100, now);
            let _ = g.answer(peer, 100, now);
        }
        assert!(g.peers.len() <= MAX_PEERS);
        let peer = addr("10.200.0.1:4000");
        assert_eq!(g.answer(peer, 1, now), Verdict::No { why: Withheld::TooManyPeers, tell: false });
        // A minute later, the quiet ones are forgotten.
        assert_eq!(exchange(&mut g, "10.200.0.1:4000", 10, 10, now + FORGET), Verdict::Go);
    }
}
