//! The hex dump renderer: bytes in, text out, no I/O. Each byte falls in one
//! [`Category`], which decides its colour and its glyph in the text panel;
//! a valid UTF-8 sequence shows as its character when that character keeps
//! the panel's columns in any terminal (`shown_width`). A [`Dumper`] follows
//! one stream (one connection, one direction, or one file) so offsets keep
//! counting across chunks and repeated lines can be squeezed.
//!
//! This is the hot path of a live dump: it works from lookup tables, appends
//! to a caller's reused `Vec<u8>`, and never holds a byte back. On CPUs with
//! AVX-512 VBMI2, whole lines come from the `avx512` module instead; the
//! portable code gives the same text everywhere else.
//!
//! A job a file: `shown` is the display rule (what a byte shows as, which
//! characters show as themselves), which the text panel, the messages that
//! quote outside bytes, the HTML page and the AVX-512 twin all keep;
//! `tables` the lookup tables drawn from it; `lines` the portable
//! renderer's lines; `dumper` the stream (offsets, squeezing, batches);
//! `renderer` which code draws the lines. Here: the layout, the constants
//! they share, [`dump`], and the tests that hold the renderers to the
//! reference renderer.

#[cfg(target_arch = "x86_64")]
mod avx512;
mod dumper;
mod lines;
mod renderer;
mod shown;
mod tables;

pub(crate) use dumper::Dumper;
// char_at: for avx512's UTF-8 windows.
#[cfg(target_arch = "x86_64")]
use lines::char_at;
use lines::{push_offset, put_offset, render_full};
pub(crate) use renderer::Renderer;
#[cfg(test)]
use shown::shown_width;
use shown::utf8_char;
pub(crate) use shown::{Category, shown_os, shown_text};
use tables::{TABLES, Tables};

/// The shape of a dump: bytes per line and whether repeated lines squeeze.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Bytes per line: 8, 16 or 32.
    pub(crate) width: usize,
    /// Print one `*` line for a run of lines identical to the previous one.
    pub(crate) squeeze: bool,
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

    /// The length a lead byte announces (0 for other bytes).
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
            pub(crate) offset: u64,
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
