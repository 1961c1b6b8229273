//! `--json`: one JSON object per line per event, as docs/json-events.md
//! describes. The objects come straight from the events' serde shape.

use std::io::{self, Write};

use super::Reporter;
use crate::event::Event;

pub struct Json {
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
    /// Fields put first in every object (`"part":"tcp_exchange","end":"server",`),
    /// so the demo's events say which part and which end they come from.
    fields: Vec<u8>,
}

impl Json {
    pub fn new(out: Box<dyn Write + Send>) -> Json {
        Json { out, buf: Vec::new(), fields: Vec::new() }
    }

    /// Every object this reporter writes starts with these string fields.
    pub fn with_fields(mut self, fields: &[(&str, &str)]) -> Json {
        for (name, value) in fields {
            // Names and values are serialised as JSON strings, escapes and all.
            let _ = serde_json::to_writer(&mut self.fields, name);
            self.fields.push(b':');
            let _ = serde_json::to_writer(&mut self.fields, value);
            self.fields.push(b',');
        }
        self
    }
}

impl Reporter for Json {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        self.buf.clear();
        // Only the demo's few, short events carry fields.
        if !self.fields.is_empty() {
            self.buf.push(b'{');
            self.buf.extend_from_slice(&self.fields);
        }
        let at = self.buf.len();
        serde_json::to_writer(&mut self.buf, event).map_err(io::Error::other)?;
        self.buf.push(b'\n');
        if self.fields.is_empty() {
            return self.out.write_all(&self.buf);
        }
        // The event's own object goes on after the fields, without its
        // opening brace; one write, so lines of several ends never mix.
        self.buf.remove(at);
        self.out.write_all(&self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SharedBuf;

    #[test]
    fn fields_come_first() {
        let buf = SharedBuf::default();
        let mut json = Json::new(Box::new(buf.clone())).with_fields(&[("part", "tcp"), ("end", "server")]);
        json.event(&Event::Eof { conn: 1 }).unwrap();
        let mut plain = Json::new(Box::new(buf.clone()));
        plain.event(&Event::Eof { conn: 2 }).unwrap();
        assert_eq!(
            String::from_utf8(buf.contents()).unwrap(),
            "{\"part\":\"tcp\",\"end\":\"server\",\"event\":\"eof\",\"conn\":1}\n{\"event\":\"eof\",\"conn\":2}\n"
        );
    }
}
