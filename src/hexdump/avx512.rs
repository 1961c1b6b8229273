//! Whole lines of 8, 16 or 32 bytes, coloured or not, on AVX-512 (VBMI and
//! VBMI2: Ice Lake, Zen 4 and later), chosen at run time; other machines use
//! the portable renderer. Both must give the same bytes, which the tests and
//! the fuzz target check at every width.
//!
//! The idea: every input byte gets a fixed 8-byte slot holding everything it
//! could print (its colour escape, then its hex digits and a space, or its
//! glyph of up to 3 bytes). One permute builds the slots of 8 input bytes
//! (a group) in a 64-byte register; a bit mask says which slot bytes are
//! printed (the escape only where the colour changes, as many glyph bytes as
//! the glyph has), and `vpcompressb` packs them together. So a group takes
//! two permutes and two compressions (one each per panel), and no branch
//! per byte. A line is read in chunks of 16 bytes (two lines of 8 share
//! one); what a chunk's bytes print is built in four 16-byte lanes with
//! masked moves by kind of byte (NUL, control, printable, DEL, above ASCII),
//! and the colour changes where a run of one kind starts. A line of
//! printable text, all one colour, takes one permute per 16 bytes of hex and
//! one for the text, and no compression.
//!
//! UTF-8 characters that show print as themselves. Where they are is found
//! for 64 bytes of lines at once, without a branch a byte: a two-byte
//! character shows or not by a bitmap of all of them, a three-byte one by
//! its block of 256 code points ([`THREE_BYTE_BLOCKS`]); only those in a
//! block where some show and some do not, and four-byte ones, are decoded
//! one by one by the portable code.
//!
//! Why this shape, measured on an Intel Xeon with AVX-512 (where each
//! permute, compression and compare to a mask takes the one shuffle port,
//! and a two-table permute two of its cycles): deciding characters one by
//! one with a branch each cost half the time on random bytes (the branches
//! cannot be predicted); byte tables looked up with two-table permutes cost
//! more than masked moves; and every 64-byte store that crosses a cache
//! line costs about two cycles, so the small ones are narrower.
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
use std::sync::LazyLock;

use super::{Category, LINE_BUF};

/// Proof that this CPU can run this module's renderer; only [`detect`]
/// makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Avx512(());

/// An [`Avx512`] when this CPU has every feature the renderer uses.
pub(super) fn detect() -> Option<Avx512> {
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

const fn colour_digit(category: Category) -> u8 {
    // The second digit of the codes of Category::color: bright black 90,
    // cyan 36, magenta 35, yellow 33. A test checks them against `colored`.
    match category {
        Category::Null => b'0',
        Category::Printable => b'6',
        Category::Control => b'5',
        Category::NonAscii => b'3',
    }
}

/// What the text panel prints for byte `b`, as the four text lanes hold it:
/// its glyph's bytes 0, 1 and 2 (0 past its end), the second digit of its
/// colour code.
const fn text_lanes(b: u8) -> [u8; 4] {
    let mut utf8 = [0u8; 4];
    let glyph = Category::shown(b).encode_utf8(&mut utf8).as_bytes();
    let mut lanes = [0, 0, 0, colour_digit(Category::of(b))];
    let mut k = 0;
    while k < glyph.len() {
        lanes[k] = glyph[k];
        k += 1;
    }
    lanes
}

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
    /// whole line from either half of a chunk, text panel included (from
    /// lane 2, the bytes).
    const HEX: [([u8; 64], usize); 2] = [printable_hex(COLOR, W, 0), printable_hex(COLOR, W, 1)];
    /// The text panel, from the line's bytes (widths 16 and 32).
    const TEXT: ([u8; 64], usize) = printable_text(COLOR, W);
}

