//! Before any timing, the engines must give the same answers on every benchmarked query:
//! compiled Polar, hand-written Rust and Oso 0.27.3 always; Cedar where its semantics are the
//! same (on every workload here: see BENCHMARKS.md). The benchmark binary repeats these
//! checks before it measures.

use polar_benches::{Engine, check_agreement, workloads};

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

#[test]
#[ignore]
fn timing_probe() {
    for w in workloads() {
        for engine in Engine::ALL {
            let rounds = if matches!(engine, Engine::Compiled | Engine::Hand) { 2000 } else { 3 };
            let t = std::time::Instant::now();
            let mut n = 0;
            for _ in 0..rounds {
                n = w.run(engine);
            }
            let per = t.elapsed().as_nanos() as f64 / (rounds * w.queries()) as f64;
            eprintln!("{} {engine:?}: {n} allowed, {per:.1} ns/check", w.id());
        }
    }
}
