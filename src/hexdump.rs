//! The hex dump renderer: bytes in, text out, no I/O. Each byte falls in one
//! [`Category`], which decides its colour and its glyph in the text panel;
//! a valid UTF-8 sequence shows as its character when that character keeps
//! the panel's columns in any terminal ([`shown_width`]). A [`Dumper`] follows one
//! stream (one connection, one direction, or one file) so offsets keep
//! counting across chunks and repeated lines can be squeezed.
//!
//! This is the hot path of a live dump: it works from lookup tables, appends
//! to a caller's reused `Vec<u8>`, and never holds a byte back. On CPUs with
//! AVX-512 VBMI2, whole lines come from the `avx512` module instead; the
//! portable code here gives the same text everywhere else.

use std::sync::LazyLock;

use colored::Color;
use unicode_width::UnicodeWidthChar;

#[cfg(target_arch = "x86_64")]
mod avx512;

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

pub(crate) const WIDTHS: [usize; 3] = [8, 16, 32];
const MAX_WIDTH: usize = 32;
const RESET: &[u8] = b"\x1b[0m";
const BAR: &[u8] = "│".as_bytes();
/// Lines rendered between two resizes of the output buffer: enough to make
/// the resize cheap, few enough that the buffer's new part stays in cache.
const BATCH_LINES: usize = 64;
/// Room left after a line's end so every store can write a whole `Cell`.
const SLACK: usize = 2 * MAX_WIDTH;
/// The buffer a whole line is rendered into: twice a power of two above the
/// longest line, so a masked index plus a store's length stays inside it.
const LINE_BUF: usize = 2048;

/// What a table stores for one byte: up to 16 output bytes, written with one
/// 16-byte copy; only the first `len` of them count.
type Cell = [u8; 16];

/// Everything per byte value, computed once. The `[2]` arrays hold the plain
/// form at 0 and the form preceded by the byte's colour escape at 1, so the
/// renderer picks one by index instead of branching.
struct Tables {
    hex: [[u8; 2]; 256],
    category: [u8; 256],
    /// Two hex digits and two spaces (the widest separator).
    hex_cell: [[Cell; 256]; 2],
    hex_len: [u8; 2],
    /// The text-panel glyph: the byte itself when printable or a space, else
    /// its category's glyph.
    glyph: [[Cell; 256]; 2],
    glyph_len: [[u8; 256]; 2],
    /// `ESC [ <code> m` for each category.
    color: [Vec<u8>; 4],
    /// For each two-byte UTF-8 sequence, indexed by its 11 payload bits: the
    /// cells its character takes, or 0 when it is not shown (see `utf8_char`).
    two_byte_width: [u8; 2048],
    /// The same as a bitmap, for the AVX-512 renderer: bit `bits & 7` of
    /// byte `bits >> 3` is set when the character shows (always in one
    /// cell: a test checks it).
    two_byte_shown: [u8; 256],
    /// For the whole-line renderer (`render_mixed`): all it takes for byte
    /// `b`, at `cells[b]`.
    cells: [ByteCells; 256],
}

/// The cells of one byte value for `render_mixed`, each in 8 bytes stored
/// with one 64-bit write, in one cache line: the renderer computes where
/// the line is once per byte, and its choices are indices within it.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct ByteCells {
    /// At `[k]`: the byte's hex digits and a space, after its colour's
    /// escape when `k` is 1 (5 + 2 + 1 bytes).
    hex: [u64; 2],
    /// At `[j]`, with `j = k | shown << 1`: what the text panel takes for
    /// the byte, after its colour's escape when `k` is 1: its glyph when
    /// `shown` is 0, the byte itself when it is part of a UTF-8 character
    /// that shows (at most 5 + 3 bytes).
    text: [u64; 4],
    /// How many of the bytes of `text[j]` count.
    text_len: [u8; 4],
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
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

/// The code that draws whole lines. Both draw the same bytes; they differ
/// only in speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Renderer {
    /// Portable Rust, on every CPU.
    Portable,
    /// AVX-512 with VBMI and VBMI2 (x86-64: Intel Ice Lake, AMD Zen 4 and
    /// later).
    Avx512,
}

impl Renderer {
    #[cfg(test)]
    pub(crate) const ALL: [Renderer; 2] = [Renderer::Avx512, Renderer::Portable];

    /// The name benchmarks and `--hex-renderer` use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Renderer::Portable => "portable",
            Renderer::Avx512 => "avx512",
        }
    }

    /// Whether this CPU runs it.
    pub(crate) fn available(self) -> bool {
        match self {
            Renderer::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Renderer::Avx512 => avx512::detect().is_some(),
            #[cfg(not(target_arch = "x86_64"))]
            Renderer::Avx512 => false,
        }
    }

    /// The renderer [`Dumper::new`] takes: the fastest this CPU runs.
    pub(crate) fn best() -> Renderer {
        Renderer::choose(Renderer::Avx512.available())
    }

    /// The rule behind [`best`](Self::best), from measurements on both CPU
    /// families we ran (docs/benchmarks.md): where a CPU has AVX-512 VBMI2,
    /// the vector renderer was the faster at every width, on random bytes
    /// and on text, coloured or not. On an Intel Xeon it took 1.8 to 3.7
    /// times less CPU time than the portable one; on an AMD EPYC, the
    /// vector renderer before this one took 1.5 to 2.2 times less time.
    pub(crate) fn choose(avx512: bool) -> Renderer {
        if avx512 { Renderer::Avx512 } else { Renderer::Portable }
    }
}

/// What the squeeze rule decides for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Shown,
    /// The first of a run of repeats: printed as `*`.
    Star,
    Hidden,
}

