//! What a byte shows as, the rule the text panel, the messages that quote
//! outside bytes ([`shown_text`]), the HTML page and the AVX-512 renderer
//! all keep: each byte's [`Category`] (its colour and glyph), and which
//! UTF-8 characters show as themselves ([`shown_width`]).

use colored::Color;
use unicode_width::UnicodeWidthChar;

/// The kinds of byte the course distinguishes, each with its own colour:
/// printable (32-126) or not (0-31, 127), and the bytes above ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    /// 0x00, not printable; a run of zeros is common enough to get a calm
    /// glyph and a colour of its own.
    Null,
    /// 32-126: space, letters, digits, punctuation; each shows as itself.
    Printable,
    /// The other bytes that are not printable: 1-31 (TAB, LF, CR, ESC, ...)
    /// and 127 (DEL). Each shows as its own Unicode control picture.
    Control,
    /// 128-255: never ASCII; in UTF-8 they form multi-byte characters.
    NonAscii,
}

impl Category {
    pub(crate) const ALL: [Category; 4] =
        [Category::Null, Category::Printable, Category::Control, Category::NonAscii];

    pub(crate) const fn of(byte: u8) -> Category {
        match byte {
            0 => Category::Null,
            0x20..=0x7e => Category::Printable,
            0x01..=0x1f | 0x7f => Category::Control,
            0x80..=0xff => Category::NonAscii,
        }
    }

    pub(crate) fn color(self) -> Color {
        match self {
            Category::Null => Color::BrightBlack,
            Category::Printable => Color::Cyan,
            Category::Control => Color::Magenta,
            Category::NonAscii => Color::Yellow,
        }
    }

    /// The glyph the legend shows for this category: its text-panel glyph,
    /// or for the categories whose bytes each have their own, one of them.
    pub(crate) const fn glyph(self) -> char {
        match self {
            Category::Null => '⋄',
            Category::Printable => 'A',
            Category::Control => '␊',
            Category::NonAscii => '×',
        }
    }

