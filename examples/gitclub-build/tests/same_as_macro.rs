//! The policy compiled by build.rs (`gitclub_build::authz`) answers exactly like the same
//! policy compiled by `polar!` (`gitclub::authz`): every public item, on every query of the
//! sample world and of generated worlds. Both are checked against Oso by
//! `tests/tests/gitclub_vs_oso.rs` through `gitclub::authz`.

use std::cell::Cell;

use gitclub::models::{Issue, Org, Repo, User};
use polar_runtime::Polar;
use proptest::prelude::*;
use proptest::sample::Index;

#[path = "../../../tests/support/gitclub_world.rs"]
mod gitclub_world;

/// Every permission of the policy, its role names, and actions it does not know.
const ACTIONS: [&str; 18] = [
    "read",
    "create_repos",
    "list_repos",
    "manage_members",
    "pull",
    "push",
    "create_issues",
    "list_issues",
    "delete",
    "comment",
    "close",
    "owner",
    "member",
    "reader",
    "writer",
    "admin",
    "fly",
    "",
];

/// The relation names of the policy, and one it does not know.
const RELATIONS: [&str; 3] = ["parent", "creator", "child"];

/// The answers of the rules, with `name` as the permission, role or relation: any types.
macro_rules! rule_answers {
    ($authz:path, $actor:expr, $name:expr, $resource:expr) => {{
        use $authz as authz;
        let (actor, name, resource) = ($actor, $name, $resource);
        format!(
            "allow {:?}, has_permission {:?}, has_role {:?}, has_relation {:?}",
            authz::rules::allow(actor, name, resource),
            authz::rules::has_permission(actor, name, resource),
            authz::rules::has_role(actor, name, resource),
            authz::rules::has_relation(actor, name, resource),
        )
    }};
}

/// The answers of the entry points, with `name` as the action: only for the (actor,
/// resource) pairs the policy's `allow` rules accept, the others being build errors.
macro_rules! entry_answers {
    ($authz:path, $actor:expr, $name:expr, $resource:expr) => {{
        use $authz as authz;
        let (actor, name, resource) = ($actor, $name, $resource);
        format!(
            "is_allowed {:?}, try_is_allowed {:?}, authorize {:?}",
            authz::is_allowed(actor, name, resource),
            authz::try_is_allowed(actor, name, resource),
            authz::authorize(actor, name, resource).map(|_| ()),
        )
    }};
}

/// Compares both builds' rules on one (actor, name, resource); counts the comparison.
fn compare<A: Polar, R: Polar>(
    actor: &A,
    name: &str,
    resource: &R,
    what: &dyn Fn() -> String,
    count: &Cell<usize>,
) -> Result<(), String> {
    let build_rs = rule_answers!(gitclub_build::authz, actor, name, resource);
    let macro_ = rule_answers!(gitclub::authz, actor, name, resource);
    count.set(count.get() + 1);
    if build_rs == macro_ {
        Ok(())
    } else {
        Err(format!("on {}:\n  build.rs: {build_rs}\n  polar!:   {macro_}", what()))
    }
}

/// [`compare`], plus the entry points. A generic caller of `is_allowed` states the pair
/// bound with each build's `PolarAllowed`.
fn compare_with_entry_points<R>(
    user: &User,
    name: &str,
    resource: &R,
    what: &dyn Fn() -> String,
    count: &Cell<usize>,
) -> Result<(), String>
where
    R: Polar,
    User: gitclub_build::authz::PolarAllowed<R> + gitclub::authz::PolarAllowed<R>,
{
    compare(user, name, resource, what, count)?;
    let build_rs = entry_answers!(gitclub_build::authz, user, name, resource);
    let macro_ = entry_answers!(gitclub::authz, user, name, resource);
    if build_rs == macro_ {
        Ok(())
    } else {
        Err(format!("on {}:\n  build.rs: {build_rs}\n  polar!:   {macro_}", what()))
    }
}

#[derive(Clone, Debug)]
struct World {
    users: Vec<User>,
    orgs: Vec<Org>,
    repos: Vec<Repo>,
    issues: Vec<Issue>,
}

/// Every user with every action on every resource, and every relation between resources
/// (and users) in either direction.
fn compare_world(world: &World, count: &Cell<usize>) -> Result<(), String> {
    for user in &world.users {
        for action in ACTIONS {
            for org in &world.orgs {
                compare_with_entry_points(
                    user,
                    action,
                    org,
                    &|| format!("{}, {action:?}, {org:?}", user.name),
                    count,
                )?;
            }
            for repo in &world.repos {
                compare_with_entry_points(
                    user,
                    action,
                    repo,
                    &|| format!("{}, {action:?}, {repo:?}", user.name),
                    count,
                )?;
            }
            for issue in &world.issues {
                compare_with_entry_points(
                    user,
                    action,
                    issue,
                    &|| format!("{}, {action:?}, {issue:?}", user.name),
                    count,
                )?;
            }
        }
        for relation in RELATIONS {
            for issue in &world.issues {
                compare_with_entry_points(
                    user,
                    relation,
                    issue,
                    &|| format!("{}, {relation:?}, {issue:?}", user.name),
                    count,
                )?;
            }
        }
    }
    for relation in RELATIONS {
        for repo in &world.repos {
            for org in &world.orgs {
                compare(org, relation, repo, &|| format!("{org:?}, {relation:?}, {repo:?}"), count)?;
                compare(repo, relation, org, &|| format!("{repo:?}, {relation:?}, {org:?}"), count)?;
            }
            for issue in &world.issues {
                compare(repo, relation, issue, &|| format!("{repo:?}, {relation:?}, {issue:?}"), count)?;
            }
        }
    }
    Ok(())
}

#[test]
fn sample_world() {
    let (sample, _) = gitclub::sample::sample();
    let world = World { users: sample.users, orgs: sample.orgs, repos: sample.repos, issues: sample.issues };
    let count = Cell::new(0);
    compare_world(&world, &count).unwrap_or_else(|e| panic!("build.rs and polar! disagree {e}"));
    eprintln!("sample world: {} (actor, name, resource) triples, every answer, identical", count.get());
}

/// Organizations 1..=3, repositories 1..=5 (overlapping ids), users with roles on ids that
/// may not exist and role names of the wrong kind, issues with a random repository and
/// creator, sometimes a stale copy of the creator.
fn world() -> impl Strategy<Value = World> {
    let role = prop::sample::select(vec!["owner", "member", "reader", "writer", "admin", "Owner"]);
    let roles = prop::collection::vec((role, 0..=6u64), 0..=3);
    let users = prop::collection::vec((roles.clone(), roles), 1..=4);
    let repos = prop::collection::vec((any::<Index>(), any::<bool>()), 1..=5);
    let issues = prop::collection::vec((any::<Index>(), any::<Index>(), prop::bool::weighted(0.2)), 0..=5);
    (1..=3u64, repos, users, issues).prop_map(|(n_orgs, repos, users, issues)| {
        let name = |k: usize| format!("user{}", k + 1);
        let (users, orgs, repos, issues) = gitclub_world::entities(n_orgs, repos, users, issues, name);
        World { users, orgs, repos, issues }
    })
}

#[test]
fn generated_worlds() {
    let count = Cell::new(0);
    let config = ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(world in world())| {
        compare_world(&world, &count).map_err(TestCaseError::fail)?;
    });
    eprintln!(
        "128 generated worlds: {} (actor, name, resource) triples, every answer, identical",
        count.get()
    );
}
