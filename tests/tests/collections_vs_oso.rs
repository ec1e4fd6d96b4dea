//! Differential test of `tests/policies/collections.polar`: `x in y` over every collection
//! type the runtime implements `Members` for (`Vec`, boxed slices, arrays, `VecDeque`,
//! `LinkedList`, `HashSet`, `BTreeSet`, `BinaryHeap`, `Option`, `String` characters,
//! `Rc<Vec<_>>` through `Bare`, nested vectors) and list literals; `HashMap` and `BTreeMap`
//! looked up and matched as dictionaries (`[k, v] in map` is `dict_in_vs_oso.rs`). Compared
//! strictly with Oso 0.27.3 on generated worlds.
//!
//! The Oso side holds each collection in the type its Rust host converts (arrays and boxed
//! slices as `Vec`, `Rc<Vec>` as `Vec`), cloned from the compiled side's so that hash-based
//! collections iterate in the same order.

mod drt_support;

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::rc::Rc;

use drt_support::{Strict, Tally, ToRust, config, failure, oso_actions, our_set};
use proptest::prelude::*;

const POLICY: &str = include_str!("../policies/collections.polar");
const ACTIONS: [&str; 23] = [
    "vec",
    "slice",
    "array",
    "deque",
    "hash_set",
    "btree_set",
    "hash_map",
    "btree_map",
    "option",
    "chars",
    "linked",
    "heap",
    "nested",
    "shared",
    "literal",
    "not_in",
    "forall",
    "key",
    "empty",
    "forall_floats",
    "forall_nested",
    "read",
    "fly",
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

    #[derive(PolarClass, Clone, Debug)]
    pub struct Bag {
        pub vec: Vec<String>,
        pub slice: Box<[i64]>,
        pub array: [i64; 3],
        pub deque: VecDeque<String>,
        pub hash_set: HashSet<String>,
        pub btree_set: BTreeSet<i64>,
        pub hash_map: HashMap<String, i64>,
        pub btree_map: BTreeMap<String, String>,
        pub maybe: Option<String>,
        pub text: String,
        pub linked: LinkedList<i64>,
        pub heap: BinaryHeap<i64>,
        pub nested: Vec<Vec<i64>>,
        pub shared: Rc<Vec<String>>,
        pub actions: BTreeSet<String>,
        pub floats: Vec<f64>,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/collections.polar");
    }
}

use compiled::{Bag, User};

impl<T: ToRust> ToRust for LinkedList<T> {
    fn to_rust(&self) -> String {
        format!("LinkedList::from([{}])", self.iter().map(ToRust::to_rust).collect::<Vec<_>>().join(", "))
    }
}

impl<T: ToRust> ToRust for BinaryHeap<T> {
    fn to_rust(&self) -> String {
        format!("BinaryHeap::from([{}])", self.iter().map(ToRust::to_rust).collect::<Vec<_>>().join(", "))
    }
}

to_rust_struct!(
    User { name, level, tags }
    Bag {
        vec, slice, array, deque, hash_set, btree_set, hash_map, btree_map, maybe, text, linked, heap, nested,
        shared, actions, floats
    }
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

    #[derive(PolarClass, Clone, Debug)]
    pub struct Bag {
        #[polar(attribute)]
        pub vec: Vec<String>,
        #[polar(attribute)]
        pub slice: Vec<i64>,
        #[polar(attribute)]
        pub array: Vec<i64>,
        #[polar(attribute)]
        pub deque: VecDeque<String>,
        #[polar(attribute)]
        pub hash_set: HashSet<String>,
        #[polar(attribute)]
        pub btree_set: BTreeSet<i64>,
        #[polar(attribute)]
        pub hash_map: HashMap<String, i64>,
        #[polar(attribute)]
        pub btree_map: BTreeMap<String, String>,
        #[polar(attribute)]
        pub maybe: Option<String>,
        #[polar(attribute)]
        pub text: String,
        #[polar(attribute)]
        pub linked: LinkedList<i64>,
        #[polar(attribute)]
        pub heap: BinaryHeap<i64>,
        #[polar(attribute)]
        pub nested: Vec<Vec<i64>>,
        #[polar(attribute)]
        pub shared: Vec<String>,
        #[polar(attribute)]
        pub actions: BTreeSet<String>,
        #[polar(attribute)]
        pub floats: Vec<f64>,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(User::get_polar_class()).unwrap();
        oso.register_class(Bag::get_polar_class()).unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }

    impl From<&super::User> for User {
        fn from(u: &super::User) -> Self {
            User { name: u.name.clone(), level: u.level, tags: u.tags.clone() }
        }
    }

    impl From<&super::Bag> for Bag {
        fn from(b: &super::Bag) -> Self {
            Bag {
                vec: b.vec.clone(),
                slice: b.slice.to_vec(),
                array: b.array.to_vec(),
                deque: b.deque.clone(),
                hash_set: b.hash_set.clone(),
                btree_set: b.btree_set.clone(),
                hash_map: b.hash_map.clone(),
                btree_map: b.btree_map.clone(),
                maybe: b.maybe.clone(),
                text: b.text.clone(),
                linked: b.linked.clone(),
                heap: b.heap.clone(),
                nested: b.nested.clone(),
                shared: b.shared.as_ref().clone(),
                actions: b.actions.clone(),
                floats: b.floats.clone(),
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct World {
    pub users: Vec<User>,
    pub bags: Vec<Bag>,
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["ann", "bo", "a", "", "b", "owner"]).prop_map(str::to_owned)
}

fn names(max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(), 0..=max)
}

fn num() -> impl Strategy<Value = i64> {
    -1i64..=3
}

fn nums(max: usize) -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(num(), 0..=max)
}

fn action() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["read", "vec", "fly", "write", ""]).prop_map(str::to_owned)
}

