//! Differential tests of values and goals: arithmetic (`tests/policies/arith.polar`), list and
//! dictionary literals, dictionary lookups, `in` over literals and strings, `nil`
//! (`lists.polar`), method calls (`methods.polar`), `forall` and `print` (`forall.polar`).
//!
//! Each compiled policy (`polar!`) must give Oso 0.27.3's answer on generated worlds, *and*
//! fail the same way: a query that raises an error in Oso (overflow, `mod` by zero) must be a
//! `RuntimeError` here, and the other way round. Worlds include the edge values: 0, negative
//! numbers, `i64::MIN`/`i64::MAX` (overflow), NaN and infinite floats, empty lists and maps,
//! missing dictionary keys, `None`. The compiled checks allocate nothing (a counting global
//! allocator, per thread, around each of them), except where a method the policy calls does.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};

use polar_runtime::{ArithOp, RuntimeError};

use proptest::prelude::*;

mod drt_support;

#[global_allocator]
static GLOBAL: polar_tests::alloc_count::Counting = polar_tests::alloc_count::Counting;

use polar_tests::alloc_count::allocations_during;

/// Method bodies shared by both sides.
mod logic {
    pub fn check(age: i64, level: i64, s: &str) -> bool {
        level > age && !s.is_empty()
    }
    pub fn maybe(age: i64) -> Option<i64> {
        (age > 0).then_some(age)
    }
    pub fn count_tags<S: AsRef<str>>(mine: &[String], tags: &[S]) -> i64 {
        tags.iter().filter(|t| mine.iter().any(|m| m == t.as_ref())).count() as i64
    }
}

mod compiled {
    use super::*;
    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub age: i64,
        pub score: f64,
        pub tags: Vec<String>,
        pub prefs: HashMap<String, i64>,
        pub nick: Option<String>,
    }

    /// The methods `methods.polar` calls: arguments by reference (see `codegen/values.rs`).
    impl User {
        pub fn check(&self, level: &i64, s: &str) -> bool {
            logic::check(self.age, *level, s)
        }
        pub fn plus(&self, n: &i64) -> i64 {
            self.age.saturating_add(*n)
        }
        pub fn maybe(&self) -> Option<i64> {
            logic::maybe(self.age)
        }
        pub fn greet(&self, s: &str) -> String {
            format!("hi {s}")
        }
        pub fn is_adult(&self) -> bool {
            self.age >= 18
        }
        pub fn count_tags<S: AsRef<str>>(&self, tags: &[S]) -> i64 {
            logic::count_tags(&self.tags, tags)
        }
        pub fn has_tag(&self, t: &str) -> bool {
            self.tags.iter().any(|m| m == t)
        }
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Doc {
        pub title: String,
        pub level: i64,
        pub weight: f64,
        pub tags: Vec<String>,
        pub nums: Vec<i64>,
        pub dict: BTreeMap<String, i64>,
        pub owner: Option<String>,
        /// A `&str` field: compared and iterated like a `String`.
        pub kind: &'static str,
    }

    pub mod arith {
        use super::*;
        polar_runtime::polar!(file = "policies/arith.polar");
    }
    pub mod lists {
        use super::*;
        polar_runtime::polar!(file = "policies/lists.polar");
    }
    pub mod methods {
        use super::*;
        polar_runtime::polar!(file = "policies/methods.polar");
    }
    pub mod forall {
        use super::*;
        polar_runtime::polar!(file = "policies/forall.polar");
    }
}

mod oso_side {
    use super::*;
    use oso::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub age: i64,
        #[polar(attribute)]
        pub score: f64,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub prefs: HashMap<String, i64>,
        #[polar(attribute)]
        pub nick: Option<String>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Doc {
        #[polar(attribute)]
        pub title: String,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub weight: f64,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub nums: Vec<i64>,
        #[polar(attribute)]
        pub dict: BTreeMap<String, i64>,
        #[polar(attribute)]
        pub owner: Option<String>,
        #[polar(attribute)]
        pub kind: String,
    }

    pub fn oso(policy: &str) -> oso::Oso {
        let mut oso = oso::Oso::new();
        let user = User::get_polar_class_builder()
            .add_method("check", |u: &User, level: i64, s: String| logic::check(u.age, level, &s))
            .add_method("plus", |u: &User, n: i64| u.age.saturating_add(n))
            .add_method("maybe", |u: &User| logic::maybe(u.age))
            .add_method("greet", |_: &User, s: String| format!("hi {s}"))
            .add_method("is_adult", |u: &User| u.age >= 18)
            .add_method("count_tags", |u: &User, tags: Vec<String>| logic::count_tags(&u.tags, &tags))
            .add_method("has_tag", |u: &User, t: String| u.tags.contains(&t))
            .build();
        oso.register_class(user).unwrap();
        oso.register_class(Doc::get_polar_class()).unwrap();
        oso.load_str(policy).unwrap();
        oso
    }
}

