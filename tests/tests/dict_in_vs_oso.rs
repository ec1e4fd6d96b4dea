//! Differential test of `tests/policies/dict_in.polar`: `[key, value] in map` over `HashMap`
//! and `BTreeMap` fields with `String` keys and integer, string, float, list and instance
//! values, over collections of lists (`Vec<Vec<_>>`: only two-element lists match), and over
//! dictionary literals; keys and values unbound, bound, literals and nested patterns; under
//! `not` and `forall`, before a `cut`, in a recursive rule (ground and binding); actions bound
//! from a map's keys. Compared strictly with Oso 0.27.3 on generated worlds.
//!
//! **Order.** Oso iterates a dictionary in key order (its `Dictionary` is a `BTreeMap`); a
//! `HashMap` iterates in its own order. The set of solutions is the same, so the order can
//! change an answer only where the first solution is taken while another entry would raise
//! an error (Oso answers with whichever comes first in key order: `overflow` below, with
//! `i64::MAX` values), or where a `cut` commits to the first entry (`cut`, `dict_first`).
//! There the compiled `in` walks a `HashMap` in key order too (`Pairs::pairs_in_key_order`,
//! chosen when the rest of the conjunction can raise an error or leaves a call's block);
//! elsewhere it takes the map's own order, which no answer can observe (a `not` or `forall`
//! around an erroring goal runs it to completion, as Oso's does, and `authorized_actions`
//! is a set).

mod drt_support;

use std::collections::{BTreeMap, HashMap};

use drt_support::{Tally, config};
use polar_tests::alloc_count::allocations_during;
use proptest::prelude::*;

#[global_allocator]
static GLOBAL: polar_tests::alloc_count::Counting = polar_tests::alloc_count::Counting;

const POLICY: &str = include_str!("../policies/dict_in.polar");
const ACTIONS: [&str; 31] = [
    "score",
    "named",
    "level",
    "literal",
    "label",
    "team",
    "team_eq",
    "not",
    "forall",
    "forall_nan",
    "forall_bound",
    "forall_members",
    "not_forall",
    "pairs",
    "forall_pairs",
    "forall_fpairs",
    "forall_single",
    "nested",
    "grade",
    "overflow",
    "not_overflow",
    "cut",
    "reach",
    "reach_from",
    "dict_literal",
    "dict_pair",
    "dict_first",
    "read",
    "write",
    "admin",
    "owner",
];

mod compiled {
    use super::*;
    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub level: i64,
        pub tags: Vec<String>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Team {
        pub name: String,
        pub size: i64,
    }