    /// What the text panel shows for byte `b` when it is not part of a
    /// UTF-8 character that shows: a printable byte as itself (a space as a
    /// space); a control byte as its control picture (U+2401-U+241F for 1-31,
    /// U+2421 for 127: `␉` TAB, `␊` LF, `␍` CR, ...), which no printable byte
    /// looks like and which is one column wide even in a terminal that widens
    /// East Asian ambiguous characters (they are Neutral); NUL as `⋄`, and a
    /// byte above 127 as `×`, as hexyl does.
    pub(crate) const fn shown(b: u8) -> char {
        match Category::of(b) {
            Category::Printable => b as char,
            Category::Control if b == 0x7f => '\u{2421}',
            Category::Control => match char::from_u32(0x2400 + b as u32) {
                Some(picture) => picture,
                None => unreachable!(),
            },
            other => other.glyph(),
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// A UTF-8 character starting at `bytes[0]` that shows as itself (see
/// [`shown_width`]): its length in bytes and its width in cells.
pub(super) fn utf8_char(bytes: &[u8]) -> Option<(usize, usize)> {
    let (len, c) = decode_utf8(bytes)?;
    Some((len, shown_width(c)?))
}

/// The character whose UTF-8 sequence starts at `bytes[0]`, and its length,
/// as `std::str::from_utf8` would decode it (a test checks both agree); on
/// random bytes, `from_utf8` took a fifth of the time of a wide dump.
#[inline]
pub(super) fn decode_utf8(bytes: &[u8]) -> Option<(usize, char)> {
    let lead = u32::from(bytes[0]);
    let (len, mut code, shortest) = match bytes[0] {
        0xc2..=0xdf => (2, lead & 0x1f, 0x80),
        0xe0..=0xef => (3, lead & 0x0f, 0x800),
        0xf0..=0xf4 => (4, lead & 0x07, 0x1_0000),
        _ => return None,
    };
    let sequence = bytes.get(..len)?;
    for &b in &sequence[1..] {
        if b & 0xc0 != 0x80 {
            return None;
        }
        code = code << 6 | u32::from(b & 0x3f);
    }
    // Only the shortest form is UTF-8; `from_u32` refuses surrogates and
    // code points past U+10FFFF.
    if code < shortest {
        return None;
    }
    Some((len, char::from_u32(code)?))
}

/// The cells a decoded character takes in the text panel when it shows as
/// itself, or `None` when its bytes show as `×` instead. The panel's columns
/// must stay where they are in any terminal, so a character shows only when
/// it is a visible cell of its own whatever stands next to it, by the
/// Unicode data of `icu_properties`:
/// - its general category is a letter, number, punctuation or symbol: not a
///   control, format character (Cf: U+200B, U+202E, U+0600, ...), combining
///   mark (Mn, Mc, Me, which attach to the cell before), separator (a space
///   other than 32 would look like it; line and paragraph separators break
///   the line), private use, surrogate or unassigned code point;
/// - it is not default-ignorable (fillers that draw nothing, like U+3164);
/// - it is a grapheme cluster on its own: no prepended mark, extending or
///   spacing mark, zero-width joiner, conjoining Hangul jamo or regional
///   indicator, which a terminal that clusters graphemes joins with a
///   neighbour (precomposed Hangul syllables stand alone, since no jamo
///   beside them shows);
/// - it is not a strong right-to-left letter (Hebrew, Arabic, ...): a
///   terminal that applies the bidi algorithm would reverse a run of them,
///   and the panel's characters would no longer stand in the order of their
///   bytes. Wrapping them in isolates (U+2068..U+2069) would not stop that
///   reversal inside the run, and a terminal without bidi may draw the
///   isolates as cells. With no strong right-to-left character shown, every
///   line resolves left to right;
/// - unicode-width gives it one or two cells.
pub(crate) fn shown_width(c: char) -> Option<usize> {
    use icu_properties::props::{
        BidiClass, DefaultIgnorableCodePoint, GeneralCategory, GeneralCategoryGroup as Group,
        GraphemeClusterBreak as Cluster,
    };
    use icu_properties::{CodePointMapData, CodePointSetData};
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    let visible = [Group::Letter, Group::Number, Group::Punctuation, Group::Symbol]
        .iter()
        .any(|group| group.contains(category));
    if !visible || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) {
        return None;
    }
    let cluster = CodePointMapData::<Cluster>::new().get(c);
    if cluster != Cluster::Other && cluster != Cluster::LV && cluster != Cluster::LVT {
        return None;
    }
    let bidi = CodePointMapData::<BidiClass>::new().get(c);
    if bidi == BidiClass::RightToLeft || bidi == BidiClass::ArabicLetter {
        return None;
    }
    match c.width() {
        Some(cells @ (1 | 2)) => Some(cells),
        _ => None,
    }
}

/// Bytes from outside (a file name, a host or a value as typed, a peer's
/// text) as the text panel shows them, for a message: a printable byte as
/// itself, a control byte as its control picture (`␛` for ESC, `␇` BEL),
/// NUL as `⋄`, a UTF-8 character that shows ([`shown_width`]) as itself,
/// and every other byte as `×` (U+202E's three bytes are `×××`). No escape
/// sequence, control character or bidi override reaches the terminal raw.
pub(crate) fn shown_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x80
            && let Some((len, c)) = decode_utf8(&bytes[i..])
            && shown_width(c).is_some()
        {
            out.push(c);
            i += len;
            continue;
        }
        out.push(Category::shown(b));
        i += 1;
    }
    out
}

