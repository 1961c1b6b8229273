//! Whole lines of 8, 16 or 32 bytes, coloured or not, on AVX-512 (VBMI and
//! VBMI2: Ice Lake, Zen 4 and later), chosen at run time; other machines use
//! the portable renderer. Both must give the same bytes, which the tests and
//! the fuzz target check at every width.
//!
//! The idea: every input byte gets a fixed 8-byte slot holding everything it
//! could print (its colour escape, then its hex digits and a space, or its
//! glyph of up to 3 bytes). One permute builds the slots of 8 input bytes
//! (a group) in a 64-byte register from lookup tables; a bit mask says which
//! slot bytes are printed (the escape only where the colour changes, as many
//! glyph bytes as the glyph has), and `vpcompressb` packs them together. So
//! a group takes two permutes and two compressions (one each per panel),
//! and no branch per byte. A line is read in chunks of 16 bytes (half of one
//! at width 8); the colour of a chunk's first byte is compared with the
//! last byte of the chunk before. A line of printable text, all one colour,
//! takes one permute per 16 bytes of hex and one for the text (one in all
//! at width 8), and no compression. Where a UTF-8 character may start (a
//! lead byte followed by a continuation byte), the portable code decides
//! whether it shows, and the bytes of one that shows print as themselves.
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
/// lengths for lines of `W` bytes, without colour or with it.
struct Printable<const COLOR: bool, const W: usize>;

impl<const COLOR: bool, const W: usize> Printable<COLOR, W> {
    /// The hex panel of each 16-byte chunk of the line; at width 8, the
    /// whole line, text panel included (from lane 2, the bytes).
    const HEX: [([u8; 64], usize); 2] = [printable_hex(COLOR, W, 0), printable_hex(COLOR, W, 1)];
    /// The text panel, from the line's bytes (widths 16 and 32).
    const TEXT: ([u8; 64], usize) = printable_text(COLOR, W);
}

/// The hex panel of chunk `part` (bytes `16 * part..`) of a printable line
/// of `width` bytes, from a source whose lane 0 holds the high digits and
/// lane 1 the low digits of the chunk's bytes; at width 8, also the text
/// panel, from lane 2.
const fn printable_hex(color: bool, width: usize, part: usize) -> ([u8; 64], usize) {
    let mut t = [0u8; 64];
    if 16 * part >= width {
        return (t, 0);
    }
    let mut at = if color && part == 0 { put(&mut t, 0, &[ESC, BRACKET, THREE, SIX, M]) } else { 0 };
    let cells = if width < 16 { width } else { 16 };
    let mut i = 0;
    while i < cells {
        let cell = 16 * part + i;
        at = put(&mut t, at, &[i as u8, 16 + i as u8]);
        if cell + 1 == width {
            if color {
                at = put(&mut t, at, &[ESC, BRACKET, ZERO, M]);
            }
            at = put(&mut t, at, &[SPACE, SPACE]);
            at = put(&mut t, at, &BAR);
        } else if (cell + 1).is_multiple_of(8) {
            at = put(&mut t, at, &[SPACE, SPACE]);
        } else {
            at = put(&mut t, at, &[SPACE]);
        }
        i += 1;
    }
    if width == 8 {
        if color {
            at = put(&mut t, at, &[ESC, BRACKET, THREE, SIX, M]);
        }
        let mut i = 0;
        while i < 8 {
            at = put(&mut t, at, &[32 + i as u8]);
            i += 1;
        }
        if color {
            at = put(&mut t, at, &[ESC, BRACKET, ZERO, M]);
        }
        at = put(&mut t, at, &BAR);
        at = put(&mut t, at, &[NEWLINE]);
    }
    (t, at)
}

