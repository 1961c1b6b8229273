//! The ANSI sequences the renderers paint with, in one place: a colour,
//! bold, dim, or both, each reset after its text, and the text as it is
//! when colour is off. The hex dump's renderers (hexdump/) write theirs as
//! bytes from their hot loop and keep them beside it; width.rs and i18n
//! read sequences, they do not paint.

use colored::Color;

/// How a piece of text is painted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Plain,
    Bold,
    Dim,
    Fg(Color),
    /// A colour, in bold (the demo's ends).
    BoldFg(Color),
}

/// Clears a terminal line from the start: a progress line's place.
pub const CLEAR_LINE: &[u8] = b"\r\x1b[K";

/// `text` painted `how` when `color` is on; as it is otherwise.
pub fn paint(text: &str, how: Paint, color: bool) -> String {
    let code = match (color, how) {
        (false, _) | (true, Paint::Plain) => return text.to_string(),
        (true, Paint::Bold) => "1".to_string(),
        (true, Paint::Dim) => "2".to_string(),
        (true, Paint::Fg(c)) => c.to_fg_str().to_string(),
        (true, Paint::BoldFg(c)) => format!("1;{}", c.to_fg_str()),
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

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
