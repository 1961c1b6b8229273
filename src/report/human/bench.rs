//! The human reporter's benchmarks: progress lines and results.

use super::*;

impl Human {
    pub(super) fn bench_progress(&mut self, progress: &BenchProgress) {
        let lang = self.style.lang;
        let verb = self.t(match progress.side {
            BenchSide::Receiver => msg!("bench-received"),
            BenchSide::Sender | BenchSide::Local => msg!("bench-sent"),
        });
        let datagrams = progress
            .datagrams
            .map(|n| format!(" {}", self.t(msg!("bench-datagrams", n = Arg::count(n)))))
            .unwrap_or_default();
        // The sender's TCP_INFO, short enough for the one line.
        let tcp = progress
            .tcp_info
            .as_ref()
            .map(|info| {
                let rtt = Arg::duration(std::time::Duration::from_micros(u64::from(info.rtt_us)));
                format!(
                    "   {}",
                    self.t(msg!(
                        "bench-progress-tcp-info",
                        rtt = rtt,
                        cwnd = info.cwnd,
                        retransmits = info.retransmits
                    ))
                )
            })
            .unwrap_or_default();
        let elapsed = crate::i18n::units::format_duration_in(lang, progress.elapsed);
        let text = format!(
            "  {:>7}  {verb} {}{datagrams}   {}{tcp}",
            elapsed,
            crate::i18n::units::format_bytes_in(lang, progress.bytes),
            crate::i18n::units::format_bits_per_second_in(lang, progress.bits_per_second)
        );
        // No newline: the next progress event or the summary replaces it.
        self.buf.extend_from_slice(text.as_bytes());
        self.progress_shown = true;
    }

    pub(super) fn route(side: BenchSide, local: &SocketAddr, peer: &SocketAddr) -> String {
        match side {
            BenchSide::Receiver => format!("{peer} → {local}"),
            BenchSide::Sender | BenchSide::Local => format!("{local} → {peer}"),
        }
    }

    pub(super) fn tcp_bench(&mut self, result: &TcpBenchResult) {
        let route = Human::route(result.side, &result.local, &result.peer);
        let head = self.t(msg!("bench-head", proto = "TCP", route = route));
        let head = self.paint(Color::Green, &head);
        self.line(&head);
        for line in tables::tcp_bench(self.style.lang, result) {
            self.line(&format!("  {line}"));
        }
    }

    pub(super) fn udp_bench(&mut self, result: &UdpBenchResult) {
        let route = Human::route(result.side, &result.local, &result.peer);
        let size = result.size;
        let head = self.t(match result.rate {
            None => msg!("bench-head-udp", route = route, size = size),
            Some(0) => msg!("bench-head-udp-fast", route = route, size = size),
            Some(bps) => {
                msg!("bench-head-udp-rate", route = route, size = size, rate = Arg::rate(bps as f64))
            }
        });
        let head = self.paint(Color::Green, &head);
        self.line(&head);
        for line in tables::udp_bench(self.style.lang, result) {
            self.line(&format!("  {line}"));
        }
    }
}
