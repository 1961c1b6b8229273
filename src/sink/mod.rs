//! The handle runners emit through: [`Report`] (cloneable, one per run or
//! per end), [`Cause`] (an event stamped when its call starts),
//! [`Watermark`] (events stamped in the past: captured packets), and the
//! ordered, bounded queue with its output thread ([`queue`]) that hands the
//! events, in the order they happened, to a renderer it knows only as an
//! [`event::Reporter`](crate::event::Reporter). It depends on the event and
//! clock types only: report/ renders, output.rs joins the two.

pub(crate) mod queue;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::event::{Event, Reporter};
use crate::model::Locked;
use crate::model::clock::Stamp;
use queue::Queue;

/// Told the moment from which a writer on stdout gives up waiting.
type GiveUp = Box<dyn Fn(Instant) + Send + Sync>;

/// Writing to our own output failed (a closed pipe, a full disk). Kept apart
/// from socket errors so that `netplay ... | head` ends quietly.
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::msg!("error-writing-output", error = crate::i18n::describe_msg(.0)))]
pub struct OutputError(#[source] pub io::Error);

/// Once a run is stopping, how long stdout gets to take what waits for it
/// before it is given up (see [`to_terminal`]): less than a stopping server
/// gives its clients to close, so that their last events, waiting behind
/// stdout, still come out.
pub(crate) const STDOUT_PATIENCE: Duration = Duration::from_millis(200);

/// What a stopping run's last lines get at least, once its runner is done
/// (see [`Report::finish`]).
pub(crate) const FINAL_GRACE: Duration = Duration::from_millis(200);

/// Called with every event as it is emitted, before it waits in the queue:
/// the demo records what its runners did this way.
pub(crate) type Tap = Arc<dyn Fn(&Event) + Send + Sync>;

/// The handle runners emit events through; cheap to clone, one per end.
/// Events go to a bounded queue that an output thread renders in the order
/// they happened (see [`queue`]): emitting never writes, so a runner never
/// waits on stdout itself, only for room in the queue.
#[derive(Clone)]
pub struct Report {
    queue: Option<Arc<Queue>>,
    end: usize,
    tap: Option<Tap>,
    /// Set when the run is stopping (a signal): the last flush waits only
    /// this long for an output that may be blocked.
    give_up: Arc<Mutex<Option<Instant>>>,
    /// The writers on stdout, told when to give up on it.
    stoppers: Arc<Mutex<Vec<GiveUp>>>,
    /// The output shows what is sent (`--raw` shows only what is received):
    /// when it does not, a runner need not copy or order its sends.
    sends: bool,
    /// Payload bytes of the whole run, for the `end` event.
    totals: Arc<Totals>,
}

/// Payload bytes received and sent over a run, counted by the runners as
/// their sockets move them (shared by every clone of a report).
#[derive(Debug, Default)]
pub(crate) struct Totals {
    bytes_in: std::sync::atomic::AtomicU64,
    bytes_out: std::sync::atomic::AtomicU64,
}

impl Totals {
    /// (received, sent) so far.
    pub(crate) fn get(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.bytes_in.load(Relaxed), self.bytes_out.load(Relaxed))
    }
}

impl Report {
    /// A report rendered by `reporter` on an output thread of its own.
    pub(crate) fn new(reporter: Box<dyn Reporter>) -> io::Result<Report> {
        Ok(Report {
            queue: Some(Queue::start(reporter)?),
            end: 0,
            tap: None,
            give_up: Arc::default(),
            stoppers: Arc::default(),
            sends: true,
            totals: Arc::default(),
        })
    }

    /// A report that shows nothing (its tap, if given, still sees events).
    pub fn discard() -> Report {
        Report {
            queue: None,
            end: 0,
            tap: None,
            give_up: Arc::default(),
            stoppers: Arc::default(),
            sends: false,
            totals: Arc::default(),
        }
    }

