//! The road from runners to reporters: a bounded queue that puts events in
//! the order they happened, and the one thread that renders them.
//!
//! **Order.** Every event gets a [`Stamp`] from the process clock. An effect
//! (accept, recv, EOF) is stamped when it enters the queue, after its call
//! returned. A cause (connect, send, shutdown) is stamped *before* its call,
//! by a [`Cause`] taken then, which also holds back everything stamped after
//! it until the cause's own event arrives. The output thread releases events
//! in stamp order, so the server's recv is never shown before the client's
//! send of the same bytes, whichever thread got to the queue first. A call
//! that blocks longer than [`MAX_HOLD`] (a send to a peer that does not
//! read) stops holding the others back, and its event is then shown when it
//! returns, stamped then.
//!
//! **Back-pressure.** The queue holds at most [`BUDGET`] bytes of events.
//! A runner finds room or waits for it: a thread blocks, an async task
//! awaits (so the event loop goes on accepting, timing out and catching
//! signals while its output is slow). Room is handed out first come, first
//! served, so clients that send at once are read fairly.

use std::collections::{BTreeMap, BinaryHeap};
use std::future::Future;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::{OutputError, Reporter};
use crate::event::Event;
use crate::model::clock::{self, Stamp};
use crate::model::{Locked, Waits};

/// Bytes of events that may wait to be rendered. A slow terminal or a pipe
/// nobody reads holds at most this much, then the runners wait.
pub(crate) const BUDGET: usize = 4 << 20;

/// What one event costs besides its payload.
const OVERHEAD: usize = 256;

/// Times the output thread looks for more work before it sleeps.
const SPINS: u32 = 20;

/// The longest a cause holds back the events after it.
pub(crate) const MAX_HOLD: Duration = Duration::from_millis(250);

/// Captured packets that may wait to be shown. They take no room in the
/// budget (see [`Watermark::emit_all`]), so they have a bound of their own:
/// under a flood, the capture sees every packet while the runners, paced by
/// the output, see few; past this many, a packet is counted and not shown.
/// One waiting packet costs about 400 bytes: 8192 of them, 3 MiB.
pub(crate) const CAPTURED_LIMIT: usize = 8192;

/// The room an event takes in the queue, in permits of the budget.
pub(crate) fn weight(payload: usize) -> u32 {
    payload.saturating_add(OVERHEAD).min(BUDGET) as u32
}

pub(crate) struct Queue {
    state: Mutex<State>,
    /// Wakes the output thread, and whoever waits for a flush. Producers
    /// only signal it when the output thread sleeps (a wake-up is a system
    /// call, and they come once per chunk).
    changed: Condvar,
    room: Semaphore,
    /// The reporter of each end; the output thread alone renders with them.
    ends: Mutex<Vec<Box<dyn Reporter>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// What to do when output fails: wake the runners blocked on a socket,
    /// which would otherwise only learn of it at their next event.
    on_failure: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
}

#[derive(Default)]
struct State {
    heap: BinaryHeap<std::cmp::Reverse<Entry>>,
    /// Causes under way: their stamp (and a number, to tell equal stamps
    /// apart), and when each was taken.
    holds: BTreeMap<(Stamp, u64), Instant>,
    next_id: u64,
    /// The latest stamp handed out; stamps only grow.
    last: Stamp,
    closed: bool,
    /// The first failure to write output: every later emit returns it.
    failed: Option<(io::ErrorKind, String)>,
    /// The output thread waits for something to release. `push` and
    /// `release` wake it only while this is set, and clear it when they
    /// do; every other producer wakes it each time, and leaves this as
    /// it is (the thread clears it when it wakes).
    sleeping: bool,
    /// Captured packets queued and not rendered yet.
    captured: usize,
    /// The run is stopping: from this moment, the bulk of a flood still
    /// queued (data, datagrams, packets) is passed over, counted by each
    /// reporter ([`super::Reporter::skipped`]).
    skip_bulk_after: Option<Instant>,
    /// Flushes asked for, and done, counted; done in the order asked.
    flushes_asked: u64,
    flushes_done: u64,
    flush_result: Option<(io::ErrorKind, String)>,
}