/// Follows one byte stream and renders it line by line.
#[derive(Debug, Clone)]
pub(crate) struct Dumper {
    layout: Layout,
    color: bool,
    /// Stream offset of the next byte. It wraps after 2^64 bytes rather
    /// than fail: no stream gets there, but no input may make the dumper panic.
    offset: u64,
    /// The last full line shown, for squeezing; valid when `has_previous`.
    /// While a line cut by chunk boundaries is shown piece by piece, its
    /// first `cut` bytes gather here, so once whole it counts as shown.
    previous: [u8; MAX_WIDTH],
    has_previous: bool,
    cut: usize,
    /// True while lines equal to `previous` are being skipped.
    squeezing: bool,
    /// Spaces after each hex cell: 2 between groups of 8, none after the last.
    gaps: [u8; MAX_WIDTH],
    /// Set when lines are drawn with AVX-512 (this CPU has it, and the
    /// portable renderer was not asked for).
    #[cfg(target_arch = "x86_64")]
    avx512: Option<avx512::Avx512>,
}

impl Dumper {
    pub(crate) fn new(layout: Layout, color: bool, start_offset: u64) -> Dumper {
        let width = if WIDTHS.contains(&layout.width) { layout.width } else { 16 };
        let mut gaps = [0u8; MAX_WIDTH];
        for (cell, gap) in gaps.iter_mut().enumerate().take(width - 1) {
            *gap = if (cell + 1) % 8 == 0 { 2 } else { 1 };
        }
        Dumper {
            layout: Layout { width, ..layout },
            color,
            offset: start_offset,
            previous: [0; MAX_WIDTH],
            has_previous: false,
            cut: 0,
            squeezing: false,
            gaps,
            #[cfg(target_arch = "x86_64")]
            avx512: None,
        }
        .with_renderer(Renderer::best())
    }

    /// The same dumper, rendering with portable code only, whatever the CPU
    /// has: for tests and fuzzing, which compare the two.
    #[cfg(test)]
    pub(crate) fn portable(self) -> Dumper {
        self.with_renderer(Renderer::Portable)
    }

    /// The same dumper, drawing lines with `renderer`; one this CPU does
    /// not run (see [`Renderer::available`]) gives the portable renderer.
    pub(crate) fn with_renderer(self, renderer: Renderer) -> Dumper {
        #[cfg(target_arch = "x86_64")]
        let avx512 = match renderer {
            Renderer::Avx512 => avx512::detect(),
            Renderer::Portable => None,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = renderer;
        Dumper {
            #[cfg(target_arch = "x86_64")]
            avx512,
            ..self
        }
    }

    /// The renderer drawing this dumper's lines.
    #[cfg(test)]
    pub(crate) fn renderer(&self) -> Renderer {
        #[cfg(target_arch = "x86_64")]
        if self.avx512.is_some() {
            return Renderer::Avx512;
        }
        Renderer::Portable
    }

    /// Stream offset of the next byte to be pushed.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The layout in use (an unsupported width became 16).
    pub(crate) fn layout(&self) -> Layout {
        self.layout
    }

    /// Renders `bytes`, which follow the bytes already pushed, appending lines
    /// to `out`. A line left incomplete is printed now, padded; the next push
    /// continues it on a new line at the same column.
    pub(crate) fn push(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        let end = self.render_at(bytes, out, out.len());
        out.truncate(end);
    }

    /// Like [`push`](Self::push), but writes from `out[at..]` over whatever
    /// is there and returns where the text ends; `out` may be left longer.
    /// A buffer reused this way is zeroed once, when it first grows, instead
    /// of at every use.
    pub(crate) fn render_at(&mut self, bytes: &[u8], out: &mut Vec<u8>, at: usize) -> usize {
        match (self.color, self.layout.width) {
            (true, 8) => self.push_lines::<true, 8>(bytes, out, at),
            (true, 16) => self.push_lines::<true, 16>(bytes, out, at),
            (true, _) => self.push_lines::<true, 32>(bytes, out, at),
            (false, 8) => self.push_lines::<false, 8>(bytes, out, at),
            (false, 16) => self.push_lines::<false, 16>(bytes, out, at),
            (false, _) => self.push_lines::<false, 32>(bytes, out, at),
        }
    }

    /// Moves past `bytes` as [`push`](Self::push) would, without rendering:
    /// a copy of a dumper advanced this way renders what follows exactly as
    /// the original would, so two threads can render two halves of a buffer.
    pub(crate) fn advance(&mut self, mut bytes: &[u8]) {
        let width = self.layout.width;
        let column = (self.offset % width as u64) as usize;
        if column != 0 {
            let take = (width - column).min(bytes.len());
            self.fate(column, &bytes[..take]);
            self.offset = self.offset.wrapping_add(take as u64);
            bytes = &bytes[take..];
        }
        // After two whole lines or more, the state depends on the last two
        // only: `previous` holds the last (shown or equal to the one shown),
        // and a run of repeats is on when it equals the one before.
        let lines = bytes.len() / width;
        if lines >= 2 {
            let end = lines * width;
            let (before, last) = bytes[end - 2 * width..end].split_at(width);
            self.squeezing = self.layout.squeeze && before == last;
            self.previous[..width].copy_from_slice(last);
            self.has_previous = true;
            self.offset = self.offset.wrapping_add(end as u64);
            bytes = &bytes[end..];
        }
        while !bytes.is_empty() {
            let take = width.min(bytes.len());
            self.fate(0, &bytes[..take]);
            self.offset = self.offset.wrapping_add(take as u64);
            bytes = &bytes[take..];
        }
    }

    /// Ends the stream: after squeezed lines, prints the final offset so the
    /// reader knows where the repetition stopped.
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        if self.squeezing {
            push_offset(self.offset, out);
            out.push(b'\n');
            self.squeezing = false;
        }
    }

