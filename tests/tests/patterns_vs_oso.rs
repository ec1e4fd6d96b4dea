//! Differential test of rule selection: built-in specializers, instance, dictionary and list
//! patterns (`tests/policies/specializers.polar`, `patterns.polar`), Oso's most-specific-first
//! clause order and `cut` (`cut.polar`). Each policy is compiled with `polar!` and loaded
//! into Oso 0.27.3; on generated worlds every `allow(user, action, doc)` must give the same
//! answer, errors included (`Ok(true)`, `Ok(false)` or an error on both sides), and so must
//! `kind(value, label)` on values of every Rust type Oso's host converts (integers of two
//! widths, floats, booleans, strings, lists, two kinds of maps, options, instances).
//!
//! The compiled checks allocate nothing: a counting global allocator (per thread) runs
//! around each of them.
//!
//! `POLAR_DRT_CASES` sets the number of worlds (default 300).

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

mod drt_support;

const SPECIALIZERS: &str = include_str!("../policies/specializers.polar");
const CUT: &str = include_str!("../policies/cut.polar");
const PATTERNS: &str = include_str!("../policies/patterns.polar");

const ACTIONS: [&str; 25] = [
    "read",
    "edit",
    "audit",
    "meta",
    "classified",
    "tag",
    "score",
    "org",
    "manager",
    "dict",
    "list",
    "nested",
    "level",
    "after",
    "ground",
    "err",
    "peer",
    "first",
    "second",
    "pair",
    "rest",
    "member",
    "starts",
    "short",
    "tagged",
];
const MORE_ACTIONS: [&str; 7] = ["same", "size", "titled", "author", "again", "fly", ""];

const LABELS: [&str; 30] = [
    "Integer",
    "Float",
    "Boolean",
    "String",
    "List",
    "Dictionary",
    "Option",
    "User",
    "matches Integer",
    "matches Float",
    "matches Boolean",
    "matches List",
    "matches Dictionary",
    "matches Option",
    "matches User",
    "big",
    "positive",
    "true",
    "late",
    "a is 1",
    "a is b",
    "starts with 1",
    "admin",
    "literal 1.0",
    "literal true",
    "literal a",
    "named ann",
    "a 1, b set",
    "unknown",
    "",
];

mod compiled {
    use std::collections::{BTreeMap, HashMap};

    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub admin: bool,
        pub level: i64,
        pub tags: Vec<String>,
        pub attrs: HashMap<String, i64>,
        pub manager: Option<String>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Org {
        pub name: String,
        pub public: bool,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Doc {
        pub title: String,
        pub owner: String,
        pub public: bool,
        pub locked: bool,
        pub level: i64,
        pub score: f64,
        pub tags: Vec<String>,
        pub meta: BTreeMap<String, String>,
        pub org: Org,
        pub author: User,
    }

    pub mod specializers {
        use super::*;
        polar_runtime::polar!(file = "policies/specializers.polar");
    }

    pub mod cut {
        use super::*;
        polar_runtime::polar!(file = "policies/cut.polar");
    }

    pub mod patterns {
        use super::*;
        polar_runtime::polar!(file = "policies/patterns.polar");
    }
}

/// The Oso side: separate types under the same class names. No class has an equality check,
/// so that comparing two instances is an error in Oso as in the compiled policy.
mod oso_side {
    use std::collections::{BTreeMap, HashMap};

    #[derive(oso::PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub admin: bool,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub attrs: HashMap<String, i64>,
        #[polar(attribute)]
        pub manager: Option<String>,
    }

    #[derive(oso::PolarClass, Clone, Debug)]
    pub struct Org {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub public: bool,
    }

    #[derive(oso::PolarClass, Clone, Debug)]
    pub struct Doc {
        #[polar(attribute)]
        pub title: String,
        #[polar(attribute)]
        pub owner: String,
        #[polar(attribute)]
        pub public: bool,
        #[polar(attribute)]
        pub locked: bool,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub score: f64,
        #[polar(attribute)]
        pub tags: Vec<String>,
        #[polar(attribute)]
        pub meta: BTreeMap<String, String>,
        #[polar(attribute)]
        pub org: Org,
        #[polar(attribute)]
        pub author: User,
    }

