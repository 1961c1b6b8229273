//! The server's registry of connected clients, for whatever goes to many of
//! them at once: the server's stdin, and relayed chunks in broadcast mode.
//!
//! By default a fan-out waits for room in every client's queue, so a sender
//! is read no faster than its slowest reader takes (TCP's own back-pressure)
//! and nothing is lost; a reader that takes nothing at all is cut by its
//! writer after the stall timeout, which frees the fan-out. `--slow drop`
//! and `--slow disconnect` never wait: a full queue skips or cuts that
//! client, for a chat where one slow client must not slow the others.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::Notify;

use crate::i18n::Msg;
use crate::model::{Locked, Waits};

use super::outbox::{Outbox, Refused};

pub(crate) use crate::event::SlowPolicy;

/// A connected client as the hub sees it.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// Its queue, while the hub may still send it something.
    pub(crate) outbox: Option<Outbox>,
    /// Closes the connection from outside, with a reason.
    pub(crate) cut: Arc<Cut>,
    /// Bytes of the server's stdin were queued for it.
    pub(crate) fed: bool,
    /// Tells its reader to let go of the queue it holds only to put off
    /// the FIN (see [`Hub::stdin_ended`]).
    pub(crate) release: Arc<Notify>,
}

/// How a connection is closed from outside its own reader (a --slow policy,
/// a stall, the server stopping): the reason, and a wake-up for its reader.
#[derive(Debug, Default)]
pub(crate) struct Cut {
    kick: Notify,
    reason: Mutex<Option<Msg>>,
    /// The cut was asked for (--quit-after): the connection ends as it
    /// should, not by a failure.
    planned: std::sync::atomic::AtomicBool,
}

impl Cut {
    /// Closes the connection; the first reason given is the one kept.
    pub(crate) fn cut(&self, reason: Msg) {
        self.reason.locked().get_or_insert(reason);
        self.kick.notify_one();
    }

