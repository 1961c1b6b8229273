//! The 16-byte line, coloured or not, on AVX-512 (VBMI and VBMI2: Ice Lake, Zen 4 and
//! later), chosen at run time; other machines use the portable renderer.
//! Both must give the same bytes, which the tests and the fuzz target check.
//!
//! The idea: every input byte gets a fixed 8-byte slot holding everything it
//! could print (its colour escape, then its hex digits and a space, or its
//! glyph of up to 3 bytes). One permute builds the slots of 8 input bytes in
//! a 64-byte register from lookup tables; a bit mask says which slot bytes
//! are printed (the escape only where the colour changes, as many glyph
//! bytes as the glyph has), and `vpcompressb` packs them together. So a
//! line takes four permutes and four compressions, and no branch per byte;
//! a line of printable text, all one colour, takes two permutes and no
//! compression. Where a UTF-8 character may start (a lead byte followed by
//! a continuation byte), the portable code decides whether it shows, and
//! the bytes of one that shows print as themselves.
//!
//! Runs of whole lines are rendered in one call ([`render_lines`]), so the
//! tables stay in registers; the caller keeps the squeeze rule and the
//! lines cut by chunk boundaries.
//!
//! This is the only module with `unsafe`: the loads and stores of vector
//! registers take raw pointers. Each one is bounds-checked through a slice
//! first, so a wrong index panics instead of writing out of bounds.
#![allow(unsafe_code)]

use std::arch::x86_64::*;

use super::{Category, LINE_BUF};

/// Proof that this CPU can run this module's renderer; only [`detect`]
/// makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avx512(());

/// An [`Avx512`] when this CPU has every feature the renderer uses.
pub fn detect() -> Option<Avx512> {
    available().then_some(Avx512(()))
}

fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512vbmi")
        && std::is_x86_feature_detected!("avx512vbmi2")
        && std::is_x86_feature_detected!("bmi2")
        && std::is_x86_feature_detected!("popcnt")
}

/// The second digit of each category's colour code (`ESC [ 3 x m`, or
/// `9 0` for NUL, whose `9` is patched in), by byte value below 128.
const DIGIT: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = colour_digit(Category::of(b as u8));
        b += 1;
    }
    t
};

const fn colour_digit(category: Category) -> u8 {
    // The codes of Category::color: bright black 90, cyan 36, magenta 35,
    // yellow 33. A test checks them against `colored`.
    match category {
        Category::Null => b'0',
        Category::Printable => b'6',
        Category::Control => b'5',
        Category::NonAscii => b'3',
    }
}

/// Byte `k` (0, 1 or 2) of the text-panel glyph of each byte below 128: the
/// byte itself when printable or a space, else its category's glyph.
const fn glyph_table(k: usize) -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let mut utf8 = [0u8; 4];
        let glyph = Category::shown(b as u8).encode_utf8(&mut utf8).as_bytes();
        if k < glyph.len() {
            t[b] = glyph[k];
        }
        b += 1;
    }
    t
}

const GLYPH: [[u8; 128]; 3] = [glyph_table(0), glyph_table(1), glyph_table(2)];
/// The glyph of every byte from 128 up (`×`, two bytes in UTF-8).
const NON_ASCII_GLYPH: [u8; 2] = {
    let mut utf8 = [0u8; 4];
    let glyph = Category::NonAscii.glyph().encode_utf8(&mut utf8).as_bytes();
    [glyph[0], glyph[1]]
};

/// The constant bytes of a slot, as the second table of the permutes
/// (indices 64 and up).
const CONSTANTS: [u8; 64] = {
    let mut t = [0u8; 64];
    t[0] = 0x1b;
    t[1] = b'[';
    t[2] = b'3';
    t[3] = b'm';
    t[4] = b' ';
    t[5] = b'6';
    t[6] = b'0';
    t[7] = 0xe2;
    t[8] = 0x94;
    t[9] = 0x82;
    t[10] = b'\n';
    t
};
const ESC: u8 = 64;
const BRACKET: u8 = 65;
const THREE: u8 = 66;
const M: u8 = 67;
const SPACE: u8 = 68;
const SIX: u8 = 69;
const ZERO: u8 = 70;
/// `│`, in three bytes.
const BAR: [u8; 3] = [71, 72, 73];
const NEWLINE: u8 = 74;

