//! `netplay demo`: TCP and UDP side by side, in one process, on loopback,
//! on ports the OS chooses. Parts 1 and 2 run the real `tcp serve` and
//! `tcp connect`, then `udp serve` and `udp send`, server and client on
//! threads of their own, each with its own labelled reporter on the same
//! output, so they look exactly as those commands do. Part 3 runs small
//! experiments the same way, quietly, and reports a table computed from
//! their events. Every run's config is built with the demo's
//! (config::demo::Runs); the demo aims each client at the port its server
//! was given.

mod log;
mod netem;
mod table;
pub(crate) mod wire;

use std::io::{self, BufRead};
use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};

use crate::event::demo::DemoPart;
use crate::event::{Event, Role};
use crate::output::Board;

use crate::sink::Report;

use crate::config::demo::{DemoConfig, PATIENCE, Pause, TcpPair, UdpPair};
use log::{Entry, Log, Seen};
use wire::{DemoWire, Isolation};

/// Runs the demo. `isolation` is what [`wire::isolate`] found, before the
/// board's thread started.
pub(crate) fn run(config: &DemoConfig, board: &Board, isolation: &Isolation) -> Result<()> {
    let main = board.main();
    let mut pause = config.pause;
    if pause == Pause::NoTerminal {
        let message = crate::msg!("notice-step-no-terminal");
        main.emit(Event::Notice { conn: None, message })?;
    }
    match isolation {
        Isolation::Private => {
            let message = crate::msg!("notice-demo-private-netns");
            main.emit(Event::Notice { conn: None, message })?;
        }
        // The demo goes on without packets: a note, not an error (as the
        // CAP_NET_RAW note of a runner).
        Isolation::Refused(why) => main.emit(Event::Notice { conn: None, message: why.clone() })?,
        Isolation::NotAsked | Isolation::Host => {}
    }
    let wire = DemoWire::new(&config.packets, isolation, board)?;
    let wire = wire.as_ref();

    main.emit(Event::DemoPart { part: DemoPart::TcpExchange })?;
    let tcp = tcp_exchange(board, wire, &config.runs.tcp_exchange)?;
    wait_for_enter(&mut pause, &main, DemoPart::UdpExchange)?;

    main.emit(Event::DemoPart { part: DemoPart::UdpExchange })?;
    let udp = udp_exchange(board, wire, &config.runs.udp_exchange)?;
    wait_for_enter(&mut pause, &main, DemoPart::Table)?;

    main.emit(Event::DemoPart { part: DemoPart::Table })?;
    let rows = [
        table::boundaries(wire, &config.runs.boundaries)?,
        table::truncation(wire, &config.runs.truncation)?,
        table::closed_port(wire, &config.runs.closed_port)?,
        table::ports(&tcp, &udp),
    ];
    for row in rows {
        main.emit(Event::DemoRow(row))?;
    }
    if let Some(impair) = &config.impair {
        main.emit(Event::DemoRow(netem::row(impair)))?;
    }
    match wire {
        Some(wire) => wire.finish(),
        None => Ok(()),
    }
}

fn wait_for_enter(pause: &mut Pause, main: &Report, next: DemoPart) -> Result<()> {
    if *pause != Pause::OnEnter {
        return Ok(());
    }
    main.emit(Event::DemoPause { next })?;
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line)? == 0 {
        // Ctrl-D: no more pauses.
        *pause = Pause::Never;
    }
    Ok(())
}

/// The addresses of one exchange, for the table's ports row.
pub(crate) struct Exchange {
    pub(crate) server: SocketAddr,
    pub(crate) client: SocketAddr,
}

/// The course's exchange over TCP: part 1.
fn tcp_exchange(board: &Board, wire: Option<&DemoWire>, runs: &TcpPair) -> Result<Exchange> {
    let ends = (Some(board.end("tcp_exchange", Role::Server)), Some(board.end("tcp_exchange", Role::Client)));
    let server = runs.server.clone();
    let run = pair(
        ends,
        wire.map(|wire| (wire, Some("tcp_exchange"))),
        move |report| crate::tcp::serve::run(&server, report),
        |report, addr| crate::tcp::connect::run(&runs.client.aimed_at(addr), report),
    )?;
    run.server_result?;
    let client = run.client.iter().find_map(|e| match e.seen {
        Seen::Connected(local) => Some(local),
        _ => None,
    });
    Ok(Exchange {
        server: run.server_addr,
        client: client.ok_or_else(|| anyhow!("the TCP client never connected"))?,
    })
}

