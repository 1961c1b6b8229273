//! [`Background`]: a writer that writes on a thread of its own, so that the
//! next event is rendered while the last ones are being written; and that,
//! once the run is stopping, waits for its output no longer than it was
//! told to ([`Stopper::give_up_at`]): stdout may be a pipe nobody reads, and
//! what goes to stderr (the totals) must not wait behind it.

use crate::model::{Locked, Waits};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a [`Background`] does with what it could not write once it gave
/// up on its output.
pub(crate) enum Afterwards {
    /// Drops it, counted ([`Background::unwritten`]): a payload that must
    /// not go anywhere else.
    Discard,
    /// Writes it to this other output (stderr), after `note`, one line
    /// saying why.
    Elsewhere { out: Box<dyn Write + Send>, note: Box<dyn Fn() -> String + Send> },
}

/// A writer that writes on a thread of its own: a dump costs the time of
/// the slower of rendering and writing, not of both. One buffer is written
/// while at most one more waits, so memory stays flat and a slow reader of
/// our output still slows us down. A write's error is returned by every
/// later write and by `flush`; after it nothing more is written.
///
/// Once the run is stopping and the deadline given to [`Stopper::give_up_at`]
/// has passed, a write or a flush that would wait gives up instead:
/// [`Afterwards`] says what becomes of the rest.
pub(crate) struct Background {
    shared: Arc<Handoff>,
    afterwards: Afterwards,
    /// Gave up on the output: from here on, [`Afterwards`] applies.
    gave_up: bool,
    /// Bytes handed to the writing thread, and those dropped after giving
    /// up (with [`Afterwards::Discard`]).
    handed: u64,
    dropped: u64,
    thread: Option<JoinHandle<()>>,
}

/// Tells a [`Background`] when to stop waiting for its output.
#[derive(Clone)]
pub(crate) struct Stopper(Arc<Handoff>);

impl Stopper {
    /// From `at` on, a write or a flush that would wait gives up.
    pub(crate) fn give_up_at(&self, at: Instant) {
        self.0.lock().give_up = Some(at);
        self.0.stopping.store(true, Ordering::SeqCst);
        self.0.changed.notify_all();
    }

    /// True once its [`Background`] gave up on its output: for a reporter
    /// that writes to it through `dyn Write`.
    pub(crate) fn gave_up(&self) -> bool {
        self.0.gave_up.load(Ordering::SeqCst)
    }
}

struct Handoff {
    state: Mutex<Slots>,
    changed: Condvar,
    /// Bytes the writing thread has written, as each write returned.
    written: AtomicU64,
    /// Bytes of the write under way: some of them may be in the output
    /// already (a pipe takes part of a write, and blocks on the rest).
    in_flight: AtomicU64,
    /// The run is stopping: writes go in pieces of [`STOPPING_PIECE`].
    stopping: AtomicBool,
    /// Gave up on the output ([`Background::gave_up`], for [`Stopper::gave_up`]).
    gave_up: AtomicBool,
}

#[derive(Default)]
struct Slots {
    /// The next buffer to write.
    waiting: Option<Vec<u8>>,
    /// The writing thread holds a buffer.
    writing: bool,
    /// Buffers written, for reuse.
    spare: Vec<Vec<u8>>,
    /// No more buffers: the thread ends once it has written what waits.
    closed: bool,
    give_up: Option<Instant>,
    /// The first write error: every later write returns it.
    error: Option<(io::ErrorKind, String)>,
}

impl Handoff {
    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.state.locked()
    }

    /// Waits on `slots` until notified (or until the deadline to give up);
    /// past that deadline, `None` once the output has taken nothing for
    /// [`STALL`]: a healthy stdout, a moment behind, is still waited for.
    fn wait<'a>(&self, slots: MutexGuard<'a, Slots>) -> Option<MutexGuard<'a, Slots>> {
        let Some(at) = slots.give_up else {
            return Some(self.changed.waited(slots));
        };
        if let Some(left) = at.checked_duration_since(Instant::now()) {
            return Some(self.changed.waited_for(slots, left).0);
        }
        let before = self.written.load(Ordering::SeqCst);
        let (slots, waited) = self.changed.waited_for(slots, STALL);
        let stalled = waited.timed_out() && self.written.load(Ordering::SeqCst) == before;
        (!stalled).then_some(slots)
    }
}

/// Once the run is stopping, how long the output may take nothing before
/// it is given up.
const STALL: Duration = Duration::from_millis(100);

