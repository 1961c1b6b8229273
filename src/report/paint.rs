//! The ANSI sequences the renderers paint with (written in
//! i18n/painted.rs, which sits under every renderer): a colour,
//! bold, dim, or both, each reset after its text, and the text as it is
//! when colour is off. The hex dump's renderers (hexdump/) write theirs as
//! bytes from their hot loop and keep them beside it; width.rs reads
//! sequences, it does not paint. The styles themselves, [`Paint`], are
//! i18n's (i18n/painted.rs), which paints a sentence's coloured values
//! from escaped text, so a peer's bytes never carry a code into one.

pub(crate) use crate::i18n::painted::{Paint, paint};

/// Clears a terminal line from the start: a progress line's place.
pub(crate) const CLEAR_LINE: &[u8] = b"\r\x1b[K";

#[cfg(test)]
mod tests {
    use super::*;
    use colored::Color;

    #[test]
    fn each_paint_is_its_sequence_and_nothing_without_colour() {
        assert_eq!(paint("x", Paint::Fg(Color::Cyan), true), "\x1b[36mx\x1b[0m");
        assert_eq!(paint("x", Paint::BoldFg(Color::Yellow), true), "\x1b[1;33mx\x1b[0m");
        assert_eq!(paint("x", Paint::Bold, true), "\x1b[1mx\x1b[0m");
        assert_eq!(paint("x", Paint::Dim, true), "\x1b[2mx\x1b[0m");
        assert_eq!(paint("x", Paint::Plain, true), "x");
        assert_eq!(paint("x", Paint::Dim, false), "x");
    }
}
