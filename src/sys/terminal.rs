//! How netplay's bytes reach the terminal, and whether colour escapes work
//! there.
//!
//! - Unix (Linux, macOS): stdout and stderr are descriptors; netplay
//!   writes each event's text with one write() to a duplicate of the
//!   descriptor (Rust's `Stdout` would buffer by line, a write per line of
//!   a dump). Terminals take ANSI colour escapes as they are.
//! - Windows: a console shows ANSI escapes only with virtual-terminal
//!   processing turned on (Windows 10 1511 and later; [`enable_ansi`]
//!   turns it on for stdout and stderr, and says whether it could). A
//!   console also takes text as UTF-16, so a console stream goes through
//!   Rust's `Stdout`, which converts UTF-8 and flushes after each event's
//!   text; a pipe or a file gets the bytes as they are, like on Unix.

use std::fs::File;
#[cfg(windows)]
use std::io::Write;
use std::io::{self, IsTerminal};

/// stdout or stderr, as netplay writes to it: one a parent left
/// non-blocking is waited for when full, not given up on (see
/// [`super::ready`]).
#[cfg(unix)]
pub(crate) type Stream = super::ready::Patient<File>;

/// stdout or stderr, as netplay writes to it.
#[cfg(windows)]
pub(crate) enum Stream {
    /// A pipe or a file: bytes as they are.
    File(File),
    /// A console: text through Rust's console writer.
    Stdout,
    Stderr,
}

#[cfg(windows)]
impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::File(file) => file.write(buf),
            Stream::Stdout => io::stdout().lock().write(buf),
            Stream::Stderr => io::stderr().lock().write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::File(file) => file.write_all(buf),
            Stream::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(buf).and_then(|()| out.flush())
            }
            Stream::Stderr => io::stderr().lock().write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::File(file) => file.flush(),
            Stream::Stdout => io::stdout().flush(),
            Stream::Stderr => Ok(()),
        }
    }
}

/// The process's stdout or stderr.
pub(crate) trait Standard: IsTerminal {
    /// An unbuffered stream on it.
    fn stream(&self) -> io::Result<Stream>;
}

#[cfg(unix)]
fn duplicate(stream: &impl std::os::fd::AsFd) -> io::Result<File> {
    Ok(File::from(stream.as_fd().try_clone_to_owned()?))
}

#[cfg(windows)]
fn duplicate(stream: &impl std::os::windows::io::AsHandle) -> io::Result<File> {
    Ok(File::from(stream.as_handle().try_clone_to_owned()?))
}

impl Standard for io::Stdout {
    #[cfg(unix)]
    fn stream(&self) -> io::Result<Stream> {
        duplicate(self).map(super::ready::Patient)
    }

    #[cfg(windows)]
    fn stream(&self) -> io::Result<Stream> {
        if self.is_terminal() { Ok(Stream::Stdout) } else { duplicate(self).map(Stream::File) }
    }
}

impl Standard for io::Stderr {
    #[cfg(unix)]
    fn stream(&self) -> io::Result<Stream> {
        duplicate(self).map(super::ready::Patient)
    }

    #[cfg(windows)]
    fn stream(&self) -> io::Result<Stream> {
        if self.is_terminal() { Ok(Stream::Stderr) } else { duplicate(self).map(Stream::File) }
    }
}

/// Standard input as a file of its own (a duplicate of its descriptor or
/// handle), so a reader may seek it when it is a file: `None` when it
/// cannot be had. On Windows a console stays with Rust's `Stdin`, which
/// reads its UTF-16.
#[cfg(unix)]
pub(crate) fn stdin_file() -> Option<File> {
    duplicate(&io::stdin()).ok()
}

#[cfg(windows)]
pub(crate) fn stdin_file() -> Option<File> {
    let stdin = io::stdin();
    if stdin.is_terminal() { None } else { duplicate(&stdin).ok() }
}

/// Turns colour escapes on where a terminal needs it (once a process);
/// false when a console would show them as text.
#[cfg(windows)]
pub(crate) fn enable_ansi() -> bool {
    use std::sync::OnceLock;
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| anstyle_query::windows::enable_ansi_colors().unwrap_or(false))
}

/// Turns colour escapes on where a terminal needs it: nothing to do here.
#[cfg(not(windows))]
pub(crate) fn enable_ansi() -> bool {
    true
}
