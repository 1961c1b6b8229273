//! Facts about ports that the course teaches: 16 bits, 0-1023 reserved for
//! well-known services, client ports chosen by the OS from an ephemeral range.

/// The first port above the well-known ones (0-1023); who may bind those
/// differs by system (sys::privileged).
pub(crate) const FIRST_UNPRIVILEGED: u16 = 1024;

/// The service a well-known port (below 1024) is reserved for, if it is one
/// people meet.
pub(crate) fn service(port: u16) -> Option<&'static str> {
    Some(match port {
        7 => "Echo",
        20 | 21 => "FTP",
        22 => "SSH",
        23 => "Telnet",
        25 => "SMTP",
        53 => "DNS",
        67 | 68 => "DHCP",
        69 => "TFTP",
        80 => "HTTP",
        110 => "POP3",
        123 => "NTP",
        143 => "IMAP",
        161 | 162 => "SNMP",
        389 => "LDAP",
        443 => "HTTPS",
        465 => "SMTPS",
        514 => "syslog",
        587 => "SMTP submission",
        636 => "LDAPS",
        993 => "IMAPS",
        995 => "POP3S",
        _ => return None,
    })
}

/// True for the reserved ports 1-1023 (port 0 means "let the OS choose").
pub(crate) fn is_privileged(port: u16) -> bool {
    port != 0 && port < FIRST_UNPRIVILEGED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_ports() {
        assert_eq!(service(22), Some("SSH"));
        assert_eq!(service(25), Some("SMTP"));
        assert_eq!(service(80), Some("HTTP"));
        assert_eq!(service(443), Some("HTTPS"));
        assert_eq!(service(12345), None);
        assert!(is_privileged(80));
        assert!(!is_privileged(0));
        assert!(!is_privileged(1024));
    }
}
