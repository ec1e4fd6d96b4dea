//! GitClub again, with the policy compiled by a build script (`build.rs`, through
//! `polar_compiler::Builder`) rather than by the `polar!` macro: the same
//! `../policies/gitclub.polar`, the models and sample data of the `gitclub` crate.
//!
//! [`authz`] has the items of `gitclub::authz`: `is_allowed`, `try_is_allowed`, `authorize`,
//! `rules::*`. The generated file is `$OUT_DIR/gitclub.rs`; `cargo build -vv -p gitclub-build`
//! shows where.

#![forbid(unsafe_code)]

/// The policy, compiled by `build.rs`. Class names in the policy resolve to the types
/// imported here, as with `polar!`.
pub mod authz {
    use gitclub::models::*;

    include!(concat!(env!("OUT_DIR"), "/gitclub.rs"));
}