/// Appends permute indices to `t` from `at`; returns where they end.
const fn put(t: &mut [u8; 64], mut at: usize, indices: &[u8]) -> usize {
    let mut i = 0;
    while i < indices.len() {
        t[at] = indices[i];
        at += 1;
        i += 1;
    }
    at
}

/// A line of printable bytes, all one colour, needs no compression: the
/// hex panel comes from the digit lanes, with its one escape, the reset and
/// the bar; the text panel from the bytes themselves. Permute indices and
/// lengths, without colour at 0 and with it at 1.
const PRINTABLE_HEX: [([u8; 64], usize); 2] = [printable_hex(false), printable_hex(true)];
const PRINTABLE_TEXT: [([u8; 64], usize); 2] = [printable_text(false), printable_text(true)];

const fn printable_hex(color: bool) -> ([u8; 64], usize) {
    let mut t = [0u8; 64];
    let mut at = if color { put(&mut t, 0, &[ESC, BRACKET, THREE, SIX, M]) } else { 0 };
    let mut i = 0;
    while i < 16 {
        at = put(&mut t, at, &[i, 16 + i]);
        at = match i {
            7 => put(&mut t, at, &[SPACE, SPACE]),
            15 => at,
            _ => put(&mut t, at, &[SPACE]),
        };
        i += 1;
    }
    if color {
        at = put(&mut t, at, &[ESC, BRACKET, ZERO, M]);
    }
    at = put(&mut t, at, &[SPACE, SPACE]);
    let len = put(&mut t, at, &BAR);
    (t, len)
}

const fn printable_text(color: bool) -> ([u8; 64], usize) {
    let mut t = [0u8; 64];
    let mut at = if color { put(&mut t, 0, &[ESC, BRACKET, THREE, SIX, M]) } else { 0 };
    let mut i = 0;
    while i < 16 {
        at = put(&mut t, at, &[i]);
        i += 1;
    }
    if color {
        at = put(&mut t, at, &[ESC, BRACKET, ZERO, M]);
    }
    at = put(&mut t, at, &BAR);
    let len = put(&mut t, at, &[NEWLINE]);
    (t, len)
}

/// `text` in a 64-byte table for one store, and its length.
const fn padded(text: &[u8]) -> ([u8; 64], usize) {
    let mut t = [0u8; 64];
    let len = put(&mut t, 0, text);
    (t, len)
}

/// After the hex panel and at the line's end, without colour at 0 and with
/// it at 1.
const HEX_END: [([u8; 64], usize); 2] = [padded(b"  \xe2\x94\x82"), padded(b"\x1b[0m  \xe2\x94\x82")];
const LINE_END: [([u8; 64], usize); 2] = [padded(b"\xe2\x94\x82\n"), padded(b"\x1b[0m\xe2\x94\x82\n")];

/// Permute indices for the slots of input bytes `first..first + 8`. The
/// sources are four 16-byte lanes (`lanes`, indexed by input byte) and the
/// constants: each slot is ESC [ 3 <lane 3> m <lane 0> <lane 1> <last>.
const fn slots(first: usize, last: u8) -> [u8; 64] {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 8 {
        let b = (first + i) as u8;
        let slot = [ESC, BRACKET, THREE, 48 + b, M, b, 16 + b, if last == 0 { 32 + b } else { last }];
        let mut k = 0;
        while k < 8 {
            t[8 * i + k] = slot[k];
            k += 1;
        }
        i += 1;
    }
    t
}

/// Hex panel: lanes are high digit, low digit, unused, colour digit.
const HEX_SLOTS: [[u8; 64]; 2] = [slots(0, SPACE), slots(8, SPACE)];
/// Text panel: lanes are glyph bytes 0, 1 and 2, colour digit.
const TEXT_SLOTS: [[u8; 64]; 2] = [slots(0, 0), slots(8, 0)];
const HEX_DIGITS: [u8; 64] = *b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// One bit per slot, spread to bit 0 of each byte of a mask.
const SLOT_BITS: u64 = 0x0101_0101_0101_0101;

/// Renders a whole line of 16 bytes into `buf` from its start, as
/// `render_full::<COLOR, 16>` does, and returns its length.
pub fn render_line<const COLOR: bool>(
    cpu: Avx512,
    offset: u64,
    line: &[u8; 16],
    buf: &mut [u8; LINE_BUF],
) -> usize {
    render_lines::<COLOR>(cpu, offset, std::slice::from_ref(line), None, false, buf, 0).1
}

