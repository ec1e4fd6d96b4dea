//! Differential test of the GitClub policy (`examples/policies/gitclub.polar`): Oso 0.27.3
//! interpreting it against
//!
//! - `gitclub::hand`, the policy written by hand as plain Rust (always), and
//! - `gitclub::authz`, the policy compiled by `polar!`.
//!
//! The Oso side has its own types (module `oso_side`), registered under the same class names
//! with `#[derive(oso::PolarClass)]`, `#[polar(attribute)]` fields and an equality check for
//! the classes the policy compares with `=`. Their ids are `i64`: Oso's Rust host has no
//! conversion for `u64`.
//!
//! Worlds are generated (`world()`): 1-4 organizations, 1-6 repositories (random organization,
//! random visibility), 0-6 issues (random repository and creator, sometimes a stale copy of the
//! creator), 1-5 users with random organization and repository roles, including roles on ids
//! that do not exist and, rarely, role names of the other kind. Every (user, action, resource)
//! is asked, with every permission of the policy, two role names and two actions it does not
//! know ("fly", ""), on every organization, repository and issue. An Oso error counts as a deny;
//! the errors are counted and reported (and there must be none on this policy).
//!
//! `POLAR_DRT_CASES` sets the number of worlds (default 48: about 20,000 queries, 20 s in a
//! debug build). On a mismatch the test prints the world and the first failing query, reduced
//! to a minimal reproduction (fewer roles, a simpler resource) as Rust source.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use gitclub::hand;
use gitclub::models::{Issue, Org, Repo, User};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

const POLICY: &str = include_str!("../../examples/policies/gitclub.polar");

/// Every permission the policy declares (in any resource block), two role names, and two actions
/// the policy does not know.
const ACTIONS: [&str; 15] = [
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
    "reader",
    "owner",
    "fly",
    "",
];

/// The Oso side: separate types, registered under the policy's class names.
#[path = "../support/gitclub_oso.rs"]
mod oso_side;

mod drt_support;

#[path = "../support/gitclub_world.rs"]
mod gitclub_world;

thread_local! {
    static OSO: oso::Oso = oso_side::oso(POLICY);
}

/// A resource, borrowed from a world.
#[derive(Clone, Copy)]
enum Res<'a> {
    Org(&'a Org),
    Repo(&'a Repo),
    Issue(&'a Issue),
}

/// A resource, owned (for reductions of a failing query).
#[derive(Clone)]
enum Owned {
    Org(Org),
    Repo(Repo),
    Issue(Issue),
}

impl Owned {
    fn as_res(&self) -> Res<'_> {
        match self {
            Owned::Org(o) => Res::Org(o),
            Owned::Repo(r) => Res::Repo(r),
            Owned::Issue(i) => Res::Issue(i),
        }
    }
}

impl Res<'_> {
    fn owned(self) -> Owned {
        match self {
            Res::Org(o) => Owned::Org(o.clone()),
            Res::Repo(r) => Owned::Repo(r.clone()),
            Res::Issue(i) => Owned::Issue(i.clone()),
        }
    }
}

impl fmt::Display for Res<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Res::Org(o) => write!(f, "Org {}", o.id),
            Res::Repo(r) => write!(f, "Repo {}", r.id),
            Res::Issue(i) => write!(f, "Issue {}", i.id),
        }
    }
}

/// The hand-written policy's answer.
fn hand_answer(user: &User, action: &str, resource: Res<'_>) -> bool {
    match resource {
        Res::Org(o) => hand::is_allowed(user, action, o),
        Res::Repo(r) => hand::is_allowed(user, action, r),
        Res::Issue(i) => hand::is_allowed(user, action, i),
    }
}

/// The compiled policy's answer: `is_allowed`, which must agree with `try_is_allowed` (and
/// this policy has no run-time errors).
fn compiled_answer(user: &User, action: &str, resource: Res<'_>) -> Result<bool, String> {
    use gitclub::authz::{is_allowed, try_is_allowed};
    let (plain, tried) = match resource {
        Res::Org(o) => (is_allowed(user, action, o), try_is_allowed(user, action, o)),
        Res::Repo(r) => (is_allowed(user, action, r), try_is_allowed(user, action, r)),
        Res::Issue(i) => (is_allowed(user, action, i), try_is_allowed(user, action, i)),
    };
    match tried {
        Ok(b) if b == plain => Ok(b),
        Ok(b) => Err(format!("is_allowed = {plain} but try_is_allowed = Ok({b})")),
        Err(e) => Err(format!("try_is_allowed = Err({e}) (is_allowed = {plain})")),
    }
}

