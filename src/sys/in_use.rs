//! Who holds a port, when bind() fails with "address already in use": a
//! program that listens there (or, for UDP, is bound there), or only
//! connections, such as those an earlier server closed, waiting in
//! TIME_WAIT. The error can then say which, instead of guessing.
//!
//! - Linux: the sockets are listed in /proc/net/{tcp,tcp6,udp,udp6} (state,
//!   TIME_WAIT timer, inode); the process whose /proc/PID/fd links to
//!   `socket:[inode]` owns one. Another user's processes are visible to
//!   root only: then the program is "another program".
//! - Other systems: nothing is looked up; `Holder::Unknown`.

// The /proc parsing is Linux's; elsewhere only its tests use it.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::model::Proto;

/// How long Linux keeps a closed connection in TIME_WAIT (TCP_TIMEWAIT_LEN).
pub(crate) const TIME_WAIT_LEN: Option<Duration> =
    if cfg!(target_os = "linux") { Some(Duration::from_secs(60)) } else { None };

/// The command that lists connections in TIME_WAIT on this system.
#[cfg(target_os = "linux")]
pub(crate) const SHOW_TIME_WAIT: &str = "ss -tan state time-wait";
#[cfg(target_os = "macos")]
pub(crate) const SHOW_TIME_WAIT: &str = "netstat -an -p tcp | grep TIME_WAIT";
#[cfg(windows)]
pub(crate) const SHOW_TIME_WAIT: &str = "netstat -an | findstr TIME_WAIT";
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub(crate) const SHOW_TIME_WAIT: &str = "netstat -an";

/// What holds an address and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Holder {
    /// A TCP socket listens there, or a UDP socket is bound there; its
    /// program when this user may see it.
    Socket { program: Option<Program> },
    /// Only TCP connections use the port: `time_wait` closed ones (the last
    /// leaves TIME_WAIT within `left`), `open` others.
    Connections { time_wait: usize, left: Option<Duration>, open: usize },
    /// This system does not say, or nothing was found.
    Unknown,
}

/// A process, as `ps` would name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Program {
    pub(crate) pid: u32,
    /// Its command line (shortened), or its name.
    pub(crate) command: String,
}

/// Looks for what holds `addr` for `proto`.
#[cfg(target_os = "linux")]
pub(crate) fn holder(proto: Proto, addr: SocketAddr) -> Holder {
    let tables: [&str; 2] = match proto {
        Proto::Tcp => ["/proc/net/tcp", "/proc/net/tcp6"],
        Proto::Udp => ["/proc/net/udp", "/proc/net/udp6"],
    };
    let entries: Vec<Entry> = tables
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .flat_map(|text| parse_table(&text))
        .filter(|e| e.local.port() == addr.port() && overlap(e.local.ip(), addr.ip()))
        .collect();
    classify(proto, &entries, find_program)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn holder(_proto: Proto, _addr: SocketAddr) -> Holder {
    Holder::Unknown
}

/// One line of a /proc/net table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    local: SocketAddr,
    /// The TCP state (0A LISTEN, 06 TIME_WAIT, ...); 07 for a UDP socket.
    state: u8,
    /// For TIME_WAIT: clock ticks (USER_HZ, 100 a second) until it ends.
    timer: u64,
    inode: u64,
}

const LISTEN: u8 = 0x0A;
const TIME_WAIT: u8 = 0x06;

/// Linux reports timers to user space in USER_HZ, 100 ticks a second on
/// every architecture netplay builds for.
const TICKS_PER_SECOND: u64 = 100;

fn classify(proto: Proto, entries: &[Entry], find: impl Fn(u64) -> Option<Program>) -> Holder {
    let owner = |e: &Entry| (e.inode != 0).then(|| find(e.inode)).flatten();
    if proto == Proto::Udp {
        return match entries.is_empty() {
            false => Holder::Socket { program: entries.iter().find_map(owner) },
            true => Holder::Unknown,
        };
    }
    let listeners: Vec<&Entry> = entries.iter().filter(|e| e.state == LISTEN).collect();
    if !listeners.is_empty() {
        return Holder::Socket { program: listeners.iter().find_map(|e| owner(e)) };
    }
    let waiting: Vec<&Entry> = entries.iter().filter(|e| e.state == TIME_WAIT).collect();
    let open = entries.len() - waiting.len();
    if waiting.is_empty() && open == 0 {
        return Holder::Unknown;
    }
    let left =
        waiting.iter().map(|e| e.timer).max().map(|t| Duration::from_millis(t * 1000 / TICKS_PER_SECOND));
    Holder::Connections { time_wait: waiting.len(), left, open }
}

/// True when a socket bound to `held` takes `wanted` too: the same
/// address, or either one is a wildcard (an IPv6 wildcard also holds IPv4
/// on a dual-stack socket).
fn overlap(held: IpAddr, wanted: IpAddr) -> bool {
    let (held, wanted) = (held.to_canonical(), wanted.to_canonical());
    let same_family = held.is_ipv4() == wanted.is_ipv4();
    held == wanted
        || (held.is_unspecified() && (same_family || held.is_ipv6()))
        || (wanted.is_unspecified() && (same_family || wanted.is_ipv6()))
}

