//! Bad input must yield diagnostics: never a panic, a hang or a stack overflow (issue 2,
//! "Bad input"). Covers nesting 100,000 deep, a 10 MB file, random bytes, random tokens and
//! mutated policies.
//!
//! The big inputs run on a thread of their own with the default 2 MiB stack of a Rust
//! thread (stated explicitly, so neither `RUST_MIN_STACK` nor the test harness can hide a
//! recursion that is too deep), and with a time limit (a hang fails the test instead of
//! stalling it). The syntax tree is dropped on that thread too: dropping a deeply nested
//! tree recurses as well. A stack overflow aborts the whole process, so each deep case runs
//! in a child process of its own (see `run_isolated`) and is reported by name.

mod parse_support;

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use polar_compiler::diagnostic::{Diagnostic, Severity};
use polar_compiler::parser::parse_file;
use polar_compiler::source::FileId;
use proptest::prelude::*;

use parse_support::{REALISTIC, mutate};

const DEPTH: usize = 100_000;
const STACK: usize = 2 * 1024 * 1024;
/// Far above what a linear parser needs even unoptimized; reaching it means a hang or a
/// quadratic blow-up.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// What is left of one parse once it has been checked and its tree dropped.
#[derive(Debug)]
struct Outcome {
    items: usize,
    errors: Vec<Diagnostic>,
    elapsed: Duration,
}

/// Checks what must hold for every input: each diagnostic is in this file, its span lies
/// inside the text on character boundaries, and it has a code and a message.
fn check_diagnostics(text: &str, diagnostics: &[Diagnostic]) -> Result<(), String> {
    for d in diagnostics {
        let (s, e) = (d.span.start as usize, d.span.end as usize);
        let ok = d.span.file == FileId(0)
            && s <= e
            && e <= text.len()
            && text.is_char_boundary(s)
            && text.is_char_boundary(e)
            && !d.code.is_empty()
            && !d.message.is_empty();
        if !ok {
            return Err(format!("malformed diagnostic {d:?} for a text of {} bytes", text.len()));
        }
    }
    Ok(())
}

/// Parses `text` on a fresh 2 MiB thread, checks the diagnostics, drops the tree there,
/// and fails on a panic or when `TIME_LIMIT` passes.
fn parse_guarded(name: &str, text: String) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let handle = thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK)
        .spawn(move || {
            let start = Instant::now();
            let (file, diagnostics) = parse_file(FileId(0), &text);
            let items = file.items.len();
            drop(file);
            let elapsed = start.elapsed();
            let checked = check_diagnostics(&text, &diagnostics);
            let errors = diagnostics.into_iter().filter(|d| d.severity == Severity::Error).collect();
            let _ = tx.send(checked.map(|()| Outcome { items, errors, elapsed }));
        })
        .expect("spawn parser thread");
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(outcome)) => {
            handle.join().expect("parser thread");
            outcome
        }
        Ok(Err(malformed)) => panic!("{name}: {malformed}"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no result after {TIME_LIMIT:?} (hang?)"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(p) => std::panic::resume_unwind(p),
            Ok(()) => unreachable!("the parser thread always sends"),
        },
    }
}

/// `open` repeated `DEPTH` times, then `middle`, then `close` repeated, inside `prefix`..`suffix`.
fn nested(prefix: &str, open: &str, middle: &str, close: &str, suffix: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + DEPTH * (open.len() + close.len()) + suffix.len() + 8);
    s.push_str(prefix);
    for _ in 0..DEPTH {
        s.push_str(open);
    }
    s.push_str(middle);
    for _ in 0..DEPTH {
        s.push_str(close);
    }
    s.push_str(suffix);
    s
}

/// One big input and what must come of it.
struct Deep {
    name: &'static str,
    text: fn() -> String,
    /// Well-formed (the parser may accept it, or refuse it with a "nesting too deep"
    /// error), or not (it must be rejected).
    valid: bool,
}

/// Runs each case in a child process (this test binary, filtered to `test_name`, with
/// `CASE_ENV` naming the case), so a stack overflow, which aborts the whole process, is
/// reported for that case instead of taking down every other test of this binary.
const CASE_ENV: &str = "POLAR_ROBUSTNESS_CASE";

