//! The hex dump renderer: bytes in, text out, no I/O. Each byte falls in one
//! [`Category`], which decides its colour and its glyph in the text panel;
//! valid UTF-8 sequences show as their character. A [`Dumper`] follows one
//! stream (one connection, one direction, or one file) so offsets keep
//! counting across chunks and repeated lines can be squeezed.
//!
//! This is the hot path of a live dump: it works from lookup tables, appends
//! to a caller's reused `Vec<u8>`, and never holds a byte back.

use std::sync::LazyLock;

use colored::Color;
use unicode_width::UnicodeWidthChar;

/// The five kinds of byte the course distinguishes, each with its own colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// 0x00.
    Null,
    /// 33-126: letters, digits, punctuation.
    Printable,
    /// Space, tab, LF, VT, FF, CR.
    Whitespace,
    /// The other control bytes: 1-31 that are not whitespace, and 127.
    Control,
    /// 128-255: never ASCII; in UTF-8 they form multi-byte characters.
    NonAscii,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Null, Category::Printable, Category::Whitespace, Category::Control, Category::NonAscii];

    pub const fn of(byte: u8) -> Category {
        match byte {
            0 => Category::Null,
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => Category::Whitespace,
            0x21..=0x7e => Category::Printable,
            0x01..=0x1f | 0x7f => Category::Control,
            0x80..=0xff => Category::NonAscii,
        }
    }

    pub fn color(self) -> Color {
        match self {
            Category::Null => Color::BrightBlack,
            Category::Printable => Color::Cyan,
            Category::Whitespace => Color::Green,
            Category::Control => Color::Magenta,
            Category::NonAscii => Color::Yellow,
        }
    }

    /// The text-panel glyph for a byte of this category that is not shown as
    /// itself.
    pub const fn glyph(self) -> char {
        match self {
            Category::Null => '⋄',
            Category::Printable => '.',
            Category::Whitespace => '_',
            Category::Control => '•',
            Category::NonAscii => '×',
        }
    }

    pub const fn describe(self) -> &'static str {
        match self {
            Category::Null => "NUL byte (0x00)",
            Category::Printable => "printable ASCII (33-126), shown as itself",
            Category::Whitespace => "whitespace: space (32) shows as itself; tab, LF, VT, FF, CR as _",
            Category::Control => "other control bytes (1-31 that are not whitespace, and 127)",
            Category::NonAscii => "non-ASCII (128-255); a valid UTF-8 sequence shows as its character",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The shape of a dump: bytes per line and whether repeated lines squeeze.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Bytes per line: 8, 16 or 32.
    pub width: usize,
    /// Print one `*` line for a run of lines identical to the previous one.
    pub squeeze: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout { width: 16, squeeze: true }
    }
}

pub const WIDTHS: [usize; 3] = [8, 16, 32];
const MAX_WIDTH: usize = 32;
const RESET: &[u8] = b"\x1b[0m";
const BAR: &[u8] = "│".as_bytes();

/// Everything per byte value, computed once.
struct Tables {
    hex: [[u8; 2]; 256],
    category: [Category; 256],
    /// UTF-8 bytes of the glyph for each ASCII byte (itself when printable).
    ascii_glyph: [([u8; 3], u8); 128],
    /// `ESC [ <code> m` for each category.
    color: [Vec<u8>; 5],
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [[0u8; 2]; 256];
    let mut category = [Category::Null; 256];
    let mut ascii_glyph = [([0u8; 3], 0u8); 128];
    for b in 0..=255u8 {
        hex[usize::from(b)] = [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]];
        category[usize::from(b)] = Category::of(b);
        if b < 128 {
            let shown = match Category::of(b) {
                Category::Printable => b as char,
                _ if b == b' ' => ' ',
                other => other.glyph(),
            };
            let mut buf = [0u8; 3];
            let len = shown.encode_utf8(&mut buf).len() as u8;
            ascii_glyph[usize::from(b)] = (buf, len);
        }
    }
    let color = Category::ALL.map(|c| format!("\x1b[{}m", c.color().to_fg_str()).into_bytes());
    Tables { hex, category, ascii_glyph, color }
});

