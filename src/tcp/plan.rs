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
//! A peer on this machine is sent the mapping without trials. The trials
//! time only the sender, how fast the socket takes a few MiB, and on
//! loopback the receiver shares the machine: it spent 0.09-0.13 s of
//! system time on 1 GiB sent from a mapping against 0.13-0.20 s on 1 GiB
//! sent by sendfile (nine runs of each on the Intel Xeon,
//! docs/benchmarks.md), as sendfile's bytes come in page-sized fragments,
//! a copy's in larger ones. There the trials kept sendfile in 3 runs of 3,
//! and 1 GiB of random bytes went in 0.51 s from the mapping against
//! 0.64 s by sendfile (medians of 9).
//!
//! `NETPLAY_SEND` forces one way, for benchmarks: `sendfile`, `mmap` or
//! `copy` (read and write through a buffer); `trials` times the first MiBs
//! whoever the peer is; `auto` or unset follows the rule above.
//!
//! A pipe as input has no pages to send from: it is read and sent, or
//! spliced into the socket. On the Intel Xeon of issue 24, `cat file |`
//! into netplay sent 1 GiB from a pipe grown to 1 MiB read and sent in
//! 0.61-0.65 s against 0.80 s spliced in the first runs, and even with
//! splice in two later ones (docs/benchmarks.md, "A pipe as input"); the
//! sender spent less system time reading (0.23-0.36 s) than splicing
//! (0.39-0.53 s): a splice hands the socket the pipe's pages one by one,
//! 4 KiB fragments the receiver takes apart again, and the writer (cat)
//! must allocate fresh pages for every write instead of reusing the
//! pipe's. So a pipe is read, unless `NETPLAY_SEND=splice`; the timing of
//! the file's trials would time the pipe's writer here, not the ways.

use std::time::Duration;

/// A way to send a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileWay {
    Sendfile,
    Mapped,
    Copy,
}

/// The environment variable that forces a way.
pub(crate) const FORCE: &str = "NETPLAY_SEND";

/// A file smaller than this goes by sendfile unmeasured: the trials would
/// be most of it.
pub(crate) const MEASURED_FROM: u64 = 64 << 20;
/// Sent by sendfile before any trial: the connection's window opens (slow
/// start) before anything is timed.
pub(crate) const WARM_UP: u64 = 8 << 20;
/// One trial: this many bytes one way. Trials alternate, sendfile first.
pub(crate) const TRIAL: u64 = 4 << 20;
/// Trials of each way.
pub(crate) const TRIALS: usize = 2;
/// How much faster than the preferred way another must be to be kept.
const MARGIN: f64 = 1.10;

/// How a regular file's way is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    /// This way, by `NETPLAY_SEND`.
    Way(FileWay),
    /// The mapping for a peer on this machine, the trials for another.
    Rule,
    /// The trials, whoever the peer is.
    Trials,
}

/// What `NETPLAY_SEND` asks; an unknown value is `Err` with the value,
/// for the caller to say.
pub(crate) fn asked(value: Option<&str>) -> Result<Asked, String> {
    match value.map(str::trim) {
        None | Some("" | "auto") => Ok(Asked::Rule),
        Some("trials") => Ok(Asked::Trials),
        Some("sendfile") => Ok(Asked::Way(FileWay::Sendfile)),
        Some("mmap") => Ok(Asked::Way(FileWay::Mapped)),
        Some("copy") => Ok(Asked::Way(FileWay::Copy)),
        Some(other) => Err(other.to_string()),
    }
}

/// A way to send a pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PipeWay {
    /// read(2) from the pipe, send(2) to the socket.
    Copy,
    /// splice(2) from the pipe into the socket.
    Splice,
}

/// The way a pipe goes, as `NETPLAY_SEND` asks: `splice`, or `copy`; any
/// other value (the file's ways, `auto`, none) is the default, copy.
pub(crate) fn pipe_way(value: Option<&str>) -> PipeWay {
    match value.map(str::trim) {
        Some("splice") => PipeWay::Splice,
        _ => PipeWay::Copy,
    }
}

/// One trial: `bytes` sent `way` in `took`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trial {
    pub(crate) way: FileWay,
    pub(crate) bytes: u64,
    pub(crate) took: Duration,
}

