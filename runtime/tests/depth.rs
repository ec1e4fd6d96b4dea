//! Recursion on acyclic data answers at every depth Oso answers at: Oso 0.27.3 allows
//! `countdown(1426)` through `allow` and fails from 1,427 levels on its 10,000-goal stack
//! (`tests/tests/depth_vs_oso.rs` pins that). Here the compiled rules, on a thread with a
//! 2 MiB stack, the default; `.ci/run` runs this file in a release build too. Endless
//! recursion still fails closed at `MAX_DEPTH`.

use polar_runtime::RuntimeError;
use polar_runtime::support::{MAX_DEPTH, MAX_STEPS};

mod authz {
    polar_runtime::polar!(file = "../tests/policies/depth.polar");
}

fn on_a_2_mib_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap()
}

#[test]
fn deep_recursion_answers_where_oso_does() {
    on_a_2_mib_stack(|| {
        for n in [0i64, 1, 500, 1000, 1426] {
            assert_eq!(authz::rules::countdown(&n), Ok(true), "countdown({n})");
            assert!(authz::is_allowed(&"alice", "count", &n), "allow countdown({n})");
        }
        // Mutual recursion, as in the random policy generator's `rec1`/`rec1_odd`.
        assert_eq!(authz::rules::even(&1000i64), Ok(true));
        assert_eq!(authz::rules::odd(&1000i64), Ok(false));
        assert_eq!(authz::rules::odd(&1425i64), Ok(true));
    });
}

/// Where Oso fails with its goal-stack limit the compiled rule still answers, up to
/// `MAX_DEPTH` levels: the one intended difference (docs/backend-design.md).
#[test]
fn past_oso_s_goal_stack_up_to_the_depth_limit() {
    on_a_2_mib_stack(|| {
        assert_eq!(authz::rules::countdown(&1427i64), Ok(true));
        let last = i64::from(MAX_DEPTH) - 1;
        assert_eq!(authz::rules::countdown(&last), Ok(true));
        assert_eq!(
            authz::rules::countdown(&(last + 1)),
            Err(RuntimeError::RecursionLimit { limit: MAX_DEPTH })
        );
    });
}

#[test]
fn endless_recursion_fails_closed() {
    on_a_2_mib_stack(|| {
        assert_eq!(authz::rules::forever(&0i64), Err(RuntimeError::RecursionLimit { limit: MAX_DEPTH }));
        assert!(!authz::is_allowed(&"alice", "count", &(i64::from(MAX_DEPTH) * 2)));
    });
}

/// A search that backtracks over deep recursion takes exponential time: it stops at
/// `MAX_STEPS` recursive calls, an error that denies, as Oso's query timeout stops it.
#[test]
fn exponential_search_fails_closed() {
    on_a_2_mib_stack(|| {
        assert_eq!(authz::rules::branchy(&10i64), Ok(false));
        assert_eq!(authz::rules::branchy(&1000i64), Err(RuntimeError::SearchLimit { limit: MAX_STEPS }));
    });
}