/// The text panel of a printable line of `width` bytes, from a source that
/// holds the bytes in order.
const fn printable_text(color: bool, width: usize) -> ([u8; 64], usize) {
    let mut t = [0u8; 64];
    let mut at = if color { put(&mut t, 0, &[ESC, BRACKET, THREE, SIX, M]) } else { 0 };
    let mut i = 0;
    while i < width {
        at = put(&mut t, at, &[i as u8]);
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

/// Renders a whole line of `W` bytes (8, 16 or 32) into `buf` from its
/// start, as `render_full::<COLOR, W>` does, and returns its length.
pub fn render_line<const COLOR: bool, const W: usize>(
    cpu: Avx512,
    offset: u64,
    line: &[u8; W],
    buf: &mut [u8; LINE_BUF],
) -> usize {
    render_lines::<COLOR, W>(cpu, offset, std::slice::from_ref(line), None, false, buf, 0).1
}

/// Lead bytes of a UTF-8 character that may show as itself, and
/// continuation bytes, in the 16 bytes of `x`.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn utf8_masks(x: __m128i) -> (u32, u32) {
    let lead = _mm_cmple_epu8_mask(
        _mm_sub_epi8(x, _mm_set1_epi8(0xc2u8 as i8)),
        _mm_set1_epi8((0xf4u8 - 0xc2) as i8),
    );
    let continuation =
        _mm_cmpeq_epi8_mask(_mm_and_si128(x, _mm_set1_epi8(0xc0u8 as i8)), _mm_set1_epi8(0x80u8 as i8));
    (u32::from(lead), u32::from(continuation))
}

/// Renders whole lines of `W` from `lines` into `out` from `at`,
/// the first at stream offset `offset`, while the squeeze rule shows them:
/// with `squeeze`, it stops before a line equal to the one before it
/// (`previous` for the first), which the caller handles. Returns how many
/// lines it rendered and where their text ends. `out` must have room for
/// the lines plus `LINE_BUF`.
pub fn render_lines<const COLOR: bool, const W: usize>(
    _: Avx512,
    offset: u64,
    lines: &[[u8; W]],
    previous: Option<&[u8; W]>,
    squeeze: bool,
    out: &mut [u8],
    at: usize,
) -> (usize, usize) {
    const { assert!(W == 8 || W == 16 || W == 32) };
    // SAFETY: the CPU has every feature the function enables: an `Avx512`
    // exists.
    unsafe { render_many::<COLOR, W>(offset, lines, previous, squeeze, out, at) }
}

/// What the renderer needs to know of 16 bytes of a line (a chunk).
#[derive(Clone, Copy)]
struct Chunk {
    /// The bytes, in each of the four lanes.
    xs: __m512i,
    /// The colour digit of each byte, in each lane.
    digit: __m512i,
    /// High digits in lane 0, low digits in lanes 1 to 3.
    digits: __m512i,
    /// One bit a byte: the colour differs from the byte before's (always
    /// for the first of a line), NUL, control, non-ASCII, printable.
    changed: u64,
    null: u64,
    control: u64,
    non_ascii: u64,
    printable: u64,
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi2,popcnt")]
fn render_many<'a, const COLOR: bool, const W: usize>(
    offset: u64,
    lines: &'a [[u8; W]],
    mut previous: Option<&'a [u8; W]>,
    squeeze: bool,
    out: &mut [u8],
    mut at: usize,
) -> (usize, usize) {
    // Closures rather than functions, so that they are compiled into this
    // loop with the tables in registers.
    let t = &*super::TABLES;
    let groups = W / 8;
    let load = |table: &[u8; 64]| {
        // SAFETY: 64 readable bytes.
        unsafe { _mm512_loadu_si512(table.as_ptr().cast()) }
    };
    let load128 =
        |table: &[u8; 128]| (load(table[..64].try_into().unwrap()), load(table[64..].try_into().unwrap()));
    let (digit_lo, digit_hi) = load128(&DIGIT);
    let constants = load(&CONSTANTS);
    let hex_digits = load(&HEX_DIGITS);
    let nine = _mm512_set1_epi8(b'9' as i8);
    // The facts of a chunk of 16 bytes; `before` holds, in its last byte,
    // the colour digit of the byte before the chunk (none for the first).
    let chunk = |x: __m128i, before: Option<__m128i>| -> Chunk {
        let xs = _mm512_broadcast_i32x4(x);
        let non_ascii = _mm512_movepi8_mask(xs);
        let digit = _mm512_mask_mov_epi8(
            _mm512_permutex2var_epi8(digit_lo, xs, digit_hi),
            non_ascii,
            _mm512_set1_epi8(b'3' as i8),
        );
        let digit16 = _mm512_castsi512_si128(digit);
        let shifted = match before {
            None => _mm_bslli_si128::<1>(digit16),
            Some(before) => _mm_alignr_epi8::<15>(digit16, before),
        };
        let nibbles = _mm512_mask_blend_epi8(
            0xffff,
            _mm512_and_si512(xs, _mm512_set1_epi8(15)),
            _mm512_and_si512(_mm512_srli_epi16::<4>(xs), _mm512_set1_epi8(15)),
        );
        Chunk {
            xs,
            digit,
            digits: _mm512_shuffle_epi8(hex_digits, nibbles),
            changed: u64::from(_mm_cmpneq_epi8_mask(digit16, shifted)),
            null: u64::from(_mm_cmpeq_epi8_mask(x, _mm_setzero_si128())),
            control: u64::from(_mm_cmpeq_epi8_mask(digit16, _mm_set1_epi8(b'5' as i8))),
            non_ascii: non_ascii & 0xffff,
            printable: u64::from(_mm_cmpeq_epi8_mask(digit16, _mm_set1_epi8(b'6' as i8))),
        }
    };

    let render = |offset: u64, line: &[u8; W], buf: &mut [u8; LINE_BUF]| -> usize {
        const MASK: usize = LINE_BUF / 2 - 1;
        #[target_feature(enable = "avx512f")]
        fn store(buf: &mut [u8; LINE_BUF], at: usize, v: __m512i) {
            let at = at & MASK;
            let room = &mut buf[at..at + 64];
            // SAFETY: 64 writable bytes.
            unsafe { _mm512_storeu_si512(room.as_mut_ptr().cast(), v) }
        }

        // The line in chunks of 16 bytes (one, half full, at width 8).
        let x0 = match line.first_chunk::<16>() {
            // SAFETY: 16 readable bytes.
            Some(first) => unsafe { _mm_loadu_si128(first.as_ptr().cast()) },
            // SAFETY: 8 readable bytes; the other 8 are zero.
            None => unsafe { _mm_loadl_epi64(line.as_ptr().cast()) },
        };
        let c0 = chunk(x0, None);
        let (x1, c1) = match line.get(16..32) {
            Some(second) => {
                // SAFETY: 16 readable bytes.
                let x1 = unsafe { _mm_loadu_si128(second.as_ptr().cast()) };
                (x1, chunk(x1, Some(_mm512_castsi512_si128(c0.digit))))
            }
            None => (x0, c0),
        };
        let chunks = [c0, c1];
        let join = |of: fn(&Chunk) -> u64| if W == 32 { of(&c0) | of(&c1) << 16 } else { of(&c0) };
        let whole = u64::MAX >> (64 - W);
        let (changed, null, control, non_ascii) =
            (join(|c| c.changed), join(|c| c.null), join(|c| c.control), join(|c| c.non_ascii));

        let mut at = super::put_offset(t, offset, &mut buf[..], 0);

        if join(|c| c.printable) & whole == whole {
            // Printable text, the commonest line in a text protocol: the
            // hex panel from the digit lanes, the text from the bytes.
            let hex = &Printable::<COLOR, W>::HEX;
            if W == 8 {
                let source = _mm512_mask_blend_epi8(0xffff << 32, c0.digits, c0.xs);
                store(buf, at, _mm512_permutex2var_epi8(source, load(&hex[0].0), constants));
                return at + hex[0].1;
            }
            for (c, (order, len)) in chunks.iter().zip(hex).take(W / 16) {
                store(buf, at, _mm512_permutex2var_epi8(c.digits, load(order), constants));
                at += len;
            }
            let bytes = _mm512_inserti32x4::<1>(c0.xs, x1);
            let (text, text_len) = &Printable::<COLOR, W>::TEXT;
            store(buf, at, _mm512_permutex2var_epi8(bytes, load(text), constants));
            return at + text_len;
        }
        // The escape bytes of each slot where the colour changes.
        let escapes = |bits: u64| if COLOR { bits * 0x1f } else { 0 };
        // One bit a slot, for the slots of group `g` (8 bytes).
        let bits = |mask: u64, g: usize| _pdep_u64(mask >> (8 * g), SLOT_BITS);

        // Hex panel: lanes of high digits, low digits, -, colour digits.
        let hex_lanes = chunks.map(|c| _mm512_mask_blend_epi8(0xffff << 48, c.digits, c.digit));
        for g in 0..groups {
            let slots = _mm512_permutex2var_epi8(hex_lanes[g / 2], load(&HEX_SLOTS[g % 2]), constants);
            let slots = _mm512_mask_mov_epi8(slots, bits(null, g) << 2, nine);
            // Escape where the colour changes; digits and space always, but
            // no space after the last cell.
            let mut keep = escapes(bits(changed, g)) | 0xe0e0_e0e0_e0e0_e0e0;
            if g + 1 == groups {
                keep &= !(1 << 63);
            }
            store(buf, at, _mm512_maskz_compress_epi8(keep, slots));
            at += keep.count_ones() as usize;
            if g + 1 < groups {
                // Two spaces between groups of 8.
                buf[at & MASK] = b' ';
                at += 1;
            }
        }
        let (end, end_len) = &HEX_END[usize::from(COLOR)];
        store(buf, at, load(end));
        at += end_len;

        // Text panel. Where a UTF-8 character may start (a lead byte
        // followed by a continuation byte), the portable code decides
        // whether it shows (rare: a few times a line in random bytes); the
        // bytes of a character that shows print as themselves.
        let (lead, continuation) = if W == 32 {
            let ((l0, c0), (l1, c1)) = (utf8_masks(x0), utf8_masks(x1));
            (l0 | l1 << 16, c0 | c1 << 16)
        } else {
            utf8_masks(x0)
        };
        let starts = lead & (continuation >> 1) & (u32::MAX >> (33 - W));
        let (raw, lost) = decoded_chars(t, line, starts);
        let text_lanes = [0, 1].map(|c| {
            let Chunk { xs, digit, non_ascii, .. } = chunks[c];
            let glyph = |k: usize, non_ascii_byte: u8| {
                let (lo, hi) = load128(&GLYPH[k]);
                _mm512_mask_mov_epi8(
                    _mm512_permutex2var_epi8(lo, xs, hi),
                    non_ascii << (16 * k),
                    _mm512_set1_epi8(non_ascii_byte as i8),
                )
            };
            let first = _mm512_mask_mov_epi8(glyph(0, NON_ASCII_GLYPH[0]), (raw >> (16 * c)) & 0xffff, xs);
            let lanes = _mm512_mask_blend_epi8(0xffff, glyph(1, NON_ASCII_GLYPH[1]), first);
            let lanes = _mm512_mask_blend_epi8(0xffff << 32, lanes, glyph(2, 0));
            _mm512_mask_blend_epi8(0xffff << 48, lanes, digit)
        });
        let long = null | control;
        let two_or_more = (long | non_ascii) & !raw;
        for g in 0..groups {
            let slots = _mm512_permutex2var_epi8(text_lanes[g / 2], load(&TEXT_SLOTS[g % 2]), constants);
            let slots = _mm512_mask_mov_epi8(slots, bits(null, g) << 2, nine);
            let keep = escapes(bits(changed, g))
                | (SLOT_BITS << 5)
                | (bits(two_or_more, g) << 6)
                | (bits(long, g) << 7);
            store(buf, at, _mm512_maskz_compress_epi8(keep, slots));
            at += keep.count_ones() as usize;
        }
        if lost != 0 {
            return super::end_line::<COLOR, W>(buf, at, W - lost);
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
        at += render(offset.wrapping_add((W * i) as u64), line, buf);
        previous = Some(line);
    }
    (lines.len(), at)
}

/// Which bytes of `line` belong to a UTF-8 character that shows as itself,
/// as a mask, and how many cells fewer than bytes those characters take.
/// `starts` marks where one may start: a lead byte followed by a
/// continuation byte.
#[inline]
fn decoded_chars(t: &super::Tables, line: &[u8], mut starts: u32) -> (u64, usize) {
    let (mut raw, mut lost) = (0u64, 0);
    while starts != 0 {
        let i = starts.trailing_zeros() as usize;
        starts &= starts - 1;
        if let Some((len, shown)) = super::char_at(t, line, i) {
            raw |= ((1 << len) - 1) << i;
            lost += len - shown;
            // Lead bytes are never continuation bytes, so no start lies
            // inside a character; clearing them keeps that certain.
            starts &= !(((1u32 << len) - 1) << i);
        }
    }
    (raw, lost)
}

#[cfg(test)]
mod tests {
    use super::super::{Category, LINE_BUF, TABLES, render_full};
    use super::*;
    use proptest::prelude::*;

    /// Both renderers on one line of `W` at one offset, in colour and
    /// without: (AVX-512, portable).
    fn both<const W: usize>(offset: u64, line: &[u8; W]) -> Option<(String, String)> {
        let Some(cpu) = detect() else {
            eprintln!("SKIPPED: this CPU has no AVX-512 VBMI2");
            return None;
        };
        let text = |buf: &[u8], len| String::from_utf8(buf[..len].to_vec()).unwrap();
        let (mut fast, mut portable) = (String::new(), String::new());
        let (mut a, mut b) = ([0u8; LINE_BUF], [0u8; LINE_BUF]);
        let len = render_line::<true, W>(cpu, offset, line, &mut a);
        fast += &text(&a, len);
        let len = render_full::<true, W>(&TABLES, offset, line, &mut b);
        portable += &text(&b, len);
        let len = render_line::<false, W>(cpu, offset, line, &mut a);
        fast += &text(&a, len);
        let len = render_full::<false, W>(&TABLES, offset, line, &mut b);
        portable += &text(&b, len);
        Some((fast, portable))
    }

    /// `both` at the width of `line`'s length (8, 16 or 32).
    fn both_at_width(offset: u64, line: &[u8]) -> Option<(String, String)> {
        match line.len() {
            8 => both::<8>(offset, line.try_into().unwrap()),
            16 => both::<16>(offset, line.try_into().unwrap()),
            32 => both::<32>(offset, line.try_into().unwrap()),
            other => unreachable!("no width {other}"),
        }
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
    fn every_byte_in_every_column_at_every_width() {
        for width in [8, 16, 32] {
            for column in 0..width {
                for b in 0..=255u8 {
                    for fill in [0u8, b'a', b' ', b'\n', 0x7f, 0x80, 0xc3, 0x01] {
                        let mut line = vec![fill; width];
                        line[column] = b;
                        if let Some((fast, portable)) = both_at_width(0x1234_5660, &line) {
                            assert_eq!(
                                fast, portable,
                                "byte {b:#04x} at {column} of {width} among {fill:#04x}"
                            );
                        }
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
            for width in [8, 16, 32] {
                for column in 0..width {
                    for fill in [b'.', 0x01] {
                        let mut line = vec![fill; width];
                        let bytes = text.as_bytes();
                        let n = bytes.len().min(width - column);
                        line[column..column + n].copy_from_slice(&bytes[..n]);
                        if let Some((fast, portable)) = both_at_width(0, &line) {
                            assert_eq!(fast, portable, "{text:?} at {column} of {width}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn lines_of_one_kind_at_every_width() {
        // The paths with no per-byte choice: all printable (spaces
        // included), all NUL, all control, all non-ASCII.
        for fill in [b'a', b' ', 0, b'\n', 0xff] {
            for width in [8, 16, 32] {
                if let Some((fast, portable)) = both_at_width(u64::MAX - 31, &vec![fill; width]) {
                    assert_eq!(fast, portable, "{fill:#04x} at width {width}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn matches_the_portable_renderer(
            line in prop_oneof![
                any::<[u8; 32]>().prop_map(|line| line.to_vec()),
                "[a-zé日\u{202e}\u{300}\u{600}\u{5d0}\t\n 😀\0\x01]{32}".prop_map(|s| s.as_bytes()[..32].to_vec()),
                "[ -~]{32}".prop_map(|s| s.into_bytes()),
            ],
            width in prop::sample::select(vec![8usize, 16, 32]),
            offset in prop_oneof![any::<u64>(), 0u64..0x1_0000_0000],
        ) {
            let offset = offset & !(width as u64 - 1);
            if let Some((fast, portable)) = both_at_width(offset, &line[..width]) {
                prop_assert_eq!(fast, portable);
            }
        }
    }
}