/// A resource as Oso sees it.
#[derive(Clone)]
enum OsoRes {
    Org(oso_side::Org),
    Repo(oso_side::Repo),
    Issue(oso_side::Issue),
}

impl From<Res<'_>> for OsoRes {
    fn from(r: Res<'_>) -> Self {
        match r {
            Res::Org(o) => OsoRes::Org(o.into()),
            Res::Repo(r) => OsoRes::Repo(r.into()),
            Res::Issue(i) => OsoRes::Issue(i.into()),
        }
    }
}

/// Oso's answer: `Err` for an error (or a panic inside Oso).
fn oso_answer(user: &oso_side::User, action: &str, resource: &OsoRes) -> Result<bool, String> {
    let user = user.clone();
    let action = action.to_string();
    OSO.with(|oso| {
        catch_unwind(AssertUnwindSafe(|| {
            match resource.clone() {
                OsoRes::Org(o) => oso.is_allowed(user, action, o),
                OsoRes::Repo(r) => oso.is_allowed(user, action, r),
                OsoRes::Issue(i) => oso.is_allowed(user, action, i),
            }
            .map_err(|e| e.to_string())
        }))
        .unwrap_or_else(|_| Err(String::from("Oso panicked")))
    })
}

/// Comparison counts of one test.
#[derive(Default)]
struct Counts {
    /// Queries asked of Oso.
    queries: AtomicUsize,
    /// Answers of ours compared with Oso's (one per implementation and query).
    comparisons: AtomicUsize,
    /// Queries Oso allowed.
    allowed: AtomicUsize,
    /// Queries Oso answered with an error (counted as denied).
    oso_errors: AtomicUsize,
}

/// Asks one query of Oso and of our implementations: `Err` describes a disagreement.
/// `oso_user` and `oso_res` are `user` and `res` converted for Oso.
fn compare_query(
    user: &User,
    action: &str,
    res: Res<'_>,
    oso_user: &oso_side::User,
    oso_res: &OsoRes,
    counts: Option<&Counts>,
) -> Result<(), String> {
    let oso = oso_answer(oso_user, action, oso_res);
    let expected = *oso.as_ref().unwrap_or(&false);
    if let Some(counts) = counts {
        counts.queries.fetch_add(1, Relaxed);
        counts.allowed.fetch_add(usize::from(expected), Relaxed);
        if let Err(e) = &oso {
            counts.oso_errors.fetch_add(1, Relaxed);
            eprintln!("Oso error on is_allowed({}, {action:?}, {res}): {e}", user.name);
        }
    }
    let count = || {
        if let Some(counts) = counts {
            counts.comparisons.fetch_add(1, Relaxed);
        }
    };
    let mut problems = Vec::new();
    count();
    let hand = hand_answer(user, action, res);
    if hand != expected {
        problems.push(format!("gitclub::hand says {hand}"));
    }
    {
        count();
        let compiled = compiled_answer(user, action, res);
        if compiled != Ok(expected) {
            problems.push(format!("gitclub::authz says {compiled:?}"));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("Oso says {oso:?}, {}", problems.join(", "))) }
}

