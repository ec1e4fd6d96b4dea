//! Differential parse test on the real policies of the Oso repository: the 65 `.polar` files
//! of `../shared/corpus/oso` (relative to the workspace root; `POLAR_CORPUS_DIR` overrides).
//! 63 parse; `docs/examples/inheritance/05-group.polar` and
//! `vscode/oso/test-fixtures/workspace/b/banana.polar` do not, for Oso and for us alike.
//!
//! Ignored by default because the corpus lives outside this repository and may be absent;
//! `.ci/run` runs it explicitly:
//!
//! ```sh
//! cargo test -p polar-tests --test parse_corpus -- --ignored
//! ```

mod parse_support;

use parse_support::{OsoVerdict, OurVerdict, SplitMix, compare, mutate, oso_parse, our_parse};

/// The files both parsers must reject, relative to the corpus root.
const REJECTED: &[&str] =
    &["docs/examples/inheritance/05-group.polar", "vscode/oso/test-fixtures/workspace/b/banana.polar"];
const EXPECTED_FILES: usize = 65;

#[test]
#[ignore = "needs the Oso corpus at ../shared/corpus/oso (or POLAR_CORPUS_DIR); run by .ci/run with --ignored"]
fn corpus_parses_like_oso() {
    let root = polar_tests::corpus::root();
    assert!(root.is_dir(), "corpus not found at {} (set POLAR_CORPUS_DIR)", root.display());
    let files = polar_tests::corpus::polar_files(&root);
    assert_eq!(files.len(), EXPECTED_FILES, "number of .polar files in {}", root.display());

    let mut failures = Vec::new();
    let (mut oso_rejected, mut our_rejected) = (Vec::new(), Vec::new());
    for (name, text) in &files {
        let (oso, ours) = (oso_parse(text), our_parse(text));
        if !matches!(oso, OsoVerdict::Accept) {
            oso_rejected.push(name.as_str());
        }
        if !matches!(ours, OurVerdict::Accept) {
            our_rejected.push(name.as_str());
        }
        if let Err(r) = compare(text) {
            failures.push(format!(
                "{name}: {}",
                r.lines().skip_while(|l| !l.contains("oso:")).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    assert_eq!(oso_rejected, REJECTED, "files Oso rejects");
    assert!(
        failures.is_empty(),
        "{} disagreement(s) on the corpus:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(our_rejected, REJECTED, "files we reject");
    assert_eq!(files.len() - our_rejected.len(), EXPECTED_FILES - 2);

    // Then edits of the real files, a fixed pseudo-random set so that a failure reproduces:
    // 20 mutated copies of each file, one to three edits each.
    let mut rng = SplitMix(0x5eed_0fc0_ffee);
    let mut mutated = Vec::new();
    let mut total = 0;
    for (name, text) in &files {
        for _ in 0..20 {
            let edits: Vec<mutate::Mutation> =
                (0..1 + rng.below(3)).map(|_| random_mutation(&mut rng)).collect();
            let m = mutate::apply_all(text, &edits);
            total += 1;
            if let Err(r) = compare(&m) {
                mutated.push(format!(
                    "{name} after {edits:?}:\n{}",
                    r.lines().skip_while(|l| !l.contains("oso:")).collect::<Vec<_>>().join("\n")
                ));
            }
        }
    }
    eprintln!("{total} mutated corpus files compared");
    let n = mutated.len();
    mutated.truncate(20);
    assert!(
        n == 0,
        "{n} of {total} mutated corpus files disagree with Oso; the first 20:\n\n{}",
        mutated.join("\n\n")
    );
}

fn random_mutation(rng: &mut SplitMix) -> mutate::Mutation {
    use mutate::Mutation::*;
    let i = rng.below(1 << 20);
    let v = rng.below(mutate::VOCABULARY.len());
    match rng.below(8) {
        0 => DeleteToken(i),
        1 => DuplicateTokens(i, 1 + rng.below(4)),
        2 => SwapTokens(i),
        3 => InsertToken(i, v, rng.below(2) == 0),
        4 => ReplaceToken(i, v),
        5 => DeleteChar(i),
        6 => {
            const CHARS: &[u8] = b" \n;,.(){}[]\"#:=?*-+1ax_\\";
            InsertChar(i, char::from(CHARS[rng.below(CHARS.len())]))
        }
        _ => BreakLine(i),
    }
}
