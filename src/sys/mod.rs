//! What differs from one operating system to another, one small module per
//! fact, with `cfg` inside it: runners call the fact and never test the OS.
//! Each module's doc says what each system does. A facility a system lacks
//! degrades to one plain sentence, said where it would have been used.

pub(crate) mod backlog;
pub(crate) mod datagram;
pub(crate) mod drops;
pub(crate) mod ephemeral;
pub(crate) mod fifo;
pub(crate) mod in_use;
pub(crate) mod interfaces;
pub(crate) mod local_addrs;
pub(crate) mod mapped;
pub(crate) mod netns;
pub(crate) mod offload;
pub(crate) mod open_files;
pub(crate) mod privileged;
pub(crate) mod rcvbuf;
pub(crate) mod ready;
pub(crate) mod refused;
pub(crate) mod reuse;
pub(crate) mod reuse_port;
pub(crate) mod signals;
pub(crate) mod stop;
pub(crate) mod terminal;
pub(crate) mod timeout;
pub(crate) mod v6only;
pub(crate) mod zerocopy;