/// The way to keep after the trials: the fastest in bytes per second over
/// all its trials, if it beats the `preferred` way by the margin; the
/// preferred way otherwise. A preferred way not measured (no mapping
/// could be made) leaves the choice to sendfile's rule.
pub(crate) fn choose(trials: &[Trial], preferred: FileWay) -> FileWay {
    let rate = |way: FileWay| {
        let (bytes, took) = trials
            .iter()
            .filter(|t| t.way == way)
            .fold((0u64, Duration::ZERO), |(b, d), t| (b + t.bytes, d + t.took));
        (bytes > 0).then(|| bytes as f64 / took.as_secs_f64().max(1e-9))
    };
    let Some(kept) = rate(preferred) else {
        return match preferred {
            FileWay::Sendfile => FileWay::Sendfile,
            _ => choose(trials, FileWay::Sendfile),
        };
    };
    [FileWay::Sendfile, FileWay::Mapped, FileWay::Copy]
        .into_iter()
        .filter(|way| *way != preferred)
        .filter_map(|way| rate(way).map(|r| (way, r)))
        .filter(|(_, r)| *r > kept * MARGIN)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(preferred, |(way, _)| way)
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
        assert_eq!(choose(&intel, FileWay::Sendfile), FileWay::Mapped);
        // The AMD: sendfile the faster.
        let amd = [trial(FileWay::Sendfile, 2), trial(FileWay::Mapped, 3)];
        assert_eq!(choose(&amd, FileWay::Sendfile), FileWay::Sendfile);
    }

    #[test]
    fn a_tie_or_a_small_gain_keeps_sendfile() {
        assert_eq!(
            choose(&[trial(FileWay::Sendfile, 100), trial(FileWay::Mapped, 100)], FileWay::Sendfile),
            FileWay::Sendfile
        );
        // 5% faster is within the margin.
        assert_eq!(
            choose(&[trial(FileWay::Sendfile, 105), trial(FileWay::Mapped, 100)], FileWay::Sendfile),
            FileWay::Sendfile
        );
        assert_eq!(
            choose(&[trial(FileWay::Sendfile, 120), trial(FileWay::Mapped, 100)], FileWay::Sendfile),
            FileWay::Mapped
        );
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
        assert_eq!(choose(&trials, FileWay::Sendfile), FileWay::Sendfile);
        // ... and 3 + 12 against 5 + 5 is the mapping, 1.5 times faster.
        let trials = [
            trial(FileWay::Sendfile, 3),
            trial(FileWay::Mapped, 5),
            trial(FileWay::Sendfile, 12),
            trial(FileWay::Mapped, 5),
        ];
        assert_eq!(choose(&trials, FileWay::Sendfile), FileWay::Mapped);
    }

    #[test]
    fn a_tie_keeps_the_preferred_way() {
        let tie = [trial(FileWay::Sendfile, 100), trial(FileWay::Mapped, 100)];
        assert_eq!(choose(&tie, FileWay::Mapped), FileWay::Mapped);
        // sendfile 5% faster is within the margin; 20% faster is kept.
        let close = [trial(FileWay::Sendfile, 100), trial(FileWay::Mapped, 105)];
        assert_eq!(choose(&close, FileWay::Mapped), FileWay::Mapped);
        let clear = [trial(FileWay::Sendfile, 100), trial(FileWay::Mapped, 120)];
        assert_eq!(choose(&clear, FileWay::Mapped), FileWay::Sendfile);
        // No mapping measured (none could be made): sendfile's rule.
        assert_eq!(choose(&[trial(FileWay::Sendfile, 100)], FileWay::Mapped), FileWay::Sendfile);
        assert_eq!(choose(&[], FileWay::Mapped), FileWay::Sendfile);
    }

    #[test]
    fn nothing_measured_is_sendfile() {
        assert_eq!(choose(&[], FileWay::Sendfile), FileWay::Sendfile);
        assert_eq!(choose(&[trial(FileWay::Mapped, 1)], FileWay::Sendfile), FileWay::Sendfile);
    }

    #[test]
    fn the_variable_forces_a_way() {
        assert_eq!(asked(None), Ok(Asked::Rule));
        assert_eq!(asked(Some("auto")), Ok(Asked::Rule));
        assert_eq!(asked(Some("trials")), Ok(Asked::Trials));
        assert_eq!(asked(Some("mmap")), Ok(Asked::Way(FileWay::Mapped)));
        assert_eq!(asked(Some(" sendfile ")), Ok(Asked::Way(FileWay::Sendfile)));
        assert_eq!(asked(Some("copy")), Ok(Asked::Way(FileWay::Copy)));
        assert_eq!(asked(Some("splice")), Err("splice".to_string()));
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