    pub fn oso(policy: &str) -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(<User as oso::PolarClass>::get_polar_class()).unwrap();
        oso.register_class(<Org as oso::PolarClass>::get_polar_class()).unwrap();
        oso.register_class(<Doc as oso::PolarClass>::get_polar_class()).unwrap();
        oso.load_str(policy).unwrap();
        oso
    }

    pub fn user(u: &super::compiled::User) -> User {
        User {
            name: u.name.clone(),
            admin: u.admin,
            level: u.level,
            tags: u.tags.clone(),
            attrs: u.attrs.clone(),
            manager: u.manager.clone(),
        }
    }

    pub fn doc(d: &super::compiled::Doc) -> Doc {
        Doc {
            title: d.title.clone(),
            owner: d.owner.clone(),
            public: d.public,
            locked: d.locked,
            level: d.level,
            score: d.score,
            tags: d.tags.clone(),
            meta: d.meta.clone(),
            org: Org { name: d.org.name.clone(), public: d.org.public },
            author: user(&d.author),
        }
    }
}

#[global_allocator]
static GLOBAL: polar_tests::alloc_count::Counting = polar_tests::alloc_count::Counting;

/// Runs `f`, asserting that it allocates nothing.
fn no_alloc<T>(what: impl FnOnce() -> String, f: impl FnOnce() -> T) -> T {
    let (result, n) = polar_tests::alloc_count::allocations_during(f);
    assert_eq!(n, 0, "{n} allocations in {}", what());
    result
}

/// `Some(answer)`, or `None` for an error.
type Outcome = Option<bool>;

fn oso_outcome(result: Result<oso::Query, oso::OsoError>) -> Outcome {
    match result {
        Err(_) => None,
        Ok(mut query) => match query.next() {
            None => Some(false),
            Some(Ok(_)) => Some(true),
            Some(Err(_)) => None,
        },
    }
}

/// A value of one of the Rust types Oso's host converts.
#[derive(Clone, Debug)]
enum Value {
    Int(i64),
    Small(i32),
    Float(f64),
    Single(f32),
    Bool(bool),
    Str(String),
    Ints(Vec<i64>),
    Map(HashMap<String, i64>),
    Tree(BTreeMap<String, i64>),
    Opt(Option<i64>),
    User(compiled::User),
}

fn ours_kind(v: &Value, label: &str) -> Outcome {
    use compiled::specializers::rules;
    match v {
        Value::Int(x) => rules::kind(x, label),
        Value::Small(x) => rules::kind(x, label),
        Value::Float(x) => rules::kind(x, label),
        Value::Single(x) => rules::kind(x, label),
        Value::Bool(x) => rules::kind(x, label),
        Value::Str(x) => rules::kind(x, label),
        Value::Ints(x) => rules::kind(x, label),
        Value::Map(x) => rules::kind(x, label),
        Value::Tree(x) => rules::kind(x, label),
        Value::Opt(x) => rules::kind(x, label),
        Value::User(x) => rules::kind(x, label),
    }
    .ok()
}

fn oso_kind(oso: &oso::Oso, v: &Value, label: &str) -> Outcome {
    let label = label.to_owned();
    oso_outcome(match v.clone() {
        Value::Int(x) => oso.query_rule("kind", (x, label)),
        Value::Small(x) => oso.query_rule("kind", (x, label)),
        Value::Float(x) => oso.query_rule("kind", (x, label)),
        Value::Single(x) => oso.query_rule("kind", (x, label)),
        Value::Bool(x) => oso.query_rule("kind", (x, label)),
        Value::Str(x) => oso.query_rule("kind", (x, label)),
        Value::Ints(x) => oso.query_rule("kind", (x, label)),
        Value::Map(x) => oso.query_rule("kind", (x, label)),
        Value::Tree(x) => oso.query_rule("kind", (x, label)),
        Value::Opt(x) => oso.query_rule("kind", (x, label)),
        Value::User(x) => oso.query_rule("kind", (oso_side::user(&x), label)),
    })
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["ann", "bo", "acme", "secret", "boost", "", "zed"]).prop_map(str::to_owned)
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(), 0..4)
}

