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

use netlink_packet_core::{NLM_F_ACK, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_packet_route::link::{LinkFlags, LinkMessage};
use nix::errno::Errno;
use nix::sched::{CloneFlags, unshare};
use nix::unistd::{Gid, Uid};
use socket2::{Domain, Protocol, Socket, Type};

/// Why the process could not move into a private network namespace.
#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    /// The system does not let an unprivileged user do it. The process is
    /// still in the host's network namespace: it can go on without capture.
    #[error(
        "a private network namespace needs unprivileged user namespaces, which this system refuses ({errno}{}); \
         run as root, or give netplay CAP_NET_RAW",
        why.as_deref().map(|w| format!(": {w}")).unwrap_or_default()
    )]
    Refused { errno: Errno, why: Option<String> },
    /// The process has other threads; nothing was changed.
    #[error("a private network namespace must be entered before the process starts a second thread")]
    Threaded,
    /// Setting up the user namespace failed; the process is still in the
    /// host's network namespace.
    #[error("private network namespace: {what}: {source}")]
    Setup {
        what: &'static str,
        #[source]
        source: io::Error,
    },
    /// The process is already in the new network namespace but its loopback
    /// could not be brought up: it has no network at all, and should stop.
    #[error("private network namespace: cannot bring lo up ({0}); stopping, as nothing can connect")]
    LoopbackDown(#[source] io::Error),
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
fn restriction() -> Option<String> {
    let read = |path: &str| fs::read_to_string(path).ok().map(|s| s.trim().to_string());
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        return Some(
            "kernel.apparmor_restrict_unprivileged_userns = 1: AppArmor (Ubuntu 23.10 and later) gives a user \
             namespace no capabilities"
                .into(),
        );
    }
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        return Some("kernel.unprivileged_userns_clone = 0".into());
    }
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        return Some("user.max_user_namespaces = 0".into());
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

/// `ip link set lo up`, through rtnetlink.
fn bring_loopback_up() -> io::Result<()> {
    let index = nix::net::if_::if_nametoindex("lo")?;
    let mut link = LinkMessage::default();
    link.header.index = index;
    link.header.flags = LinkFlags::Up;
    link.header.change_mask = LinkFlags::Up;
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_ACK;
    let mut message = NetlinkMessage::new(header, RouteNetlinkMessage::SetLink(link).into());
    message.finalize();
    let mut out = vec![0; message.buffer_len()];
    message.serialize(&mut out);

    let socket =
        Socket::new(Domain::from(libc::AF_NETLINK), Type::DGRAM, Some(Protocol::from(libc::NETLINK_ROUTE)))?;
    socket.set_read_timeout(Some(std::time::Duration::from_secs(2)))?;
    socket.send(&out)?;
    let mut buf = vec![0u8; 8192];
    let size = io::Read::read(&mut &socket, &mut buf)?;
    let reply = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&buf[..size])
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("rtnetlink: {e}")))?;
    match reply.payload {
        NetlinkPayload::Error(error) => match error.code {
            Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
            None => Ok(()),
        },
        _ => Ok(()),
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
}
