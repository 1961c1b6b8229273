//! TCP, the connected mode: `tcp serve` and `tcp connect`.

pub mod connect;
pub mod cut;
pub mod direct;
pub mod hub;
pub mod outbox;
pub mod plan;
pub mod serve;
