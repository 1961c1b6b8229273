//! Human units on the command line: durations (`500ms`, `2s`, `1m`) and byte
//! sizes (`1024`, `64K`, `1MiB`, `0x100`). Flags parse through these so an error
//! names the bad value and what would have been accepted. Writing numbers
//! with their units is the catalogues' job: i18n::units.

use std::time::Duration;

use crate::i18n::Msg;
use crate::msg;

/// Parses a duration such as `500ms`, `2s`, `1m30s` or a bare number of
/// seconds (`2`, `0.5`). A number is digits and at most one decimal point,
/// with or without a unit: `1e3` is no more a duration than `1e3s`, and
/// neither are `inf` or `NaN`, which Rust's float parser takes.
pub fn parse_duration(text: &str) -> Result<Duration, Msg> {
    let text = text.trim();
    let number = text.strip_prefix('-').unwrap_or(text);
    let plain = number.bytes().any(|b| b.is_ascii_digit())
        && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && number.bytes().filter(|&b| b == b'.').count() <= 1;
    if plain && let Ok(secs) = text.parse::<f64>() {
        return match Duration::try_from_secs_f64(secs) {
            Ok(duration) => Ok(duration),
            Err(_) if secs < 0.0 => {
                Err(msg!("duration-negative", text = crate::hexdump::shown_text(text.as_bytes())))
            }
            Err(_) => Err(msg!("duration-too-big", text = crate::hexdump::shown_text(text.as_bytes()))),
        };
    }
    // humantime's own words are English: the message says what to write.
    humantime::parse_duration(text)
        .map_err(|_| msg!("duration-bad", text = crate::hexdump::shown_text(text.as_bytes())))
}

/// Parses a duration and checks it lies in `range`: every duration flag
/// goes through this, so that no wait can overflow the clock's arithmetic
/// (`--idle-timeout 1e19` once made every connection panic).
pub(crate) fn parse_duration_in(
    text: &str,
    range: std::ops::RangeInclusive<Duration>,
) -> Result<Duration, Msg> {
    let show = |d: Duration| match d {
        Duration::ZERO => "0".to_string(),
        d => humantime::format_duration(d).to_string(),
    };
    let (low, high) = (show(*range.start()), show(*range.end()));
    let duration = match parse_duration(text) {
        Ok(duration) => duration,
        Err(e) if matches!(e.id(), Some("duration-bad" | "duration-too-big")) => {
            return Err(msg!(
                "duration-bad-in",
                text = crate::hexdump::shown_text(text.trim().as_bytes()),
                low = low,
                high = high
            ));
        }
        Err(e) => return Err(e),
    };
    if range.contains(&duration) {
        return Ok(duration);
    }
    let text = text.trim();
    Err(if duration > *range.end() {
        msg!("duration-too-long", text = crate::hexdump::shown_text(text.as_bytes()), low = low, high = high)
    } else {
        msg!("duration-too-short", text = crate::hexdump::shown_text(text.as_bytes()), low = low, high = high)
    })
}

/// Parses a byte size and checks it lies in `range`, naming the range
/// when it does not.
pub(crate) fn parse_size_in(text: &str, range: std::ops::RangeInclusive<u64>) -> Result<u64, Msg> {
    let size = parse_size(text)?;
    if range.contains(&size) {
        return Ok(size);
    }
    Err(match *range.end() {
        u64::MAX => msg!("size-below", size = size, low = exact_size(*range.start())),
        end => {
            msg!("size-out-of-range", size = size, low = exact_size(*range.start()), high = exact_size(end))
        }
    })
}

/// A size as its exact count in the largest unit that divides it, as it
/// is typed: `1GiB`, `16MiB`, `65507 bytes`.
pub(crate) fn exact_size(n: u64) -> Msg {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    match UNITS.iter().find(|(unit, _)| n >= *unit && n.is_multiple_of(*unit)) {
        Some((unit, name)) => Msg::text(format!("{}{name}", n / unit)),
        None => msg!("bytes", n = n),
    }
}

