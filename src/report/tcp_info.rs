//! TCP_INFO's figures in a few words, for people: the line under a closed
//! connection (the terminal's and the page's) and the benchmark table's
//! cell. What the kernel gives is read in model::tcp_info.

use std::time::Duration;

use crate::i18n::{Arg, Lang};
use crate::model::tcp_info::TcpInfo;
use crate::msg;

/// TCP_INFO's figures at a connection's close, in a few words: `rtt 38µs
/// (±19µs), cwnd 10, 0 retransmitted`. Its segment and byte counts are left
/// out: they stop where the kernel last listed the connection, which varies
/// from run to run (FIN_WAIT1, ESTABLISHED, CLOSE_WAIT for one exchange);
/// the ladder's totals ([`wire_total`](super::packets::wire_total)) count
/// what crossed, whole.
pub(crate) fn close_text(lang: Lang, info: &TcpInfo) -> String {
    let micros = |us: u32| Arg::duration(Duration::from_micros(u64::from(us)));
    msg!(
        "tcp-info-close",
        rtt = micros(info.rtt_us),
        rtt_var = micros(info.rtt_var_us),
        cwnd = info.cwnd,
        retransmits = Arg::count(info.retransmits)
    )
    .render(lang)
}

/// TCP_INFO's figures in a few words: `rtt 38µs (±19µs), cwnd 10, 0
/// retransmitted, 5 segments in, 6 out, 17 B acked`.
pub(crate) fn text(lang: Lang, info: &TcpInfo) -> String {
    let micros = |us: u32| Arg::duration(Duration::from_micros(u64::from(us)));
    msg!(
        "tcp-info",
        rtt = micros(info.rtt_us),
        rtt_var = micros(info.rtt_var_us),
        cwnd = info.cwnd,
        retransmits = Arg::count(info.retransmits),
        segs_in = Arg::count(info.segs_in),
        segs_out = Arg::count(info.segs_out),
        acked = Arg::bytes(info.bytes_acked)
    )
    .render(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_info_in_a_line() {
        let info = TcpInfo {
            state: 8,
            rtt_us: 38,
            rtt_var_us: 19,
            cwnd: 10,
            mss: 32768,
            retransmits: 0,
            segs_in: 5,
            segs_out: 6,
            bytes_acked: 17,
            bytes_received: 16,
            unacked: 0,
            notsent: 0,
            read_us: None,
            sacked: 0,
        };
        assert_eq!(
            text(Lang::En, &info),
            "rtt 38µs (±19µs), cwnd 10, 0 retransmitted, 5 segments in, 6 out, 17 B acked"
        );
    }
}
