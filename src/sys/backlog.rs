//! The cap the system puts on listen()'s backlog, the queue of connections
//! waiting for accept().
//!
//! - Linux: net.core.somaxconn (/proc/sys/net/core/somaxconn; 4096 since
//!   Linux 5.4): a larger backlog is silently cut to it.
//! - macOS: kern.ipc.somaxconn (128 by default), read with `sysctl -n`.
//! - Windows: no cap to read: SOMAXCONN asks for "a reasonable maximum"
//!   that the provider chooses, and a number is taken as given.

use std::sync::OnceLock;

/// `--explain` for listen(backlog): what happens past the backlog.
///
/// - Linux: one more than the backlog waits; then the kernel drops new
///   SYNs and the clients retry (tests/suite/listen.rs sees the queue fill).
/// - macOS: the kernel drops new SYNs too (BSD), and the clients retry.
/// - Windows: new clients are refused at once (listen(): "the client will
///   receive an error with an indication of WSAECONNREFUSED").
pub(crate) fn explained(backlog: i32) -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("explain-listen", backlog = backlog)
    } else if cfg!(windows) {
        crate::msg!("explain-listen-windows", backlog = backlog)
    } else {
        crate::msg!("explain-listen-macos", backlog = backlog)
    }
}

/// The name of the setting that caps the backlog, as its tools spell it.
#[cfg(target_os = "linux")]
pub(crate) const SETTING: &str = "net.core.somaxconn";
#[cfg(target_os = "macos")]
pub(crate) const SETTING: &str = "kern.ipc.somaxconn";
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub(crate) const SETTING: &str = "the system's limit";

/// The cap, where this system has one that can be read (once a process).
pub(crate) fn cap() -> Option<i32> {
    static CAP: OnceLock<Option<i32>> = OnceLock::new();
    *CAP.get_or_init(read)
}

#[cfg(target_os = "linux")]
fn read() -> Option<i32> {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn").ok()?.trim().parse().ok()
}

#[cfg(target_os = "macos")]
fn read() -> Option<i32> {
    let out = std::process::Command::new("sysctl").args(["-n", SETTING]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn read() -> Option<i32> {
    None
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn linux_reads_somaxconn() {
        let text = std::fs::read_to_string("/proc/sys/net/core/somaxconn").unwrap();
        assert_eq!(super::cap(), Some(text.trim().parse().unwrap()));
    }
}
