//! Differential test of `tests/policies/mixed.polar`: resource blocks mixed with instance and
//! dictionary patterns, `not` over a recursive role call, `cut` in a rule that binds its
//! output, `forall` over permission checks, a list pattern with a rest, arithmetic and a
//! wildcard clause. Compared strictly with Oso 0.27.3 on generated worlds, `is_allowed` and
//! `authorized_actions` (wildcards included).

mod drt_support;

use drt_support::{Tally, config};
use proptest::prelude::*;
use proptest::sample::Index;

const POLICY: &str = include_str!("../policies/mixed.polar");
const ACTIONS: [&str; 10] =
    ["read", "push", "merge", "label", "comment", "digest", "first", "invite", "member", "fly"];

mod compiled {
    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct Grant {
        pub kind: String,
        pub id: i64,
        pub role: String,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Org {
        pub id: i64,
        pub name: String,
    }

    /// `PartialEq` (and an equality check on Oso's side): Oso compares the repositories of
    /// `forall(r in user.watching, ..)` with each other (see the regressions at the end).
    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Repo {
        pub id: i64,
        pub org: Org,
        pub archived: bool,
        pub locked: bool,
        pub labelers: Vec<String>,
        pub maintainers: Vec<String>,
        pub threshold: i64,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub admin: bool,
        pub banned: bool,
        pub karma: i64,
        pub grants: Vec<Grant>,
        pub watching: Vec<Repo>,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/mixed.polar");
    }
}

use compiled::{Grant, Org, Repo, User};

to_rust_struct!(
    Grant { kind, id, role }
    Org { id, name }
    Repo { id, org, archived, locked, labelers, maintainers, threshold }
    User { name, admin, banned, karma, grants, watching }
    World { users, orgs, repos }
);

mod oso_side {
    use oso::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct Grant {
        #[polar(attribute)]
        pub kind: String,
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub role: String,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Org {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub name: String,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Repo {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub org: Org,
        #[polar(attribute)]
        pub archived: bool,
        #[polar(attribute)]
        pub locked: bool,
        #[polar(attribute)]
        pub labelers: Vec<String>,
        #[polar(attribute)]
        pub maintainers: Vec<String>,
        #[polar(attribute)]
        pub threshold: i64,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub admin: bool,
        #[polar(attribute)]
        pub banned: bool,
        #[polar(attribute)]
        pub karma: i64,
        #[polar(attribute)]
        pub grants: Vec<Grant>,
        #[polar(attribute)]
        pub watching: Vec<Repo>,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(Grant::get_polar_class()).unwrap();
        oso.register_class(Org::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(Repo::get_polar_class_builder().with_equality_check().build()).unwrap();
        oso.register_class(User::get_polar_class()).unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }

    impl From<&super::Org> for Org {
        fn from(o: &super::Org) -> Self {
            Org { id: o.id, name: o.name.clone() }
        }
    }
    impl From<&super::Repo> for Repo {
        fn from(r: &super::Repo) -> Self {
            Repo {
                id: r.id,
                org: (&r.org).into(),
                archived: r.archived,
                locked: r.locked,
                labelers: r.labelers.clone(),
                maintainers: r.maintainers.clone(),
                threshold: r.threshold,
            }
        }
    }
    impl From<&super::User> for User {
        fn from(u: &super::User) -> Self {
            User {
                name: u.name.clone(),
                admin: u.admin,
                banned: u.banned,
                karma: u.karma,
                grants: u
                    .grants
                    .iter()
                    .map(|g| Grant { kind: g.kind.clone(), id: g.id, role: g.role.clone() })
                    .collect(),
                watching: u.watching.iter().map(Into::into).collect(),
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct World {
    pub users: Vec<User>,
    pub orgs: Vec<Org>,
    pub repos: Vec<Repo>,
}

fn strings(choices: Vec<&'static str>, max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(choices).prop_map(str::to_owned), 0..=max)
}

fn world() -> impl Strategy<Value = World> {
    let grant = (
        prop::sample::select(vec!["repo", "org", "Repo"]),
        1i64..=3,
        prop::sample::select(vec!["reader", "writer", "maintainer", "member", "owner"]),
    )
        .prop_map(|(kind, id, role)| Grant { kind: kind.into(), id, role: role.into() });
    let users = prop::collection::vec(
        (
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.15),
            prop_oneof![-5i64..=15, Just(i64::MIN)],
            prop::collection::vec(grant, 0..=3),
            prop::collection::vec(any::<Index>(), 0..=2),
        ),
        1..=3,
    );
    let orgs = 1usize..=2;
    let repos = prop::collection::vec(
        (
            any::<Index>(),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.5),
            strings(vec!["maintainer", "writer", "none", "reader"], 2),
            strings(vec!["ann", "bo", "cy"], 3),
            prop_oneof![0i64..=5, Just(i64::MAX)],
        ),
        1..=3,
    );
    (users, orgs, repos).prop_map(|(users, n_orgs, repos)| {
        let orgs: Vec<Org> = (1..=n_orgs as i64).map(|id| Org { id, name: format!("org{id}") }).collect();
        let repos: Vec<Repo> = repos
            .into_iter()
            .zip(1..)
            .map(|((org, archived, locked, labelers, maintainers, threshold), id)| Repo {
                id,
                org: org.get(&orgs).clone(),
                archived,
                locked,
                labelers,
                maintainers,
                threshold,
            })
            .collect();
        let users = users
            .into_iter()
            .zip(["ann", "bo", "cy"])
            .map(|((admin, banned, karma, grants, watching), name)| User {
                name: name.into(),
                admin,
                banned,
                karma,
                grants,
                watching: watching.iter().map(|i| i.get(&repos).clone()).collect(),
            })
            .collect();
        World { users, orgs, repos }
    })
}

#[test]
fn mixed_constructs_agree_with_oso() {
    let oso = oso_side::oso();
    let tally = Tally::new("mixed");
    proptest!(config(150), |(world in world())| {
        tally.world();
        let w = &world;
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.orgs => oso_side::Org);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.repos => oso_side::Repo);
    });
    tally.report();
    assert!(tally.several() > 0 && tally.wildcards() > 0 && tally.errors() > 0);
}

// ---- regressions found by this test

/// The policy of the regressions below: `forall` whose condition is `in` over a field.
const FORALL_IN_FIELD: &str = r#"
    allow(u: Watcher, "instances", _: Watcher) if forall(r in u.watching, r.id > 0);
    allow(u: Watcher, "floats", _: Watcher) if forall(x in u.scores, x > 0);
    allow(u: Watcher, "nested", _: Watcher) if forall(xs in u.nested, x in xs and x > 0);
    allow(u: Watcher, "explicit", _: Watcher) if not (x in u.scores and not x > 0);
    allow(u: Watcher, "bound_first", _: Watcher) if xs = u.scores and forall(x in xs, x > 0);
"#;
const FORALL_ACTIONS: [&str; 5] = ["instances", "floats", "nested", "explicit", "bound_first"];

mod forall_in_field {
    #[derive(polar_runtime::PolarClass, Clone, Debug, PartialEq)]
    pub struct Item {
        pub id: i64,
    }

    #[derive(polar_runtime::PolarClass, Clone, Debug)]
    pub struct Watcher {
        pub watching: Vec<Item>,
        pub scores: Vec<f64>,
        pub nested: Vec<Vec<f64>>,
    }

    polar_runtime::polar!(
        source = r#"
        allow(u: Watcher, "instances", _: Watcher) if forall(r in u.watching, r.id > 0);
        allow(u: Watcher, "floats", _: Watcher) if forall(x in u.scores, x > 0);
        allow(u: Watcher, "nested", _: Watcher) if forall(xs in u.nested, x in xs and x > 0);
        allow(u: Watcher, "explicit", _: Watcher) if not (x in u.scores and not x > 0);
        allow(u: Watcher, "bound_first", _: Watcher) if xs = u.scores and forall(x in xs, x > 0);
    "#
    );

    pub mod oso_side {
        #[derive(oso::PolarClass, Clone, Debug, PartialEq)]
        pub struct Item {
            #[polar(attribute)]
            pub id: i64,
        }

        #[derive(oso::PolarClass, Clone, Debug)]
        pub struct Watcher {
            #[polar(attribute)]
            pub watching: Vec<Item>,
            #[polar(attribute)]
            pub scores: Vec<f64>,
            #[polar(attribute)]
            pub nested: Vec<Vec<f64>>,
        }
    }
}

fn forall_oso(equality: bool) -> oso::Oso {
    use forall_in_field::oso_side::{Item, Watcher};
    use oso::PolarClass;
    let mut oso = oso::Oso::new();
    let item = if equality {
        Item::get_polar_class_builder().with_equality_check().build()
    } else {
        Item::get_polar_class()
    };
    oso.register_class(item).unwrap();
    oso.register_class(Watcher::get_polar_class()).unwrap();
    oso.load_str(FORALL_IN_FIELD).unwrap();
    oso
}

fn oso_watcher(w: &forall_in_field::Watcher) -> forall_in_field::oso_side::Watcher {
    forall_in_field::oso_side::Watcher {
        watching: w.watching.iter().map(|i| forall_in_field::oso_side::Item { id: i.id }).collect(),
        scores: w.scores.clone(),
        nested: w.nested.clone(),
    }
}

/// What Oso does with `forall(x in a.field, body)`: its rewriter turns the condition into
/// `x in _value and a.field = _value`, and the constraint `x in _value` then unifies each
/// element with every element of the list. So an element that does not unify with itself
/// (NaN, or a list holding NaN) is skipped: `forall(x in [NaN], x > 0)` holds, where
/// `not (x in [NaN] and not x > 0)` does not; and on two instances or more of a class
/// registered without an equality check `forall` is an error ("Unsupported operation equals
/// for type Item."). The compiled policy used to answer `false` on the first and `true` on
/// the second; it now skips such elements (`support::ForallMember`), and refuses at build
/// time elements it cannot compare like Oso (classes without `PartialEq`, options, maps; see
/// `ui/forall_member.rs`).
#[test]
fn forall_over_a_field_compares_its_elements_like_oso() {
    use forall_in_field::{Item, Watcher};
    let oso = forall_oso(true);
    let nan = f64::NAN;
    let cases = [
        (vec![1, 2], vec![nan, 1.0], vec![vec![nan], vec![1.0]]),
        (vec![1, 1], vec![nan], vec![vec![1.0, nan]]),
        (vec![2, 0, 2], vec![1.0, nan, -1.0], vec![vec![], vec![-1.0]]),
        (vec![], vec![nan, nan, 2.0], vec![vec![nan, -1.0]]),
    ];
    let mut allowed = 0;
    for (ids, scores, nested) in cases {
        let w = Watcher { watching: ids.into_iter().map(|id| Item { id }).collect(), scores, nested };
        for action in FORALL_ACTIONS {
            let mine = forall_in_field::try_is_allowed(&w, action, &w).map_err(|e| e.to_string());
            let theirs = oso.is_allowed(oso_watcher(&w), action, oso_watcher(&w)).map_err(|e| e.to_string());
            assert_eq!(mine, theirs, "{action} on {w:?}");
            allowed += usize::from(theirs == Ok(true));
        }
    }
    assert!(allowed > 0);
}

/// Oso without an equality check on `Item`: an error on two instances or more.
#[test]
fn oso_errors_on_forall_over_instances_without_equality() {
    let oso = forall_oso(false);
    let watcher = |ids: &[i64]| forall_in_field::Watcher {
        watching: ids.iter().map(|&id| forall_in_field::Item { id }).collect(),
        scores: vec![],
        nested: vec![],
    };
    for (ids, expected) in
        [(&[1, 2][..], None), (&[1, 1][..], None), (&[1][..], Some(true)), (&[0][..], Some(false))]
    {
        let w = oso_watcher(&watcher(ids));
        let answer = oso.is_allowed(w.clone(), "instances", w);
        match expected {
            Some(b) => assert_eq!(answer.unwrap(), b, "{ids:?}"),
            None => assert!(
                answer.unwrap_err().to_string().contains("Unsupported operation equals for type Item")
            ),
        }
    }
}