/// [`shown_text`] of a path or an argument as the system gave it (on
/// Unix, any bytes).
pub(crate) fn shown_os(text: &std::ffi::OsStr) -> String {
    shown_text(text.as_encoded_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_of_each_range() {
        assert_eq!(Category::of(0), Category::Null);
        assert_eq!(Category::of(b'A'), Category::Printable);
        assert_eq!(Category::of(b'~'), Category::Printable);
        // The course: printable is 32-126, space included.
        assert_eq!(Category::of(b' '), Category::Printable);
        for b in [1, 7, 8, b'\t', b'\n', 0x0b, 0x0c, b'\r', 0x1b, 0x1f, 0x7f] {
            assert_eq!(Category::of(b), Category::Control, "{b:#x}");
        }
        assert_eq!(Category::of(0x80), Category::NonAscii);
        assert_eq!(Category::of(0xff), Category::NonAscii);
    }

    #[test]
    fn no_printable_byte_looks_like_a_control_byte() {
        // Every byte that is not printable has a glyph of its own that no
        // printable byte (32-126) shows as, one column wide even where East
        // Asian ambiguous characters take two.
        use unicode_width::UnicodeWidthChar;
        let printable: Vec<char> = (0x20..=0x7eu8).map(char::from).collect();
        let controls: Vec<u8> = (1..=0x1fu8).chain([0x7f]).collect();
        let mut seen = std::collections::HashSet::new();
        for b in controls {
            let glyph = Category::shown(b);
            assert!(!printable.contains(&glyph), "{b:#04x} shows as {glyph:?}");
            assert!(seen.insert(glyph), "{b:#04x}: {glyph:?} is used twice");
            assert_eq!((glyph.width(), glyph.width_cjk()), (Some(1), Some(1)), "{b:#04x}: {glyph:?}");
        }
        for b in [0u8, 0x80, 0xff] {
            assert!(!printable.contains(&Category::shown(b)));
            assert_eq!(Category::shown(b).width(), Some(1));
        }
        for b in 0x20..=0x7eu8 {
            assert_eq!(Category::shown(b), char::from(b));
        }
        assert_eq!(Category::shown(b'\t'), '␉');
        assert_eq!(Category::shown(b'\r'), '␍');
        assert_eq!(Category::shown(0x7f), '␡');
    }

    #[test]
    fn which_characters_show_as_themselves() {
        // Letters, numbers, punctuation, symbols, wide ones, precomposed
        // Hangul, and the dump's own glyphs typed as text.
        for c in ['é', 'ß', 'Ω', 'ж', '日', '한', '😀', '€', '«', '×', '⋄', '␊', '١'] {
            assert!(shown_width(c).is_some(), "{c:?} U+{:04X}", u32::from(c));
        }
        let refused = [
            ('\u{301}', "combining acute (Mn) would sit on the cell before"),
            ('\u{20dd}', "enclosing circle (Me)"),
            ('\u{903}', "Devanagari visarga (Mc)"),
            ('\u{e33}', "Thai sara am: a letter, but a spacing mark in a grapheme"),
            ('\u{200b}', "zero-width space (Cf)"),
            ('\u{200d}', "zero-width joiner"),
            ('\u{202e}', "right-to-left override"),
            ('\u{2066}', "left-to-right isolate"),
            ('\u{feff}', "byte order mark"),
            ('\u{2028}', "line separator (Zl)"),
            ('\u{2029}', "paragraph separator (Zp)"),
            ('\u{a0}', "no-break space: would look like a space"),
            ('\u{202f}', "narrow no-break space (French typography)"),
            ('\u{3000}', "ideographic space"),
            ('\u{e000}', "private use (Co)"),
            ('\u{378}', "unassigned (Cn)"),
            ('\u{85}', "next line (Cc)"),
            ('\u{3164}', "Hangul filler: default-ignorable, draws nothing"),
            ('\u{1100}', "a conjoining Hangul jamo"),
            ('\u{1f1eb}', "regional indicator: two make a flag"),
            ('\u{1f3fd}', "skin tone modifier: joins the emoji before"),
            ('\u{fe0f}', "variation selector"),
            ('\u{5d0}', "Hebrew alef: strong right-to-left"),
            ('\u{628}', "Arabic beh: strong right-to-left"),
        ];
        for (c, why) in refused {
            assert_eq!(shown_width(c), None, "U+{:04X}: {why}", u32::from(c));
        }
    }

    #[test]
    fn utf8_is_decoded_as_std_decodes_it() {
        // Every lead byte, every second byte, and for the third and fourth
        // the bytes around each boundary of the continuation range.
        let edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
        let std_decode = |bytes: &[u8]| {
            (1..=bytes.len()).rev().find_map(|len| {
                let c = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
                (c.len_utf8() == len && len > 1).then_some((len, c))
            })
        };
        for lead in 0x80..=0xffu8 {
            for second in 0..=0xffu8 {
                for third in edges {
                    for fourth in edges {
                        for bytes in
                            [&[lead, second][..], &[lead, second, third], &[lead, second, third, fourth]]
                        {
                            let expected = std_decode(bytes).filter(|&(len, _)| len == utf8_len(lead));
                            assert_eq!(decode_utf8(bytes), expected, "{bytes:x?}");
                        }
                    }
                }
            }
        }
    }

    fn utf8_len(lead: u8) -> usize {
        match lead {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        }
    }
}
