//! Numbers with their units as each language writes them: byte counts
//! (`64.0 KiB`, `64,0 Kio`), durations (`12.3ms`, `12,3 ms`), rates
//! (`12.3 Mbit/s`) and counts (`7,123,456`, `7 123 456`). Parsing what a
//! person types is the command line's job (units).

use std::time::Duration;

use super::{self as i18n, Lang};

/// Formats a byte count the way people read it: `512 B`, `64.0 KiB`, `1.00 GiB`.
pub fn format_bytes(n: u64) -> String {
    format_bytes_in(Lang::En, n)
}

/// [`format_bytes`] as `lang` writes it: French counts in octets with the
/// decimal comma and a no-break space before the unit (`1,50 Mio`).
pub(crate) fn format_bytes_in(lang: Lang, n: u64) -> String {
    let units: [&str; 5] = match lang {
        Lang::En => ["B", "KiB", "MiB", "GiB", "TiB"],
        Lang::Fr => ["o", "Kio", "Mio", "Gio", "Tio"],
    };
    if n < 1024 {
        return with_unit(lang, &n.to_string(), units[0]);
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 1;
    // Thresholds on the value as it will be shown, rounded: 1023.96 KiB
    // is `1.00 MiB`, not `1024.0 KiB`, and 9.996 KiB is `10.0 KiB`.
    while value >= 1023.95 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let digits = if value < 9.995 { 2 } else { 1 };
    with_unit(lang, &i18n::number(lang, value, digits, false), units[unit])
}

/// A number and its unit: a space in English, a no-break space in French
/// (the line never breaks between them).
fn with_unit(lang: Lang, number: &str, unit: &str) -> String {
    match lang {
        Lang::En => format!("{number} {unit}"),
        Lang::Fr => format!("{number}{}{unit}", i18n::NBSP),
    }
}

/// Formats a duration with a unit fitted to its size: `850µs`, `12.3ms`, `2.50s`.
#[cfg(test)]
pub(crate) fn format_duration(d: Duration) -> String {
    format_duration_in(Lang::En, d)
}

/// [`format_duration`] as `lang` writes it: `12,3 ms` in French.
pub(crate) fn format_duration_in(lang: Lang, d: Duration) -> String {
    let micros = d.as_micros();
    let (number, unit) = if micros < 1000 {
        (micros.to_string(), "µs")
    } else if micros < 999_950 {
        // Below what would round to `1000.0ms`: that is `1.00s`.
        (i18n::number(lang, d.as_secs_f64() * 1000.0, 1, false), "ms")
    } else {
        (i18n::number(lang, d.as_secs_f64(), 2, false), "s")
    };
    match lang {
        Lang::En => format!("{number}{unit}"),
        Lang::Fr => with_unit(lang, &number, unit),
    }
}

/// Formats bits per second with a decimal unit, as network rates are
/// given: `850 bit/s`, `12.3 Mbit/s`, `35.1 Gbit/s`.
#[cfg(test)]
pub(crate) fn format_bits_per_second(bps: f64) -> String {
    format_bits_per_second_in(Lang::En, bps)
}

/// [`format_bits_per_second`] as `lang` writes it: `12,3 Mbit/s` in French.
pub(crate) fn format_bits_per_second_in(lang: Lang, bps: f64) -> String {
    const UNITS: [&str; 4] = ["kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
    if bps < 999.5 {
        return with_unit(lang, &i18n::number(lang, bps, 0, false), "bit/s");
    }
    let mut value = bps / 1000.0;
    let mut unit = 0;
    // Thresholds on the value as it will be shown, rounded: 99.96 Mbit/s
    // is `100 Mbit/s`, as 100.02 is, not `100.0 Mbit/s`.
    while value >= 999.5 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let digits = if value < 9.995 {
        2
    } else if value < 99.95 {
        1
    } else {
        0
    };
    with_unit(lang, &i18n::number(lang, value, digits, false), UNITS[unit])
}

/// A count with thousands separated, easier to read: `7,123,456`.
#[cfg(test)]
pub(crate) fn format_count(n: u64) -> String {
    format_count_in(Lang::En, n)
}

/// [`format_count`] as `lang` writes it: `7 123 456` in French.
pub(crate) fn format_count_in(lang: Lang, n: u64) -> String {
    i18n::number(lang, n as f64, 0, true)
}
