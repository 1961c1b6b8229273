//! The addresses of this machine: a datagram that claims to come from one
//! of them, on the server's own port, would make the server answer itself.
//!
//! - Unix: getifaddrs(3): each interface's addresses and, for IPv4, its
//!   broadcast address (a source no real sender has).
//! - Elsewhere: none are listed yet; the caller still knows the loopback
//!   ranges and the address it is bound to.

use std::net::IpAddr;
#[cfg(unix)]
use std::net::SocketAddr;

/// This machine's interface addresses and broadcast addresses, as far as
/// the system lets us list them (empty when it does not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LocalAddrs {
    pub(crate) addresses: Vec<IpAddr>,
    pub(crate) broadcasts: Vec<IpAddr>,
}

#[cfg(unix)]
pub(crate) fn list() -> LocalAddrs {
    let mut found = LocalAddrs::default();
    let Ok(all) = nix::ifaddrs::getifaddrs() else { return found };
    for interface in all {
        if let Some(ip) = interface.address.as_ref().and_then(ip_of) {
            found.addresses.push(ip);
        }
        if let Some(ip) = interface.broadcast.as_ref().and_then(ip_of) {
            found.broadcasts.push(ip);
        }
    }
    found
}

#[cfg(unix)]
fn ip_of(addr: &nix::sys::socket::SockaddrStorage) -> Option<IpAddr> {
    let socket = addr
        .as_sockaddr_in()
        .map(|v4| SocketAddr::from(*v4))
        .or_else(|| addr.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6)))?;
    Some(socket.ip())
}

#[cfg(not(unix))]
pub(crate) fn list() -> LocalAddrs {
    LocalAddrs::default()
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn lists_the_loopback() {
        let local = super::list();
        assert!(local.addresses.iter().any(|ip| ip.is_loopback()), "{local:?}");
    }
}