/// Asks every (user, action, resource) of `world`: `Err` describes the first disagreement,
/// reduced to a minimal query.
fn compare_world(world: &World, counts: &Counts) -> Result<(), String> {
    let oso_users: Vec<oso_side::User> = world.users.iter().map(Into::into).collect();
    let resources: Vec<(Res<'_>, OsoRes)> = world.resources().map(|r| (r, r.into())).collect();
    for (user, oso_user) in world.users.iter().zip(&oso_users) {
        for action in ACTIONS {
            for (res, oso_res) in &resources {
                if let Err(e) = compare_query(user, action, *res, oso_user, oso_res, Some(counts)) {
                    return Err(format!(
                        "is_allowed({:?}, {action:?}, {res}): {e}\n{}",
                        user.name,
                        reduce(user.clone(), action, res.owned())
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A minimal reproduction of a disagreement on `is_allowed(user, action, res)`: drops roles
/// and simplifies the resource while the disagreement persists.
fn reduce(mut user: User, action: &str, mut res: Owned) -> String {
    let fails = |user: &User, res: &Owned| {
        let r = res.as_res();
        compare_query(user, action, r, &user.into(), &r.into(), None).err()
    };
    let candidates = |user: &User, res: &Owned| -> Vec<(User, Owned)> {
        let mut out = Vec::new();
        for i in 0..user.org_roles.len() {
            let mut u = user.clone();
            u.org_roles.remove(i);
            out.push((u, res.clone()));
        }
        for i in 0..user.repo_roles.len() {
            let mut u = user.clone();
            u.repo_roles.remove(i);
            out.push((u, res.clone()));
        }
        let mut simpler = |f: &dyn Fn(&mut Owned)| {
            let mut r = res.clone();
            f(&mut r);
            out.push((user.clone(), r));
        };
        match res {
            Owned::Org(_) => {}
            Owned::Repo(r) if r.public => simpler(&|r| {
                if let Owned::Repo(r) = r {
                    r.public = false;
                }
            }),
            Owned::Repo(_) => {}
            Owned::Issue(i) => {
                if i.repo.public {
                    simpler(&|r| {
                        if let Owned::Issue(i) = r {
                            i.repo.public = false;
                        }
                    });
                }
                for j in 0..i.creator.org_roles.len() {
                    simpler(&|r| {
                        if let Owned::Issue(i) = r {
                            i.creator.org_roles.remove(j);
                        }
                    });
                }
                for j in 0..i.creator.repo_roles.len() {
                    simpler(&|r| {
                        if let Owned::Issue(i) = r {
                            i.creator.repo_roles.remove(j);
                        }
                    });
                }
                if i.creator != User::new("someone") {
                    simpler(&|r| {
                        if let Owned::Issue(i) = r {
                            i.creator = User::new("someone");
                        }
                    });
                }
            }
        }
        out
    };
    let Some(mut problem) = fails(&user, &res) else {
        return String::from("(the disagreement does not reproduce on the query alone)");
    };
    'outer: loop {
        for (u, r) in candidates(&user, &res) {
            if let Some(p) = fails(&u, &r) {
                (user, res, problem) = (u, r, p);
                continue 'outer;
            }
        }
        break;
    }
    let resource = match &res {
        Owned::Org(o) => src_org(o),
        Owned::Repo(r) => src_repo(r),
        Owned::Issue(i) => src_issue(i),
    };
    format!(
        "minimal reproduction:\n    let user = {};\n    let resource = {resource};\n    \
         is_allowed(&user, {action:?}, &resource): {problem}",
        src_user(&user)
    )
}

// ---- worlds

/// Users, organizations, repositories and issues. Repositories hold copies of their
/// organization, issues copies of their repository and creator, as in an application that
/// loaded them from a database.
#[derive(Clone)]
struct World {
    users: Vec<User>,
    orgs: Vec<Org>,
    repos: Vec<Repo>,
    issues: Vec<Issue>,
}

impl World {
    fn resources(&self) -> impl Iterator<Item = Res<'_>> {
        let orgs = self.orgs.iter().map(Res::Org);
        let repos = self.repos.iter().map(Res::Repo);
        let issues = self.issues.iter().map(Res::Issue);
        orgs.chain(repos).chain(issues)
    }
}

// Values as Rust source, to paste into a hand-picked case.

fn src_org(o: &Org) -> String {
    format!("Org {{ id: {}, name: {:?}.into() }}", o.id, o.name)
}

fn src_repo(r: &Repo) -> String {
    format!(
        "Repo {{ id: {}, name: {:?}.into(), org: {}, public: {} }}",
        r.id,
        r.name,
        src_org(&r.org),
        r.public
    )
}

fn src_user(u: &User) -> String {
    let org_roles: Vec<String> = u
        .org_roles
        .iter()
        .map(|r| format!("OrgRole {{ name: {:?}.into(), org_id: {} }}", r.name, r.org_id))
        .collect();
    let repo_roles: Vec<String> = u
        .repo_roles
        .iter()
        .map(|r| format!("RepoRole {{ name: {:?}.into(), repo_id: {} }}", r.name, r.repo_id))
        .collect();
    format!(
        "User {{ name: {:?}.into(), org_roles: vec![{}], repo_roles: vec![{}] }}",
        u.name,
        org_roles.join(", "),
        repo_roles.join(", ")
    )
}

fn src_issue(i: &Issue) -> String {
    format!(
        "Issue {{ id: {}, title: {:?}.into(), repo: {}, creator: {} }}",
        i.id,
        i.title,
        src_repo(&i.repo),
        src_user(&i.creator)
    )
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "World {{")?;
        writeln!(f, "    users: vec![")?;
        for u in &self.users {
            writeln!(f, "        {},", src_user(u))?;
        }
        writeln!(f, "    ],\n    orgs: vec![")?;
        for o in &self.orgs {
            writeln!(f, "        {},", src_org(o))?;
        }
        writeln!(f, "    ],\n    repos: vec![")?;
        for r in &self.repos {
            writeln!(f, "        {},", src_repo(r))?;
        }
        writeln!(f, "    ],\n    issues: vec![")?;
        for i in &self.issues {
            let stale =
                if self.users.contains(&i.creator) { "" } else { " // creator: not a user of the world" };
            writeln!(f, "        {},{stale}", src_issue(i))?;
        }
        write!(f, "    ],\n}}")
    }
}

/// An organization role name: mostly the policy's, rarely one of a repository or unknown.
fn org_role_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just("owner"),
        6 => Just("member"),
        1 => prop::sample::select(vec!["admin", "reader", "Owner", ""]),
    ]
}

/// A repository role name: mostly the policy's, rarely one of an organization or unknown.
fn repo_role_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        4 => Just("reader"),
        4 => Just("writer"),
        4 => Just("admin"),
        1 => prop::sample::select(vec!["owner", "member", "Admin"]),
    ]
}

