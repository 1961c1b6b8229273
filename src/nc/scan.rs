//! `netplay nc -z`: does something listen?
//! Each port is connected to as `tcp connect` does, then closed at once,
//! without a byte either way. The run succeeds when one port at least took
//! the connection, as nc's does.

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::Result;

use crate::config::nc::ScanConfig;
use crate::event::Event;
use crate::model::Op;
use crate::msg;
use crate::net::NetError;
use crate::net::addr::Target;
use crate::sink::Report;
use crate::tcp::connect;

/// A scan where no port took the connection.
#[derive(Debug, thiserror::Error)]
#[error("{}", msg!("error-scan-none-open", host = .host.as_str(), ports = .ports.as_str()))]
pub(crate) struct NoneOpen {
    pub(crate) host: String,
    /// The ports tried, as a list.
    pub(crate) ports: String,
}

pub(crate) fn run(config: &ScanConfig, report: Report) -> Result<()> {
    let mut open = 0;
    let mut last = None;
    for (conn, &port) in (1u64..).zip(&config.ports) {
        let target = Target { host: config.host.clone(), port };
        let start = Instant::now();
        let stream =
            connect::open(&target, config.family, config.bind, config.options, config.timeout, &report, None);
        let stream = match stream {
            Ok(stream) => stream,
            Err(e) if matches!(e.downcast_ref::<NetError>(), Some(NetError::AllAttemptsFailed { .. })) => {
                last = Some(e);
                continue;
            }
            // A name that does not resolve, a source that cannot be bound:
            // no other port would do better.
            Err(e) => return Err(e),
        };
        open += 1;
        let peer =
            stream.peer_addr().map_err(|e| NetError::socket(Op::GetPeerName, target_addr(&stream), e))?;
        let local = stream.local_addr().map_err(|e| NetError::socket(Op::GetSockName, peer, e))?;
        let ephemeral = config.bind.is_none_or(|bind| bind.port() == 0);
        report.emit(Event::Connected { conn, local, peer, ephemeral })?;
        drop(stream);
        report.emit(Event::Closed {
            conn,
            bytes_in: 0,
            bytes_out: 0,
            duration: start.elapsed(),
            reason: Some(msg!("reason-probe")),
            tcp_info: None,
        })?;
    }
    match (open, last) {
        (0, Some(last)) if config.ports.len() == 1 => Err(last),
        (0, _) => {
            let ports = config.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
            Err(NoneOpen { host: config.host.clone(), ports }.into())
        }
        _ => Ok(()),
    }
}

/// An address to name in an error about `stream` before its peer is known.
fn target_addr(stream: &std::net::TcpStream) -> SocketAddr {
    stream.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
}