/// Starts of a UTF-8 character that may show as itself: a lead byte
/// followed by a continuation byte.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn char_starts(x: __m128i) -> u16 {
    let lead = _mm_cmple_epu8_mask(
        _mm_sub_epi8(x, _mm_set1_epi8(0xc2u8 as i8)),
        _mm_set1_epi8((0xf4u8 - 0xc2) as i8),
    );
    let continuation =
        _mm_cmpeq_epi8_mask(_mm_and_si128(x, _mm_set1_epi8(0xc0u8 as i8)), _mm_set1_epi8(0x80u8 as i8));
    lead & (continuation >> 1) & 0x7fff
}

/// Renders whole lines of 16 from `lines` into `out` from `at`,
/// the first at stream offset `offset`, while the squeeze rule shows them:
/// with `squeeze`, it stops before a line equal to the one before it
/// (`previous` for the first), which the caller handles. Returns how many
/// lines it rendered and where their text ends. `out` must have room for
/// the lines plus `LINE_BUF`.
pub fn render_lines<const COLOR: bool>(
    _: Avx512,
    offset: u64,
    lines: &[[u8; 16]],
    previous: Option<&[u8; 16]>,
    squeeze: bool,
    out: &mut [u8],
    at: usize,
) -> (usize, usize) {
    // SAFETY: the CPU has every feature the function enables: an `Avx512`
    // exists.
    unsafe { render_many::<COLOR>(offset, lines, previous, squeeze, out, at) }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi2,popcnt")]
fn render_many<'a, const COLOR: bool>(
    offset: u64,
    lines: &'a [[u8; 16]],
    mut previous: Option<&'a [u8; 16]>,
    squeeze: bool,
    out: &mut [u8],
    mut at: usize,
) -> (usize, usize) {
    // One line; a closure rather than a function so that it is compiled
    // into this loop, with the tables in registers.
    let t = &*super::TABLES;
    let render = |offset: u64, line: &[u8; 16], buf: &mut [u8; LINE_BUF]| -> usize {
        const MASK: usize = LINE_BUF / 2 - 1;
        let load = |table: &[u8; 64]| {
            // SAFETY: 64 readable bytes.
            unsafe { _mm512_loadu_si512(table.as_ptr().cast()) }
        };
        let load128 = |table: &[u8; 128]| {
            (load(table[..64].try_into().unwrap()), load(table[64..].try_into().unwrap()))
        };
        // SAFETY: 16 readable bytes.
        let x = unsafe { _mm_loadu_si128(line.as_ptr().cast()) };
        #[target_feature(enable = "avx512f")]
        fn store(buf: &mut [u8; LINE_BUF], at: usize, v: __m512i) {
            let at = at & MASK;
            let room = &mut buf[at..at + 64];
            // SAFETY: 64 writable bytes.
            unsafe { _mm512_storeu_si512(room.as_mut_ptr().cast(), v) }
        }

        // Per byte: its colour digit, whether its colour differs from the byte
        // before (always for the first of a panel), NUL, non-ASCII.
        let xs = _mm512_broadcast_i32x4(x);
        let non_ascii = _mm512_movepi8_mask(xs);
        let (lo, hi) = load128(&DIGIT);
        let digit = _mm512_mask_mov_epi8(
            _mm512_permutex2var_epi8(lo, xs, hi),
            non_ascii,
            _mm512_set1_epi8(b'3' as i8),
        );
        let digit16 = _mm512_castsi512_si128(digit);
        let changed = u64::from(_mm_cmpneq_epi8_mask(digit16, _mm_bslli_si128::<1>(digit16)));
        let null = u64::from(_mm_cmpeq_epi8_mask(x, _mm_setzero_si128()));
        let control = u64::from(_mm_cmpeq_epi8_mask(digit16, _mm_set1_epi8(b'5' as i8)));
        let non_ascii = non_ascii & 0xffff;
        let constants = load(&CONSTANTS);
        let nine = _mm512_set1_epi8(b'9' as i8);

        let mut at = super::put_offset(t, offset, &mut buf[..], 0);

        // Hex panel: lanes of high digits, low digits, -, colour digits.
        let nibbles = _mm512_mask_blend_epi8(
            0xffff,
            _mm512_and_si512(xs, _mm512_set1_epi8(15)),
            _mm512_and_si512(_mm512_srli_epi16::<4>(xs), _mm512_set1_epi8(15)),
        );
        let digits = _mm512_shuffle_epi8(load(&HEX_DIGITS), nibbles);
        if _mm_cmpeq_epi8_mask(digit16, _mm_set1_epi8(b'6' as i8)) == 0xffff {
            // Printable text, the commonest line in a text protocol.
            let (hex, hex_len) = &PRINTABLE_HEX[usize::from(COLOR)];
            store(buf, at, _mm512_permutex2var_epi8(digits, load(hex), constants));
            at += hex_len;
            let (text, text_len) = &PRINTABLE_TEXT[usize::from(COLOR)];
            store(buf, at, _mm512_permutex2var_epi8(xs, load(text), constants));
            return at + text_len;
        }
        // The escape bytes of each slot where the colour changes.
        let escapes = |bits: u64| if COLOR { bits * 0x1f } else { 0 };
        let lanes = _mm512_mask_blend_epi8(0xffff << 48, digits, digit);
        for (half, order) in HEX_SLOTS.iter().enumerate() {
            let bits = |mask: u64| _pdep_u64(mask >> (8 * half), SLOT_BITS);
            let slots = _mm512_permutex2var_epi8(lanes, load(order), constants);
            let slots = _mm512_mask_mov_epi8(slots, bits(null) << 2, nine);
            // Escape where the colour changes; digits and space always, but no
            // space after the last cell.
            let mut keep = escapes(bits(changed)) | 0xe0e0_e0e0_e0e0_e0e0;
            if half == 1 {
                keep &= !(1 << 63);
            }
            store(buf, at, _mm512_maskz_compress_epi8(keep, slots));
            at += keep.count_ones() as usize;
            if half == 0 {
                // Two spaces between groups of 8.
                buf[at & MASK] = b' ';
                at += 1;
            }
        }
        let (end, end_len) = &HEX_END[usize::from(COLOR)];
        store(buf, at, load(end));
        at += end_len;

        // Text panel. Where a UTF-8 character may start, the portable code
        // decides whether it shows (rare: a few times a line in random bytes);
        // the bytes of a character that shows print as themselves.
        let (raw, lost) = decoded_chars(t, line, char_starts(x));
        let glyph = |k: usize, non_ascii_byte: u8| {
            let (lo, hi) = load128(&GLYPH[k]);
            _mm512_mask_mov_epi8(
                _mm512_permutex2var_epi8(lo, xs, hi),
                non_ascii << (16 * k),
                _mm512_set1_epi8(non_ascii_byte as i8),
            )
        };
        let first = _mm512_mask_mov_epi8(glyph(0, NON_ASCII_GLYPH[0]), raw, xs);
        let lanes = _mm512_mask_blend_epi8(0xffff, glyph(1, NON_ASCII_GLYPH[1]), first);
        let lanes = _mm512_mask_blend_epi8(0xffff << 32, lanes, glyph(2, 0));
        let lanes = _mm512_mask_blend_epi8(0xffff << 48, lanes, digit);
        let long = null | control;
        let two_or_more = (long | non_ascii) & !raw;
        for (half, order) in TEXT_SLOTS.iter().enumerate() {
            let bits = |mask: u64| _pdep_u64(mask >> (8 * half), SLOT_BITS);
            let slots = _mm512_permutex2var_epi8(lanes, load(order), constants);
            let slots = _mm512_mask_mov_epi8(slots, bits(null) << 2, nine);
            let keep =
                escapes(bits(changed)) | (SLOT_BITS << 5) | (bits(two_or_more) << 6) | (bits(long) << 7);
            store(buf, at, _mm512_maskz_compress_epi8(keep, slots));
            at += keep.count_ones() as usize;
        }
        if lost != 0 {
            return super::end_line::<COLOR, 16>(buf, at, 16 - lost);
        }
        let (end, end_len) = &LINE_END[usize::from(COLOR)];
        store(buf, at, load(end));
        at + end_len
    };
    for (i, line) in lines.iter().enumerate() {
        if squeeze && previous == Some(line) {
            return (i, at);
        }
        let Ok(buf) = <&mut [u8; LINE_BUF]>::try_from(&mut out[at..at + LINE_BUF]) else {
            unreachable!("a slice of LINE_BUF bytes")
        };
        at += render(offset.wrapping_add(16 * i as u64), line, buf);
        previous = Some(line);
    }
    (lines.len(), at)
}

