//! Load generator for `netplay tcp serve --broadcast` and `ncat --broker`,
//! driven by scripts/bench-broker.sh. Not a user command: it lives here so
//! `cargo install` never ships it, while `cargo test` keeps it compiling.
//!
//! It opens many TCP clients to a broadcast server and measures one of:
//!
//! - `fanout`: client 0 sends fixed-size messages one at a time; the time
//!   until every other client has received a message is its fan-out time.
//!   Prints the percentiles of the fan-out time over the messages, and of
//!   each single delivery.
//! - `hold`: connects the clients, checks they are all served, prints
//!   `ready`, then holds them idle until stdin closes or `--hold` elapses.
//! - `flood`: `--senders` clients send messages at `--rate` per second in
//!   total for `--duration` while every client reads; prints the counts.
//!
//! Every message is `--size` bytes: "NPLG", a sequence number (u32 LE), the
//! send time in nanoseconds since the start of this process (u64 LE), then
//! filler. A message is complete at every receiver before the next is sent
//! in `fanout`, and the server relays whole chunks, so frames stay aligned.
//!
//! Loopback only, bounded in count and time: it ends by itself.

use std::io::{self, BufRead};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Semaphore;

const MAGIC: &[u8; 4] = b"NPLG";
const HEADER: usize = 16;
/// Sequence numbers kept for warm-up messages before the measured ones.
const WARMUPS: usize = 200;
/// Histogram of single deliveries: 10 µs buckets up to 20 s.
const BUCKET_US: u64 = 10;
const BUCKETS: usize = 2_000_000;

#[derive(Debug, Clone)]
struct Args {
    addr: SocketAddr,
    clients: usize,
    mode: String,
    messages: usize,
    size: usize,
    /// Connections in progress at once while connecting.
    connect_batch: usize,
    hold: Duration,
    senders: usize,
    rate: u64,
    duration: Duration,
    threads: usize,
    /// Pause between two measured messages.
    gap: Duration,
    /// Give up on a message after this long.
    patience: Duration,
    /// The server sends each message back to its sender too (--echo).
    echo: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: loadgen --addr HOST:PORT --clients N [--mode fanout|hold|flood] [--messages 100]\n\
         \x20      [--size 100] [--connect-batch 256] [--hold 60s] [--senders 10] [--rate 1000]\n\
         \x20      [--duration 10s] [--threads 1] [--gap 20ms] [--patience 5s] [--echo]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:12345".parse().unwrap(),
        clients: 100,
        mode: "fanout".into(),
        messages: 100,
        size: 100,
        connect_batch: 256,
        hold: Duration::from_secs(60),
        senders: 10,
        rate: 1000,
        duration: Duration::from_secs(10),
        threads: 1,
        gap: Duration::from_millis(20),
        patience: Duration::from_secs(5),
        echo: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--echo" {
            args.echo = true;
            continue;
        }
        let Some(value) = it.next() else { usage() };
        let duration = |v: &str| netplay::units::parse_duration(v).unwrap_or_else(|_| usage());
        let number = |v: &str| v.parse::<usize>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--addr" => args.addr = value.parse().unwrap_or_else(|_| usage()),
            "--clients" => args.clients = number(&value),
            "--mode" => args.mode = value,
            "--messages" => args.messages = number(&value),
            "--size" => args.size = number(&value).max(HEADER),
            "--connect-batch" => args.connect_batch = number(&value).max(1),
            "--hold" => args.hold = duration(&value),
            "--senders" => args.senders = number(&value).max(1),
            "--rate" => args.rate = number(&value).max(1) as u64,
            "--duration" => args.duration = duration(&value),
            "--threads" => args.threads = number(&value).max(1),
            "--gap" => args.gap = duration(&value),
            "--patience" => args.patience = duration(&value),
            _ => usage(),
        }
    }
    if args.clients < 2 || !["fanout", "hold", "flood"].contains(&args.mode.as_str()) {
        usage();
    }
    args
}

/// What the receivers record, shared with the main task.
struct Tally {
    epoch: Instant,
    /// Per sequence number: receivers that got it, and the latest arrival.
    count: Vec<AtomicUsize>,
    worst_ns: Vec<AtomicU64>,
    /// Single deliveries of measured messages.
    histogram: Vec<AtomicU32>,
    bytes: AtomicU64,
    frames: AtomicU64,
    /// Receivers whose connection ended before the run did.
    lost: AtomicUsize,
}

