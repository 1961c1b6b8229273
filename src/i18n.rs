//! Words people read: the message catalogues, one Project Fluent file per
//! language (`locales/<lang>/netplay.ftl`, built into the binary), and
//! [`Msg`], a message as values: its id and its named arguments. Code
//! builds the values; the catalogue of the language being read builds the
//! sentence, numbers and units written as that language writes them.
//!
//! Events carry `Msg`s, not sentences: the human reporter renders them in
//! the reader's language, `--json` always in English (programs read it).

pub(crate) mod lang;
pub(crate) mod painted;
pub mod units;

use std::borrow::Cow;
use std::fmt;
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub(crate) use painted::Painted;

pub use lang::Lang;

/// The catalogues, as written: a test checks that both have the same
/// messages with the same placeholders.
pub(crate) const SOURCES: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../locales/en/netplay.ftl")),
    (Lang::Fr, include_str!("../locales/fr/netplay.ftl")),
];

static CURRENT: OnceLock<Lang> = OnceLock::new();

/// Sets the language of this run, once, before anything is said: `netplay`
/// decides it from `--lang` or the environment.
pub(crate) fn set_current(lang: Lang) {
    let _ = CURRENT.set(lang);
}

/// The language of this run; English until one is set (the library's
/// tests, and any program that uses it without choosing).
pub(crate) fn current() -> Lang {
    CURRENT.get().copied().unwrap_or_default()
}

/// The message `id`, which takes no argument, in `lang` (English where
/// `lang`'s catalogue lacks it); None where no catalogue has it. For ids
/// made at run time: `--help`'s text of each flag and subcommand.
pub(crate) fn lookup(lang: Lang, id: &str) -> Option<String> {
    let catalogues = &*CATALOGUES;
    catalogues.en.has_message(id).then(|| format(lang, id, &[]))
}

/// A message: an id in the catalogues and its arguments, rendered in a
/// language only when someone reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg(Inner);

#[derive(Debug, Clone, PartialEq)]
enum Inner {
    Id {
        id: &'static str,
        args: Vec<(&'static str, Arg)>,
    },
    /// Words from outside, shown as they are (an OS error's text, a file
    /// name): no catalogue has them.
    Text(String),
}

/// A value a message shows, kept as a value until the language is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    /// Shown as it is: an address, a command, Python, a name.
    Str(String),
    /// A number in plain digits (a port, a count that is never large).
    Int(i64),
    /// A count with its thousands separated (`16,281`; `16 281`).
    Count(u64),
    /// A decimal with this many digits after the separator.
    Decimal(f64, usize),
    /// A byte count in its unit (`1.50 MiB`; `1,50 Mio`).
    Bytes(u64),
    /// A duration in its unit (`12.3ms`; `12,3 ms`).
    Duration(Duration),
    /// Bits per second (`12.3 Mbit/s`; `12,3 Mbit/s`).
    Rate(f64),
    /// A message of its own, rendered in the same language.
    Msg(Box<Msg>),
    /// Text a reporter coloured: its codes are [`Paint`](painted::Paint)'s
    /// alone, around text made safe ([`Painted`]); they reach the terminal.
    Styled(Painted),
}

impl Arg {
    pub(crate) fn count(n: impl TryInto<u64>) -> Arg {
        Arg::Count(n.try_into().unwrap_or(u64::MAX))
    }
    pub(crate) fn bytes(n: impl TryInto<u64>) -> Arg {
        Arg::Bytes(n.try_into().unwrap_or(u64::MAX))
    }
    pub(crate) fn duration(d: Duration) -> Arg {
        Arg::Duration(d)
    }
    pub(crate) fn rate(bits_per_second: f64) -> Arg {
        Arg::Rate(bits_per_second)
    }
    pub(crate) fn decimal(value: f64, digits: usize) -> Arg {
        Arg::Decimal(value, digits)
    }
    /// Coloured text for a sentence's placeholder ([`Arg::Styled`]).
    pub(crate) fn styled(text: Painted) -> Arg {
        Arg::Styled(text)
    }
}

