//! `--raw`: received payload bytes go to stdout unchanged, so netplay sits in
//! a pipe like nc; everything else goes to a human reporter on stderr.

use std::io::{self, Write};

use super::Reporter;
use super::human::Human;
use crate::clock::Stamp;
use crate::event::{Dir, Event};

pub struct Raw {
    payload: Box<dyn Write + Send>,
    /// Payload of the current batch, written in one call at its end.
    pending: Vec<u8>,
    reports: Human,
    /// With -q, stderr gets errors only, as nc prints nothing else.
    quiet: bool,
    /// `--decode`: each received chunk's values go to stderr, -q or not
    /// (they were asked for by name).
    decode: bool,
}

impl Raw {
    pub fn new(payload: Box<dyn Write + Send>, reports: Human, quiet: bool, decode: bool) -> Raw {
        Raw { payload, pending: Vec::new(), reports, quiet, decode }
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
    fn event(&mut self, at: Stamp, event: &Event) -> io::Result<()> {
        match event {
            Event::Data { dir: Dir::In, bytes, .. } | Event::Relay { conn: Some(_), bytes, .. } => {
                // Broadcast: what clients send is reported as relays.
                self.payload(&bytes.0)?;
                if self.decode { self.reports.event(at, event) } else { Ok(()) }
            }
            Event::Relay { conn: None, .. } => Ok(()),
            Event::Data { dir: Dir::Out, .. } => Ok(()),
            Event::Datagram { dir: Dir::In, bytes, .. } => {
                self.payload(&bytes.0)?;
                // The human reporter still says when a datagram was cut.
                if self.quiet { Ok(()) } else { self.reports.event(at, event) }
            }
            Event::Datagram { dir: Dir::Out, .. } => Ok(()),
            // Errors, and packets when asked for (--packets), even with -q.
            Event::Error { .. } | Event::Packet(_) => self.reports.event(at, event),
            _ if self.quiet => Ok(()),
            other => self.reports.event(at, other),
        }
    }

    fn batch_done(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let written = self.payload.write_all(&self.pending);
            self.pending.clear();
            written?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.batch_done()?;
        self.payload.flush()?;
        self.reports.flush()
    }
}
