//! The words for the demo's table and the benchmarks' summaries, from the
//! measured values in their events. Pure text, no colour: the human
//! reporter lays it out and paints it.

use crate::event::bench::{Moved, SeqCounts, TcpBenchResult, UdpBenchResult};
use crate::event::demo::{Attempt, Delivery, DemoRow, Impairment, OnWire, Received, Verdict};
use crate::i18n::{Arg, Lang, Msg};
use crate::msg;

/// Column widths of the demo's table: what, TCP, UDP (100 columns in all).
pub(crate) const WHAT: usize = 22;
pub(crate) const COLUMN: usize = 37;

/// The three cells of a row; `udp` is None when `tcp` spans both columns.
pub(crate) struct Cells {
    pub(crate) what: String,
    pub(crate) tcp: String,
    pub(crate) udp: Option<String>,
}

/// The cells of one row of the demo's table, by its kind.
pub(crate) fn demo_row(lang: Lang, row: &DemoRow) -> Cells {
    match row {
        DemoRow::Boundaries { sends, size, tcp, udp } => boundaries(lang, *sends, *size, tcp, udp),
        DemoRow::Truncation { message, buffer, tcp, udp } => truncation(lang, *message, *buffer, tcp, udp),
        DemoRow::ClosedPort { port, tcp, udp_unconnected, udp_connected } => {
            closed_port(lang, *port, tcp, udp_unconnected, udp_connected)
        }
        DemoRow::ClientPorts { tcp_client, tcp_server, udp_client, udp_server, range } => {
            let t = |m: Msg| m.render(lang);
            Cells {
                what: t(match range {
                    Some([low, high]) => msg!("row-ports-range", low = *low, high = *high),
                    None => msg!("row-ports"),
                }),
                tcp: t(msg!("row-ports-tcp", server = tcp_server, client = tcp_client)),
                udp: Some(t(msg!("row-ports-udp", server = udp_server, client = udp_client))),
            }
        }
        DemoRow::Impaired { loss_percent, delay_ms, outcome } => {
            impaired(lang, *loss_percent, *delay_ms, outcome)
        }
    }
}

/// Message boundaries: how many recv() calls TCP needed for `sends`
/// messages, and UDP's datagram a recvfrom() each.
fn boundaries(lang: Lang, sends: u64, size: usize, tcp: &Received, udp: &Received) -> Cells {
    let t = |m: Msg| m.render(lang);
    Cells {
        what: t(msg!("row-boundaries", sends = sends, size = size)),
        tcp: t(msg!(
            "row-boundaries-tcp",
            calls = calls("recv()", tcp),
            verdict = match tcp.calls.cmp(&sends) {
                std::cmp::Ordering::Less => msg!("row-boundaries-tcp-fewer"),
                std::cmp::Ordering::Equal => msg!("row-boundaries-tcp-equal"),
                std::cmp::Ordering::Greater => msg!("row-boundaries-tcp-more"),
            }
        )) + &more(lang, tcp.wire.as_ref().map(|w| segments_of_sends(w, sends, tcp.calls))),
        udp: Some(
            t(msg!(
                "row-boundaries-udp",
                datagrams = udp.calls,
                calls = match udp.lengths.as_slice() {
                    [first, rest @ ..] if rest.iter().all(|n| n == first) => {
                        msg!("row-recvfrom-each", calls = udp.calls, size = *first)
                    }
                    _ => calls("recvfrom()", udp),
                }
            )) + &lost_note(lang, sends, udp.calls)
                + &more(lang, udp.wire.as_ref().map(|w| datagrams_of_sends(w, sends))),
        ),
    }
}

/// A message longer than the receive buffer: TCP keeps the rest for the
/// next recv(), UDP discards it.
fn truncation(lang: Lang, message: usize, buffer: usize, tcp: &Received, udp: &Received) -> Cells {
    let t = |m: Msg| m.render(lang);
    Cells {
        what: t(msg!("row-truncation", message = message, buffer = buffer)),
        tcp: t(msg!("row-truncation-tcp", calls = calls(&format!("recv({buffer})"), tcp)))
            + &more(
                lang,
                tcp.wire.as_ref().map(|w| msg!("wire-pieces", pieces = pieces(&w.data, "segment"))),
            ),
        udp: Some(
            match (udp.arrived.as_deref(), udp.lengths.as_slice()) {
                (Some([arrived]), [kept]) => t(msg!(
                    "row-truncation-udp",
                    buffer = buffer,
                    arrived = *arrived,
                    kept = *kept,
                    discarded = udp.discarded.unwrap_or(0)
                )),
                _ => t(msg!(
                    "row-truncation-udp-other",
                    calls = calls("recvfrom()", udp),
                    discarded = udp.discarded.unwrap_or(0)
                )),
            } + &more(lang, udp.wire.as_ref().map(|w| whole_on_the_wire(w, buffer))),
        ),
    }
}

