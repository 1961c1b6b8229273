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
    pub decode: bool,
    /// `netplay nc -v`: each chunk and datagram, either way, as a hex dump.
    pub dumps: bool,
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
        let message = match least == most {
            true => crate::msg!("error-payload-unwritten", bytes = Arg::bytes(most)),
            false => crate::msg!(
                "error-payload-unwritten-about",
                least = Arg::bytes(least),
                most = Arg::bytes(most)
            ),
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
