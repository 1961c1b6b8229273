//! The words for the demo's table and the benchmarks' summaries, from the
//! measured values in their events. Pure text, no colour: the human
//! reporter lays it out and paints it.

use crate::event::bench::{Moved, SeqCounts, TcpBenchResult, UdpBenchResult};
use crate::event::demo::{Attempt, Delivery, DemoRow, Impairment, Received, Verdict};
use crate::units::{format_bits_per_second, format_bytes, format_count, format_duration};

/// Column widths of the demo's table: what, TCP, UDP (100 columns in all).
pub const WHAT: usize = 22;
pub const COLUMN: usize = 37;

/// The three cells of a row; `udp` is None when `tcp` spans both columns.
pub struct Cells {
    pub what: String,
    pub tcp: String,
    pub udp: Option<String>,
}

pub fn demo_row(row: &DemoRow) -> Cells {
    match row {
        DemoRow::Boundaries { sends, size, tcp, udp } => Cells {
            what: format!("message boundaries: {sends} sends of {size} bytes"),
            tcp: format!(
                "{}. {}",
                calls("recv()", tcp),
                match tcp.calls.cmp(sends) {
                    std::cmp::Ordering::Less => "One stream: where each send ended is gone.",
                    std::cmp::Ordering::Equal => {
                        "One recv() per send this time, by timing alone: TCP keeps no boundaries."
                    }
                    std::cmp::Ordering::Greater => "More pieces than sends: a stream is cut anywhere.",
                }
            ),
            udp: Some(format!(
                "{} datagrams, {}: each send is one message, whole.{}",
                udp.calls,
                match udp.lengths.as_slice() {
                    [first, rest @ ..] if rest.iter().all(|n| n == first) => {
                        format!("{} recvfrom() calls of {first} bytes each", udp.calls)
                    }
                    _ => calls("recvfrom()", udp),
                },
                lost_note(*sends, udp.calls)
            )),
        },
        DemoRow::Truncation { message, buffer, tcp, udp } => Cells {
            what: format!("one {message}-byte message, a {buffer}-byte buffer"),
            tcp: format!(
                "{}: all of it; what did not fit waited for the next recv().",
                calls(&format!("recv({buffer})"), tcp),
            ),
            udp: Some(match (udp.arrived.as_deref(), udp.lengths.as_slice()) {
                (Some([arrived]), [kept]) => format!(
                    "1 recvfrom({buffer}): {arrived} bytes arrived, {kept} kept, {} discarded by the kernel; nothing is left for a next call.",
                    udp.discarded.unwrap_or(0)
                ),
                _ => format!("{}; {} bytes discarded.", calls("recvfrom()", udp), udp.discarded.unwrap_or(0)),
            }),
        },
        DemoRow::ClosedPort { port, tcp, udp_unconnected, udp_connected } => Cells {
            what: format!("a closed port: {port}, nothing bound there"),
            tcp: format!("connect(): {}", attempt(tcp, crate::sys::refused::TCP_NAME)),
            udp: Some(format!(
                "sendto(), not connected: {} connect() then send() and recv(): {}",
                attempt(udp_unconnected, crate::sys::refused::NAME),
                attempt(udp_connected, crate::sys::refused::NAME)
            )),
        },
        DemoRow::ClientPorts { tcp_client, tcp_server, udp_client, udp_server, range } => Cells {
            what: match range {
                Some([low, high]) => format!("addresses and ports (ephemeral range {low}-{high})"),
                None => "addresses and ports".to_string(),
            },
            tcp: format!(
                "server {tcp_server}: its port from bind(port 0). Client {tcp_client}: an ephemeral port, chosen at connect()."
            ),
            udp: Some(format!(
                "server {udp_server}: its port from bind(port 0). Client {udp_client}: an ephemeral port, chosen at the first sendto()."
            )),
        },
        DemoRow::Impaired { loss_percent, delay_ms, outcome } => {
            let what = format!("through netem: {loss_percent}% loss, {delay_ms} ms delay");
            match outcome {
                Impairment::Skipped { reason } => {
                    Cells { what, tcp: format!("skipped: {reason}"), udp: None }
                }
                Impairment::Measured { tcp, udp } => Cells {
                    what,
                    tcp: format!(
                        "{}; lost packets were sent again: late, never lost.",
                        delivery(tcp, "messages")
                    ),
                    udp: Some(format!(
                        "{}; nothing sends a lost datagram again.",
                        delivery(udp, "datagrams")
                    )),
                },
            }
        }
    }
}

/// "3 recv(1024) calls: 1024 + 1024 + 952 = 3000 bytes", "1 recv() call: all
/// 50 bytes at once".
fn calls(call: &str, received: &Received) -> String {
    let lengths: Vec<String> = received.lengths.iter().map(|n| n.to_string()).collect();
    let list = match lengths.len() {
        0 => return format!("no {call} call returned data"),
        1 => return format!("1 {call} call: all {} bytes at once", received.bytes),
        2..=6 => lengths.join(" + "),
        n => format!("{} + ... + {}", lengths[..3].join(" + "), lengths[n - 1]),
    };
    format!("{} {call} calls: {list} = {} bytes", received.calls, received.bytes)
}

