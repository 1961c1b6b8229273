//! `--json`: one JSON object per line per event, as docs/json-events.md
//! describes. The objects come straight from the events' serde shape; with
//! `--decode`, data events also carry their decoded values.

use std::io::{self, Write};

use serde_json::Value as JsonValue;

use super::Reporter;
use super::background::Stopper;
use crate::decode::{Format, Value};
use crate::event::Event;
use crate::model::clock::Stamp;

pub(crate) struct Json {
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
    decode: Option<Format>,
    /// Fields put first in every object (`"part":"tcp_exchange","end":"server",`),
    /// so the demo's events say which part and which end they come from.
    fields: Vec<u8>,
    /// Events passed over as the run stopped, not said yet.
    skipped: u64,
    /// Tells when the output was given up (stdout, once the run stops and
    /// it takes nothing): the flood that comes after is passed over.
    given_up: Option<Stopper>,
}

impl Json {
    pub(crate) fn new(out: Box<dyn Write + Send>) -> Json {
        Json { out, buf: Vec::new(), decode: None, fields: Vec::new(), skipped: 0, given_up: None }
    }

    /// `out` is a [`super::Background`] that `stopper` tells to give up:
    /// once it did, data, datagrams and packets are passed over and counted,
    /// as the report for people does (see there why).
    pub(crate) fn giving_up_with(mut self, stopper: Stopper) -> Json {
        self.given_up = Some(stopper);
        self
    }

    /// Adds `decoded` and `values` (or `decode_error`) to the events that
    /// carry bytes: data, datagram and relay.
    pub(crate) fn decoding(mut self, format: Option<Format>) -> Json {
        self.decode = format;
        self
    }

