//! SO_RCVBUF, a socket's receive queue: what the number read back means.
//!
//! - Linux: the kernel doubles what is asked (the other half is its own
//!   bookkeeping), up to twice net.core.rmem_max; getsockopt() shows the
//!   doubled value (socket(7)).
//! - macOS: the value asked is kept, up to kern.ipc.maxsockbuf.
//! - Windows: the value asked is kept; it bounds what waits in the queue.

/// SO_RCVBUF's sentence, for `--explain`.
pub(crate) fn explained() -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("explain-so-rcvbuf")
    } else if cfg!(target_os = "macos") {
        crate::msg!("explain-so-rcvbuf-macos")
    } else {
        crate::msg!("explain-so-rcvbuf-other")
    }
}
