//! Python struct formats and the bytes they decode: any text as a format,
//! any bytes after it. Parsing either succeeds or gives an error; decoding
//! either gives values that print, or says how many bytes were missing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netplay::decode::Format;

fuzz_target!(|data: &[u8]| {
    // The format is the text up to the first NUL; the bytes follow it.
    let (text, bytes) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else { return };
    match text.parse::<Format>() {
        Ok(format) => match format.unpack_from(bytes) {
            Ok(values) => {
                assert!(bytes.len() >= format.size());
                let _ = values.to_string();
            }
            Err(error) => {
                assert!(bytes.len() < format.size());
                let _ = error.to_string();
            }
        },
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
