//! A client's outgoing queue, bounded in bytes. Whatever is sent to a
//! client (a reply, an echo, a line typed on stdin, a relayed chunk) waits
//! here until its writer task has written it, so a client that stops reading
//! costs at most `limit` bytes (counting each message's bookkeeping), never
//! unbounded memory. A sender finds room or waits for it (back-pressure,
//! as TCP itself does); the writer can see who waits, to tell a client that
//! holds others up from one that is merely idle.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use tokio::sync::{Semaphore, mpsc};

/// Why a message could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The queue holds `limit` bytes already: the client is not reading.
    Full,
    /// The writer is gone: the connection is closing.
    Closed,
}

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    tx: mpsc::UnboundedSender<Bytes>,
    room: Arc<Semaphore>,
    limit: usize,
    /// Senders waiting for room now.
    waiting: Arc<AtomicUsize>,
}

/// The writer task's side.
#[derive(Debug)]
pub(crate) struct Inbox {
    rx: mpsc::UnboundedReceiver<Bytes>,
    room: Arc<Semaphore>,
    limit: usize,
    waiting: Arc<AtomicUsize>,
}

/// A queue that holds at most `limit` bytes (at least one message, whatever
/// its size).
pub(crate) fn channel(limit: usize) -> (Outbox, Inbox) {
    let limit = limit.clamp(1, u32::MAX as usize);
    let (tx, rx) = mpsc::unbounded_channel();
    let room = Arc::new(Semaphore::new(limit));
    let waiting = Arc::new(AtomicUsize::new(0));
    (Outbox { tx, room: room.clone(), limit, waiting: waiting.clone() }, Inbox { rx, room, limit, waiting })
}

/// What holding one message costs besides its bytes: its slot in the
/// channel, the `Bytes` header and the allocator's own. Counted so that a
/// client sent many tiny messages is bounded in memory too, not only in
/// payload (1 MiB of 1-byte chunks would otherwise hold ~100 MiB).
pub(crate) const PER_MESSAGE: usize = 128;

/// Permits a message of `len` bytes takes: its bytes and PER_MESSAGE. A
/// message bigger than the whole queue takes all of it, so it can still
/// pass when the queue is empty.
fn permits(len: usize, limit: usize) -> u32 {
    len.saturating_add(PER_MESSAGE).clamp(1, limit) as u32
}

impl Outbox {
    /// Queues `bytes`, waiting for room: back-pressure for echo and replies,
    /// where the sender is the slow client itself.
    pub(crate) async fn send(&self, bytes: Bytes) -> Result<(), Refused> {
        let n = permits(bytes.len(), self.limit);
        let permit = match self.room.try_acquire_many(n) {
            Ok(permit) => permit,
            Err(tokio::sync::TryAcquireError::Closed) => return Err(Refused::Closed),
            Err(tokio::sync::TryAcquireError::NoPermits) => {
                let _waiting = Waiting::new(&self.waiting);
                self.room.acquire_many(n).await.map_err(|_| Refused::Closed)?
            }
        };
        permit.forget();
        self.tx.send(bytes).map_err(|_| Refused::Closed)
    }

    /// Queues `bytes` if there is room now; never waits, so one slow client
    /// cannot hold up the others.
    pub(crate) fn try_send(&self, bytes: Bytes) -> Result<(), Refused> {
        if self.tx.is_closed() {
            return Err(Refused::Closed);
        }
        let n = permits(bytes.len(), self.limit);
        match self.room.try_acquire_many(n) {
            Ok(permit) => permit.forget(),
            Err(tokio::sync::TryAcquireError::NoPermits) => return Err(Refused::Full),
            Err(tokio::sync::TryAcquireError::Closed) => return Err(Refused::Closed),
        }
        self.tx.send(bytes).map_err(|_| Refused::Closed)
    }

    /// Bytes waiting to be written, with PER_MESSAGE for each message.
    pub(crate) fn queued(&self) -> usize {
        self.limit - self.room.available_permits()
    }

