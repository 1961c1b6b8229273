//! Facts about ports that the course teaches (model::ports: 16 bits,
//! 0-1023 reserved for well-known services), and those the system decides:
//! the ephemeral range client ports come from, the cap on listen backlogs.

use std::ops::RangeInclusive;

/// The range the OS picks ephemeral (client) ports from; None where it
/// cannot be read (each system's way: [`crate::sys::ephemeral`]).
pub(crate) fn ephemeral_range() -> Option<RangeInclusive<u16>> {
    crate::sys::ephemeral::range().map(|r| r.low..=r.high)
}

/// Ports no bind to port 0 is given, so none the OS may hand a client
/// meanwhile: the upper half of those between the well-known ports and the
/// ephemeral range ([`crate::sys::ephemeral::first`]; Linux's default
/// gives 16384-32767, macOS's and Windows' 24576-49151). None when the
/// range starts too low to leave any (at 1024 or below).
pub(crate) fn below_ephemeral() -> Option<RangeInclusive<u16>> {
    let first = crate::sys::ephemeral::first();
    let low = (first / 2).max(crate::model::ports::FIRST_UNPRIVILEGED);
    (low < first).then(|| low..=first - 1)
}

/// The system's cap on listen backlogs, if readable ([`crate::sys::backlog`]).
pub(crate) fn somaxconn() -> Option<i32> {
    crate::sys::backlog::cap()
}