/// The hex panel of chunk `part` (bytes `16 * part..`) of a printable line
/// of `width` bytes, from a source whose lane 0 holds the high digits and
/// lane 1 the low digits of the chunk's bytes; at width 8, the line in half
/// `part` of a chunk, text panel too, from lane 2.
const fn printable_hex(color: bool, width: usize, part: usize) -> ([u8; 64], usize) {
    let mut t = [0u8; 64];
    if width > 8 && 16 * part >= width {
        return (t, 0);
    }
    let first = if width == 8 { 8 * part as u8 } else { 0 };
    let mut at =
        if color && (part == 0 || width == 8) { put(&mut t, 0, &[ESC, BRACKET, THREE, SIX, M]) } else { 0 };
    let cells = if width < 16 { width } else { 16 };
    let mut i = 0;
    while i < cells {
        let cell = if width == 8 { i } else { 16 * part + i };
        at = put(&mut t, at, &[first + i as u8, first + 16 + i as u8]);
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
            at = put(&mut t, at, &[first + 32 + i as u8]);
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
/// At the line's end: the reset (with colour), then spaces to pad the text
/// panel, over which the bar and the newline are stored.
const RESET_SPACES: [([u8; 64], usize); 2] = [(SPACES, 0), reset_spaces()];
const BAR_NEWLINE: ([u8; 64], usize) = padded(b"\xe2\x94\x82\n");
const SPACES: [u8; 64] = [b' '; 64];
const fn reset_spaces() -> ([u8; 64], usize) {
    let mut t = SPACES;
    put(&mut t, 0, b"\x1b[0m");
    (t, 4)
}

/// Permute indices for the slots of input bytes `first..first + 8`: each
/// slot is ESC [ <first colour digit> <second> m, then three bytes; the
/// constant ones (ESC, `[`, `m`, and the space after hex digits) are
/// blended in afterwards from [`HEX_CONSTANTS`].
const fn slots(first: usize, first_digit: u8, rest: [u8; 3]) -> [u8; 64] {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 8 {
        let b = (first + i) as u8;
        let slot = [0, 0, first_digit + b, 48 + b, 0, rest[0] + b, rest[1] + b, rest[2] + b];
        let mut k = 0;
        while k < 8 {
            t[8 * i + k] = slot[k];
            k += 1;
        }
        i += 1;
    }
    t
}

/// Hex panel, from the hex lanes: high digit, low digit, a space.
const HEX_SLOTS: [[u8; 64]; 2] = [slots(0, 32, [0, 16, 0]), slots(8, 32, [0, 16, 0])];
/// Text panel, from the text lanes (glyph bytes 0, 1, 2) and, as the
/// second table, the hex lanes (the colour code's first digit).
const TEXT_SLOTS: [[u8; 64]; 2] = [slots(0, 64 + 32, [0, 16, 32]), slots(8, 64 + 32, [0, 16, 32])];
const HEX_CONSTANTS: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 8 {
        put(&mut t, 8 * i, &[0x1b, b'[', 0, 0, b'm', 0, 0, b' ']);
        i += 1;
    }
    t
};
/// The bytes of each slot that come from [`HEX_CONSTANTS`].
const HEX_CONSTANT_BYTES: u64 = 0x9393_9393_9393_9393;
const TEXT_CONSTANT_BYTES: u64 = 0x1313_1313_1313_1313;

/// One bit per slot, spread to bit 0 of each byte of a mask.
const SLOT_BITS: u64 = 0x0101_0101_0101_0101;

/// Renders a whole line of `W` bytes (8, 16 or 32) into `buf` from its
/// start, as `render_full::<COLOR, W>` does, and returns its length.
pub(super) fn render_line<const COLOR: bool, const W: usize>(
    cpu: Avx512,
    offset: u64,
    line: &[u8; W],
    buf: &mut [u8; LINE_BUF],
) -> usize {
    render_lines::<COLOR, W>(cpu, offset, std::slice::from_ref(line), None, false, buf, 0).1
}

/// Renders whole lines of `W` from `lines` into `out` from `at`,
/// the first at stream offset `offset`, while the squeeze rule shows them:
/// with `squeeze`, it stops before a line equal to the one before it
/// (`previous` for the first), which the caller handles. Returns how many
/// lines it rendered and where their text ends. `out` must have room for
/// the lines plus `LINE_BUF`.
pub(super) fn render_lines<const COLOR: bool, const W: usize>(
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

/// What the renderer needs to know of 16 bytes of a line (a chunk), in
/// four lanes of 16 bytes, one byte of the chunk a byte of each lane.
#[derive(Clone, Copy)]
struct Chunk {
    /// The bytes, in each lane.
    xs: __m512i,
    /// What the hex panel prints: high digits, low digits, the first digit
    /// of the colour code (`3`, or `9` for NUL), the second.
    hex: __m512i,
    /// What the text panel prints: the glyph's bytes 0, 1 and 2, the second
    /// digit of the colour code.
    text: __m512i,
    /// One bit a byte: NUL, printable, non-ASCII.
    null: u64,
    printable: u64,
    non_ascii: u64,
}

const LANE0: u64 = 0xffff;
const LANE2: u64 = 0xffff << 32;
const LANE3: u64 = 0xffff << 48;

/// Four lanes of 16 bytes, each filled with one value.
const fn lanes(values: [u8; 4]) -> [u8; 64] {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = values[i / 16];
        i += 1;
    }
    t
}

/// The text lanes of the kinds of byte that are not printable (a printable
/// byte's glyph is the byte). Control bytes 1-31 show as U+2400 + byte, so
/// the last byte of their glyph is that of byte 1's, plus the byte less 1:
/// lane 2 of [`CONTROL_TEXT`] holds that of byte 1's less 1, and the byte is
/// added to it.
const CONTROL_TEXT: [u8; 64] = {
    let [first, second, third, digit] = text_lanes(1);
    lanes([first, second, third - 1, digit])
};
const NON_ASCII_TEXT: [u8; 64] = lanes(text_lanes(0x80));
const NULL_TEXT: [u8; 64] = lanes(text_lanes(0));
const DEL_TEXT: [u8; 64] = lanes(text_lanes(0x7f));
/// The hex digits in lanes 0 and 1, the colour code's first digit in lane 2.
const HEX_TABLE: [u8; 64] = *b"0123456789abcdef0123456789abcdef3333333333333333................";

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
    let constants = load(&CONSTANTS);
    let set1 = |b: u8| _mm512_set1_epi8(b as i8);
    // The facts of a chunk of 16 bytes (8 at width 8), `xs`, in each lane;
    // `raw` marks the bytes of characters that print as themselves. Each
    // lane is built with masked moves, not table look-ups: on Intel cores
    // every permute and compare goes to one port, and they bound the speed.
    let chunk = |xs: __m512i| -> Chunk {
        let printable = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(xs, set1(0x20)), set1(0x5f));
        let nibbles = _mm512_mask_blend_epi8(
            LANE0,
            _mm512_and_si512(xs, set1(15)),
            _mm512_and_si512(_mm512_srli_epi16::<4>(xs), set1(15)),
        );
        let hex = _mm512_shuffle_epi8(load(&HEX_TABLE), nibbles);
        Chunk { xs, hex, text: hex, printable, null: 0, non_ascii: 0 }
    };
    // The rest, for a line that is not all printable.
    let finish = |c: &mut Chunk, raw: u64| {
        let Chunk { xs, hex, printable, .. } = *c;
        let non_ascii = _mm512_movepi8_mask(xs);
        let null = _mm512_testn_epi8_mask(xs, xs);
        let del = _mm512_cmpeq_epi8_mask(xs, set1(0x7f));
        let text = _mm512_add_epi8(load(&CONTROL_TEXT), _mm512_maskz_mov_epi8(LANE2, xs));
        let text = _mm512_mask_mov_epi8(text, printable, _mm512_mask_blend_epi8(LANE3, xs, set1(b'6')));
        let text = _mm512_mask_mov_epi8(text, non_ascii, load(&NON_ASCII_TEXT));
        let text = _mm512_mask_mov_epi8(text, null, load(&NULL_TEXT));
        let text = _mm512_mask_mov_epi8(text, del, load(&DEL_TEXT));
        c.text = _mm512_mask_mov_epi8(text, raw, xs);
        let hex = _mm512_mask_mov_epi8(hex, null & LANE2, set1(b'9'));
        c.hex = _mm512_mask_blend_epi8(LANE3, hex, c.text);
        c.null = null & 0xffff;
        c.non_ascii = non_ascii & 0xffff;
    };

    // Renders the line whose chunks are `chunks` (at width 8, half `half`
    // of the first); `lost` is how many cells its characters save.
    let render = |offset: u64,
                  chunks: &[Chunk; 2],
                  half: usize,
                  raw: u64,
                  lost: usize,
                  buf: &mut [u8; LINE_BUF]|
     -> usize {
        const MASK: usize = LINE_BUF / 2 - 1;
        #[target_feature(enable = "avx512f")]
        fn store(buf: &mut [u8; LINE_BUF], at: usize, v: __m512i) {
            let at = at & MASK;
            let room = &mut buf[at..at + 64];
            // SAFETY: 64 writable bytes.
            unsafe { _mm512_storeu_si512(room.as_mut_ptr().cast(), v) }
        }
        // A group's slots packed: at most 64 bytes with colour, 24 without
        // (a narrower store is cheaper: most cross a cache line).
        let store_packed = |buf: &mut [u8; LINE_BUF], at: usize, v: __m512i| {
            if COLOR {
                store(buf, at, v);
            } else {
                let room = &mut buf[at & MASK..(at & MASK) + 32];
                // SAFETY: 32 writable bytes.
                unsafe { _mm256_storeu_si256(room.as_mut_ptr().cast(), _mm512_castsi512_si256(v)) }
            }
        };
        // A copy of the first `N` bytes of `table`.
        fn copy<const N: usize>(buf: &mut [u8; LINE_BUF], at: usize, table: &[u8; 64]) {
            buf[at & MASK..(at & MASK) + N].copy_from_slice(&table[..N]);
        }

        let [c0, c1] = *chunks;
        let whole = u64::MAX >> (64 - W);
        let join = |of: fn(&Chunk) -> u64| match W {
            32 => of(&c0) | of(&c1) << 16,
            16 => of(&c0),
            _ => (of(&c0) >> (8 * half)) & whole,
        };
        let printable = join(|c| c.printable & 0xffff);

        let mut at = if offset >> 32 == 0 {
            // Eight hex digits and two spaces, in one store.
            let digits = hex_digits(offset as u32);
            buf[..16].copy_from_slice(&(u128::from(digits) | 0x2020 << 64).to_le_bytes());
            10
        } else {
            super::put_offset(t, offset, &mut buf[..], 0)
        };

        if printable & whole == whole {
            // Printable text, the commonest line in a text protocol: the
            // hex panel from the digit lanes, the text from the bytes.
            let hex = &Printable::<COLOR, W>::HEX;
            if W == 8 {
                let source = _mm512_mask_blend_epi8(LANE2, c0.hex, c0.xs);
                store(buf, at, _mm512_permutex2var_epi8(source, load(&hex[half].0), constants));
                return at + hex[half].1;
            }
            for (c, (order, len)) in chunks.iter().zip(hex).take(W / 16) {
                store(buf, at, _mm512_permutex2var_epi8(c.hex, load(order), constants));
                at += len;
            }
            let bytes = _mm512_mask_blend_epi8(0xffff << 16, c0.xs, c1.xs);
            let (text, text_len) = &Printable::<COLOR, W>::TEXT;
            store(buf, at, _mm512_permutex2var_epi8(bytes, load(text), constants));
            return at + text_len;
        }
        let (null, non_ascii) = (join(|c| c.null), join(|c| c.non_ascii));
        let control = !(null | printable | non_ascii) & whole;
        // Where the colour changes: where a run of one kind of byte starts.
        let starts = |kind: u64| kind & !(kind << 1);
        let changed = starts(null) | starts(printable) | starts(non_ascii) | starts(control) | 1;
        // The escape bytes of each slot where the colour changes.
        let escapes = |bits: u64| if COLOR { bits * 0x1f } else { 0 };
        // One bit a slot, for the slots of group `g` (8 bytes).
        let bits = |mask: u64, g: usize| _pdep_u64(mask >> (8 * g), SLOT_BITS);

        // Hex panel: one permute of the chunk's hex lanes a group, the
        // constant bytes of each slot blended in.
        for g in 0..groups {
            let slots = _mm512_permutexvar_epi8(load(&HEX_SLOTS[g % 2 + half]), chunks[g / 2].hex);
            let slots = _mm512_mask_blend_epi8(HEX_CONSTANT_BYTES, slots, load(&HEX_CONSTANTS));
            // Escape where the colour changes; digits and space always, but
            // no space after the last cell.
            let mut keep = escapes(bits(changed, g)) | 0xe0e0_e0e0_e0e0_e0e0;
            if g + 1 == groups {
                keep &= !(1 << 63);
            }
            store_packed(buf, at, _mm512_maskz_compress_epi8(keep, slots));
            at += keep.count_ones() as usize;
            if g + 1 < groups {
                // Two spaces between groups of 8.
                buf[at & MASK] = b' ';
                at += 1;
            }
        }
        let (end, end_len) = &HEX_END[usize::from(COLOR)];
        copy::<16>(buf, at, end);
        at += end_len;

        // Text panel: the bytes of UTF-8 characters that show (`raw`,
        // found for a window of lines at once) print as themselves.
        let long = null | control;
        let two_or_more = (long | non_ascii) & !raw;
        for g in 0..groups {
            // The colour code's first digit comes from the hex lanes.
            let Chunk { hex, text, .. } = chunks[g / 2];
            let slots = _mm512_permutex2var_epi8(text, load(&TEXT_SLOTS[g % 2 + half]), hex);
            let slots = _mm512_mask_blend_epi8(TEXT_CONSTANT_BYTES, slots, load(&HEX_CONSTANTS));
            let keep = escapes(bits(changed, g))
                | (SLOT_BITS << 5)
                | (bits(two_or_more, g) << 6)
                | (bits(long, g) << 7);
            store_packed(buf, at, _mm512_maskz_compress_epi8(keep, slots));
            at += keep.count_ones() as usize;
        }
        // The reset, the padding for the cells the characters saved, the
        // bar: the padding moves the bar by `lost`, with no branch (about
        // half the lines of random bytes have a character that shows).
        let (reset, reset_len) = &RESET_SPACES[usize::from(COLOR)];
        copy::<32>(buf, at, reset);
        at += reset_len + lost;
        copy::<4>(buf, at, &BAR_NEWLINE.0);
        at + BAR_NEWLINE.1
    };
    // The characters that show in `bytes`, whole lines of `W` (64 bytes
    // at most). A character starts where a lead byte is followed by its
    // continuation bytes inside its line, so no two overlap. Two-byte
    // characters are looked up in a bitmap, three-byte ones by blocks of
    // 256 code points that all show or all do not; those left (in a block
    // of both, or of four bytes) are decoded one by one.
    let bitmap = [0, 1, 2, 3].map(|k| load(t.two_byte_shown[64 * k..][..64].try_into().unwrap()));
    let blocks = [0, 1, 2, 3].map(|k| load(THREE_BYTE_BLOCKS[64 * k..][..64].try_into().unwrap()));
    // A byte of one of two 128-byte tables, by the index's top bit.
    let look_up = |tables: &[__m512i; 4], index: __m512i| {
        let low = _mm512_permutex2var_epi8(tables[0], index, tables[1]);
        let high = _mm512_permutex2var_epi8(tables[2], index, tables[3]);
        _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high)
    };
    let find_characters = |bytes: &[u8]| -> Utf8Window {
        let x = load_prefix(bytes);
        if _mm512_movepi8_mask(x) == 0 {
            // ASCII only, as in most text.
            return Utf8Window { raw: 0, lost: 0 };
        }
        let next = load_prefix(bytes.get(1..).unwrap_or_default());
        let in_range = |lo: u8, hi: u8| _mm512_cmple_epu8_mask(_mm512_sub_epi8(x, set1(lo)), set1(hi - lo));
        let continuation = _mm512_cmpeq_epi8_mask(_mm512_and_si512(x, set1(0xc0)), set1(0x80));
        let (c1, c2, c3) = (continuation >> 1, continuation >> 2, continuation >> 3);
        let two = in_range(0xc2, 0xdf) & c1 & const { room(W, 1) };
        let three = in_range(0xe0, 0xef) & c1 & c2 & const { room(W, 2) };
        let four = in_range(0xf0, 0xf4) & c1 & c2 & c3 & const { room(W, 3) };
        // Bit (lead & 0x1f) << 6 | (next & 0x3f) of the bitmap: byte
        // (lead & 0x1f) << 3 | (next & 0x3f) >> 3, bit next & 7.
        let index = _mm512_or_si512(
            _mm512_slli_epi16::<3>(_mm512_and_si512(x, set1(0x1f))),
            _mm512_and_si512(_mm512_srli_epi16::<3>(next), set1(7)),
        );
        let bit = _mm512_shuffle_epi8(load(&POWERS), _mm512_and_si512(next, set1(7)));
        let two = two & _mm512_test_epi8_mask(look_up(&bitmap, index), bit);
        // Block (lead & 0x0f) << 4 | (next & 0x3f) >> 2 of three-byte
        // characters: 0 none shows, 1 all show in one cell, 2 in two, 3
        // some do.
        let index = _mm512_or_si512(
            _mm512_slli_epi16::<4>(_mm512_and_si512(x, set1(0x0f))),
            _mm512_and_si512(_mm512_srli_epi16::<2>(next), set1(0x0f)),
        );
        let block = look_up(&blocks, index);
        let narrow = three & _mm512_cmpeq_epi8_mask(block, set1(1));
        let wide = three & _mm512_cmpeq_epi8_mask(block, set1(2));
        let mixed = three & _mm512_cmpeq_epi8_mask(block, set1(3));
        let shown = narrow | wide;
        let mut found = Utf8Window {
            raw: two | two << 1 | shown | shown << 1 | shown << 2,
            lost: two << 1 | shown << 1 | narrow << 2,
        };
        if mixed | four != 0 {
            decode_each::<W>(t, bytes, mixed | four, &mut found);
        }
        found
    };
    let per_window = 64 / W;
    let mut window = Utf8Window { raw: 0, lost: 0 };
    // The line in chunks of 16 bytes, each broadcast to four lanes; at
    // width 8, two lines a chunk (or one, half full, at the end).
    let broadcast = |bytes: &[u8]| match bytes.first_chunk::<16>() {
        // SAFETY: 16 readable bytes.
        Some(bytes) => unsafe { _mm512_broadcast_i32x4(_mm_loadu_si128(bytes.as_ptr().cast())) },
        None => _mm512_set1_epi64(i64::from_le_bytes(*bytes.first_chunk::<8>().unwrap())),
    };
    let mut finished = false;
    let mut chunks = [Chunk {
        xs: _mm512_setzero_si512(),
        hex: _mm512_setzero_si512(),
        text: _mm512_setzero_si512(),
        null: 0,
        printable: 0,
        non_ascii: 0,
    }; 2];
    for (i, line) in lines.iter().enumerate() {
        if squeeze && previous == Some(line) {
            return (i, at);
        }
        let k = i % per_window;
        if k == 0 {
            let end = lines.len().min(i + per_window);
            window = find_characters(lines[i..end].as_flattened());
        }
        let whole = u64::MAX >> (64 - W);
        let lost = ((window.lost >> (W * k)) & whole).count_ones() as usize;
        let half = if W == 8 { i % 2 } else { 0 };
        if half == 0 {
            let bytes = lines[i..].as_flattened();
            chunks[0] = chunk(broadcast(bytes));
            if W == 32 {
                chunks[1] = chunk(broadcast(&bytes[16..]));
            }
            finished = false;
        }
        let printable = match W {
            32 => chunks[0].printable & chunks[1].printable & 0xffff == 0xffff,
            16 => chunks[0].printable & 0xffff == 0xffff,
            _ => (chunks[0].printable >> (8 * half)) & 0xff == 0xff,
        };
        if !printable && !finished {
            let raw = window.raw >> (W * (k - half));
            finish(&mut chunks[0], raw & 0xffff);
            if W == 32 {
                finish(&mut chunks[1], (raw >> 16) & 0xffff);
            }
            finished = true;
        }
        let Ok(buf) = <&mut [u8; LINE_BUF]>::try_from(&mut out[at..at + LINE_BUF]) else {
            unreachable!("a slice of LINE_BUF bytes")
        };
        let raw = (window.raw >> (W * k)) & whole;
        at += render(offset.wrapping_add((W * i) as u64), &chunks, half, raw, lost, buf);
        previous = Some(line);
    }
    (lines.len(), at)
}

