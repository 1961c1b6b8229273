//! SO_REUSEADDR: what it means differs by system, and so does the right
//! default for a TCP server.
//!
//! - Linux (checked on this kernel; tests/suite/restart.rs): bind() may take a
//!   port that only connections hold (an earlier server's, in TIME_WAIT for
//!   60 s after it closed them, or still open) when the new socket and
//!   every one of those set SO_REUSEADDR; a TIME_WAIT socket keeps the
//!   setting of the server it came from. It never lets a second socket
//!   listen on an address and port one already listens on (SO_REUSEPORT
//!   does that). Rust's std, tokio (mio) and Python's asyncio set it on
//!   every TCP listener, so netplay does too.
//! - Other Unix systems (BSD, macOS): the same restart after TIME_WAIT;
//!   they differ in details (binding a specific address beside a wildcard)
//!   that netplay does not describe yet.
//! - Windows: SO_REUSEADDR lets another socket take a port that is in use,
//!   even a listening one ("socket hijacking"), so netplay never sets it
//!   there by default, as Rust's std, libuv and Python's asyncio do not.
//!   Without it a restarted server binds beside its old connections in
//!   TIME_WAIT all the same (by default Windows does there what
//!   SO_REUSEADDR does on Unix), and only a socket of the same user that
//!   sets SO_REUSEADDR could take the port. SO_EXCLUSIVEADDRUSE closes that
//!   too, at a price: the port stays taken until the old connections are
//!   gone, the restart the course wants fails (trio dropped it for that).
//!   netplay cannot set it without `unsafe` (socket2 has no setter), and
//!   its default is the better one for a playground; the words say so.

/// Whether `tcp serve` sets SO_REUSEADDR unless told not to.
pub(crate) const TCP_SERVER_DEFAULT: bool = cfg!(unix);

/// `--no-reuse-addr`'s help.
#[cfg(target_os = "linux")]
pub(crate) const NO_REUSE_ADDR_HELP: &str = "Do not set SO_REUSEADDR. tcp serve sets it by default, as Rust's std, tokio and Python's asyncio do: on Linux it lets bind() take a port held only by connections of an earlier server (in TIME_WAIT up to 60s after that server closed them), if that server had set it too; it never lets two sockets listen on one address and port (SO_REUSEPORT does). Without it, a server restarted after closing connections fails with 'address already in use' for up to 60s: the course's pitfall, shown";

#[cfg(all(unix, not(target_os = "linux")))]
pub(crate) const NO_REUSE_ADDR_HELP: &str = "Do not set SO_REUSEADDR. tcp serve sets it by default, as Rust's std and tokio do: it lets a restarted server bind its port while connections of the earlier one wait in TIME_WAIT. Without it, the restart fails with 'address already in use' for a while: the course's pitfall, shown";

#[cfg(not(unix))]
pub(crate) const NO_REUSE_ADDR_HELP: &str = "Do not set SO_REUSEADDR: nothing to do on Windows, where tcp serve never sets it (there it would let another socket take the port while the server uses it) and a restarted server binds beside its old connections without it";

/// [`NO_REUSE_ADDR_HELP`] from the catalogues, in the reader's language.
pub(crate) fn no_reuse_addr_help() -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("help-no-reuse-addr-linux")
    } else if cfg!(unix) {
        crate::msg!("help-no-reuse-addr-unix")
    } else {
        crate::msg!("help-no-reuse-addr-windows")
    }
}

/// Why a TCP server's SO_REUSEADDR is off, under its socket step.
pub(crate) fn left_off() -> crate::i18n::Msg {
    if cfg!(unix) { crate::msg!("step-reuseaddr-off") } else { crate::msg!("step-reuseaddr-off-windows") }
}

/// Said when SO_REUSEADDR is set where it lets another socket take a port
/// in use (`udp serve --reuse-addr` on Windows).
pub(crate) fn when_set() -> Option<crate::i18n::Msg> {
    cfg!(windows).then(|| crate::msg!("notice-reuseaddr-windows"))
}

/// Whether a client bound to a --source-port sets SO_REUSEADDR, so the
/// port is free again while an earlier run's connection is in TIME_WAIT
/// (Unix); Windows binds it without, and there it would let the client
/// take a port in use.
pub(crate) const CLIENT_SOURCE_PORT: bool = cfg!(unix);

/// What SO_REUSEADDR does here, for `--explain` (the catalogues' words).
pub(crate) fn explained() -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("explain-reuseaddr-linux")
    } else if cfg!(unix) {
        crate::msg!("explain-reuseaddr-unix")
    } else {
        crate::msg!("explain-reuseaddr-windows")
    }
}
