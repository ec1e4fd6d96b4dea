//! Replays the corpus of the `compile` fuzz target (`fuzz/corpus/compile`, kept in the
//! repository) on the stable toolchain: every input must go through the whole compiler to
//! diagnostics or to generated code that parses, without a panic or an internal error. The
//! fuzzer itself runs from `.ci/run` (a minute, from the repository's policies) and by hand
//! (`fuzz/README.md`). Here one input in eight, in name order, keeps `cargo test` quick;
//! `POLAR_FUZZ_CORPUS=all` replays them all (about 45 s in a debug build).

use std::path::Path;

use polar_compiler::source::SourceMap;

#[test]
fn every_fuzz_corpus_input_compiles_or_is_refused_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/compile");
    let mut inputs = 0;
    let every = if std::env::var("POLAR_FUZZ_CORPUS").is_ok_and(|v| v == "all") { 1 } else { 8 };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    for path in paths.into_iter().step_by(every) {
        let bytes = std::fs::read(&path).unwrap();
        let mut sources = SourceMap::new();
        sources.add("fuzz.polar", String::from_utf8_lossy(&bytes).into_owned());
        // A deep input needs the stack the fuzzer's thread has.
        let result = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || polar_compiler::expand(&sources))
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("{} panicked", path.display()));
        if let Err(rendered) = result {
            assert!(!rendered.contains("internal error"), "{}: {rendered}", path.display());
        }
        inputs += 1;
    }
    assert!(inputs > 0, "an empty corpus in {}", dir.display());
    eprintln!("{inputs} corpus inputs");
}
