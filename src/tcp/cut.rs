//! Cutting a connection so that its peer knows it was cut. A close()
//! sends a FIN after whatever the socket still holds, and a FIN reads as
//! "the sender finished": a client that got a stopped server's FIN would
//! take a truncated file for a whole one and exit 0. With SO_LINGER set to
//! 0, close() aborts the connection instead: a RST, the bytes the socket
//! still held thrown away, and the peer's next recv or send fails with
//! "connection reset by peer". (The kernel does the same by itself when
//! received bytes were left unread; this makes it so when bytes were left
//! unsent.)

use std::time::Duration;

use socket2::SockRef;

/// Makes the last close of `socket` abort the connection (RST), and
/// returns how many of the bytes it was given that close will throw away:
/// those the peer had not acknowledged (on Linux, read from the kernel;
/// 0 where the system does not say). `fin_queued`: our FIN was sent
/// (shutdown), so the kernel counts one more for it while it is not
/// acknowledged.
pub fn abort(socket: SockRef<'_>, fin_queued: bool) -> u64 {
    let unsent = crate::capture::unsent(&*socket).unwrap_or(0);
    let _ = socket.set_linger(Some(Duration::ZERO));
    if fin_queued { unsent.saturating_sub(1) } else { unsent }
}