fn lost_note(sent: u64, received: u64) -> String {
    if received < sent { format!(" {} never came.", sent - received) } else { String::new() }
}

/// How one try against the closed port went; `refused` names the error a
/// refusal comes as on this system.
fn attempt(attempt: &Attempt, refused: &str) -> String {
    let after = format_duration(attempt.after);
    match attempt.verdict {
        Verdict::Refused => format!("refused ({refused}) after {after}."),
        Verdict::Silent => format!("no error, and nothing came back in {after}."),
        Verdict::Answered => format!("something answered after {after}."),
        Verdict::Failed => {
            format!("failed after {after}: {}.", attempt.error.as_deref().unwrap_or("unknown error"))
        }
    }
}

fn delivery(d: &Delivery, what: &str) -> String {
    let order = if d.in_order { "in order" } else { "out of order" };
    format!(
        "{} of {} {what} arrived ({} lost), {order}, the last after {}",
        d.delivered,
        d.sent,
        d.lost,
        format_duration(d.duration)
    )
}

/// Word-wraps `text` to `width` columns; a word longer than a line is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let lines: Vec<String> = textwrap::wrap(text, textwrap::Options::new(width).break_words(true))
        .into_iter()
        .map(|line| line.into_owned())
        .collect();
    if lines.is_empty() { vec![String::new()] } else { lines }
}

/// The lines of a TCP benchmark's summary, after its head line.
pub fn tcp_bench(result: &TcpBenchResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(sent) = &result.sent {
        let size = result.send_size.map(|s| format!(" of {}", format_bytes(s as u64))).unwrap_or_default();
        lines.push(format!("{}   {} send() calls{size}", moved("sent", sent), format_count(sent.calls)));
    }
    match &result.received {
        Some(received) => lines.push(format!(
            "{}   {} recv() calls",
            moved("received", received),
            format_count(received.calls)
        )),
        None => lines.push("received  (the receiver sent no count back: not a netplay bench server?)".into()),
    }
    lines
}

/// The lines of a UDP benchmark's summary, after its head line.
pub fn udp_bench(result: &UdpBenchResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(sent) = &result.sent {
        lines.push(datagrams("sent", sent));
    }
    match (&result.received, &result.counts) {
        (Some(received), Some(counts)) => {
            lines.push(datagrams("received", received));
            lines.push(loss(counts, result.sent_by_peer));
        }
        _ => lines.push(
            "received  (the receiver's report never came back: is a netplay udp bench --serve running there?)"
                .into(),
        ),
    }
    lines
}

fn moved(what: &str, m: &Moved) -> String {
    format!(
        "{what:<9} {} in {} = {}",
        format_bytes(m.bytes),
        format_duration(m.duration),
        format_bits_per_second(m.bits_per_second)
    )
}

fn datagrams(what: &str, m: &Moved) -> String {
    format!(
        "{what:<9} {} datagrams in {} = {}/s, {}",
        format_count(m.calls),
        format_duration(m.duration),
        format_count(m.calls_per_second().round() as u64),
        format_bits_per_second(m.bits_per_second)
    )
}

fn loss(counts: &SeqCounts, sent: Option<u64>) -> String {
    let total = sent.unwrap_or(counts.received + counts.lost);
    let percent = if total > 0 { counts.lost as f64 * 100.0 / total as f64 } else { 0.0 };
    let of = match sent {
        Some(sent) => format!("of {} sent", format_count(sent)),
        None => "(the sender's count never came: counted up to the last sequence number seen)".to_string(),
    };
    format!(
        "lost      {} {of} ({percent:.2}%), reordered {}, duplicated {}",
        format_count(counts.lost),
        format_count(counts.reordered),
        format_count(counts.duplicated)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(lengths: &[usize], arrived: Option<Vec<usize>>) -> Received {
        let bytes = lengths.iter().map(|&n| n as u64).sum();
        let discarded = arrived.as_ref().map(|a| a.iter().zip(lengths).map(|(a, k)| (a - k) as u64).sum());
        Received { calls: lengths.len() as u64, lengths: lengths.to_vec(), bytes, arrived, discarded }
    }

    #[test]
    fn rows_say_what_was_measured() {
        let row = DemoRow::Boundaries {
            sends: 5,
            size: 10,
            tcp: received(&[50], None),
            udp: received(&[10; 5], Some(vec![10; 5])),
        };
        let cells = demo_row(&row);
        assert_eq!(
            cells.tcp,
            "1 recv() call: all 50 bytes at once. One stream: where each send ended is gone."
        );
        assert_eq!(
            cells.udp.unwrap(),
            "5 datagrams, 5 recvfrom() calls of 10 bytes each: each send is one message, whole."
        );
        let row = DemoRow::Truncation {
            message: 3000,
            buffer: 1024,
            tcp: received(&[1024, 1024, 952], None),
            udp: received(&[1024], Some(vec![3000])),
        };
        let cells = demo_row(&row);
        assert!(cells.tcp.starts_with("3 recv(1024) calls: 1024 + 1024 + 952 = 3000 bytes"), "{}", cells.tcp);
        assert!(cells.udp.unwrap().contains("3000 bytes arrived, 1024 kept, 1976 discarded"));
    }

    #[test]
    fn wraps_on_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }
}
