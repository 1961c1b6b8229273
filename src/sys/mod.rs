//! What differs from one operating system to another, one small module per
//! fact, with `cfg` inside it: runners call the fact and never test the OS.
//! A system a fact is not written for yet degrades to one plain sentence.

pub mod drops;
pub mod in_use;
pub mod local_addrs;
pub mod reuse;
pub mod stop;
