//! Network interfaces by name or index, for the zone of a link-local IPv6
//! address (`fe80::1%eth0`, `fe80::1%2`).
//!
//! - Unix (Linux, macOS): if_nameindex(3) lists them; a number must be the
//!   index of one, a name is looked up (`ip link` on Linux, `ifconfig` on
//!   macOS show them).
//! - Windows: names are not looked up yet: the zone is given as the
//!   interface's index (`netsh int ipv6 show interfaces` lists them), and
//!   the error says so.

/// The index of the interface a zone names: a number is taken as an index
/// (and must exist), a name is looked up.
#[cfg(unix)]
pub(crate) fn index_of(zone: &str) -> Result<u32, String> {
    let known = nix::net::if_::if_nameindex().map_err(|e| format!("cannot list the interfaces: {e}"))?;
    let list = if cfg!(target_os = "linux") { "ip link" } else { "ifconfig" };
    if let Ok(index) = zone.parse::<u32>() {
        return match known.iter().any(|i| i.index() == index) {
            true => Ok(index),
            false => Err(format!("no interface has index {index} here (see `{list}`)")),
        };
    }
    match known.iter().find(|i| i.name().to_bytes() == zone.as_bytes()) {
        Some(interface) => Ok(interface.index()),
        None => Err(format!("no interface is named '{zone}' here (see `{list}`)")),
    }
}

/// Only an index can be given here.
#[cfg(not(unix))]
pub(crate) fn index_of(zone: &str) -> Result<u32, String> {
    zone.parse::<u32>().map_err(|_| {
        "give the zone as an interface index (%2; `netsh int ipv6 show interfaces` lists them): names are not looked up on this system"
            .to_string()
    })
}