/// Follows one byte stream and renders it line by line.
#[derive(Debug, Clone)]
pub struct Dumper {
    layout: Layout,
    color: bool,
    /// Stream offset of the next byte.
    offset: u64,
    /// The last full line printed, for squeezing.
    previous: Option<[u8; MAX_WIDTH]>,
    /// True while lines equal to `previous` are being skipped.
    squeezing: bool,
}

impl Dumper {
    pub fn new(layout: Layout, color: bool, start_offset: u64) -> Dumper {
        let width = if WIDTHS.contains(&layout.width) { layout.width } else { 16 };
        Dumper {
            layout: Layout { width, ..layout },
            color,
            offset: start_offset,
            previous: None,
            squeezing: false,
        }
    }

    /// Stream offset of the next byte to be pushed.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Renders `bytes`, which follow the bytes already pushed, appending lines
    /// to `out`. A line left incomplete is printed now, padded; the next push
    /// continues it on a new line at the same column.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) {
        let width = self.layout.width;
        out.reserve(bytes.len() * 12 + 128);
        while !bytes.is_empty() {
            let column = (self.offset % width as u64) as usize;
            let take = (width - column).min(bytes.len());
            let (line, rest) = bytes.split_at(take);
            let whole = column == 0 && take == width;
            if whole && self.layout.squeeze && self.repeats(line) {
                if !self.squeezing {
                    out.extend_from_slice(b"*\n");
                    self.squeezing = true;
                }
            } else {
                self.squeezing = false;
                self.previous = whole.then(|| {
                    let mut copy = [0u8; MAX_WIDTH];
                    copy[..width].copy_from_slice(line);
                    copy
                });
                self.render_line(self.offset - column as u64, column, line, out);
            }
            self.offset += take as u64;
            bytes = rest;
        }
    }

    /// Ends the stream: after squeezed lines, prints the final offset so the
    /// reader knows where the repetition stopped.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.squeezing {
            push_offset(self.offset, out);
            out.push(b'\n');
            self.squeezing = false;
        }
    }

    fn repeats(&self, line: &[u8]) -> bool {
        self.previous.is_some_and(|p| p[..line.len()] == *line)
    }

    fn render_line(&self, line_start: u64, lead: usize, bytes: &[u8], out: &mut Vec<u8>) {
        let t = &*TABLES;
        let width = self.layout.width;
        push_offset(line_start, out);
        out.extend_from_slice(b"  ");

        let mut current: Option<Category> = None;
        for cell in 0..width {
            if cell > 0 {
                out.extend_from_slice(if cell % 8 == 0 { b"  " } else { b" " });
            }
            match cell.checked_sub(lead).and_then(|i| bytes.get(i)) {
                Some(&b) => {
                    if self.color {
                        let category = t.category[usize::from(b)];
                        if current != Some(category) {
                            out.extend_from_slice(&t.color[category.index()]);
                            current = Some(category);
                        }
                    }
                    out.extend_from_slice(&t.hex[usize::from(b)]);
                }
                None => out.extend_from_slice(b"  "),
            }
        }
        if current.is_some() {
            out.extend_from_slice(RESET);
        }
        out.extend_from_slice(b"  ");
        out.extend_from_slice(BAR);
        let cells = lead + self.render_text(bytes, out, lead);
        out.resize(out.len() + (width - cells), b' ');
        out.extend_from_slice(BAR);
        out.push(b'\n');
    }

    /// Writes the text panel for `bytes` after `lead` blank cells; returns
    /// the terminal cells used by the bytes (a decoded character takes fewer
    /// cells than bytes, and the caller pads to keep the bar aligned).
    fn render_text(&self, bytes: &[u8], out: &mut Vec<u8>, lead: usize) -> usize {
        let t = &*TABLES;
        out.resize(out.len() + lead, b' ');
        let mut current: Option<Category> = None;
        let mut cells = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let category = t.category[usize::from(b)];
            if self.color && current != Some(category) {
                out.extend_from_slice(&t.color[category.index()]);
                current = Some(category);
            }
            if b < 0x80 {
                let (glyph, len) = &t.ascii_glyph[usize::from(b)];
                out.extend_from_slice(&glyph[..usize::from(*len)]);
                cells += 1;
                i += 1;
            } else if let Some((len, shown)) = utf8_char(&bytes[i..]) {
                out.extend_from_slice(&bytes[i..i + len]);
                cells += shown;
                i += len;
            } else {
                out.extend_from_slice("×".as_bytes());
                cells += 1;
                i += 1;
            }
        }
        if current.is_some() {
            out.extend_from_slice(RESET);
        }
        cells
    }
}