/// The course's exchange over UDP: part 2.
fn udp_exchange(board: &Board, wire: Option<&DemoWire>, runs: &UdpPair) -> Result<Exchange> {
    let ends = (Some(board.end("udp_exchange", Role::Server)), Some(board.end("udp_exchange", Role::Client)));
    let server = runs.server.clone();
    let run = pair(
        ends,
        wire.map(|wire| (wire, Some("udp_exchange"))),
        move |report| crate::udp::serve::run(&server, report),
        |report, addr| crate::udp::send::run(&runs.client.aimed_at(addr), report),
    )?;
    run.server_result?;
    let client = run.client.iter().find_map(|e| match e.seen {
        Seen::SendingFrom(local) => Some(local),
        _ => None,
    });
    Ok(Exchange {
        server: run.server_addr,
        client: client.ok_or_else(|| anyhow!("the UDP client never sent"))?,
    })
}

/// What one server and one client did.
pub(crate) struct Pair {
    pub(crate) server_addr: SocketAddr,
    pub(crate) server: Vec<Entry>,
    pub(crate) client: Vec<Entry>,
    pub(crate) server_result: Result<()>,
    /// When the client started.
    pub(crate) started: Instant,
    /// The packets between the two, when they were watched.
    pub(crate) packets: Vec<crate::event::packet::PacketEvent>,
}

/// The reports of the two ends a person watches; none for a quiet run.
type Ends = (Option<Report>, Option<Report>);

/// The capture to watch a pair with, and the part whose packets it shows
/// (none: kept for the table).
type Watch<'a> = Option<(&'a DemoWire<'a>, Option<&'static str>)>;

/// Runs `server` on a thread of its own and, once it is bound, `client`
/// on this one with the server's address; then waits for the server to
/// end. A client's failure is the run's; the server's is returned. With
/// `watch`, their packets are captured from the client's start to the
/// server's end.
fn pair(
    (server_out, client_out): Ends,
    watch: Watch<'_>,
    server: impl FnOnce(Report) -> Result<()> + Send + 'static,
    client: impl FnOnce(Report, SocketAddr) -> Result<()>,
) -> Result<Pair> {
    let (server_log, client_log) = (Log::default(), Log::default());
    let report = server_out.unwrap_or_else(Report::discard).with_tap(server_log.tap());
    let handle = thread::Builder::new().name("demo server".into()).spawn(move || server(report))?;
    let ready = Instant::now();
    let server_addr = loop {
        let found = server_log.wait_for(Duration::from_millis(20), |seen| match seen {
            Seen::Listening(addr) => Some(*addr),
            _ => None,
        });
        if let Some(addr) = found {
            break addr;
        }
        if handle.is_finished() {
            handle.join().unwrap_or_else(|_| bail!("the demo's server panicked"))?;
            bail!("the demo's server ended before it was ready");
        }
        if ready.elapsed() > PATIENCE {
            bail!("the demo's server was not ready within {}s", PATIENCE.as_secs());
        }
    };

    let watching = watch.map(|(wire, part)| wire.watch(server_addr, part)).transpose()?;
    let started = Instant::now();
    let report = client_out.unwrap_or_else(Report::discard).with_tap(client_log.tap());
    client(report, server_addr)?;
    let ended = Instant::now();
    while !handle.is_finished() {
        if ended.elapsed() > PATIENCE {
            bail!("the demo's server did not finish within {}s", PATIENCE.as_secs());
        }
        thread::sleep(Duration::from_millis(2));
    }
    let server_result = handle.join().unwrap_or_else(|_| bail!("the demo's server panicked"));
    let packets = match watching {
        Some(watching) => watching.finish()?,
        None => Vec::new(),
    };
    Ok(Pair {
        server_addr,
        server: server_log.entries(),
        client: client_log.entries(),
        server_result,
        started,
        packets,
    })
}

/// Runs `client` alone, quietly; returns what it reported, its result, and
/// how long it took.
fn solo(client: impl FnOnce(Report) -> Result<()>) -> (Vec<Entry>, Result<()>, Duration) {
    let log = Log::default();
    let start = Instant::now();
    let result = client(Report::discard().with_tap(log.tap()));
    (log.entries(), result, start.elapsed())
}
