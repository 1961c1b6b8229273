//! Reporters turn events into output: coloured text with hex dumps for people,
//! JSON lines for programs, or the raw payload for pipes. Renderers only:
//! runners emit through sink's handle, and output.rs joins the two.

pub(crate) mod background;
pub(crate) mod explain;
pub(crate) mod html;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod labels;
pub mod ladder;
pub(crate) mod legend;
pub(crate) mod packets;
pub(crate) mod paint;
mod pyline;
pub(crate) mod raw;
pub(crate) mod script;
pub(crate) mod tables;
pub(crate) mod tcp_info;

use std::io;

use crate::decode::Format;
pub(crate) use crate::event::Reporter;
use crate::hexdump;
pub(crate) use background::Afterwards;
pub(crate) use background::Background;

/// The parts of a server's summary line, in order: connections, bytes
/// each way, then only what happened (relays, drops, slow clients cut,
/// stalls) and the scripts' verdicts. The terminal and the page both show
/// them; each joins them in its own way.
pub(crate) fn summary_parts(summary: &crate::event::Event) -> Vec<crate::i18n::Msg> {
    use crate::i18n::Arg;
    use crate::msg;
    let crate::event::Event::Summary {
        connections,
        rejected,
        bytes_in,
        bytes_out,
        relays,
        drops,
        slow_disconnects,
        stalls,
        scripts,
        ..
    } = summary
    else {
        return Vec::new();
    };
    let mut parts = vec![
        msg!("summary-connections", n = *connections, rejected = *rejected),
        msg!("summary-in", bytes = Arg::bytes(*bytes_in)),
        msg!("summary-out", bytes = Arg::bytes(*bytes_out)),
    ];
    // What happened only: a server that relayed nothing says nothing of relays.
    for (n, what) in [
        (*relays, msg!("summary-relays", n = *relays)),
        (*drops, msg!("summary-drops", n = *drops)),
        (*slow_disconnects, msg!("summary-slow", n = *slow_disconnects)),
        (*stalls, msg!("summary-stalls", n = *stalls)),
    ] {
        if n > 0 {
            parts.push(what);
        }
    }
    if let Some(tally) = scripts {
        parts.push(msg!("summary-scripts", passed = tally.passed, failed = tally.failed));
    }
    parts
}

/// How output looks; decided once from the flags and the environment.
#[derive(Debug, Clone)]
pub(crate) struct OutputConfig {
    pub(crate) mode: Mode,
    pub(crate) color: ColorChoice,
    pub(crate) explain: bool,
    pub(crate) quiet: bool,
    pub(crate) dump: hexdump::Layout,
    /// The code that draws the dump's lines (`--hex-renderer`).
    pub(crate) renderer: hexdump::Renderer,
    /// Bytes asked per recv call, named in the explanations.
    pub(crate) recv_size: usize,
    /// `--decode`: each data event's bytes decoded with this struct format.
    pub(crate) decode: Option<Format>,
    /// `--columns N`: fit every human line in N columns; otherwise the
    /// terminal's width (or COLUMNS), and no limit in a pipe.
    pub(crate) columns: Option<usize>,
    /// The language people read (`--lang`, else the locale); JSON and raw
    /// output do not change with it.
    pub(crate) lang: crate::i18n::Lang,
    /// `--html FILE`, `--svg FILE`: the session as a picture.
    pub(crate) picture: html::PictureSpec,
    /// With the raw payload on stdout: the steps on stderr show the hex
    /// dump of what is sent and received too (`netplay nc -v`).
    pub(crate) raw_dumps: bool,
    /// The command line the run was asked for with (`netplay nc`'s, or
    /// netplay's own): the notes name its options.
    pub(crate) front: crate::model::front::Front,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Human,
    Json,
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour on or off for a writer, from the flag and the environment.
    pub(crate) fn resolve(self, is_terminal: bool) -> bool {
        if !self.resolve_with(is_terminal, |name| std::env::var_os(name)) {
            return false;
        }
        // A Windows console shows escapes only once told to; `auto` gives
        // up colour on a console that cannot be told.
        crate::sys::terminal::enable_ansi() || self == ColorChoice::Always || !is_terminal
    }

