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
pub mod tinytodo;

use std::hint::black_box;

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

/// Entities per type of the OOPSLA apps' worlds: the two ends of the paper's range.
pub const SIZES: [usize; 2] = [5, 50];

/// At most this many queries per world: all of them for the small worlds, a seeded sample
/// (without replacement) of the rest, so that Oso's rounds stay short.
pub const MAX_QUERIES: usize = 200;

/// Every workload of the summary table, in its order.
pub fn workloads() -> Vec<Box<dyn Workload>> {
    let mut all: Vec<Box<dyn Workload>> = vec![Box::new(gitclub::Gitclub::new())];
    for n in SIZES {
        all.push(Box::new(github::Github::new(n, 0x6769_7468_7562 ^ n as u64)));
    }
    for n in SIZES {
        all.push(Box::new(gdrive::Gdrive::new(n, 0x6764_7269_7665 ^ n as u64)));
    }
    for n in SIZES {
        all.push(Box::new(tinytodo::TinyTodo::new(n, 0x7469_6e79 ^ n as u64)));
    }
    all
}

/// The number of queries `check` allows, each query passed through `black_box` so that no
/// work is hoisted out of the timed loop.
#[inline]
pub(crate) fn count<Q>(queries: &[Q], mut check: impl FnMut(&Q) -> bool) -> usize {
    let mut allowed = 0;
    for q in queries {
        allowed += usize::from(check(black_box(q)));
    }
    allowed
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
