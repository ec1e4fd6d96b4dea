//! Front-end speed: parse, and parse + lower + validate + graph, on generated policies of
//! 1,000, 10,000 and 100,000 rules. Prints a Markdown table (see BENCHMARKS.md):
//!
//!     cargo bench -p polar-compiler --bench frontend
//!
//! Timings are medians of several runs in one process; compare rows, not machines.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use polar_compiler::source::SourceMap;
use polar_compiler::{Stop, check};

/// A valid policy with about `rules` rules (counting those resource blocks generate):
/// resource blocks with roles, permissions and relations, `has_role` / `has_relation`
/// rules, `allow` rules with attribute checks, arithmetic, lists and negation.
fn policy(rules: usize) -> (String, usize) {
    let mut out = String::from(
        "actor User {}\nallow(actor, action, resource) if has_permission(actor, action, resource);\n",
    );
    let mut count = 1;
    let mut i = 0;
    while count < rules {
        let parent = if i > 0 {
            format!("\n  relations = {{ parent: Res{} }};\n  \"reader\" if \"reader\" on \"parent\";", i - 1)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"resource Res{i} {{
  roles = ["reader", "writer"];
  permissions = ["read", "write"];{parent}
  "read" if "reader";
  "write" if "writer";
  "reader" if "writer";
}}
has_role(user: User, name: String, r: Res{i}) if role in user.roles and role matches {{name: name, id: r.id}};
allow(u: User, "view{i}", r: Res{i}) if (r.public = true and u.age >= 18) or u.name = "admin" or rule{i}(u.level, r.level);
rule{i}(x, y) if x > y + 1 and check{i}(x * 2 - 1);
check{i}(x) if x in [1, 2, 3] and not x = 4;
"#
        );
        count += 3 + 4;
        if i > 0 {
            let _ = writeln!(out, "has_relation(p: Res{}, \"parent\", r: Res{i}) if p = r.parent;", i - 1);
            count += 2;
        }
        i += 1;
    }
    (out, count)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm up
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    println!("| rules | source size | parse (median) | full front end (median) | per rule |");
    println!("|---:|---:|---:|---:|---:|");
    for target in [1_000, 10_000, 100_000] {
        let (text, rules) = policy(target);
        let mut sources = SourceMap::new();
        sources.add("generated.polar", text.clone());
        let checked = check(&sources, Stop::AfterValidation);
        assert!(
            !checked.has_errors(),
            "generated policy must be valid: {:?}",
            &checked.diagnostics[..3.min(checked.diagnostics.len())]
        );
        let runs = if target >= 100_000 { 5 } else { 11 };
        let parse = time(runs, || {
            black_box(check(black_box(&sources), Stop::AfterParsing));
        });
        let full = time(runs, || {
            black_box(check(black_box(&sources), Stop::AfterValidation));
        });
        println!(
            "| {rules} | {:.1} MB | {:.1} ms | {:.1} ms | {:.2} µs |",
            text.len() as f64 / 1e6,
            parse.as_secs_f64() * 1e3,
            full.as_secs_f64() * 1e3,
            full.as_secs_f64() * 1e6 / rules as f64
        );
    }
}
