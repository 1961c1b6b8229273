//! The server's registry of connected clients, for whatever goes to many of
//! them at once: lines typed on the server's stdin, and relayed chunks in
//! broadcast mode. Fan-out never waits on a client; a full queue is handled
//! by the slow-client policy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::Notify;

use super::outbox::{Outbox, Refused};

pub use crate::event::SlowPolicy;

/// A connected client as the hub sees it.
#[derive(Debug, Clone)]
pub struct Member {
    pub outbox: Outbox,
    /// Wakes the connection's task to close it.
    pub kick: Arc<Notify>,
}

/// What one fan-out did.
#[derive(Debug, Default)]
pub struct FanOut {
    /// Clients the message was queued for.
    pub delivered: usize,
    /// Clients whose queue was full; the policy says whether they were
    /// skipped or are to be disconnected.
    pub full: Vec<Full>,
}

/// A client whose queue was full in a fan-out.
#[derive(Debug)]
pub struct Full {
    pub conn: u64,
    /// Bytes waiting in its queue.
    pub queued: usize,
    /// Set when the policy is disconnect: the hub has removed the client,
    /// and [`FanOut::disconnect`] closes it.
    kick: Option<Arc<Notify>>,
}

impl FanOut {
    /// Closes the clients the disconnect policy removed. Separate from the
    /// fan-out so the caller can report why before they report closing.
    pub fn disconnect(&self) {
        for kick in self.full.iter().filter_map(|f| f.kick.as_ref()) {
            kick.notify_one();
        }
    }
}

#[derive(Debug, Default)]
pub struct Hub {
    members: Mutex<HashMap<u64, Member>>,
}

impl Hub {
    /// Adds a client; returns how many there are now.
    pub fn join(&self, conn: u64, member: Member) -> usize {
        let mut members = self.lock();
        members.insert(conn, member);
        members.len()
    }

    /// Removes a client (if the hub has not already: a slow one); returns
    /// how many are left.
    pub fn leave(&self, conn: u64) -> usize {
        let mut members = self.lock();
        members.remove(&conn);
        members.len()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Queues `bytes` for every member but `except`, applying `policy` to
    /// those whose queue is full (call [`FanOut::disconnect`] afterwards).
    /// The lock is held throughout, so two fan-outs never interleave: every
    /// client sees the same order.
    pub fn fan_out(&self, bytes: &Bytes, except: Option<u64>, policy: SlowPolicy) -> FanOut {
        let mut result = FanOut::default();
        let mut members = self.lock();
        members.retain(|&conn, member| {
            if Some(conn) == except {
                return true;
            }
            match member.outbox.try_send(bytes.clone()) {
                Ok(()) => result.delivered += 1,
                Err(Refused::Closed) => {}
                Err(Refused::Full) => {
                    let disconnect = policy == SlowPolicy::Disconnect;
                    let kick = disconnect.then(|| member.kick.clone());
                    result.full.push(Full { conn, queued: member.outbox.queued(), kick });
                    // A removed client gets nothing more: no stream with holes.
                    return !disconnect;
                }
            }
            true
        });
        result
    }

    /// Tells every member to close (the server is stopping).
    pub fn kick_all(&self) {
        for member in self.lock().values() {
            member.kick.notify_one();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Member>> {
        self.members.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::outbox;

    fn member(limit: usize) -> (Member, outbox::Inbox) {
        let (outbox, inbox) = outbox::channel(limit);
        (Member { outbox, kick: Arc::new(Notify::new()) }, inbox)
    }

    #[test]
    fn fan_out_skips_the_sender_and_applies_the_policy() {
        let hub = Hub::default();
        let (a, _ia) = member(1 << 16);
        let (b, _ib) = member(1 << 16);
        let (slow, _is) = member(3);
        hub.join(1, a);
        hub.join(2, b);
        assert_eq!(hub.join(3, slow), 3);
        let msg = Bytes::from_static(b"hello");
        // The first message fits anywhere (a lone message always passes).
        let first = hub.fan_out(&msg, Some(1), SlowPolicy::Drop);
        assert_eq!(first.delivered, 2);
        let second = hub.fan_out(&msg, Some(1), SlowPolicy::Drop);
        let full: Vec<(u64, usize)> = second.full.iter().map(|f| (f.conn, f.queued)).collect();
        assert_eq!((second.delivered, full), (1, vec![(3, 3)]));
        assert_eq!(hub.len(), 3);
        let third = hub.fan_out(&msg, Some(1), SlowPolicy::Disconnect);
        assert_eq!((third.full[0].conn, third.full[0].kick.is_some()), (3, true));
        assert_eq!(hub.len(), 2);
        assert_eq!(hub.leave(3), 2);
        assert_eq!(hub.leave(2), 1);
    }
}