/// Which bytes of `line` belong to a UTF-8 character that shows as itself,
/// as a mask, and how many cells fewer than bytes those characters take.
/// `starts` marks where one may start (see `char_starts`).
#[inline]
fn decoded_chars(t: &super::Tables, line: &[u8; 16], mut starts: u16) -> (u64, usize) {
    let (mut raw, mut lost) = (0u64, 0);
    while starts != 0 {
        let i = starts.trailing_zeros() as usize;
        starts &= starts - 1;
        if let Some((len, shown)) = super::char_at(t, &line[..], i) {
            raw |= ((1 << len) - 1) << i;
            lost += len - shown;
            // Lead bytes are never continuation bytes, so no start lies
            // inside a character; clearing them keeps that certain.
            starts &= !(((1u32 << len) - 1) << i) as u16;
        }
    }
    (raw, lost)
}

#[cfg(test)]
mod tests {
    use super::super::{Category, LINE_BUF, TABLES, render_full};
    use super::*;
    use proptest::prelude::*;

    /// Both renderers on one line at one offset, in colour and without.
    fn both(offset: u64, line: &[u8; 16]) -> Option<(String, String)> {
        let color = both_in(true, offset, line)?;
        let plain = both_in(false, offset, line)?;
        Some((color.0 + &plain.0, color.1 + &plain.1))
    }