macro_rules! arg_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
arg_from_int!(u8, u16, u32, u64, usize, i32, i64);

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Str(s.clone())
    }
}
impl From<std::net::SocketAddr> for Arg {
    fn from(a: std::net::SocketAddr) -> Arg {
        Arg::Str(a.to_string())
    }
}
impl From<&std::net::SocketAddr> for Arg {
    fn from(a: &std::net::SocketAddr) -> Arg {
        Arg::Str(a.to_string())
    }
}
impl From<std::net::IpAddr> for Arg {
    fn from(a: std::net::IpAddr) -> Arg {
        Arg::Str(a.to_string())
    }
}
impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}

/// `msg!("step-listen", backlog = 5)`: the message `step-listen` with its
/// argument `$backlog`.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Msg::new($id)$(.arg(stringify!($name), $value))*
    };
}

/// `tr!(lang, "id", name = value, ...)`: the message rendered in `lang`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::msg!($id $(, $name = $value)*).render($lang)
    };
}

impl Msg {
    pub(crate) fn new(id: &'static str) -> Msg {
        Msg(Inner::Id { id, args: Vec::new() })
    }

    /// Words shown as they are, in every language.
    pub(crate) fn text(text: impl Into<String>) -> Msg {
        Msg(Inner::Text(text.into()))
    }

    pub(crate) fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        if let Inner::Id { args, .. } = &mut self.0 {
            args.push((name, value.into()));
        }
        self
    }

    /// The message's id, None for verbatim text.
    pub(crate) fn id(&self) -> Option<&'static str> {
        match &self.0 {
            Inner::Id { id, .. } => Some(id),
            Inner::Text(_) => None,
        }
    }

    /// The sentence in `lang` (in English where `lang`'s catalogue lacks it),
    /// safe for a terminal whatever its values held (see [`terminal_safe`]).
    pub fn render(&self, lang: Lang) -> String {
        let (text, styled) = match &self.0 {
            Inner::Text(text) => (text.clone(), Vec::new()),
            Inner::Id { id, args } => {
                // Coloured values wait outside the guard: a private-use
                // character (which the guard keeps) holds each one's place.
                let mut styled = Vec::new();
                let marked: Vec<(&'static str, Arg)> = args
                    .iter()
                    .map(|(name, arg)| match arg {
                        Arg::Styled(painted) => {
                            styled.push(painted.as_str());
                            (*name, Arg::Str(style_marker(styled.len() - 1).to_string()))
                        }
                        arg => (*name, arg.clone()),
                    })
                    .collect();
                (format(lang, id, &marked), styled)
            }
        };
        let mut text = match terminal_safe(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(safe) => safe,
        };
        for (i, value) in styled.iter().enumerate() {
            text = text.replace(style_marker(i), value);
        }
        text
    }
}

/// In the language of the run.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(current()))
    }
}

/// A message can be an error (a bad value clap reports, a usage error).
impl std::error::Error for Msg {}

/// Programs read JSON: always English.
impl serde::Serialize for Msg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.render(Lang::En))
    }
}

impl From<String> for Msg {
    fn from(text: String) -> Msg {
        Msg::text(text)
    }
}

struct Catalogues {
    en: FluentBundle<FluentResource>,
    fr: FluentBundle<FluentResource>,
}

static CATALOGUES: LazyLock<Catalogues> =
    LazyLock::new(|| Catalogues { en: bundle(Lang::En), fr: bundle(Lang::Fr) });

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let source = SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s).unwrap_or_default();
    let id: unic_langid::LanguageIdentifier = lang.tag().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // The text goes to terminals, not to bidirectional web pages: no
    // isolation marks around the values.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang {
        Lang::En => format_en,
        Lang::Fr => format_fr,
    }));
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(resource, _)| resource);
    let _ = bundle.add_resource(resource);
    bundle
}

fn format_en(value: &FluentValue, _: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    number_text(value, Lang::En)
}

fn format_fr(value: &FluentValue, _: &intl_memoizer::concurrent::IntlLangMemoizer) -> Option<String> {
    number_text(value, Lang::Fr)
}

fn number_text(value: &FluentValue, lang: Lang) -> Option<String> {
    match value {
        FluentValue::Number(n) => Some(number(
            lang,
            n.value,
            n.options.minimum_fraction_digits.unwrap_or(0),
            n.options.use_grouping,
        )),
        _ => None,
    }
}

