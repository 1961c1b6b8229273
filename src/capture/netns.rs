//! A network namespace of the process's own, for the demo: both of its ends
//! live in this process, so they can talk over a private loopback where the
//! process holds CAP_NET_RAW, and capture without root.
//!
//! An unprivileged process gets that by creating a user namespace (in which
//! it has every capability) and, owned by it, a network namespace. Whether a
//! system allows it is its choice (docs/capture.md lists which do): Debian 12
//! and this machine do; Ubuntu 23.10 and later refuse through AppArmor
//! (`kernel.apparmor_restrict_unprivileged_userns`); some systems set
//! `user.max_user_namespaces` to 0.

use std::fs;
use std::io;

use netlink_packet_core::{
    NLM_F_ACK, NLM_F_REQUEST, NetlinkDeserializable, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    NetlinkSerializable,
};
use nix::errno::Errno;
use nix::sched::{CloneFlags, unshare};
use nix::unistd::{Gid, Uid};
use socket2::{Domain, Protocol, Socket, Type};

use crate::i18n::Msg;
use crate::msg;

/// Why the process could not move into a private network namespace. Its
/// words are the catalogues' ([`NetnsError::message`]): the demo shows them
/// to a learner in the run's language.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message())]
pub enum NetnsError {
    /// The system does not let an unprivileged user do it. The process is
    /// still in the host's network namespace: it can go on without capture.
    Refused { errno: Errno, why: Option<Restriction> },
    /// The process has other threads; nothing was changed.
    Threaded,
    /// Setting up the user namespace failed; the process is still in the
    /// host's network namespace.
    Setup {
        what: &'static str,
        #[source]
        source: io::Error,
    },
    /// The process is already in the new network namespace but its loopback
    /// could not be brought up: it has no network at all, and should stop.
    LoopbackDown(#[source] io::Error),
}

/// The known switch that keeps unprivileged user namespaces from working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// `kernel.apparmor_restrict_unprivileged_userns = 1` (Ubuntu 23.10 and
    /// later).
    AppArmor,
    /// `kernel.unprivileged_userns_clone = 0` (Debian's older kernels).
    UsernsClone,
    /// `user.max_user_namespaces = 0`.
    MaxUserNamespaces,
}

impl NetnsError {
    /// What failed, in the catalogues' words (English in `--json`).
    pub(crate) fn message(&self) -> Msg {
        let os = |e: &io::Error| crate::i18n::describe_msg(e);
        match self {
            NetnsError::Refused { errno, why } => {
                let error = os(&io::Error::from(*errno));
                let errno = format!("{errno:?}");
                match why {
                    None => msg!("netns-refused", errno = errno, error = error),
                    Some(why) => {
                        msg!("netns-refused-because", errno = errno, error = error, why = why.message())
                    }
                }
            }
            NetnsError::Threaded => msg!("netns-threaded"),
            NetnsError::Setup { what, source } => msg!("netns-setup", what = *what, error = os(source)),
            NetnsError::LoopbackDown(source) => msg!("netns-loopback-down", error = os(source)),
        }
    }
}

impl Restriction {
    fn message(self) -> Msg {
        match self {
            Restriction::AppArmor => msg!("netns-restricted-apparmor"),
            // A setting's name and value read the same in every language.
            Restriction::UsernsClone => Msg::text("kernel.unprivileged_userns_clone = 0"),
            Restriction::MaxUserNamespaces => Msg::text("user.max_user_namespaces = 0"),
        }
    }
}

/// Moves this process into a new network namespace with only a loopback
/// interface, which it brings up; as a user other than root, inside a new
/// user namespace first (that maps the user to itself). Afterwards every
/// socket the process opens (and every thread it starts) lives there:
/// 127.0.0.1 and ::1 reach only this process, and a packet capture on `lo`
/// needs no root.
///
/// Call it first thing, while the process has one thread: Linux refuses to
/// put a multi-threaded process into a new user namespace (and would move
/// only the calling thread into a new network namespace). On any error but
/// [`NetnsError::LoopbackDown`] the process is still in the host's network
/// namespace and can go on without capture.
pub fn enter_private_netns() -> Result<(), NetnsError> {
    // Root could unshare the network namespace alone even with threads
    // running, but only for the calling thread: the others would stay
    // outside. Refuse that too.
    if threads()? > 1 {
        return Err(NetnsError::Threaded);
    }
    let (uid, gid) = (Uid::current(), Gid::current());
    let refused = |errno| NetnsError::Refused { errno, why: restriction() };
    if !uid.is_root() {
        // The user namespace first, alone: where it comes without
        // capabilities (Ubuntu's AppArmor), the network namespace is refused
        // next while the process still has the host's network.
        unshare(CloneFlags::CLONE_NEWUSER).map_err(|e| match e {
            Errno::EINVAL => NetnsError::Threaded,
            other => refused(other),
        })?;
        let setup = |what, source| NetnsError::Setup { what, source };
        // Writing gid_map needs setgroups denied first (user_namespaces(7)).
        fs::write("/proc/self/setgroups", "deny").map_err(|e| setup("/proc/self/setgroups", e))?;
        fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))
            .map_err(|e| setup("/proc/self/uid_map", e))?;
        fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))
            .map_err(|e| setup("/proc/self/gid_map", e))?;
    }
    unshare(CloneFlags::CLONE_NEWNET).map_err(refused)?;
    bring_loopback_up().map_err(NetnsError::LoopbackDown)
}