fn to_oso_user(u: &compiled::User) -> oso_side::User {
    oso_side::User {
        name: u.name.clone(),
        age: u.age,
        score: u.score,
        tags: u.tags.clone(),
        prefs: u.prefs.clone(),
        nick: u.nick.clone(),
    }
}

fn to_oso_doc(d: &compiled::Doc) -> oso_side::Doc {
    oso_side::Doc {
        title: d.title.clone(),
        level: d.level,
        weight: d.weight,
        tags: d.tags.clone(),
        nums: d.nums.clone(),
        dict: d.dict.clone(),
        owner: d.owner.clone(),
        kind: d.kind.to_owned(),
    }
}

// ---- worlds, with the edge values

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => -4i64..24,
        1 => prop::sample::select(vec![i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1, 1 << 62, -(1 << 62)]),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => (-8i32..16).prop_map(|i| f64::from(i) / 2.0),
        1 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 1e300, f64::MIN_POSITIVE]),
    ]
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["ann", "bo", "", "a", "zed", "x", "y", "b", "hi", "nab"])
        .prop_map(str::to_owned)
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "x", "", "an"]).prop_map(str::to_owned), 0..4)
}

fn map<M: FromIterator<(String, i64)> + std::fmt::Debug>() -> impl Strategy<Value = M> {
    prop::collection::vec((prop::sample::select(vec!["a", "b", "k"]).prop_map(str::to_owned), int()), 0..3)
        .prop_map(|entries| entries.into_iter().collect())
}

fn user() -> impl Strategy<Value = compiled::User> {
    (word(), int(), float(), tags(), map::<HashMap<String, i64>>(), prop::option::of(word())).prop_map(
        |(name, age, score, tags, prefs, nick)| compiled::User { name, age, score, tags, prefs, nick },
    )
}

fn doc() -> impl Strategy<Value = compiled::Doc> {
    (
        word(),
        int(),
        float(),
        tags(),
        prop::collection::vec(prop::sample::select(vec![-1i64, 0, 1, 2, 3, 7, i64::MAX]), 0..4),
        map::<BTreeMap<String, i64>>(),
        prop::option::of(word()),
        prop::sample::select(vec!["pdf", "png", "", "bo", "a"]),
    )
        .prop_map(|(title, level, weight, tags, nums, dict, owner, kind)| compiled::Doc {
            title,
            level,
            weight,
            tags,
            nums,
            dict,
            owner,
            kind,
        })
}

type Compiled = fn(&compiled::User, &str, &compiled::Doc) -> Result<bool, RuntimeError>;

/// Compares the compiled policy with Oso on generated worlds, for every action of the policy
/// and two it does not know; returns the number of queries compared. With `alloc_free`, each
/// compiled check must allocate nothing.
fn agree(name: &str, policy: &str, alloc_free: bool, ours: Compiled) -> usize {
    let mut actions: Vec<String> = policy
        .lines()
        .filter_map(|l| l.strip_prefix("allow(").and_then(|l| l.split('"').nth(1)))
        .map(str::to_owned)
        .collect();
    actions.dedup();
    actions.extend(["fly".to_owned(), String::new()]);
    let oso = oso_side::oso(policy);
    let (compared, allowed, errors) = (Cell::new(0usize), Cell::new(0usize), Cell::new(0usize));
    let oso_panics = Cell::new(0usize);
    drt_support::silence_oso_mod_panics();
    let config = drt_support::config(300);
    proptest!(config, |(users in prop::collection::vec(user(), 1..3), docs in prop::collection::vec(doc(), 1..3))| {
        for u in &users {
            for d in &docs {
                for action in &actions {
                    let theirs = catch_unwind(AssertUnwindSafe(|| {
                        oso.is_allowed(to_oso_user(u), action.as_str(), to_oso_doc(d)).map_err(|e| e.to_string())
                    }));
                    let (ours, allocations) = allocations_during(|| ours(u, action, d));
                    prop_assert!(
                        !alloc_free || allocations == 0,
                        "{}: is_allowed({:?}, {:?}, {:?}) allocated {} times", name, u, action, d, allocations
                    );
                    let same = match (&ours, &theirs) {
                        (Ok(a), Ok(Ok(b))) => a == b,
                        (Err(_), Ok(Err(_))) => true,
                        // Oso's integer `mod` overflows in Oso itself (`numerics.rs`: a panic in a
                        // debug build, a wrong answer in a release build); here it is an error.
                        (Err(RuntimeError::ArithmeticOverflow { op: ArithOp::Mod }), Err(_)) => {
                            oso_panics.set(oso_panics.get() + 1);
                            true
                        }
                        // In a release build Oso's `mod` wraps instead: both deny here, and the
                        // compiled side never allows on a wrapped value.
                        (Err(RuntimeError::ArithmeticOverflow { op: ArithOp::Mod }), Ok(Ok(false))) => true,
                        _ => false,
                    };
                    prop_assert!(
                        same,
                        "{}: is_allowed({:?}, {:?}, {:?}): ours {:?}, Oso {:?}",
                        name, u, action, d, ours, theirs.map_err(|_| "panic")
                    );
                    compared.set(compared.get() + 1);
                    allowed.set(allowed.get() + usize::from(matches!(ours, Ok(true))));
                    errors.set(errors.get() + usize::from(ours.is_err()));
                }
            }
        }
    });
    let (compared, allowed, errors) = (compared.get(), allowed.get(), errors.get());
    eprintln!(
        "{name}: {compared} queries compared with Oso: {allowed} allowed, {errors} run-time errors \
         (of which {} `mod` overflows where Oso panics)",
        oso_panics.get()
    );
    assert!(allowed > 0 && allowed < compared, "the generated worlds exercise both answers");
    compared
}

