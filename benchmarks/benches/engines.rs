//! Nanoseconds per check for compiled Polar, hand-written Rust, Oso 0.27.3 and Cedar on the
//! same queries, one criterion group per workload of `polar_benches::workloads()` (gitclub's
//! sample world; Cedar's OOPSLA 2024 apps github, gdrive and tinytodo at 5 and 50 entities per
//! type):
//!
//!     cargo bench -p polar-benches --bench engines [-- FILTER]
//!
//! One iteration answers every query of the workload once; criterion's median iteration
//! divided by the number of queries is the time per check. Before any timing, every engine's
//! answer to every query is checked against Oso's. `cargo run -p polar-benches --release
//! --bin summary` runs this and writes the table into BENCHMARKS.md.

use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use polar_benches::{Engine, check_agreement, workloads};

fn engines(c: &mut Criterion) {
    for w in workloads() {
        if let Err(diff) = check_agreement(&*w) {
            panic!("{}: the engines disagree, not timing: {diff:#?}", w.id());
        }
        let mut group = c.benchmark_group(w.id());
        group.throughput(Throughput::Elements(w.queries() as u64));
        for engine in Engine::ALL {
            match engine {
                Engine::Compiled | Engine::Hand => {
                    group
                        .sampling_mode(SamplingMode::Auto)
                        .sample_size(50)
                        .warm_up_time(Duration::from_millis(500))
                        .measurement_time(Duration::from_secs(2));
                }
                Engine::Cedar => {
                    group
                        .sampling_mode(SamplingMode::Flat)
                        .sample_size(20)
                        .warm_up_time(Duration::from_millis(500))
                        .measurement_time(Duration::from_secs(2));
                }
                // About 10^4 times slower: a round of queries takes up to seconds, so ten
                // samples of a few rounds each.
                Engine::Oso => {
                    group
                        .sampling_mode(SamplingMode::Flat)
                        .sample_size(10)
                        .warm_up_time(Duration::from_millis(100))
                        .measurement_time(Duration::from_secs(3));
                }
            }
            group.bench_function(engine.id(), |b| b.iter(|| w.run(engine)));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = engines
}
criterion_main!(benches);