    /// No `PartialEq`: Oso's class has no equality check either.
    #[derive(PolarClass, Clone, Debug)]
    pub struct Member {
        pub age: i64,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Bag {
        pub scores: HashMap<String, i64>,
        pub labels: BTreeMap<String, String>,
        pub teams: HashMap<String, Team>,
        pub lead: Team,
        pub floats: BTreeMap<String, f64>,
        pub members: BTreeMap<String, Member>,
        pub pairs: Vec<Vec<String>>,
        pub fpairs: Vec<Vec<f64>>,
        pub nested: HashMap<String, Vec<i64>>,
        pub grades: BTreeMap<String, HashMap<String, i64>>,
        pub big: HashMap<String, i64>,
        pub links: HashMap<String, String>,
        pub roles: Vec<String>,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/dict_in.polar");
    }
}

use compiled::{Bag, Member, Team, User};

to_rust_struct!(
    User { name, level, tags }
    Team { name, size }
    Member { age }
    Bag { scores, labels, teams, lead, floats, members, pairs, fpairs, nested, grades, big, links, roles }
    World { users, bags }
);

mod oso_side {
    use super::*;
    use oso::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub level: i64,
        #[polar(attribute)]
        pub tags: Vec<String>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Team {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub size: i64,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Member {
        #[polar(attribute)]
        pub age: i64,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Bag {
        #[polar(attribute)]
        pub scores: HashMap<String, i64>,
        #[polar(attribute)]
        pub labels: BTreeMap<String, String>,
        #[polar(attribute)]
        pub teams: HashMap<String, Team>,
        #[polar(attribute)]
        pub lead: Team,
        #[polar(attribute)]
        pub floats: BTreeMap<String, f64>,
        #[polar(attribute)]
        pub members: BTreeMap<String, Member>,
        #[polar(attribute)]
        pub pairs: Vec<Vec<String>>,
        #[polar(attribute)]
        pub fpairs: Vec<Vec<f64>>,
        #[polar(attribute)]
        pub nested: HashMap<String, Vec<i64>>,
        #[polar(attribute)]
        pub grades: BTreeMap<String, HashMap<String, i64>>,
        #[polar(attribute)]
        pub big: HashMap<String, i64>,
        #[polar(attribute)]
        pub links: HashMap<String, String>,
        #[polar(attribute)]
        pub roles: Vec<String>,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(User::get_polar_class()).unwrap();
        oso.register_class(Team::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Member::get_polar_class()).unwrap();
        oso.register_class(Bag::get_polar_class()).unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }

    fn team(t: &super::Team) -> Team {
        Team { name: t.name.clone(), size: t.size }
    }

    impl From<&super::User> for User {
        fn from(u: &super::User) -> Self {
            User { name: u.name.clone(), level: u.level, tags: u.tags.clone() }
        }
    }

    impl From<&super::Bag> for Bag {
        fn from(b: &super::Bag) -> Self {
            Bag {
                scores: b.scores.clone(),
                labels: b.labels.clone(),
                teams: b.teams.iter().map(|(k, t)| (k.clone(), team(t))).collect(),
                lead: team(&b.lead),
                floats: b.floats.clone(),
                members: b.members.iter().map(|(k, m)| (k.clone(), Member { age: m.age })).collect(),
                pairs: b.pairs.clone(),
                fpairs: b.fpairs.clone(),
                nested: b.nested.clone(),
                grades: b.grades.clone(),
                big: b.big.clone(),
                links: b.links.clone(),
                roles: b.roles.clone(),
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct World {
    pub users: Vec<User>,
    pub bags: Vec<Bag>,
}

fn pick(choices: &[&'static str]) -> impl Strategy<Value = String> + use<> {
    prop::sample::select(choices.to_vec()).prop_map(str::to_owned)
}

fn name() -> impl Strategy<Value = String> {
    pick(&["ann", "bo", "a", "", "z"])
}

fn num() -> impl Strategy<Value = i64> {
    -1i64..=3
}

fn float() -> impl Strategy<Value = f64> {
    prop::sample::select(vec![0.5, -1.0, 2.0, f64::NAN])
}

fn user() -> impl Strategy<Value = User> {
    let tags = prop::collection::vec(pick(&["ann", "bo", "owner", "a", "z", "read"]), 0..=3);
    (name(), num(), tags).prop_map(|(name, level, tags)| User { name, level, tags })
}

fn team() -> impl Strategy<Value = Team> {
    (pick(&["t", "u"]), 0i64..=2).prop_map(|(name, size)| Team { name, size })
}

/// Links between nodes in a fixed order, always to a later node: an acyclic graph.
fn links() -> impl Strategy<Value = HashMap<String, String>> {
    const NODES: [&str; 5] = ["a", "ann", "bo", "m", "z"];
    prop::collection::vec(prop::option::of(1usize..=4), NODES.len() - 1).prop_map(|offsets| {
        offsets
            .iter()
            .enumerate()
            .filter_map(|(i, off)| Some((NODES[i].to_owned(), NODES.get(i + (*off)?)?.to_string())))
            .collect()
    })
}

fn bag() -> impl Strategy<Value = Bag> {
    let maps = (
        prop::collection::hash_map(pick(&["ann", "bo", "x"]), num(), 0..=3),
        prop::collection::btree_map(
            pick(&["owner", "read", "ann", "x"]),
            prop_oneof![name(), pick(&["owner"])],
            0..=3,
        ),
        prop::collection::hash_map(pick(&["ann", "bo"]), team(), 0..=2),
        team(),
        prop::collection::btree_map(pick(&["a", "b", "c"]), float(), 0..=3),
        prop::collection::btree_map(pick(&["a", "b"]), num().prop_map(|age| Member { age }), 0..=2),
    );
    let lists = (
        prop::collection::vec(prop::collection::vec(name(), 0..=3), 0..=3),
        prop::collection::vec(prop::collection::vec(float(), 0..=3), 0..=3),
        prop::collection::hash_map(pick(&["ann", "bo", "a"]), prop::collection::vec(num(), 0..=3), 0..=2),
        prop::collection::btree_map(
            pick(&["ann", "owner", "z"]),
            prop::collection::hash_map(pick(&["level", "rank"]), num(), 0..=2),
            0..=2,
        ),
        prop::collection::hash_map(
            pick(&["a", "b", "c", "d"]),
            // Rarely `i64::MAX`: its overflow makes the whole enumeration an error.
            prop_oneof![6 => prop::sample::select(vec![0i64, 1, -1]), 1 => Just(i64::MAX)],
            0..=3,
        ),
        links(),
        prop::collection::vec(pick(&["owner", "admin", "x"]), 0..=2),
    );
    (maps, lists).prop_map(
        |(
            (scores, labels, teams, lead, floats, members),
            (pairs, fpairs, nested, grades, big, links, roles),
        )| Bag {
            scores,
            labels,
            teams,
            lead,
            floats,
            members,
            pairs,
            fpairs,
            nested,
            grades,
            big,
            links,
            roles,
        },
    )
}

fn world() -> impl Strategy<Value = World> {
    (prop::collection::vec(user(), 1..=3), prop::collection::vec(bag(), 1..=2))
        .prop_map(|(users, bags)| World { users, bags })
}

#[test]
fn key_value_pairs_of_maps_agree_with_oso() {
    let oso = oso_side::oso();
    let tally = Tally::new("dict_in");
    proptest!(config(400), |(world in world())| {
        tally.world();
        let w = &world;
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.bags => oso_side::Bag);
    });
    tally.report();
    assert!(tally.several() > 0 && tally.errors() > 0);
}

/// Maps larger than the batch that `Pairs::pairs_in_key_order` sorts per pass over a
/// `HashMap` (16 entries), with users named after their keys: the first key in key order
/// (`cut`), the first erroring entry (`overflow`, `i64::MAX` values among small ones), and
/// the other rules on many entries. Also checks that the compiled checks allocate nothing.
#[test]
fn large_maps_are_walked_in_oso_key_order() {
    let oso = oso_side::oso();
    let tally = Tally::new("dict_in (large maps)");
    let key = || (0u32..300).prop_map(|i| format!("k{i}"));
    let value = || prop_oneof![12 => -1i64..=3, 1 => Just(i64::MAX)];
    let large_bag = (
        prop::collection::hash_map(key(), num(), 17..=70),
        prop::collection::hash_map(key(), value(), 17..=70),
        prop::collection::btree_map(key(), prop_oneof![key(), name()], 17..=40),
        bag(),
    )
        .prop_map(|(scores, big, labels, small)| Bag { scores, big, labels, ..small });
    let world = large_bag.prop_flat_map(|bag| {
        // Users named after keys of the maps, the smallest one included.
        let mut keys: Vec<String> = bag.scores.keys().chain(bag.big.keys()).cloned().collect();
        keys.sort();
        let first = keys[0].clone();
        let user = (prop::sample::select(keys), num(), prop::collection::vec(key(), 0..=3))
            .prop_map(|(name, level, tags)| User { name, level, tags });
        (Just(first), prop::collection::vec(user, 1..=3), Just(bag)).prop_map(|(first, mut users, bag)| {
            users[0].name = first;
            World { users, bags: vec![bag] }
        })
    });
    let checks = std::cell::Cell::new(0usize);
    proptest!(config(60), |(world in world)| {
        tally.world();
        let w = &world;
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.bags => oso_side::Bag);
        for u in &w.users {
            for b in &w.bags {
                for action in ACTIONS {
                    let (_, n) = allocations_during(|| compiled::authz::try_is_allowed(u, action, b));
                    prop_assert_eq!(n, 0, "is_allowed({:?}) allocated", action);
                    checks.set(checks.get() + 1);
                }
            }
        }
    });
    tally.report();
    assert!(checks.get() > 0);
}

fn empty_bag() -> Bag {
    Bag {
        scores: HashMap::new(),
        labels: BTreeMap::new(),
        teams: HashMap::new(),
        lead: Team { name: "t".into(), size: 0 },
        floats: BTreeMap::new(),
        members: BTreeMap::new(),
        pairs: vec![],
        fpairs: vec![],
        nested: HashMap::new(),
        grades: BTreeMap::new(),
        big: HashMap::new(),
        links: HashMap::new(),
        roles: vec![],
    }
}

/// Pinned answers of Oso 0.27.3, on which the compiled policy must agree: `forall` over a
/// field skips the entries and elements that do not unify with themselves (NaN), over a bound
/// map it does not; the first entry in key order decides between an error and `true`; `cut`
/// keeps the first key.
#[test]
fn oso_key_order_and_forall_quirks() {
    let oso = oso_side::oso();
    let user = User { name: "a".into(), level: 1, tags: vec![] };
    let nan = |bag: &mut Bag| {
        bag.floats = BTreeMap::from([("a".into(), f64::NAN), ("b".into(), 1.0)]);
        bag.fpairs = vec![vec![f64::NAN], vec![f64::NAN, 1.0], vec![0.5, 2.0]];
    };
    let mut keys = empty_bag();
    // "a" errors (overflow) and comes first in key order; "b" would succeed.
    keys.big = (0..40).map(|i| (format!("b{i}"), 1)).chain([("a".to_owned(), i64::MAX)]).collect();
    keys.scores = (0..40).map(|i| (format!("k{i:02}"), i)).chain([("a".to_owned(), 7)]).collect();
    let mut nans = empty_bag();
    nan(&mut nans);
    let cases: [(&str, &Bag, Result<bool, ()>); 7] = [
        ("forall_nan", &nans, Ok(true)),
        ("forall_bound", &nans, Ok(false)),
        ("forall_single", &nans, Ok(true)),
        ("forall_fpairs", &nans, Ok(true)),
        ("overflow", &keys, Err(())),
        ("not_overflow", &keys, Err(())),
        ("cut", &keys, Ok(true)),
    ];
    for (action, bag, expected) in cases {
        let theirs =
            oso.is_allowed(oso_side::User::from(&user), action, oso_side::Bag::from(bag)).map_err(|_| ());
        let ours = compiled::authz::try_is_allowed(&user, action, bag).map_err(|_| ());
        assert_eq!(theirs, expected, "Oso on {action}");
        assert_eq!(ours, expected, "compiled on {action}");
    }
}