fn small_map() -> impl Strategy<Value = HashMap<String, i64>> {
    prop::collection::hash_map(
        prop::sample::select(vec!["a", "b", "clearance"]).prop_map(str::to_owned),
        0i64..4,
        0..3,
    )
}

fn user() -> impl Strategy<Value = compiled::User> {
    (name(), any::<bool>(), 0i64..5, tags(), small_map(), prop::option::of(name())).prop_map(
        |(name, admin, level, tags, attrs, manager)| compiled::User {
            name,
            admin,
            level,
            tags,
            attrs,
            manager,
        },
    )
}

fn doc() -> impl Strategy<Value = compiled::Doc> {
    let meta = prop::collection::btree_map(
        prop::sample::select(vec!["kind", "x"]).prop_map(str::to_owned),
        name(),
        0..3,
    );
    let score = prop_oneof![Just(0.0), Just(2.5), Just(-1.0), Just(f64::NAN), 0.0f64..6.0];
    let title = prop_oneof![name(), Just("true".to_owned())];
    (
        (title, name(), any::<bool>(), any::<bool>(), 0i64..4, score),
        (tags(), meta, (name(), any::<bool>()), user()),
    )
        .prop_map(
            |((title, owner, public, locked, level, score), (tags, meta, (org, org_public), author))| {
                compiled::Doc {
                    title,
                    owner,
                    public,
                    locked,
                    level,
                    score,
                    tags,
                    meta,
                    org: compiled::Org { name: org, public: org_public },
                    author,
                }
            },
        )
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop_oneof![Just(0i64), Just(1), Just(11), Just(-3), Just(i64::MAX)].prop_map(Value::Int),
        (-2i32..13).prop_map(Value::Small),
        prop_oneof![Just(0.0), Just(1.0), Just(-0.5), Just(2.5), Just(f64::NAN), Just(f64::INFINITY)]
            .prop_map(Value::Float),
        prop_oneof![Just(1.0f32), Just(-1.0f32)].prop_map(Value::Single),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![name(), Just("a".to_owned())].prop_map(Value::Str),
        prop::collection::vec(0i64..3, 0..3).prop_map(Value::Ints),
        small_map().prop_map(Value::Map),
        small_map().prop_map(|m| Value::Tree(m.into_iter().collect())),
        prop::option::of(0i64..3).prop_map(Value::Opt),
        user().prop_map(Value::User),
    ]
}

/// Counts per outcome (allowed, denied, errors), in all and per action.
#[derive(Default)]
struct Tally {
    answers: [Cell<usize>; 3],
    per_action: std::cell::RefCell<BTreeMap<String, [usize; 3]>>,
}

impl Tally {
    fn add(&self, action: &str, outcome: Outcome) {
        let i = match outcome {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        };
        self.answers[i].set(self.answers[i].get() + 1);
        self.per_action.borrow_mut().entry(action.to_owned()).or_default()[i] += 1;
    }
    fn total(&self) -> usize {
        self.answers.iter().map(Cell::get).sum()
    }
    fn report(&self, what: &str) -> [usize; 3] {
        let [t, f, e] = [0, 1, 2].map(|i| self.answers[i].get());
        eprintln!("{what}: {} queries agree with Oso ({t} true, {f} false, {e} errors)", t + f + e);
        [t, f, e]
    }
    /// The actions (labels) the policy names that got only one kind of answer.
    fn one_sided(&self, policy: &str) -> Vec<String> {
        let per_action = self.per_action.borrow();
        per_action
            .iter()
            .filter(|(action, counts)| {
                !action.is_empty()
                    && policy.contains(&format!("{action:?}"))
                    && counts.iter().filter(|&&c| c > 0).count() < 2
            })
            .map(|(action, counts)| format!("{action} {counts:?}"))
            .collect()
    }
}

type Check = fn(&compiled::User, &str, &compiled::Doc) -> Result<bool, polar_runtime::RuntimeError>;