    /// Closes the connection as the command asked (--quit-after), unless
    /// something cut it already.
    pub(crate) fn end(&self, reason: Msg) {
        let mut kept = self.reason.locked();
        if kept.is_none() {
            *kept = Some(reason);
            self.planned.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        drop(kept);
        self.kick.notify_one();
    }

    /// Whether the cut was asked for ([`end`](Self::end)).
    pub(crate) fn planned(&self) -> bool {
        self.planned.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Resolves once the connection is cut (by its one waiter).
    pub(crate) async fn notified(&self) {
        self.kick.notified().await
    }

    pub(crate) fn reason(&self) -> Option<Msg> {
        self.reason.locked().clone()
    }
}

/// What one fan-out did.
#[derive(Debug, Default)]
pub(crate) struct FanOut {
    /// Clients the message was queued for.
    pub(crate) delivered: usize,
    /// `--slow drop|disconnect`: clients whose queue was full; the policy
    /// says whether they were skipped or are to be disconnected.
    pub(crate) full: Vec<Full>,
}

/// A client whose queue was full in a fan-out.
#[derive(Debug)]
pub(crate) struct Full {
    pub(crate) conn: u64,
    /// Bytes waiting in its queue.
    pub(crate) queued: usize,
    /// Set when the policy is disconnect: the hub has removed the client,
    /// and [`FanOut::disconnect`] closes it.
    cut: Option<Arc<Cut>>,
}

impl FanOut {
    /// Closes the clients the disconnect policy removed. Separate from the
    /// fan-out so the caller can report why before they report closing.
    pub(crate) fn disconnect(&self) {
        for full in &self.full {
            if let Some(cut) = &full.cut {
                cut.cut(crate::msg!("reason-fell-behind", waiting = crate::i18n::Arg::bytes(full.queued)));
            }
        }
    }
}

#[derive(Debug)]
pub(crate) struct Hub {
    state: Mutex<State>,
    /// Wakes the stdin reader when a client connects.
    joined: Condvar,
    joined_async: Notify,
    /// One fan-out at a time, waits included: every client sees chunks in
    /// the same order.
    turn: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct State {
    members: HashMap<u64, Member>,
    /// Members get an outbox here: relays (broadcast) or stdin may come.
    feeds: bool,
}

impl Hub {
    /// `feeds`: whether anything will be sent through the hub (broadcast,
    /// or a server that reads stdin).
    pub(crate) fn new(feeds: bool) -> Hub {
        Hub {
            state: Mutex::new(State { members: HashMap::new(), feeds }),
            joined: Condvar::new(),
            joined_async: Notify::new(),
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Adds a client; returns how many there are now.
    #[cfg(test)]
    pub(crate) fn join(&self, conn: u64, outbox: &Outbox, cut: Arc<Cut>, release: Arc<Notify>) -> usize {
        self.join_then(conn, outbox, cut, release, |clients| clients)
    }

    /// Adds a client and calls `then` with how many there are now, under
    /// the hub's lock: what `then` stamps (the line that shows the count)
    /// takes its place in the same order as the counts, so the lines count
    /// up in the order they are shown. `then` must not wait.
    pub(crate) fn join_then<T>(
        &self,
        conn: u64,
        outbox: &Outbox,
        cut: Arc<Cut>,
        release: Arc<Notify>,
        then: impl FnOnce(usize) -> T,
    ) -> T {
        let mut state = self.lock();
        let outbox = state.feeds.then(|| outbox.clone());
        state.members.insert(conn, Member { outbox, cut, fed: false, release });
        let told = then(state.members.len());
        drop(state);
        self.joined.notify_all();
        self.joined_async.notify_waiters();
        told
    }

    /// Removes a client (if the hub has not already: a slow one); returns
    /// how many are left.
    pub(crate) fn leave(&self, conn: u64) -> usize {
        self.leave_then(conn, |clients| clients)
    }

    /// [`Hub::leave`], calling `then` with how many are left under the
    /// hub's lock (see [`Hub::join_then`]): the lines count down in the
    /// order they are shown.
    pub(crate) fn leave_then<T>(&self, conn: u64, then: impl FnOnce(usize) -> T) -> T {
        let mut state = self.lock();
        state.members.remove(&conn);
        then(state.members.len())
    }

    /// The server's stdin has ended (not in broadcast): nothing more comes
    /// through the hub. Each member's queue is let go; a member that got
    /// bytes of it is also told to release the queue its reader holds,
    /// when `half_close` says such an input ends with a FIN (an empty input
    /// is no reason to half-close: the peer may still be sending).
    pub(crate) fn stdin_ended(&self, half_close: crate::config::tcp::HalfClose) {
        let mut state = self.lock();
        state.feeds = false;
        for member in state.members.values_mut() {
            member.outbox = None;
            if half_close.after(u64::from(member.fed)) {
                member.release.notify_one();
            }
        }
    }

    /// True while the hub may still send its members something.
    pub(crate) fn feeds(&self) -> bool {
        self.lock().feeds
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().members.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Blocks the calling thread (stdin's) until a client is connected.
    pub(crate) fn wait_for_a_client(&self) {
        let mut state = self.lock();
        while state.members.is_empty() {
            state = self.joined.waited(state);
        }
    }

    /// Waits until a client is connected.
    pub(crate) async fn a_client(&self) {
        loop {
            let joined = self.joined_async.notified();
            if !self.is_empty() {
                return;
            }
            joined.await;
        }
    }

    /// Queues `bytes` for every member but `except`. With
    /// [`SlowPolicy::Wait`] it waits for room in each; with the other
    /// policies it never waits, and applies the policy to those whose queue
    /// is full (call [`FanOut::disconnect`] afterwards).
    pub(crate) async fn fan_out(&self, bytes: &Bytes, except: Option<u64>, policy: SlowPolicy) -> FanOut {
        let _turn = self.turn.lock().await;
        let mut result = FanOut::default();
        if policy != SlowPolicy::Wait {
            self.fan_out_now(bytes, except, policy, &mut result);
            return result;
        }
        // Everyone with room takes it now, under the lock, without a copy
        // of the list; only those whose queue is full are waited for,
        // after, in turn.
        let mut full = Vec::new();
        {
            let mut state = self.lock();
            for (conn, member) in state.members.iter_mut() {
                let Some(outbox) = member.outbox.as_ref().filter(|_| Some(*conn) != except) else {
                    continue;
                };
                member.fed |= !bytes.is_empty();
                match outbox.try_send(bytes.clone()) {
                    Ok(()) => result.delivered += 1,
                    Err(Refused::Full) => full.push(outbox.clone()),
                    Err(Refused::Closed) => {}
                }
            }
        }
        for outbox in full {
            // A client cut while we waited refuses as closed.
            if outbox.send(bytes.clone()).await.is_ok() {
                result.delivered += 1;
            }
        }
        result
    }

    fn fan_out_now(&self, bytes: &Bytes, except: Option<u64>, policy: SlowPolicy, result: &mut FanOut) {
        let mut state = self.lock();
        state.members.retain(|&conn, member| {
            let Some(outbox) = member.outbox.as_ref().filter(|_| Some(conn) != except) else {
                return true;
            };
            match outbox.try_send(bytes.clone()) {
                Ok(()) => {
                    result.delivered += 1;
                    member.fed |= !bytes.is_empty();
                }
                Err(Refused::Closed) => {}
                Err(Refused::Full) => {
                    let disconnect = policy == SlowPolicy::Disconnect;
                    let cut = disconnect.then(|| member.cut.clone());
                    result.full.push(Full { conn, queued: outbox.queued(), cut });
                    // A removed client gets nothing more: no stream with holes.
                    return !disconnect;
                }
            }
            true
        });
    }

    /// Tells every member to close (the server is stopping).
    pub(crate) fn cut_all(&self, reason: Msg) {
        for member in self.lock().members.values() {
            member.cut.cut(reason.clone());
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.locked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::outbox;

    fn member(limit: usize) -> (Outbox, outbox::Inbox) {
        outbox::channel(limit)
    }

    #[tokio::test]
    async fn fan_out_skips_the_sender_and_applies_the_policy() {
        let hub = Hub::new(true);
        let (a, _ia) = member(1 << 16);
        let (b, _ib) = member(1 << 16);
        let (slow, _is) = member(3);
        hub.join(1, &a, Arc::default(), Arc::default());
        hub.join(2, &b, Arc::default(), Arc::default());
        assert_eq!(hub.join(3, &slow, Arc::default(), Arc::default()), 3);
        let msg = Bytes::from_static(b"hello");
        // The first message fits anywhere (a lone message always passes).
        let first = hub.fan_out(&msg, Some(1), SlowPolicy::Drop).await;
        assert_eq!(first.delivered, 2);
        let second = hub.fan_out(&msg, Some(1), SlowPolicy::Drop).await;
        let full: Vec<(u64, usize)> = second.full.iter().map(|f| (f.conn, f.queued)).collect();
        assert_eq!((second.delivered, full), (1, vec![(3, 3)]));
        assert_eq!(hub.len(), 3);
        let third = hub.fan_out(&msg, Some(1), SlowPolicy::Disconnect).await;
        assert_eq!((third.full[0].conn, third.full[0].cut.is_some()), (3, true));
        assert_eq!(hub.len(), 2);
        assert_eq!(hub.leave(3), 2);
        assert_eq!(hub.leave(2), 1);
    }

    #[tokio::test]
    async fn by_default_a_fan_out_waits_for_room_and_loses_nothing() {
        let hub = Arc::new(Hub::new(true));
        let (fast, mut fast_in) = member(1 << 16);
        let (slow, mut slow_in) = member(outbox::PER_MESSAGE + 8);
        hub.join(1, &fast, Arc::default(), Arc::default());
        hub.join(2, &slow, Arc::default(), Arc::default());
        let sender = tokio::spawn({
            let hub = hub.clone();
            async move {
                for i in 0..20u8 {
                    let out = hub.fan_out(&Bytes::from(vec![i; 8]), None, SlowPolicy::Wait).await;
                    assert_eq!(out.delivered, 2);
                }
            }
        });
        // The slow reader takes one message at a time; every one arrives.
        for i in 0..20u8 {
            let got = slow_in.recv().await.unwrap();
            assert_eq!(got[..], [i; 8]);
            slow_in.written(got.len());
            assert_eq!(fast_in.recv().await.unwrap()[..], [i; 8]);
        }
        sender.await.unwrap();
    }

    #[test]
    fn a_hub_that_stops_feeding_lets_queues_go() {
        let hub = Hub::new(true);
        let (a, _ia) = member(16);
        hub.join(1, &a, Arc::default(), Arc::default());
        assert!(hub.lock().members[&1].outbox.is_some());
        hub.stdin_ended(crate::config::tcp::HalfClose::Always);
        assert!(hub.lock().members[&1].outbox.is_none());
        let (b, _ib) = member(16);
        hub.join(2, &b, Arc::default(), Arc::default());
        assert!(hub.lock().members[&2].outbox.is_none());
    }
}