/// What keeps unprivileged user namespaces from working here, if one of the
/// known switches says so.
fn restriction() -> Option<Restriction> {
    let read = |path: &str| fs::read_to_string(path).ok().map(|s| s.trim().to_string());
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        return Some(Restriction::AppArmor);
    }
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        return Some(Restriction::UsernsClone);
    }
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        return Some(Restriction::MaxUserNamespaces);
    }
    None
}

/// How many threads this process has (`Threads:` in /proc/self/status).
fn threads() -> Result<usize, NetnsError> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|source| NetnsError::Setup { what: "/proc/self/status", source })?;
    Ok(status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(1))
}

/// `ip link set lo up`, through rtnetlink: one RTM_SETLINK request whose
/// `struct ifinfomsg` sets IFF_UP in `ifi_flags` and `ifi_change`, and the
/// kernel's acknowledgement.
fn bring_loopback_up() -> io::Result<()> {
    let index = nix::net::if_::if_nametoindex("lo")?;
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_ACK;
    let mut message = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(SetUp { index }));
    message.finalize();
    let mut out = vec![0; message.buffer_len()];
    message.serialize(&mut out);

    let socket =
        Socket::new(Domain::from(libc::AF_NETLINK), Type::DGRAM, Some(Protocol::from(libc::NETLINK_ROUTE)))?;
    socket.set_read_timeout(Some(std::time::Duration::from_secs(2)))?;
    socket.send(&out)?;
    let mut buf = vec![0u8; 8192];
    let size = io::Read::read(&mut &socket, &mut buf)?;
    acknowledged(&buf[..size])
}

