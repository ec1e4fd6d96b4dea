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
    allow(u: Watcher, "explicit", _: Watcher) if not (r in u.watching and not r.id > 0);
"#;

mod forall_in_field {
    #[derive(polar_runtime::PolarClass, Clone, Debug)]
    pub struct Item {
        pub id: i64,
    }

    #[derive(polar_runtime::PolarClass, Clone, Debug)]
    pub struct Watcher {
        pub watching: Vec<Item>,
        pub scores: Vec<f64>,
    }

    polar_runtime::polar!(
        source = r#"
        allow(u: Watcher, "instances", _: Watcher) if forall(r in u.watching, r.id > 0);
        allow(u: Watcher, "floats", _: Watcher) if forall(x in u.scores, x > 0);
        allow(u: Watcher, "explicit", _: Watcher) if not (r in u.watching and not r.id > 0);
    "#
    );

    pub mod oso_side {
        #[derive(oso::PolarClass, Clone, Debug)]
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
        }
    }
}

fn forall_in_field_answers(
    watching: &[i64],
    scores: &[f64],
) -> [(Result<bool, String>, Result<bool, String>); 3] {
    use forall_in_field::{Item, Watcher, oso_side};
    use oso::PolarClass;
    let mut oso = oso::Oso::new();
    oso.register_class(oso_side::Item::get_polar_class()).unwrap();
    oso.register_class(oso_side::Watcher::get_polar_class()).unwrap();
    oso.load_str(FORALL_IN_FIELD).unwrap();
    let ours =
        Watcher { watching: watching.iter().map(|&id| Item { id }).collect(), scores: scores.to_vec() };
    let theirs = oso_side::Watcher {
        watching: watching.iter().map(|&id| oso_side::Item { id }).collect(),
        scores: scores.to_vec(),
    };
    ["instances", "floats", "explicit"].map(|action| {
        let mine = forall_in_field::try_is_allowed(&ours, action, &ours).map_err(|e| e.to_string());
        let oso = oso.is_allowed(theirs.clone(), action, theirs.clone()).map_err(|e| e.to_string());
        (mine, oso)
    })
}

/// What Oso does with `forall(x in a.field, body)`: its rewriter turns the condition into
/// `x in _value and a.field = _value`, so `x in _value` becomes a constraint, re-checked once
/// `_value` is bound by unifying `x` with every element. So (1) on a list of two instances or
/// more of a class registered without an equality check, `forall` is an error ("Unsupported
/// operation equals for type Item."); (2) an element that does not unify with itself (NaN) is
/// skipped, so `forall(x in [NaN], x > 0)` holds. The same test written with `not` (as the
/// reference describes `forall`) has neither effect.
///
/// The compiled policy has neither effect either: it answers `true` on (1) where Oso denies,
/// and `false` on (2) where Oso allows. Ignored until the compiler reproduces or refuses
/// these forms; `mixed.polar` compares instances with an equality check, where Oso's
/// comparisons do not change the answer.
#[test]
#[ignore = "compiled `forall(x in a.field, ..)` differs from Oso: see the comment"]
fn forall_over_a_field_compares_its_elements_like_oso() {
    for (watching, scores) in [(&[1, 2][..], &[f64::NAN, 1.0][..]), (&[1, 1][..], &[f64::NAN][..])] {
        for (action, (mine, theirs)) in
            ["instances", "floats", "explicit"].iter().zip(forall_in_field_answers(watching, scores))
        {
            assert_eq!(mine.unwrap_or(false), theirs.unwrap_or(false), "{action} on {watching:?} {scores:?}");
        }
    }
}

/// Pins Oso's behaviour and ours on the cases of the ignored test above, so that a change on
/// either side shows.
#[test]
fn forall_over_a_field_today() {
    let [instances, floats, explicit] = forall_in_field_answers(&[1, 2], &[f64::NAN, 1.0]);
    assert_eq!(instances.0, Ok(true));
    assert!(instances.1.is_err_and(|e| e.contains("Unsupported operation equals for type Item")));
    assert_eq!(floats, (Ok(false), Ok(true)));
    assert_eq!(explicit, (Ok(true), Ok(true)));
    // One instance: nothing to compare.
    let [instances, floats, _] = forall_in_field_answers(&[1], &[2.0]);
    assert_eq!(instances, (Ok(true), Ok(true)));
    assert_eq!(floats, (Ok(true), Ok(true)));
}
