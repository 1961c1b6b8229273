//! The portable renderer's lines: a whole line of `W` bytes at once from
//! the lookup tables, printable lines with every cell in a place known in
//! advance and the others byte by byte with SWAR flags; and the offset
//! column.

use super::{Category, LINE_BUF, MAX_WIDTH, RESET, SLACK, TABLES, Tables, utf8_char};

/// Renders a whole line of `W` bytes into `buf` from its start, and returns
/// its length. The same text as `Dumper::render_line`, faster: the layout is
/// known at compile time, every index is masked into `buf` (so no bounds
/// checks), lines of printable bytes have every cell in a place known in
/// advance, and the others take `render_mixed`, with no choice per byte.
pub(super) fn render_full<const COLOR: bool, const W: usize>(
    t: &Tables,
    line_start: u64,
    line: &[u8; W],
    buf: &mut [u8; LINE_BUF],
) -> usize {
    const MASK: usize = LINE_BUF / 2 - 1;
    const SPACES: [u8; 4 * MAX_WIDTH] = [b' '; 4 * MAX_WIDTH];
    let hex_panel = 3 * W - 1 + (W / 8 - 1);
    let printable = line.iter().fold(true, |all, &b| all & (b.wrapping_sub(0x20) < 0x5f));
    let cyan = &t.color[Category::Printable.index()];

    let mut at = put_offset(t, line_start, &mut buf[..], 0);
    if !printable {
        return render_mixed::<COLOR, W>(t, line, buf, at);
    }
    // Every cell in its place: digits at 3 per cell plus one more space per
    // group of 8, over a run of spaces; one escape for them all.
    if COLOR {
        buf[at & MASK..(at & MASK) + 5].copy_from_slice(&cyan[..5]);
        at += cyan.len();
    }
    let panel = at & MASK;
    buf[panel..panel + hex_panel].copy_from_slice(&SPACES[..hex_panel]);
    for (i, &b) in line.iter().enumerate() {
        let cell = panel + 3 * i + i / 8;
        buf[cell..cell + 2].copy_from_slice(&t.hex[usize::from(b)]);
    }
    at += hex_panel;
    let (tail, tail_len) = if COLOR { (&RESET_BAR, 9) } else { (&BAR_ONLY, 5) };
    buf[at & MASK..(at & MASK) + 16].copy_from_slice(tail);
    at += tail_len;
    if COLOR {
        buf[at & MASK..(at & MASK) + 5].copy_from_slice(&cyan[..5]);
        at += cyan.len();
    }
    buf[at & MASK..(at & MASK) + W].copy_from_slice(line);
    at += W;
    end_line::<COLOR, W>(buf, at, W)
}

// Tables and constants, never arrays assembled on the stack: a wide load of
// bytes stored one by one just before stalls the pipeline.
pub(super) const RESET_BAR: [u8; 16] = *b"\x1b[0m  \xe2\x94\x82\0\0\0\0\0\0\0";
pub(super) const BAR_ONLY: [u8; 16] = *b"  \xe2\x94\x82\0\0\0\0\0\0\0\0\0\0\0";

pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
pub(super) const HIGH: u64 = 0x8080_8080_8080_8080;

/// Facts about 8 bytes of a line at once, one bit per byte (bit 7 of each
/// byte of a `u64`, the first byte lowest), in integer arithmetic with no
/// branch and no table (SWAR), the same on every CPU.
pub(super) struct Flags {
    /// The byte's category differs from the byte before's (the first byte
    /// of a line always counts as different): its colour escape goes first.
    changed: u64,
    /// A UTF-8 lead byte (0xc2-0xf4) followed by a continuation byte
    /// (0x80-0xbf): a character may start here.
    starts: u64,
}