impl Tally {
    fn new(seqs: usize) -> Tally {
        Tally {
            epoch: Instant::now(),
            count: (0..seqs).map(|_| AtomicUsize::new(0)).collect(),
            worst_ns: (0..seqs).map(|_| AtomicU64::new(0)).collect(),
            histogram: (0..BUCKETS).map(|_| AtomicU32::new(0)).collect(),
            bytes: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            lost: AtomicUsize::new(0),
        }
    }

    fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    fn frame(&self, seq: usize, sent_ns: u64) {
        let took = self.now_ns().saturating_sub(sent_ns);
        if let (Some(count), Some(worst)) = (self.count.get(seq), self.worst_ns.get(seq)) {
            worst.fetch_max(took, Ordering::Relaxed);
            count.fetch_add(1, Ordering::Relaxed);
        }
        if seq >= WARMUPS {
            let bucket = ((took / 1000) / BUCKET_US).min(BUCKETS as u64 - 1) as usize;
            self.histogram[bucket].fetch_add(1, Ordering::Relaxed);
        }
        self.frames.fetch_add(1, Ordering::Relaxed);
    }

    fn delivery_percentile(&self, p: f64) -> f64 {
        let counts: Vec<u64> = self.histogram.iter().map(|c| c.load(Ordering::Relaxed) as u64).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return f64::NAN;
        }
        let want = ((total as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                return ((i as u64 + 1) * BUCKET_US) as f64 / 1000.0;
            }
        }
        f64::NAN
    }
}

fn frame(size: usize, seq: u32, sent_ns: u64) -> Vec<u8> {
    let mut msg = vec![b'x'; size];
    msg[..4].copy_from_slice(MAGIC);
    msg[4..8].copy_from_slice(&seq.to_le_bytes());
    msg[8..16].copy_from_slice(&sent_ns.to_le_bytes());
    msg[size - 1] = b'\n';
    msg
}

/// Reads frames until the connection ends, recording each.
async fn receive(mut reader: OwnedReadHalf, size: usize, tally: Arc<Tally>, parse: bool) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) | Err(_) => {
                tally.lost.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(n) => n,
        };
        tally.bytes.fetch_add(n as u64, Ordering::Relaxed);
        if !parse {
            continue;
        }
        pending.extend_from_slice(&buf[..n]);
        let whole = pending.len() / size * size;
        for msg in pending[..whole].chunks_exact(size) {
            if &msg[..4] != MAGIC {
                continue;
            }
            let seq = u32::from_le_bytes(msg[4..8].try_into().unwrap()) as usize;
            let sent = u64::from_le_bytes(msg[8..16].try_into().unwrap());
            tally.frame(seq, sent);
        }
        pending.drain(..whole);
    }
}

/// Opens `n` connections, `batch` at a time.
async fn connect_all(args: &Args) -> io::Result<Vec<TcpStream>> {
    let limit = Arc::new(Semaphore::new(args.connect_batch));
    let mut tasks = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let permit = limit.clone().acquire_owned().await.unwrap();
        let addr = args.addr;
        tasks.push(tokio::spawn(async move {
            let stream = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(addr)).await;
            drop(permit);
            let stream =
                stream.map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
            stream.set_nodelay(true)?;
            Ok::<_, io::Error>(stream)
        }));
    }
    let mut streams = Vec::with_capacity(args.clients);
    for task in tasks {
        streams.push(task.await.unwrap()?);
    }
    Ok(streams)
}

/// Sends warm-up messages from `sender` until one reaches all `expect`
/// receivers: then every client is registered with the server.
async fn warm_up(
    sender: &mut OwnedWriteHalf,
    tally: &Tally,
    size: usize,
    expect: usize,
) -> io::Result<usize> {
    for seq in 0..WARMUPS {
        sender.write_all(&frame(size, seq as u32, tally.now_ns())).await?;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if tally.count[seq].load(Ordering::Relaxed) >= expect {
                return Ok(seq + 1);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    Err(io::Error::other(format!("no warm-up message reached all {expect} receivers")))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64) * p).ceil().max(1.0) as usize - 1;
    sorted[rank.min(sorted.len() - 1)]
}

