//! The range the OS picks ephemeral (client) ports from, when a socket
//! connects or first sends without a bound port.
//!
//! - Linux: /proc/sys/net/ipv4/ip_local_port_range (32768-60999 by
//!   default), for TCP and UDP alike.
//! - macOS: the sysctls net.inet.ip.portrange.first and .last (49152-65535
//!   by default), read with `sysctl -n`.
//! - Windows: `netsh int ipv4 show dynamicport tcp` (49152-65535 by
//!   default, the IANA range, since Windows Vista); its two numbers are the
//!   start and the count, whatever the language of the labels. When it
//!   cannot be read, the default is given and said to be the default.
//!
//! Read once per process: a person's explanation may need it many times.

use std::sync::OnceLock;

/// The range, and whether it was read from the system (false: the
/// system's documented default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) low: u16,
    pub(crate) high: u16,
    pub(crate) read: bool,
}

/// The first port of IANA's dynamic range (49152-65535), which macOS and
/// Windows use by default: the guess where the range cannot be read.
pub(crate) const IANA_FIRST: u16 = 49152;

/// The ephemeral range of this system; None where it cannot be known.
pub(crate) fn range() -> Option<Range> {
    static RANGE: OnceLock<Option<Range>> = OnceLock::new();
    *RANGE.get_or_init(read)
}

/// The first port of the range, or IANA's where it cannot be read: the
/// ports below it are never given to a bind to port 0 (nor to a socket
/// that connects or sends unbound).
pub(crate) fn first() -> u16 {
    range().map_or(IANA_FIRST, |r| r.low)
}

#[cfg(target_os = "linux")]
fn read() -> Option<Range> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let (low, high) = two_numbers(&text)?;
    Some(Range { low, high, read: true })
}

#[cfg(target_os = "macos")]
fn read() -> Option<Range> {
    let out = std::process::Command::new("sysctl")
        .args(["-n", "net.inet.ip.portrange.first", "net.inet.ip.portrange.last"])
        .output()
        .ok()?;
    let (low, high) = two_numbers(&String::from_utf8_lossy(&out.stdout))?;
    Some(Range { low, high, read: true })
}

#[cfg(windows)]
fn read() -> Option<Range> {
    let asked = std::process::Command::new("netsh")
        .args(["int", "ipv4", "show", "dynamicport", "tcp"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| start_and_count(&String::from_utf8_lossy(&out.stdout)));
    Some(asked.unwrap_or(WINDOWS_DEFAULT))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn read() -> Option<Range> {
    None
}

/// Windows' range when nothing says otherwise.
#[cfg_attr(not(windows), allow(dead_code))]
const WINDOWS_DEFAULT: Range = Range { low: 49152, high: 65535, read: false };

/// The first two numbers of a text: two on one line (Linux), or one per
/// line (macOS).
#[cfg_attr(windows, allow(dead_code))]
fn two_numbers(text: &str) -> Option<(u16, u16)> {
    let mut numbers = text.split_whitespace().map(str::parse::<u16>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(low)), Some(Ok(high))) if low <= high => Some((low, high)),
        _ => None,
    }
}

/// netsh's answer: a start port and a number of ports, each after a label
/// in the system's language ("Start Port : 49152", "Port de début : ...").
#[cfg_attr(not(windows), allow(dead_code))]
fn start_and_count(text: &str) -> Option<Range> {
    let mut numbers =
        text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(str::parse::<u32>);
    let start = numbers.next()?.ok()?;
    let count = numbers.next()?.ok()?;
    let high = start.checked_add(count)?.checked_sub(1)?;
    Some(Range { low: u16::try_from(start).ok()?, high: u16::try_from(high).ok()?, read: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_linux_and_macos_forms() {
        assert_eq!(two_numbers("32768\t60999\n"), Some((32768, 60999)));
        assert_eq!(two_numbers("49152\n65535\n"), Some((49152, 65535)));
        assert_eq!(two_numbers("60999 32768"), None);
        assert_eq!(two_numbers(""), None);
    }

    #[test]
    fn reads_netsh_in_any_language() {
        let english = "\nProtocol tcp Dynamic Port Range\n---------------------------------\nStart Port      : 49152\nNumber of Ports : 16384\n";
        assert_eq!(start_and_count(english), Some(Range { low: 49152, high: 65535, read: true }));
        let french = "\nPlage de ports dynamique du protocole tcp\n---------------------------------\nPort de démarrage   : 10000\nNombre de ports     : 1000\n";
        assert_eq!(start_and_count(french), Some(Range { low: 10000, high: 10999, read: true }));
        assert_eq!(start_and_count("Start Port : 65000\nNumber of Ports : 1000"), None);
        assert_eq!(start_and_count("nothing"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_reads_proc() {
        let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
        let (low, high) = two_numbers(&text).unwrap();
        assert_eq!(range(), Some(Range { low, high, read: true }));
    }
}
