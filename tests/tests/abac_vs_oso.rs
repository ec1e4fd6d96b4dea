//! Differential test of `tests/policies/abac.polar`: attribute conditions, `not`, `or`,
//! comparisons, `in` (binding and testing), `matches` (class and dictionary pattern), `:=`,
//! boolean fields as conditions, a parameter without a specializer, and a call that binds a
//! variable. The compiled policy (`polar!`) must give Oso 0.27.3's answer on generated worlds.

use proptest::prelude::*;

mod drt_support;

#[path = "../support/abac.rs"]
mod compiled;

use compiled::{ACTIONS, oso_side};

/// The names of the generated users, documents and owners.
const NAMES: [&str; 4] = ["ann", "bo", "", "Ann"];

#[test]
fn compiled_abac_policy_agrees_with_oso() {
    let oso = oso_side::oso();
    let compared = std::cell::Cell::new(0usize);
    let allowed = std::cell::Cell::new(0usize);
    let config = drt_support::config(600);
    proptest!(config, |(users in prop::collection::vec(compiled::user(NAMES.to_vec()), 1..3), docs in prop::collection::vec(compiled::doc(NAMES.to_vec()), 1..3))| {
        for u in &users {
            for d in &docs {
                for action in ACTIONS {
                    let theirs = oso.is_allowed(oso_side::User::from(u), action, oso_side::Doc::from(d));
                    let theirs = theirs.map_err(|e| format!("Oso error: {e}"));
                    let ours = compiled::authz::try_is_allowed(u, action, d).map_err(|e| e.to_string());
                    prop_assert_eq!(
                        ours.clone().unwrap_or(false),
                        theirs.clone().unwrap_or(false),
                        "is_allowed({:?}, {:?}, {:?}): ours {:?}, Oso {:?}", u, action, d, ours, theirs
                    );
                    compared.set(compared.get() + 1);
                    allowed.set(allowed.get() + usize::from(theirs.unwrap_or(false)));
                }
            }
        }
    });
    let (compared, allowed) = (compared.get(), allowed.get());
    eprintln!("abac: {compared} queries compared with Oso, {allowed} allowed");
    assert!(allowed > 0 && allowed < compared, "the generated worlds exercise both answers");
}