fn user() -> impl Strategy<Value = User> {
    let tags = prop::collection::vec(prop_oneof![name(), action()], 0..=3);
    (name(), num(), tags).prop_map(|(name, level, tags)| User { name, level, tags })
}

fn bag() -> impl Strategy<Value = Bag> {
    let maps = (
        prop::collection::hash_map(
            prop::sample::select(vec!["ann", "bo", "x"]).prop_map(str::to_owned),
            num(),
            0..=2,
        ),
        prop::collection::btree_map(
            prop::sample::select(vec!["owner", "next", "x"]).prop_map(str::to_owned),
            prop_oneof![name(), action()],
            0..=3,
        ),
    );
    let sets = (
        prop::collection::hash_set(name(), 0..=3),
        prop::collection::btree_set(num(), 0..=3),
        prop::collection::btree_set(action(), 0..=2),
    );
    let seqs = (
        names(2),
        nums(2),
        [num(), num(), num()],
        names(2),
        nums(2),
        nums(2),
        prop::collection::vec(nums(2), 0..=2),
    );
    let floats =
        prop::collection::vec(prop::sample::select(vec![0.5, -1.0, 2.0, f64::NAN, f64::INFINITY]), 0..=2);
    let rest = (prop::option::of(name()), prop::sample::select(vec!["", "ab", "ann", "b"]), names(2), floats);
    (seqs, sets, maps, rest).prop_map(
        |(
            (vec, slice, array, deque, linked, heap, nested),
            (hash_set, btree_set, actions),
            (hash_map, btree_map),
            (maybe, text, shared, floats),
        )| Bag {
            vec,
            slice: slice.into_boxed_slice(),
            array,
            deque: deque.into(),
            hash_set,
            btree_set,
            hash_map,
            btree_map,
            maybe,
            text: text.into(),
            linked: linked.into_iter().collect(),
            heap: heap.into(),
            nested,
            shared: Rc::new(shared),
            actions,
            floats,
        },
    )
}

#[test]
fn membership_in_every_collection_agrees_with_oso() {
    let oso = oso_side::oso();
    let tally = Tally::new("collections");
    proptest!(config(300), |(world in (prop::collection::vec(user(), 1..=3), prop::collection::vec(bag(), 1..=2)).prop_map(|(users, bags)| World { users, bags }))| {
        tally.world();
        for (i, u) in world.users.iter().enumerate() {
            let ou = oso_side::User::from(u);
            for (j, b) in world.bags.iter().enumerate() {
                let ob = oso_side::Bag::from(b);
                let theirs = oso_actions(&oso, ou.clone(), ob.clone());
                let mine = our_set(compiled::authz::try_authorized_action_names(u, b));
                let what = || format!("authorized_actions(user {i}, bag {j})");
                tally.enumeration(what, mine, theirs).map_err(|e| failure(e, &world))?;
                for action in ACTIONS {
                    let theirs = drt_support::theirs(oso.is_allowed(ou.clone(), action, ob.clone()));
                    let mine = drt_support::ours(compiled::authz::try_is_allowed(u, action, b));
                    let what = || format!("is_allowed(user {i}, {action:?}, bag {j})");
                    tally.action_query(action, what, mine, theirs, Strict::Errors).map_err(|e| failure(e, &world))?;
                }
            }
        }
    });
    tally.report();
    assert!(tally.several() > 0);
}
