//! The datagrams the kernel dropped for one UDP socket because its receive
//! buffer (SO_RCVBUF) was full: UDP tells neither the sender nor the
//! receiver, so netplay asks the kernel.
//!
//! - Linux: SO_RXQ_OVFL makes each received datagram carry the socket's
//!   drop counter in a control message (`udp::recv_datagram` reads it);
//!   the final count, drops after the last datagram included, is the
//!   `drops` column of /proc/net/udp (or udp6) for the socket's inode, as
//!   `ss -u -a -m` shows it (`d<drops>`).
//! - Other systems: no per-socket count; `enable` says so and the run
//!   reports none.

use socket2::Socket;

/// Asks the kernel to count drops for `socket`. Ok(false) where this
/// system has no such count.
#[cfg(target_os = "linux")]
pub(crate) fn enable(socket: &Socket) -> std::io::Result<bool> {
    use nix::sys::socket::{getsockopt, setsockopt, sockopt};
    setsockopt(socket, sockopt::RxqOvfl, &1)?;
    Ok(getsockopt(socket, sockopt::RxqOvfl)? != 0)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn enable(_socket: &Socket) -> std::io::Result<bool> {
    Ok(false)
}

/// The socket's drop counter now, read from /proc (None when unreadable).
#[cfg(target_os = "linux")]
pub(crate) fn total(socket: &Socket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let link = std::fs::read_link(format!("/proc/self/fd/{}", socket.as_raw_fd())).ok()?;
    let inode = link.to_str()?.strip_prefix("socket:[")?.strip_suffix(']')?.to_string();
    ["/proc/net/udp", "/proc/net/udp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .find_map(|text| drops_of(&text, &inode))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn total(_socket: &Socket) -> Option<u64> {
    None
}

/// In a /proc/net/udp table, the `drops` column (the last) of the socket
/// with this inode (the tenth column).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn drops_of(table: &str, inode: &str) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(9) == Some(&inode)).then(|| fields.last()?.parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_drops_column_of_one_socket() {
        let table = "\
   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 1234: 0100007F:3039 00000000:0000 07 00000000:00001200 00:00000000 00000000     0        0 98765 2 0000000000000000 4467
 1235: 0100007F:303A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 98766 2 0000000000000000 0
";
        assert_eq!(drops_of(table, "98765"), Some(4467));
        assert_eq!(drops_of(table, "98766"), Some(0));
        assert_eq!(drops_of(table, "1"), None);
    }
}
