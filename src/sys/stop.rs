//! Stopping a blocking server loop cleanly on Ctrl-C or SIGTERM, so it can
//! print its totals and exit 0, as `tcp serve` does with tokio's signals.
//!
//! - Unix: signal-hook sets a flag from the SIGINT and SIGTERM handlers
//!   (with SA_RESTART, so other calls are not disturbed); the loop reads the
//!   flag between two receives, and a receive timeout bounds the wait.
//! - Windows: Ctrl-C, Ctrl-Break and closing the console reach a handler
//!   that the ctrlc crate installs (SetConsoleCtrlHandler); there is no
//!   SIGTERM to catch. (Written for the port; not built here yet.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Set by the handlers: the number of the signal that arrived, 0 before.
#[derive(Debug, Clone)]
pub struct Stop {
    caught: Arc<AtomicUsize>,
}

impl Stop {
    /// Installs the handlers. Call it once, from a runner that owns the
    /// process (not one embedded in the demo, whose Ctrl-C ends it all).
    pub fn on_signals() -> std::io::Result<Stop> {
        let caught = Arc::new(AtomicUsize::new(0));
        install(&caught)?;
        Ok(Stop { caught })
    }

    /// A stop that never comes: for a loop embedded in another runner.
    pub fn never() -> Stop {
        Stop { caught: Arc::new(AtomicUsize::new(0)) }
    }

    /// The name of the signal that asked to stop, once one has.
    pub fn requested(&self) -> Option<&'static str> {
        name(self.caught.load(Ordering::Relaxed))
    }
}

#[cfg(unix)]
fn install(caught: &Arc<AtomicUsize>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register_usize(signal, Arc::clone(caught), signal as usize)?;
    }
    Ok(())
}

#[cfg(unix)]
fn name(signal: usize) -> Option<&'static str> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    match signal as i32 {
        0 => None,
        SIGINT => Some("SIGINT"),
        SIGTERM => Some("SIGTERM"),
        _ => Some("a signal"),
    }
}

#[cfg(windows)]
const CTRL_C: usize = 1;

#[cfg(windows)]
fn install(caught: &Arc<AtomicUsize>) -> std::io::Result<()> {
    let caught = Arc::clone(caught);
    ctrlc::set_handler(move || caught.store(CTRL_C, Ordering::Relaxed)).map_err(std::io::Error::other)
}

#[cfg(windows)]
fn name(signal: usize) -> Option<&'static str> {
    (signal != 0).then_some("Ctrl-C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_is_never_requested() {
        assert_eq!(Stop::never().requested(), None);
    }

    #[cfg(unix)]
    #[test]
    fn names_the_signal_it_caught() {
        assert_eq!(name(signal_hook::consts::SIGTERM as usize), Some("SIGTERM"));
        assert_eq!(name(signal_hook::consts::SIGINT as usize), Some("SIGINT"));
        assert_eq!(name(0), None);
    }
}
