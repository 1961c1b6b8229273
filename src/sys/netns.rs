//! A network of the calling thread's own, where the demo's impaired row
//! (`demo --loss`) may put netem on a loopback without touching the real one.
//!
//! - Linux: unshare(CLONE_NEWNET) moves the thread into a new network
//!   namespace (root, or CAP_SYS_ADMIN); `ip` and `tc` (iproute2) set up
//!   its loopback there.
//! - macOS and Windows: no network namespaces and no netem; the row is
//!   skipped with [`enter`]'s reason. (macOS's dummynet, through `dnctl`
//!   and `pfctl`, would change the whole machine's loopback.)

/// Moves this thread into a network namespace of its own.
#[cfg(target_os = "linux")]
pub fn enter() -> Result<(), String> {
    use nix::sched::{CloneFlags, unshare};
    unshare(CloneFlags::CLONE_NEWNET)
        .map_err(|e| format!("a network namespace of its own needs root (unshare: {})", e.desc()))
}

#[cfg(not(target_os = "linux"))]
pub fn enter() -> Result<(), String> {
    Err(UNAVAILABLE.to_string())
}

/// Why the impaired row cannot run on this system.
#[cfg_attr(target_os = "linux", allow(dead_code))]
const UNAVAILABLE: &str =
    "network namespaces and netem are Linux's: this system has no private loopback to impair";

#[cfg(test)]
mod tests {
    #[cfg(not(target_os = "linux"))]
    #[test]
    fn says_why_not() {
        assert!(super::enter().unwrap_err().contains("Linux's"));
    }
}