/// The no-break space French puts before `: ; ? !`, inside « », between a
/// number and its unit and between groups of digits: a line never breaks
/// there.
pub(crate) const NBSP: char = '\u{a0}';

/// `value` with `digits` decimals, as `lang` writes numbers: `1,234.5` or
/// `1 234,5`.
pub(crate) fn number(lang: Lang, value: f64, digits: usize, grouping: bool) -> String {
    let text = format!("{value:.digits$}");
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (text, None),
    };
    let (group, point) = match lang {
        Lang::En => (',', '.'),
        Lang::Fr => (NBSP, ','),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if grouping && i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push(point);
        out.push_str(frac);
    }
    out
}

fn plain_number(value: f64, digits: usize, grouping: bool) -> FluentValue<'static> {
    let options = FluentNumberOptions {
        minimum_fraction_digits: Some(digits),
        maximum_fraction_digits: Some(digits),
        use_grouping: grouping,
        ..FluentNumberOptions::default()
    };
    FluentValue::Number(FluentNumber::new(value, options))
}

fn value(lang: Lang, arg: &Arg) -> FluentValue<'static> {
    match arg {
        Arg::Str(s) => FluentValue::String(Cow::Owned(s.clone())),
        Arg::Styled(s) => FluentValue::String(Cow::Owned(s.as_str().to_string())),
        Arg::Int(n) => plain_number(*n as f64, 0, false),
        Arg::Count(n) => plain_number(*n as f64, 0, true),
        Arg::Decimal(v, digits) => plain_number(*v, *digits, false),
        Arg::Bytes(n) => FluentValue::String(Cow::Owned(units::format_bytes_in(lang, *n))),
        Arg::Duration(d) => FluentValue::String(Cow::Owned(units::format_duration_in(lang, *d))),
        Arg::Rate(bps) => FluentValue::String(Cow::Owned(units::format_bits_per_second_in(lang, *bps))),
        Arg::Msg(m) => FluentValue::String(Cow::Owned(m.render(lang))),
    }
}

/// `text` with nothing a terminal would act on or reorder: a control
/// character other than the newline (C0, DEL, C1: ESC starts a sequence that
/// sets colours or the window title), a format character (Cf: U+202E, the
/// right-to-left override, U+200B, ...) or a line or paragraph separator
/// shows as the hex panel shows it: a C0 byte or DEL as its control picture
/// (`␛`), any other such character as one `×` per byte. Values from outside
/// (file names, hosts, a peer's text) are escaped where they enter a message
/// ([`crate::hexdump::shown_text`]); this is the last guard, for every
/// sentence rendered. The catalogues' own no-break spaces stay.
pub(crate) fn terminal_safe(text: &str) -> Cow<'_, str> {
    use icu_properties::CodePointMapData;
    use icu_properties::props::GeneralCategory;
    let unsafe_char = |c: char| match c {
        '\n' => false,
        ' '..='~' => false,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        c => matches!(
            CodePointMapData::<GeneralCategory>::new().get(c),
            GeneralCategory::Format | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
        ),
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            '\0' => out.push('⋄'),
            '\u{7f}' => out.push('\u{2421}'),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('×')),
            c => (0..c.len_utf8()).for_each(|_| out.push('×')),
        }
    }
    Cow::Owned(out)
}

/// The place of the `i`th coloured value while a sentence is guarded: a
/// character of the Supplementary Private Use Area-B, which no catalogue
/// and no escaped value holds.
fn style_marker(i: usize) -> char {
    char::from_u32(0x10_0000 + i as u32).unwrap_or('\u{10FFFD}')
}

