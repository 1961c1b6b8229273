//! A receive timeout (SO_RCVTIMEO) as each system counts it, so that a
//! short wait stays a short wait.
//!
//! - Unix: a timeval, in microseconds; a zero timeval means "wait forever",
//!   so a wait under 1 µs is rounded up to 1 µs.
//! - Windows: a DWORD of milliseconds, where 0 also means forever; socket2
//!   truncates to whole milliseconds, so a wait under 1 ms blocked for good
//!   (seen under Wine: `udp send --wait` hung at its last, sub-millisecond
//!   wait). Rounded up to whole milliseconds here.

use std::io;
use std::time::Duration;

use socket2::Socket;

/// The smallest wait this system's timeout can hold.
const GRAIN: Duration = if cfg!(windows) { Duration::from_millis(1) } else { Duration::from_micros(1) };

/// Sets `socket`'s receive timeout to `limit`, rounded up to the system's
/// grain: never 0, which would mean forever.
pub(crate) fn set_read(socket: &Socket, limit: Duration) -> io::Result<()> {
    socket.set_read_timeout(Some(round_up(limit)))
}

fn round_up(limit: Duration) -> Duration {
    let grain = GRAIN.as_nanos();
    let grains = limit.as_nanos().div_ceil(grain).max(1);
    Duration::from_nanos(u64::try_from(grains * grain).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_wait_is_never_zero() {
        assert_eq!(round_up(Duration::ZERO), GRAIN);
        assert_eq!(round_up(Duration::from_nanos(1)), GRAIN);
        assert_eq!(round_up(GRAIN * 3), GRAIN * 3);
        assert_eq!(round_up(GRAIN * 3 + Duration::from_nanos(1)), GRAIN * 4);
    }
}
