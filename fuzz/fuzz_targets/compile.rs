//! The whole compiler, not only the parser: any text goes through the front end, the plan and
//! the code generator to rendered diagnostics or to generated code, which must parse as a
//! Rust file (`polar_compiler::expand` parses it with `syn` and formats it). No panic, no hang,
//! no stack overflow, and no "internal error".
#![no_main]

use libfuzzer_sys::fuzz_target;
use polar_compiler::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let mut sources = SourceMap::new();
    sources.add("fuzz.polar", String::from_utf8_lossy(data).into_owned());
    if let Err(rendered) = polar_compiler::expand(&sources) {
        assert!(!rendered.contains("internal error"), "{rendered}");
    }
});
