//! What the demo keeps of the events its runners emit: a tap on their
//! reports that records them as they are emitted (the parts a person
//! watches are shown too), so the table is computed from what really
//! happened.

use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::event::{Dir, Event};
use crate::model::{Locked, Waits};
use crate::sink::Tap;

/// The part of an event the demo's measurements use.
#[derive(Debug, Clone)]
pub(crate) enum Seen {
    /// A server is ready on this address (its real port).
    Listening(SocketAddr),
    /// A TCP client is connected from this address.
    Connected(SocketAddr),
    /// A UDP client's socket has this address.
    SendingFrom(SocketAddr),
    /// One send() or recv() chunk of a TCP connection.
    Data { dir: Dir, bytes: Vec<u8> },
    /// One datagram; `arrived` is its length on the wire when received.
    Datagram { dir: Dir, arrived: Option<usize>, bytes: Vec<u8> },
}

impl Seen {
    fn of(event: &Event) -> Option<Seen> {
        Some(match event {
            Event::Listening { local, .. } => Seen::Listening(*local),
            Event::Connected { local, .. } => Seen::Connected(*local),
            Event::SendingFrom { local, .. } => Seen::SendingFrom(*local),
            Event::Data { dir, bytes, .. } => Seen::Data { dir: *dir, bytes: bytes.0.to_vec() },
            Event::Datagram { dir, arrived, bytes, .. } => {
                Seen::Datagram { dir: *dir, arrived: *arrived, bytes: bytes.0.to_vec() }
            }
            _ => return None,
        })
    }
}

/// A seen event and when it was seen.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) at: Instant,
    pub(crate) seen: Seen,
}

/// The entries of one end, shared with the thread that runs it.
#[derive(Clone, Default)]
pub(super) struct Log(Arc<(Mutex<Vec<Entry>>, Condvar)>);

impl Log {
    fn push(&self, seen: Seen) {
        let (entries, changed) = &*self.0;
        entries.locked().push(Entry { at: Instant::now(), seen });
        changed.notify_all();
    }

    pub(super) fn entries(&self) -> Vec<Entry> {
        self.0.0.locked().clone()
    }

    /// The first entry `find` accepts, waiting at most `limit` for it.
    pub(super) fn wait_for<T>(&self, limit: Duration, find: impl Fn(&Seen) -> Option<T>) -> Option<T> {
        let (entries, changed) = &*self.0;
        let deadline = Instant::now() + limit;
        let mut entries = entries.locked();
        loop {
            if let Some(found) = entries.iter().find_map(|e| find(&e.seen)) {
                return Some(found);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            entries = changed.waited_for(entries, left).0;
        }
    }
}

impl Log {
    /// A tap that records into this log what the demo needs of each event.
    pub(super) fn tap(&self) -> Tap {
        let log = self.clone();
        Arc::new(move |event: &Event| {
            if let Some(seen) = Seen::of(event) {
                log.push(seen);
            }
        })
    }
}
