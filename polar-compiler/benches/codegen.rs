//! Code generation speed: what `polar!` does at build time (the whole front end, then code
//! generation to tokens), on generated policies of 100 to 10,000 rules that the back end
//! compiles. Prints a Markdown table (see BENCHMARKS.md):
//!
//!     cargo bench -p polar-compiler --bench codegen
//!
//! `compile` is `polar_compiler::compile` (the macro's work); `expand` adds `prettyplease`
//! formatting, as `Builder` and `polarc expand` do. rustc's own time on the generated code is
//! not included.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use polar_compiler::source::SourceMap;

/// A policy of about `rules` rules (counting those resource blocks generate) that the back end
/// compiles: resource blocks with roles, permissions and a parent relation, `has_role` and
/// `has_relation` per resource, and `allow` rules with attribute conditions.
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
allow(u: User, "view{i}", r: Res{i}) if (r.public = true and u.age >= 18) or u.name = "admin" or not r.locked;
"#
        );
        count += 3 + 2;
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
    println!("| rules | source size | compile (median) | expand (median) | generated Rust |");
    println!("|---:|---:|---:|---:|---:|");
    for target in [100, 1_000, 10_000] {
        let (text, rules) = policy(target);
        let mut sources = SourceMap::new();
        sources.add("generated.polar", text.clone());
        let expanded = polar_compiler::expand(&sources).expect("the generated policy compiles");
        let runs = if target >= 10_000 { 3 } else { 7 };
        let compile = time(runs, || {
            black_box(polar_compiler::compile(black_box(&sources)).unwrap());
        });
        let expand = time(runs, || {
            black_box(polar_compiler::expand(black_box(&sources)).unwrap());
        });
        println!(
            "| {rules} | {:.0} KB | {:.1} ms | {:.1} ms | {:.1} MB, {} lines |",
            text.len() as f64 / 1e3,
            compile.as_secs_f64() * 1e3,
            expand.as_secs_f64() * 1e3,
            expanded.len() as f64 / 1e6,
            expanded.lines().count()
        );
    }
}