/// A UTF-8 character starting at `bytes[0]` that is safe to show in one or
/// two terminal cells: its length in bytes and its width in cells. Control,
/// zero-width and direction-changing characters are refused, so a peer cannot
/// rearrange or hide what the dump shows.
fn utf8_char(bytes: &[u8]) -> Option<(usize, usize)> {
    let len = match bytes[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let text = std::str::from_utf8(bytes.get(..len)?).ok()?;
    let c = text.chars().next()?;
    if c.is_control() || is_format_control(c) {
        return None;
    }
    match c.width() {
        Some(shown @ (1 | 2)) => Some((len, shown)),
        _ => None,
    }
}

/// Bidirectional and line/paragraph controls that have a width on some
/// terminals but reorder or break the surrounding text.
fn is_format_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

fn push_offset(offset: u64, out: &mut Vec<u8>) {
    let t = &*TABLES;
    let digits = if offset >> 32 == 0 { 8 } else { 16 - offset.leading_zeros() as usize / 4 };
    for shift in (0..digits).rev() {
        let nibble = ((offset >> (shift * 4)) & 15) as usize;
        out.push(t.hex[nibble][1]);
    }
}

/// The colour legend, one line a category.
pub fn legend(color: bool) -> String {
    let t = &*TABLES;
    let mut text = String::from("Byte categories in the hex dump (colour, glyph in the text panel):\n");
    for category in Category::ALL {
        let sample = match category {
            Category::Printable => 'A',
            other => other.glyph(),
        };
        let name = format!("{:<11}", format!("{category:?}"));
        if color {
            let code = String::from_utf8_lossy(&t.color[category.index()]);
            text.push_str(&format!("  {code}{name} {sample}\x1b[0m  {}\n", category.describe()));
        } else {
            text.push_str(&format!("  {name} {sample}  {}\n", category.describe()));
        }
    }
    text
}

/// Renders a whole buffer as one stream from offset 0.
pub fn dump(bytes: &[u8], layout: Layout, color: bool) -> String {
    let mut out = Vec::new();
    let mut dumper = Dumper::new(layout, color, 0);
    dumper.push(bytes, &mut out);
    dumper.finish(&mut out);
    String::from_utf8(out).expect("the dump is UTF-8: glyphs and validated sequences only")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Layout = Layout { width: 16, squeeze: true };

    #[test]
    fn categories_of_each_range() {
        assert_eq!(Category::of(0), Category::Null);
        assert_eq!(Category::of(b'A'), Category::Printable);
        assert_eq!(Category::of(b'~'), Category::Printable);
        for b in [b'\t', b'\n', 0x0b, 0x0c, b'\r', b' '] {
            assert_eq!(Category::of(b), Category::Whitespace, "{b:#x}");
        }
        for b in [1, 7, 8, 0x1b, 0x1f, 0x7f] {
            assert_eq!(Category::of(b), Category::Control, "{b:#x}");
        }
        assert_eq!(Category::of(0x80), Category::NonAscii);
        assert_eq!(Category::of(0xff), Category::NonAscii);
    }

    #[test]
    fn a_line_has_offset_hex_and_text() {
        let text = dump(b"Hello serveur !", PLAIN, false);
        assert_eq!(text, "00000000  48 65 6c 6c 6f 20 73 65  72 76 65 75 72 20 21     │Hello serveur ! │\n");
    }

    #[test]
    fn glyphs_for_each_category() {
        let text = dump(b"\x00A\t \x07\xff", PLAIN, false);
        assert!(text.contains("│⋄A_ •×          │"), "{text}");
    }

    #[test]
    fn utf8_sequences_show_as_characters() {
        // The course's example: "fête" is 66 c3 aa 74 65.
        let text = dump("fête".as_bytes(), PLAIN, false);
        assert!(text.contains("66 c3 aa 74 65"), "{text}");
        assert!(text.contains("│fête            │"), "{text}");
        // A wide character takes two cells; the bar stays aligned.
        let wide = dump("日".as_bytes(), PLAIN, false);
        assert!(wide.contains("│日              │"), "{wide}");
    }

    #[test]
    fn broken_or_unsafe_utf8_shows_glyphs() {
        // A lead byte without its continuation, an overlong encoding, and
        // the right-to-left override U+202E (e2 80 ae).
        for bytes in [&b"\xc3"[..], b"\xc0\xaf", b"\xe2\x80\xae"] {
            let text = dump(bytes, PLAIN, false);
            let panel = text.split('│').nth(1).unwrap();
            assert_eq!(panel.trim_end(), "×".repeat(bytes.len()), "{bytes:x?}");
        }
    }

    #[test]
    fn offsets_continue_across_chunks() {
        let mut dumper = Dumper::new(PLAIN, false, 0);
        let mut out = Vec::new();
        dumper.push(&[b'a'; 20], &mut out);
        dumper.push(&[b'b'; 20], &mut out);
        let text = String::from_utf8(out).unwrap();
        let offsets: Vec<&str> = text.lines().map(|l| &l[..8]).collect();
        // 20 bytes: one full line and a partial one; the second chunk starts
        // at column 4 of the line at 0x10, then fills the line at 0x20.
        assert_eq!(offsets, ["00000000", "00000010", "00000010", "00000020"]);
        assert_eq!(dumper.offset(), 40);
        let third = text.lines().nth(2).unwrap();
        assert!(third.starts_with("00000010              62 62 62 62"), "{third}");
    }

    #[test]
    fn colour_on_and_off() {
        let plain = dump(b"A\x00", PLAIN, false);
        assert!(!plain.contains('\x1b'));
        let colored = dump(b"A\x00", PLAIN, true);
        assert!(colored.contains("\x1b[36m41"), "printable is cyan: {colored:?}");
        assert!(colored.contains("\x1b[90m00"), "NUL is grey: {colored:?}");
        assert!(colored.contains("\x1b[0m"));
        // Each category has its own colour.
        let codes: std::collections::HashSet<_> =
            Category::ALL.iter().map(|c| c.color().to_fg_str()).collect();
        assert_eq!(codes.len(), Category::ALL.len());
    }

    #[test]
    fn colour_changes_only_between_categories() {
        let colored = dump(b"ABCD", PLAIN, true);
        assert_eq!(colored.matches("\x1b[36m").count(), 2, "once in hex, once in text");
    }

    #[test]
    fn repeated_lines_squeeze() {
        let text = dump(&[0u8; 64], PLAIN, false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(lines[1], "*");
        assert_eq!(lines[2], "00000040");
        let unsqueezed = dump(&[0u8; 64], Layout { squeeze: false, ..PLAIN }, false);
        assert_eq!(unsqueezed.lines().count(), 4);
    }

    #[test]
    fn widths_8_and_32() {
        let eight = dump(&[1u8; 8], Layout { width: 8, squeeze: false }, false);
        assert_eq!(eight, "00000000  01 01 01 01 01 01 01 01  │••••••••│\n");
        let wide = dump(&[b'x'; 32], Layout { width: 32, squeeze: false }, false);
        assert_eq!(wide.lines().count(), 1);
        assert!(wide.contains(&format!("│{}│", "x".repeat(32))));
    }

    #[test]
    fn large_offsets_grow_the_column() {
        let mut out = Vec::new();
        Dumper::new(PLAIN, false, 0x1_0000_0000).push(b"z", &mut out);
        assert!(String::from_utf8(out).unwrap().starts_with("100000000  7a"));
    }

    #[test]
    fn legend_names_every_category() {
        let text = legend(false);
        for c in Category::ALL {
            assert!(text.contains(c.describe()));
        }
    }
}
