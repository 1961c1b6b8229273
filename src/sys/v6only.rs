//! IPV6_V6ONLY when nobody sets it: whether an IPv6 socket bound to ::
//! also takes IPv4 peers (dual-stack).
//!
//! - Linux: 0, dual-stack (net.ipv6.bindv6only, 0 unless changed).
//! - macOS: 0, dual-stack.
//! - Windows: 1, IPv6 only: a dual-stack socket must clear it.
//!
//! netplay never assumes it: a socket it does not set reports the value
//! read back. This is for the help text.

/// The value a new IPv6 socket has here, unless the system was changed.
#[cfg(all(test, target_os = "linux"))]
pub(crate) const DEFAULT: bool = cfg!(windows);

/// `--v6only`'s help, with this system's default.
#[cfg(target_os = "linux")]
pub(crate) const HELP: &str = "IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's (false on Linux, unless net.ipv6.bindv6only is 1), shown in the step report";
#[cfg(target_os = "macos")]
pub(crate) const HELP: &str = "IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's (false on macOS), shown in the step report";
#[cfg(windows)]
pub(crate) const HELP: &str = "IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's (true on Windows: IPv6 only), shown in the step report";
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub(crate) const HELP: &str = "IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's, shown in the step report";

/// [`HELP`] from the catalogues, in the reader's language (`--help`).
pub(crate) fn help() -> crate::i18n::Msg {
    if cfg!(target_os = "linux") {
        crate::msg!("help-v6only-linux")
    } else if cfg!(target_os = "macos") {
        crate::msg!("help-v6only-macos")
    } else if cfg!(windows) {
        crate::msg!("help-v6only-windows")
    } else {
        crate::msg!("help-v6only-other")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn linux_default_matches_a_new_socket() {
        let bindv6only = std::fs::read_to_string("/proc/sys/net/ipv6/bindv6only").unwrap_or_default();
        if let Ok(socket) = socket2::Socket::new(socket2::Domain::IPV6, socket2::Type::STREAM, None)
            && bindv6only.trim() == "0"
        {
            assert_eq!(socket.only_v6().unwrap(), super::DEFAULT);
        }
    }
}