/// The UTF-8 characters that show in a window of up to 64 bytes of whole
/// lines: `raw` marks the bytes of each (they print as themselves), `lost`
/// marks, for each, as many of its bytes after the first as it takes cells
/// fewer than bytes, so the bits of a line count its missing cells.
#[derive(Clone, Copy)]
struct Utf8Window {
    raw: u64,
    lost: u64,
}

/// Bit `i` set where byte `i` of a window of lines of `W` has at least
/// `after` more bytes in its line.
const fn room(width: usize, after: usize) -> u64 {
    let mut m = 0u64;
    let mut i = 0;
    while i < 64 {
        if i % width + after < width {
            m |= 1 << i;
        }
        i += 1;
    }
    m
}

/// The first `bytes.len()` (at most 64) bytes of `bytes`, the rest zero.
#[target_feature(enable = "avx512f,avx512bw")]
fn load_prefix(bytes: &[u8]) -> __m512i {
    let n = bytes.len().min(64);
    let mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    // SAFETY: the mask selects the first `n` bytes, all inside `bytes`;
    // the others are neither read nor able to fault.
    unsafe { _mm512_maskz_loadu_epi8(mask, bytes.as_ptr().cast()) }
}

/// The eight hex digits of `n`, most significant first in memory.
#[target_feature(enable = "bmi2")]
fn hex_digits(n: u32) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // One nibble a byte, the lowest in byte 0; those above 9 are letters.
    let nibbles = _pdep_u64(u64::from(n), 0x0f * ONES);
    let letters = ((nibbles + 6 * ONES) >> 4) & ONES;
    (nibbles + b'0' as u64 * ONES + letters * (b'a' - b'0' - 10) as u64).swap_bytes()
}