/// The category of each byte of `x`, as a code in bits 5-7 of its byte:
/// bit 7 printable (0x20-0x7e), bit 6 above ASCII, bit 5 NUL, none for the
/// other control bytes. No sum below carries into the next byte: each adds
/// at most 0x7f to a byte of at most 0x7f.
#[inline(always)]
pub(super) const fn category_bits(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let high = x & HIGH;
    let low = x & LOW7;
    let from_space = (low + ONES * (0x80 - 0x20)) & HIGH;
    // 0x80 - 0x7f = 1: bit 7 is set from DEL (0x7f) on.
    let from_del = (low + ONES) & HIGH;
    let printable = from_space & !from_del & !high;
    let nonzero = (low + LOW7) & HIGH | high;
    let null = !nonzero & HIGH;
    printable | high >> 1 | null >> 2
}

/// Bit 7 of each byte of `x` as bit `i` for byte `i` (a movemask).
#[inline(always)]
pub(super) const fn gather(x: u64) -> u32 {
    ((x & HIGH).wrapping_mul(0x0002_0408_1020_4081) >> 56) as u32
}

/// The [`Flags`] of the 8 bytes `word`, which follow the bytes whose
/// category bits are `before` (its last byte counts) and come before the
/// byte whose bits are `next` (its first byte counts).
#[inline(always)]
pub(super) const fn flags(word: u64, before: u64, next: u64) -> Flags {
    const TOP: u64 = 0xe0e0_e0e0_e0e0_e0e0;
    let code = category_bits(word);
    let differs = (code ^ (code << 8 | before >> 56)) & TOP;
    let changed = (differs | differs << 1 | differs << 2) & HIGH;
    // Leads: both top bits set, and the low 6 bits from 0x02 to 0x34.
    let low6 = word & 0x3f3f_3f3f_3f3f_3f3f;
    let two_top = word & word << 1 & HIGH;
    let lead = two_top & (low6 + ONES * (0x80 - 0x02)) & !(low6 + ONES * (0x80 - 0x35)) & HIGH;
    // Continuation bytes: top bits 10.
    let continuation = word & !(word << 1) & HIGH;
    let next_continues = continuation >> 8 | (next & !(next << 1) & 0x80) << 56;
    Flags { changed, starts: lead & next_continues }
}