struct Entry {
    stamp: Stamp,
    id: u64,
    end: usize,
    item: Item,
    permits: u32,
    /// A captured packet, counted in [`State::captured`].
    captured: bool,
}

enum Item {
    Event(Box<Event>),
    /// Flush every end's writer, then count one more flush done.
    Flush,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        (self.stamp, self.id) == (other.stamp, other.id)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> std::cmp::Ordering {
        (self.stamp, self.id).cmp(&(other.stamp, other.id))
    }
}

impl State {
    /// A fresh stamp: now, or just after the latest one.
    fn stamp(&mut self) -> Stamp {
        let now = clock::now();
        self.last = if now > self.last { now } else { self.last.next() };
        self.last
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The oldest cause still holding others back, and when it was taken.
    fn blocker(&self, now: Instant) -> Option<(Stamp, Instant)> {
        self.holds
            .iter()
            .find(|(_, taken)| now.duration_since(**taken) < MAX_HOLD)
            .map(|((stamp, _), taken)| (*stamp, *taken))
    }

    fn failure(&self) -> Result<(), OutputError> {
        match &self.failed {
            Some((kind, text)) => Err(OutputError(io::Error::new(*kind, text.clone()))),
            None => Ok(()),
        }
    }
}

impl Queue {
    /// A queue and its output thread, rendering with `reporter` for end 0.
    pub(crate) fn start(reporter: Box<dyn Reporter>) -> io::Result<Arc<Queue>> {
        let queue = Arc::new(Queue {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            room: Semaphore::new(BUDGET),
            ends: Mutex::new(vec![reporter]),
            thread: Mutex::new(None),
            on_failure: Mutex::new(Vec::new()),
        });
        let worker = queue.clone();
        let thread = thread::Builder::new().name("report".into()).spawn(move || worker.render_loop())?;
        *queue.thread.locked() = Some(thread);
        Ok(queue)
    }

    /// Adds an end (the demo's server or client); returns its number.
    pub(crate) fn add_end(&self, reporter: Box<dyn Reporter>) -> usize {
        let mut ends = self.ends.locked();
        ends.push(reporter);
        ends.len() - 1
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.locked()
    }

    /// The output error, once output has failed.
    pub(crate) fn check(&self) -> Result<(), OutputError> {
        self.state().failure()
    }

    /// Runs `hook` once output has failed (at once if it has).
    pub(crate) fn on_failure(&self, hook: Box<dyn FnOnce() + Send>) {
        let failed = self.state().failed.is_some();
        if failed {
            hook();
        } else {
            self.on_failure.locked().push(hook);
        }
    }

    /// Waits (blocking the thread) for room for `permits`.
    fn room_blocking(&self, permits: u32) {
        // The semaphore is never closed, so acquiring cannot fail.
        if let Ok(permit) = block_on(self.room.acquire_many(permits)) {
            permit.forget();
        }
    }

    async fn room_async(&self, permits: u32) {
        if let Ok(permit) = self.room.acquire_many(permits).await {
            permit.forget();
        }
    }

    /// Puts an event whose room is already taken into the queue, stamped
    /// now (or at `stamp`, a cause's).
    fn push(
        &self,
        end: usize,
        event: Event,
        permits: u32,
        hold: Option<(Stamp, u64)>,
    ) -> Result<(), OutputError> {
        let mut state = self.state();
        if let Err(e) = state.failure() {
            drop(state);
            self.room.add_permits(permits as usize);
            return Err(e);
        }
        let stamp = match hold.and_then(|key| state.holds.remove(&key).map(|taken| (key, taken))) {
            Some(((stamp, _), taken)) if taken.elapsed() < MAX_HOLD => stamp,
            // The cause blocked too long: shown when it returned.
            _ => state.stamp(),
        };
        let id = state.id();
        state.heap.push(std::cmp::Reverse(Entry {
            stamp,
            id,
            end,
            item: Item::Event(Box::new(event)),
            permits,
            captured: false,
        }));
        // Woken once: the flag means "asleep, and nobody woke it since".
        let wake = std::mem::take(&mut state.sleeping);
        drop(state);
        if wake {
            self.changed.notify_all();
        }
        Ok(())
    }

