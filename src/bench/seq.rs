//! Sequence accounting for `udp bench`: from the sequence numbers that
//! arrive, how many datagrams came, came late (reordered), came twice
//! (duplicated), or never came (lost).
//!
//! A bit per sequence number, over a window behind the highest one seen,
//! tells a duplicate from a late first copy. Memory stays fixed however
//! long the run; a datagram older than the whole window is counted as
//! received and reordered, since it can no longer be told from a copy.

use crate::event::bench::SeqCounts;

/// Sequence numbers remembered behind the highest one seen (128 KiB).
const WINDOW: u64 = 1 << 20;

#[derive(Debug, Clone)]
pub(crate) struct SeqCounter {
    /// Bit `s % WINDOW`: sequence number `s` arrived (for `s` within the
    /// window behind `next`).
    seen: Vec<u64>,
    /// The highest sequence number seen, plus one; 0 before any.
    next: u64,
    received: u64,
    reordered: u64,
    duplicated: u64,
}

impl Default for SeqCounter {
    fn default() -> SeqCounter {
        SeqCounter {
            seen: vec![0; (WINDOW / 64) as usize],
            next: 0,
            received: 0,
            reordered: 0,
            duplicated: 0,
        }
    }
}

impl SeqCounter {
    /// Counts the arrival of sequence number `seq`.
    pub(crate) fn record(&mut self, seq: u64) {
        if seq >= self.next {
            // Numbers skipped on the way are missing so far: clear their
            // bits, left over from a lap of the window before.
            let skipped = (seq - self.next).min(WINDOW);
            for s in seq - skipped..seq {
                self.set(s, false);
            }
            self.set(seq, true);
            self.next = seq + 1;
            self.received += 1;
        } else if self.next - seq > WINDOW {
            self.received += 1;
            self.reordered += 1;
        } else if self.get(seq) {
            self.duplicated += 1;
        } else {
            self.set(seq, true);
            self.received += 1;
            self.reordered += 1;
        }
    }

    /// The counts, given how many the sender sent; without it, lost ones
    /// are counted up to the highest number seen.
    pub(crate) fn counts(&self, sent: Option<u64>) -> SeqCounts {
        let expected = sent.unwrap_or(self.next);
        SeqCounts {
            received: self.received,
            lost: expected.saturating_sub(self.received),
            reordered: self.reordered,
            duplicated: self.duplicated,
        }
    }

    fn get(&self, seq: u64) -> bool {
        let bit = seq % WINDOW;
        self.seen[(bit / 64) as usize] & (1 << (bit % 64)) != 0
    }

    fn set(&mut self, seq: u64, on: bool) {
        let bit = seq % WINDOW;
        let word = &mut self.seen[(bit / 64) as usize];
        if on {
            *word |= 1 << (bit % 64);
        } else {
            *word &= !(1 << (bit % 64));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(seqs: &[u64], sent: Option<u64>) -> SeqCounts {
        let mut counter = SeqCounter::default();
        seqs.iter().for_each(|&s| counter.record(s));
        counter.counts(sent)
    }

    fn counts(received: u64, lost: u64, reordered: u64, duplicated: u64) -> SeqCounts {
        SeqCounts { received, lost, reordered, duplicated }
    }

    #[test]
    fn in_order_and_complete() {
        assert_eq!(count(&[0, 1, 2, 3], Some(4)), counts(4, 0, 0, 0));
        assert_eq!(count(&[], Some(0)), counts(0, 0, 0, 0));
        assert_eq!(count(&[], Some(3)), counts(0, 3, 0, 0));
    }

    #[test]
    fn loss_reordering_and_duplicates() {
        // 4 and 6 never come; 2 comes after 3; 2 comes twice.
        assert_eq!(count(&[0, 1, 3, 2, 2, 5], Some(7)), counts(5, 2, 1, 1));
        // Without the sender's count, loss is counted up to the highest seen.
        assert_eq!(count(&[0, 1, 3, 2, 2, 5], None), counts(5, 1, 1, 1));
        // A duplicate of an in-order datagram is not a reordering.
        assert_eq!(count(&[0, 0, 1, 1, 2], Some(3)), counts(3, 0, 0, 2));
        // The tail lost.
        assert_eq!(count(&[0, 1], Some(5)), counts(2, 3, 0, 0));
    }

    #[test]
    fn the_window_forgets_old_numbers_but_not_new_gaps() {
        let mut counter = SeqCounter::default();
        for s in 0..WINDOW + 10 {
            if s != 5 && s != WINDOW + 3 {
                counter.record(s);
            }
        }
        // WINDOW + 3 was skipped: its bit, set on the lap before by 3, was
        // cleared, so its late arrival is a reordering, not a duplicate.
        counter.record(WINDOW + 3);
        // 5 is older than the window: received and reordered.
        counter.record(5);
        // A copy of a recent one is a duplicate.
        counter.record(WINDOW + 9);
        assert_eq!(counter.counts(Some(WINDOW + 10)), counts(WINDOW + 10, 0, 2, 1));
    }

    #[test]
    fn a_big_jump_clears_the_whole_window() {
        let mut counter = SeqCounter::default();
        counter.record(0);
        counter.record(3 * WINDOW);
        counter.record(2 * WINDOW + 1);
        // 2 * WINDOW + 1 is within the window and was never seen.
        assert_eq!(counter.counts(None), counts(3, 3 * WINDOW + 1 - 3, 1, 0));
    }
}
