//! `--json`: one JSON object per line per event, as docs/json-events.md
//! describes. The objects come straight from the events' serde shape.

use std::io::{self, Write};

use super::Reporter;
use crate::event::Event;

pub struct Json {
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
}

impl Json {
    pub fn new(out: Box<dyn Write + Send>) -> Json {
        Json { out, buf: Vec::new() }
    }
}

impl Reporter for Json {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, event).map_err(io::Error::other)?;
        self.buf.push(b'\n');
        self.out.write_all(&self.buf)
    }
}