fn format(lang: Lang, id: &str, args: &[(&'static str, Arg)]) -> String {
    let catalogues = &*CATALOGUES;
    let (bundle, lang) = match lang {
        Lang::Fr if catalogues.fr.has_message(id) => (&catalogues.fr, Lang::Fr),
        _ => (&catalogues.en, Lang::En),
    };
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        debug_assert!(false, "message {id} is in no catalogue");
        return id.to_string();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, arg) in args {
        fluent_args.set(*name, value(lang, arg));
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned();
    debug_assert!(errors.is_empty(), "message {id} in {lang:?}: {errors:?}");
    text
}

/// An OS error as a message (net::describe is its text): in the catalogues for the errors a person
/// meets with sockets, the system's own words for the others.
pub(crate) fn describe_msg(err: &std::io::Error) -> Msg {
    use std::io::ErrorKind::*;
    match err.kind() {
        ConnectionRefused => msg!("os-connection-refused"),
        ConnectionReset => msg!("os-connection-reset"),
        ConnectionAborted => msg!("os-connection-aborted"),
        BrokenPipe => msg!("os-broken-pipe"),
        AddrInUse => msg!("os-addr-in-use"),
        AddrNotAvailable => msg!("os-addr-not-available"),
        PermissionDenied => msg!("os-permission-denied"),
        TimedOut | WouldBlock => msg!("os-timed-out"),
        HostUnreachable => msg!("os-host-unreachable"),
        NetworkUnreachable => msg!("os-network-unreachable"),
        NotFound => msg!("os-not-found"),
        _ => {
            let full = err.to_string();
            let trimmed = match full.find(" (os error") {
                Some(i) => &full[..i],
                None => &full,
            };
            let mut chars = trimmed.chars();
            Msg::text(match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => trimmed.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_sentence_carries_a_control_or_a_bidi_override() {
        let hostile = "evil\u{1b}]0;PWNED\u{7}\u{1b}[31mred\u{202e}\u{1}name\u{9b}\u{7f}\u{0}";
        let shown = "evil␛]0;PWNED␇␛[31mred×××␁name××␡⋄";
        assert_eq!(terminal_safe(hostile), shown);
        assert_eq!(Msg::text(hostile).render(Lang::En), shown);
        let line = crate::msg!("error-line", what = hostile).render(Lang::Fr);
        assert_eq!(line, format!("netplay\u{a0}: {shown}"));
        // French typography and lines stay as they are.
        let french = "1\u{a0}234\u{a0}octets\nfête";
        assert!(matches!(terminal_safe(french), Cow::Borrowed(_)));
    }

    /// A reporter's coloured value keeps its colour codes (issue 20's
    /// learner saw `␛[32maccepted …␛[0m` in every coloured terminal), and
    /// only those: an escape in its text, or in a plain value beside it, is
    /// shown, not acted on.
    #[test]
    fn a_coloured_value_keeps_its_colour_and_nothing_else() {
        use painted::Paint;
        let tag = Painted::text("#1").paint(Paint::Bold, true);
        let text = Painted::text("accepted 127.0.0.1:1").paint(Paint::Fg(colored::Color::Green), true);
        let line = crate::msg!(
            "accepted-line",
            tag = Arg::styled(tag),
            text = Arg::styled(text),
            when = "+1.0ms",
            local = "127.0.0.1:2",
            port = 1u16
        );
        assert_eq!(
            line.render(Lang::En),
            "\u{1b}[1m#1\u{1b}[0m \u{1b}[32maccepted 127.0.0.1:1\u{1b}[0m at +1.0ms   \
             (local 127.0.0.1:2; 1 is the client's ephemeral port)"
        );
        let hostile = crate::msg!(
            "accepted-line",
            tag = Arg::styled(Painted::text("\u{1b}]0;PWNED\u{7}\u{1b}[1m#1").paint(Paint::Bold, true)),
            text = "\u{1b}[32mx",
            when = "+1.0ms",
            local = "l",
            port = 1u16
        );
        assert_eq!(
            hostile.render(Lang::En),
            "\u{1b}[1m␛]0;PWNED␇␛[1m#1\u{1b}[0m ␛[32mx at +1.0ms   (local l; 1 is the client's ephemeral port)"
        );
    }

    #[test]
    fn numbers_as_each_language_writes_them() {
        assert_eq!(number(Lang::En, 16281.0, 0, true), "16,281");
        assert_eq!(number(Lang::Fr, 16281.0, 0, true), "16\u{a0}281");
        assert_eq!(number(Lang::Fr, 2.725, 2, false), "2,73");
        assert_eq!(number(Lang::En, -1234567.5, 1, true), "-1,234,567.5");
        assert_eq!(number(Lang::Fr, 12345.0, 0, false), "12345");
    }
}