fn run_isolated(test_name: &str, cases: &[Deep]) {
    if let Ok(name) = std::env::var(CASE_ENV) {
        // Child: run the one case asked for.
        let case = cases.iter().find(|c| c.name == name).expect("case named by the parent");
        let outcome = parse_guarded(case.name, (case.text)());
        if case.valid && outcome.errors.is_empty() {
            assert_eq!(outcome.items, 1, "{name}: accepted, so it must give the one rule it holds");
        }
        if !case.valid {
            assert!(!outcome.errors.is_empty(), "{name}: invalid input accepted");
        }
        println!("case {name} done");
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let mut failures = Vec::new();
    for case in cases {
        let out = std::process::Command::new(&exe)
            .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
            .env(CASE_ENV, case.name)
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The marker proves the child ran the case (and did not, say, filter it away).
        if !out.status.success() || !stdout.contains(&format!("case {} done", case.name)) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = stderr
                .lines()
                .filter(|l| !l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && !l.contains(" at "))
                .take(8)
                .collect();
            failures.push(format!("{} ({}):\n    {}", case.name, out.status, tail.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn parentheses_nested_100_000_deep() {
    run_isolated(
        "parentheses_nested_100_000_deep",
        &[
            Deep { name: "parens", text: || nested("f(x) if ", "(", "x", ")", ";"), valid: true },
            Deep { name: "parens-unclosed", text: || nested("f(x) if ", "(", "x", "", ";"), valid: false },
            Deep { name: "parens-only-open", text: || "(".repeat(DEPTH), valid: false },
            Deep { name: "parens-only-close", text: || ")".repeat(DEPTH), valid: false },
        ],
    );
}

#[test]
fn lists_nested_100_000_deep() {
    run_isolated(
        "lists_nested_100_000_deep",
        &[
            Deep { name: "lists", text: || nested("f(x) if x = ", "[", "1", "]", ";"), valid: true },
            Deep { name: "lists-in-head", text: || nested("f(", "[", "", "]", ");"), valid: true },
            Deep { name: "lists-unclosed", text: || nested("f(x) if x = ", "[", "1", "", ";"), valid: false },
            Deep { name: "lists-only-open", text: || "[".repeat(DEPTH), valid: false },
        ],
    );
}

#[test]
fn dicts_nested_100_000_deep() {
    run_isolated(
        "dicts_nested_100_000_deep",
        &[
            Deep { name: "dicts", text: || nested("f(x) if x = ", "{a: ", "1", "}", ";"), valid: true },
            Deep { name: "dict-patterns", text: || nested("f(x: ", "{a: ", "1", "}", ");"), valid: true },
            Deep {
                name: "instance-patterns",
                text: || nested("f(x: ", "Foo{a: ", "1", "}", ");"),
                valid: true,
            },
            Deep {
                name: "matches-patterns",
                text: || nested("f(x) if x matches ", "{a: [", "1", "]}", ";"),
                valid: true,
            },
            Deep {
                name: "dicts-unclosed",
                text: || nested("f(x) if x = ", "{a: ", "1", "", ";"),
                valid: false,
            },
            Deep { name: "dicts-only-open", text: || "{".repeat(DEPTH), valid: false },
        ],
    );
}

#[test]
fn not_chains_100_000_deep() {
    run_isolated(
        "not_chains_100_000_deep",
        &[
            Deep { name: "not-chain", text: || nested("f(x) if ", "not (", "x", ")", ";"), valid: true },
            Deep {
                name: "not-chain-unclosed",
                text: || nested("f(x) if ", "not (", "x", "", ";"),
                valid: false,
            },
            // `not not x` is a syntax error in Oso (the operand of `not` is an `Exp4`).
            Deep { name: "not-not", text: || nested("f(x) if ", "not ", "x", "", ";"), valid: false },
        ],
    );
}

#[test]
fn mixed_and_call_nesting_100_000_deep() {
    run_isolated(
        "mixed_and_call_nesting_100_000_deep",
        &[
            Deep {
                name: "paren-list-dict",
                text: || nested("f(x) if x = ", "([{a: ", "1", "}])", ";"),
                valid: true,
            },
            Deep { name: "new-args", text: || nested("f(x) if x = ", "new A(", "1", ")", ";"), valid: true },
            Deep { name: "method-args", text: || nested("f(x) if x = ", "x.m(", "1", ")", ";"), valid: true },
            Deep { name: "forall", text: || nested("f(x) if ", "forall(x, ", "x", ")", ";"), valid: true },
            Deep {
                name: "call-args-unclosed",
                text: || nested("f(x) if ", "g(", "1", "", ";"),
                valid: false,
            },
        ],
    );
}

/// `head item (op item)*` with `DEPTH` operators, then `tail`.
fn chain(head: &str, op: &str, item: &str, tail: &str) -> String {
    let mut s = String::from(head);
    s.push_str(item);
    for _ in 0..DEPTH {
        s.push_str(op);
        s.push_str(item);
    }
    s.push_str(tail);
    s
}

/// Long left-associative chains (`+`, `*`, `.`) make a tree as deep as the chain is long;
/// `and` and `or` chains are right-recursive in Oso's grammar. None nests a bracket.
#[test]
fn operator_chains_100_000_long() {
    run_isolated(
        "operator_chains_100_000_long",
        &[
            Deep { name: "plus-chain", text: || chain("f(x) if x = ", " + ", "1", ";"), valid: true },
            Deep { name: "mul-chain", text: || chain("f(x) if x = ", " * ", "2", ";"), valid: true },
            Deep { name: "dot-chain", text: || chain("f(x) if x = ", ".", "a", ";"), valid: true },
            Deep { name: "method-chain", text: || chain("f(x) if x = y.", ".", "m()", ";"), valid: true },
            Deep { name: "and-chain", text: || chain("f(x) if ", " and ", "x", ";"), valid: true },
            Deep { name: "or-chain", text: || chain("f(x) if ", " or ", "x", ";"), valid: true },
            Deep { name: "list-elements", text: || chain("f(x) if x = [1", ", ", "1", "];"), valid: true },
            Deep {
                name: "and-chain-dangling",
                text: || chain("f(x) if ", " and ", "x", " and;"),
                valid: false,
            },
            Deep { name: "unify-chain", text: || chain("f(x) if x", " = ", "1", ";"), valid: false },
        ],
    );
}

/// About 10 MB of valid rules, facts and blocks: all accepted, every item produced.
#[test]
fn ten_megabyte_file() {
    let mut text = String::with_capacity(10_600_000);
    let mut items = 0;
    let mut sample_end = 0;
    while text.len() < 10_000_000 {
        let i = items;
        text.push_str(&match i % 4 {
            0 => format!(
                "allow_{i}(actor: User, \"read\", r: Repo{{id: {i}}}) if\n  r.owner = actor and actor.roles.contains(\"x\") or x in [1, 2, {i}];\n"
            ),
            1 => format!("fact_{i}(\"s{i}\", {i}, {i}.5, [1, *rest], {{k: v}}); # comment {i}\n"),
            2 => format!(
                "resource Repo{i} {{\n  roles = [\"reader\", \"writer\"];\n  \"reader\" if \"writer\";\n  \"reader\" if \"member\" on \"parent\";\n}}\n"
            ),
            _ => format!("type t_{i}(a: Integer, b: String);\n?= f(x) and not (x = {i} or x.y(k: 1) matches Foo{{}});\n"),
        });
        items += if i % 4 == 3 { 2 } else { 1 };
        if sample_end == 0 && text.len() > 200_000 {
            sample_end = text.len();
        }
    }
    // The generator must make valid Polar: Oso accepts a sample of it (whole items).
    assert_eq!(parse_support::oso_parse(&text[..sample_end]), parse_support::OsoVerdict::Accept);

    let outcome = parse_guarded("ten-megabytes", text);
    assert!(
        outcome.errors.is_empty(),
        "errors in a valid file: {:?}",
        &outcome.errors[..outcome.errors.len().min(5)]
    );
    assert_eq!(outcome.items, items);
    eprintln!("10 MB parsed in {:?}", outcome.elapsed);
}

/// Many lines, each with an error: every error may be reported, but quickly.
#[test]
fn a_hundred_thousand_errors() {
    let text = "f(x) if x = = 1;\n".repeat(DEPTH);
    let outcome = parse_guarded("many-errors", text);
    assert!(!outcome.errors.is_empty());
}

/// Parses on this thread; checks the diagnostics and that parsing is deterministic.
fn parse_checked(text: &str) -> Result<(), TestCaseError> {
    let (file, diagnostics) = parse_file(FileId(0), text);
    check_diagnostics(text, &diagnostics).map_err(TestCaseError::fail)?;
    let (file2, diagnostics2) = parse_file(FileId(0), text);
    // Compared through `Debug`: a `nan` literal makes the trees unequal under `PartialEq`.
    prop_assert!(
        format!("{file:?}") == format!("{file2:?}") && diagnostics == diagnostics2,
        "two parses of {:?} differ",
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(parse_support::config(1024))]

    /// Arbitrary bytes (made text as a file reader would: invalid UTF-8 replaced).
    #[test]
    fn random_bytes(bytes in prop::collection::vec(
        prop_oneof![
            3 => any::<u8>(),
            2 => prop::sample::select(b"(){}[]\",.:;=<>!?*+-/#\\\n \t0123456789abcxyz_".to_vec()),
        ],
        0..600,
    )) {
        parse_checked(&String::from_utf8_lossy(&bytes))?;
    }

    /// Arbitrary characters, including control characters and non-ASCII.
    #[test]
    fn random_chars(text in "\\PC{0,300}|[\\x00-\\x7f]{0,300}") {
        parse_checked(&text)?;
    }

    /// Random sequences of Polar tokens.
    #[test]
    fn random_token_soups(soup in prop::collection::vec(
        (prop::sample::select(mutate::VOCABULARY), prop::sample::select(&[" ", "\n", ""][..])),
        0..200,
    )) {
        let text: String = soup.iter().flat_map(|(t, sep)| [*t, *sep]).collect();
        parse_checked(&text)?;
    }

    /// Realistic policies with up to ten token or character edits.
    #[test]
    fn mutated_realistic_policies(
        which in 0..REALISTIC.len(),
        mutations in prop::collection::vec(mutate::mutation(), 1..=10),
    ) {
        parse_checked(&mutate::apply_all(REALISTIC[which], &mutations))?;
    }

    /// Generated policies with up to five edits.
    #[test]
    fn mutated_generated_policies(
        policy in parse_support::generate::policy(8),
        mutations in prop::collection::vec(mutate::mutation(), 1..=5),
    ) {
        parse_checked(&mutate::apply_all(&policy.text(), &mutations))?;
    }
}
