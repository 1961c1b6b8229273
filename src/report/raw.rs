//! `--raw`: received payload bytes go to stdout unchanged, so netplay sits in
//! a pipe like nc; everything else goes to a human reporter on stderr.

use std::io::{self, Write};

use super::Reporter;
use super::human::Human;
use crate::event::{Dir, Event};

pub struct Raw {
    payload: Box<dyn Write + Send>,
    reports: Human,
}

impl Raw {
    pub fn new(payload: Box<dyn Write + Send>, reports: Human) -> Raw {
        Raw { payload, reports }
    }
}

impl Reporter for Raw {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        match event {
            Event::Data { dir: Dir::In, bytes, .. } => self.payload.write_all(bytes.0),
            Event::Data { dir: Dir::Out, .. } => Ok(()),
            Event::Datagram { dir: Dir::In, bytes, .. } => {
                self.payload.write_all(bytes.0)?;
                // The human reporter still says when a datagram was cut.
                self.reports.event(event)
            }
            Event::Datagram { dir: Dir::Out, .. } => Ok(()),
            other => self.reports.event(other),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.payload.flush()?;
        self.reports.flush()
    }
}
