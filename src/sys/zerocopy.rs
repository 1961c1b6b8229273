//! Moving bytes between two descriptors inside the kernel, never copying
//! them through netplay's memory. Linux: sendfile(2) from a file to a
//! socket, splice(2) to or from a pipe. Other systems: not available here,
//! and every call says `Refused`, so callers copy with read and write, as
//! they do on Linux wherever the kernel refuses (splice returns EINVAL into
//! a file opened for appending, or out of /dev/null).

use std::fs::File;
use std::net::TcpStream;

/// Whether this system moves bytes in the kernel at all (Linux only here).
pub(crate) const AVAILABLE: bool = cfg!(target_os = "linux");

/// What a descriptor is, as far as moving bytes goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    // Only Linux tells these apart: elsewhere everything is a Device.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Pipe,
    /// A regular file (or a block device): it has pages to send from.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    File,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Terminal,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Socket,
    /// Another device (/dev/null, /dev/zero), or anything unknown.
    Device,
}

/// What one kernel call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moved {
    /// Bytes moved; 0 at the end of the input (Linux only).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Bytes(usize),
    /// The kernel does not move these bytes this way (EINVAL, ENOSYS,
    /// EOPNOTSUPP, before anything moved): read and write them instead.
    Refused,
}

/// Something with a descriptor the kernel can move bytes through: the
/// socket, stdin and stdout (as files), a pipe.
pub(crate) trait Descriptor {
    #[cfg(target_os = "linux")]
    fn descriptor(&self) -> std::os::fd::BorrowedFd<'_>;
}

impl Descriptor for File {
    #[cfg(target_os = "linux")]
    fn descriptor(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(self)
    }
}

impl Descriptor for TcpStream {
    #[cfg(target_os = "linux")]
    fn descriptor(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(self)
    }
}

