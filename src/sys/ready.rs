//! Waiting until a descriptor is ready instead of taking "not now" for an
//! answer. A parent may hand netplay a stdin or stdout in non-blocking mode
//! (O_NONBLOCK: Python's subprocess with a non-blocking pipe, node, some CI
//! runners); a read or write on it then fails with EAGAIN (`WouldBlock`)
//! whenever the pipe is empty or full, which is neither its end nor a
//! timeout. [`Patient`] waits for readiness and tries again. The raw
//! relay's direct path waits on several descriptors at once, with a
//! deadline and a [`Bell`] that another thread rings to stop it.
//!
//! - Unix (Linux, macOS): poll(2); a bell is a pipe that becomes readable
//!   for good when rung.
//! - Windows: standard handles never say WouldBlock, and the direct path
//!   is Linux's; a wait there returns at once (a [`Patient`] that did meet
//!   WouldBlock yields a millisecond first, so it cannot spin).

#[cfg(unix)]
use std::fs::File;
use std::io::{self, Read, Write};
#[cfg(unix)]
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interest {
    /// Data to read, or its end, or an error.
    Read,
    /// Room to write, or an error.
    Write,
}

/// Something whose descriptor can be waited on.
pub(crate) trait Waitable {
    #[cfg(unix)]
    fn fd(&self) -> std::os::fd::BorrowedFd<'_>;
}

#[cfg(unix)]
impl<T: std::os::fd::AsFd + ?Sized> Waitable for T {
    fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.as_fd()
    }
}

#[cfg(not(unix))]
impl<T: ?Sized> Waitable for T {}

/// Rung once by one thread, heard by every wait that listens for it, then
/// and afterwards.
pub(crate) struct Bell {
    rung: AtomicBool,
    #[cfg(unix)]
    pipe: (File, File),
}

impl Bell {
    pub(crate) fn new() -> io::Result<Bell> {
        #[cfg(unix)]
        {
            // Blocking ends are enough: one byte is written, once, and
            // never read.
            let (read, write) = std::io::pipe()?;
            Ok(Bell {
                rung: AtomicBool::new(false),
                pipe: (File::from(OwnedFd::from(read)), File::from(OwnedFd::from(write))),
            })
        }
        #[cfg(not(unix))]
        Ok(Bell { rung: AtomicBool::new(false) })
    }

    /// Wakes every wait on this bell, now and later.
    pub(crate) fn ring(&self) {
        if !self.rung.swap(true, Ordering::SeqCst) {
            // One byte, never read: the pipe stays readable. A full pipe
            // (impossible with one byte) would only mean it is rung already.
            #[cfg(unix)]
            let _ = (&self.pipe.1).write(&[1]);
        }
    }

    pub(crate) fn rung(&self) -> bool {
        self.rung.load(Ordering::SeqCst)
    }
}

/// How a [`wait`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waited {
    /// These of the descriptors waited on are ready (bit i for the i-th):
    /// at least one.
    Ready(u32),
    /// The bell rang.
    Rang,
    /// The deadline passed with none ready (Unix only: elsewhere the wait
    /// returns at once).
    #[cfg_attr(not(unix), allow(dead_code))]
    TimedOut,
}

/// Two descriptors waited on together until both are ready (the relay's
/// input and its socket, the socket and stdout): `ready` says which were
/// ready before the [`wait`], and only the others were waited on, the
/// first (if waited on) as bit 0 of `mask`, the second as the next bit.
/// Returns which are ready now: the first, the second.
pub(crate) fn both_ready(mask: u32, ready: (bool, bool)) -> (bool, bool) {
    let (first, second) = ready;
    let second_bit = if first { 0 } else { 1 };
    (first || mask & 1 != 0, second || mask & (1 << second_bit) != 0)
}