async fn run(args: Args) -> io::Result<()> {
    let started = Instant::now();
    let streams = connect_all(&args).await?;
    let connect_s = started.elapsed().as_secs_f64();
    let seqs = WARMUPS + args.messages;
    let tally = Arc::new(Tally::new(seqs));
    let parse = args.mode != "flood";
    let mut writers = Vec::with_capacity(streams.len());
    for stream in streams {
        let (reader, writer) = stream.into_split();
        tokio::spawn(receive(reader, args.size, tally.clone(), parse));
        writers.push(writer);
    }
    // Every client but the sender receives, and the sender too with --echo.
    let expect = if args.echo { args.clients } else { args.clients - 1 };
    let mut sender = writers.swap_remove(0);
    let warmups = if parse { warm_up(&mut sender, &tally, args.size, expect).await? } else { 0 };
    eprintln!(
        "loadgen: {} clients connected in {connect_s:.2}s; all served after {warmups} warm-up(s)",
        args.clients
    );

    match args.mode.as_str() {
        "fanout" => fanout(&args, &mut sender, &tally, expect, connect_s).await,
        "hold" => {
            println!("ready clients={}", args.clients);
            // Hold until stdin closes or --hold elapses, whichever first.
            let stdin_closed = tokio::task::spawn_blocking(|| {
                let mut line = String::new();
                while io::stdin().lock().read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    line.clear();
                }
            });
            let _ = tokio::time::timeout(args.hold, stdin_closed).await;
            let lost = tally.lost.load(Ordering::Relaxed);
            println!("held clients={} lost={lost}", args.clients);
            Ok(())
        }
        _ => {
            writers.push(sender);
            flood(&args, writers, &tally).await
        }
    }
}

async fn fanout(
    args: &Args,
    sender: &mut OwnedWriteHalf,
    tally: &Tally,
    expect: usize,
    connect_s: f64,
) -> io::Result<()> {
    let mut times = Vec::with_capacity(args.messages);
    let mut incomplete = 0;
    for i in 0..args.messages {
        let seq = WARMUPS + i;
        let sent = tally.now_ns();
        sender.write_all(&frame(args.size, seq as u32, sent)).await?;
        let deadline = Instant::now() + args.patience;
        loop {
            if tally.count[seq].load(Ordering::Relaxed) >= expect {
                times.push(tally.worst_ns[seq].load(Ordering::Relaxed) as f64 / 1e6);
                break;
            }
            if Instant::now() >= deadline {
                incomplete += 1;
                break;
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        tokio::time::sleep(args.gap).await;
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "fanout clients={} receivers={expect} messages={} size={} complete={} incomplete={incomplete} \
         p50_ms={:.1} p90_ms={:.1} p99_ms={:.1} max_ms={:.1} delivery_p50_ms={:.2} delivery_p99_ms={:.2} \
         lost={} connect_s={connect_s:.2}",
        args.clients,
        args.messages,
        args.size,
        times.len(),
        percentile(&sorted, 0.50),
        percentile(&sorted, 0.90),
        percentile(&sorted, 0.99),
        sorted.last().copied().unwrap_or(f64::NAN),
        tally.delivery_percentile(0.50),
        tally.delivery_percentile(0.99),
        tally.lost.load(Ordering::Relaxed),
    );
    Ok(())
}

async fn flood(args: &Args, mut writers: Vec<OwnedWriteHalf>, tally: &Tally) -> io::Result<()> {
    let senders: Vec<OwnedWriteHalf> = writers.drain(..args.senders.min(writers.len())).collect();
    let n = senders.len() as u64;
    // Each sender sends rate/n messages per second.
    let every = Duration::from_secs_f64(n as f64 / args.rate as f64);
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for mut writer in senders {
        let (sent, size, duration) = (sent.clone(), args.size, args.duration);
        tasks.push(tokio::spawn(async move {
            let msg = frame(size, 0, 0);
            let end = Instant::now() + duration;
            let mut tick = tokio::time::interval(every);
            while Instant::now() < end {
                tick.tick().await;
                if writer.write_all(&msg).await.is_err() {
                    break;
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
            // Kept open: a half-close would end the connection early.
            writer
        }));
    }
    let mut senders = Vec::new();
    for task in tasks {
        senders.extend(task.await.ok());
    }
    // Let the last messages arrive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent = sent.load(Ordering::Relaxed);
    let received = tally.bytes.load(Ordering::Relaxed) / args.size as u64;
    println!(
        "flood clients={} senders={n} sent={sent} received={received} expected={} lost={}",
        args.clients,
        sent * (args.clients as u64 - 1),
        tally.lost.load(Ordering::Relaxed)
    );
    drop((writers, senders));
    Ok(())
}

fn main() {
    let args = parse_args();
    // One client is one descriptor here too (Unix; Windows has no such limit).
    #[cfg(unix)]
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let runtime = if args.threads == 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads).enable_all().build()
    }
    .expect("start the runtime");
    if let Err(e) = runtime.block_on(run(args)) {
        eprintln!("loadgen: {e}");
        std::process::exit(1);
    }
    // The receivers still run; leave without waiting for them.
    runtime.shutdown_background();
}
