//! A [`Dumper`] follows one stream (one connection, one direction, or one
//! file): its offsets keep counting across chunks, repeated lines squeeze,
//! and each batch of whole lines goes to the renderer chosen.

#[cfg(target_arch = "x86_64")]
use super::avx512;
use super::lines::{escape_index, max_line_len};
use super::{
    BAR, BATCH_LINES, Category, Cell, LINE_BUF, Layout, MAX_WIDTH, RESET, Renderer, TABLES, Tables, WIDTHS,
    push_offset, put_offset, render_full, utf8_char,
};

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
