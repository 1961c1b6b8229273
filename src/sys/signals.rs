//! What stops a server cleanly, with its totals and exit code 0.
//!
//! - Unix (Linux, macOS): SIGINT (Ctrl-C in the terminal) and SIGTERM
//!   (`kill PID`, a service manager), caught with tokio's signal streams.
//! - Windows: Ctrl-C and Ctrl-Break in the console, caught with tokio's
//!   console handlers (SetConsoleCtrlHandler). There is no SIGTERM:
//!   `taskkill /F` ends a process without telling it.

use anyhow::{Context, Result};

/// The names [`Signals::recv`] gives, as the summary shows them.
#[cfg(unix)]
pub(crate) const NAMES: &[&str] = &["SIGINT", "SIGTERM"];
#[cfg(windows)]
pub(crate) const NAMES: &[&str] = &["Ctrl-C", "Ctrl-Break"];

/// The exit status a shell shows for a process that `name` (one of
/// [`NAMES`]) ended: what `netplay nc` exits with after stopping cleanly on
/// it, as OpenBSD nc, which does not catch it, is seen to end.
///
/// - Unix: 128 + the signal's number (SIGINT 130, SIGTERM 143).
/// - Windows: a console's Ctrl-C ends a process with STATUS_CONTROL_C_EXIT,
///   which no 8-bit status holds: 1, a failure.
#[cfg(unix)]
pub(crate) fn shell_status(name: &str) -> u8 {
    match name {
        "SIGINT" => 128 + 2,
        _ => 128 + 15,
    }
}

/// See the Unix version.
#[cfg(windows)]
pub(crate) fn shell_status(_name: &str) -> u8 {
    1
}

/// The signals that stop a server, caught from the moment this is made:
/// make it before the server says it listens.
pub(crate) struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
    #[cfg(windows)]
    ctrl_break: tokio::signal::windows::CtrlBreak,
}

impl Signals {
    /// Installs the handlers; must run inside a tokio runtime.
    #[cfg(unix)]
    pub(crate) fn new() -> Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt()).context("listen for SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("listen for SIGTERM")?,
        })
    }

    /// Installs the handlers; must run inside a tokio runtime.
    #[cfg(windows)]
    pub(crate) fn new() -> Result<Signals> {
        use tokio::signal::windows::{ctrl_break, ctrl_c};
        Ok(Signals {
            ctrl_c: ctrl_c().context("listen for Ctrl-C")?,
            ctrl_break: ctrl_break().context("listen for Ctrl-Break")?,
        })
    }

    /// The name of the next signal received, as the summary shows it.
    pub(crate) async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        let name = tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        };
        #[cfg(windows)]
        let name = tokio::select! {
            _ = self.ctrl_c.recv() => "Ctrl-C",
            _ = self.ctrl_break.recv() => "Ctrl-Break",
        };
        name
    }

    /// The next signal, or never when the server does not handle them (it
    /// is embedded in the demo, whose host keeps the signals).
    pub(crate) async fn next(signals: &mut Option<Signals>) -> &'static str {
        match signals {
            Some(signals) => signals.recv().await,
            None => std::future::pending().await,
        }
    }
}