/// What the kernel answered a request sent with NLM_F_ACK: an NLMSG_ERROR
/// whose code is 0 (done) or a negated errno.
fn acknowledged(reply: &[u8]) -> io::Result<()> {
    let reply = NetlinkMessage::<SetUp>::deserialize(reply)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("rtnetlink: {e}")))?;
    match reply.payload {
        NetlinkPayload::Error(error) => match error.code {
            Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// RTM_SETLINK for the interface `index` with IFF_UP set and nothing else
/// changed. Its payload is the 16 bytes of `struct ifinfomsg`
/// (linux/rtnetlink.h) in the host's byte order, with no attributes:
/// written here rather than through netlink-packet-route, which cost the
/// release binary 0.77 MB for this one message (Cargo.toml says the
/// measure). iproute2's `ip link set lo up` sends the same 16 bytes as
/// RTM_NEWLINK, which changes an existing link the same way; RTM_SETLINK is
/// the request the crate sent, kept so the kernel sees what it saw.
#[derive(Debug)]
struct SetUp {
    index: u32,
}

impl NetlinkSerializable for SetUp {
    fn message_type(&self) -> u16 {
        libc::RTM_SETLINK
    }

    fn buffer_len(&self) -> usize {
        16
    }

    fn serialize(&self, buffer: &mut [u8]) {
        let up = libc::IFF_UP as u32;
        // ifi_family (AF_UNSPEC), a pad byte, ifi_type (any): zero.
        buffer[..4].fill(0);
        buffer[4..8].copy_from_slice(&self.index.to_ne_bytes());
        buffer[8..12].copy_from_slice(&up.to_ne_bytes()); // ifi_flags
        buffer[12..16].copy_from_slice(&up.to_ne_bytes()); // ifi_change
    }
}

/// The kernel answers the request with NLMSG_ERROR alone, which
/// netlink-packet-core parses itself; any other message is not an answer.
impl NetlinkDeserializable for SetUp {
    type Error = io::Error;

    fn deserialize(header: &NetlinkHeader, _payload: &[u8]) -> Result<Self, Self::Error> {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("rtnetlink: message type {} where an acknowledgement was expected", header.message_type),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_with_threads_is_refused_before_anything_changes() {
        // The test harness runs each test on a thread of its own.
        assert!(threads().unwrap() > 1);
        assert!(matches!(enter_private_netns(), Err(NetnsError::Threaded)));
    }

    /// Every refusal is the catalogues' sentence in the run's language, the
    /// OS's own words aside (issue 21, item 3: they were English Display).
    #[test]
    fn the_refusals_speak_the_run_s_language() {
        use crate::i18n::Lang;
        let apparmor = NetnsError::Refused { errno: Errno::EACCES, why: Some(Restriction::AppArmor) };
        assert_eq!(
            apparmor.message().render(Lang::Fr),
            "un espace de noms réseau privé demande des espaces de noms utilisateur non privilégiés, que ce \
             système refuse (EACCES\u{a0}: permission refusée\u{a0}: kernel.apparmor_restrict_unprivileged_userns \
             = 1\u{a0}: AppArmor (Ubuntu 23.10 et suivants) ne donne aucune capacité à un espace de noms \
             utilisateur)\u{a0}; lancez en root, ou donnez CAP_NET_RAW à netplay"
        );
        assert_eq!(
            apparmor.message().render(Lang::En),
            "a private network namespace needs unprivileged user namespaces, which this system refuses (EACCES: \
             permission denied: kernel.apparmor_restrict_unprivileged_userns = 1: AppArmor (Ubuntu 23.10 and \
             later) gives a user namespace no capabilities); run as root, or give netplay CAP_NET_RAW"
        );
        let lo = NetnsError::LoopbackDown(io::Error::from(Errno::EPERM));
        assert!(
            lo.message()
                .render(Lang::Fr)
                .starts_with("espace de noms réseau privé\u{a0}: impossible d'activer lo")
        );
        let threaded = NetnsError::Threaded.message().render(Lang::Fr);
        assert!(threaded.starts_with("un espace de noms réseau privé doit être créé"), "{threaded}");
    }

    /// The request is the one netlink-packet-route built, as strace decodes
    /// it in the demo run as nobody with --packets (`strace -f -X raw -xx`,
    /// main at 5c3c74c): nlmsg_len=32, nlmsg_type=0x13 (RTM_SETLINK),
    /// nlmsg_flags=0x5, seq 0, pid 0, then the 16 bytes 00 00 00 00, 01 00 00
    /// 00, 01 00 00 00, 01 00 00 00. iproute2's `ip link set lo up` sends the
    /// same ifinfomsg (ifi_index=1, ifi_flags=0x1, ifi_change=0x1) with
    /// nlmsg_type=0x10.
    #[test]
    fn the_request_is_the_one_the_crate_sent() {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_ACK;
        let mut message = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(SetUp { index: 1 }));
        message.finalize();
        let mut out = vec![0; message.buffer_len()];
        message.serialize(&mut out);
        let words: Vec<u32> = [0, 4, 8, 12, 16, 20, 24, 28]
            .iter()
            .map(|&i| u32::from_ne_bytes(out[i..i + 4].try_into().unwrap()))
            .collect();
        assert_eq!(out.len(), 32);
        // nlmsghdr: length; type (u16) and flags (u16); seq; pid.
        assert_eq!(words[0], 32);
        assert_eq!(u16::from_ne_bytes([out[4], out[5]]), 0x13);
        assert_eq!(u16::from_ne_bytes([out[6], out[7]]), 0x5);
        assert_eq!(&words[2..4], &[0, 0]);
        // ifinfomsg: family, pad, type; index; flags; change.
        assert_eq!(&words[4..], &[0, 1, 1, 1]);
    }

    /// An NLMSG_ERROR of `code` answering a 32-byte request.
    fn ack(code: i32) -> Vec<u8> {
        let mut reply = Vec::new();
        reply.extend_from_slice(&36u32.to_ne_bytes());
        reply.extend_from_slice(&2u16.to_ne_bytes());
        reply.extend_from_slice(&0u16.to_ne_bytes());
        reply.extend_from_slice(&[0; 8]);
        reply.extend_from_slice(&code.to_ne_bytes());
        reply.extend_from_slice(&[0; 16]);
        reply
    }

    #[test]
    fn an_acknowledgement_is_success_and_a_negated_errno_is_that_error() {
        assert!(acknowledged(&ack(0)).is_ok());
        let refused = acknowledged(&ack(-libc::EPERM)).unwrap_err();
        assert_eq!(refused.raw_os_error(), Some(libc::EPERM));
        assert_eq!(acknowledged(&[1, 2, 3]).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