    fn push_lines<const COLOR: bool, const W: usize>(
        &mut self,
        mut bytes: &[u8],
        out: &mut Vec<u8>,
        at: usize,
    ) -> usize {
        let t = &*TABLES;
        let max_line = max_line_len(W);
        // Lines are written by index into room made ahead; `end` is where
        // the text written so far ends. The buffer is only grown (zeroing
        // its new part) when the room ahead runs short, so each output byte
        // is zeroed at most once.
        let mut end = at;
        while !bytes.is_empty() {
            let lines = (bytes.len() / W + 2).min(BATCH_LINES);
            let room = lines * max_line + LINE_BUF;
            if out.len() < end + room {
                out.resize(end + room, 0);
            }
            #[cfg(target_arch = "x86_64")]
            if let Some(cpu) = self.avx512
                && self.offset.is_multiple_of(W as u64)
                && bytes.len() >= W
            {
                // Runs of whole lines in one call, so the tables stay in
                // registers; a line the squeeze rule hides is left to the
                // loop below.
                let (whole, _) = bytes.as_chunks::<W>();
                let whole = &whole[..whole.len().min(lines)];
                let previous = self.has_previous.then(|| self.previous.first_chunk::<W>()).flatten();
                let (shown, text_end) = avx512::render_lines::<COLOR, W>(
                    cpu,
                    self.offset,
                    whole,
                    previous,
                    self.layout.squeeze,
                    out,
                    end,
                );
                if shown > 0 {
                    self.record_shown(&whole[shown - 1]);
                    self.offset = self.offset.wrapping_add((W * shown) as u64);
                    bytes = &bytes[W * shown..];
                    end = text_end;
                    continue;
                }
            }
            for _ in 0..lines {
                let column = (self.offset % W as u64) as usize;
                if column == 0
                    && let Some((line, rest)) = bytes.split_first_chunk::<W>()
                {
                    match self.fate_whole(line) {
                        Fate::Shown => {
                            let Ok(buf) = <&mut [u8; LINE_BUF]>::try_from(&mut out[end..end + LINE_BUF])
                            else {
                                unreachable!("the room made above holds a line buffer")
                            };
                            end += self.render_whole::<COLOR, W>(t, line, buf);
                        }
                        Fate::Star => {
                            out[end..end + 2].copy_from_slice(b"*\n");
                            end += 2;
                        }
                        Fate::Hidden => {}
                    }
                    self.offset = self.offset.wrapping_add(W as u64);
                    bytes = rest;
                    continue;
                }
                if bytes.is_empty() {
                    break;
                }
                // A line cut by the start or the end of this push.
                let take = (W - column).min(bytes.len());
                let (line, rest) = bytes.split_at(take);
                if self.fate(column, line) == Fate::Shown {
                    let line_start = self.offset - column as u64;
                    end = self.render_line::<COLOR>(t, line_start, column, line, out, end);
                }
                self.offset = self.offset.wrapping_add(take as u64);
                bytes = rest;
            }
        }
        end
    }

    /// Renders a whole line at the current offset into `buf`, with AVX-512
    /// where the CPU has it.
    #[inline(always)]
    fn render_whole<const COLOR: bool, const W: usize>(
        &self,
        t: &Tables,
        line: &[u8; W],
        buf: &mut [u8; LINE_BUF],
    ) -> usize {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = self.avx512 {
            return avx512::render_line::<COLOR, W>(cpu, self.offset, line, buf);
        }
        render_full::<COLOR, W>(t, self.offset, line, buf)
    }

    /// [`fate`](Self::fate) for a whole line, with the width known.
    fn fate_whole<const W: usize>(&mut self, line: &[u8; W]) -> Fate {
        if self.layout.squeeze && self.has_previous && self.previous[..W] == line[..] {
            let first = !self.squeezing;
            self.squeezing = true;
            return if first { Fate::Star } else { Fate::Hidden };
        }
        self.record_shown(line);
        Fate::Shown
    }

    /// Records a whole line as the last one shown, which the lines after it
    /// are compared with.
    fn record_shown(&mut self, line: &[u8]) {
        self.squeezing = false;
        self.has_previous = true;
        self.previous[..line.len()].copy_from_slice(line);
    }

    /// Applies the squeeze rule to the line of `line.len()` bytes starting
    /// at `column`, and updates the state.
    fn fate(&mut self, column: usize, line: &[u8]) -> Fate {
        let width = self.layout.width;
        let whole = column == 0 && line.len() == width;
        if whole && self.layout.squeeze && self.has_previous && self.previous[..width] == *line {
            let first = !self.squeezing;
            self.squeezing = true;
            return if first { Fate::Star } else { Fate::Hidden };
        }
        if whole {
            self.record_shown(line);
            return Fate::Shown;
        }
        self.squeezing = false;
        // A piece of a line cut by the start or the end of a push. When the
        // pieces make the whole line (a chunk boundary cut it), it counts as
        // shown, and the lines after it that repeat it squeeze.
        self.has_previous = false;
        if column == 0 {
            self.cut = 0;
        }
        if self.cut == column {
            self.previous[column..column + line.len()].copy_from_slice(line);
            self.cut += line.len();
            self.has_previous = self.cut == width;
        } else {
            // The stream started inside this line: its start is unknown.
            self.cut = usize::MAX;
        }
        Fate::Shown
    }

