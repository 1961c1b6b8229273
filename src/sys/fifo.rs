//! A FIFO (named pipe) given as a file to write, as `--pcap FIFO` is for a
//! live `tcpdump -r FIFO` or `wireshark -k -i FIFO`: opening one for writing
//! blocks until a reader opens it, and a run must not sit there silently.
//!
//! - Unix (Linux, macOS): the FIFO is opened first without blocking
//!   (O_NONBLOCK), which fails with ENXIO while nobody reads it; then the
//!   caller says that it waits, and the open blocks until a reader comes.
//!   Once open, the descriptor is made blocking again, so that a slow
//!   reader slows the writer instead of failing it.
//! - Windows: named pipes are not files of the file system (they live in
//!   `\\.\pipe\`); the path is created as a file.

use std::fs::File;
use std::io;
use std::path::Path;

/// Creates (or truncates) `path` for writing; a FIFO is opened as it is,
/// and `waiting` is called first when it has no reader yet.
#[cfg(unix)]
pub(crate) fn create(path: &Path, waiting: impl FnOnce()) -> io::Result<File> {
    use std::fs::OpenOptions;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};

    use nix::fcntl::{FcntlArg, OFlag, fcntl};

    let fifo = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo());
    if !fifo {
        return File::create(path);
    }
    match OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(path) {
        Ok(file) => {
            let flags = OFlag::from_bits_truncate(fcntl(&file, FcntlArg::F_GETFL)?);
            fcntl(&file, FcntlArg::F_SETFL(flags & !OFlag::O_NONBLOCK))?;
            Ok(file)
        }
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            waiting();
            OpenOptions::new().write(true).open(path)
        }
        Err(e) => Err(e),
    }
}

/// Creates (or truncates) `path` for writing.
#[cfg(not(unix))]
pub(crate) fn create(path: &Path, _waiting: impl FnOnce()) -> io::Result<File> {
    File::create(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_without_a_reader_says_it_waits_then_opens_for_its_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let (told, heard) = std::sync::mpsc::channel();
        let reader_path = path.clone();
        let reader = std::thread::spawn(move || {
            // The reader comes once the writer has said it waits.
            heard.recv().unwrap();
            std::fs::read(reader_path).unwrap()
        });
        let mut file = create(&path, || told.send(()).unwrap()).unwrap();
        io::Write::write_all(&mut file, b"pcap").unwrap();
        drop(file);
        assert_eq!(reader.join().unwrap(), b"pcap");
        // A regular file is created, and nobody is told of any wait.
        let plain = dir.path().join("plain");
        create(&plain, || panic!("no wait for a file")).unwrap();
        assert!(plain.is_file());
    }
}
