//! What packet capture costs a fast transfer: one loopback TCP transfer
//! between two std sockets (client thread → server thread, 128 KiB writes),
//! with or without a capture thread filtering it. Used by
//! scripts/bench-capture.sh, which also runs tcpdump beside the plain mode.
//!
//! ```text
//! capture_bench free-port
//! capture_bench MODE PORT BYTES     MODE: plain | ladder | pcap
//! ```
//! - `plain`: no capture.
//! - `ladder`: what `--packets` does: headers only (256 bytes), each packet
//!   parsed, given relative numbers and drawn as a ladder line (discarded).
//! - `pcap`: what `--pcap` does: whole packets written to a pcap file on
//!   /dev/null, like `tcpdump -w /dev/null`.
//!
//! Prints one line: `mode=... bytes=... secs=... gbit_per_s=... packets=...
//! drops=...`.

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("capture_bench: packet capture is Linux-only");
}

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    linux::main()
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{BufWriter, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    use netplay::capture::{Capture, CaptureOptions, Flows, HEADERS_ONLY, Interface, Pcap, WHOLE_PACKETS};
    use netplay::report::ladder::{self, Ends};

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let usage = "usage: capture_bench free-port | capture_bench plain|ladder|pcap PORT BYTES";
        match args.as_slice() {
            [cmd] if cmd == "free-port" => {
                let l = TcpListener::bind("127.0.0.1:0").expect("bind");
                println!("{}", l.local_addr().unwrap().port());
                ExitCode::SUCCESS
            }
            [mode, port, bytes] => {
                let (Ok(port), Ok(bytes)) = (port.parse::<u16>(), bytes.parse::<u64>()) else {
                    eprintln!("{usage}");
                    return ExitCode::from(2);
                };
                match run(mode, port, bytes) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("capture_bench: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            _ => {
                eprintln!("{usage}");
                ExitCode::from(2)
            }
        }
    }

    fn run(mode: &str, port: u16, bytes: u64) -> Result<(), String> {
        let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("bind {port}: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let snaplen = match mode {
            "plain" => None,
            "ladder" => Some(HEADERS_ONLY),
            "pcap" => Some(WHOLE_PACKETS),
            other => return Err(format!("unknown mode {other}")),
        };
        let capture = match snaplen {
            None => None,
            Some(snaplen) => {
                let lo = Interface::loopback().map_err(|e| e.to_string())?;
                let options = CaptureOptions { interface: lo.name, ports: vec![port], snaplen };
                Some(Capture::open(&options).map_err(|e| e.to_string())?)
            }
        };
        let reader = capture.map(|capture| {
            let stop = stop.clone();
            let pcap = mode == "pcap";
            thread::spawn(move || read_packets(capture, pcap, &stop))
        });

        let server = thread::spawn(move || {
            let (mut conn, _) = listener.accept().expect("accept");
            let mut buf = vec![0u8; 256 * 1024];
            let mut total = 0u64;
            loop {
                match conn.read(&mut buf) {
                    Ok(0) => break total,
                    Ok(n) => total += n as u64,
                    Err(e) => panic!("read: {e}"),
                }
            }
        });
        let chunk = vec![0x5au8; 128 * 1024];
        let start = Instant::now();
        let mut client = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            client.write_all(&chunk[..n]).map_err(|e| e.to_string())?;
            left -= n as u64;
        }
        drop(client);
        let received = server.join().map_err(|_| "server thread panicked")?;
        let secs = start.elapsed().as_secs_f64();
        // Let the capture read the last packets (FIN, ACK) before it stops.
        thread::sleep(Duration::from_millis(100));
        stop.store(true, Ordering::Relaxed);
        let (packets, drops) = match reader {
            Some(r) => r.join().map_err(|_| "capture thread panicked")??,
            None => (0, 0),
        };
        if received != bytes {
            return Err(format!("received {received} of {bytes} bytes"));
        }
        println!(
            "mode={mode} bytes={bytes} secs={secs:.3} gbit_per_s={:.2} packets={packets} drops={drops}",
            bytes as f64 * 8.0 / secs / 1e9
        );
        Ok(())
    }

    /// The capture thread: reads until told to stop; returns the packets
    /// read and the kernel's drop count.
    fn read_packets(mut capture: Capture, pcap: bool, stop: &AtomicBool) -> Result<(u64, u32), String> {
        let mut flows = Flows::new();
        let mut file = if pcap {
            let out = BufWriter::new(
                std::fs::OpenOptions::new().write(true).open("/dev/null").map_err(|e| e.to_string())?,
            );
            Some(Pcap::new(out, WHOLE_PACKETS).map_err(|e| e.to_string())?)
        } else {
            None
        };
        let mut ends: Option<Ends> = None;
        let mut count = 0u64;
        let mut line_bytes = 0usize;
        while !stop.load(Ordering::Relaxed) {
            let Some(mut c) = capture.recv(Duration::from_millis(20)).map_err(|e| e.to_string())? else {
                continue;
            };
            count += 1;
            match &mut file {
                Some(pcap) => pcap.write(&c.frame).map_err(|e| e.to_string())?,
                None => {
                    flows.annotate(&mut c.packet);
                    let e =
                        ends.get_or_insert_with(|| Ends::new("client", c.packet.from, "server", c.packet.to));
                    line_bytes += ladder::line(&c.packet, e, false, 80).len();
                }
            }
        }
        if let Some(pcap) = file {
            pcap.finish().map_err(|e| e.to_string())?;
        }
        std::hint::black_box(line_bytes);
        Ok((count, capture.drops()))
    }
}
