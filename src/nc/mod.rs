//! `netplay nc`, the nc front: OpenBSD nc's command line (cli/nc.rs reads
//! it) run by netplay's own runners, ending with the status nc would have.
//! Each nc mode is a runner's config: connecting is `tcp connect`,
//! listening `tcp serve`, `-u` the UDP pair, `-z` [`scan`].
//!
//! nc's exit status is 0 or 1: 0 when the connection was made and the
//! run went, 1 when it could not be made or failed. So: every failure is
//! 1; `-w`'s idle end is 0 (nc's poll timed out, and it returned); a
//! server stopped by SIGINT or SIGTERM ends with what a shell reports for
//! nc, which those signals kill (130, 143), once every byte it took is
//! written.

pub(crate) mod scan;

use anyhow::Result;

use crate::config::nc::{NcConfig, NcJob};
use crate::model::front::Front;
use crate::net::NetError;
use crate::sink::{OutputError, Report};

/// How a run of `netplay nc` ends when it does not end well: with the
/// status OpenBSD nc would have (1, or what a shell reports for a process
/// a signal ended), and the failure to tell, if one is told: nc says
/// nothing of a connection refused without -v, nor does netplay nc.
#[derive(Debug)]
pub(crate) struct NcExit {
    pub(crate) code: u8,
    pub(crate) cause: Option<anyhow::Error>,
    /// nc's command line: the failure's hint names its options.
    pub(crate) front: Front,
}

impl std::fmt::Display for NcExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{cause}"),
            None => write!(f, "exit status {}", self.code),
        }
    }
}

impl std::error::Error for NcExit {}

pub(crate) fn run(config: &NcConfig, report: Report) -> Result<()> {
    let ended = match &config.job {
        NcJob::Connect(job) => crate::tcp::connect::run(job, report).map(|()| None),
        NcJob::Listen(job) => crate::tcp::serve::run_to_end(job, report),
        NcJob::Send(job) => crate::udp::send::run(job, report).map(|()| None),
        NcJob::UdpListen(job) => crate::udp::serve::run_to_end(job, report),
        NcJob::Scan(job) => scan::run(job, report).map(|()| None),
    };
    status(ended, config.verbose, config.front)
}

/// nc's status for how the runner ended (see the module's comment).
fn status(ended: Result<Option<&'static str>>, verbose: bool, front: Front) -> Result<()> {
    let err = match ended {
        Ok(None) => return Ok(()),
        Ok(Some(signal)) => {
            let code = crate::sys::signals::shell_status(signal);
            return Err(NcExit { code, cause: None, front }.into());
        }
        Err(err) => err,
    };
    // Output gone: as every run, quietly if stdout's reader left.
    if err.is::<OutputError>() {
        return Err(err);
    }
    let refused = matches!(err.downcast_ref::<NetError>(), Some(NetError::AllAttemptsFailed { .. }))
        || err.is::<scan::NoneOpen>();
    match err.downcast_ref::<NetError>() {
        Some(NetError::Idle { .. }) => Ok(()),
        _ if refused && !verbose => Err(NcExit { code: 1, cause: None, front }.into()),
        _ => Err(NcExit { code: 1, cause: Some(err), front }.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn code(ended: Result<Option<&'static str>>, verbose: bool) -> (u8, bool) {
        match status(ended, verbose, Front::Nc { udp: false }) {
            Ok(()) => (0, false),
            Err(e) => {
                let nc = e.downcast_ref::<NcExit>().expect("an nc status");
                (nc.code, nc.cause.is_some())
            }
        }
    }

    #[test]
    fn statuses_are_nc_s() {
        assert_eq!(code(Ok(None), false), (0, false));
        let idle = NetError::Idle {
            what: crate::model::Op::WaitData,
            addr: "127.0.0.1:9".parse().unwrap(),
            after: Duration::from_secs(1),
            flag: "-w",
        };
        assert_eq!(code(Err(idle.into()), false), (0, false));
        let refused = || NetError::AllAttemptsFailed {
            host: "127.0.0.1".into(),
            port: 9,
            attempts: vec![("127.0.0.1:9".parse().unwrap(), std::io::ErrorKind::ConnectionRefused.into())],
        };
        // Silent as nc without -v, told with it.
        assert_eq!(code(Err(refused().into()), false), (1, false));
        assert_eq!(code(Err(refused().into()), true), (1, true));
        assert_eq!(code(Err(anyhow::anyhow!("bind failed")), false), (1, true));
        if cfg!(unix) {
            assert_eq!(code(Ok(Some("SIGTERM")), false), (143, false));
            assert_eq!(code(Ok(Some("SIGINT")), false), (130, false));
        }
    }
}
