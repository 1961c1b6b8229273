//! The demo's impaired row: the same messages over a loopback that loses
//! and delays packets. A thread of the demo moves into a network namespace
//! of its own (unshare), where `tc` puts netem on its loopback; the servers
//! and clients it starts live there too. Nothing outside changes, and the
//! namespace goes away with the thread's last socket.
//!
//! It needs Linux, root (CAP_SYS_ADMIN), `ip` and `tc` (iproute2) and a
//! kernel with netem; without one of them the row says which, and is
//! skipped (see [`crate::sys::netns`]).

use std::process::Command;
use std::thread;

use super::Pair;
use super::log::Seen;
use super::table::{tcp_pair, udp_pair};
use crate::config::demo::{IMPAIRED_SENDS, Impair, messages};
use crate::event::Dir;
use crate::event::demo::{Delivery, DemoRow, Impairment};
use crate::i18n::Msg;
use crate::msg;
use crate::sys::netns;

pub(super) fn row(impair: &Impair) -> DemoRow {
    let outcome = thread::scope(|scope| {
        thread::Builder::new()
            .name("netem".into())
            .spawn_scoped(scope, || {
                in_namespace(impair).unwrap_or_else(|reason| Impairment::Skipped { reason })
            })
            .map_err(|e| Msg::text(e.to_string()))
            .and_then(|t| t.join().map_err(|_| msg!("netem-thread-panicked")))
    })
    .unwrap_or_else(|reason| Impairment::Skipped { reason });
    DemoRow::Impaired {
        loss_percent: impair.loss_percent,
        delay_ms: impair.delay.as_millis() as u64,
        outcome,
    }
}

/// Runs on a thread of its own: moves it into a new network namespace,
/// sets netem up there, and measures.
fn in_namespace(impair: &Impair) -> Result<Impairment, Msg> {
    netns::enter()?;
    tool("ip", &["link", "set", "lo", "up"])?;
    let loss = format!("{}%", impair.loss_percent);
    let delay = format!("{}ms", impair.delay.as_millis());
    tool("tc", &["qdisc", "add", "dev", "lo", "root", "netem", "loss", &loss, "delay", &delay])?;

    let failed = |e: anyhow::Error| msg!("netem-run-failed", error = format!("{e:#}"));
    let tcp = tcp_pair(&impair.runs.tcp, None).map_err(failed)?;
    // A lost datagram never comes: its server stops waiting a while after
    // the last one could have come (config::demo).
    let udp = udp_pair(&impair.runs.udp, None).map_err(failed)?;
    Ok(Impairment::Measured { tcp: delivery(&tcp), udp: delivery(&udp) })
}

/// Runs an iproute2 tool in this thread's namespace; its error, in a line.
fn tool(name: &str, args: &[&str]) -> Result<(), Msg> {
    let command = format!("{name} {}", args.join(" "));
    let out = Command::new(name).args(args).output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => msg!("netem-tool-missing", name = name),
        _ => msg!("netem-tool-no-start", command = command.as_str(), error = e.to_string()),
    })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said = stderr.lines().next().unwrap_or("").trim();
    let said = said.trim_start_matches("Error: ").trim_end_matches('.');
    if said.contains("qdisc kind is unknown") {
        return Err(msg!("netem-no-netem", command = command, said = said));
    }
    Err(msg!("netem-tool-failed", command = command, said = said))
}

/// How the numbered messages fared: which arrived, in which order, and
/// when the last did.
fn delivery(run: &Pair) -> Delivery {
    let size = messages(1)[0].len();
    let mut order = Vec::new();
    let mut stream = Vec::new();
    let mut last = run.started;
    for entry in &run.server {
        match &entry.seen {
            Seen::Data { dir: Dir::In, bytes } => stream.extend_from_slice(bytes),
            Seen::Datagram { dir: Dir::In, bytes, .. } => order.push(number(bytes)),
            _ => continue,
        }
        last = entry.at;
    }
    // A stream: cut it back into messages.
    order.extend(stream.chunks(size).map(number));
    let mut distinct = order.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let delivered = distinct.iter().filter(|n| n.is_some()).count() as u64;
    Delivery {
        sent: IMPAIRED_SENDS,
        delivered,
        lost: IMPAIRED_SENDS.saturating_sub(delivered),
        in_order: order.windows(2).all(|w| w[0] < w[1]),
        duration: last.saturating_duration_since(run.started),
    }
}

/// The number in `Hello #07!`, if the message is whole.
fn number(message: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(message).ok()?;
    text.strip_prefix("Hello #")?.strip_suffix('!')?.parse().ok()
}
