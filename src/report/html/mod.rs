//! `--html FILE` and `--svg FILE`: the session as a picture to keep. A
//! sequence diagram, a lifeline per end, every socket call on it with its
//! real values, the packets between them (`--packets`), each chunk's bytes
//! as the coloured hex dump beside the call that moved them, and the
//! course's Python (`--explain`): one HTML file that fetches nothing.
//!
//! The picture is one more reporter: [`Picture::tee`] puts it beside the
//! terminal's, so it is given the same events, stamped, in the same order,
//! on the report queue's output thread. It only records them (see
//! [`session`]); the page is drawn from the record and written, whole, to a
//! temporary file renamed over FILE (a reader never sees half a page): at
//! least once a second while the run goes on, so that a server stopped by
//! Ctrl-C leaves a page, and once more at the end.

mod draw;
mod dump;
mod page;
mod record;
pub(crate) mod session;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread;
use std::time::Duration;

pub(crate) use page::Status;
pub(crate) use session::End;
pub(crate) use session::Limits;

use super::Reporter;
use crate::event::Event;
use crate::i18n::Lang;
use crate::model::clock::Stamp;
use crate::model::{Locked, Waits};
use record::Recorder;
use session::Session;

/// How often the page is written while the run goes on.
pub(crate) const EVERY: Duration = Duration::from_secs(1);

/// What `--html` and `--svg` ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PictureSpec {
    pub(crate) html: Option<PathBuf>,
    pub(crate) svg: Option<PathBuf>,
}

impl PictureSpec {
    pub(crate) fn wanted(&self) -> bool {
        self.html.is_some() || self.svg.is_some()
    }
}

/// Writing a file of the picture failed: which flag, which file, why.
#[derive(Debug)]
pub(crate) struct PictureError {
    pub(crate) flag: &'static str,
    pub(crate) path: PathBuf,
    pub(crate) source: io::Error,
}

/// The picture of a run: shared by the reporters it tees, and by the
/// thread that writes it every second.
#[derive(Clone)]
pub(crate) struct Picture(Arc<Shared>);

struct Shared {
    state: Mutex<State>,
    /// Wakes the writing thread early: the run is over.
    stop: Condvar,
}

struct State {
    recorder: Recorder,
    spec: PictureSpec,
    started: String,
    /// Something was recorded since the files were last written.
    dirty: bool,
    /// The last page is written: nothing is written after it.
    over: bool,
    /// The first failure to write, returned by [`Picture::finish`].
    error: Option<PictureError>,
}

impl Picture {
    /// A picture of a run of `command` (`tcp serve`), in `lang`. Writes
    /// the files once now, empty, so that a path that cannot be written
    /// ends the run before it starts; then starts the thread that writes
    /// them every second.
    pub(crate) fn create(
        spec: PictureSpec,
        lang: Lang,
        explain: bool,
        recv_size: usize,
        command: &str,
    ) -> Result<Picture, PictureError> {
        Picture::with_limits(spec, lang, explain, recv_size, command, Limits::default())
    }

    pub(crate) fn with_limits(
        spec: PictureSpec,
        lang: Lang,
        explain: bool,
        recv_size: usize,
        command: &str,
        limits: Limits,
    ) -> Result<Picture, PictureError> {
        let session = Session::new(lang, explain, recv_size, command.to_string(), limits);
        let started = humantime::format_rfc3339_seconds(crate::model::clock::wall_start()).to_string();
        let state =
            State { recorder: Recorder::new(session), spec, started, dirty: false, over: false, error: None };
        let picture = Picture(Arc::new(Shared { state: Mutex::new(state), stop: Condvar::new() }));
        {
            let mut state = picture.lock();
            state.write(&Status::Running)?;
        }
        let weak = Arc::downgrade(&picture.0);
        // Without its thread the page is still written at the end.
        let _ = thread::Builder::new().name("picture".into()).spawn(move || every_second(weak));
        Ok(picture)
    }

    /// With `--decode`, each chunk's decoded values go under its dump.
    pub(crate) fn decoding(self, decode: Option<crate::decode::Format>) -> Picture {
        self.lock().recorder.session.decode = decode;
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.state.locked()
    }

    /// `inner`, whose events the picture records too, as coming from `end`.
    pub(crate) fn tee(&self, inner: Box<dyn Reporter>, end: End) -> Box<dyn Reporter> {
        Box::new(Tee { inner, picture: self.clone(), end })
    }

    fn record(&self, at: Stamp, end: End, event: &Event) {
        let mut state = self.lock();
        if !state.over {
            state.recorder.event(at, end, event);
            state.dirty = true;
        }
    }

    /// Writes the last page, with how the run ended; returns the first
    /// failure to write the files, if any.
    pub(crate) fn finish(&self, status: Status) -> Result<(), PictureError> {
        let mut state = self.lock();
        if !state.over {
            state.over = true;
            let written = state.write(&status);
            if let Err(e) = written {
                state.error.get_or_insert(e);
            }
        }
        self.0.stop.notify_all();
        match state.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl State {
    /// Draws the page (and the SVG) and writes them, each to a temporary
    /// file then renamed over the real one.
    fn write(&mut self, status: &Status) -> Result<(), PictureError> {
        self.dirty = false;
        let session = &self.recorder.session;
        if let Some(path) = &self.spec.html {
            let page = page::html(session, status, &self.started);
            replace(path, page.as_bytes()).map_err(|source| PictureError {
                flag: "--html",
                path: path.clone(),
                source,
            })?;
        }
        if let Some(path) = &self.spec.svg {
            let svg = page::svg(session);
            replace(path, svg.as_bytes()).map_err(|source| PictureError {
                flag: "--svg",
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Writes `bytes` to a file beside `path`, then renames it to `path`: a
/// reader sees the old page or the new one, never half of one.
fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
    let mut temporary = name.to_os_string();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary);
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.flush()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    renamed
}

/// The writing thread: once a second, the page if anything changed. It
/// ends once the run is over or the picture is dropped.
fn every_second(weak: Weak<Shared>) {
    loop {
        let Some(shared) = weak.upgrade() else { return };
        let state = shared.state.locked();
        let (mut state, _) = shared.stop.waited_for_while(state, EVERY, |s| !s.over);
        if state.over {
            return;
        }
        if state.dirty
            && let Err(e) = state.write(&Status::Running)
        {
            state.error.get_or_insert(e);
        }
    }
}

/// A reporter beside another: the picture records each event the other
/// renders.
struct Tee {
    inner: Box<dyn Reporter>,
    picture: Picture,
    end: End,
}

impl Reporter for Tee {
    fn event(&mut self, at: Stamp, event: &Event) -> io::Result<()> {
        self.picture.record(at, self.end, event);
        self.inner.event(at, event)
    }

    fn batch_done(&mut self) -> io::Result<()> {
        self.inner.batch_done()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    fn skipped(&mut self, event: &Event) {
        self.inner.skipped(event)
    }
}