    /// `auto` follows the conventions other tools share, first that applies:
    /// NO_COLOR non-empty: never (no-color.org); CLICOLOR_FORCE non-empty
    /// and not 0: always, even into a pipe; CLICOLOR=0: never; TERM=dumb:
    /// never; otherwise only on a terminal. `always` and `never` win over
    /// the environment.
    pub(crate) fn resolve_with(
        self,
        is_terminal: bool,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> bool {
        let set = |name: &str| env(name).filter(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR").is_some() => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
            ColorChoice::Auto if set("CLICOLOR").is_some_and(|v| v == "0") => false,
            ColorChoice::Auto if set("TERM").is_some_and(|v| v == "dumb") => false,
            ColorChoice::Auto => is_terminal,
        }
    }
}

/// An unbuffered handle on stdout or stderr. Rust's `Stdout` is line
/// buffered, which would cost a write per dump line; we build each event's
/// text whole and write it with one call instead (how, per system: see
/// [`crate::sys::terminal`]).
pub(crate) fn raw_stream(
    stream: impl crate::sys::terminal::Standard,
) -> io::Result<crate::sys::terminal::Stream> {
    stream.stream()
}

#[cfg(test)]
pub(crate) use shared::SharedBuf;

#[cfg(test)]
mod shared {
    use std::io::{self, Write};
    use std::sync::{Arc, Mutex};

    use crate::model::Locked;

    /// A writer that several holders can share; lets tests read what a
    /// reporter wrote while it still owns its writer.
    #[derive(Clone, Default)]
    pub(crate) struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

    impl SharedBuf {
        pub(crate) fn contents(&self) -> Vec<u8> {
            self.0.locked().clone()
        }
    }

    impl Write for SharedBuf {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.locked().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// `auto` with these variables set, on a terminal and into a pipe.
    fn auto(vars: &[(&str, &str)]) -> (bool, bool) {
        let env = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from(v));
        (ColorChoice::Auto.resolve_with(true, env), ColorChoice::Auto.resolve_with(false, env))
    }

    #[test]
    fn colour_follows_the_shared_conventions() {
        assert_eq!(auto(&[]), (true, false));
        assert_eq!(auto(&[("NO_COLOR", "1")]), (false, false));
        assert_eq!(auto(&[("NO_COLOR", "")]), (true, false), "an empty NO_COLOR is unset");
        assert_eq!(auto(&[("CLICOLOR_FORCE", "1")]), (true, true));
        assert_eq!(auto(&[("CLICOLOR_FORCE", "0")]), (true, false));
        assert_eq!(auto(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), (false, false));
        assert_eq!(auto(&[("CLICOLOR", "0")]), (false, false));
        assert_eq!(auto(&[("CLICOLOR", "1")]), (true, false));
        assert_eq!(auto(&[("TERM", "dumb")]), (false, false));
        assert_eq!(auto(&[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")]), (true, true));
        let all = |_: &str| Some(OsString::from("1"));
        assert!(ColorChoice::Always.resolve_with(false, all));
        assert!(!ColorChoice::Never.resolve_with(true, |_| None));
    }

    /// A writer that fails once told to, like a pipe whose reader left.
    struct Failing(SharedBuf, Arc<Mutex<bool>>);

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if *self.1.lock().unwrap() {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            self.0.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn background_writes_everything_in_order() {
        let buf = SharedBuf::default();
        let mut out = Background::new(buf.clone(), Afterwards::Discard).unwrap();
        for i in 0..100u8 {
            out.write_all(&[i; 1000]).unwrap();
        }
        out.flush().unwrap();
        let written = buf.contents();
        assert_eq!(written.len(), 100_000);
        assert!(written.chunks(1000).enumerate().all(|(i, c)| c.iter().all(|&b| usize::from(b) == i)));
    }

    #[test]
    fn a_background_write_error_comes_back() {
        let fail = Arc::new(Mutex::new(false));
        let mut out =
            Background::new(Failing(SharedBuf::default(), fail.clone()), Afterwards::Discard).unwrap();
        out.write_all(b"fine").unwrap();
        *fail.lock().unwrap() = true;
        // This write fails on the thread; the next call or flush says so.
        let later = out.write_all(b"lost").and_then(|()| out.flush());
        assert_eq!(later.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn dropping_background_writes_what_is_queued() {
        let buf = SharedBuf::default();
        let mut out = Background::new(buf.clone(), Afterwards::Discard).unwrap();
        out.write_all(b"last words").unwrap();
        drop(out);
        assert_eq!(buf.contents(), b"last words");
    }

    #[test]
    fn sent_buffers_are_written_in_order_and_come_back_empty() {
        let buf = SharedBuf::default();
        let mut out = Background::new(buf.clone(), Afterwards::Discard).unwrap();
        let mut expected = Vec::new();
        let mut mine = Vec::new();
        for i in 0..50u8 {
            mine.extend_from_slice(&[i; 3000]);
            expected.extend_from_slice(&mine);
            out.send(&mut mine).unwrap();
            assert!(mine.is_empty());
            // Plain writes and sends mix, in order.
            out.write_all(b"|").unwrap();
            expected.push(b'|');
        }
        out.flush().unwrap();
        assert!(buf.contents() == expected);
    }
}