const NAMES: [&str; 5] = ["alice", "bob", "carol", "dave", "eve"];

/// A random world. Organizations have ids 1..=4 and repositories 1..=6 (the ranges overlap,
/// so a role confusing the two kinds of id would show); roles name mostly ids in those ranges
/// (which may not exist in a world with fewer), sometimes ids in 0..=6 and 0..=8.
fn world() -> impl Strategy<Value = World> {
    let orgs = 1..=4usize;
    let repos = prop::collection::vec((any::<Index>(), any::<bool>()), 1..=6);
    let org_id = prop_oneof![4 => 1..=4u64, 1 => 0..=6u64];
    let repo_id = prop_oneof![4 => 1..=6u64, 1 => 0..=8u64];
    let org_roles = prop::collection::vec((org_role_name(), org_id), 0..=3);
    let repo_roles = prop::collection::vec((repo_role_name(), repo_id), 0..=3);
    let users = prop::collection::vec((org_roles, repo_roles), 1..=5);
    // (repository, creator, stale copy of the creator)
    let issues = prop::collection::vec((any::<Index>(), any::<Index>(), prop::bool::weighted(0.15)), 0..=6);
    (orgs, repos, users, issues).prop_map(|(n_orgs, repos, users, issues)| {
        let (users, orgs, repos, issues) =
            gitclub_world::entities(n_orgs as u64, repos, users, issues, |k| NAMES[k].into());
        World { users, orgs, repos, issues }
    })
}

// ---- tests

fn report(what: &str, counts: &Counts, start: Instant) {
    let oso_errors = counts.oso_errors.load(Relaxed);
    eprintln!(
        "{what}: {} comparisons on {} queries ({} allowed by Oso) in {:.1?}; {oso_errors} Oso errors",
        counts.comparisons.load(Relaxed),
        counts.queries.load(Relaxed),
        counts.allowed.load(Relaxed),
        start.elapsed(),
    );
    assert_eq!(oso_errors, 0, "Oso raised errors (counted as denials); see above");
}

#[test]
fn random_worlds_agree_with_oso() {
    let counts = Counts::default();
    let start = Instant::now();
    // No shrinking of worlds: `compare_world` reduces the failing query itself, which is
    // smaller and much faster than shrinking worlds through Oso.
    let config = ProptestConfig {
        cases: drt_support::cases(48),
        failure_persistence: None,
        max_shrink_iters: 0,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&world(), |world| compare_world(&world, &counts).map_err(TestCaseError::fail));
    if let Err(e) = result {
        panic!("{e}");
    }
    report(
        &format!("{} random worlds, hand-written and compiled vs Oso", drt_support::cases(48)),
        &counts,
        start,
    );
}

/// Every query on the sample world of `cargo run -p gitclub`.
#[test]
fn sample_world_agrees_with_oso() {
    let (sample, _) = gitclub::sample::sample();
    let world = World { users: sample.users, orgs: sample.orgs, repos: sample.repos, issues: sample.issues };
    let counts = Counts::default();
    let start = Instant::now();
    if let Err(e) = compare_world(&world, &counts) {
        panic!("{e}\nin the sample world {world:?}");
    }
    report("sample world", &counts, start);
}

// ---- hand-picked cases

/// `is_allowed(user, action, res) == expected` for Oso, the hand-written policy and the
/// compiled one.
fn check(user: &User, action: &str, res: Res<'_>, expected: bool) {
    let what = format!("is_allowed({}, {action:?}, {res})", user.name);
    assert_eq!(oso_answer(&user.into(), action, &res.into()), Ok(expected), "Oso: {what}");
    assert_eq!(hand_answer(user, action, res), expected, "gitclub::hand: {what}");
    assert_eq!(compiled_answer(user, action, res), Ok(expected), "gitclub::authz: {what}");
}

