//! A network of the calling thread's own, where the demo's impaired row
//! (`demo --loss`) may put netem on a loopback without touching the real one.
//!
//! - Linux: unshare(CLONE_NEWNET) moves the thread into a new network
//!   namespace (root, or CAP_SYS_ADMIN); `ip` and `tc` (iproute2) set up
//!   its loopback there.
//! - macOS and Windows: no network namespaces and no netem; the row is
//!   skipped with [`enter`]'s reason. (macOS's dummynet, through `dnctl`
//!   and `pfctl`, would change the whole machine's loopback.)

use crate::i18n::Msg;

/// Moves this thread into a network namespace of its own; why not, in
/// the reader's words.
#[cfg(target_os = "linux")]
pub(crate) fn enter() -> Result<(), Msg> {
    use nix::sched::{CloneFlags, unshare};
    unshare(CloneFlags::CLONE_NEWNET).map_err(|e| crate::msg!("netem-needs-root", error = e.desc()))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn enter() -> Result<(), Msg> {
    Err(crate::msg!("netem-not-here"))
}

#[cfg(test)]
mod tests {
    #[cfg(not(target_os = "linux"))]
    #[test]
    fn says_why_not() {
        let why = super::enter().unwrap_err().render(crate::i18n::Lang::En);
        assert!(why.contains("Linux's"), "{why}");
    }
}