/// Parses a byte size such as `1024`, `64K`, `64KiB`, `1M`, `1MiB` or `0x100`.
///
/// K, M and G are powers of 1024, as in dd and nc users' habits; `KB`, `MB`,
/// `GB` are powers of 1000 for those who mean them.
pub(crate) fn parse_size(text: &str) -> Result<u64, Msg> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).map_err(|e| match e.kind() {
            std::num::IntErrorKind::PosOverflow => {
                msg!("size-overflow", text = crate::hexdump::shown_text(text.as_bytes()))
            }
            _ => msg!("size-bad-hex", text = crate::hexdump::shown_text(text.as_bytes())),
        });
    }
    let upper = text.to_ascii_uppercase();
    let decimal = upper.ends_with("KB") || upper.ends_with("MB") || upper.ends_with("GB");
    let config = if decimal { parse_size::Config::new() } else { parse_size::Config::new().with_binary() };
    config.parse_size(text).map_err(|e| match e {
        parse_size::Error::PosOverflow => {
            msg!("size-overflow", text = crate::hexdump::shown_text(text.as_bytes()))
        }
        _ => msg!("size-bad", text = crate::hexdump::shown_text(text.as_bytes())),
    })
}

/// Parses a rate in bits per second, as iperf3's `-b` reads it: `0`,
/// `500K`, `100M`, `1G`, `2.5G` (K, M, G are powers of 1000, as network
/// rates are).
pub(crate) fn parse_rate(text: &str) -> Result<u64, Msg> {
    let text = text.trim();
    let bad = || msg!("rate-bad", text = crate::hexdump::shown_text(text.as_bytes()));
    let (number, scale) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 1e3),
        Some((i, 'm' | 'M')) => (&text[..i], 1e6),
        Some((i, 'g' | 'G')) => (&text[..i], 1e9),
        Some((i, 't' | 'T')) => (&text[..i], 1e12),
        _ => (text, 1.0),
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value < 0.0 || value * scale > u64::MAX as f64 {
        return Err(bad());
    }
    Ok((value * scale).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::i18n::units::*;

    /// A value that rounds up to the next unit or digit count is shown as
    /// the value it rounds to: two sides of one boundary read alike.
    #[test]
    fn rounding_crosses_units_as_it_reads() {
        assert_eq!(format_bits_per_second(99.96e6), "100 Mbit/s");
        assert_eq!(format_bits_per_second(100.02e6), "100 Mbit/s");
        assert_eq!(format_bits_per_second(9.997e6), "10.0 Mbit/s");
        assert_eq!(format_bits_per_second(999.7e6), "1.00 Gbit/s");
        assert_eq!(format_bits_per_second(999.7), "1.00 kbit/s");
        assert_eq!(format_bits_per_second(12.34e6), "12.3 Mbit/s");
        assert_eq!(format_duration(Duration::from_micros(999_970)), "1.00s");
        assert_eq!(format_duration(Duration::from_micros(999_940)), "999.9ms");
        assert_eq!(format_duration(Duration::from_secs(1)), "1.00s");
        assert_eq!(format_bytes_in(Lang::En, 1024 * 1024 - 10), "1.00 MiB");
        assert_eq!(format_bytes_in(Lang::En, 10 * 1024 - 2), "10.0 KiB");
        assert_eq!(format_bytes_in(Lang::En, 1536), "1.50 KiB");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("soon").unwrap_err().to_string().contains("'soon'"));
        assert!(parse_duration("-1").unwrap_err().to_string().contains("0 or more"));
        assert!(parse_duration("1e400").is_err());
        assert!(
            parse_duration(&"9".repeat(400))
                .unwrap_err()
                .to_string()
                .contains("not a duration a clock can count")
        );
        assert!(parse_duration("inf").is_err());
    }

    #[test]
    fn bounded_durations_and_sizes_name_their_range() {
        let week = Duration::from_secs(7 * 86400);
        let range = Duration::from_millis(1)..=week;
        assert_eq!(parse_duration_in("30s", range.clone()), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration_in("7days", range.clone()), Ok(week));
        assert_eq!(
            parse_duration_in("1e19", range.clone()).unwrap_err().to_string(),
            "'1e19' is not a duration: use 1ms to 7days, written like 500ms, 2s or 1m"
        );
        assert_eq!(
            parse_duration_in("8days", range.clone()).unwrap_err().to_string(),
            "'8days' is too long: use 1ms to 7days"
        );
        // With a unit or without, a number is written the same way.
        for text in ["1e3", "1e3s", "inf", "NaN", "1.5.2", "+1", "."] {
            assert_eq!(
                parse_duration_in(text, range.clone()).unwrap_err().id(),
                Some("duration-bad-in"),
                "{text}"
            );
        }
        assert_eq!(parse_duration_in("1000", range.clone()), Ok(Duration::from_secs(1000)));
        assert_eq!(
            parse_duration_in("0", range).unwrap_err().to_string(),
            "'0' is too short: use 1ms to 7days"
        );
        assert_eq!(
            parse_size_in("2G", 1..=1 << 30).unwrap_err().to_string(),
            "2147483648 bytes is out of range: use 1 byte to 1GiB"
        );
        assert_eq!(parse_size_in("64K", 1..=1 << 30), Ok(65536));
        assert_eq!(exact_size(65507).to_string(), "65507 bytes");
        assert_eq!(exact_size(16 << 20).to_string(), "16MiB");
        assert!(
            parse_size("16EiB").unwrap_err().to_string().contains("more bytes than a 64-bit count holds")
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("64KiB"), Ok(65536));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("4MiB"), Ok(4 << 20));
        assert_eq!(parse_size("1KB"), Ok(1000));
        assert_eq!(parse_size("0x100"), Ok(256));
        assert!(parse_size("lots").unwrap_err().to_string().contains("'lots'"));
        assert!(parse_size("0xzz").is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("0"), Ok(0));
        assert_eq!(parse_rate("500K"), Ok(500_000));
        assert_eq!(parse_rate("100M"), Ok(100_000_000));
        assert_eq!(parse_rate("2.5g"), Ok(2_500_000_000));
        assert_eq!(parse_rate("1200"), Ok(1200));
        assert!(parse_rate("fast").unwrap_err().to_string().contains("'fast'"));
        assert!(parse_rate("-1M").is_err());
        assert_eq!(format_bits_per_second(850.0), "850 bit/s");
        assert_eq!(format_bits_per_second(12_345_678.0), "12.3 Mbit/s");
        assert_eq!(format_bits_per_second(35.1e9), "35.1 Gbit/s");
        assert_eq!(format_bits_per_second(2.5e9), "2.50 Gbit/s");
        assert_eq!(format_count(7), "7");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(7_123_456), "7,123,456");
    }

    #[test]
    fn human_formats() {
        assert_eq!(format_bytes(15), "15 B");
        assert_eq!(format_bytes(65536), "64.0 KiB");
        assert_eq!(format_bytes(1 << 30), "1.00 GiB");
        assert_eq!(format_duration(Duration::from_micros(850)), "850µs");
        assert_eq!(format_duration(Duration::from_micros(12_345)), "12.3ms");
        assert_eq!(format_duration(Duration::from_millis(2500)), "2.50s");
        let fr = |s: &str| s.replace(' ', "\u{a0}");
        assert_eq!(format_bytes_in(Lang::Fr, 15), fr("15 o"));
        assert_eq!(format_bytes_in(Lang::Fr, 1536 << 10), fr("1,50 Mio"));
        assert_eq!(format_duration_in(Lang::Fr, Duration::from_micros(12_345)), fr("12,3 ms"));
        assert_eq!(format_duration_in(Lang::Fr, Duration::from_micros(850)), fr("850 µs"));
        assert_eq!(format_bits_per_second_in(Lang::Fr, 17.7e9), fr("17,7 Gbit/s"));
        assert_eq!(format_count_in(Lang::Fr, 16_281), fr("16 281"));
    }
}