/// Renders both panels of a whole line that is not all printable, from
/// `at` (after the offset) to the line's end. Returns where the line ends.
///
/// With no choice per byte: a byte's colour escape goes before its cells
/// when its category differs from the byte before's (the `changed` flags,
/// found 8 bytes at a time), and both panels' cells come from 8-byte table
/// entries, written with one store each. A byte of a UTF-8 character that
/// shows (the bits of `shown`, checked only where one may start) takes
/// itself instead of its glyph: its continuation bytes are all of the
/// lead's category, so the colours run as they do byte by byte. The hex
/// panel's length is known from the flags before it is written, so the
/// text panel is written in the same pass.
#[inline(always)]
pub(super) fn render_mixed<const COLOR: bool, const W: usize>(
    t: &Tables,
    line: &[u8; W],
    buf: &mut [u8; LINE_BUF],
    at: usize,
) -> usize {
    const MASK: usize = LINE_BUF / 2 - 1;
    const SPACES: [u8; 4 * MAX_WIDTH] = [b' '; 4 * MAX_WIDTH];
    let (words, _) = line.as_chunks::<8>();
    let mut changed = [0u64; MAX_WIDTH / 8];
    let mut starts = 0u32;
    let mut before = 0xe0 << 56;
    for (g, word) in words.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        let next = words.get(g + 1).map_or(0, |next| u64::from(next[0]));
        let f = flags(word, before, next);
        changed[g] = f.changed;
        starts |= gather(f.starts) << (8 * g);
        before = category_bits(word);
    }
    let mut shown = 0u32;
    let mut cells = W;
    while starts != 0 {
        let i = starts.trailing_zeros() as usize;
        starts &= starts - 1;
        if let Some((len, width)) = char_at(t, &line[..], i) {
            shown |= ((1 << len) - 1) << i;
            cells -= len - width;
        }
    }

    // The number of escapes: the flags as 0 or 1 in each byte, summed into
    // the top byte by one multiplication (at most 8 a word: no carry).
    let escapes: usize =
        if COLOR { changed.iter().map(|k| ((k >> 7).wrapping_mul(ONES) >> 56) as usize).sum() } else { 0 };
    let hex_panel = 3 * W - 1 + (W / 8 - 1) + 5 * escapes;
    let (tail, tail_len) = if COLOR { (&RESET_BAR, 9) } else { (&BAR_ONLY, 5) };
    let mut hex = at;
    let mut text = at + hex_panel + tail_len;
    if !COLOR {
        let panel = at & MASK;
        buf[panel..panel + hex_panel].copy_from_slice(&SPACES[..hex_panel]);
    }
    for (g, word) in words.iter().enumerate() {
        // Each byte's `j` in its own byte: `changed` in bit 0, `shown` in
        // bit 1 (the 8 bits of `shown` spread to the 8 bytes).
        let spread = (u64::from(shown >> (8 * g) & 0xff) * ONES) & 0x8040_2010_0804_0201;
        let choices = changed[g] >> 7 | ((spread + 0x7f7f_7f7f_7f7f_7f7f) & HIGH) >> 6;
        for (c, &b) in word.iter().enumerate() {
            let cell = &t.cells[usize::from(b)];
            // Without colour, no escape: only the `shown` bit counts.
            let j = (choices >> (8 * c)) as usize & if COLOR { 3 } else { 2 };
            let k = j & 1;
            if COLOR {
                buf[hex & MASK..(hex & MASK) + 8].copy_from_slice(&cell.hex[k].to_le_bytes());
                hex += 3 + 5 * k;
            } else {
                let at = (at & MASK) + 3 * (8 * g + c) + g;
                buf[at..at + 2].copy_from_slice(&t.hex[usize::from(b)]);
            }
            buf[text & MASK..(text & MASK) + 8].copy_from_slice(&cell.text[j].to_le_bytes());
            text += usize::from(cell.text_len[j]);
        }
        if COLOR && g + 1 < W / 8 {
            buf[hex & MASK] = b' ';
            hex += 1;
        }
    }
    // The last hex cell's space (and what its store wrote past it) is
    // overwritten by the tail.
    let tail_at = at + hex_panel;
    buf[tail_at & MASK..(tail_at & MASK) + tail_len].copy_from_slice(&tail[..tail_len]);
    end_line::<COLOR, W>(buf, text, cells)
}

/// The UTF-8 character starting at `line[i]`, a lead byte followed by a
/// continuation byte, when it shows (see `utf8_char`): its length and cells.
/// Two-byte characters come from a table.
#[inline(always)]
pub(super) fn char_at(t: &Tables, line: &[u8], i: usize) -> Option<(usize, usize)> {
    let b = line[i];
    if b < 0xe0 {
        let bits = usize::from(b & 0x1f) << 6 | usize::from(line[i + 1] & 0x3f);
        let shown = t.two_byte_width[bits];
        (shown != 0).then_some((2, usize::from(shown)))
    } else {
        utf8_char(&line[i..])
    }
}

/// Ends a line whose text panel took `cells` cells: the reset, padding to
/// the bar, the bar and the newline. Returns where the line ends.
#[inline(always)]
pub(super) fn end_line<const COLOR: bool, const W: usize>(
    buf: &mut [u8; LINE_BUF],
    mut at: usize,
    cells: usize,
) -> usize {
    const MASK: usize = LINE_BUF / 2 - 1;
    const SPACES: [u8; MAX_WIDTH] = [b' '; MAX_WIDTH];
    if COLOR {
        buf[at & MASK..(at & MASK) + 4].copy_from_slice(RESET);
        at += RESET.len();
    }
    // A decoded character takes fewer cells than bytes: pad to the bar.
    let pad = W - cells;
    buf[at & MASK..(at & MASK) + MAX_WIDTH].copy_from_slice(&SPACES);
    at += pad;
    buf[at & MASK..(at & MASK) + 4].copy_from_slice(b"\xe2\x94\x82\n");
    at + 4
}

