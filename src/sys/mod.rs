//! What differs from one operating system to another, one small module per
//! fact, with `cfg` inside it: runners call the fact and never test the OS.
//! Each module's doc says what each system does. A facility a system lacks
//! degrades to one plain sentence, said where it would have been used.

pub mod backlog;
pub mod datagram;
pub mod drops;
pub mod ephemeral;
pub mod fifo;
pub mod in_use;
pub mod interfaces;
pub mod local_addrs;
pub mod mapped;
pub mod netns;
pub mod offload;
pub mod open_files;
pub mod privileged;
pub mod rcvbuf;
pub mod ready;
pub mod refused;
pub mod reuse;
pub mod reuse_port;
pub mod signals;
pub mod stop;
pub mod terminal;
pub mod timeout;
pub mod v6only;
pub mod zerocopy;
