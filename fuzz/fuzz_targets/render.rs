//! The hex dump renderer on any bytes, any layout, colour on or off, any
//! starting offset and any cutting into chunks: it must not panic, its
//! output must be UTF-8, and a copy advanced past a prefix must render the
//! rest exactly as the dumper that rendered the prefix (what `netplay hex`
//! relies on to split work between threads). The CPU-specific renderer
//! (AVX-512, where the CPU has it, at every width: 8, 16 and 32) must give
//! what the portable one gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netplay::hexdump::{Dumper, Layout};

fuzz_target!(|data: &[u8]| {
    let Some((&[shape, start_bits, start_shift, step, cut], bytes)) = data.split_first_chunk::<5>() else {
        return;
    };
    let width = [8, 16, 32, 12][usize::from(shape & 3)];
    let layout = Layout { width, squeeze: shape & 4 != 0 };
    let color = shape & 8 != 0;
    let start = u64::from(start_bits) << (start_shift & 63);

    // Cut into chunks: no panic, UTF-8 out.
    let mut chunked = Dumper::new(layout, color, start);
    let mut out = Vec::new();
    for chunk in bytes.chunks(usize::from(step).max(1)) {
        chunked.push(chunk, &mut out);
    }
    chunked.finish(&mut out);
    assert!(std::str::from_utf8(&out).is_ok(), "the dump is UTF-8");
    let mut portable = Dumper::new(layout, color, start).portable();
    let mut same = Vec::new();
    for chunk in bytes.chunks(usize::from(step).max(1)) {
        portable.push(chunk, &mut same);
    }
    portable.finish(&mut same);
    assert_eq!(out, same, "the portable renderer gives the same dump");

    // Pushed or advanced past a prefix, the rest renders the same.
    let (head, tail) = bytes.split_at(usize::from(cut).min(bytes.len()));
    let mut pushed = Dumper::new(layout, color, start);
    pushed.push(head, &mut Vec::new());
    let mut advanced = Dumper::new(layout, color, start);
    advanced.advance(head);
    assert_eq!(advanced.offset(), pushed.offset());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    pushed.push(tail, &mut a);
    pushed.finish(&mut a);
    advanced.push(tail, &mut b);
    advanced.finish(&mut b);
    assert_eq!(a, b);
});
