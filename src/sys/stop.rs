//! Stopping a blocking server loop (`udp serve`) cleanly on the signals of
//! [`super::signals`], so it can print its totals and exit 0 as `tcp serve`
//! does: one mechanism for both, tokio's.
//!
//! A thread of its own waits for the signals on a small tokio runtime and
//! sets a flag; the loop reads the flag between two receives, and a
//! receive timeout bounds the wait. What each system calls a stop (SIGINT
//! and SIGTERM on Unix, Ctrl-C and Ctrl-Break on Windows) is said there.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::signals::{self, Signals};

/// Set by the waiting thread: which signal arrived, 0 before.
#[derive(Debug, Clone)]
pub(crate) struct Stop {
    caught: Arc<AtomicUsize>,
}

impl Stop {
    /// Installs the handlers before returning (a signal sent as soon as the
    /// server says it listens stops it cleanly). Call it once, from a runner
    /// that owns the process (not one embedded in the demo, whose Ctrl-C
    /// ends it all).
    #[cfg(all(test, unix))]
    pub(crate) fn on_signals() -> anyhow::Result<Stop> {
        Stop::on_signals_then(|| {})
    }

    /// [`Stop::on_signals`], and `then` is called on the waiting thread as
    /// each signal comes: a loop blocked on a full output (waiting for room
    /// to report a datagram) does not look at the flag, and the hook tells
    /// the output to stop waiting.
    pub(crate) fn on_signals_then(then: impl Fn() + Send + 'static) -> anyhow::Result<Stop> {
        let caught = Arc::new(AtomicUsize::new(0));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let mut signals = {
            let _inside = runtime.enter();
            Signals::new()?
        };
        let flag = caught.clone();
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            runtime.block_on(async move {
                loop {
                    let name = signals.recv().await;
                    flag.store(number(name), Ordering::Relaxed);
                    then();
                }
            })
        })?;
        Ok(Stop { caught })
    }

    /// A stop that never comes: for a loop embedded in another runner.
    pub(crate) fn never() -> Stop {
        Stop { caught: Arc::new(AtomicUsize::new(0)) }
    }

    /// The name of the signal that asked to stop, once one has.
    pub(crate) fn requested(&self) -> Option<&'static str> {
        match self.caught.load(Ordering::Relaxed) {
            0 => None,
            n => signals::NAMES.get(n - 1).copied(),
        }
    }
}

/// On SIGINT or SIGTERM, runs `last` once, then ends the process of that
/// signal as if it had not been caught: the exit status still says which
/// signal ended it (130 or 143 in a shell). For a runner with no clean stop
/// that must still leave one thing right before it goes (`tcp connect`
/// cuts its connection with a RST, so the server knows the stream was
/// cut). Windows: nothing is installed, and Ctrl-C ends the process as it
/// did.
#[cfg(unix)]
pub(crate) fn die_after(last: impl FnOnce() + Send + 'static) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut caught = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        if let Some(signal) = caught.forever().next() {
            last();
            // Back to the default action, and the signal again: the
            // process ends of it (or aborts, should that fail).
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
    })?;
    Ok(())
}

/// Nothing to install here (see the Unix version).
#[cfg(not(unix))]
pub(crate) fn die_after(_last: impl FnOnce() + Send + 'static) -> anyhow::Result<()> {
    Ok(())
}

/// A signal's name as a number for the flag: its place in the names, from 1.
fn number(name: &'static str) -> usize {
    signals::NAMES.iter().position(|n| *n == name).map_or(signals::NAMES.len(), |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_is_never_requested() {
        assert_eq!(Stop::never().requested(), None);
    }

    #[test]
    fn names_the_signal_it_caught() {
        let stop = Stop::never();
        for name in signals::NAMES {
            stop.caught.store(number(name), Ordering::Relaxed);
            assert_eq!(stop.requested(), Some(*name));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_real_sigterm_is_seen() {
        // The handlers are in place when on_signals returns, so the signal's
        // default action (ending the test process) never runs.
        let stop = Stop::on_signals().unwrap();
        nix::sys::signal::raise(nix::sys::signal::Signal::SIGTERM).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while stop.requested().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(stop.requested(), Some("SIGTERM"));
    }
}