#[test]
fn hand_picked_cases() {
    let org_a = Org { id: 1, name: "a".into() };
    let org_b = Org { id: 2, name: "b".into() };
    // Repository 1 has the id of organization 1: roles must not confuse the two.
    let private_a = Repo { id: 1, name: "private-a".into(), org: org_a.clone(), public: false };
    let public_a = Repo { id: 2, name: "public-a".into(), org: org_a.clone(), public: true };
    let private_b = Repo { id: 3, name: "private-b".into(), org: org_b.clone(), public: false };
    let owner_a = User::new("owner-a").with_org_role("owner", &org_a);
    let member_a = User::new("member-a").with_org_role("member", &org_a);
    let writer_b = User::new("writer-b").with_repo_role("writer", &private_b);
    let nobody = User::new("nobody");
    // Roles on a repository and an organization that do not exist.
    let ghost = User::new("ghost")
        .with_repo_role("admin", &Repo { id: 9, ..private_b.clone() })
        .with_org_role("owner", &Org { id: 3, name: "c".into() });
    let issue_b = Issue { id: 1, title: "bug".into(), repo: private_b.clone(), creator: nobody.clone() };
    let issue_public =
        Issue { id: 2, title: "typo".into(), repo: public_a.clone(), creator: member_a.clone() };

    // An organization owner deletes its repositories: "admin" if "owner" on "parent".
    check(&owner_a, "delete", Res::Repo(&private_a), true);
    check(&owner_a, "delete", Res::Repo(&public_a), true);
    check(&owner_a, "delete", Res::Repo(&private_b), false);
    check(&member_a, "delete", Res::Repo(&private_a), false);
    // ... and, through "writer" if "admin" and "reader" if "writer", everything else.
    check(&owner_a, "push", Res::Repo(&private_a), true);
    check(&owner_a, "list_issues", Res::Repo(&private_a), true);
    check(&owner_a, "manage_members", Res::Org(&org_a), true);
    check(&owner_a, "read", Res::Org(&org_a), true); // "member" if "owner"

    // The creator of an issue closes it without any role; others with only "reader" cannot.
    check(&nobody, "close", Res::Issue(&issue_b), true);
    check(&nobody, "comment", Res::Issue(&issue_b), false);
    check(&member_a, "close", Res::Issue(&issue_public), true);
    check(&writer_b, "close", Res::Issue(&issue_b), true);
    check(&owner_a, "close", Res::Issue(&issue_b), false);
    // A stale copy of the creator is another user (structural equality).
    let stale = Issue { creator: nobody.clone().with_repo_role("reader", &private_a), ..issue_b.clone() };
    check(&nobody, "close", Res::Issue(&stale), false);

    // A public repository is readable and pullable by anyone, but only that.
    for user in [&nobody, &writer_b, &ghost] {
        check(user, "read", Res::Repo(&public_a), true);
        check(user, "pull", Res::Repo(&public_a), true);
        check(user, "list_issues", Res::Repo(&public_a), false);
        check(user, "push", Res::Repo(&public_a), false);
        // Its issues need the "reader" role: the public rule grants a permission, not a role.
        check(user, "read", Res::Issue(&issue_public), false);
    }

    // A member of organization A cannot read B's private repository, nor B.
    check(&member_a, "read", Res::Repo(&private_b), false);
    check(&member_a, "read", Res::Org(&org_b), false);
    check(&member_a, "read", Res::Repo(&private_a), true);
    check(&member_a, "read", Res::Issue(&issue_public), true);
    check(&member_a, "push", Res::Repo(&private_a), false);
    // Repository roles do not flow up to the organization.
    check(&writer_b, "read", Res::Org(&org_b), false);
    check(&writer_b, "create_issues", Res::Repo(&private_b), true);

    // Roles on ids that do not exist grant nothing.
    for res in [Res::Org(&org_a), Res::Org(&org_b), Res::Repo(&private_a), Res::Repo(&private_b)] {
        check(&ghost, "read", res, false);
    }

    // Actions that are not permissions of the resource.
    check(&owner_a, "push", Res::Org(&org_a), false);
    check(&owner_a, "owner", Res::Org(&org_a), false);
    check(&owner_a, "fly", Res::Repo(&private_a), false);
    check(&owner_a, "", Res::Repo(&public_a), false);
}
