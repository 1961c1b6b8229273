//! The value parsers clap calls for each flag's text (a port, a duration, a
//! size, hex bytes, a struct format): each error names the range or the form
//! expected, in the catalogues' words.

use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;

use crate::decode::{Format, FormatError};
use crate::hexdump;
use crate::i18n::Msg;
use crate::input;
use crate::msg;
use crate::net::access::{self, Rule};
use crate::net::addr;
use crate::units;

/// A whole number from `low` to `high`; an error names the range (clap
/// names the flag and the value before it).
fn whole_in(text: &str, low: i64, high: i64) -> Result<i64, Msg> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(msg!("usage-not-whole", low = low, high = high));
    }
    match trimmed.parse::<i64>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err(msg!("usage-out-of-range", low = low, high = high)),
    }
}

/// --columns: 20 (what a line needs at least) to 65535.
pub(super) fn columns_arg(text: &str) -> Result<u16, Msg> {
    Ok(whole_in(text, 20, u16::MAX.into())? as u16)
}

/// --backlog: listen()'s int, not negative (the system caps it anyway).
pub(super) fn backlog_arg(text: &str) -> Result<i32, Msg> {
    Ok(whole_in(text, 0, i32::MAX.into())? as i32)
}

/// --max-conns: 1 client at least; more than the open files a process may
/// have is already more than it can hold.
pub(super) fn max_conns_arg(text: &str) -> Result<u64, Msg> {
    Ok(whole_in(text, 1, i64::from(u32::MAX))? as u64)
}

pub(super) fn port_arg(text: &str) -> Result<u16, Msg> {
    if text.starts_with("ort") {
        // `-port 12345` is read as -p with the value "ort".
        return Err(msg!("usage-one-dash-port", text = crate::hexdump::shown_text(text.as_bytes())));
    }
    addr::parse_port(text)
}

/// The longest wait any flag takes: longer than any sensible wait, far
/// from where the clock's arithmetic overflows.
pub(super) const LONGEST: Duration = Duration::from_secs(7 * 24 * 3600);

/// A timeout (--idle-timeout, --timeout): 1ms to 7 days (0 would give up
/// before starting; the OS refuses a zero socket timeout).
pub(super) fn timeout_arg(text: &str) -> Result<Duration, Msg> {
    units::parse_duration_in(text, Duration::from_millis(1)..=LONGEST)
}

/// A pause or a wait (--interval, --wait): 0 to 7 days.
pub(super) fn pause_arg(text: &str) -> Result<Duration, Msg> {
    units::parse_duration_in(text, Duration::ZERO..=LONGEST)
}

/// A benchmark's length: 1ms to 24h, iperf3's own limit.
pub(super) fn bench_time_arg(text: &str) -> Result<Duration, Msg> {
    units::parse_duration_in(text, Duration::from_millis(1)..=Duration::from_secs(24 * 3600))
}

/// The demo's netem delay: 0 to 1s; its exchanges wait 10s at most, and a
/// TCP exchange takes several round trips.
pub(super) fn delay_arg(text: &str) -> Result<Duration, Msg> {
    const MAX: Duration = Duration::from_secs(1);
    let delay = match text.trim().parse::<u64>() {
        Ok(ms) => Duration::from_millis(ms),
        Err(_) => units::parse_duration(text).map_err(|_| {
            msg!("usage-delay-bad", text = crate::hexdump::shown_text(text.trim().as_bytes()))
        })?,
    };
    match delay {
        delay if delay <= MAX => Ok(delay),
        _ => Err(msg!("usage-delay-too-long", text = crate::hexdump::shown_text(text.trim().as_bytes()))),
    }
}

pub(super) fn rule_arg(text: &str) -> Result<Rule, Msg> {
    access::parse_rule(text).map_err(Msg::text)
}

/// Queue sizes from 1 byte to 1 GiB.
pub(super) fn queue_arg(text: &str) -> Result<usize, Msg> {
    match units::parse_size_in(text, 1..=1 << 30) {
        Ok(n) => Ok(n as usize),
        Err(_) if units::parse_size(text) == Ok(0) => Err(msg!("usage-queue-zero")),
        Err(e) => Err(e),
    }
}

