//! Compiles the GitClub policy into `$OUT_DIR/gitclub.rs`, included by `src/lib.rs`.

fn main() {
    polar_compiler::Builder::new()
        .file("../policies/gitclub.polar")
        .compile("gitclub.rs")
        .unwrap_or_else(|e| e.exit());
}
