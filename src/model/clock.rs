//! One clock for the whole process, so that every event can be put in the
//! order it happened whichever thread or task saw it, and every time shown
//! can be compared with every other: `+1.234ms` means 1.234 ms after
//! netplay started, on every line of every end.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

/// When the process started, as this clock counts: the first call to
/// [`start`] or [`now`]. `lib::run` makes it the very first thing.
static START: OnceLock<(Instant, SystemTime)> = OnceLock::new();

/// Starts the clock (if it has not started yet) and returns its origin.
pub(crate) fn start() -> Instant {
    START.get_or_init(|| (Instant::now(), SystemTime::now())).0
}

/// The same origin on the wall clock, to turn a kernel timestamp (a packet
/// capture's) into a [`Stamp`].
pub(crate) fn wall_start() -> SystemTime {
    start();
    START.get().map_or(SystemTime::UNIX_EPOCH, |s| s.1)
}

/// A moment on the process clock: the time since the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) struct Stamp(#[serde(serialize_with = "serialize_micros")] pub Duration);

impl Stamp {
    pub(crate) const ZERO: Stamp = Stamp(Duration::ZERO);

    /// The stamp of an instant (before the start counts as the start).
    pub(crate) fn of(instant: Instant) -> Stamp {
        Stamp(instant.saturating_duration_since(start()))
    }

    /// The stamp of a wall-clock time, such as a kernel packet timestamp.
    #[cfg(test)]
    pub(crate) fn of_wall(time: SystemTime) -> Stamp {
        Stamp(time.duration_since(wall_start()).unwrap_or_default())
    }

    /// The next representable stamp: one nanosecond later.
    pub(crate) fn next(self) -> Stamp {
        Stamp(self.0 + Duration::from_nanos(1))
    }
}

/// Now, on the process clock.
pub(crate) fn now() -> Stamp {
    Stamp::of(Instant::now())
}

/// A duration as whole microseconds, the unit of every `*_us` field of the
/// JSON events.
pub(crate) fn serialize_micros<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_micros().min(u64::MAX as u128) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_grow_and_convert_from_the_wall_clock() {
        let a = now();
        let b = now();
        assert!(b >= a);
        // A wall-clock time converts by its distance from the same origin,
        // exactly (no bound on how far the two clocks drift: a loaded
        // machine or a stepped wall clock would break one).
        for d in
            [Duration::ZERO, Duration::from_nanos(1), Duration::from_micros(1_500), Duration::from_secs(3600)]
        {
            assert_eq!(Stamp::of_wall(wall_start() + d), Stamp(d));
        }
        assert_eq!(Stamp::of_wall(SystemTime::UNIX_EPOCH), Stamp::ZERO);
        assert_eq!(Stamp::of_wall(wall_start() - Duration::from_secs(1)), Stamp::ZERO);
    }
}