#[cfg(target_os = "linux")]
pub(crate) use linux::*;
#[cfg(not(target_os = "linux"))]
pub(crate) use other::*;

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io::{self, IsTerminal};
    use std::net::TcpStream;
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;

    use nix::errno::Errno;
    use nix::fcntl::{FcntlArg, OFlag, SpliceFFlags, fcntl};

    use super::{Descriptor, Kind, Moved};

    /// What `file` is: fstat, and isatty for a character device.
    pub(crate) fn kind(file: &File) -> Kind {
        let Ok(meta) = file.metadata() else { return Kind::Device };
        let kind = meta.file_type();
        if kind.is_fifo() {
            Kind::Pipe
        } else if kind.is_file() || kind.is_block_device() {
            Kind::File
        } else if kind.is_socket() {
            Kind::Socket
        } else if file.is_terminal() {
            Kind::Terminal
        } else {
            Kind::Device
        }
    }

    /// The process's stdin or stdout as a file of its own (a duplicate
    /// descriptor), for the calls below.
    pub(crate) fn stdin() -> io::Result<File> {
        Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
    }

    pub(crate) fn stdout() -> io::Result<File> {
        Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
    }

    /// A pipe of (at least) `capacity` bytes where the system allows it
    /// (fs.pipe-max-size, 1 MiB by default, is the most a user may ask):
    /// (read end, write end).
    pub(crate) fn pipe(capacity: usize) -> io::Result<(File, File)> {
        let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        // A smaller pipe still works: each call moves less.
        let _ = fcntl(write.as_fd(), FcntlArg::F_SETPIPE_SZ(capacity.min(i32::MAX as usize) as i32));
        Ok((File::from(read), File::from(write)))
    }

    fn moved(result: nix::Result<usize>) -> io::Result<Moved> {
        match result {
            Ok(n) => Ok(Moved::Bytes(n)),
            Err(Errno::EINVAL | Errno::ENOSYS | Errno::EOPNOTSUPP) => Ok(Moved::Refused),
            Err(e) => Err(e.into()),
        }
    }

    /// Grows the pipe `pipe` (either end) to hold at least `capacity`
    /// bytes where the system allows it (fs.pipe-max-size, and the user's
    /// pipe pages), never shrinks it: the size it has now, `None` when
    /// `pipe` is no pipe. Its writer may then write more before it waits,
    /// and each read takes more.
    pub(crate) fn grow_pipe(pipe: &File, capacity: usize) -> Option<usize> {
        let now = fcntl(pipe.as_fd(), FcntlArg::F_GETPIPE_SZ).ok()? as usize;
        if now >= capacity {
            return Some(now);
        }
        match fcntl(pipe.as_fd(), FcntlArg::F_SETPIPE_SZ(capacity.min(i32::MAX as usize) as i32)) {
            Ok(size) => Some(size as usize),
            // Refused (EPERM past the user's limit): it keeps its size.
            Err(_) => Some(now),
        }
    }

    /// sendfile(2): up to `len` bytes from `file` (at its offset, which
    /// moves on) to `socket`.
    pub(crate) fn sendfile(socket: &TcpStream, file: &File, len: usize) -> io::Result<Moved> {
        loop {
            match nix::sys::sendfile::sendfile(socket.as_fd(), file.as_fd(), None, len) {
                Err(Errno::EINTR) => continue,
                result => return moved(result),
            }
        }
    }

    /// splice(2): up to `len` bytes from `from` to `to`, one of which is a
    /// pipe. Never waits on the pipe (SPLICE_F_NONBLOCK: EAGAIN when it is
    /// empty or full, whatever mode its owner left it in); the other side
    /// waits or not as its own mode says.
    pub(crate) fn splice(from: &impl Descriptor, to: &impl Descriptor, len: usize) -> io::Result<Moved> {
        loop {
            let result = nix::fcntl::splice(
                from.descriptor(),
                None,
                to.descriptor(),
                None,
                len,
                SpliceFFlags::SPLICE_F_NONBLOCK,
            );
            match result {
                Err(Errno::EINTR) => continue,
                result => return moved(result),
            }
        }
    }

    /// How many bytes wait in the pipe `pipe`, up to `most`, without taking
    /// them: tee(2) copies them into a scratch pipe, which is then dropped.
    pub(crate) fn waiting_in(pipe: &File, most: usize) -> Option<usize> {
        let (_read, write) = self::pipe(most).ok()?;
        let duplicated = nix::fcntl::tee(pipe.as_fd(), write.as_fd(), most, SpliceFFlags::SPLICE_F_NONBLOCK);
        match duplicated {
            Ok(n) => Some(n),
            Err(Errno::EAGAIN) => Some(0),
            Err(_) => None,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod other {
    use std::fs::File;
    use std::io;
    use std::net::TcpStream;

    use super::{Descriptor, Kind, Moved};

    fn unsupported() -> io::Error {
        io::Error::new(io::ErrorKind::Unsupported, "bytes are moved in the kernel on Linux only")
    }

    pub(crate) fn kind(_file: &File) -> Kind {
        Kind::Device
    }

    pub(crate) fn stdin() -> io::Result<File> {
        Err(unsupported())
    }

    pub(crate) fn stdout() -> io::Result<File> {
        Err(unsupported())
    }

    pub(crate) fn pipe(_capacity: usize) -> io::Result<(File, File)> {
        Err(unsupported())
    }

    pub(crate) fn grow_pipe(_pipe: &File, _capacity: usize) -> Option<usize> {
        None
    }

    pub(crate) fn sendfile(_socket: &TcpStream, _file: &File, _len: usize) -> io::Result<Moved> {
        Ok(Moved::Refused)
    }

    pub(crate) fn splice(_from: &impl Descriptor, _to: &impl Descriptor, _len: usize) -> io::Result<Moved> {
        Ok(Moved::Refused)
    }

    pub(crate) fn waiting_in(_pipe: &File, _most: usize) -> Option<usize> {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    #[test]
    fn kinds() {
        let (read, write) = pipe(1 << 16).unwrap();
        assert_eq!(kind(&read), Kind::Pipe);
        assert_eq!(kind(&write), Kind::Pipe);
        let file = tempfile::tempfile().unwrap();
        assert_eq!(kind(&file), Kind::File);
        assert_eq!(kind(&File::open("/dev/null").unwrap()), Kind::Device);
    }

    #[test]
    fn splice_moves_and_the_kernel_refuses_an_appending_file() {
        let (read, mut write) = pipe(1 << 16).unwrap();
        write.write_all(b"hello").unwrap();
        let mut file = tempfile::tempfile().unwrap();
        assert_eq!(splice(&read, &file, 100).unwrap(), Moved::Bytes(5));
        let mut got = String::new();
        std::io::Seek::rewind(&mut file).unwrap();
        file.read_to_string(&mut got).unwrap();
        assert_eq!(got, "hello");

        write.write_all(b"more").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let appending =
            std::fs::OpenOptions::new().append(true).create(true).open(dir.path().join("a")).unwrap();
        assert_eq!(splice(&read, &appending, 100).unwrap(), Moved::Refused);
        // Refused, the bytes are still in the pipe.
        assert_eq!(waiting_in(&read, 1 << 16), Some(4));
    }

    #[test]
    fn a_pipe_grows_and_never_shrinks() {
        let (read, write) = pipe(1 << 16).unwrap();
        // Asked of either end, the size is the pipe's.
        assert_eq!(grow_pipe(&read, 1 << 20), Some(1 << 20));
        assert_eq!(grow_pipe(&write, 1 << 16), Some(1 << 20));
        let file = tempfile::tempfile().unwrap();
        assert_eq!(grow_pipe(&file, 1 << 20), None);
    }

    #[test]
    fn dev_null_is_refused_as_a_source() {
        let (_read, write) = pipe(1 << 16).unwrap();
        assert_eq!(splice(&File::open("/dev/null").unwrap(), &write, 100).unwrap(), Moved::Refused);
    }
}