    /// Writes one line into `buf` at `at` and returns where it ends. `buf`
    /// has at least `max_line_len(width)` bytes from `at`, which bounds
    /// every index below.
    fn render_line<const COLOR: bool>(
        &self,
        t: &Tables,
        line_start: u64,
        lead: usize,
        bytes: &[u8],
        buf: &mut [u8],
        mut at: usize,
    ) -> usize {
        const BLANK: Cell = [b' '; 16];
        const SPACES: [u8; MAX_WIDTH] = [b' '; MAX_WIDTH];
        let width = self.layout.width;
        at = put_offset(t, line_start, buf, at);

        // Hex panel. A cell is its digits, preceded by its colour's escape
        // when the colour changes, followed by its gap; the escape choice is
        // an index (0 or 1) into the tables, not a branch.
        for cell in 0..lead {
            buf[at..at + 16].copy_from_slice(&BLANK);
            at += 2 + usize::from(self.gaps[cell]);
        }
        let mut current = u8::MAX;
        for (cell, &b) in (lead..).zip(bytes) {
            let b = usize::from(b);
            let k = escape_index::<COLOR>(t, b, &mut current);
            buf[at..at + 16].copy_from_slice(&t.hex_cell[k][b]);
            at += usize::from(t.hex_len[k]) + usize::from(self.gaps[cell]);
        }
        for cell in lead + bytes.len()..width {
            buf[at..at + 16].copy_from_slice(&BLANK);
            at += 2 + usize::from(self.gaps[cell]);
        }
        if COLOR {
            buf[at..at + RESET.len()].copy_from_slice(RESET);
            at += RESET.len();
        }
        buf[at..at + 2].copy_from_slice(b"  ");
        buf[at + 2..at + 2 + BAR.len()].copy_from_slice(BAR);
        at += 2 + BAR.len();

        // Text panel: glyphs from the table; a UTF-8 lead byte first tries
        // to show its whole character.
        buf[at..at + lead].copy_from_slice(&SPACES[..lead]);
        at += lead;
        let mut cells = lead;
        let mut current = u8::MAX;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if (0xc2..=0xf4).contains(&b)
                && let Some((len, shown)) = utf8_char(&bytes[i..])
            {
                if COLOR && current != Category::NonAscii as u8 {
                    let escape = &t.color[Category::NonAscii.index()];
                    buf[at..at + escape.len()].copy_from_slice(escape);
                    at += escape.len();
                    current = Category::NonAscii as u8;
                }
                buf[at..at + len].copy_from_slice(&bytes[i..i + len]);
                at += len;
                cells += shown;
                i += len;
                continue;
            }
            let b = usize::from(b);
            let k = escape_index::<COLOR>(t, b, &mut current);
            buf[at..at + 16].copy_from_slice(&t.glyph[k][b]);
            at += usize::from(t.glyph_len[k][b]);
            cells += 1;
            i += 1;
        }
        if COLOR {
            buf[at..at + RESET.len()].copy_from_slice(RESET);
            at += RESET.len();
        }
        // A decoded character takes fewer cells than bytes: pad to the bar.
        let pad = width.saturating_sub(cells);
        buf[at..at + pad].copy_from_slice(&SPACES[..pad]);
        at += pad;
        buf[at..at + BAR.len()].copy_from_slice(BAR);
        at += BAR.len();
        buf[at] = b'\n';
        at + 1
    }
}

