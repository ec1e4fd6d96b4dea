//! Runs one engine on one workload in a loop, for a profiler:
//!
//!     cargo build -p polar-benches --release --example profile
//!     perf record -g target/release/examples/profile tinytodo-50 compiled 5
//!
//! Arguments: a workload id (`github-50`, see `polar_benches::workloads`), an engine
//! (`compiled`, `hand`, `oso`, `cedar`) and a number of seconds (default 5).

use std::hint::black_box;
use std::time::{Duration, Instant};

use polar_benches::{Engine, workloads};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [id, engine, rest @ ..] = args.as_slice() else {
        eprintln!("usage: profile WORKLOAD ENGINE [SECONDS]");
        std::process::exit(2);
    };
    let seconds: u64 = rest.first().map_or(5, |s| s.parse().expect("a number of seconds"));
    let engine =
        *Engine::ALL.iter().find(|e| e.id() == engine).expect("an engine: compiled, hand, oso, cedar");
    let w = workloads().into_iter().find(|w| w.id() == *id).expect("a workload id, e.g. github-50");
    let (start, mut rounds) = (Instant::now(), 0u64);
    while start.elapsed() < Duration::from_secs(seconds) {
        black_box(w.run(engine));
        rounds += 1;
    }
    let ns = start.elapsed().as_nanos() as f64 / (rounds as f64 * w.queries() as f64);
    eprintln!("{id} {engine:?}: {rounds} rounds, {ns:.1} ns/check");
}