/// The lines of /proc/net/tcp (and its siblings), header skipped.
fn parse_table(text: &str) -> Vec<Entry> {
    text.lines().skip(1).filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Entry> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let local = parse_address(fields.get(1)?)?;
    let state = u8::from_str_radix(fields.get(3)?, 16).ok()?;
    let (_, when) = fields.get(5)?.split_once(':')?;
    let timer = u64::from_str_radix(when, 16).ok()?;
    let inode = fields.get(9)?.parse().ok()?;
    Some(Entry { local, state, timer, inode })
}

/// `0100007F:3039` (IPv4) or 32 hex digits and a port (IPv6): each group
/// of 8 hex digits is a 32-bit word in the machine's own byte order.
fn parse_address(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut bytes = Vec::with_capacity(16);
    for i in (0..ip.len()).step_by(8) {
        let word = u32::from_str_radix(ip.get(i..i + 8)?, 16).ok()?;
        bytes.extend_from_slice(&word.to_ne_bytes());
    }
    let ip = match bytes.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
        16 => IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// The process with a descriptor open on socket `inode`, if this user may
/// look at it.
#[cfg(target_os = "linux")]
fn find_program(inode: u64) -> Option<Program> {
    let wanted = format!("socket:[{inode}]");
    for process in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = process.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(fds) = std::fs::read_dir(process.path().join("fd")) else { continue };
        let owns = fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == wanted.as_str()));
        if owns {
            return Some(Program { pid, command: command_of(pid) });
        }
    }
    None
}

/// `/proc/PID/cmdline` as a shell command, shortened; or its name.
#[cfg(target_os = "linux")]
fn command_of(pid: u32) -> String {
    const LONGEST: usize = 60;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let words: Vec<String> = cmdline
        .split(|&b| b == 0)
        .filter(|w| !w.is_empty())
        // One line, whatever the arguments hold (python3 -c "...\n...").
        .map(|w| String::from_utf8_lossy(w).split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut command = match words.split_first() {
        // The program's own name, not where it lives.
        Some((program, args)) => {
            let name = program.rsplit('/').next().unwrap_or(program);
            // Quoted as a shell reads it: `--decode '>h'`, not `--decode >h`,
            // which pasted would write a file named h.
            shell_words::join(std::iter::once(name).chain(args.iter().map(String::as_str)))
        }
        None => std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string(),
    };
    if command.chars().count() > LONGEST {
        command = command.chars().take(LONGEST - 1).collect::<String>() + "…";
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:3039 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   3: 0100007F:A89D 0100007F:DD5C 06 00000000:00000000 03:0000176A 00000000     0        0 0 3 0000000088960a36
   4: 0100007F:A89D 0100007F:DD5E 06 00000000:00000000 03:00000100 00000000     0        0 0 3 0000000088960a36
";

    #[test]
    fn reads_proc_net_tcp() {
        let entries = parse_table(TCP);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].local, "127.0.0.1:12345".parse().unwrap());
        assert_eq!((entries[0].state, entries[0].inode), (LISTEN, 4242));
        assert_eq!((entries[1].state, entries[1].timer), (TIME_WAIT, 0x176A));
        let v6 = "   0: 00000000000000000000000001000000:3039 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1";
        assert_eq!(parse_line(v6).unwrap().local, "[::1]:12345".parse().unwrap());
    }

    #[test]
    fn a_listener_wins_then_time_wait_is_counted() {
        let program = Program { pid: 7, command: "netplay tcp serve".into() };
        let find = |inode| (inode == 4242).then(|| program.clone());
        let entries = parse_table(TCP);
        assert_eq!(
            classify(Proto::Tcp, &entries[..1], find),
            Holder::Socket { program: Some(program.clone()) }
        );
        assert_eq!(
            classify(Proto::Tcp, &entries[1..], find),
            Holder::Connections { time_wait: 2, left: Some(Duration::from_millis(59_940)), open: 0 }
        );
        assert_eq!(classify(Proto::Tcp, &[], find), Holder::Unknown);
        assert_eq!(classify(Proto::Udp, &entries[..1], |_| None), Holder::Socket { program: None });
    }

    #[test]
    fn wildcards_overlap_their_family_and_ipv6_holds_both() {
        let ip = |t: &str| t.parse::<IpAddr>().unwrap();
        assert!(overlap(ip("0.0.0.0"), ip("127.0.0.1")));
        assert!(overlap(ip("127.0.0.1"), ip("0.0.0.0")));
        assert!(overlap(ip("::"), ip("127.0.0.1")));
        assert!(overlap(ip("::ffff:127.0.0.1"), ip("127.0.0.1")));
        assert!(!overlap(ip("127.0.0.2"), ip("127.0.0.1")));
        assert!(!overlap(ip("0.0.0.0"), ip("::1")));
        assert!(!overlap(ip("::1"), ip("127.0.0.1")));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn finds_the_listener_of_this_process() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        match holder(Proto::Tcp, addr) {
            Holder::Socket { program: Some(program) } => assert_eq!(program.pid, std::process::id()),
            other => panic!("{other:?}"),
        }
    }
}