    /// See [`State::skip_bulk_after`].
    pub(crate) fn skip_bulk_after(&self, at: Instant) {
        self.state().skip_bulk_after = Some(at);
        self.changed.notify_all();
    }

    pub(crate) fn emit(&self, end: usize, event: Event) -> Result<(), OutputError> {
        self.state().failure()?;
        let permits = weight(event.payload_len());
        self.room_blocking(permits);
        self.push(end, event, permits, None)
    }

    pub(crate) async fn emit_async(&self, end: usize, event: Event) -> Result<(), OutputError> {
        self.state().failure()?;
        let permits = weight(event.payload_len());
        self.room_async(permits).await;
        self.push(end, event, permits, None)
    }

    /// Registers a cause stamped now, its room already taken.
    fn hold(&self, permits: u32) -> Result<((Stamp, u64), Instant), OutputError> {
        let mut state = self.state();
        if let Err(e) = state.failure() {
            drop(state);
            self.room.add_permits(permits as usize);
            return Err(e);
        }
        let key = (state.stamp(), state.id());
        let taken = Instant::now();
        state.holds.insert(key, taken);
        Ok((key, taken))
    }

    fn release(&self, key: (Stamp, u64), permits: u32) {
        let wake = {
            let mut state = self.state();
            state.holds.remove(&key).is_some() && std::mem::take(&mut state.sleeping)
        };
        if wake {
            self.changed.notify_all();
        }
        self.room.add_permits(permits as usize);
    }

    /// Waits until everything queued before this call is rendered and
    /// written, or until `deadline`. Returns the first output error.
    pub(crate) fn flush(&self, deadline: Option<Instant>) -> Result<(), OutputError> {
        let mut state = self.state();
        state.flushes_asked += 1;
        let target = state.flushes_asked;
        let stamp = state.stamp();
        let id = state.id();
        state.heap.push(std::cmp::Reverse(Entry {
            stamp,
            id,
            end: 0,
            item: Item::Flush,
            permits: 0,
            captured: false,
        }));
        self.changed.notify_all();
        while state.flushes_done < target {
            state = match deadline {
                None => self.changed.waited(state),
                Some(deadline) => {
                    let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                        return state.failure();
                    };
                    self.changed.waited_for(state, left).0
                }
            };
        }
        state.failure()?;
        match &state.flush_result {
            Some((kind, text)) => Err(OutputError(io::Error::new(*kind, text.clone()))),
            None => Ok(()),
        }
    }

    /// No more events: the output thread ends once it has rendered what is
    /// queued. Waits for it unless `deadline` passes first.
    pub(crate) fn close(&self, deadline: Option<Instant>) {
        self.state().closed = true;
        self.changed.notify_all();
        let thread = self.thread.locked().take();
        let Some(thread) = thread else { return };
        match deadline {
            None => {
                let _ = thread.join();
            }
            Some(deadline) => {
                // A thread stuck writing to a pipe nobody reads is left
                // behind: the process ends without it.
                while !thread.is_finished() && Instant::now() < deadline {
                    thread::sleep(Duration::from_millis(2));
                }
                if thread.is_finished() {
                    let _ = thread.join();
                }
            }
        }
    }

