//! Sending a file from a mapping of it: mmap(2) once, then send(2) from
//! the mapped pages, one copy into the socket's buffer. On the Intel Xeon
//! of issue 24 this moved a file into a socket faster than sendfile(2),
//! which the raw relay's sender measures where it runs (tcp::direct).
//!
//! - Linux: mmap and send, below.
//! - Other systems: not used ([`Mapped::new`] says Unsupported), and the
//!   sender keeps to its other ways.
//!
//! The one danger of a mapping is a file that shrinks while it is mapped:
//! touching a page past the new end raises SIGBUS, which kills the process.
//! netplay never touches the mapping from user space: its address goes to
//! send(2) only, and the kernel's copy from a page past the end fails
//! with EFAULT (checked on Linux 6.18: tmpfs and ext4), which [`Mapped::send`]
//! returns like any other error and the sender reports as a file that
//! shrank. No Rust reference to the mapped bytes is ever made.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::net::TcpStream;

/// A read-only mapping of a whole file, unmapped when dropped.
pub(crate) struct Mapped {
    #[cfg(target_os = "linux")]
    at: std::ptr::NonNull<libc::c_void>,
    len: usize,
}

impl Mapped {
    /// Maps the first `len` bytes of `file` (its size when sending begins);
    /// `len` must not be 0.
    #[cfg(target_os = "linux")]
    pub(crate) fn new(file: &File, len: usize) -> io::Result<Mapped> {
        use std::os::fd::AsRawFd;
        if len == 0 {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        // SAFETY: a fresh mapping the kernel places (address null), read
        // only, of a descriptor we hold open for the call; mmap does not
        // touch any memory of ours. The result is checked below.
        let at = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_SHARED, file.as_raw_fd(), 0)
        };
        if at == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let at = std::ptr::NonNull::new(at).ok_or_else(|| io::Error::from(io::ErrorKind::Other))?;
        Ok(Mapped { at, len })
    }

    /// Mappings are Linux's here (see the module's doc).
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn new(_file: &File, _len: usize) -> io::Result<Mapped> {
        Err(io::ErrorKind::Unsupported.into())
    }

    /// How many bytes are mapped.
    pub(crate) fn size(&self) -> usize {
        self.len
    }

    /// send(2) of up to `len` mapped bytes from `from` to a non-blocking
    /// `socket`, with MSG_NOSIGNAL (a closed peer is EPIPE, not SIGPIPE):
    /// what it took, WouldBlock when it was full, EFAULT when the file
    /// shrank under the mapping.
    #[cfg(target_os = "linux")]
    pub(crate) fn send(&self, socket: &TcpStream, from: usize, len: usize) -> io::Result<usize> {
        use std::os::fd::AsRawFd;
        let from = from.min(self.len);
        let len = len.min(self.len - from);
        loop {
            // SAFETY: `from + len` is within the mapping, which lives as
            // long as `self`; the pointer goes to the kernel only, which
            // reads it with its own fault handling (EFAULT, never SIGBUS,
            // for a page past a shrunk file's end: the module's doc).
            let sent = unsafe {
                let start = self.at.as_ptr().cast::<u8>().add(from);
                libc::send(socket.as_raw_fd(), start.cast(), len, libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT)
            };
            if sent >= 0 {
                return Ok(sent as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn send(&self, _socket: &TcpStream, _from: usize, _len: usize) -> io::Result<usize> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

#[cfg(target_os = "linux")]
impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, of `len` bytes, unmapped once.
        unsafe {
            libc::munmap(self.at.as_ptr(), self.len);
        }
    }
}

/// Whether an error of [`Mapped::send`] is the mapping's: the file shrank.
pub(crate) fn shrank(e: &io::Error) -> bool {
    e.raw_os_error() == Some(EFAULT)
}

#[cfg(unix)]
const EFAULT: i32 = libc::EFAULT;
#[cfg(not(unix))]
const EFAULT: i32 = 14;

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn sends_from_the_mapping_and_survives_the_file_shrinking() {
        let mut file = tempfile::tempfile().unwrap();
        let bytes: Vec<u8> = (0..(4u32 << 20)).map(|i| (i % 251) as u8).collect();
        file.write_all(&bytes).unwrap();
        let mapped = Mapped::new(&file, bytes.len()).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.set_nonblocking(true).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        let sent = mapped.send(&client, 1000, 5000).unwrap();
        let mut got = vec![0u8; sent];
        server.read_exact(&mut got).unwrap();
        assert_eq!(got, &bytes[1000..1000 + sent]);
        // Shrunk to one page: a send from past it fails, and the process
        // lives on (a touch of the page would have been SIGBUS).
        file.set_len(4096).unwrap();
        let e = mapped.send(&client, 2 << 20, 5000).unwrap_err();
        assert!(shrank(&e), "{e}");
    }
}
