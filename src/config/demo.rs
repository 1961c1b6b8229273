//! What the demo is asked to do: the impaired row, the pauses, the capture.

use std::time::Duration;

use super::PacketsConfig;

/// The demo: its three parts, with an impaired row if asked.
#[derive(Debug, Clone)]
pub(crate) struct DemoConfig {
    /// Add the impaired row: this loss and delay on a namespace's loopback.
    pub impair: Option<Impair>,
    pub pause: Pause,
    /// `--packets`, `--pcap`: shown in parts 1 and 2, evidence in part 3.
    pub packets: PacketsConfig,
}

/// `--loss` and `--delay`: what the impaired row puts on its loopback.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Impair {
    pub loss_percent: f64,
    pub delay: Duration,
}

/// `--step`, decided from where stdin is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pause {
    /// No `--step`.
    Never,
    /// Wait for a line on stdin, a terminal, between parts.
    OnEnter,
    /// `--step` with stdin not a terminal: nobody there to press Enter, so
    /// go on without pausing, and say so.
    NoTerminal,
}
