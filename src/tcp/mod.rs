//! TCP, the connected mode: `tcp serve` and `tcp connect`.

pub(crate) mod connect;
pub(crate) mod cut;
pub(crate) mod direct;
pub(crate) mod hub;
pub(crate) mod outbox;
pub(crate) mod owed;
pub(crate) mod plan;
pub(crate) mod serve;