#[test]
fn arithmetic_agrees_with_oso() {
    let n = agree("arith", include_str!("../policies/arith.polar"), true, |u, a, d| {
        compiled::arith::try_is_allowed(u, a, d)
    });
    assert!(n > 0);
}

#[test]
fn lists_dictionaries_and_strings_agree_with_oso() {
    let n = agree("lists", include_str!("../policies/lists.polar"), true, |u, a, d| {
        compiled::lists::try_is_allowed(u, a, d)
    });
    assert!(n > 0);
}

#[test]
fn method_calls_agree_with_oso() {
    let n = agree("methods", include_str!("../policies/methods.polar"), false, |u, a, d| {
        compiled::methods::try_is_allowed(u, a, d)
    });
    assert!(n > 0);
}

#[test]
fn forall_and_print_agree_with_oso() {
    let n = agree("forall", include_str!("../policies/forall.polar"), true, |u, a, d| {
        compiled::forall::try_is_allowed(u, a, d)
    });
    assert!(n > 0);
}

/// `print` always succeeds (the generated worlds never reach the `print` clauses; this does).
#[test]
fn print_succeeds() {
    let u = compiled::User {
        name: "ann".into(),
        age: 3,
        score: 0.5,
        tags: vec![],
        prefs: HashMap::from([("a".into(), 1)]),
        nick: None,
    };
    let d = compiled::Doc {
        title: "t".into(),
        level: 424242,
        weight: f64::NAN,
        tags: vec!["a".into()],
        nums: vec![1, 2],
        dict: BTreeMap::new(),
        owner: Some("bo".into()),
        kind: "pdf",
    };
    let oso = oso_side::oso(include_str!("../policies/forall.polar"));
    for action in ["print", "print2"] {
        let (answer, allocations) = allocations_during(|| compiled::forall::try_is_allowed(&u, action, &d));
        assert_eq!(answer, Ok(true), "{action}");
        assert_eq!(allocations, 0, "{action}");
        assert!(oso.is_allowed(to_oso_user(&u), action, to_oso_doc(&d)).unwrap(), "{action}");
    }
}

type Enumerate = fn(&compiled::User, &compiled::Doc) -> Result<polar_runtime::Allowed, RuntimeError>;

/// `authorized_actions` of each policy against Oso's enumeration of `allow` with the action
/// unbound (an Oso panic on a `mod` overflow counts as its error).
#[test]
fn authorized_actions_agree_with_oso() {
    drt_support::silence_oso_mod_panics();
    let policies: [(&'static str, &str, Enumerate); 4] = [
        (
            "arith authorized_actions",
            include_str!("../policies/arith.polar"),
            compiled::arith::try_authorized_action_names,
        ),
        (
            "lists authorized_actions",
            include_str!("../policies/lists.polar"),
            compiled::lists::try_authorized_action_names,
        ),
        (
            "methods authorized_actions",
            include_str!("../policies/methods.polar"),
            compiled::methods::try_authorized_action_names,
        ),
        (
            "forall authorized_actions",
            include_str!("../policies/forall.polar"),
            compiled::forall::try_authorized_action_names,
        ),
    ];
    for (name, policy, ours) in policies {
        let oso = oso_side::oso(policy);
        let tally = drt_support::Tally::new(name);
        proptest!(drt_support::config(300), |(users in prop::collection::vec(user(), 1..3), docs in prop::collection::vec(doc(), 1..3))| {
            tally.world();
            for u in &users {
                for d in &docs {
                    let theirs = catch_unwind(AssertUnwindSafe(|| drt_support::oso_actions(&oso, to_oso_user(u), to_oso_doc(d))))
                        .unwrap_or_else(|_| Err("Oso panicked".into()));
                    let mine = drt_support::our_set(ours(u, d));
                    let what = || format!("authorized_actions({u:?}, {d:?})");
                    tally.enumeration(what, mine, theirs).map_err(TestCaseError::fail)?;
                }
            }
        });
        tally.report();
        assert!(tally.several() > 0, "{name}");
    }
}
