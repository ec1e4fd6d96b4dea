//! The whole front end (not only the parser) copes with input nested as deeply as the
//! parser allows, on a thread with the default 2 MiB test stack, in a debug build.

use polar_compiler::parser::MAX_NESTING;
use polar_compiler::source::SourceMap;
use polar_compiler::{Stop, check};

fn check_on_small_stack(text: String) -> Vec<&'static str> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut sources = SourceMap::new();
            sources.add("deep.polar", text);
            check(&sources, Stop::AfterValidation).diagnostics.into_iter().map(|d| d.code).collect()
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deepest_accepted_expressions_pass_every_stage() {
    let n = MAX_NESTING - 10;
    let cases = [
        format!("allow(x, _, _) if x = 1{};", " + 1".repeat(n)),
        format!("allow(x, _, _) if x{} = 1;", ".a".repeat(n)),
        format!("allow(x, _, _) if x = {}1{};", "(".repeat(n), ")".repeat(n)),
        format!("allow(x, _, _) if x = {}1{};", "[".repeat(n / 2), "]".repeat(n / 2)),
        format!("allow(x, _, _) if {}x = 1{};", "not (".repeat(n / 2), ")".repeat(n / 2)),
    ];
    for text in cases {
        assert_eq!(check_on_small_stack(text), Vec::<&str>::new());
    }
}

#[test]
fn deeper_expressions_are_refused_with_a_diagnostic() {
    let n = 100_000;
    let text = format!("allow(x, _, _) if x = {}1{};", "(".repeat(n), ")".repeat(n));
    assert_eq!(check_on_small_stack(text), vec!["P0008"]);
}