/// A closed port: TCP's connect() refused, and a UDP socket, unconnected
/// then connected, told or not.
fn closed_port(lang: Lang, port: u16, tcp: &Attempt, unconnected: &Attempt, connected: &Attempt) -> Cells {
    let t = |m: Msg| m.render(lang);
    Cells {
        what: t(msg!("row-closed-port", port = port)),
        tcp: t(msg!("row-closed-port-tcp", attempt = attempt(tcp, crate::sys::refused::TCP_NAME)))
            + &more(lang, tcp.wire.as_ref().map(|w| answered("syn", w))),
        udp: Some(t(msg!(
            "row-closed-port-udp",
            unconnected =
                udp_closed_port(unconnected, |answer| msg!("wire-unconnected-told", answer = answer)),
            connected = udp_closed_port(connected, |answer| {
                msg!("wire-connected-told", answer = answer, error = crate::sys::refused::NAME)
            })
        ))),
    }
}

/// One UDP socket's attempt at a closed port, with what the wire showed:
/// the ICMP answer as `told` says it, or the datagram left unanswered.
fn udp_closed_port(udp: &Attempt, told: impl Fn(&str) -> Msg) -> Msg {
    match udp.wire.as_ref() {
        Some(OnWire { answer: Some(answer), .. }) => {
            msg!("attempt-and-wire", attempt = attempt(udp, crate::sys::refused::NAME), wire = told(answer))
        }
        Some(w) => msg!(
            "attempt-and-wire",
            attempt = attempt(udp, crate::sys::refused::NAME),
            wire = answered("datagram", w)
        ),
        None => attempt(udp, crate::sys::refused::NAME),
    }
}

/// Under loss and delay (netem): what each protocol delivered.
fn impaired(lang: Lang, loss_percent: f64, delay_ms: u64, outcome: &Impairment) -> Cells {
    let t = |m: Msg| m.render(lang);
    let what =
        t(msg!("row-netem", loss = Arg::decimal(loss_percent, decimals(loss_percent)), delay = delay_ms));
    match outcome {
        Impairment::Skipped { reason } => {
            Cells { what, tcp: t(msg!("row-netem-skipped", reason = reason.clone())), udp: None }
        }
        Impairment::Measured { tcp, udp } => Cells {
            what,
            tcp: t(msg!("row-netem-tcp", delivery = delivery(tcp, "messages"))),
            udp: Some(t(msg!("row-netem-udp", delivery = delivery(udp, "datagrams")))),
        },
    }
}

/// The decimals `value` is written with (`2.5` has 1, `10` none).
fn decimals(value: f64) -> usize {
    value.to_string().split_once('.').map_or(0, |(_, digits)| digits.len())
}

/// "3 recv(1024) calls: 1024 + 1024 + 952 = 3000 bytes", "1 recv() call: all
/// 50 bytes at once".
fn calls(call: &str, received: &Received) -> Msg {
    let lengths: Vec<String> = received.lengths.iter().map(|n| n.to_string()).collect();
    let list = match lengths.len() {
        0 => return msg!("row-calls-none", call = call),
        1 => return msg!("row-calls-one", call = call, bytes = received.bytes),
        2..=6 => lengths.join(" + "),
        n => format!("{} + ... + {}", lengths[..3].join(" + "), lengths[n - 1]),
    };
    msg!("row-calls", calls = received.calls, call = call, list = list, bytes = received.bytes)
}

/// A sentence more, with its space, when there is one.
fn more(lang: Lang, sentence: Option<Msg>) -> String {
    sentence.map(|s| format!(" {}", s.render(lang))).unwrap_or_default()
}

/// `5 data segments of 10 bytes`, `3 datagrams: 10 + 20 + 20 bytes`.
fn pieces(lengths: &[u32], what: &'static str) -> Msg {
    match lengths {
        [] => msg!("wire-pieces-none", what = what),
        [first, rest @ ..] if rest.iter().all(|n| n == first) => {
            msg!("wire-pieces-same", n = lengths.len(), what = what, size = *first)
        }
        _ => {
            let list: Vec<String> = lengths.iter().map(|n| n.to_string()).collect();
            msg!("wire-pieces-list", n = lengths.len(), what = what, list = list.join(" + "))
        }
    }
}

