//! How one direction's bytes went on the direct path: how many, how many
//! the kernel moved end to end, and by which way, for the notes that say so.

use crate::event::Dir;
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::tcp::plan::FileWay;

/// How one direction's bytes went, for the note that says so.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    /// Bytes that went through the socket.
    pub(crate) total: u64,
    /// Of those, the bytes the kernel moved end to end (sendfile, splice).
    pub(crate) kernel: u64,
    /// The call that moved them: "sendfile(2)", "splice(2)".
    pub(super) call: &'static str,
    /// Where they went: "stdin (a pipe) → socket".
    pub(super) path: Msg,
    /// Of those, the bytes sent from a mapping of the file ([`crate::tcp::plan`]).
    pub(crate) mapped: u64,
    /// The way a regular file went, and whether NETPLAY_SEND forced it.
    pub(super) kept: Option<(FileWay, bool)>,
    /// The mapping was the rule's, without trials: the peer is on this
    /// machine ([`crate::tcp::plan`]).
    pub(super) local: bool,
    /// The input was a pipe of this size, read and sent.
    pub(super) pipe: Option<usize>,
}

impl Tally {
    pub(super) fn new(call: &'static str, path: Msg) -> Tally {
        Tally { total: 0, kernel: 0, call, path, mapped: 0, kept: None, local: false, pipe: None }
    }

    /// Counts `n` bytes through the socket; `kernel`: the kernel moved them
    /// end to end.
    pub(super) fn add(&mut self, n: usize, kernel: bool) {
        self.total += n as u64;
        if kernel {
            self.kernel += n as u64;
        }
    }

    /// How the bytes the kernel did not move end to end went, when that is
    /// worth a note: "900 MiB sent with send(2) from an mmap(2) of the
    /// file, ...", "1.00 GiB sent with read(2) and send(2), stdin (a pipe)
    /// ...". Nothing when they were copied from a file or a socket.
    pub(crate) fn way_note(&self) -> Option<Msg> {
        if let Some(size) = self.pipe.filter(|_| self.total > self.kernel) {
            let amount = Arg::bytes(self.total - self.kernel);
            return Some(msg!(
                "notice-direct-pipe-read",
                amount = amount,
                path = self.path.clone(),
                size = Arg::bytes(size as u64)
            ));
        }
        if self.mapped == 0 {
            return None;
        }
        let (amount, path) = (Arg::bytes(self.mapped), self.path.clone());
        Some(match self.kept {
            Some((_, true)) => msg!("notice-direct-mapped-forced", amount = amount, path = path),
            Some((FileWay::Mapped, false)) if self.local => {
                msg!("notice-direct-mapped-kept-local", amount = amount, path = path)
            }
            Some((FileWay::Mapped, false)) => msg!("notice-direct-mapped-kept", amount = amount, path = path),
            _ => msg!("notice-direct-mapped-trials", amount = amount, path = path),
        })
    }

    /// "16.0 MiB received with splice(2), socket → stdout (a pipe): ...",
    /// or nothing when the kernel moved nothing end to end.
    pub(crate) fn note(&self, dir: Dir) -> Option<Msg> {
        if self.kernel == 0 {
            return None;
        }
        let amount = if self.kernel == self.total {
            Arg::bytes(self.total)
        } else {
            msg!("direct-part", kernel = Arg::bytes(self.kernel), total = Arg::bytes(self.total)).into()
        };
        let (call, path) = (self.call, self.path.clone());
        Some(match dir {
            Dir::In => msg!("notice-direct-received", amount = amount, call = call, path = path),
            Dir::Out => msg!("notice-direct-sent", amount = amount, call = call, path = path),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(total: u64, kernel: u64) -> Tally {
        let path = msg!("direct-path-out", kind = msg!("direct-kind-pipe"));
        Tally { total, kernel, ..Tally::new("splice(2)", path) }
    }

    fn text(note: Option<Msg>) -> String {
        note.map(|note| note.to_string()).unwrap_or_default()
    }

    #[test]
    fn add_counts_every_byte_and_the_kernel_s_apart() {
        let mut counted = tally(0, 0);
        counted.add(1000, true);
        counted.add(24, false);
        counted.add(0, true);
        counted.add(3 << 20, true);
        assert_eq!((counted.total, counted.kernel), (1024 + (3 << 20), 1000 + (3 << 20)));
    }

    #[test]
    fn the_kernel_s_note_says_all_or_the_part_it_moved() {
        assert_eq!(tally(1 << 20, 0).note(Dir::In), None);
        let all = text(tally(16 << 20, 16 << 20).note(Dir::In));
        assert!(all.starts_with("16.0 MiB received with splice(2), socket → stdout (a pipe)"), "{all}");
        let part = text(tally(2 << 20, 1 << 20).note(Dir::Out));
        assert!(part.starts_with("1.00 MiB of the 2.00 MiB sent with splice(2)"), "{part}");
    }

    #[test]
    fn the_way_note_names_the_pipe_read_or_the_mapping_s_reason() {
        // Nothing copied through our memory from a file: no note.
        assert_eq!(tally(5 << 20, 5 << 20).way_note(), None);
        // A pipe read and sent: the bytes the kernel did not move.
        let piped = Tally { pipe: Some(1 << 20), ..tally(3 << 20, 1 << 20) };
        let note = text(piped.way_note());
        assert!(note.starts_with("2.00 MiB sent with read(2) and send(2)"), "{note}");
        assert!(note.contains("read up to 1.00 MiB a call"), "{note}");
        // A pipe the kernel spliced whole: nothing to say.
        assert_eq!(Tally { pipe: Some(1 << 20), ..tally(3 << 20, 3 << 20) }.way_note(), None);
        // A mapping: why it was kept, from the planner's choice.
        let mapped = |kept, local| Tally { mapped: 7 << 20, kept, local, ..tally(8 << 20, 1 << 20) };
        for (kept, local, says) in [
            (Some((FileWay::Mapped, true)), false, "(NETPLAY_SEND=mmap)"),
            (Some((FileWay::Mapped, false)), true, "the way for a peer on this machine"),
            (Some((FileWay::Mapped, false)), false, "faster here than sendfile"),
            (Some((FileWay::Sendfile, false)), false, "in the trials that chose the way"),
            (None, false, "in the trials that chose the way"),
        ] {
            let note = text(mapped(kept, local).way_note());
            assert!(note.starts_with("7.00 MiB sent with send(2) from an mmap(2)"), "{note}");
            assert!(note.contains(says), "{kept:?} {local}: {note}");
        }
    }
}
