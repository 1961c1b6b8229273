//! The limits that stop a server from taking more clients: the per-process
//! open-file limit (each client is one descriptor), the system-wide one, and
//! kernel memory. A server raises its soft limit at start, and when accept()
//! fails on a limit, this says which one and how to raise it. What each
//! system has is in [`crate::sys::open_files`].

use std::io;

use crate::sys::open_files::{self, Exhausted};

/// The open-file limit of this process (RLIMIT_NOFILE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenFiles {
    /// The limit in force, `ulimit -n`.
    pub(crate) soft: u64,
    /// How far an unprivileged process may raise it, `ulimit -Hn`.
    pub(crate) hard: u64,
    /// The soft limit before netplay raised it, when it did.
    pub(crate) raised_from: Option<u64>,
}

/// What to assume when the limit cannot be read.
pub(crate) const UNKNOWN_OPEN_FILES: OpenFiles =
    OpenFiles { soft: u64::MAX, hard: u64::MAX, raised_from: None };

/// The open-file limit as it is ([`UNKNOWN_OPEN_FILES`] where the system
/// has none).
pub(crate) fn open_files() -> io::Result<OpenFiles> {
    Ok(match open_files::read()? {
        Some((soft, hard)) => OpenFiles { soft, hard, raised_from: None },
        None => UNKNOWN_OPEN_FILES,
    })
}

/// Raises the soft open-file limit to the hard limit, so a server can hold
/// as many clients as the system lets it without a `ulimit -n` first.
pub(crate) fn raise_open_files() -> io::Result<OpenFiles> {
    let OpenFiles { soft, hard, .. } = open_files()?;
    if soft >= hard {
        return Ok(OpenFiles { soft, hard, raised_from: None });
    }
    let now = open_files::raise(hard)?;
    Ok(OpenFiles { soft: now, hard, raised_from: (now > soft).then_some(soft) })
}

/// When `err` (from accept) means a limit is reached: which one, and how to
/// raise it. None for other errors.
pub(crate) fn accept_limit(err: &io::Error, files: OpenFiles) -> Option<crate::i18n::Msg> {
    use crate::msg;
    Some(match open_files::exhausted(err)? {
        Exhausted::Process => {
            let raise = if files.soft < files.hard {
                msg!("limit-raise-soft", hard = files.hard)
            } else {
                open_files::at_hard(files.soft.saturating_sub(16))
            };
            msg!("limit-open-files", soft = files.soft, raise = raise)
        }
        Exhausted::System => open_files::system_files(),
        Exhausted::Memory => open_files::no_memory(),
    })
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    use super::*;

    #[cfg(unix)]
    #[test]
    fn raising_never_lowers_the_limit() {
        let before = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
        let files = raise_open_files().unwrap();
        assert!(files.soft >= before.0);
        assert_eq!(files.hard, before.1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn names_the_limit_reached() {
        let files = OpenFiles { soft: 1024, hard: 4096, raised_from: None };
        let emfile = accept_limit(&io::Error::from_raw_os_error(libc::EMFILE), files).unwrap().to_string();
        assert!(emfile.contains("(1024, `ulimit -n`)") && emfile.contains("ulimit -n 4096"), "{emfile}");
        let at_hard = OpenFiles { soft: 4096, hard: 4096, raised_from: Some(1024) };
        let emfile = accept_limit(&io::Error::from_raw_os_error(libc::EMFILE), at_hard).unwrap().to_string();
        assert!(emfile.contains("already the hard limit") && emfile.contains("--max-conns"), "{emfile}");
        let enfile = accept_limit(&io::Error::from_raw_os_error(libc::ENFILE), files).unwrap().to_string();
        assert!(enfile.contains("fs.file-max"));
        assert_eq!(accept_limit(&io::Error::from_raw_os_error(libc::ECONNABORTED), files), None);
    }
}