    /// What the queue holds, seen without being a sender: a gauge keeps
    /// no queue open.
    pub(crate) fn gauge(&self) -> Gauge {
        Gauge { room: self.room.clone(), limit: self.limit }
    }
}

/// [`Outbox::gauge`].
#[derive(Debug, Clone)]
pub(crate) struct Gauge {
    room: Arc<Semaphore>,
    limit: usize,
}

impl Gauge {
    /// Bytes waiting to be written, with PER_MESSAGE for each message.
    pub(crate) fn queued(&self) -> usize {
        self.limit - self.room.available_permits()
    }
}

/// Counts a sender as waiting for as long as it waits, however it ends.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Waiting<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Inbox {
    /// Bytes waiting to be written, with PER_MESSAGE for each message.
    pub(crate) fn queued(&self) -> usize {
        self.limit - self.room.available_permits()
    }

    /// True when a sender waits for room: this client holds others up.
    pub(crate) fn holds_up_a_sender(&self) -> bool {
        self.waiting.load(Ordering::SeqCst) > 0
    }

    /// The next message; None once every Outbox is dropped and the queue is
    /// drained.
    pub(crate) async fn recv(&mut self) -> Option<Bytes> {
        self.rx.recv().await
    }

    /// Gives back the room of a message once it is written.
    pub(crate) fn written(&self, len: usize) {
        self.room.add_permits(permits(len, self.limit) as usize);
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        // Wake senders waiting for room: the writer is gone.
        self.room.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_in_bytes() {
        let limit = 2 * PER_MESSAGE + 10;
        let (outbox, mut inbox) = channel(limit);
        assert_eq!(outbox.try_send(Bytes::from_static(b"123456")), Ok(()));
        assert_eq!(outbox.try_send(Bytes::from_static(b"123")), Ok(()));
        assert_eq!(outbox.queued(), 2 * PER_MESSAGE + 9);
        assert_eq!(outbox.try_send(Bytes::from_static(b"12")), Err(Refused::Full));
        let first = inbox.recv().await.unwrap();
        inbox.written(first.len());
        assert_eq!(outbox.try_send(Bytes::from_static(b"123456")), Ok(()));
    }

    #[tokio::test]
    async fn tiny_messages_count_their_bookkeeping() {
        let (outbox, _inbox) = channel(10 * PER_MESSAGE);
        let sent = (0..100).take_while(|_| outbox.try_send(Bytes::from_static(b"x")).is_ok()).count();
        assert_eq!(sent, 9);
    }

    #[tokio::test]
    async fn a_big_message_passes_an_empty_queue() {
        let (outbox, mut inbox) = channel(4);
        assert_eq!(outbox.try_send(Bytes::from(vec![7u8; 100])), Ok(()));
        assert_eq!(outbox.try_send(Bytes::from_static(b"x")), Err(Refused::Full));
        assert_eq!(inbox.recv().await.unwrap().len(), 100);
    }

    #[tokio::test]
    async fn a_sender_waits_for_room_and_is_seen_waiting() {
        let (outbox, mut inbox) = channel(PER_MESSAGE + 4);
        outbox.send(Bytes::from_static(b"1234")).await.unwrap();
        assert!(!inbox.holds_up_a_sender());
        let second = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.send(Bytes::from_static(b"5678")).await }
        });
        while !inbox.holds_up_a_sender() {
            tokio::task::yield_now().await;
        }
        let first = inbox.recv().await.unwrap();
        inbox.written(first.len());
        assert_eq!(second.await.unwrap(), Ok(()));
        assert!(!inbox.holds_up_a_sender());
        assert_eq!(inbox.recv().await.unwrap(), Bytes::from_static(b"5678"));
    }

    #[tokio::test]
    async fn closed_when_the_writer_is_gone() {
        let (outbox, inbox) = channel(4);
        drop(inbox);
        assert_eq!(outbox.try_send(Bytes::from_static(b"x")), Err(Refused::Closed));
        assert_eq!(outbox.send(Bytes::from_static(b"x")).await, Err(Refused::Closed));
    }
}