/// The TCP data segments that carried `sends` send() calls.
fn segments_of_sends(wire: &OnWire, sends: u64, recv_calls: u64) -> Msg {
    let pieces = pieces(&wire.data, "segment");
    match (wire.data.len() as u64).cmp(&sends) {
        std::cmp::Ordering::Equal if recv_calls < sends => msg!("wire-segments-joined", pieces = pieces),
        std::cmp::Ordering::Equal => msg!("wire-segments-each", pieces = pieces),
        std::cmp::Ordering::Less => msg!("wire-segments-fewer", pieces = pieces),
        std::cmp::Ordering::Greater => msg!("wire-segments-more", pieces = pieces),
    }
}

/// The UDP datagrams that `sends` sendto() calls put on the wire.
fn datagrams_of_sends(wire: &OnWire, sends: u64) -> Msg {
    let pieces = pieces(&wire.data, "datagram");
    if wire.data.len() as u64 == sends {
        msg!("wire-datagrams-each", pieces = pieces)
    } else {
        msg!("wire-pieces", pieces = pieces)
    }
}

/// A datagram cut by recvfrom() travelled whole.
fn whole_on_the_wire(wire: &OnWire, buffer: usize) -> Msg {
    match wire.data.as_slice() {
        [length] => msg!("wire-whole", length = *length, buffer = buffer),
        _ => msg!("wire-pieces", pieces = pieces(&wire.data, "datagram")),
    }
}

/// What answered a packet sent to a closed port, if anything did.
fn answered(what: &'static str, wire: &OnWire) -> Msg {
    match &wire.answer {
        Some(answer) => msg!("wire-answered", what = what, answer = answer),
        None => msg!("wire-nothing-back", what = what),
    }
}

/// A sentence more when datagrams never came, with its space.
fn lost_note(lang: Lang, sent: u64, received: u64) -> String {
    if received < sent {
        format!(" {}", msg!("row-never-came", n = sent - received).render(lang))
    } else {
        String::new()
    }
}

/// How one try against the closed port went; `refused` names the error a
/// refusal comes as on this system ([`crate::sys::refused`]).
fn attempt(attempt: &Attempt, refused: &str) -> Msg {
    let after = Arg::duration(attempt.after);
    match attempt.verdict {
        Verdict::Refused => msg!("attempt-refused", error = refused, after = after),
        Verdict::Silent => msg!("attempt-silent", after = after),
        Verdict::Answered => msg!("attempt-answered", after = after),
        Verdict::Failed => match &attempt.error {
            Some(error) => msg!("attempt-failed", after = after, error = error.clone()),
            None => msg!("attempt-failed-unknown", after = after),
        },
    }
}

fn delivery(d: &Delivery, what: &'static str) -> Msg {
    msg!(
        "delivery",
        delivered = d.delivered,
        sent = d.sent,
        what = what,
        lost = d.lost,
        order = if d.in_order { "in" } else { "out" },
        duration = Arg::duration(d.duration)
    )
}

/// The lines of a TCP benchmark's summary, after its head line.
pub(crate) fn tcp_bench(lang: Lang, result: &TcpBenchResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(sent) = &result.sent {
        let line = match result.send_size {
            Some(size) => msg!(
                "bench-tcp-sent-of",
                moved = moved(lang, "sent", sent),
                calls = Arg::count(sent.calls),
                size = Arg::bytes(size)
            ),
            None => msg!("bench-tcp-sent", moved = moved(lang, "sent", sent), calls = Arg::count(sent.calls)),
        };
        lines.push(line.render(lang));
    }
    match &result.received {
        Some(received) => lines.push(
            msg!(
                "bench-tcp-received",
                moved = moved(lang, "received", received),
                calls = Arg::count(received.calls)
            )
            .render(lang),
        ),
        None => lines.push(msg!("bench-tcp-no-count", label = label(lang, "received")).render(lang)),
    }
    if let Some(info) = &result.tcp_info {
        let line = msg!(
            "bench-tcp-info",
            label = format!("{:<9}", "TCP_INFO"),
            state = info.state_name(),
            info = super::tcp_info::text(lang, info)
        );
        lines.push(line.render(lang));
    }
    lines
}

