//! Any byte sequence must parse to diagnostics: no panic, no hang, no stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polar_compiler::parser::parse_file;
use polar_compiler::source::FileId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (_file, diagnostics) = parse_file(FileId(0), &text);
    for d in &diagnostics {
        // Every span must point into the text, on character boundaries.
        let (start, end) = (d.span.start as usize, d.span.end as usize);
        assert!(
            start <= end && end <= text.len(),
            "span {:?} outside a text of {} bytes",
            d.span,
            text.len()
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "span {:?} splits a character",
            d.span
        );
    }
});