    fn both_in(color: bool, offset: u64, line: &[u8; 16]) -> Option<(String, String)> {
        let Some(cpu) = detect() else {
            eprintln!("SKIPPED: this CPU has no AVX-512 VBMI2");
            return None;
        };
        let (mut a, mut b) = ([0u8; LINE_BUF], [0u8; LINE_BUF]);
        let (fast, portable) = if color {
            (
                render_line::<true>(cpu, offset, line, &mut a),
                render_full::<true, 16>(&TABLES, offset, line, &mut b),
            )
        } else {
            (
                render_line::<false>(cpu, offset, line, &mut a),
                render_full::<false, 16>(&TABLES, offset, line, &mut b),
            )
        };
        let text = |buf: &[u8], len| String::from_utf8(buf[..len].to_vec()).unwrap();
        Some((text(&a, fast), text(&b, portable)))
    }

    #[test]
    fn colour_digits_are_the_colours_of_the_categories() {
        for category in Category::ALL {
            let code = category.color().to_fg_str().into_owned();
            let first = if category == Category::Null { '9' } else { '3' };
            assert_eq!(code, format!("{first}{}", colour_digit(category) as char), "{category:?}");
        }
    }

    #[test]
    fn every_byte_in_every_column() {
        for column in 0..16 {
            for b in 0..=255u8 {
                for fill in [0u8, b'a', b' ', b'\n', 0x7f, 0x80, 0xc3, 0x01] {
                    let mut line = [fill; 16];
                    line[column] = b;
                    if let Some((fast, portable)) = both(0x1234_5670, &line) {
                        assert_eq!(fast, portable, "byte {b:#04x} at {column} among {fill:#04x}");
                    }
                }
            }
        }
    }

    #[test]
    fn characters_of_every_length_at_every_column() {
        for text in [
            "é",
            "日",
            "😀",
            "한",
            "\u{300}",
            "\u{202e}",
            "\u{a0}",
            "\u{ad}",
            "\u{85}",
            "\u{600}",
            "\u{5d0}",
            "\u{e33}",
            "\u{110bd}",
        ] {
            for column in 0..16 {
                let mut line = [b'.'; 16];
                let bytes = text.as_bytes();
                let n = bytes.len().min(16 - column);
                line[column..column + n].copy_from_slice(&bytes[..n]);
                if let Some((fast, portable)) = both(0, &line) {
                    assert_eq!(fast, portable, "{text:?} at {column}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn matches_the_portable_renderer(
            line in prop_oneof![
                any::<[u8; 16]>(),
                "[a-zé日\u{202e}\u{300}\u{600}\u{5d0}\t\n 😀\0\x01]{16}"
                    .prop_map(|s| <[u8; 16]>::try_from(&s.as_bytes()[..16]).unwrap()),
            ],
            offset in prop_oneof![any::<u64>().prop_map(|o| o & !15), 0u64..0x1_0000_0000],
        ) {
            if let Some((fast, portable)) = both(offset & !15, &line) {
                prop_assert_eq!(fast, portable);
            }
        }
    }
}
