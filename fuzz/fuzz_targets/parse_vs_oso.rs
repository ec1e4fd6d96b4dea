//! Differential target: our parser and Oso 0.27.3's must both accept or both reject, with
//! the first error on the same line (the rule of `tests/tests/parse_vs_oso.rs`, without its
//! duplicate-key refinement: inputs where Oso reports `DuplicateKey` are skipped here).
#![no_main]

use libfuzzer_sys::fuzz_target;
use polar_compiler::diagnostic::Severity;
use polar_compiler::parser::parse_file;
use polar_compiler::source::{FileId, SourceFile};
use polar_core::error::{ErrorKind, ParseErrorKind};

fn oso_loc(kind: &ParseErrorKind) -> Option<usize> {
    use ParseErrorKind::*;
    match kind {
        DuplicateKey { .. } => None,
        IntegerOverflow { loc, .. }
        | InvalidTokenCharacter { loc, .. }
        | InvalidToken { loc }
        | UnrecognizedEOF { loc }
        | UnrecognizedToken { loc, .. }
        | ExtraToken { loc, .. }
        | ReservedWord { loc, .. }
        | InvalidFloat { loc, .. }
        | WrongValueType { loc, .. } => Some(*loc),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let oso = match polar_core::parser::parse_lines(polar_core::sources::Source::new(text)) {
        Ok(_) => None,
        Err(e) => match e.0 {
            ErrorKind::Parse(p) => match oso_loc(&p.kind) {
                Some(loc) => Some(loc),
                None => return,
            },
            _ => return,
        },
    };
    let (_, diagnostics) = parse_file(FileId(0), text);
    let ours = diagnostics.iter().find(|d| d.severity == Severity::Error).map(|d| d.span.start as usize);
    let file = SourceFile::new("fuzz.polar", text);
    let line = |o: Option<usize>| o.map(|o| file.line_col(o).0);
    assert_eq!(line(oso), line(ours), "first error line (None = accepted): Oso vs ours on {text:?}");
});