/// A benchmark's amount of bytes: 1 or more.
pub(super) fn bytes_arg(text: &str) -> Result<u64, Msg> {
    units::parse_size_in(text, 1..=u64::MAX)
}

pub(super) fn count_arg(text: &str) -> Result<u64, Msg> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err(msg!("usage-count-zero")),
        Ok(n) => Ok(n),
        Err(_) => Err(msg!("usage-count-bad", text = crate::hexdump::shown_text(text.as_bytes()))),
    }
}

pub(super) fn size_arg(text: &str) -> Result<u64, Msg> {
    units::parse_size(text)
}

pub(super) fn rate_arg(text: &str) -> Result<u64, Msg> {
    units::parse_rate(text)
}

pub(super) fn percent_arg(text: &str) -> Result<f64, Msg> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(msg!("usage-percent-bad", text = crate::hexdump::shown_text(text.as_bytes()))),
    }
}

/// A message: its text as UTF-8, or the bytes of a Python bytes literal.
pub(super) fn message_arg(text: &str) -> Result<Vec<u8>, Msg> {
    match crate::python::bytes_literal(text) {
        None => Ok(text.as_bytes().to_vec()),
        Some(Ok(bytes)) => Ok(bytes),
        Some(Err(why)) => {
            Err(msg!("usage-bytes-literal", text = crate::hexdump::shown_text(text.as_bytes()), why = why))
        }
    }
}

/// A --reply: read as -m reads a message.
pub(super) fn reply_arg(text: &str) -> Result<Bytes, Msg> {
    message_arg(text).map(Bytes::from)
}

pub(super) fn reply_hex_arg(text: &str) -> Result<Bytes, Msg> {
    hex_arg(text).map(Bytes::from)
}

pub(super) fn hex_arg(text: &str) -> Result<Vec<u8>, Msg> {
    input::parse_hex(text)
}

pub(super) fn width_arg(text: &str) -> Result<usize, Msg> {
    match text.trim().parse() {
        Ok(width) if hexdump::WIDTHS.contains(&width) => Ok(width),
        _ => Err(msg!("usage-width-bad", text = crate::hexdump::shown_text(text.as_bytes()))),
    }
}

/// A struct format that decodes at least one byte.
pub(super) fn decode_arg(text: &str) -> Result<Format, Msg> {
    let format: Format = text.parse().map_err(|e: FormatError| Msg::text(e.to_string()))?;
    if format.size() == 0 {
        return Err(msg!("usage-decode-empty", text = crate::hexdump::shown_text(text.as_bytes())));
    }
    Ok(format)
}

/// Answers a second to one peer: 0 (no limit) to a million.
pub(super) fn answer_rate_arg(text: &str) -> Result<u32, Msg> {
    const MAX: u32 = 1_000_000;
    match text.trim().parse::<u32>() {
        Ok(n) if n <= MAX => Ok(n),
        _ => {
            Err(msg!("usage-answer-rate-bad", text = crate::hexdump::shown_text(text.as_bytes()), max = MAX))
        }
    }
}

/// A receive buffer from 1 byte (the kernel raises it to its minimum) to
/// 1 GiB (the kernel caps it at net.core.rmem_max anyway; the option is a
/// C int, so 4 GiB would wrap to 0).
pub(super) fn rcvbuf_arg(text: &str) -> Result<usize, Msg> {
    Ok(units::parse_size_in(text, 1..=1 << 30)? as usize)
}

/// Receive sizes from 1 byte (to watch a stream arrive byte by byte) to 16 MiB.
pub(super) fn recv_size_arg(text: &str) -> Result<usize, Msg> {
    match units::parse_size_in(text, 1..=16 << 20) {
        Ok(n) => Ok(n as usize),
        Err(_) if units::parse_size(text) == Ok(0) => Err(msg!("usage-recv-size-zero")),
        Err(e) => Err(e),
    }
}

/// Send sizes, as receive sizes: 1 byte to 16 MiB.
pub(super) fn send_size_arg(text: &str) -> Result<usize, Msg> {
    match units::parse_size_in(text, 1..=16 << 20) {
        Ok(n) => Ok(n as usize),
        Err(_) if units::parse_size(text) == Ok(0) => Err(msg!("usage-send-size-zero")),
        Err(e) => Err(e),
    }
}
