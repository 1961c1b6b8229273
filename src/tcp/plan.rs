//! How the raw relay sends a regular file, chosen where it runs. Two ways
//! differ by machine: sendfile(2) moves the file's pages into the socket
//! without a copy, send(2) from an mmap(2) of the file copies them once.
//! The relay was tuned with sendfile on an AMD EPYC; on the Intel Xeon of
//! issue 24, a Python probe sent 1 GiB from a mapping in 0.23-0.29 s
//! against sendfile's 0.34-0.57 s. So a large file is sent the first MiBs both ways, in turns,
//! and the rest the faster way, as FFTW's planner times its candidates
//! before it keeps one; a tie keeps sendfile, which spends no CPU on a
//! copy.
//!
//! `NETPLAY_SEND` forces one way, for benchmarks: `sendfile`, `mmap` or
//! `copy` (read and write through a buffer); `auto` or unset measures.
//!
//! A pipe as input has no pages to send from: it is read and sent, or
//! spliced into the socket. On the Intel Xeon of issue 24, `cat file |`
//! into netplay sent 1 GiB faster read and sent from a pipe grown to
//! 1 MiB than spliced (docs/benchmarks.md, "A pipe as input"): a splice
//! hands the socket the pipe's pages one by one, 4 KiB fragments the
//! receiver takes apart again, and the writer (cat) must allocate fresh
//! pages for every write instead of reusing the pipe's. So a pipe is
//! read, unless `NETPLAY_SEND=splice`; the timing of the file's trials
//! would time the pipe's writer here, not the ways.

use std::time::Duration;

/// A way to send a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileWay {
    Sendfile,
    Mapped,
    Copy,
}

impl FileWay {
    /// The name `NETPLAY_SEND` takes, and the bench prints.
    pub fn name(self) -> &'static str {
        match self {
            FileWay::Sendfile => "sendfile",
            FileWay::Mapped => "mmap",
            FileWay::Copy => "copy",
        }
    }
}

/// The environment variable that forces a way.
pub const FORCE: &str = "NETPLAY_SEND";

/// A file smaller than this goes by sendfile unmeasured: the trials would
/// be most of it.
pub const MEASURED_FROM: u64 = 64 << 20;
/// Sent by sendfile before any trial: the connection's window opens (slow
/// start) before anything is timed.
pub const WARM_UP: u64 = 8 << 20;
/// One trial: this many bytes one way. Trials alternate, sendfile first.
pub const TRIAL: u64 = 4 << 20;
/// Trials of each way.
pub const TRIALS: usize = 2;
/// How much faster a copy must be to be kept: sendfile copies nothing, so
/// it wins unless the other is clearly faster.
const MARGIN: f64 = 1.10;

/// What `NETPLAY_SEND` asks, if it forces a way; an unknown value is
/// `Err` with the value, for the caller to say.
pub fn forced(value: Option<&str>) -> Result<Option<FileWay>, String> {
    match value.map(str::trim) {
        None | Some("" | "auto") => Ok(None),
        Some("sendfile") => Ok(Some(FileWay::Sendfile)),
        Some("mmap") => Ok(Some(FileWay::Mapped)),
        Some("copy") => Ok(Some(FileWay::Copy)),
        Some(other) => Err(other.to_string()),
    }
}

/// A way to send a pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipeWay {
    /// read(2) from the pipe, send(2) to the socket.
    Copy,
    /// splice(2) from the pipe into the socket.
    Splice,
}

/// The way a pipe goes, as `NETPLAY_SEND` asks: `splice`, or `copy`; any
/// other value (the file's ways, `auto`, none) is the default, copy.
pub fn pipe_way(value: Option<&str>) -> PipeWay {
    match value.map(str::trim) {
        Some("splice") => PipeWay::Splice,
        _ => PipeWay::Copy,
    }
}

/// One trial: `bytes` sent `way` in `took`.
#[derive(Debug, Clone, Copy)]
pub struct Trial {
    pub way: FileWay,
    pub bytes: u64,
    pub took: Duration,
}