/// Adds the characters starting at `starts` in `bytes`, whole lines of
/// `W`, that show to `found`: the three- and four-byte ones the vector
/// code could not decide, one by one. A three-byte one is in a block where
/// some show and some do not: it is looked up in [`MIXED_BLOCKS`]; a
/// four-byte one is decoded by the portable code.
#[inline(never)]
fn decode_each<const W: usize>(t: &super::Tables, bytes: &[u8], mut starts: u64, found: &mut Utf8Window) {
    while starts != 0 {
        let i = starts.trailing_zeros() as usize;
        starts &= starts - 1;
        let line = i - i % W;
        let shown = match bytes[i..] {
            [lead @ 0xe0..=0xef, second, third, ..] => {
                let code = usize::from(lead & 0x0f) << 12
                    | usize::from(second & 0x3f) << 6
                    | usize::from(third & 0x3f);
                let block = usize::from(MIXED_INDEX[code >> 8]);
                let cells = MIXED_BLOCKS[block << 8 | (code & 0xff)];
                (cells != 0).then_some((3, usize::from(cells)))
            }
            _ => super::char_at(t, &bytes[line..line + W], i - line),
        };
        if let Some((len, cells)) = shown {
            found.raw |= ((1 << len) - 1) << i;
            found.lost |= ((1 << (len - cells)) - 1) << (i + 1);
        }
    }
}

