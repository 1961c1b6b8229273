//! SO_RCVBUF, a socket's receive queue: what the number read back means.
//!
//! - Linux: the kernel doubles what is asked (the other half is its own
//!   bookkeeping), up to twice net.core.rmem_max; getsockopt() shows the
//!   doubled value (socket(7)).
//! - macOS: the value asked is kept, up to kern.ipc.maxsockbuf.
//! - Windows: the value asked is kept; it bounds what waits in the queue.

/// SO_RCVBUF's sentence, for `--explain`.
#[cfg(target_os = "linux")]
pub const EXPLAINED: &str = "SO_RCVBUF is the socket's receive queue, in bytes (Linux doubles what is asked, for its own bookkeeping, up to net.core.rmem_max twice): a datagram that arrives while it is full is dropped, and nobody is told.";
#[cfg(target_os = "macos")]
pub const EXPLAINED: &str = "SO_RCVBUF is the socket's receive queue, in bytes (macOS keeps what is asked, up to kern.ipc.maxsockbuf): a datagram that arrives while it is full is dropped, and nobody is told.";
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub const EXPLAINED: &str = "SO_RCVBUF is the socket's receive queue, in bytes: a datagram that arrives while it is full is dropped, and nobody is told.";
