//! Workloads shared by the benchmarks of `benches/` (see BENCHMARKS.md for the commands and
//! what each engine's timing includes).

pub mod scaling;