/// For each block of [`THREE_BYTE_BLOCKS`] where some characters show and
/// some do not, its place in [`MIXED_BLOCKS`].
const MIXED_INDEX: [u8; 256] = {
    let mut index = [0u8; 256];
    let (mut block, mut next) = (0, 0);
    while block < 256 {
        if THREE_BYTE_BLOCKS[block] == 3 {
            index[block] = next;
            next += 1;
        }
        block += 1;
    }
    index
};

/// The cells each character of those blocks takes, 0 when it does not
/// show (see `utf8_char`): 256 a block, 47 blocks. Made the first time one
/// is met (about a millisecond), not at every start.
static MIXED_BLOCKS: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut cells = Vec::new();
    for block in (0..256).filter(|&block| THREE_BYTE_BLOCKS[block] == 3) {
        for low in 0..256 {
            let code = block << 8 | low;
            let sequence =
                [0xe0 | (code >> 12) as u8, 0x80 | (code >> 6 & 0x3f) as u8, 0x80 | (code & 0x3f) as u8];
            cells.push(super::utf8_char(&sequence).map_or(0, |(_, shown)| shown as u8));
        }
    }
    cells
});

/// For each block of 256 code points from U+0000 to U+FFFF, whether its
/// three-byte UTF-8 characters show (see `utf8_char`): 0 none, 1 all in one
/// cell, 2 all in two, 3 some. Below U+0800 the three-byte forms are
/// overlong, and U+D800-U+DFFF are surrogates: none shows. From the Unicode
/// data of `icu_properties`; a test checks every code point (and prints the
/// table to paste here when that data changes).
#[rustfmt::skip]
const THREE_BYTE_BLOCKS: [u8; 256] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 0, 3, 3, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 1, 3,
    3, 3, 1, 3, 3, 3, 3, 3, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 3, 1, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 3, 0, 3, 3, 3,
];