    /// The output thread: takes what may be released, in stamp order, and
    /// renders it.
    fn render_loop(&self) {
        let mut batch = Vec::new();
        let mut spins = 0;
        while let Some((failed, skip_after)) = self.next_batch(&mut batch, &mut spins) {
            let (error, flushes) = self.render_batch(&mut batch, failed, skip_after);
            self.settle(error, flushes);
        }
    }

    /// Waits until something may be released and takes it, at most 64
    /// entries, into `batch`; with whether the output has failed and when
    /// bulk events start being passed over. None once the queue is closed
    /// and empty.
    fn next_batch(&self, batch: &mut Vec<Entry>, spins: &mut u32) -> Option<(bool, Option<Instant>)> {
        let mut state = self.state();
        loop {
            let now = Instant::now();
            let blocker = state.blocker(now);
            while let Some(top) = state.heap.peek() {
                if blocker.is_some_and(|(stamp, _)| top.0.stamp >= stamp) {
                    break;
                }
                let entry = state.heap.pop().map(|e| e.0).expect("peeked");
                if entry.captured {
                    state.captured -= 1;
                }
                batch.push(entry);
                if batch.len() >= 64 {
                    break;
                }
            }
            if !batch.is_empty() {
                break;
            }
            if state.closed && state.heap.is_empty() {
                return None;
            }
            // A stream's next chunk often comes within microseconds:
            // look again a few times before sleeping, which costs a
            // wake-up on both sides.
            if *spins < SPINS && state.heap.is_empty() {
                *spins += 1;
                drop(state);
                thread::yield_now();
                state = self.state();
                continue;
            }
            *spins = 0;
            state.sleeping = true;
            state = match blocker.filter(|_| !state.heap.is_empty()) {
                // Wait for the cause, at most until it stops holding.
                Some((_, taken)) => {
                    let left = (taken + MAX_HOLD).saturating_duration_since(now);
                    self.changed.waited_for(state, left).0
                }
                None => self.changed.waited(state),
            };
            state.sleeping = false;
        }
        let failed = state.failed.is_some();
        Some((failed, state.skip_bulk_after))
    }

    /// Hands `batch` to the reporters, in order, giving each entry's room
    /// back as it goes: the first error of the batch, and the result of
    /// each flush asked for in it.
    fn render_batch(
        &self,
        batch: &mut Vec<Entry>,
        failed: bool,
        skip_after: Option<Instant>,
    ) -> (Option<io::Error>, Vec<io::Result<()>>) {
        let mut error = None;
        let mut flushes = Vec::new();
        {
            let mut ends = self.ends.locked();
            for entry in batch.drain(..) {
                match entry.item {
                    Item::Event(event)
                        if event.is_bulk() && skip_after.is_some_and(|at| Instant::now() >= at) =>
                    {
                        if let Some(reporter) = ends.get_mut(entry.end) {
                            reporter.skipped(&event);
                        }
                    }
                    Item::Event(event) if !failed && error.is_none() => {
                        if let Some(reporter) = ends.get_mut(entry.end)
                            && let Err(e) = reporter.event(entry.stamp, &event)
                        {
                            error = Some(e);
                        }
                    }
                    Item::Event(_) => {}
                    Item::Flush => {
                        let mut result = Ok(());
                        for reporter in ends.iter_mut() {
                            if let Err(e) = reporter.batch_done().and_then(|()| reporter.flush()) {
                                result = Err(e);
                            }
                        }
                        flushes.push(result);
                    }
                }
                // Room goes back event by event, so that the runners
                // waiting for it take turns (first come, first served).
                self.room.add_permits(entry.permits as usize);
            }
            // What the batch left in the reporters' buffers (at most
            // their own small gathering) is written now.
            if !failed && error.is_none() {
                for reporter in ends.iter_mut() {
                    if let Err(e) = reporter.batch_done() {
                        error = Some(e);
                        break;
                    }
                }
            }
        }
        (error, flushes)
    }

