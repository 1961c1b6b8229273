//! The pcap file of a run: created (or a FIFO opened for its reader)
//! before anything happens, written by the capture thread packet by packet,
//! flushed at least every [`PCAP_FLUSH`], given up on its first error
//! (said once), and finished by its owner.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::capture::{Captured, Pcap, PcapError, WHOLE_PACKETS};
use crate::event::Event;
use crate::model::Locked;
use crate::sink::Report;

/// How often, at least, what a capture wrote to its pcap file is written
/// out of the buffer: a capture killed (SIGKILL) leaves every packet older
/// than this in the file, and a full disk is known within this.
pub(crate) const PCAP_FLUSH: Duration = Duration::from_millis(500);

/// A pcap file that the captures of one run write to in turn (the demo
/// runs one capture per part).
#[derive(Clone)]
pub(crate) struct PcapFile(Arc<Mutex<PcapState>>);

struct PcapState {
    pcap: Option<Pcap<BufWriter<File>>>,
    /// The path as given, escaped for messages.
    path: String,
    /// Since when packets wait in the buffer.
    unflushed: Option<Instant>,
    /// A write failed and was said: the file is given up, and the run
    /// ends with a failure.
    failed: bool,
}

/// The pcap file could not be written, and that was said when it happened
/// (an error line): the run ends with exit code 1 and no second line.
#[derive(Debug, thiserror::Error)]
#[error("the pcap file could not be written")]
pub(crate) struct PcapFailed;

impl PcapFile {
    /// Creates (or truncates) `path` and writes the pcap header. A FIFO is
    /// opened for its reader, and when none is there yet, `report` says
    /// that the run waits for one ([`crate::sys::fifo`]).
    pub(crate) fn create(path: &Path, report: &Report) -> Result<PcapFile> {
        let shown = crate::hexdump::shown_os(path.as_os_str());
        let failed = |e: &std::io::Error| {
            crate::msg!("pcap-create-failed", path = shown.as_str(), error = crate::net::describe_msg(e))
        };
        let mut told = Ok(());
        let file = crate::sys::fifo::create(path, || {
            let message = crate::msg!("notice-pcap-fifo-waits", path = shown.as_str());
            told = report.emit(Event::Notice { conn: None, message }).and_then(|()| report.flush());
        })
        .map_err(|e| anyhow::Error::msg(failed(&e)))?;
        told?;
        let pcap = Pcap::to_file(file, WHOLE_PACKETS).map_err(|e| anyhow::Error::msg(failed(e.io())))?;
        let state = PcapState { pcap: Some(pcap), path: shown, unflushed: None, failed: false };
        Ok(PcapFile(Arc::new(Mutex::new(state))))
    }

    /// Writes one packet; the first error gives the file up and comes back
    /// as the line to say (once).
    pub(super) fn write(&self, captured: &Captured) -> Result<(), crate::i18n::Msg> {
        let mut state = self.0.locked();
        let Some(pcap) = state.pcap.as_mut() else { return Ok(()) };
        let written = pcap.write(&captured.frame);
        state.unflushed.get_or_insert_with(Instant::now);
        state.failing(written)
    }

    /// Writes out what has waited in the buffer for [`PCAP_FLUSH`].
    pub(super) fn flush_if_due(&self) -> Result<(), crate::i18n::Msg> {
        let mut state = self.0.locked();
        if state.unflushed.is_none_or(|since| since.elapsed() < PCAP_FLUSH) {
            return Ok(());
        }
        state.unflushed = None;
        let flushed = match state.pcap.as_mut() {
            Some(pcap) => pcap.flush(),
            None => Ok(()),
        };
        state.failing(flushed)
    }

    /// Writes out what is buffered; later writes are ignored. A write that
    /// failed before and was said is [`PcapFailed`].
    pub(crate) fn finish(&self) -> Result<()> {
        let mut state = self.0.locked();
        if let Some(pcap) = state.pcap.take() {
            pcap.finish().map_err(|e| {
                anyhow::Error::msg(crate::msg!(
                    "pcap-write-failed-end",
                    path = state.path.as_str(),
                    error = crate::net::describe_msg(e.io())
                ))
            })?;
        }
        if state.failed {
            return Err(PcapFailed.into());
        }
        Ok(())
    }
}

impl PcapState {
    /// After a write or a flush: on its error, gives the file up and gives
    /// back the line to say.
    fn failing(&mut self, result: Result<(), PcapError>) -> Result<(), crate::i18n::Msg> {
        let Err(e) = result else { return Ok(()) };
        self.pcap = None;
        self.failed = true;
        Err(crate::msg!(
            "pcap-write-failed",
            path = self.path.as_str(),
            error = crate::net::describe_msg(e.io())
        ))
    }
}