/// Bit `i % 8` set in byte `i`.
const POWERS: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = 1 << (i % 8);
        i += 1;
    }
    t
};

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

    /// Lines of `W` from `bytes` (whole lines only) rendered as one run,
    /// against the portable renderer line by line, in colour and without.
    fn run_matches<const W: usize>(offset: u64, bytes: &[u8]) -> Result<(), TestCaseError> {
        let Some(cpu) = detect() else {
            eprintln!("SKIPPED: this CPU has no AVX-512 VBMI2");
            return Ok(());
        };
        let (lines, _) = bytes.as_chunks::<W>();
        for color in [false, true] {
            let mut fast = vec![0u8; lines.len() * 1024 + LINE_BUF];
            let (shown, end) = if color {
                render_lines::<true, W>(cpu, offset, lines, None, false, &mut fast, 0)
            } else {
                render_lines::<false, W>(cpu, offset, lines, None, false, &mut fast, 0)
            };
            prop_assert_eq!(shown, lines.len());
            let mut portable = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                let mut buf = [0u8; LINE_BUF];
                let at = offset.wrapping_add((W * i) as u64);
                let len = if color {
                    render_full::<true, W>(&TABLES, at, line, &mut buf)
                } else {
                    render_full::<false, W>(&TABLES, at, line, &mut buf)
                };
                portable.extend_from_slice(&buf[..len]);
            }
            prop_assert_eq!(String::from_utf8_lossy(&fast[..end]), String::from_utf8_lossy(&portable));
        }
        Ok(())
    }

    #[test]
    fn three_byte_blocks_hold_for_every_code_point() {
        // What `utf8_char` says of every three-byte sequence (overlong and
        // surrogate forms included), block by block.
        let mut blocks = [0u8; 256];
        for (block, class) in blocks.iter_mut().enumerate() {
            let mut seen = std::collections::BTreeSet::new();
            for low in 0..256 {
                let code = block << 8 | low;
                let sequence =
                    [0xe0 | (code >> 12) as u8, 0x80 | (code >> 6 & 0x3f) as u8, 0x80 | (code & 0x3f) as u8];
                seen.insert(super::super::utf8_char(&sequence).map(|(len, cells)| {
                    assert_eq!(len, 3);
                    cells
                }));
            }
            *class = match seen.into_iter().collect::<Vec<_>>()[..] {
                [None] => 0,
                [Some(1)] => 1,
                [Some(2)] => 2,
                _ => 3,
            };
        }
        let table: Vec<String> = blocks.chunks(32).map(|row| format!("{row:?}")).collect();
        assert!(blocks == THREE_BYTE_BLOCKS, "THREE_BYTE_BLOCKS should now be:\n{}", table.join("\n"));
        // Each character of a block of both kinds, as decode_each finds it.
        for block in (0..256).filter(|&block| THREE_BYTE_BLOCKS[block] == 3) {
            for low in 0..256 {
                let code = block << 8 | low;
                let sequence =
                    [0xe0 | (code >> 12) as u8, 0x80 | (code >> 6 & 0x3f) as u8, 0x80 | (code & 0x3f) as u8];
                let mut line = [b'.'; 8];
                line[2..5].copy_from_slice(&sequence);
                let mut found = Utf8Window { raw: 0, lost: 0 };
                decode_each::<8>(&TABLES, &line, 1 << 2, &mut found);
                let expected = super::super::utf8_char(&sequence)
                    .map_or((0, 0), |(_, cells)| (0b111 << 2, ((1u64 << (3 - cells)) - 1) << 3));
                assert_eq!((found.raw, found.lost), expected, "U+{code:04X}");
            }
        }
    }

    #[test]
    fn two_byte_characters_that_show_take_one_cell() {
        // The bitmap says which show; the cells they save are counted as
        // one each.
        assert!(TABLES.two_byte_width.iter().all(|&cells| cells <= 1));
        assert!(TABLES.two_byte_width.contains(&1));
    }

    #[test]
    fn pairs_of_lines_of_8_of_every_kind() {
        // At width 8 two lines share a chunk: each of them printable or
        // not, and characters that show in either, in colour and without.
        let kinds: [&[u8; 8]; 6] = [
            b"abcdefgh",
            b"ab\ncdefg",
            b"\0\x01\x7f\x80\xff a~",
            b"caf\xc3\xa9 ok",
            b"\xe6\x97\xa5\xe6\x9c\xac\x01\x02",
            b"        ",
        ];
        let mut bytes = Vec::new();
        for first in kinds {
            for second in kinds {
                bytes.extend_from_slice(first);
                bytes.extend_from_slice(second);
            }
        }
        for skip in [0, 8] {
            run_matches::<8>(0x7ff8, &bytes[skip..]).unwrap();
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Runs of lines, as `netplay hex` renders them: characters are
        /// found for 64 bytes of lines at once, and lines of 8 share chunks.
        #[test]
        fn runs_of_lines_match_the_portable_renderer(
            pieces in prop::collection::vec(prop_oneof![
                prop::collection::vec(any::<u8>(), 0..100),
                "[a-zé日한\u{202e}\u{300}\u{600}\u{5d0}\u{e33}\u{a0}\u{ad}\u{85}\u{110bd}\t\n 😀\0\x01]{0,40}"
                    .prop_map(String::into_bytes),
                prop::collection::vec(any::<char>(), 0..12)
                    .prop_map(|chars| chars.into_iter().collect::<String>().into_bytes()),
                "[ -~]{0,80}".prop_map(String::into_bytes),
            ], 0..12),
            offset in prop_oneof![0u64..0x1_0000_0000, Just(u64::MAX - 255)],
        ) {
            let bytes = pieces.concat();
            let offset = offset & !31;
            run_matches::<8>(offset, &bytes)?;
            run_matches::<16>(offset, &bytes)?;
            run_matches::<32>(offset, &bytes)?;
        }
    }
}