/// The way to keep after the trials: the fastest in bytes per second over
/// all its trials, if it beats sendfile by the margin; sendfile otherwise
/// (and when nothing was measured).
pub fn choose(trials: &[Trial]) -> FileWay {
    let rate = |way: FileWay| {
        let (bytes, took) = trials
            .iter()
            .filter(|t| t.way == way)
            .fold((0u64, Duration::ZERO), |(b, d), t| (b + t.bytes, d + t.took));
        (bytes > 0).then(|| bytes as f64 / took.as_secs_f64().max(1e-9))
    };
    let Some(sendfile) = rate(FileWay::Sendfile) else { return FileWay::Sendfile };
    [FileWay::Mapped, FileWay::Copy]
        .into_iter()
        .filter_map(|way| rate(way).map(|r| (way, r)))
        .filter(|(_, r)| *r > sendfile * MARGIN)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(FileWay::Sendfile, |(way, _)| way)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(way: FileWay, ms: u64) -> Trial {
        Trial { way, bytes: TRIAL, took: Duration::from_millis(ms) }
    }

    #[test]
    fn the_clearly_faster_way_is_kept() {
        // Issue 24's Intel: the mapping ~1.5x sendfile.
        let intel = [
            trial(FileWay::Sendfile, 3),
            trial(FileWay::Mapped, 2),
            trial(FileWay::Sendfile, 3),
            trial(FileWay::Mapped, 2),
        ];
        assert_eq!(choose(&intel), FileWay::Mapped);
        // The AMD: sendfile the faster.
        let amd = [trial(FileWay::Sendfile, 2), trial(FileWay::Mapped, 3)];
        assert_eq!(choose(&amd), FileWay::Sendfile);
    }

    #[test]
    fn a_tie_or_a_small_gain_keeps_sendfile() {
        assert_eq!(choose(&[trial(FileWay::Sendfile, 100), trial(FileWay::Mapped, 100)]), FileWay::Sendfile);
        // 5% faster is within the margin.
        assert_eq!(choose(&[trial(FileWay::Sendfile, 105), trial(FileWay::Mapped, 100)]), FileWay::Sendfile);
        assert_eq!(choose(&[trial(FileWay::Sendfile, 120), trial(FileWay::Mapped, 100)]), FileWay::Mapped);
    }

    #[test]
    fn rates_add_up_over_every_trial() {
        // One fast sendfile trial does not decide alone: 3 + 7 ms against
        // 5 + 5 ms is a tie...
        let trials = [
            trial(FileWay::Sendfile, 3),
            trial(FileWay::Mapped, 5),
            trial(FileWay::Sendfile, 7),
            trial(FileWay::Mapped, 5),
        ];
        assert_eq!(choose(&trials), FileWay::Sendfile);
        // ... and 3 + 12 against 5 + 5 is the mapping, 1.5 times faster.
        let trials = [
            trial(FileWay::Sendfile, 3),
            trial(FileWay::Mapped, 5),
            trial(FileWay::Sendfile, 12),
            trial(FileWay::Mapped, 5),
        ];
        assert_eq!(choose(&trials), FileWay::Mapped);
    }

    #[test]
    fn nothing_measured_is_sendfile() {
        assert_eq!(choose(&[]), FileWay::Sendfile);
        assert_eq!(choose(&[trial(FileWay::Mapped, 1)]), FileWay::Sendfile);
    }

    #[test]
    fn the_variable_forces_a_way() {
        assert_eq!(forced(None), Ok(None));
        assert_eq!(forced(Some("auto")), Ok(None));
        assert_eq!(forced(Some("mmap")), Ok(Some(FileWay::Mapped)));
        assert_eq!(forced(Some(" sendfile ")), Ok(Some(FileWay::Sendfile)));
        assert_eq!(forced(Some("copy")), Ok(Some(FileWay::Copy)));
        assert_eq!(forced(Some("splice")), Err("splice".to_string()));
    }

    #[test]
    fn a_pipe_is_read_unless_splice_is_asked() {
        assert_eq!(pipe_way(None), PipeWay::Copy);
        assert_eq!(pipe_way(Some("auto")), PipeWay::Copy);
        assert_eq!(pipe_way(Some("copy")), PipeWay::Copy);
        // The file's ways do not apply to a pipe.
        assert_eq!(pipe_way(Some("mmap")), PipeWay::Copy);
        assert_eq!(pipe_way(Some(" splice")), PipeWay::Splice);
    }
}