/// 1 when byte `b` has another colour than `current`, so the table entry
/// with its escape in front is the one to write; 0 otherwise, and always 0
/// without colour. Updates `current`.
#[inline(always)]
pub(super) fn escape_index<const COLOR: bool>(t: &Tables, b: usize, current: &mut u8) -> usize {
    if !COLOR {
        return 0;
    }
    let category = t.category[b];
    let changed = category != *current;
    *current = category;
    usize::from(changed)
}

/// The most bytes one line can take, plus the slack its stores need: offset
/// (16 digits) and 2 spaces; per byte 9 in the hex panel (escape, digits,
/// gap) and 8 in the text panel (escape, glyph of up to 3 bytes; a decoded
/// character is at most 4 bytes for 2 or more input bytes); the lead and the
/// padding (together at most the width); two resets, two bars and spaces.
pub(super) const fn max_line_len(width: usize) -> usize {
    18 + 9 * width + 4 + 2 + 3 + width + 8 * width + 4 + 3 + 1 + SLACK
}

/// Writes a line's offset and the two spaces after it: 8 digits, more when
/// the offset needs them.
#[inline(always)]
pub(super) fn put_offset(t: &Tables, offset: u64, buf: &mut [u8], at: usize) -> usize {
    if offset >> 32 == 0
        && let Some(cell) = buf.get_mut(at..at + 10)
    {
        for (pair, byte) in cell.chunks_exact_mut(2).zip((offset as u32).to_be_bytes()) {
            pair.copy_from_slice(&t.hex[usize::from(byte)]);
        }
        cell[8..].copy_from_slice(b"  ");
        return at + 10;
    }
    let mut text = Vec::with_capacity(18);
    push_offset(offset, &mut text);
    text.extend_from_slice(b"  ");
    buf[at..at + text.len()].copy_from_slice(&text);
    at + text.len()
}

pub(super) fn push_offset(offset: u64, out: &mut Vec<u8>) {
    let t = &*TABLES;
    let digits = if offset >> 32 == 0 { 8 } else { 16 - offset.leading_zeros() as usize / 4 };
    for shift in (0..digits).rev() {
        let nibble = ((offset >> (shift * 4)) & 15) as usize;
        out.push(t.hex[nibble][1]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_of_a_word_are_those_of_its_bytes() {
        let lead = |b: u8| (0xc2..=0xf4).contains(&b);
        let continuation = |b: u8| b >> 6 == 2;
        let filler = [0x41u8, 0x00, 0x09, 0xc3, 0xa9, 0xe2, 0x7f, 0xff];
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                // a and b inside the word; the word's ends against the bytes
                // before and after it.
                for place in 0..7 {
                    let mut bytes = filler;
                    bytes[place] = a;
                    bytes[place + 1] = b;
                    let word = u64::from_le_bytes(bytes);
                    let f = flags(word, category_bits(u64::from(b)) << 56, u64::from(a));
                    let changed = gather(f.changed);
                    let starts = gather(f.starts);
                    for i in 0..8 {
                        let before = if i == 0 { b } else { bytes[i - 1] };
                        let next = if i == 7 { a } else { bytes[i + 1] };
                        let differs = Category::of(before) != Category::of(bytes[i]);
                        assert_eq!(changed >> i & 1 == 1, differs, "{bytes:x?} {i} after {before:#x}");
                        let start = lead(bytes[i]) && continuation(next);
                        assert_eq!(starts >> i & 1 == 1, start, "{bytes:x?} {i} before {next:#x}");
                    }
                }
            }
        }
        // The first byte of a line always changes colour.
        assert_eq!(gather(flags(0, 0xe0 << 56, 0).changed) & 1, 1);
    }
}