/// Waits until one of `on` is ready as asked (an error or a hang-up counts:
/// the next call will tell it), the bell rings, or `deadline` passes.
#[cfg(unix)]
pub(crate) fn wait(
    on: &[(&dyn Waitable, Interest)],
    bell: Option<&Bell>,
    deadline: Option<Instant>,
) -> io::Result<Waited> {
    use nix::errno::Errno;
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

    assert!(on.len() < 32, "at most 31 descriptors a wait");
    loop {
        if bell.is_some_and(Bell::rung) {
            return Ok(Waited::Rang);
        }
        let mut fds: Vec<PollFd> = on
            .iter()
            .map(|(what, interest)| {
                let events = match interest {
                    Interest::Read => PollFlags::POLLIN,
                    Interest::Write => PollFlags::POLLOUT,
                };
                PollFd::new(what.fd(), events)
            })
            .collect();
        if let Some(bell) = bell {
            fds.push(PollFd::new(std::os::fd::AsFd::as_fd(&bell.pipe.0), PollFlags::POLLIN));
        }
        let timeout = match deadline {
            None => PollTimeout::NONE,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                // Rounded up to whole milliseconds: a wait ends at or after
                // its deadline, never just before it.
                let ms = left.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32;
                PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
            }
        };
        match poll(&mut fds, timeout) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
            Ok(0) if deadline.is_some_and(|d| Instant::now() >= d) => return Ok(Waited::TimedOut),
            Ok(0) => continue,
            Ok(_) => {}
        }
        if bell.is_some() && fds.last().and_then(PollFd::revents).is_some_and(|r| !r.is_empty()) {
            return Ok(Waited::Rang);
        }
        let ready = fds[..on.len()]
            .iter()
            .enumerate()
            .filter(|(_, fd)| fd.revents().is_some_and(|r| !r.is_empty()))
            .fold(0u32, |mask, (i, _)| mask | 1 << i);
        if ready != 0 {
            return Ok(Waited::Ready(ready));
        }
    }
}

/// Waits until one of `on` is ready: here, at once (see the module's doc).
#[cfg(not(unix))]
pub(crate) fn wait(
    on: &[(&dyn Waitable, Interest)],
    bell: Option<&Bell>,
    _deadline: Option<Instant>,
) -> io::Result<Waited> {
    if bell.is_some_and(Bell::rung) {
        return Ok(Waited::Rang);
    }
    std::thread::sleep(std::time::Duration::from_millis(1));
    Ok(Waited::Ready((1u32 << on.len()) - 1))
}

/// True when `what` is hung up (poll's POLLHUP): for a TCP socket, both
/// directions shut down, or the connection closed (reset). Never waits.
#[cfg(unix)]
pub(crate) fn hung_up(what: &dyn Waitable) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let mut fds = [PollFd::new(what.fd(), PollFlags::empty())];
    matches!(poll(&mut fds, PollTimeout::ZERO), Ok(1))
        && fds[0].revents().is_some_and(|r| r.contains(PollFlags::POLLHUP))
}

/// Hang-ups are not watched here (see the module's doc).
#[cfg(not(unix))]
pub(crate) fn hung_up(_what: &dyn Waitable) -> bool {
    false
}

/// True when stdin is at its end now, as far as one look without waiting
/// tells: readable at once, and a read returns nothing. A read that
/// returns bytes consumes one: only for an input being given up (stdout's
/// reader left), to tell an empty one (`< /dev/null`) from one cut.
/// False where it cannot tell (more may come).
#[cfg(unix)]
pub(crate) fn stdin_at_end() -> bool {
    at_end(std::os::fd::AsFd::as_fd(&std::io::stdin()))
}

/// [`stdin_at_end`] of any descriptor.
#[cfg(unix)]
fn at_end(fd: std::os::fd::BorrowedFd<'_>) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    let ready = matches!(poll(&mut fds, PollTimeout::ZERO), Ok(1));
    ready && matches!(nix::unistd::read(fd, &mut [0u8; 1]), Ok(0))
}

/// Not looked at here: more may come.
#[cfg(not(unix))]
pub(crate) fn stdin_at_end() -> bool {
    false
}

/// Waits, with no deadline or bell, until `what` is ready as asked.
pub(crate) fn wait_for(what: &dyn Waitable, interest: Interest) -> io::Result<()> {
    wait(&[(what, interest)], None, None).map(drop)
}

/// A reader or writer that waits for readiness where its descriptor says
/// WouldBlock (see the module's doc), so a non-blocking stdin or stdout
/// behaves as a blocking one. To read lines, put a `BufReader` over it
/// (not under it: a buffered reader asked again after its end reads again).
pub(crate) struct Patient<T>(pub T);

impl<T: Read + Waitable> Read for Patient<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_for(&self.0, Interest::Read)?,
                done => return done,
            }
        }
    }
}