    /// Every object this reporter writes starts with these string fields.
    pub(crate) fn with_fields(mut self, fields: &[(&str, &str)]) -> Json {
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

impl Json {
    /// A notice of how many events were passed over as the run stopped.
    fn tell_skipped(&mut self, at: Stamp) -> io::Result<()> {
        if self.skipped == 0 {
            return Ok(());
        }
        let n = crate::i18n::Arg::count(std::mem::take(&mut self.skipped));
        let message = crate::msg!("notice-not-shown", n = n);
        self.event(at, &Event::Notice { conn: None, message })
    }
}

impl Reporter for Json {
    fn skipped(&mut self, _event: &Event) {
        self.skipped += 1;
    }

    /// Everything written reaches the output (stdout is written by a
    /// thread of its own: see [`super::to_terminal`]).
    fn flush(&mut self) -> io::Result<()> {
        self.tell_skipped(crate::model::clock::now())?;
        self.out.flush()
    }

    fn event(&mut self, at: Stamp, event: &Event) -> io::Result<()> {
        if event.is_bulk() && self.given_up.as_ref().is_some_and(Stopper::gave_up) {
            self.skipped += 1;
            return Ok(());
        }
        // Said once, before the totals: how many were passed over.
        if matches!(event, Event::Done { .. } | Event::Summary { .. }) {
            self.tell_skipped(at)?;
        }
        self.buf.clear();
        // Only the demo's few, short events carry fields.
        if !self.fields.is_empty() {
            self.buf.push(b'{');
            self.buf.extend_from_slice(&self.fields);
        }
        let start = self.buf.len();
        serde_json::to_writer(&mut self.buf, event).map_err(io::Error::other)?;
        // The object's closing brace makes way for the fields every event
        // ends with: its time, then what --decode found.
        if self.buf.pop() != Some(b'}') {
            return Err(io::Error::other("an event that is not a JSON object"));
        }
        if self.buf.last() != Some(&b'{') {
            self.buf.push(b',');
        }
        self.buf.extend_from_slice(b"\"time_us\":");
        self.buf.extend_from_slice(at.0.as_micros().to_string().as_bytes());
        if let (
            Event::Data { bytes, .. } | Event::Datagram { bytes, .. } | Event::Relay { bytes, .. },
            Some(format),
        ) = (event, &self.decode)
        {
            add_decoded(&mut self.buf, format, &bytes.0).map_err(io::Error::other)?;
        }
        self.buf.push(b'}');
        self.buf.push(b'\n');
        if self.fields.is_empty() {
            return self.out.write_all(&self.buf);
        }
        // The event's own object goes on after the fields, without its
        // opening brace; one write, so lines of several ends never mix.
        self.buf.remove(start);
        self.out.write_all(&self.buf)
    }
}

/// `decoded`: the tuple as Python prints it; `values`: the same values as
/// JSON (bytes as hex, a float that is not finite as "nan", "inf" or
/// "-inf"); or `decode_error` when the bytes are too few.
fn add_decoded(buf: &mut Vec<u8>, format: &Format, bytes: &[u8]) -> serde_json::Result<()> {
    match format.unpack_from(bytes) {
        Ok(values) => {
            buf.extend_from_slice(b",\"decoded\":");
            serde_json::to_writer(&mut *buf, &values.to_string())?;
            buf.extend_from_slice(b",\"values\":");
            let values: Vec<JsonValue> = values.0.iter().map(json_value).collect();
            serde_json::to_writer(&mut *buf, &values)
        }
        Err(error) => {
            buf.extend_from_slice(b",\"decode_error\":");
            serde_json::to_writer(&mut *buf, &error.to_string())
        }
    }
}

fn json_value(value: &Value) -> JsonValue {
    match value {
        Value::Int(n) => (*n).into(),
        Value::UInt(n) => (*n).into(),
        Value::Bool(b) => (*b).into(),
        Value::Float(x) if x.is_finite() => (*x).into(),
        Value::Float(x) => Value::Float(*x).to_string().into(),
        Value::Bytes(bytes) => bytes.iter().map(|b| format!("{b:02x}")).collect::<String>().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Dir;
    use crate::report::SharedBuf;
    use std::time::Duration;

    fn data_line(format: Option<&str>, bytes: &[u8]) -> serde_json::Value {
        let buf = SharedBuf::default();
        let mut json = Json::new(Box::new(buf.clone())).decoding(format.map(|f| f.parse().unwrap()));
        json.event(Stamp::ZERO, &Event::data(1, Dir::In, 1, bytes.to_vec(), 0, Duration::ZERO)).unwrap();
        serde_json::from_slice(&buf.contents()).unwrap()
    }

    #[test]
    fn data_events_carry_decoded_values() {
        let line = data_line(Some(">h"), &[1, 2, 3]);
        assert_eq!(line["decoded"], "(258,)");
        assert_eq!(line["values"], serde_json::json!([258]));
        assert_eq!(line["hex"], "010203");
        assert_eq!(line["len"], 3);
    }

    #[test]
    fn every_kind_of_value_is_json() {
        let mut bytes = vec![0xff, 1, b'a', b'b'];
        bytes.extend(f64::NAN.to_be_bytes());
        bytes.extend(2.5f64.to_be_bytes());
        let line = data_line(Some(">b?2sdd"), &bytes);
        assert_eq!(line["values"], serde_json::json!([-1, true, "6162", "nan", 2.5]));
    }

    #[test]
    fn too_few_bytes_is_a_decode_error() {
        let line = data_line(Some(">i"), &[1]);
        assert_eq!(line["decode_error"], "format '>i' needs 4 bytes, got 1");
        assert!(line.get("decoded").is_none());
    }

    #[test]
    fn the_event_name_stays_first() {
        let buf = SharedBuf::default();
        let mut json = Json::new(Box::new(buf.clone())).decoding(Some(">h".parse().unwrap()));
        json.event(Stamp::ZERO, &Event::data(1, Dir::In, 1, vec![1, 2], 0, Duration::ZERO)).unwrap();
        let line = String::from_utf8(buf.contents()).unwrap();
        assert!(line.starts_with("{\"event\":\"data\","), "{line}");
        assert!(line.ends_with(",\"decoded\":\"(258,)\",\"values\":[258]}\n"), "{line}");
    }

    #[test]
    fn without_decode_nothing_is_added() {
        let line = data_line(None, &[1, 2]);
        assert!(line.get("decoded").is_none() && line.get("decode_error").is_none());
    }

    #[test]
    fn fields_come_first() {
        let buf = SharedBuf::default();
        let mut json = Json::new(Box::new(buf.clone())).with_fields(&[("part", "tcp"), ("end", "server")]);
        json.event(Stamp(Duration::from_micros(7)), &Event::Eof { conn: 1 }).unwrap();
        let mut plain = Json::new(Box::new(buf.clone()));
        plain.event(Stamp(Duration::from_micros(8)), &Event::Eof { conn: 2 }).unwrap();
        assert_eq!(
            String::from_utf8(buf.contents()).unwrap(),
            "{\"part\":\"tcp\",\"end\":\"server\",\"event\":\"eof\",\"conn\":1,\"time_us\":7}\n{\"event\":\"eof\",\"conn\":2,\"time_us\":8}\n"
        );
    }
}
