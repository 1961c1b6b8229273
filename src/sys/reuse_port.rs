//! SO_REUSEPORT: several sockets bound to one address and port.
//!
//! - Linux (3.9 and later): sockets of one user that all set it share the
//!   port, and the kernel spreads new connections (TCP) or datagrams (UDP)
//!   among them.
//! - macOS (BSD's option): sockets that all set it may bind one address
//!   and port, but the kernel does not spread the traffic among them as
//!   Linux does (FreeBSD added SO_REUSEPORT_LB for that; macOS has none).
//! - Windows: no such option. [`set`] says `None` and the flag degrades to
//!   one line ([`UNAVAILABLE`]).

use socket2::Socket;

/// Sets it and reads it back; `None` where the system has no such option.
#[cfg(unix)]
pub(crate) fn set(socket: &Socket) -> std::io::Result<Option<bool>> {
    socket.set_reuse_port(true)?;
    socket.reuse_port().map(Some)
}

#[cfg(not(unix))]
pub(crate) fn set(_socket: &Socket) -> std::io::Result<Option<bool>> {
    Ok(None)
}

/// Said when `--reuse-port` is asked for on a system without it.
pub(crate) fn unavailable() -> crate::i18n::Msg {
    crate::msg!("notice-reuseport-unavailable")
}

/// SO_REUSEPORT's sentence, for `--explain`.
pub(crate) fn explained() -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("explain-so-reuseport")
    } else {
        crate::msg!("explain-so-reuseport-other")
    }
}