    /// After a batch: the first output error becomes the queue's, its
    /// hooks run, the flushes are counted done, and whoever waits is woken.
    fn settle(&self, error: Option<io::Error>, flushes: Vec<io::Result<()>>) {
        if let Some(e) = error {
            // Failed first, so that whoever the hooks wake meets the
            // error; then the hooks, before any flush is said done.
            let newly_failed = {
                let mut state = self.state();
                let newly = state.failed.is_none();
                if newly {
                    state.failed = Some((e.kind(), e.to_string()));
                }
                newly
            };
            if newly_failed {
                let hooks = std::mem::take(&mut *self.on_failure.locked());
                hooks.into_iter().for_each(|hook| hook());
            }
        }
        let mut state = self.state();
        for result in flushes {
            state.flushes_done += 1;
            if let Err(e) = result
                && state.flush_result.is_none()
            {
                state.flush_result = Some((e.kind(), e.to_string()));
            }
        }
        drop(state);
        self.changed.notify_all();
    }
}

/// A producer of events stamped in the past, such as the packet capture,
/// whose packets carry the kernel's times and reach us a little later: it
/// promises that nothing it emits is stamped before its mark, and events
/// stamped after the mark wait for it (as for a [`Cause`], at most
/// [`MAX_HOLD`] after the mark last moved).
pub(crate) struct Watermark {
    queue: Arc<Queue>,
    end: usize,
    key: (Stamp, u64),
}

impl Watermark {
    pub(super) fn new(queue: &Arc<Queue>, end: usize) -> Result<Watermark, OutputError> {
        let (key, _) = queue.hold(0)?;
        Ok(Watermark { queue: queue.clone(), end, key })
    }

    /// Reports an event that happened at `stamp` (no earlier than the
    /// mark; an earlier one is shown as if at the mark).
    #[cfg(test)]
    pub(super) fn emit_at(&self, stamp: Stamp, event: Event) -> Result<(), OutputError> {
        let permits = weight(event.payload_len());
        self.queue.room_blocking(permits);
        let mut state = self.queue.state();
        if let Err(e) = state.failure() {
            drop(state);
            self.queue.room.add_permits(permits as usize);
            return Err(e);
        }
        let id = state.id();
        let stamp = stamp.max(self.key.0);
        let item = Item::Event(Box::new(event));
        state.heap.push(std::cmp::Reverse(Entry {
            stamp,
            id,
            end: self.end,
            item,
            permits,
            captured: false,
        }));
        drop(state);
        self.queue.changed.notify_all();
        Ok(())
    }

    /// Reports several events stamped in the past at once: one lock and one
    /// wake-up of the output thread for all of them (a capture hands over
    /// its packets in batches). They take no room in the budget: this
    /// producer holds the mark, and the events that would give room back
    /// may be waiting for that very mark (a sender's data, stamped after
    /// the packets being handed over), so waiting for room here would stall
    /// both until the hold ran out. A capture's events are small (no
    /// payload), but under a flood they come faster than the runners, paced
    /// by the output, take their datagrams: at most [`CAPTURED_LIMIT`]
    /// packets wait, and the others are not shown. Returns how many were
    /// not.
    pub(super) fn emit_all(&self, events: Vec<(Stamp, Event)>) -> Result<u64, OutputError> {
        let mut state = self.queue.state();
        state.failure()?;
        let mut unshown = 0;
        for (stamp, event) in events {
            let captured = matches!(event, Event::Packet(_));
            if captured && state.captured >= CAPTURED_LIMIT {
                unshown += 1;
                continue;
            }
            state.captured += usize::from(captured);
            let id = state.id();
            let stamp = stamp.max(self.key.0);
            let item = Item::Event(Box::new(event));
            state.heap.push(std::cmp::Reverse(Entry {
                stamp,
                id,
                end: self.end,
                item,
                permits: 0,
                captured,
            }));
        }
        drop(state);
        self.queue.changed.notify_all();
        Ok(unshown)
    }

