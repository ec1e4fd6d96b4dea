//! Compile-fail tests only: `tests/ui.rs` runs the cases in `ui/`.
