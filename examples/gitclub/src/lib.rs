//! GitClub, the example application of Oso's documentation, authorized by a Polar policy
//! compiled ahead of time into Rust: organizations own repositories, repositories hold issues,
//! users hold roles on organizations and repositories.
//!
//! - [`models`]: the application's types, made Polar classes by `#[derive(PolarClass)]`;
//! - [`authz`]: `../policies/gitclub.polar` compiled by `polar_runtime::polar!`:
//!   `authz::is_allowed(&user, "push", &repo)`;
//! - [`hand`]: the same policy written by hand, the yardstick for tests and benchmarks;
//! - [`sample`]: the sample data `cargo run -p gitclub` prints a table for.

#![forbid(unsafe_code)]

pub mod hand;
pub mod models;
pub mod sample;

/// The policy, compiled. Class names in the policy (`User`, `Org`, `Repo`, `Issue`) resolve
/// to the types imported here.
pub mod authz {
    use crate::models::*;

    polar_runtime::polar!(file = "../policies/gitclub.polar");
}