    /// Nothing stamped before `to` will come: events up to it may go.
    pub(super) fn advance(&mut self, to: Stamp) {
        let mut state = self.queue.state();
        state.holds.remove(&self.key);
        let id = state.id();
        self.key = (to.max(self.key.0), id);
        state.holds.insert(self.key, Instant::now());
        drop(state);
        self.queue.changed.notify_all();
    }
}

impl Drop for Watermark {
    fn drop(&mut self) {
        self.queue.release(self.key, 0);
    }
}

/// A cause under way: taken just before its call, so that its event is
/// stamped when the call started, and nothing stamped after it is shown
/// before it. Dropped without [`Cause::emit`] (the call failed and there
/// is nothing to show), it stops holding.
pub(crate) struct Cause {
    queue: Arc<Queue>,
    end: usize,
    key: (Stamp, u64),
    permits: u32,
    emitted: bool,
}

impl Cause {
    pub(super) fn blocking(queue: &Arc<Queue>, end: usize, payload: usize) -> Result<Cause, OutputError> {
        let permits = weight(payload);
        queue.room_blocking(permits);
        let (key, _) = queue.hold(permits)?;
        Ok(Cause { queue: queue.clone(), end, key, permits, emitted: false })
    }

    pub(super) async fn waiting(
        queue: &Arc<Queue>,
        end: usize,
        payload: usize,
    ) -> Result<Cause, OutputError> {
        Room::waiting(queue, end, payload).await.cause()
    }

    pub(super) fn emit(mut self, event: Event) -> Result<(), OutputError> {
        self.emitted = true;
        self.queue.push(self.end, event, self.permits, Some(self.key))
    }
}

/// Room in the queue for one event, taken ahead and not yet stamped:
/// [`Room::cause`] stamps it without waiting, so it can be done under
/// another lock, in the order that lock gives (a broadcast's count of
/// clients and the place of the line that shows it).
pub(crate) struct Room {
    queue: Arc<Queue>,
    end: usize,
    permits: u32,
}

impl Room {
    pub(super) async fn waiting(queue: &Arc<Queue>, end: usize, payload: usize) -> Room {
        let permits = weight(payload);
        queue.room_async(permits).await;
        Room { queue: queue.clone(), end, permits }
    }

    /// A cause stamped now, in this room.
    pub(super) fn cause(mut self) -> Result<Cause, OutputError> {
        // Given back by hold on failure, or by the cause from now on.
        let permits = std::mem::take(&mut self.permits);
        let (key, _) = self.queue.hold(permits)?;
        Ok(Cause { queue: self.queue.clone(), end: self.end, key, permits, emitted: false })
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        self.queue.room.add_permits(self.permits as usize);
    }
}

impl Drop for Cause {
    fn drop(&mut self) {
        if !self.emitted {
            self.queue.release(self.key, self.permits);
        }
    }
}

/// Runs a future to completion on this thread, parking it while the future
/// waits: how a plain thread waits for room in the queue, which async tasks
/// await.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::park();
    }
}

