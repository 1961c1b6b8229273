//! `--pcap FILE`: the captured packets as a classic pcap file, which
//! `tcpdump -r`, Wireshark and every capture tool open.
//!
//! - Writer: the pcap-file crate (pure Rust, the most used pcap writer on
//!   crates.io, no system libpcap needed, so it builds on every system).
//! - Format: classic pcap rather than pcapng: one interface and one link
//!   type is all a run has, and every reader since 1998 opens it.
//! - Link type: LINKTYPE_RAW (101, raw IPv4 or IPv6, the version read from
//!   the first nibble). The cooked packet socket hands over packets from the
//!   IP header on, so each is written as it was received; loopback's link
//!   header (all-zero Ethernet addresses) says nothing, and Linux cooked
//!   (SLL) would only add the direction, which on loopback is always
//!   "outgoing" since the capture keeps one copy.
//! - Timestamps in nanoseconds (the kernel's), with the magic number that
//!   says so.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};

use super::Frame;
use crate::model::Locked;

/// Writing the pcap file failed.
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    #[error("pcap file {path}: {source}")]
    Create {
        path: String,
        #[source]
        source: io::Error,
    },
    /// The system's error (pcap-file calls any of them "Error reading
    /// bytes", writes included).
    #[error("pcap file: {0}")]
    Write(#[source] io::Error),
}

impl PcapError {
    /// The system's error behind it.
    pub(crate) fn io(&self) -> &io::Error {
        match self {
            PcapError::Create { source, .. } | PcapError::Write(source) => source,
        }
    }
}

/// pcap-file's error as the system's.
fn io_error(e: pcap_file::PcapError) -> PcapError {
    PcapError::Write(match e {
        pcap_file::PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    })
}

/// A pcap file being written. Packets go through a buffer: [`Pcap::flush`]
/// writes it out (the capture does, at least once a second), and
/// [`Pcap::finish`] at the end writes the rest and says whether it all
/// reached the file.
pub struct Pcap<W: Write> {
    writer: PcapWriter<Shared<W>>,
    /// The same writer, to flush it between packets (pcap-file's writer
    /// lends no access to its own).
    out: Shared<W>,
}

/// A writer the pcap writer and [`Pcap`] share; every use is already
/// under the capture's own lock, so this one is never contended.
struct Shared<W>(Arc<Mutex<W>>);

impl<W> Shared<W> {
    fn lock(&self) -> std::sync::MutexGuard<'_, W> {
        self.0.locked()
    }
}

impl<W: Write> Write for Shared<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.lock().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.lock().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.lock().flush()
    }
}

impl Pcap<BufWriter<File>> {
    /// Creates (or truncates) `path` and writes the pcap header.
    pub fn create(path: &Path, snaplen: u32) -> Result<Self, PcapError> {
        let file = File::create(path)
            .map_err(|source| PcapError::Create { path: path.display().to_string(), source })?;
        Pcap::new(BufWriter::new(file), snaplen)
    }

    /// A file already open (a FIFO: [`crate::sys::fifo`]); writes the
    /// header.
    pub(crate) fn to_file(file: File, snaplen: u32) -> Result<Self, PcapError> {
        Pcap::new(BufWriter::new(file), snaplen)
    }
}

impl<W: Write> Pcap<W> {
    /// Writes the pcap header (raw IP, nanosecond timestamps, `snaplen`
    /// bytes at most per packet) to `out`.
    pub fn new(out: W, snaplen: u32) -> Result<Self, PcapError> {
        let header = PcapHeader {
            snaplen,
            datalink: DataLink::RAW,
            ts_resolution: TsResolution::NanoSecond,
            endianness: Endianness::native(),
            ..PcapHeader::default()
        };
        let out = Shared(Arc::new(Mutex::new(out)));
        let writer = PcapWriter::with_header(Shared(out.0.clone()), header).map_err(io_error)?;
        Ok(Pcap { writer, out })
    }

    /// Appends one captured packet, stamped with the kernel's time.
    pub fn write(&mut self, frame: &Frame) -> Result<(), PcapError> {
        let time = frame.kernel_time.duration_since(UNIX_EPOCH).unwrap_or_default();
        let kept = frame.data.len().min(self.writer.snaplen() as usize);
        let wire = frame.wire_len.max(kept as u32);
        let packet = PcapPacket::new(time, wire, &frame.data[..kept]);
        self.writer.write_packet(&packet).map_err(io_error)?;
        Ok(())
    }

