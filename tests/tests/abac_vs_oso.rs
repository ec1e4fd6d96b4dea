//! Differential test of `tests/policies/abac.polar`: attribute conditions, `not`, `or`,
//! comparisons, `in` (binding and testing), `matches` (class and dictionary pattern), `:=`,
//! boolean fields as conditions, a parameter without a specializer, and a call that binds a
//! variable. The compiled policy (`polar!`) must give Oso 0.27.3's answer on generated worlds.

use proptest::prelude::*;

mod drt_support;

const ACTIONS: [&str; 11] =
    ["view", "edit", "comment", "share", "audit", "archive", "rename", "publish", "fly", "", "View"];

#[path = "../support/abac.rs"]
mod compiled;

use compiled::oso_side;

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["ann", "bo", "", "Ann"]).prop_map(str::to_owned)
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "sharing", ""]).prop_map(str::to_owned), 0..4)
}

fn user() -> impl Strategy<Value = compiled::User> {
    (name(), 0i64..11, tags()).prop_map(|(name, level, tags)| compiled::User { name, level, tags })
}

fn doc() -> impl Strategy<Value = compiled::Doc> {
    (name(), name(), any::<bool>(), any::<bool>(), 0i64..11, tags(), prop::sample::select(ACTIONS.to_vec()))
        .prop_map(|(title, owner, public, locked, level, tags, special)| compiled::Doc {
            title,
            owner,
            public,
            locked,
            level,
            tags,
            special_action: special.to_owned(),
        })
}

#[test]
fn compiled_abac_policy_agrees_with_oso() {
    let oso = oso_side::oso();
    let compared = std::cell::Cell::new(0usize);
    let allowed = std::cell::Cell::new(0usize);
    let config = drt_support::config(600);
    proptest!(config, |(users in prop::collection::vec(user(), 1..3), docs in prop::collection::vec(doc(), 1..3))| {
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