#[cfg(test)]
impl Queue {
    /// The output thread went to sleep with something queued, after the
    /// last push (a push that wakes it clears the flag): what is queued is
    /// held back by a cause, as it releases the rest before it sleeps.
    fn sleeps_holding(&self) -> bool {
        let state = self.state();
        state.sleeping && !state.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::Report;

    /// Records the order events are rendered in, by connection number.
    struct Record(Arc<Mutex<Vec<u64>>>, bool);

    impl Reporter for Record {
        fn event(&mut self, _at: Stamp, event: &Event) -> io::Result<()> {
            if self.1 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            if let Event::Eof { conn } = event {
                self.0.locked().push(*conn);
            }
            Ok(())
        }
    }

    fn recorded(failing: bool) -> (Report, Arc<Mutex<Vec<u64>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        (Report::new(Box::new(Record(seen.clone(), failing))).unwrap(), seen)
    }

    #[test]
    fn a_cause_is_shown_before_the_effects_that_came_in_first() {
        let (report, seen) = recorded(false);
        let cause = report.cause(0).unwrap();
        let other = report.clone();
        // The effect reaches the queue first, from another thread.
        thread::spawn(move || other.emit(Event::Eof { conn: 2 }).unwrap()).join().unwrap();
        // Until the output thread has looked at it: it sleeps with the
        // effect queued (held back), or it has rendered it (wrongly).
        let queue = report.queue.clone().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !queue.sleeps_holding() && seen.locked().is_empty() {
            assert!(Instant::now() < deadline, "the output thread never looked at the effect");
            thread::yield_now();
        }
        assert!(seen.locked().is_empty(), "the effect went before its cause");
        cause.emit(Event::Eof { conn: 1 }).unwrap();
        report.finish().unwrap();
        assert_eq!(*seen.locked(), [1, 2]);
    }

    #[test]
    fn a_cause_that_blocks_too_long_stops_holding_the_others() {
        let (report, seen) = recorded(false);
        let cause = report.cause(0).unwrap();
        report.emit(Event::Eof { conn: 2 }).unwrap();
        // A flush asked now is queued after the cause too: it is done once
        // the cause stops holding (MAX_HOLD after it was taken), not before.
        let queue = report.queue.clone().unwrap();
        queue.flush(Some(Instant::now() + Duration::from_secs(10))).unwrap();
        assert_eq!(*seen.locked(), [2], "the cause held the others back past MAX_HOLD");
        // Shown when it returned, after what went before.
        cause.emit(Event::Eof { conn: 1 }).unwrap();
        report.finish().unwrap();
        assert_eq!(*seen.locked(), [2, 1]);
    }

    #[test]
    fn a_watermark_puts_late_events_at_their_time() {
        let (report, seen) = recorded(false);
        let mut mark = report.watermark().unwrap();
        let early = clock::now();
        report.emit(Event::Eof { conn: 2 }).unwrap();
        // A packet seen by the kernel before event 2, read after it.
        mark.emit_at(early, Event::Eof { conn: 1 }).unwrap();
        mark.advance(clock::now());
        report.finish().unwrap();
        assert_eq!(*seen.locked(), [1, 2]);
    }

    #[test]
    fn a_watermark_hands_over_a_batch_in_its_place() {
        let (report, seen) = recorded(false);
        let mut mark = report.watermark().unwrap();
        let (first, second) = (clock::now(), clock::now());
        report.emit(Event::Eof { conn: 3 }).unwrap();
        mark.emit_all(vec![(first, Event::Eof { conn: 1 }), (second, Event::Eof { conn: 2 })]).unwrap();
        mark.advance(clock::now());
        report.finish().unwrap();
        assert_eq!(*seen.locked(), [1, 2, 3]);
    }

    #[test]
    fn a_failed_output_fails_the_next_emit_and_wakes_whoever_asked() {
        let (report, _seen) = recorded(true);
        let woken = Arc::new(Mutex::new(false));
        let flag = woken.clone();
        report.on_output_failure(move || *flag.locked() = true);
        report.emit(Event::Eof { conn: 1 }).unwrap();
        assert!(report.flush().is_err());
        assert!(*woken.locked());
        assert!(report.emit(Event::Eof { conn: 2 }).is_err());
    }

    #[tokio::test]
    async fn room_is_waited_for_and_given_back() {
        let (report, seen) = recorded(false);
        let big = Event::data(1, crate::event::Dir::In, 1, vec![0u8; BUDGET], 0, Duration::ZERO);
        for _ in 0..4 {
            report.send(big.clone()).await.unwrap();
        }
        report.send(Event::Eof { conn: 7 }).await.unwrap();
        report.finish().unwrap();
        assert_eq!(*seen.locked(), [7]);
    }
}
