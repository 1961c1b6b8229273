//! The lookup tables the portable renderer (and the AVX-512 one) draw from:
//! everything per byte value, computed once.

use std::sync::LazyLock;

use super::{Category, Cell, utf8_char};

/// Everything per byte value, computed once. The `[2]` arrays hold the plain
/// form at 0 and the form preceded by the byte's colour escape at 1, so the
/// renderer picks one by index instead of branching.
pub(super) struct Tables {
    pub(super) hex: [[u8; 2]; 256],
    pub(super) category: [u8; 256],
    /// Two hex digits and two spaces (the widest separator).
    pub(super) hex_cell: [[Cell; 256]; 2],
    pub(super) hex_len: [u8; 2],
    /// The text-panel glyph: the byte itself when printable or a space, else
    /// its category's glyph.
    pub(super) glyph: [[Cell; 256]; 2],
    pub(super) glyph_len: [[u8; 256]; 2],
    /// `ESC [ <code> m` for each category.
    pub(super) color: [Vec<u8>; 4],
    /// For each two-byte UTF-8 sequence, indexed by its 11 payload bits: the
    /// cells its character takes, or 0 when it is not shown (see `utf8_char`).
    pub(super) two_byte_width: [u8; 2048],
    /// The same as a bitmap, for the AVX-512 renderer: bit `bits & 7` of
    /// byte `bits >> 3` is set when the character shows (always in one
    /// cell: a test checks it).
    pub(super) two_byte_shown: [u8; 256],
    /// For the whole-line renderer (`render_mixed`): all it takes for byte
    /// `b`, at `cells[b]`.
    pub(super) cells: [ByteCells; 256],
}

/// The cells of one byte value for `render_mixed`, each in 8 bytes stored
/// with one 64-bit write, in one cache line: the renderer computes where
/// the line is once per byte, and its choices are indices within it.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
pub(super) struct ByteCells {
    /// At `[k]`: the byte's hex digits and a space, after its colour's
    /// escape when `k` is 1 (5 + 2 + 1 bytes).
    pub(super) hex: [u64; 2],
    /// At `[j]`, with `j = k | shown << 1`: what the text panel takes for
    /// the byte, after its colour's escape when `k` is 1: its glyph when
    /// `shown` is 0, the byte itself when it is part of a UTF-8 character
    /// that shows (at most 5 + 3 bytes).
    pub(super) text: [u64; 4],
    /// How many of the bytes of `text[j]` count.
    pub(super) text_len: [u8; 4],
}

pub(super) static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let color = Category::ALL.map(|c| format!("\x1b[{}m", c.color().to_fg_str()).into_bytes());
    let mut t = Tables {
        hex: [[0; 2]; 256],
        category: [0; 256],
        hex_cell: [[[b' '; 16]; 256]; 2],
        hex_len: [0; 2],
        glyph: [[[0; 16]; 256]; 2],
        glyph_len: [[0; 256]; 2],
        color,
        two_byte_width: [0; 2048],
        two_byte_shown: [0; 256],
        cells: [ByteCells::default(); 256],
    };
    for (bits, width) in t.two_byte_width.iter_mut().enumerate() {
        let sequence = [0xc0 | (bits >> 6) as u8, 0x80 | (bits & 0x3f) as u8];
        *width = utf8_char(&sequence).map_or(0, |(_, shown)| shown as u8);
    }
    for (bits, &width) in t.two_byte_width.iter().enumerate() {
        t.two_byte_shown[bits >> 3] |= u8::from(width != 0) << (bits & 7);
    }
    for b in 0..=255u8 {
        let i = usize::from(b);
        let category = Category::of(b);
        let escape = &t.color[category.index()];
        t.hex[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
        t.category[i] = category as u8;

        let cells = [t.hex[i].to_vec(), [escape.as_slice(), &t.hex[i]].concat()];
        let glyph = Category::shown(b).to_string().into_bytes();
        let glyphs = [glyph.clone(), [escape.as_slice(), &glyph].concat()];
        for k in 0..2 {
            t.hex_cell[k][i][..cells[k].len()].copy_from_slice(&cells[k]);
            t.hex_len[k] = cells[k].len() as u8;
            t.glyph[k][i][..glyphs[k].len()].copy_from_slice(&glyphs[k]);
            t.glyph_len[k][i] = glyphs[k].len() as u8;
        }
        let eight = |parts: &[&[u8]]| {
            let mut cell = [0u8; 8];
            let bytes = parts.concat();
            cell[..bytes.len()].copy_from_slice(&bytes);
            (u64::from_le_bytes(cell), bytes.len() as u8)
        };
        let cell = &mut t.cells[i];
        cell.hex[0] = eight(&[&t.hex[i], b" "]).0;
        cell.hex[1] = eight(&[escape, &t.hex[i], b" "]).0;
        let texts: [&[&[u8]]; 4] = [&[&glyph], &[escape, &glyph], &[&[b]], &[escape, &[b]]];
        for (j, parts) in texts.iter().enumerate() {
            (cell.text[j], cell.text_len[j]) = eight(parts);
        }
    }
    t
});