impl<T: Write + Waitable> Write for Patient<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.0.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_for(&self.0, Interest::Write)?,
                done => return done,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        loop {
            match self.0.flush() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_for(&self.0, Interest::Write)?,
                done => return done,
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::time::Duration;

    fn nonblocking_pipe() -> (File, File) {
        use nix::fcntl::{FcntlArg, OFlag, fcntl};
        let (read, write) = std::io::pipe().unwrap();
        let (read, write) = (File::from(OwnedFd::from(read)), File::from(OwnedFd::from(write)));
        for end in [&read, &write] {
            let flags = OFlag::from_bits_truncate(fcntl(end.as_fd(), FcntlArg::F_GETFL).unwrap());
            fcntl(end.as_fd(), FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)).unwrap();
        }
        (read, write)
    }

    /// An input at its end (`< /dev/null`, a pipe whose writer closed) is
    /// told from one that may still bring bytes (a pipe whose writer is
    /// open, even empty) and from one that has some: one look, no wait.
    #[test]
    fn an_input_at_its_end_is_told_from_an_open_one() {
        assert!(at_end(File::open("/dev/null").unwrap().as_fd()));
        let (read, write) = std::io::pipe().unwrap();
        assert!(!at_end(read.as_fd()), "an empty pipe whose writer is open");
        (&write).write_all(b"x").unwrap();
        drop(write);
        assert!(!at_end(read.as_fd()), "a pipe with a byte in it");
        // That look took the byte: what is left is the end.
        assert!(at_end(read.as_fd()), "an empty pipe whose writer closed");
        let (read, write) = nonblocking_pipe();
        assert!(!at_end(read.as_fd()), "an empty non-blocking pipe whose writer is open");
        drop(write);
        assert!(at_end(read.as_fd()), "a non-blocking pipe whose writer closed");
    }

    #[test]
    fn a_patient_reader_waits_out_would_block() {
        let (read, mut write) = nonblocking_pipe();
        // Unwaited, the empty pipe says WouldBlock.
        let err = (&read).read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        let writer = std::thread::spawn(move || {
            // The reader is (or will be) waiting in poll: the bytes wake it.
            write.write_all(b"late").unwrap();
        });
        let mut got = [0u8; 4];
        Patient(&read).read_exact(&mut got).unwrap();
        assert_eq!(&got, b"late");
        writer.join().unwrap();
    }

    #[test]
    fn a_patient_writer_waits_for_room() {
        let (read, write) = nonblocking_pipe();
        let len = 1 << 20;
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            Patient(&read).read_to_end(&mut got).unwrap();
            got.len()
        });
        // More than a pipe holds: a plain write_all would fail with
        // WouldBlock once the pipe is full.
        Patient(&write).write_all(&vec![7u8; len]).unwrap();
        drop(write);
        assert_eq!(reader.join().unwrap(), len);
    }

    #[test]
    fn a_wait_ends_at_its_deadline_or_its_bell() {
        let (read, _write) = nonblocking_pipe();
        let deadline = Instant::now() + Duration::from_millis(20);
        let waited = wait(&[(&read.as_fd(), Interest::Read)], None, Some(deadline)).unwrap();
        assert_eq!(waited, Waited::TimedOut);
        assert!(Instant::now() >= deadline);
        let bell = Bell::new().unwrap();
        bell.ring();
        assert_eq!(wait(&[(&read.as_fd(), Interest::Read)], Some(&bell), None).unwrap(), Waited::Rang);
    }

    #[test]
    fn a_pair_is_decoded_from_the_bits_of_those_waited_on() {
        // Both waited on: the first is bit 0, the second bit 1.
        assert_eq!(both_ready(0b01, (false, false)), (true, false));
        assert_eq!(both_ready(0b10, (false, false)), (false, true));
        assert_eq!(both_ready(0b11, (false, false)), (true, true));
        // The first ready already, not waited on: the second is bit 0.
        assert_eq!(both_ready(0b01, (true, false)), (true, true));
        assert_eq!(both_ready(0b10, (true, false)), (true, false));
        // The second ready already: bit 0 is the first; nothing is undone.
        assert_eq!(both_ready(0b01, (false, true)), (true, true));
        assert_eq!(both_ready(0b00, (false, true)), (false, true));
    }

    #[test]
    fn a_wait_says_which_is_ready() {
        let (read, mut write) = nonblocking_pipe();
        let (other, _other_write) = nonblocking_pipe();
        write.write_all(b"x").unwrap();
        let on: [(&dyn Waitable, Interest); 2] = [(&other, Interest::Read), (&read, Interest::Read)];
        assert_eq!(wait(&on, None, None).unwrap(), Waited::Ready(0b10));
    }
}
