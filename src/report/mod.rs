//! Reporters turn events into output: coloured text with hex dumps for people,
//! JSON lines for programs, or the raw payload for pipes. Runners only ever
//! see [`Report`], a cloneable handle, so they cannot print by themselves.

pub mod explain;
pub mod human;
pub mod json;
pub mod raw;

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::os::fd::AsFd;
use std::sync::{Arc, Mutex};

use crate::decode::Format;
use crate::event::Event;
use crate::hexdump;

/// Something that renders events to its writer.
pub trait Reporter: Send {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()>;
}

/// Writing to our own output failed (a closed pipe, a full disk). Kept apart
/// from socket errors so that `netplay ... | head` ends quietly.
#[derive(Debug, thiserror::Error)]
#[error("writing output: {}", crate::net::describe(.0))]
pub struct OutputError(#[source] pub io::Error);

/// The shared handle runners emit events through.
#[derive(Clone)]
pub struct Report {
    inner: Arc<Mutex<Box<dyn Reporter>>>,
}

impl Report {
    pub fn new(reporter: Box<dyn Reporter>) -> Report {
        Report { inner: Arc::new(Mutex::new(reporter)) }
    }

    /// Reports one event. An error means output is gone; runners stop.
    pub fn emit(&self, event: Event<'_>) -> Result<(), OutputError> {
        // A poisoned lock only means another thread panicked mid-report; the
        // reporter's state is still usable for the lines that follow.
        let mut reporter = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        reporter.event(&event).map_err(OutputError)
    }
}

/// How output looks; decided once from the flags and the environment.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    pub mode: Mode,
    pub color: ColorChoice,
    pub explain: bool,
    pub quiet: bool,
    pub dump: hexdump::Layout,
    /// Bytes asked per recv call, named in the explanations.
    pub recv_size: usize,
    /// `--decode`: each data event's bytes decoded with this struct format.
    pub decode: Option<Format>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Human,
    Json,
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour on or off for a writer: `auto` means a terminal and no
    /// non-empty NO_COLOR in the environment.
    pub fn resolve(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// An unbuffered handle on stdout or stderr. Rust's `Stdout` is line
/// buffered, which would cost a write per dump line; we build each event's
/// text whole and write it with one call instead.
pub fn raw_stream(stream: impl AsFd) -> io::Result<File> {
    Ok(File::from(stream.as_fd().try_clone_to_owned()?))
}

/// Builds the reporter for a run on the real stdout and stderr.
pub fn to_terminal(config: &OutputConfig) -> io::Result<Report> {
    let stdout = raw_stream(io::stdout())?;
    let reporter: Box<dyn Reporter> = match config.mode {
        Mode::Human => {
            let color = config.color.resolve(io::stdout().is_terminal());
            Box::new(human::Human::new(Box::new(stdout), human::Style::from_config(config, color)))
        }
        Mode::Json => Box::new(json::Json::new(Box::new(stdout)).decoding(config.decode.clone())),
        Mode::Raw => {
            let color = config.color.resolve(io::stderr().is_terminal());
            let mut style = human::Style::from_config(config, color);
            style.dumps = false;
            let stderr = human::Human::new(Box::new(raw_stream(io::stderr())?), style);
            Box::new(raw::Raw::new(Box::new(stdout), stderr))
        }
    };
    Ok(Report::new(reporter))
}

/// A writer that several holders can share; lets tests read what a reporter
/// wrote while it still owns its writer.
#[derive(Clone, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