    /// Writes out what is buffered, so that the file holds every packet
    /// written so far (a capture killed later keeps them).
    pub(crate) fn flush(&mut self) -> Result<(), PcapError> {
        self.out.flush().map_err(PcapError::Write)
    }

    /// Flushes what is buffered and returns the writer.
    pub fn finish(mut self) -> Result<W, PcapError> {
        self.flush()?;
        let Pcap { writer, out } = self;
        drop(writer.into_writer());
        match Arc::try_unwrap(out.0) {
            Ok(mutex) => Ok(mutex.into_inner().unwrap_or_else(|e| e.into_inner())),
            Err(_) => Err(PcapError::Write(io::Error::other("the pcap writer is still shared"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use pcap_file::pcap::PcapReader;

    use super::*;
    use crate::capture::Direction;
    use crate::model::packet::samples::tcp4;

    #[test]
    fn packets_read_back_with_their_time_length_and_link_type() {
        let syn = tcp4(40000, 9000, 0x02, 7, 0, &[]);
        let data = tcp4(40000, 9000, 0x18, 8, 1, &[b'x'; 1000]);
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let frame = |bytes: &[u8], kept: usize| Frame {
            data: bytes[..kept].to_vec(),
            wire_len: bytes.len() as u32,
            kernel_time: t,
            time: Instant::now(),
            direction: Direction::Out,
            ifindex: 1,
        };
        let mut pcap = Pcap::new(Vec::new(), 256).unwrap();
        pcap.write(&frame(&syn, syn.len())).unwrap();
        pcap.write(&frame(&data, 256)).unwrap();
        let bytes = pcap.finish().unwrap();

        let mut reader = PcapReader::new(&bytes[..]).unwrap();
        let header = reader.header();
        assert_eq!(
            (header.datalink, header.ts_resolution, header.snaplen),
            (DataLink::RAW, TsResolution::NanoSecond, 256)
        );
        // Raw records: pcap-file 2.0's checked reader wrongly refuses an
        // original length above the snap length, which is what a snap
        // length is for (tcpdump reads these files: tests/suite/capture.rs).
        let first = reader.next_raw_packet().unwrap().unwrap();
        assert_eq!((first.ts_sec, first.ts_frac), (1_700_000_000, 123_456_789));
        assert_eq!(&first.data[..], &syn[..]);
        let second = reader.next_raw_packet().unwrap().unwrap();
        assert_eq!((second.incl_len, second.orig_len), (256, data.len() as u32));
        assert!(reader.next_raw_packet().is_none());
    }

    #[test]
    fn a_write_error_is_the_systems_and_a_flush_writes_out() {
        // /dev/full takes the buffered header, and refuses it at the flush:
        // the system's words, not pcap-file's "Error reading bytes".
        #[cfg(target_os = "linux")]
        {
            let mut pcap = Pcap::create(Path::new("/dev/full"), 256).unwrap();
            let err = pcap.flush().unwrap_err();
            assert_eq!(err.io().raw_os_error(), Some(28), "{err}");
        }
        let syn = tcp4(40000, 9000, 0x02, 7, 0, &[]);
        let frame = Frame {
            data: syn.clone(),
            wire_len: syn.len() as u32,
            kernel_time: UNIX_EPOCH,
            time: Instant::now(),
            direction: Direction::Out,
            ifindex: 1,
        };
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut pcap = Pcap::create(file.path(), 256).unwrap();
        pcap.write(&frame).unwrap();
        assert_eq!(std::fs::metadata(file.path()).unwrap().len(), 0, "buffered until flushed");
        pcap.flush().unwrap();
        assert_eq!(std::fs::metadata(file.path()).unwrap().len(), 24 + 16 + syn.len() as u64);
        pcap.finish().unwrap();
    }

    #[test]
    fn a_file_that_cannot_be_created_names_its_path() {
        let err = Pcap::create(Path::new("/nonexistent-dir/x.pcap"), 256).err().unwrap();
        assert!(err.to_string().starts_with("pcap file /nonexistent-dir/x.pcap: "), "{err}");
    }
}
