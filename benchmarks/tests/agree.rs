//! Before any timing, the engines must give the same answers on every benchmarked query:
//! compiled Polar, hand-written Rust and Oso 0.27.3 always; Cedar where its semantics are the
//! same (on every workload here: see BENCHMARKS.md). The benchmark binary repeats these
//! checks before it measures.

use polar_benches::gdrive::Gdrive;
use polar_benches::github::{self, Github};
use polar_benches::tinytodo::TinyTodo;
use polar_benches::{SIZES, Workload, check_agreement, github_seed, workloads};

#[test]
fn every_engine_gives_the_same_answers() {
    for w in workloads() {
        match check_agreement(&*w) {
            Ok(allowed) => {
                eprintln!("{}: {} queries, {allowed} allowed", w.id(), w.queries());
                assert!(
                    allowed > 0 && allowed < w.queries(),
                    "{}: the queries exercise both answers",
                    w.id()
                );
            }
            Err(diff) => {
                panic!("{}: {} disagreements: {:#?}", w.id(), diff.len(), &diff[..diff.len().min(10)])
            }
        }
    }
}

/// The benchmarked worlds are sparse (few queries are allowed at 5 entities per type): denser
/// worlds of the same generators, where grants, memberships and nesting are common, check the
/// ports and the hand-written versions further. `POLAR_BENCH_SEEDS=N` runs N seeds (default 1).
#[test]
fn every_engine_agrees_on_dense_worlds() {
    let seeds: u64 = std::env::var("POLAR_BENCH_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    for seed in 0..seeds {
        let worlds: [Box<dyn Workload>; 3] = [
            Box::new(Github::with(6, 0.3, seed)),
            Box::new(Gdrive::with(6, 0.3, seed)),
            Box::new(TinyTodo::with(6, 0.3, seed)),
        ];
        for w in worlds {
            match check_agreement(&*w) {
                Ok(allowed) => {
                    eprintln!("{} (dense, seed {seed}): {} queries, {allowed} allowed", w.id(), w.queries());
                    assert!(allowed > w.queries() / 10 && allowed < w.queries(), "{}: a dense world", w.id());
                }
                Err(diff) => panic!("{} (dense, seed {seed}): {diff:#?}", w.id()),
            }
        }
    }
}

/// The hand-written github in the policy's shape answers as the others do.
#[test]
fn github_in_the_policy_shape_agrees() {
    for n in SIZES {
        let g = Github::new(n, github_seed(n));
        for q in &g.queries {
            let (user, repo) = (&g.world.users[q.user], &g.world.repos[q.resource.0]);
            assert_eq!(
                github::hand_shaped::is_allowed(user, q.action, repo),
                github::hand::is_allowed(user, q.action, repo)
            );
        }
    }
}

/// Where github's compiled / hand-written gap comes from: the compiled policy, the hand-written
/// version in the policy's shape (a walk per implied role) and the benchmarked hand-written
/// version (one walk comparing ranks), interleaved, median of 31 rounds of 200 repetitions:
///
///     cargo test -p polar-benches --release --test agree github_gap_breakdown -- --ignored --nocapture
#[test]
#[ignore]
fn github_gap_breakdown() {
    use std::hint::black_box;
    use std::time::Instant;
    type Check = fn(&github::models::User, &str, &github::models::Repository) -> bool;
    let engines: [(&str, Check); 3] = [
        ("compiled", |u, a, r| github::authz::is_allowed(u, a, r)),
        ("hand-written, the policy's shape", github::hand_shaped::is_allowed),
        ("hand-written, ranks (benchmarked)", github::hand::is_allowed),
    ];
    for n in SIZES {
        let g = Github::new(n, github_seed(n));
        let round = |check: Check| {
            let start = Instant::now();
            for _ in 0..200 {
                for q in &g.queries {
                    let (user, repo) = (&g.world.users[q.user], &g.world.repos[q.resource.0]);
                    black_box(check(black_box(user), black_box(q.action), black_box(repo)));
                }
            }
            start.elapsed().as_nanos() as f64 / (200 * g.queries.len()) as f64
        };
        let mut times = vec![Vec::new(); engines.len()];
        for _ in 0..31 {
            for (i, (_, check)) in engines.iter().enumerate() {
                times[i].push(round(*check));
            }
        }
        for ((name, _), t) in engines.iter().zip(&mut times) {
            t.sort_by(f64::total_cmp);
            eprintln!("github-{n} {name}: {:.1} ns/check", t[t.len() / 2]);
        }
    }
}
