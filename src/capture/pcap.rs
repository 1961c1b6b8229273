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
use std::time::UNIX_EPOCH;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};

use super::Frame;

/// Writing the pcap file failed.
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    #[error("pcap file {path}: {source}")]
    Create {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("pcap file: {0}")]
    Write(String),
}

/// A pcap file being written. Packets go through a buffer: call
/// [`Pcap::finish`] at the end to write out the rest and learn whether it
/// all reached the file.
pub struct Pcap<W: Write> {
    writer: PcapWriter<W>,
}

impl Pcap<BufWriter<File>> {
    /// Creates (or truncates) `path` and writes the pcap header.
    pub fn create(path: &Path, snaplen: u32) -> Result<Self, PcapError> {
        let file = File::create(path)
            .map_err(|source| PcapError::Create { path: path.display().to_string(), source })?;
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
        let writer = PcapWriter::with_header(out, header).map_err(|e| PcapError::Write(e.to_string()))?;
        Ok(Pcap { writer })
    }

    /// Appends one captured packet, stamped with the kernel's time.
    pub fn write(&mut self, frame: &Frame) -> Result<(), PcapError> {
        let time = frame.kernel_time.duration_since(UNIX_EPOCH).unwrap_or_default();
        let kept = frame.data.len().min(self.writer.snaplen() as usize);
        let wire = frame.wire_len.max(kept as u32);
        let packet = PcapPacket::new(time, wire, &frame.data[..kept]);
        self.writer.write_packet(&packet).map_err(|e| PcapError::Write(e.to_string()))?;
        Ok(())
    }

    /// Flushes what is buffered and returns the writer.
    pub fn finish(self) -> Result<W, PcapError> {
        let mut out = self.writer.into_writer();
        out.flush().map_err(|e| PcapError::Write(e.to_string()))?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use pcap_file::pcap::PcapReader;

    use super::*;
    use crate::capture::Direction;
    use crate::capture::packet::samples::tcp4;

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
        // length is for (tcpdump reads these files: tests/capture.rs).
        let first = reader.next_raw_packet().unwrap().unwrap();
        assert_eq!((first.ts_sec, first.ts_frac), (1_700_000_000, 123_456_789));
        assert_eq!(&first.data[..], &syn[..]);
        let second = reader.next_raw_packet().unwrap().unwrap();
        assert_eq!((second.incl_len, second.orig_len), (256, data.len() as u32));
        assert!(reader.next_raw_packet().is_none());
    }

    #[test]
    fn a_file_that_cannot_be_created_names_its_path() {
        let err = Pcap::create(Path::new("/nonexistent-dir/x.pcap"), 256).err().unwrap();
        assert!(err.to_string().starts_with("pcap file /nonexistent-dir/x.pcap: "), "{err}");
    }
}
