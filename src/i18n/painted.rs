//! Text with netplay's own colours in it, and nothing else a terminal acts
//! on: a [`Painted`] is made only from text it escapes, from a message
//! rendered (whose values are escaped, and whose coloured values are
//! `Painted` themselves), or by painting a `Painted` in one of the closed
//! set of styles [`Paint`] names. So a colour code can reach a sentence
//! only from this module, never from a peer's bytes, a file name or a host.

use colored::Color;

use super::{Lang, Msg, terminal_safe};

/// How a piece of text is painted: the only colour codes netplay writes
/// into a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paint {
    Plain,
    Bold,
    Dim,
    Fg(Color),
    /// A colour, in bold (the demo's ends).
    BoldFg(Color),
}

impl Paint {
    /// The SGR parameters (`1;33`) of this paint, None for plain text.
    pub(crate) fn sgr(self) -> Option<String> {
        match self {
            Paint::Plain => None,
            Paint::Bold => Some("1".to_string()),
            Paint::Dim => Some("2".to_string()),
            Paint::Fg(c) => Some(c.to_fg_str().to_string()),
            Paint::BoldFg(c) => Some(format!("1;{}", c.to_fg_str())),
        }
    }
}

/// `text` painted `how` when `color` is on; as it is otherwise: the one
/// place the renderers' ANSI sequence for a style is written (report::paint
/// and [`Painted::paint`] call it; the hex dump's hot loops keep their
/// bytes beside them).
pub(crate) fn paint(text: &str, how: Paint, color: bool) -> String {
    match (color, how.sgr()) {
        (true, Some(code)) => format!("\x1b[{code}m{text}\x1b[0m"),
        _ => text.to_string(),
    }
}

/// Text safe for a terminal whose only escape sequences are [`Paint`]'s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Painted(String);

impl Painted {
    /// `text` with whatever a terminal would act on shown, not acted on
    /// ([`terminal_safe`]): a peer's ESC comes out as `␛`.
    pub(crate) fn text(text: &str) -> Painted {
        Painted(terminal_safe(text).into_owned())
    }

    /// `msg` in `lang`: [`Msg::render`] escapes its values and lets only
    /// `Painted` ones keep their colours.
    pub(crate) fn msg(msg: &Msg, lang: Lang) -> Painted {
        Painted(msg.render(lang))
    }

    /// This text painted `how` when `color` is on; as it is otherwise.
    pub(crate) fn paint(self, how: Paint, color: bool) -> Painted {
        Painted(paint(&self.0, how, color))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer's bytes in a coloured value: its ESC (a colour of its own,
    /// a window title) is shown as `␛`, and only netplay's paint reaches
    /// the terminal as a code. Before `Painted`, `Arg::styled` took any
    /// string and let the peer's `ESC [ 31 m` through as a colour.
    #[test]
    fn a_peer_s_escape_in_a_coloured_value_comes_out_escaped() {
        let peer = "\u{1b}[31mred\u{1b}]0;PWNED\u{7}\u{9b}1m";
        let value = Painted::text(peer).paint(Paint::Fg(Color::Green), true);
        assert_eq!(value.as_str(), "\u{1b}[32m␛[31mred␛]0;PWNED␇××1m\u{1b}[0m");
        let line = crate::msg!("rejected-line", text = crate::i18n::Arg::styled(value)).render(Lang::En);
        assert_eq!(line.matches('\u{1b}').count(), 2, "only the green and its reset: {line:?}");
        assert!(line.contains("\u{1b}[32m␛[31mred␛]0;PWNED␇××1m\u{1b}[0m"), "{line:?}");
        // Without colour, no code at all, and the peer's still shown.
        let plain = Painted::text(peer).paint(Paint::Bold, false);
        assert_eq!(plain.as_str(), "␛[31mred␛]0;PWNED␇××1m");
    }

    /// A rendered message keeps the colours of its `Painted` values, so
    /// values nest (a chunk's label holds its connection's tag).
    #[test]
    fn a_message_keeps_its_painted_values_colours() {
        let tag = Painted::text("#1").paint(Paint::Bold, true);
        let label = crate::msg!("chunk-label", tag = crate::i18n::Arg::styled(tag), chunk = 2u64);
        let label = Painted::msg(&label, Lang::En);
        assert!(label.as_str().starts_with("\u{1b}[1m#1\u{1b}[0m"), "{:?}", label.as_str());
    }
}