/// The lines of a UDP benchmark's summary, after its head line.
pub(crate) fn udp_bench(lang: Lang, result: &UdpBenchResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(sent) = &result.sent {
        lines.push(datagrams(lang, "sent", sent));
    }
    match (&result.received, &result.counts) {
        (Some(received), Some(counts)) => {
            lines.push(datagrams(lang, "received", received));
            lines.push(loss(lang, counts, result.sent_by_peer));
        }
        _ => lines.push(msg!("bench-udp-no-report", label = label(lang, "received")).render(lang)),
    }
    lines
}

/// The word in front of a summary line, padded so the numbers line up.
fn label(lang: Lang, what: &str) -> String {
    let word = match what {
        "sent" => msg!("bench-label-sent"),
        "received" => msg!("bench-label-received"),
        _ => msg!("bench-label-lost"),
    };
    let words = [msg!("bench-label-sent"), msg!("bench-label-received"), msg!("bench-label-lost")];
    let width = words.iter().map(|w| w.render(lang).chars().count()).max().unwrap_or(0).max(9);
    format!("{:<width$}", word.render(lang))
}

fn moved(lang: Lang, what: &str, m: &Moved) -> String {
    msg!(
        "bench-moved",
        label = label(lang, what),
        bytes = Arg::bytes(m.bytes),
        duration = Arg::duration(m.duration),
        rate = Arg::rate(m.bits_per_second)
    )
    .render(lang)
}

fn datagrams(lang: Lang, what: &str, m: &Moved) -> String {
    msg!(
        "bench-datagrams-line",
        label = label(lang, what),
        n = Arg::count(m.calls),
        duration = Arg::duration(m.duration),
        per_second = Arg::count(m.calls_per_second().round() as u64),
        rate = Arg::rate(m.bits_per_second)
    )
    .render(lang)
}

fn loss(lang: Lang, counts: &SeqCounts, sent: Option<u64>) -> String {
    let total = sent.unwrap_or(counts.received + counts.lost);
    let percent = if total > 0 { counts.lost as f64 * 100.0 / total as f64 } else { 0.0 };
    let of = match sent {
        Some(sent) => msg!("bench-lost-of", sent = Arg::count(sent)),
        None => msg!("bench-lost-uncounted"),
    };
    msg!(
        "bench-lost",
        label = label(lang, "lost"),
        lost = Arg::count(counts.lost),
        of = of,
        percent = Arg::decimal(percent, 2),
        reordered = Arg::count(counts.reordered),
        duplicated = Arg::count(counts.duplicated)
    )
    .render(lang)
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
        let cells = demo_row(Lang::En, &row);
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
        let cells = demo_row(Lang::En, &row);
        assert!(cells.tcp.starts_with("3 recv(1024) calls: 1024 + 1024 + 952 = 3000 bytes"), "{}", cells.tcp);
        assert!(cells.udp.unwrap().contains("3000 bytes arrived, 1024 kept, 1976 discarded"));
    }

    #[test]
    fn rows_in_french_with_the_course_words() {
        let nbsp = |s: &str| s.replace('~', "\u{a0}");
        let row = DemoRow::Truncation {
            message: 3000,
            buffer: 1024,
            tcp: received(&[1024, 1024, 952], None),
            udp: received(&[1024], Some(vec![3000])),
        };
        let cells = demo_row(Lang::Fr, &row);
        assert_eq!(cells.what, "un message de 3000 octets, un tampon de 1024 octets");
        assert_eq!(
            cells.tcp,
            nbsp(
                "3 appels recv(1024)~: 1024 + 1024 + 952 = 3000 octets~: tout est là~; ce qui ne tenait pas a attendu le recv() suivant."
            )
        );
        assert_eq!(
            cells.udp.unwrap(),
            nbsp(
                "1 recvfrom(1024)~: 3000 octets arrivés, 1024 gardés, 1976 jetés par le noyau~; rien ne reste pour un appel suivant."
            )
        );
        let row = DemoRow::Boundaries {
            sends: 5,
            size: 10,
            tcp: received(&[10; 5], None),
            udp: received(&[10, 10, 10, 10], Some(vec![10; 4])),
        };
        let cells = demo_row(Lang::Fr, &row);
        assert!(cells.tcp.ends_with("par le seul hasard du minutage\u{a0}: TCP ne garde pas les limites."));
        assert!(cells.udp.unwrap().ends_with("entier. 1 n'est jamais arrivé."));
    }
}
