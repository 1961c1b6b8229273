//! Facts about ports that the course teaches (model::ports: 16 bits,
//! 0-1023 reserved for well-known services), and those the system decides:
//! the ephemeral range client ports come from, the cap on listen backlogs.

use std::ops::RangeInclusive;

/// The range the OS picks ephemeral (client) ports from; None where it
/// cannot be read (each system's way: [`crate::sys::ephemeral`]).
pub(crate) fn ephemeral_range() -> Option<RangeInclusive<u16>> {
    crate::sys::ephemeral::range().map(|r| r.low..=r.high)
}

/// The system's cap on listen backlogs, if readable ([`crate::sys::backlog`]).
pub(crate) fn somaxconn() -> Option<i32> {
    crate::sys::backlog::cap()
}
