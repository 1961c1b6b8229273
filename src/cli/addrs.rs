//! The addresses the flags name: a host flag given a port too (--host,
//! --bind) is refused with the port's own flag named, and a client's local
//! address is made from --bind and --source-port (nc's -s and -p). Shared by
//! netplay's own subcommands (convert) and nc's front (nc).

use std::net::SocketAddr;

use anyhow::Result;

use crate::event::Family;
use crate::exit::UsageError;
use crate::hexdump;
use crate::msg;
use crate::net::addr::{self, Target};

/// An address flag (--host, --bind) given a port too: the flag for the
/// port is named. Other hosts that cannot be one are refused by
/// [`addr::resolve`], before any lookup.
pub(super) fn flag_host(flag: &'static str, host: &str) -> Result<(), UsageError> {
    let ip = match host.parse::<SocketAddr>() {
        Ok(addr) => addr.ip().to_string(),
        Err(_) => match host.rsplit_once(':') {
            Some((ip, port))
                if !ip.contains(':') && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) =>
            {
                ip.to_string()
            }
            _ => return Ok(()),
        },
    };
    let (host, ip) = (hexdump::shown_text(host.as_bytes()), hexdump::shown_text(ip.as_bytes()));
    Err(UsageError(match flag {
        "--bind" => msg!("usage-bind-with-port", host = host, ip = ip),
        _ => msg!("usage-host-with-port", host = host, ip = ip),
    }))
}

/// A client's local address from --bind and --source-port, if either is
/// given.
pub(super) fn client_bind(
    bind: Option<&str>,
    source_port: Option<u16>,
    family: Option<Family>,
    target: &Target,
) -> Result<Option<SocketAddr>> {
    Ok(match (bind, source_port) {
        (None, None) => None,
        (Some(host), port) => {
            flag_host("--bind", host)?;
            Some(addr::resolve(host, port.unwrap_or(0), family)?[0])
        }
        (None, Some(port)) => {
            // Bind the wildcard of the family the target will use.
            let v6 = family == Some(Family::V6) || target.host.contains(':');
            let ip: std::net::IpAddr = if v6 { "::".parse()? } else { "0.0.0.0".parse()? };
            Some(SocketAddr::new(ip, port))
        }
    })
}