impl Background {
    /// Writes to `out` on a thread of its own; `afterwards` says what to do
    /// with the rest once the run is stopping and `out` takes no more.
    pub(crate) fn new(
        mut out: impl Write + Send + 'static,
        afterwards: Afterwards,
    ) -> io::Result<Background> {
        let shared = Arc::new(Handoff {
            state: Mutex::new(Slots::default()),
            changed: Condvar::new(),
            written: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
            gave_up: AtomicBool::new(false),
        });
        let inner = shared.clone();
        let thread = std::thread::Builder::new().name("output".into()).spawn(move || {
            loop {
                let mut slots = inner.lock();
                let mut buf = loop {
                    if let Some(buf) = slots.waiting.take() {
                        break buf;
                    }
                    if slots.closed {
                        return;
                    }
                    slots = inner.changed.waited(slots);
                };
                slots.writing = true;
                let failed = slots.error.is_some();
                drop(slots);
                inner.changed.notify_all();
                let result = if failed { Ok(()) } else { write_counted(&mut out, &buf, &inner) };
                let mut slots = inner.lock();
                slots.writing = false;
                if let Err(e) = result
                    && slots.error.is_none()
                {
                    slots.error = Some((e.kind(), e.to_string()));
                }
                buf.clear();
                slots.spare.push(buf);
                drop(slots);
                inner.changed.notify_all();
            }
        })?;
        Ok(Background { shared, afterwards, gave_up: false, handed: 0, dropped: 0, thread: Some(thread) })
    }

    /// The handle that tells it when to give up.
    pub(crate) fn stopper(&self) -> Stopper {
        Stopper(self.shared.clone())
    }

    /// Writes `buf` without copying it: the buffer itself goes to the
    /// writing thread, and `buf` becomes an empty one (a buffer written
    /// before, so its room is reused).
    pub(crate) fn send(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        if self.gave_up {
            return self.elsewhere(std::mem::take(buf));
        }
        let shared = self.shared.clone();
        let mut slots = shared.lock();
        loop {
            if let Some((kind, text)) = &slots.error {
                return Err(io::Error::new(*kind, text.clone()));
            }
            if slots.waiting.is_none() {
                break;
            }
            slots = match shared.wait(slots) {
                Some(slots) => slots,
                None => {
                    // The buffer still waiting was never written: it goes
                    // where the rest goes, first.
                    let first = shared.lock().waiting.take();
                    return self.give_up(first, std::mem::take(buf));
                }
            };
        }
        let spare = slots.spare.pop().unwrap_or_default();
        self.handed += buf.len() as u64;
        slots.waiting = Some(std::mem::replace(buf, spare));
        drop(slots);
        shared.changed.notify_all();
        Ok(())
    }

    /// Gives up on the output: what waited, then `buf`, go where
    /// [`Afterwards`] says.
    fn give_up(&mut self, waiting: Option<Vec<u8>>, buf: Vec<u8>) -> io::Result<()> {
        self.gave_up = true;
        self.shared.gave_up.store(true, Ordering::SeqCst);
        if let Some(waiting) = &waiting {
            self.handed -= waiting.len() as u64;
        }
        if let Afterwards::Elsewhere { out, note } = &mut self.afterwards {
            out.write_all(note().as_bytes())?;
        }
        for buf in waiting.into_iter().chain([buf]) {
            self.elsewhere(buf)?;
        }
        Ok(())
    }

    fn elsewhere(&mut self, buf: Vec<u8>) -> io::Result<()> {
        match &mut self.afterwards {
            Afterwards::Discard => {
                self.dropped += buf.len() as u64;
                Ok(())
            }
            Afterwards::Elsewhere { out, .. } => out.write_all(&buf),
        }
    }

    /// Bytes given to it that did not reach its output, at least and at
    /// most: dropped after it gave up, or handed over and not written (with
    /// [`Afterwards::Discard`]). The two differ by what the write under
    /// way may have put in the output before it blocked.
    pub(crate) fn unwritten(&self) -> (u64, u64) {
        let written = self.shared.written.load(Ordering::SeqCst);
        let in_flight = self.shared.in_flight.load(Ordering::SeqCst);
        let most = self.handed.saturating_sub(written) + self.dropped;
        (most.saturating_sub(in_flight), most)
    }

    /// True once it gave up on its output.
    pub(crate) fn gave_up(&self) -> bool {
        self.gave_up
    }
}

/// The most bytes one write call is given: a blocking write to a pipe
/// returns only once all of it is taken, so this is how precisely the
/// bytes that reached the output are known (a pipe holds 64 KiB).
const WRITE_AT_MOST: usize = 64 << 10;
/// The most bytes one write call is given once the run is stopping: a
/// pipe takes a write of at most PIPE_BUF (4096 bytes on Linux, at least
/// 512 by POSIX) whole as soon as it has room for it, so a reader that
/// reads at all lets the write return, and [`STALL`] measures a stdout
/// that takes nothing. With 64 KiB pieces, a reader taking its bytes a
/// little at a time (a few KiB every few ms, as a loaded machine runs it)
/// kept one write blocked past STALL, and was given up on as if it took
/// nothing (1.4 to 4.1 MiB "did not reach" a pipe still being read).
const STOPPING_PIECE: usize = 512;