/// Renders a whole line of `W` bytes into `buf` from its start, and returns
/// its length. The same text as `Dumper::render_line`, faster: the layout is
/// known at compile time, every index is masked into `buf` (so no bounds
/// checks), lines of printable bytes have every cell in a place known in
/// advance, and the others take `render_mixed`, with no choice per byte.
fn render_full<const COLOR: bool, const W: usize>(
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
const RESET_BAR: [u8; 16] = *b"\x1b[0m  \xe2\x94\x82\0\0\0\0\0\0\0";
const BAR_ONLY: [u8; 16] = *b"  \xe2\x94\x82\0\0\0\0\0\0\0\0\0\0\0";

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Facts about 8 bytes of a line at once, one bit per byte (bit 7 of each
/// byte of a `u64`, the first byte lowest), in integer arithmetic with no
/// branch and no table (SWAR), the same on every CPU.
struct Flags {
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
const fn category_bits(x: u64) -> u64 {
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
const fn gather(x: u64) -> u32 {
    ((x & HIGH).wrapping_mul(0x0002_0408_1020_4081) >> 56) as u32
}

/// The [`Flags`] of the 8 bytes `word`, which follow the bytes whose
/// category bits are `before` (its last byte counts) and come before the
/// byte whose bits are `next` (its first byte counts).
#[inline(always)]
const fn flags(word: u64, before: u64, next: u64) -> Flags {
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
fn render_mixed<const COLOR: bool, const W: usize>(
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
fn char_at(t: &Tables, line: &[u8], i: usize) -> Option<(usize, usize)> {
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
fn end_line<const COLOR: bool, const W: usize>(
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
fn escape_index<const COLOR: bool>(t: &Tables, b: usize, current: &mut u8) -> usize {
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
const fn max_line_len(width: usize) -> usize {
    18 + 9 * width + 4 + 2 + 3 + width + 8 * width + 4 + 3 + 1 + SLACK
}

/// A UTF-8 character starting at `bytes[0]` that shows as itself (see
/// [`shown_width`]): its length in bytes and its width in cells.
fn utf8_char(bytes: &[u8]) -> Option<(usize, usize)> {
    let (len, c) = decode_utf8(bytes)?;
    Some((len, shown_width(c)?))
}

/// The character whose UTF-8 sequence starts at `bytes[0]`, and its length,
/// as `std::str::from_utf8` would decode it (a test checks both agree); on
/// random bytes, `from_utf8` took a fifth of the time of a wide dump.
#[inline]
fn decode_utf8(bytes: &[u8]) -> Option<(usize, char)> {
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

/// Writes a line's offset and the two spaces after it: 8 digits, more when
/// the offset needs them.
#[inline(always)]
fn put_offset(t: &Tables, offset: u64, buf: &mut [u8], at: usize) -> usize {
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

fn push_offset(offset: u64, out: &mut Vec<u8>) {
    let t = &*TABLES;
    let digits = if offset >> 32 == 0 { 8 } else { 16 - offset.leading_zeros() as usize / 4 };
    for shift in (0..digits).rev() {
        let nibble = ((offset >> (shift * 4)) & 15) as usize;
        out.push(t.hex[nibble][1]);
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
    fn a_dumper_draws_with_the_renderer_asked_for_when_the_cpu_runs_it() {
        assert_eq!(Renderer::choose(true), Renderer::Avx512);
        assert_eq!(Renderer::choose(false), Renderer::Portable);
        assert_eq!(Dumper::new(PLAIN, true, 0).renderer(), Renderer::best());
        assert_eq!(Dumper::new(PLAIN, true, 0).portable().renderer(), Renderer::Portable);
        let asked = Dumper::new(PLAIN, true, 0).portable().with_renderer(Renderer::Avx512);
        let given = if Renderer::Avx512.available() { Renderer::Avx512 } else { Renderer::Portable };
        assert_eq!(asked.renderer(), given);
    }

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
    fn a_line_has_offset_hex_and_text() {
        let text = dump(b"Hello serveur !", PLAIN, false);
        assert_eq!(text, "00000000  48 65 6c 6c 6f 20 73 65  72 76 65 75 72 20 21     │Hello serveur ! │\n");
    }

    #[test]
    fn glyphs_for_each_category() {
        let text = dump(b"\x00A\t \x07\xff", PLAIN, false);
        assert!(text.contains("│⋄A␉ ␇×          │"), "{text}");
    }

    #[test]
    fn a_line_feed_is_not_an_underscore() {
        // Issue 11: `printf 'mon_fichier\n' | netplay hex` showed
        // `│mon_fichier_│`, the LF like the real underscore.
        let text = dump(b"mon_fichier\n", PLAIN, false);
        assert!(text.ends_with("│mon_fichier␊    │\n"), "{text}");
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

    /// The text panel of each line of a dump without colour.
    fn panels(text: &str) -> Vec<&str> {
        text.lines().filter_map(|line| line.split_once('│')?.1.strip_suffix('│')).collect()
    }

    #[test]
    fn the_format_and_combining_characters_of_issue_10_show_as_glyphs() {
        // Issue 10 found these 22 let through by the hand-written list.
        let leaked: Vec<char> = (0x600..=0x604)
            .chain([0x6dd, 0xfff9, 0xfffa, 0xfffb, 0x110bd, 0x110cd])
            .chain(0x13430..=0x13438)
            .chain([0x2d7f, 0x1171e])
            .map(|c| char::from_u32(c).unwrap())
            .collect();
        assert_eq!(leaked.len(), 22);
        for c in leaked {
            assert_eq!(shown_width(c), None, "U+{:04X}", u32::from(c));
            // Between letters, in both renderers, at every width.
            let bytes = format!("a{c}b").into_bytes();
            for width in WIDTHS {
                let layout = Layout { width, squeeze: false };
                for dumper in [Dumper::new(layout, false, 0), Dumper::new(layout, false, 0).portable()] {
                    let mut out = Vec::new();
                    dumper.clone().push(&bytes, &mut out);
                    let text = String::from_utf8(out).unwrap();
                    let expected = format!("a{}b", "×".repeat(c.len_utf8()));
                    assert_eq!(panels(&text)[0].trim_end(), expected, "U+{:04X}", u32::from(c));
                }
            }
        }
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
    fn text_from_outside_shows_as_the_panel_shows_it() {
        let hostile = "evil\u{1b}]0;PWNED\u{7}\u{1b}[31mred\u{202e}\u{1}name";
        assert_eq!(shown_text(hostile.as_bytes()), "evil␛]0;PWNED␇␛[31mred×××␁name");
        // What the panel shows: the same glyphs, byte for byte.
        let dumped = dump(hostile.as_bytes(), Layout { width: 32, squeeze: false }, false);
        assert_eq!(panels(&dumped).concat().trim_end(), shown_text(hostile.as_bytes()));
        assert_eq!(shown_text(b"f\xc3\xaate \xe6\x97\xa5 \xc2\xa0\0\xc3"), "fête 日 ××⋄×");
    }

    #[test]
    fn right_to_left_text_keeps_the_columns() {
        // "שלום" and "سلام": each byte is a cell, in the order of the bytes.
        for word in ["שלום", "سلام"] {
            let text = dump(format!("<{word}>").as_bytes(), PLAIN, false);
            let panel = panels(&text)[0].trim_end().to_string();
            assert_eq!(panel, format!("<{}>", "×".repeat(word.len())), "{text}");
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

    /// The length a lead byte announces (0 for other bytes).
    fn utf8_len(lead: u8) -> usize {
        match lead {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
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
    fn a_line_cut_by_chunks_still_squeezes_its_repeats() {
        // Zeros in chunks of 40: chunk boundaries cut the lines at 0x20 and
        // 0x70 (0x50 is on the grid); after each cut line, the lines that
        // repeat it squeeze as they would in one push.
        let mut dumper = Dumper::new(PLAIN, false, 0);
        let mut out = Vec::new();
        for _ in 0..4 {
            dumper.push(&[0u8; 40], &mut out);
        }
        dumper.finish(&mut out);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().map(|l| l.get(..8).unwrap_or(l)).collect();
        assert_eq!(
            lines,
            ["00000000", "*", "00000020", "00000020", "*", "00000070", "00000070", "*", "000000a0"],
            "{text}"
        );
    }

    #[test]
    fn widths_8_and_32() {
        let eight = dump(&[1u8; 8], Layout { width: 8, squeeze: false }, false);
        assert_eq!(eight, "00000000  01 01 01 01 01 01 01 01  │␁␁␁␁␁␁␁␁│\n");
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

    /// The renderer as first written, byte by byte, kept as the
    /// specification the table-driven one must match exactly.
    mod reference {
        use super::super::*;

        pub(super) struct Dumper {
            width: usize,
            squeeze: bool,
            color: bool,
            pub offset: u64,
            previous: Option<Vec<u8>>,
            /// The pieces of a cut line shown so far, when its start was seen.
            cut: Option<Vec<u8>>,
            squeezing: bool,
        }

        impl Dumper {
            pub(super) fn new(layout: Layout, color: bool, offset: u64) -> Dumper {
                let width = if WIDTHS.contains(&layout.width) { layout.width } else { 16 };
                Dumper {
                    width,
                    squeeze: layout.squeeze,
                    color,
                    offset,
                    previous: None,
                    cut: None,
                    squeezing: false,
                }
            }

            pub(super) fn push(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) {
                let width = self.width;
                while !bytes.is_empty() {
                    let column = (self.offset % width as u64) as usize;
                    let take = (width - column).min(bytes.len());
                    let (line, rest) = bytes.split_at(take);
                    let whole = column == 0 && take == width;
                    if whole && self.squeeze && self.previous.as_deref() == Some(line) {
                        if !self.squeezing {
                            out.extend_from_slice(b"*\n");
                            self.squeezing = true;
                        }
                    } else {
                        self.squeezing = false;
                        self.previous = whole.then(|| line.to_vec());
                        if !whole {
                            if column == 0 {
                                self.cut = Some(Vec::new());
                            }
                            match &mut self.cut {
                                Some(pieces) if pieces.len() == column => {
                                    pieces.extend_from_slice(line);
                                    if pieces.len() == width {
                                        self.previous = Some(pieces.clone());
                                    }
                                }
                                _ => self.cut = None,
                            }
                        }
                        self.line(self.offset - column as u64, column, line, out);
                    }
                    self.offset += take as u64;
                    bytes = rest;
                }
            }

            pub(super) fn finish(&mut self, out: &mut Vec<u8>) {
                if self.squeezing {
                    push_offset(self.offset, out);
                    out.push(b'\n');
                }
            }

            fn escape(&self, category: Category, current: &mut Option<Category>, out: &mut Vec<u8>) {
                if self.color && *current != Some(category) {
                    out.extend_from_slice(format!("\x1b[{}m", category.color().to_fg_str()).as_bytes());
                    *current = Some(category);
                }
            }

            fn line(&self, start: u64, lead: usize, bytes: &[u8], out: &mut Vec<u8>) {
                push_offset(start, out);
                out.extend_from_slice(b"  ");
                let mut current = None;
                for cell in 0..self.width {
                    if cell > 0 {
                        out.extend_from_slice(if cell % 8 == 0 { b"  " } else { b" " });
                    }
                    match cell.checked_sub(lead).and_then(|i| bytes.get(i)) {
                        Some(&b) => {
                            self.escape(Category::of(b), &mut current, out);
                            out.extend_from_slice(format!("{b:02x}").as_bytes());
                        }
                        None => out.extend_from_slice(b"  "),
                    }
                }
                if current.is_some() {
                    out.extend_from_slice(RESET);
                }
                out.extend_from_slice("  │".as_bytes());
                out.resize(out.len() + lead, b' ');
                let mut current = None;
                let mut cells = lead;
                let mut i = 0;
                while i < bytes.len() {
                    let b = bytes[i];
                    self.escape(Category::of(b), &mut current, out);
                    if let Some((len, shown)) = utf8_char(&bytes[i..]) {
                        out.extend_from_slice(&bytes[i..i + len]);
                        cells += shown;
                        i += len;
                        continue;
                    }
                    // The course's notation: 32-126 printable, each control
                    // byte its control picture.
                    let glyph = match b {
                        0 => '⋄',
                        0x20..=0x7e => b as char,
                        0x7f => '␡',
                        0x01..=0x1f => char::from_u32(0x2400 + u32::from(b)).unwrap(),
                        _ => '×',
                    };
                    out.extend_from_slice(glyph.to_string().as_bytes());
                    cells += 1;
                    i += 1;
                }
                if current.is_some() {
                    out.extend_from_slice(RESET);
                }
                out.resize(out.len() + (self.width - cells), b' ');
                out.extend_from_slice("│\n".as_bytes());
            }
        }
    }

    /// Lines where every byte changes colour, ASCII or not, with or without
    /// characters: the longest lines, at every width.
    #[test]
    fn the_longest_lines_match_the_reference() {
        let patterns: [&[u8]; 4] = [
            &[0x00, 0x41, 0x09, 0x01],
            &[0x00, 0x41, 0x09, 0x01, 0x80],
            &[0x01, 0xc3, 0xa9, 0x20],
            &[0x07, 0xe2, 0x82, 0xac, 0x00, 0xf0, 0x9f, 0x98, 0x80],
        ];
        for pattern in patterns {
            let bytes: Vec<u8> = pattern.iter().copied().cycle().take(400).collect();
            for width in WIDTHS {
                for color in [false, true] {
                    let layout = Layout { width, squeeze: false };
                    let mut slow = Vec::new();
                    reference::Dumper::new(layout, color, 0).push(&bytes, &mut slow);
                    for renderer in Renderer::ALL {
                        let mut fast = Vec::new();
                        let mut dumper = Dumper::new(layout, color, 0).with_renderer(renderer);
                        dumper.push(&bytes, &mut fast);
                        assert!(fast == slow, "{pattern:x?} width {width} colour {color} {renderer:?}");
                    }
                }
            }
        }
    }

    /// The flags of 8 bytes at once are the byte-by-byte facts, for every
    /// pair of neighbours, inside a word and across its two ends.
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

    mod properties {
        use super::super::*;
        use super::reference;
        use proptest::prelude::*;

        /// Bytes that exercise every path: runs of repeats (squeeze), UTF-8
        /// text of every length and width, and arbitrary bytes.
        fn stream() -> impl Strategy<Value = Vec<u8>> {
            let piece = prop_oneof![
                prop::collection::vec(any::<u8>(), 0..40),
                (any::<u8>(), 0usize..100).prop_map(|(b, n)| vec![b; n]),
                "[a-zé日한\u{202e}\u{300}\u{600}\u{5d0}\u{e33}\u{a0}\t\n 😀]{0,20}"
                    .prop_map(String::into_bytes),
                prop::collection::vec(any::<char>(), 0..8)
                    .prop_map(|chars| chars.into_iter().collect::<String>().into_bytes()),
                prop::sample::select(vec![0u8, 0x20, 0x41, 0x7f, 0x80, 0xc3, 0xe2, 0xf0, 0xff])
                    .prop_flat_map(|b| prop::collection::vec(Just(b), 0..20)),
            ];
            prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
        }

        /// Whole lines' worth of bytes where each line mixes categories:
        /// uniform random bytes, bytes from the UTF-8 lead and continuation
        /// ranges (characters that show, that do not, and that a line's end
        /// cuts), ASCII text with controls, and valid characters.
        fn portable_lines() -> impl Strategy<Value = Vec<u8>> {
            let piece = prop_oneof![
                4 => prop::collection::vec(any::<u8>(), 0..200),
                2 => prop::collection::vec(
                    prop::sample::select(vec![0xc2u8, 0xc3, 0xce, 0xd7, 0xdf, 0xe0, 0xe2, 0xe3, 0xed,
                        0xef, 0xf0, 0xf4, 0x80, 0x82, 0x9f, 0xa0, 0xa9, 0xbf, 0x41, 0x00, 0x0a, 0x7f]),
                    0..100),
                1 => prop::collection::vec(
                    prop::sample::select(vec![b'a', b' ', b'\t', b'\n', b'\r', 0x1b, 0x00, b'~', 0x7f]),
                    0..100),
                1 => prop::collection::vec(any::<char>(), 0..40)
                    .prop_map(|chars| chars.into_iter().collect::<String>().into_bytes()),
            ];
            prop::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
        }

        fn layout() -> impl Strategy<Value = Layout> {
            (prop::sample::select(vec![8usize, 16, 32, 7]), any::<bool>())
                .prop_map(|(width, squeeze)| Layout { width, squeeze })
        }

        fn start() -> impl Strategy<Value = u64> {
            prop_oneof![Just(0u64), 0u64..100, Just(0xffff_fff0u64), Just(u64::MAX - 1000)]
        }

        /// Cut points splitting `len` bytes into chunks.
        fn cuts(bytes: &[u8], seeds: &[usize]) -> Vec<usize> {
            let mut cuts: Vec<usize> = seeds.iter().map(|s| s % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            cuts
        }

        fn chunks<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
            let mut from = 0;
            let mut chunks = Vec::new();
            for &to in cuts.iter().chain([&bytes.len()]) {
                chunks.push(&bytes[from..to]);
                from = to;
            }
            chunks
        }

        /// The bytes a plain dump shows, read back from its hex panels, with
        /// each `*` expanded to the repeats it stands for; checks each
        /// line's offset on the way.
        fn read_back(text: &str, width: usize, start: u64) -> Vec<u8> {
            let mut bytes = Vec::new();
            let mut expected_offset = start;
            let mut last_line: Option<Vec<u8>> = None;
            let mut last_offset: Option<u64> = None;
            let mut starred = false;
            for line in text.lines() {
                if line == "*" {
                    starred = true;
                    continue;
                }
                let (offset, rest) = line.split_once("  ").unwrap_or((line, ""));
                let offset = u64::from_str_radix(offset, 16).expect("hex offset");
                if starred {
                    let repeat = last_line.clone().expect("a * follows a full line");
                    while expected_offset < offset {
                        bytes.extend_from_slice(&repeat);
                        expected_offset += width as u64;
                    }
                    starred = false;
                }
                if rest.is_empty() {
                    // The final offset after a squeezed run.
                    assert_eq!(offset, expected_offset);
                    continue;
                }
                let panel = rest.split('│').next().unwrap();
                let cells: Vec<&str> = panel.split(' ').filter(|s| !s.is_empty()).collect();
                let line_bytes: Vec<u8> =
                    cells.iter().map(|c| u8::from_str_radix(c, 16).expect("hex cell")).collect();
                // The line starts on the grid; its first byte sits at the
                // offset being expected.
                assert_eq!(offset % width as u64, 0, "{line}");
                assert!(offset <= expected_offset && expected_offset < offset + width as u64, "{line}");
                bytes.extend_from_slice(&line_bytes);
                expected_offset += line_bytes.len() as u64;
                // A line continued at the same offset (cut by a chunk
                // boundary) joins the piece before it.
                last_line = match last_line {
                    Some(mut before) if last_offset == Some(offset) => {
                        before.extend_from_slice(&line_bytes);
                        Some(before)
                    }
                    _ => Some(line_bytes),
                };
                last_offset = Some(offset);
            }
            bytes
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn matches_the_reference(
                bytes in stream(),
                seeds in prop::collection::vec(any::<usize>(), 0..5),
                layout in layout(),
                color in any::<bool>(),
                start in start(),
                portable in any::<bool>(),
            ) {
                let mut fast = Dumper::new(layout, color, start);
                if portable {
                    fast = fast.portable();
                }
                let mut slow = reference::Dumper::new(layout, color, start);
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for chunk in chunks(&bytes, &cuts(&bytes, &seeds)) {
                    fast.push(chunk, &mut a);
                    slow.push(chunk, &mut b);
                }
                fast.finish(&mut a);
                slow.finish(&mut b);
                prop_assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
                prop_assert_eq!(fast.offset(), slow.offset);
            }

            #[test]
            fn the_portable_renderer_matches_the_reference(
                bytes in portable_lines(),
                seeds in prop::collection::vec(any::<usize>(), 0..3),
                width in prop::sample::select(vec![8usize, 16, 32]),
                squeeze in any::<bool>(),
                color in any::<bool>(),
                start in start(),
            ) {
                // Whatever the CPU, the portable renderer, on whole lines of
                // every mix (random bytes, UTF-8 characters shown or not,
                // cut at the line's end, text), every width, both colour
                // modes; and the same text as the AVX-512 renderer where
                // this CPU runs it.
                let layout = Layout { width, squeeze };
                let mut renderers = vec![Dumper::new(layout, color, start).portable()];
                if Renderer::Avx512.available() {
                    renderers.push(Dumper::new(layout, color, start).with_renderer(Renderer::Avx512));
                }
                let mut slow = reference::Dumper::new(layout, color, start);
                let mut expected = Vec::new();
                let mut outs = vec![Vec::new(); renderers.len()];
                for chunk in chunks(&bytes, &cuts(&bytes, &seeds)) {
                    slow.push(chunk, &mut expected);
                    for (dumper, out) in renderers.iter_mut().zip(&mut outs) {
                        dumper.push(chunk, out);
                    }
                }
                slow.finish(&mut expected);
                let expected = String::from_utf8(expected).unwrap();
                for (mut dumper, mut out) in renderers.into_iter().zip(outs) {
                    dumper.finish(&mut out);
                    prop_assert_eq!(String::from_utf8(out).unwrap(), expected.clone(), "{:?}", dumper.renderer());
                }
            }

            #[test]
            fn advancing_renders_the_rest_as_pushing_would(
                bytes in stream(),
                cut in any::<usize>(),
                layout in layout(),
                start in start(),
            ) {
                let cut = cut % (bytes.len() + 1);
                let (head, tail) = bytes.split_at(cut);
                let mut pushed = Dumper::new(layout, true, start);
                pushed.push(head, &mut Vec::new());
                let mut advanced = Dumper::new(layout, true, start);
                advanced.advance(head);
                let (mut a, mut b) = (Vec::new(), Vec::new());
                pushed.push(tail, &mut a);
                pushed.finish(&mut a);
                advanced.push(tail, &mut b);
                advanced.finish(&mut b);
                prop_assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
            }

            #[test]
            fn the_hex_panel_reads_back_as_the_input(
                bytes in stream(),
                seeds in prop::collection::vec(any::<usize>(), 0..5),
                width in prop::sample::select(vec![8usize, 16, 32]),
                squeeze in any::<bool>(),
                start in 0u64..1000,
            ) {
                // With squeeze on, expanding each `*` must give the input
                // back: a squeezed run never hides a line that differs.
                let layout = Layout { width, squeeze };
                let mut dumper = Dumper::new(layout, false, start);
                let mut out = Vec::new();
                for chunk in chunks(&bytes, &cuts(&bytes, &seeds)) {
                    dumper.push(chunk, &mut out);
                }
                dumper.finish(&mut out);
                let text = String::from_utf8(out).unwrap();
                prop_assert_eq!(read_back(&text, width, start), bytes);
            }

            #[test]
            fn every_character_shown_is_accepted_by_the_rule(
                bytes in stream(),
                width in prop::sample::select(vec![8usize, 16, 32]),
                start in 0u64..64,
                portable in any::<bool>(),
            ) {
                // Whatever path renders it (the tables of two-byte
                // characters, the per-character check, AVX-512), the text
                // panel holds spaces and characters `shown_width` accepts.
                let mut dumper = Dumper::new(Layout { width, squeeze: false }, false, start);
                if portable {
                    dumper = dumper.portable();
                }
                let mut out = Vec::new();
                dumper.push(&bytes, &mut out);
                let text = String::from_utf8(out).unwrap();
                for panel in super::panels(&text) {
                    for c in panel.chars() {
                        prop_assert!(c == ' ' || shown_width(c).is_some(), "U+{:04X} in {}", u32::from(c), text);
                    }
                }
            }

            #[test]
            fn every_line_is_as_wide_as_the_others(bytes in stream(), width in prop::sample::select(vec![8usize, 16, 32])) {
                use unicode_width::UnicodeWidthStr;
                let text = dump(&bytes, Layout { width, squeeze: false }, false);
                let widths: std::collections::HashSet<usize> = text.lines().map(|l| l.width()).collect();
                prop_assert!(widths.len() <= 1, "{:?}\n{}", widths, text);
            }
        }
    }
}
