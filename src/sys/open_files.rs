//! The per-process limit on open descriptors, which caps how many clients a
//! server holds (each client is one socket), and what to raise when accept()
//! fails on a limit.
//!
//! - Linux: RLIMIT_NOFILE (`ulimit -n`), raisable without privileges up to
//!   the hard limit (`ulimit -Hn`); the system-wide cap is fs.file-max.
//! - macOS: RLIMIT_NOFILE too, its hard limit capped by
//!   kern.maxfilesperproc; the system-wide cap is kern.maxfiles.
//! - Windows: sockets are kernel handles with no per-process limit to read
//!   or raise; memory bounds them (WSAENOBUFS). [`read`] says `None`, and
//!   servers print nothing about a limit.

use std::fs::File;
use std::io;

/// The soft and hard limit, or `None` where this system has none.
#[cfg(unix)]
pub(crate) fn read() -> io::Result<Option<(u64, u64)>> {
    rlimit::getrlimit(rlimit::Resource::NOFILE).map(Some)
}

#[cfg(not(unix))]
pub(crate) fn read() -> io::Result<Option<(u64, u64)>> {
    Ok(None)
}

/// Raises the soft limit to `hard` (or as near as the system lets it);
/// returns the soft limit now in force.
#[cfg(unix)]
pub(crate) fn raise(hard: u64) -> io::Result<u64> {
    rlimit::increase_nofile_limit(hard)
}

#[cfg(not(unix))]
pub(crate) fn raise(hard: u64) -> io::Result<u64> {
    Ok(hard)
}

/// A descriptor held in reserve: when accept() fails for want of one, the
/// server closes it, accepts the waiting client and closes that at once,
/// so the client hears a clean refusal instead of hanging. `None` where
/// there is no descriptor limit.
#[cfg(unix)]
pub(crate) fn spare() -> Option<File> {
    File::open("/dev/null").ok()
}

#[cfg(not(unix))]
pub(crate) fn spare() -> Option<File> {
    None
}

/// Which limit an accept() error means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exhausted {
    /// This process's descriptors (EMFILE; Unix only).
    #[cfg_attr(not(unix), allow(dead_code))]
    Process,
    /// The whole system's open files (ENFILE; Unix only).
    #[cfg_attr(not(unix), allow(dead_code))]
    System,
    /// Kernel memory for sockets (ENOBUFS, ENOMEM; WSAENOBUFS).
    Memory,
}

/// The limit `err` (from accept) says is reached, if it is one.
#[cfg(unix)]
pub(crate) fn exhausted(err: &io::Error) -> Option<Exhausted> {
    Some(match err.raw_os_error()? {
        libc::EMFILE => Exhausted::Process,
        libc::ENFILE => Exhausted::System,
        libc::ENOBUFS | libc::ENOMEM => Exhausted::Memory,
        _ => return None,
    })
}

/// WSAEMFILE (10024, "too many open sockets") and WSAENOBUFS (10055): on
/// Windows both mean the system ran short of resources for sockets.
#[cfg(not(unix))]
pub(crate) fn exhausted(err: &io::Error) -> Option<Exhausted> {
    match err.raw_os_error()? {
        10024 | 10055 => Some(Exhausted::Memory),
        _ => None,
    }
}

/// "It is already the hard limit": how to raise that here.
pub(crate) fn at_hard(below: u64) -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("limit-at-hard", below = below)
    } else {
        crate::msg!("limit-at-hard-macos", below = below)
    }
}

/// The system-wide limit is reached: what to raise here.
pub(crate) fn system_files() -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("limit-system-files")
    } else {
        crate::msg!("limit-system-files-macos")
    }
}

/// No memory left for sockets: what to do here.
pub(crate) fn no_memory() -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("limit-socket-memory")
    } else if cfg!(windows) {
        crate::msg!("limit-socket-memory-windows")
    } else {
        crate::msg!("limit-socket-memory-macos")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    use super::*;

    #[cfg(unix)]
    #[test]
    fn unix_names_each_limit() {
        let of = |code| exhausted(&io::Error::from_raw_os_error(code));
        assert_eq!(of(libc::EMFILE), Some(Exhausted::Process));
        assert_eq!(of(libc::ENFILE), Some(Exhausted::System));
        assert_eq!(of(libc::ENOBUFS), Some(Exhausted::Memory));
        assert_eq!(of(libc::ECONNABORTED), None);
        assert!(read().unwrap().is_some());
        assert!(spare().is_some());
    }
}
