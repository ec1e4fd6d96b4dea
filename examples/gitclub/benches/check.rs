//! Time per check, compiled policy vs the hand-written equivalent, on every (user, action,
//! resource) of the sample world, measured in one run as a ratio:
//!
//!     cargo bench -p gitclub --bench check
//!
//! Each round runs all queries once; the median round over many rounds is reported per query.
//! Oso's time on the same queries is measured by the differential test's types (see
//! BENCHMARKS.md), not here, to keep this crate free of the `oso` dependency.

use std::hint::black_box;
use std::time::Instant;

use gitclub::models::actions;
use gitclub::sample::sample;
use gitclub::{authz, hand};

fn median_ns_per_query(rounds: usize, queries: usize, mut round: impl FnMut() -> usize) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            black_box(round());
            start.elapsed().as_nanos() as f64 / queries as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let (world, _) = sample();
    let mut queries = 0;
    for _ in &world.users {
        queries += world.orgs.len() * actions::ORG.len()
            + world.repos.len() * actions::REPO.len()
            + world.issues.len() * actions::ISSUE.len();
    }
    macro_rules! round {
        ($f:path) => {
            || {
                let mut allowed = 0;
                for user in &world.users {
                    for org in &world.orgs {
                        for action in actions::ORG {
                            allowed += $f(black_box(user), black_box(action), black_box(org)) as usize;
                        }
                    }
                    for repo in &world.repos {
                        for action in actions::REPO {
                            allowed += $f(black_box(user), black_box(action), black_box(repo)) as usize;
                        }
                    }
                    for issue in &world.issues {
                        for action in actions::ISSUE {
                            allowed += $f(black_box(user), black_box(action), black_box(issue)) as usize;
                        }
                    }
                }
                allowed
            }
        };
    }
    let mut compiled = round!(authz::is_allowed);
    let mut handwritten = round!(hand::is_allowed);
    assert_eq!(compiled(), handwritten(), "the two implementations disagree on the sample world");
    // Interleave to share the machine's noise between both.
    let (mut c, mut h) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        c.push(median_ns_per_query(200, queries, &mut compiled));
        h.push(median_ns_per_query(200, queries, &mut handwritten));
    }
    c.sort_by(f64::total_cmp);
    h.sort_by(f64::total_cmp);
    let (c, h) = (c[c.len() / 2], h[h.len() / 2]);
    println!(
        "| workload | queries | compiled (ns/check) | hand-written (ns/check) | compiled / hand-written |"
    );
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| gitclub sample world, every (user, action, resource) | {queries} | {c:.1} | {h:.1} | {:.2}× |",
        c / h
    );
}