    /// Counts `n` payload bytes received, for the run's `end`.
    pub(crate) fn count_in(&self, n: u64) {
        self.totals.bytes_in.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Counts `n` payload bytes sent, for the run's `end`.
    pub(crate) fn count_out(&self, n: u64) {
        self.totals.bytes_out.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Takes back `n` bytes counted sent that the peer never acknowledged
    /// (a connection cut with a RST throws them away), as the connection's
    /// `closed` and the server's `summary` do: the `end` agrees with them.
    pub(crate) fn uncount_out(&self, n: u64) {
        let _ = self.totals.bytes_out.fetch_update(
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
            |out| Some(out.saturating_sub(n)),
        );
    }

    /// The run's totals so far.
    pub(crate) fn totals(&self) -> (u64, u64) {
        self.totals.get()
    }

    /// The same report, for an output that never shows what is sent.
    pub(crate) fn without_sends(mut self) -> Report {
        self.sends = false;
        self
    }

    /// Whether sends (data and datagrams going out) are shown or tapped:
    /// when not, a runner skips their events, their copies and their order.
    pub(crate) fn shows_sends(&self) -> bool {
        self.sends || self.tap.is_some()
    }

    /// The same report, with `tap` called on every event emitted through it.
    pub fn with_tap(mut self, tap: Tap) -> Report {
        self.tap = Some(tap);
        self
    }

    /// Another end on the same output and in the same order (the demo's
    /// server and client), rendered by `reporter`.
    pub(crate) fn add_end(&self, reporter: Box<dyn Reporter>) -> Report {
        let mut other = self.clone();
        other.tap = None;
        if let Some(queue) = &self.queue {
            other.end = queue.add_end(reporter);
        }
        other
    }

    /// Calls the tap, if any, once `event` has its place in the order: what
    /// the tap's owner does next comes after it.
    fn tapped(&self, event: Option<Event>) {
        if let (Some(tap), Some(event)) = (&self.tap, event) {
            tap(&event);
        }
    }

    /// Reports an effect (accept, recv, EOF, a step), stamped now; waits
    /// for room in the queue. An error means output is gone; runners stop.
    pub(crate) fn emit(&self, event: Event) -> Result<(), OutputError> {
        // A benchmark counts its bytes itself; its result is the run's total.
        let moved = match &event {
            Event::TcpBench(r) => Some((r.received.as_ref(), r.sent.as_ref())),
            Event::UdpBench(r) => Some((r.received.as_ref(), r.sent.as_ref())),
            _ => None,
        };
        if let Some((received, sent)) = moved {
            self.count_in(received.map_or(0, |m| m.bytes));
            self.count_out(sent.map_or(0, |m| m.bytes));
        }
        let copy = self.tap.as_ref().map(|_| event.clone());
        if let Some(queue) = &self.queue {
            queue.emit(self.end, event)?;
        }
        self.tapped(copy);
        Ok(())
    }

    /// [`Report::emit`] for async tasks: awaits room instead of blocking.
    pub(crate) async fn send(&self, event: Event) -> Result<(), OutputError> {
        let copy = self.tap.as_ref().map(|_| event.clone());
        if let Some(queue) = &self.queue {
            queue.emit_async(self.end, event).await?;
        }
        self.tapped(copy);
        Ok(())
    }

    /// Takes a cause (connect, send, shutdown) just before its call, with
    /// room for `payload` bytes; its event, given to [`Cause::emit`] after
    /// the call, is stamped now and shown before whatever the call caused.
    pub(crate) fn cause(&self, payload: usize) -> Result<Cause, OutputError> {
        let inner = match &self.queue {
            Some(queue) => Some(queue::Cause::blocking(queue, self.end, payload)?),
            None => None,
        };
        Ok(Cause { inner, tap: self.tap.clone() })
    }

    /// [`Report::cause`] for async tasks.
    pub(crate) async fn cause_async(&self, payload: usize) -> Result<Cause, OutputError> {
        let inner = match &self.queue {
            Some(queue) => Some(queue::Cause::waiting(queue, self.end, payload).await?),
            None => None,
        };
        Ok(Cause { inner, tap: self.tap.clone() })
    }

    /// Room for an event of `payload` bytes, awaited now and stamped
    /// later by [`Room::cause`], which never waits.
    pub(crate) async fn room_async(&self, payload: usize) -> Room {
        let inner = match &self.queue {
            Some(queue) => Some(queue::Room::waiting(queue, self.end, payload).await),
            None => None,
        };
        Room { inner, tap: self.tap.clone() }
    }

    /// The output error, once output has failed (a closed pipe): a runner
    /// that waits in steps checks between them, so `| head` ends it.
    pub(crate) fn check(&self) -> Result<(), OutputError> {
        match &self.queue {
            Some(queue) => queue.check(),
            None => Ok(()),
        }
    }

    /// Runs `hook` if output fails (a closed pipe): a runner blocked on a
    /// socket gives it a way to wake up, and its next event then fails.
    pub(crate) fn on_output_failure(&self, hook: impl FnOnce() + Send + 'static) {
        if let Some(queue) = &self.queue {
            queue.on_failure(Box::new(hook));
        }
    }

    /// A mark for a producer of events stamped in the past (the packet
    /// capture), starting now.
    pub(crate) fn watermark(&self) -> Result<Watermark, OutputError> {
        let inner = match &self.queue {
            Some(queue) => Some(queue::Watermark::new(queue, self.end)?),
            None => None,
        };
        Ok(Watermark { inner })
    }

    /// Waits until everything reported so far is written.
    pub(crate) fn flush(&self) -> Result<(), OutputError> {
        match &self.queue {
            Some(queue) => queue.flush(*self.give_up.locked()),
            None => Ok(()),
        }
    }

    /// The run is stopping: from now on, waiting for output gives up after
    /// `within` (an output nobody reads must not keep the process alive),
    /// and waiting for stdout after [`STDOUT_PATIENCE`] (so that what goes
    /// to stderr, the totals, does not wait behind it).
    pub(crate) fn stop_within(&self, within: Duration) {
        let now = Instant::now();
        *self.give_up.locked() = Some(now + within);
        for stopper in self.stoppers.locked().iter() {
            stopper(now + STDOUT_PATIENCE.min(within / 2));
        }
        // Past half the patience, what is still queued of a flood (data,
        // datagrams, packets) is passed over and counted, so that the last
        // lines (closed, the totals) are written within it.
        if let Some(queue) = &self.queue {
            queue.skip_bulk_after(now + within / 2);
        }
    }

    /// `give_up` is told when to give up on its output ([`Report::stop_within`]):
    /// a writer on stdout, that this handle does not know.
    pub(crate) fn on_stop(&self, give_up: impl Fn(Instant) + Send + Sync + 'static) {
        self.stoppers.locked().push(Box::new(give_up));
    }

    /// Writes what is left and ends the output thread: the last call of a
    /// run. Returns the first output error.
    pub(crate) fn finish(&self) -> Result<(), OutputError> {
        // A stopping run's last lines (its totals) come after its runner's
        // own last steps, which may have used up the patience: they get
        // FINAL_GRACE more (stdout is given up by then if it takes nothing,
        // and the bulk of a flood passed over).
        let deadline = self.give_up.locked().map(|at| at.max(Instant::now() + FINAL_GRACE));
        let flushed = match &self.queue {
            Some(queue) => queue.flush(deadline),
            None => Ok(()),
        };
        if let Some(queue) = &self.queue {
            queue.close(deadline);
        }
        flushed
    }
}

/// A producer of events stamped in the past (see [`queue::Watermark`]).
pub(crate) struct Watermark {
    inner: Option<queue::Watermark>,
}

impl Watermark {
    /// Reports an event that happened at `stamp`.
    #[cfg(test)]
    pub(crate) fn emit_at(&self, stamp: Stamp, event: Event) -> Result<(), OutputError> {
        match &self.inner {
            Some(inner) => inner.emit_at(stamp, event),
            None => Ok(()),
        }
    }

    /// Reports events that happened at their stamps, all at once; returns
    /// how many captured packets were not shown (the queue held
    /// [`queue::CAPTURED_LIMIT`] already).
    pub(crate) fn emit_all(&self, events: Vec<(Stamp, Event)>) -> Result<u64, OutputError> {
        match &self.inner {
            Some(inner) => inner.emit_all(events),
            None => Ok(0),
        }
    }

    /// Nothing this producer emits from now on is stamped before `to`.
    pub(crate) fn advance(&mut self, to: Stamp) {
        if let Some(inner) = &mut self.inner {
            inner.advance(to);
        }
    }
}

/// Room taken in the queue for a cause not yet stamped
/// ([`Report::room_async`]).
pub(crate) struct Room {
    inner: Option<queue::Room>,
    tap: Option<Tap>,
}

impl Room {
    /// The cause, stamped now: its event goes where this call puts it.
    pub(crate) fn cause(self) -> Result<Cause, OutputError> {
        let inner = match self.inner {
            Some(room) => Some(room.cause()?),
            None => None,
        };
        Ok(Cause { inner, tap: self.tap })
    }
}

/// A cause under way (see [`Report::cause`]).
pub(crate) struct Cause {
    inner: Option<queue::Cause>,
    tap: Option<Tap>,
}

impl Cause {
    /// Reports the cause's event, stamped when the cause was taken.
    pub(crate) fn emit(self, event: Event) -> Result<(), OutputError> {
        let copy = self.tap.as_ref().map(|_| event.clone());
        if let Some(inner) = self.inner {
            inner.emit(event)?;
        }
        if let (Some(tap), Some(event)) = (&self.tap, copy) {
            tap(&event);
        }
        Ok(())
    }
}
