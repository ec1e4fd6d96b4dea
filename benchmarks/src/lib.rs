//! Workloads shared by the benchmarks of `benches/` (see BENCHMARKS.md for the commands and
//! what each engine's timing includes).
//!
//! Each workload is a world and a list of (principal, action, resource) queries, built once
//! for every engine: the Rust structs the compiled policy and the hand-written checks read,
//! the separate `oso::PolarClass` structs Oso 0.27.3 reads, and a Cedar `Entities` store with
//! one prebuilt `Request` per query. `run` answers every query once with one engine (what a
//! benchmark iteration times); `answers` gives each answer, for the agreement checks that
//! run before any timing.
//!
//! - [`gitclub`]: `examples/gitclub` (its sample world), with a Cedar port of the policy;
//! - [`github`], [`gdrive`], [`tinytodo`]: the example applications of Cedar's OOPSLA 2024
//!   benchmarks, with Polar ports of Cedar's policies (`policies/*.polar`) and entity graphs
//!   generated as the paper did (N entities per type, each possible edge with probability 0.05,
//!   group/team/folder nesting kept acyclic by only nesting into lower-numbered entities).

pub mod cedar;
pub mod gdrive;
pub mod gitclub;
pub mod github;
pub mod rng;
pub mod scaling;
pub mod tinytodo;
pub mod workload;

use std::hint::black_box;
use std::time::{Duration, Instant};

/// An authorization engine under measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The Polar policy compiled by `polar!`.
    Compiled,
    /// The same policy written by hand in Rust.
    Hand,
    /// Oso 0.27.3 interpreting the Polar policy.
    Oso,
    /// Cedar 4 (`cedar_policy::Authorizer`) on the Cedar policy.
    Cedar,
}

impl Engine {
    pub const ALL: [Engine; 4] = [Engine::Compiled, Engine::Hand, Engine::Oso, Engine::Cedar];

    /// The name criterion files the measurement under.
    pub fn id(self) -> &'static str {
        match self {
            Engine::Compiled => "compiled",
            Engine::Hand => "hand",
            Engine::Oso => "oso",
            Engine::Cedar => "cedar",
        }
    }
}

/// A world and its queries, ready for every engine.
pub trait Workload {
    /// Criterion's group name, e.g. `github-50`.
    fn id(&self) -> String;
    /// A line for the summary table.
    fn description(&self) -> String;
    /// The number of queries `run` answers.
    fn queries(&self) -> usize;
    /// Answers every query once with `engine`; the number allowed.
    fn run(&self, engine: Engine) -> usize;
    /// The answer to each query, in order.
    fn answers(&self, engine: Engine) -> Vec<bool>;
    /// Query `i` in words, for disagreement reports.
    fn describe(&self, i: usize) -> String;
}

/// The probability of each possible edge (membership, grant, nesting) in the generated
/// worlds, as in the paper's generators.
pub const CONNECTION_PROBABILITY: f64 = 0.05;

/// Entities per type of the OOPSLA apps' worlds: the two ends of the paper's range.
pub const SIZES: [usize; 2] = [5, 50];

/// At most this many queries per world: all of them for the small worlds, a seeded sample
/// (without replacement) of the rest, so that Oso's rounds stay short.
pub const MAX_QUERIES: usize = 200;

/// The seed of the github world with `n` entities per type.
pub fn github_seed(n: usize) -> u64 {
    0x6769_7468_7562 ^ n as u64
}

/// Every workload of the summary table, in its order.
pub fn workloads() -> Vec<Box<dyn Workload>> {
    let mut all: Vec<Box<dyn Workload>> = vec![Box::new(gitclub::Gitclub::new())];
    for n in SIZES {
        all.push(Box::new(github::Github::new(n, github_seed(n))));
    }
    for n in SIZES {
        all.push(Box::new(gdrive::Gdrive::new(n, 0x6764_7269_7665 ^ n as u64)));
    }
    for n in SIZES {
        all.push(Box::new(tinytodo::TinyTodo::new(n, 0x7469_6e79 ^ n as u64)));
    }
    all
}

/// Checks that every engine gives Oso's answer on every query of `w`; returns the number of
/// queries allowed, or the queries where an engine disagrees.
pub fn check_agreement(w: &dyn Workload) -> Result<usize, Vec<String>> {
    let oso = w.answers(Engine::Oso);
    let mut disagreements = Vec::new();
    for engine in [Engine::Compiled, Engine::Hand, Engine::Cedar] {
        let answers = w.answers(engine);
        assert_eq!(answers.len(), oso.len());
        for (i, (theirs, ours)) in oso.iter().zip(&answers).enumerate() {
            if theirs != ours {
                disagreements.push(format!("{}: Oso {theirs}, {engine:?} {ours}", w.describe(i)));
            }
        }
    }
    let allowed = oso.iter().filter(|a| **a).count();
    for engine in Engine::ALL {
        if engine != Engine::Oso && w.run(engine) != allowed {
            disagreements.push(format!("{engine:?}: `run` does not count what `answers` says"));
        }
    }
    if disagreements.is_empty() { Ok(allowed) } else { Err(disagreements) }
}

/// Compiled time over hand-written time on `w`, measured interleaved so that both see the same
/// machine noise: `blocks` pairs of blocks of rounds (each block about `block` long, which of
/// the two runs first alternating), the median of the per-pair ratios. A cross-check of the
/// ratio of criterion's medians, which are measured minutes apart on a shared machine.
pub fn interleaved_ratio(w: &dyn Workload, blocks: usize, block: Duration) -> f64 {
    let time = |engine: Engine, rounds: usize| {
        let start = Instant::now();
        for _ in 0..rounds {
            black_box(w.run(engine));
        }
        start.elapsed().as_secs_f64()
    };
    let (mut rounds, start) = (0, Instant::now());
    while start.elapsed() < block {
        black_box(w.run(Engine::Hand));
        rounds += 1;
    }
    let mut ratios: Vec<f64> = (0..blocks)
        .map(|i| {
            if i % 2 == 0 {
                let c = time(Engine::Compiled, rounds);
                c / time(Engine::Hand, rounds)
            } else {
                let h = time(Engine::Hand, rounds);
                time(Engine::Compiled, rounds) / h
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}