#[test]
fn allow_agrees_with_oso() {
    let policies: [(&str, &str, Check); 3] = [
        ("specializers", SPECIALIZERS, |u, a, d| compiled::specializers::try_is_allowed(u, a, d)),
        ("cut", CUT, |u, a, d| compiled::cut::try_is_allowed(u, a, d)),
        ("patterns", PATTERNS, |u, a, d| compiled::patterns::try_is_allowed(u, a, d)),
    ];
    let osos: Vec<oso::Oso> = policies.iter().map(|(_, p, _)| oso_side::oso(p)).collect();
    let tallies: Vec<Tally> = policies.iter().map(|_| Tally::default()).collect();
    let config = drt_support::config(300);
    proptest!(config, |(users in prop::collection::vec(user(), 1..3), docs in prop::collection::vec(doc(), 1..3))| {
        for ((name, _, ours), (oso, tally)) in policies.iter().zip(osos.iter().zip(&tallies)) {
            for u in &users {
                for d in &docs {
                    for action in ACTIONS.iter().chain(&MORE_ACTIONS) {
                        let theirs = oso_outcome(oso.query_rule("allow", (oso_side::user(u), *action, oso_side::doc(d))));
                        let mine = no_alloc(|| format!("{name}: allow(.., {action:?}, ..)"), || ours(u, action, d).ok());
                        prop_assert_eq!(
                            mine, theirs,
                            "{}: allow({:?}, {:?}, {:?}): compiled {:?}, Oso {:?}", name, u, action, d, mine, theirs
                        );
                        tally.add(action, theirs);
                    }
                }
            }
        }
    });
    for ((name, policy, _), tally) in policies.iter().zip(&tallies) {
        tally.report(name);
        // Every action gets two kinds of answer, but `peer`, which is always an error.
        let one_sided: Vec<String> =
            tally.one_sided(policy).into_iter().filter(|a| !a.starts_with("peer")).collect();
        assert!(one_sided.is_empty(), "{name}: actions with one kind of answer: {one_sided:?}");
    }
    let errors = tallies[1].answers[2].get();
    assert!(errors > 0, "cut.polar: the error cases are exercised");
    let total: usize = tallies.iter().map(Tally::total).sum();
    eprintln!("allow: {total} queries in all");
}

#[test]
fn kind_agrees_with_oso() {
    let oso = oso_side::oso(SPECIALIZERS);
    let tally = Tally::default();

    let config = ProptestConfig { cases: drt_support::cases(300) * 4, ..drt_support::config(300) };
    proptest!(config, |(values in prop::collection::vec(value(), 1..4))| {
        for v in &values {
            for label in LABELS {
                let theirs = oso_kind(&oso, v, label);
                let mine = no_alloc(|| format!("kind({v:?}, {label:?})"), || ours_kind(v, label));
                prop_assert_eq!(mine, theirs, "kind({:?}, {:?}): compiled {:?}, Oso {:?}", v, label, mine, theirs);
                tally.add(label, theirs);
            }
        }
    });
    let [t, f, e] = tally.report("kind");

    assert!(t > 0 && f > 0 && e > 0, "the generated values exercise every outcome");
    let one_sided = tally.one_sided(SPECIALIZERS);
    assert!(one_sided.is_empty(), "labels with one kind of answer: {one_sided:?}");
}

type Enumerate =
    fn(&compiled::User, &compiled::Doc) -> Result<polar_runtime::Allowed, polar_runtime::RuntimeError>;

/// `authorized_actions` of each policy against Oso's enumeration of `allow` with the action
/// unbound: clause order, `cut` and errors decide which actions an enumeration sees.
#[test]
fn authorized_actions_agree_with_oso() {
    let policies: [(&'static str, &str, Enumerate); 3] = [
        (
            "specializers authorized_actions",
            SPECIALIZERS,
            compiled::specializers::try_authorized_action_names,
        ),
        ("cut authorized_actions", CUT, compiled::cut::try_authorized_action_names),
        ("patterns authorized_actions", PATTERNS, compiled::patterns::try_authorized_action_names),
    ];
    for (name, policy, ours) in policies {
        let oso = oso_side::oso(policy);
        let tally = drt_support::Tally::new(name);
        proptest!(drt_support::config(300), |(users in prop::collection::vec(user(), 1..3), docs in prop::collection::vec(doc(), 1..3))| {
            tally.world();
            for u in &users {
                for d in &docs {
                    let theirs = drt_support::oso_actions(&oso, oso_side::user(u), oso_side::doc(d));
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
