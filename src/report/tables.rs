//! The words for the demo's table and the benchmarks' summaries, from the
//! measured values in their events. Pure text, no colour: the human
//! reporter lays it out and paints it.

use crate::event::bench::{Moved, SeqCounts, TcpBenchResult, UdpBenchResult};
use crate::event::demo::{Attempt, Delivery, DemoRow, Impairment, OnWire, Received, Verdict};
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
                "{}. {}{}",
                calls("recv()", tcp),
                match tcp.calls.cmp(sends) {
                    std::cmp::Ordering::Less => "One stream: where each send ended is gone.",
                    std::cmp::Ordering::Equal => {
                        "One recv() per send this time, by timing alone: TCP keeps no boundaries."
                    }
                    std::cmp::Ordering::Greater => "More pieces than sends: a stream is cut anywhere.",
                },
                tcp.wire.as_ref().map(|w| segments_of_sends(w, *sends, tcp.calls)).unwrap_or_default()
            ),
            udp: Some(format!(
                "{} datagrams, {}: each send is one message, whole.{}{}",
                udp.calls,
                match udp.lengths.as_slice() {
                    [first, rest @ ..] if rest.iter().all(|n| n == first) => {
                        format!("{} recvfrom() calls of {first} bytes each", udp.calls)
                    }
                    _ => calls("recvfrom()", udp),
                },
                lost_note(*sends, udp.calls),
                udp.wire.as_ref().map(|w| datagrams_of_sends(w, *sends)).unwrap_or_default()
            )),
        },
        DemoRow::Truncation { message, buffer, tcp, udp } => Cells {
            what: format!("one {message}-byte message, a {buffer}-byte buffer"),
            tcp: format!(
                "{}: all of it; what did not fit waited for the next recv().{}",
                calls(&format!("recv({buffer})"), tcp),
                tcp.wire.as_ref().map(|w| format!(" On the wire: {}.", pieces(&w.data, "data segment"))).unwrap_or_default()
            ),
            udp: Some(format!(
                "{}{}",
                match (udp.arrived.as_deref(), udp.lengths.as_slice()) {
                    (Some([arrived]), [kept]) => format!(
                        "1 recvfrom({buffer}): {arrived} bytes arrived, {kept} kept, {} discarded by the kernel; nothing is left for a next call.",
                        udp.discarded.unwrap_or(0)
                    ),
                    _ => format!("{}; {} bytes discarded.", calls("recvfrom()", udp), udp.discarded.unwrap_or(0)),
                },
                udp.wire.as_ref().map(|w| whole_on_the_wire(w, *buffer)).unwrap_or_default()
            )),
        },
        DemoRow::ClosedPort { port, tcp, udp_unconnected, udp_connected } => Cells {
            what: format!("a closed port: {port}, nothing bound there"),
            tcp: format!(
                "connect(): {}{}",
                attempt(tcp, crate::sys::refused::TCP_NAME),
                tcp.wire.as_ref().map(|w| answered("the SYN", w)).unwrap_or_default()
            ),
            udp: Some(format!(
                "sendto(), not connected: {}{} connect() then send() and recv(): {}{}",
                attempt(udp_unconnected, crate::sys::refused::NAME),
                udp_unconnected
                    .wire
                    .as_ref()
                    .map(|w| match &w.answer {
                        Some(answer) => format!(
                            " On the wire: the datagram, answered by {answer}, never told to the unconnected socket."
                        ),
                        None => answered("the datagram", w),
                    })
                    .unwrap_or_default(),
                attempt(udp_connected, crate::sys::refused::NAME),
                udp_connected
                    .wire
                    .as_ref()
                    .map(|w| match &w.answer {
                        Some(answer) => format!(
                            " On the wire: the same {answer}, matched to the connected socket: the {}.",
                            crate::sys::refused::NAME
                        ),
                        None => answered("the datagram", w),
                    })
                    .unwrap_or_default()
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

/// `5 data segments of 10 bytes`, `3 datagrams: 10 + 20 + 20 bytes`.
fn pieces(lengths: &[u32], what: &str) -> String {
    let plural = if lengths.len() == 1 { what.to_string() } else { format!("{what}s") };
    match lengths {
        [] => format!("no {what}"),
        [first, rest @ ..] if rest.iter().all(|n| n == first) => {
            format!("{} {plural} of {first} bytes", lengths.len())
        }
        _ => {
            let list: Vec<String> = lengths.iter().map(|n| n.to_string()).collect();
            format!("{} {plural}: {} bytes", lengths.len(), list.join(" + "))
        }
    }
}

/// The TCP data segments that carried `sends` send() calls.
fn segments_of_sends(wire: &OnWire, sends: u64, recv_calls: u64) -> String {
    let segments = wire.data.len() as u64;
    let why = match segments.cmp(&sends) {
        std::cmp::Ordering::Equal if recv_calls < sends => {
            ", one per send(): the receiving socket's buffer joined them, recv() took them together"
        }
        std::cmp::Ordering::Equal => ", one per send()",
        std::cmp::Ordering::Less => ": the sending kernel joined sends into fewer segments",
        std::cmp::Ordering::Greater => ": the sending kernel cut the stream into more segments than sends",
    };
    format!(" On the wire: {}{why}.", pieces(&wire.data, "data segment"))
}

/// The UDP datagrams that `sends` sendto() calls put on the wire.
fn datagrams_of_sends(wire: &OnWire, sends: u64) -> String {
    let one_each = if wire.data.len() as u64 == sends { ", one per sendto()" } else { "" };
    format!(" On the wire: {}{one_each}.", pieces(&wire.data, "datagram"))
}

/// A datagram cut by recvfrom() travelled whole.
fn whole_on_the_wire(wire: &OnWire, buffer: usize) -> String {
    match wire.data.as_slice() {
        [length] => format!(
            " On the wire: 1 datagram of {length} bytes, whole: recvfrom({buffer}) cut it, at the receiver."
        ),
        _ => format!(" On the wire: {}.", pieces(&wire.data, "datagram")),
    }
}

/// What answered a packet sent to a closed port, if anything did.
fn answered(what: &str, wire: &OnWire) -> String {
    match &wire.answer {
        Some(answer) => format!(" On the wire: {what}, answered by {answer}."),
        None => format!(" On the wire: {what}; nothing came back."),
    }
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
    if let Some(info) = &result.tcp_info {
        lines.push(format!(
            "{:<9} in {}: {}",
            "TCP_INFO",
            info.state_name(),
            super::packets::tcp_info_text(info)
        ));
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
        Received {
            calls: lengths.len() as u64,
            lengths: lengths.to_vec(),
            bytes,
            arrived,
            discarded,
            wire: None,
        }
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