/// Writes `buf` whole, counting what each write took as it returns.
fn write_counted(out: &mut impl Write, mut buf: &[u8], shared: &Handoff) -> io::Result<()> {
    while !buf.is_empty() {
        let most = match shared.stopping.load(Ordering::SeqCst) {
            true => STOPPING_PIECE,
            false => WRITE_AT_MOST,
        };
        let piece = &buf[..buf.len().min(most)];
        shared.in_flight.store(piece.len() as u64, Ordering::SeqCst);
        let result = out.write(piece);
        shared.in_flight.store(0, Ordering::SeqCst);
        match result {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                shared.written.fetch_add(n as u64, Ordering::SeqCst);
                buf = &buf[n..];
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    out.flush()
}

impl Write for Background {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut next = self.shared.lock().spare.pop().unwrap_or_default();
        next.extend_from_slice(buf);
        self.send(&mut next)
    }

    /// Waits until every buffer sent is written (or, once the run is
    /// stopping, until its deadline: then it gives up).
    fn flush(&mut self) -> io::Result<()> {
        if self.gave_up {
            return match &mut self.afterwards {
                Afterwards::Discard => Ok(()),
                Afterwards::Elsewhere { out, .. } => out.flush(),
            };
        }
        let shared = self.shared.clone();
        let mut slots = shared.lock();
        loop {
            if let Some((kind, text)) = &slots.error {
                return Err(io::Error::new(*kind, text.clone()));
            }
            if slots.waiting.is_none() && !slots.writing {
                return Ok(());
            }
            slots = match shared.wait(slots) {
                Some(slots) => slots,
                None => {
                    let first = shared.lock().waiting.take();
                    return self.give_up(first, Vec::new());
                }
            };
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // Whatever waits is written before the thread ends, unless the run
        // gave up on the output: a thread stuck on a pipe nobody reads is
        // left behind (the process ends without it).
        let stopping = {
            let mut slots = self.shared.lock();
            slots.closed = true;
            slots.give_up.is_some()
        };
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take()
            && !self.gave_up
            && !stopping
        {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{Receiver, Sender, channel};

    use super::*;

    /// An output whose first write blocks until released, as a pipe nobody
    /// reads; it says when it is stuck.
    struct Stuck {
        stuck: Sender<()>,
        release: Receiver<()>,
    }

    impl Write for Stuck {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let _ = self.stuck.send(());
            let _ = self.release.recv();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A background writer whose thread is stuck writing 100 bytes, with
    /// 200 more waiting.
    fn stuck(afterwards: Afterwards) -> (Background, Sender<()>) {
        let (stuck, is_stuck) = channel();
        let (release, released) = channel();
        let mut out = Background::new(Stuck { stuck, release: released }, afterwards).unwrap();
        out.write_all(&[1; 100]).unwrap();
        is_stuck.recv().unwrap();
        out.write_all(&[2; 200]).unwrap();
        (out, release)
    }

    #[test]
    fn a_stuck_output_is_given_up_once_the_run_stops_and_what_it_missed_counted() {
        let (mut out, _release) = stuck(Afterwards::Discard);
        assert!(!out.gave_up());
        out.stopper().give_up_at(Instant::now());
        // This write would wait: past the deadline, with no progress for
        // STALL, it gives up instead.
        out.write_all(&[3; 300]).unwrap();
        assert!(out.gave_up());
        // At most all 600 bytes; at least the 500 never handed to a write
        // (the stuck write may have put part of its 100 in the output).
        assert_eq!(out.unwritten(), (500, 600));
        out.flush().unwrap();
    }

    #[test]
    fn given_up_output_goes_elsewhere_after_its_note_in_order() {
        let elsewhere = Shared::default();
        let note = Box::new(|| "note\n".to_string());
        let (mut out, _release) = stuck(Afterwards::Elsewhere { out: Box::new(elsewhere.clone()), note });
        out.stopper().give_up_at(Instant::now());
        out.write_all(b"last").unwrap();
        let mut expected = b"note\n".to_vec();
        expected.extend_from_slice(&[2; 200]);
        expected.extend_from_slice(b"last");
        assert_eq!(*elsewhere.0.lock().unwrap(), expected);
    }

    #[test]
    fn a_healthy_output_is_waited_for_after_the_deadline() {
        let written = Shared::default();
        let mut out = Background::new(written.clone(), Afterwards::Discard).unwrap();
        out.stopper().give_up_at(Instant::now());
        for i in 0..50u8 {
            out.write_all(&[i; 1000]).unwrap();
        }
        out.flush().unwrap();
        assert!(!out.gave_up());
        assert_eq!(written.0.lock().unwrap().len(), 50_000);
        assert_eq!(out.unwritten(), (0, 0));
    }
}
