//! `--raw`: received payload bytes go to stdout unchanged, so netplay sits in
//! a pipe like nc; everything else goes to a human reporter on stderr.

use std::io::{self, Write};

use super::human::Human;
use super::{Background, Reporter};
use crate::event::{Dir, Event};
use crate::model::clock::Stamp;

pub(crate) struct Raw {
    /// Given up once the run is stopping and stdout takes nothing (see
    /// [`super::to_terminal`]): what it could not write is counted.
    payload: Background,
    /// Payload bytes not written to stdout, said already.
    told: u64,
    /// Payload passed over as the run stopped: it never reached stdout.
    skipped: u64,
    /// Payload of the current batch, written in one call at its end.
    pending: Vec<u8>,
    reports: Human,
    /// With -q, stderr gets errors only, as nc prints nothing else.
    quiet: bool,
    shown: Shown,
}

/// What stderr shows of the payload, besides the steps.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shown {
    /// `--decode`: each received chunk's values go to stderr, -q or not
    /// (they were asked for by name).
    pub(crate) decode: bool,
    /// `netplay nc -v`: each chunk and datagram, either way, as a hex dump.
    pub(crate) dumps: bool,
}

impl Raw {
    pub(crate) fn new(payload: Background, reports: Human, quiet: bool, shown: Shown) -> Raw {
        Raw { payload, told: 0, skipped: 0, pending: Vec::new(), reports, quiet, shown }
    }

    /// Says on stderr how much of the payload received did not reach
    /// stdout, once it was given up on.
    fn tell_unwritten(&mut self, at: Stamp) -> io::Result<()> {
        use crate::i18n::Arg;
        let (least, most) = self.payload.unwritten();
        let (least, most) = (least + self.skipped, most + self.skipped);
        if !(self.payload.gave_up() || self.skipped > 0) || most <= self.told {
            return Ok(());
        }
        self.told = most;
        // Given up: stdout took nothing for a while. Otherwise it was still
        // taking bytes, only behind: the payload was passed over so that the
        // stop ends within its bound (a slow reader, a loaded machine).
        // (Not given up, everything handed to it was written: only what was
        // passed over is missing, and its count is exact.)
        let message = match (self.payload.gave_up(), least == most) {
            (true, true) => crate::msg!("error-payload-unwritten", bytes = Arg::bytes(most)),
            (true, false) => crate::msg!(
                "error-payload-unwritten-about",
                least = Arg::bytes(least),
                most = Arg::bytes(most)
            ),
            (false, _) => crate::msg!("error-payload-passed-over", bytes = Arg::bytes(most)),
        };
        self.reports.event(at, &Event::Error { conn: None, message })
    }
}

/// Payload gathered before it is written anyway.
const GATHER: usize = 256 * 1024;

impl Raw {
    fn payload(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= GATHER { self.batch_done() } else { Ok(()) }
    }
}

impl Reporter for Raw {
    fn skipped(&mut self, event: &Event) {
        match event {
            // Payload: it never reaches stdout, and is counted as such.
            Event::Data { dir: Dir::In, bytes, .. }
            | Event::Relay { conn: Some(_), bytes, .. }
            | Event::Datagram { dir: Dir::In, bytes, .. } => self.skipped += bytes.0.len() as u64,
            Event::Packet(_) => self.reports.skipped(event),
            _ => {}
        }
    }

    fn event(&mut self, at: Stamp, event: &Event) -> io::Result<()> {
        if let Event::Eof { .. } | Event::Closed { .. } = event {
            // A connection's end is said once its bytes are on stdout: a
            // reader who sees `closed` (and stops us) has them all.
            self.batch_done()?;
            self.payload.flush()?;
        }
        match event {
            Event::Data { dir: Dir::In, bytes, .. } | Event::Relay { conn: Some(_), bytes, .. } => {
                // Broadcast: what clients send is reported as relays.
                self.payload(&bytes.0)?;
                if self.shown.decode || self.shown.dumps { self.reports.event(at, event) } else { Ok(()) }
            }
            Event::Relay { conn: None, .. } => Ok(()),
            Event::Data { dir: Dir::Out, .. } | Event::Datagram { dir: Dir::Out, .. } => {
                if self.shown.dumps {
                    self.reports.event(at, event)
                } else {
                    Ok(())
                }
            }
            Event::Datagram { dir: Dir::In, bytes, .. } => {
                self.payload(&bytes.0)?;
                // The human reporter still says when a datagram was cut.
                if self.quiet { Ok(()) } else { self.reports.event(at, event) }
            }
            // Errors, and packets when asked for (--packets), even with -q.
            Event::Error { .. } | Event::Packet(_) => self.reports.event(at, event),
            _ if self.quiet => Ok(()),
            other => self.reports.event(at, other),
        }
    }

    fn batch_done(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            // The buffer goes to the writing thread, and an empty one comes
            // back in its place.
            self.payload.send(&mut self.pending)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.batch_done()?;
        self.payload.flush()?;
        self.tell_unwritten(crate::model::clock::now())?;
        self.reports.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hexdump::{Layout, Renderer};
    use crate::i18n::Lang;
    use crate::report::SharedBuf;
    use crate::report::human::Style;

    /// A raw reporter whose payload goes to `stdout` and reports to `stderr`.
    fn raw(stdout: &SharedBuf, stderr: &SharedBuf) -> Raw {
        let style = Style {
            color: false,
            explain: false,
            quiet: false,
            dumps: false,
            layout: Layout::default(),
            renderer: Renderer::best(),
            recv_size: 1024,
            decode: None,
            width: None,
            lang: Lang::En,
            front: crate::model::front::Front::Native,
        };
        let payload = Background::new(stdout.clone(), super::super::Afterwards::Discard).unwrap();
        Raw::new(payload, Human::new(Box::new(stderr.clone()), style), false, Shown::default())
    }

    fn data(bytes: &'static [u8]) -> Event {
        Event::data(1, Dir::In, 1, bytes, 0, std::time::Duration::ZERO)
    }

    /// Payload passed over by a stop while stdout still took every byte
    /// it was given: the count is said, and not as a stdout that "took
    /// nothing" (it was behind, not stuck). Before, a slow reader under
    /// load read "stdout took nothing when the run stopped" of a pipe it
    /// was reading (relay_faults::a_signal_cuts_the_receiving_direction_at_once).
    #[test]
    fn payload_passed_over_is_not_said_to_be_refused_by_stdout() {
        let (stdout, stderr) = (SharedBuf::default(), SharedBuf::default());
        let mut raw = raw(&stdout, &stderr);
        raw.event(Stamp::ZERO, &data(b"written")).unwrap();
        raw.skipped(&data(b"passed over"));
        raw.flush().unwrap();
        assert_eq!(stdout.contents(), b"written");
        let said = String::from_utf8(stderr.contents()).unwrap();
        assert!(
            said.contains("stdout was behind when the run stopped: 11 B received were passed over"),
            "{said}"
        );
        assert!(!said.contains("took nothing"), "{said}");
    }

    /// Nothing passed over, stdout took all: nothing is said.
    #[test]
    fn a_whole_payload_is_not_mentioned() {
        let (stdout, stderr) = (SharedBuf::default(), SharedBuf::default());
        let mut raw = raw(&stdout, &stderr);
        raw.event(Stamp::ZERO, &data(b"written")).unwrap();
        raw.flush().unwrap();
        assert_eq!(stdout.contents(), b"written");
        assert_eq!(stderr.contents(), b"");
    }
}
