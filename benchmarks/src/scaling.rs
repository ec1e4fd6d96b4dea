//! Workloads of the scaling benchmarks (`benches/scaling.rs`, `benches/scaling_build.rs`, and
//! BENCHMARKS.md, section "Scaling"):
//!
//! 1. a user with 1 to 10,000 role assignments ([`roles`], `scaling/roles.polar`);
//! 2. a folder hierarchy 1 to 1,000 levels deep with a role on the root and a check on the
//!    leaf ([`hierarchy`], `scaling/hierarchy.polar`);
//! 3. generated policies of 10 to 10,000 rules ([`large_policy`]) over the same classes.
//!
//! Each workload has a compiled policy (`polar!`), a hand-written equivalent ([`hand`]) and the
//! data builders the benchmarks and their sanity checks share.

use std::fmt::Write as _;

use polar_runtime::PolarClass;

/// A person holding role assignments.
#[derive(PolarClass, Clone, Debug, PartialEq)]
pub struct User {
    pub name: String,
    pub roles: Vec<Role>,
}

/// The role `name` on the resource (repository, organization or folder) with id `resource_id`.
#[derive(PolarClass, Clone, Debug, PartialEq)]
pub struct Role {
    pub name: String,
    pub resource_id: u64,
}

/// An organization; it owns repositories.
#[derive(PolarClass, Clone, Debug, PartialEq)]
pub struct Org {
    pub id: u64,
}

/// A repository of `org`.
#[derive(PolarClass, Clone, Debug, PartialEq)]
pub struct Repo {
    pub id: u64,
    pub org: Org,
}

/// A folder inside its `parents` (none for a root). The benchmarks build chains: one parent.
#[derive(PolarClass, Clone, Debug, PartialEq)]
pub struct Folder {
    pub id: u64,
    pub parents: Vec<Folder>,
}

/// `scaling/roles.polar`, compiled.
pub mod roles {
    use super::*;

    /// The policy text, for the benchmarks' Oso side.
    pub const POLICY: &str = include_str!("scaling/roles.polar");

    polar_runtime::polar!(file = "src/scaling/roles.polar");
}

/// `scaling/hierarchy.polar`, compiled.
pub mod hierarchy {
    use super::*;

    /// The policy text, for the benchmarks' Oso side.
    pub const POLICY: &str = include_str!("scaling/hierarchy.polar");

    polar_runtime::polar!(file = "src/scaling/hierarchy.polar");
}

/// The two policies written by hand: what a careful programmer would write instead. No
/// allocation, no dynamic dispatch.
pub mod hand {
    use super::*;

    /// `has_role(user: User, name: String, r) if role in user.roles and role matches
    /// { name: name, resource_id: r.id }`. The id is compared first, as the compiled
    /// `matches` does (Oso checks a dictionary pattern's fields in reverse key order).
    #[inline]
    pub fn has_role(user: &User, name: &str, resource_id: u64) -> bool {
        user.roles.iter().any(|r| r.resource_id == resource_id && r.name == name)
    }

    /// `roles.polar`: `"admin"` is only granted explicitly, `"writer" if "admin"`,
    /// `"reader" if "writer"`.
    #[inline]
    pub fn repo_allows(user: &User, action: &str, repo: &Repo) -> bool {
        let admin = || has_role(user, "admin", repo.id);
        let writer = || has_role(user, "writer", repo.id) || admin();
        let reader = || has_role(user, "reader", repo.id) || writer();
        match action {
            "read" => reader(),
            "push" => writer(),
            "delete" => admin(),
            _ => false,
        }
    }

    /// The fixed part of [`large_policy`] (the repository's permissions and roles, and the
    /// organization's roles it refers to), enough for [`large_query`]. The generated rules
    /// have no hand-written counterpart.
    #[inline]
    pub fn large_allows(user: &User, action: &str, repo: &Repo) -> bool {
        let owner = || has_role(user, "owner", repo.org.id);
        let member = || has_role(user, "member", repo.org.id) || owner();
        let admin = || has_role(user, "admin", repo.id) || owner();
        let writer = || has_role(user, "writer", repo.id) || admin();
        let reader = || has_role(user, "reader", repo.id) || writer() || member();
        match action {
            "read" => reader(),
            "push" => writer(),
            "delete" => admin(),
            _ => false,
        }
    }

    /// `hierarchy.polar`: a viewer of a folder views everything under it (both the "read"
    /// and the "view" rules mean this).
    pub fn folder_viewer(user: &User, folder: &Folder) -> bool {
        has_role(user, "viewer", folder.id) || folder.parents.iter().any(|p| folder_viewer(user, p))
    }

    /// [`folder_viewer`] with the two things the compiled recursion adds: the depth guard of
    /// `polar_runtime::support::Cx` (which fails closed past `MAX_DEPTH` nested calls, so that
    /// recursion over cyclic data ends) and a `Result` for that error. It tells the cost of
    /// the guard apart from the rest in the benchmark.
    pub fn folder_viewer_guarded(
        cx: &polar_runtime::support::Cx,
        user: &User,
        folder: &Folder,
    ) -> Result<bool, polar_runtime::RuntimeError> {
        let _depth = cx.enter()?;
        if has_role(user, "viewer", folder.id) {
            return Ok(true);
        }
        for parent in &folder.parents {
            if folder_viewer_guarded(cx, user, parent)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `hierarchy.polar`'s `allow`.
    #[inline]
    pub fn folder_allows(user: &User, action: &str, folder: &Folder) -> bool {
        match action {
            "read" | "view" => folder_viewer(user, folder),
            _ => false,
        }
    }
}

const ROLE_NAMES: [&str; 3] = ["reader", "writer", "admin"];

/// A user with `n` role assignments (at least one) on the repositories with ids `0..n`,
/// cycling through "reader", "writer" and "admin" but ending with "reader" on [`last_repo`]`(n)`:
/// reading that repository scans the whole list once and succeeds.
pub fn user_with_roles(n: usize) -> User {
    assert!(n >= 1);
    let roles = (0..n as u64)
        .map(|i| Role {
            name: if i + 1 == n as u64 { "reader" } else { ROLE_NAMES[i as usize % 3] }.to_owned(),
            resource_id: i,
        })
        .collect();
    User { name: format!("user{n}"), roles }
}

/// The repository of the last role assignment of [`user_with_roles`]`(n)`.
pub fn last_repo(n: usize) -> Repo {
    Repo { id: n as u64 - 1, org: Org { id: 0 } }
}

/// A repository none of [`user_with_roles`]'s assignments is on: reading it scans the list once
/// per role that implies "reader" ("reader", "writer", "admin") and is denied.
pub fn unrelated_repo() -> Repo {
    Repo { id: 1 << 40, org: Org { id: 0 } }
}

/// The leaf of a chain of `depth` folders (at least one) with ids `0..depth`; the root has id 0.
pub fn folder_chain(depth: usize) -> Folder {
    assert!(depth >= 1);
    let mut folder = Folder { id: 0, parents: Vec::new() };
    for id in 1..depth as u64 {
        folder = Folder { id, parents: vec![folder] };
    }
    folder
}

/// A user who is "viewer" of the root folder (id 0) only.
pub fn root_viewer() -> User {
    User { name: "root-viewer".into(), roles: vec![Role { name: "viewer".into(), resource_id: 0 }] }
}

/// A policy of about `rules` rules (after resource blocks are desugared; the exact count is
/// the second result) over [`User`], [`Role`], [`Org`] and [`Repo`]: gitclub's organization
/// and repository blocks, then generated rules, alternately a permission of the `Repo` block
/// (`"p7" if "writer";`) and an `allow` rule with attribute conditions
/// (`allow(user: User, "a8", repo: Repo) if repo.id = 8 and user.name = "u8";`).
///
/// The fixed query of the benchmark, [`LARGE_QUERY`], touches none of the generated rules:
/// its cost should not depend on the size of the policy.
pub fn large_policy(rules: usize) -> (String, usize) {
    // The fixed part: 4 + 7 shorthand rules, 2 `has_role`, 1 `has_relation`, 1 `allow`.
    const BASE: usize = 15;
    let generated = rules.saturating_sub(BASE);
    let mut permissions = String::new();
    let mut shorthand = String::new();
    let mut allows = String::new();
    for i in 0..generated {
        if i % 2 == 0 {
            let _ = write!(permissions, ", \"p{i}\"");
            let _ = writeln!(shorthand, "  \"p{i}\" if \"{}\";", ROLE_NAMES[(i / 2) % 3]);
        } else {
            let _ = writeln!(
                allows,
                "allow(user: User, \"a{i}\", repo: Repo) if repo.id = {i} and user.name = \"u{i}\";"
            );
        }
    }
    let text = format!(
        r#"# Generated by polar_benches::scaling::large_policy({rules}).
actor User {{}}

resource Org {{
  roles = ["owner", "member"];
  permissions = ["read", "create_repos", "list_repos"];

  "read" if "member";
  "list_repos" if "member";
  "create_repos" if "owner";
  "member" if "owner";
}}

resource Repo {{
  roles = ["reader", "writer", "admin"];
  permissions = ["read", "push", "delete"{permissions}];
  relations = {{ parent: Org }};

  "read" if "reader";
  "push" if "writer";
  "delete" if "admin";
  "reader" if "writer";
  "writer" if "admin";
  "reader" if "member" on "parent";
  "admin" if "owner" on "parent";
{shorthand}}}

has_role(user: User, name: String, org: Org) if
  role in user.roles and
  role matches {{ name: name, resource_id: org.id }};

has_role(user: User, name: String, repo: Repo) if
  role in user.roles and
  role matches {{ name: name, resource_id: repo.id }};

has_relation(org: Org, "parent", repo: Repo) if org = repo.org;

allow(actor, action, resource) if has_permission(actor, action, resource);
{allows}"#
    );
    (text, BASE + generated)
}

/// The fixed query of [`large_policy`]: a member of the organization reads one of its
/// repositories (`"read" if "reader"`, `"reader" if "member" on "parent"`): allowed.
pub struct LargeQuery {
    pub user: User,
    pub action: &'static str,
    pub repo: Repo,
}

/// See [`LargeQuery`].
pub fn large_query() -> LargeQuery {
    let org = Org { id: 1 };
    LargeQuery {
        user: User {
            name: "member".into(),
            roles: vec![
                Role { name: "reader".into(), resource_id: 7 },
                Role { name: "member".into(), resource_id: org.id },
            ],
        },
        action: "read",
        repo: Repo { id: 2, org },
    }
}

/// `large_policy(600)`, checked in (`scaling/large_600.polar`) and compiled for the tests:
/// large enough for the code generator's binary-search dispatch on actions and for indexing
/// `allow` on hundreds of actions. The test `the_checked_in_large_policy_is_generated` keeps
/// the file in step with [`large_policy`].
#[cfg(test)]
mod large_600 {
    use super::*;

    polar_runtime::polar!(file = "src/scaling/large_600.polar");
}

/// The Oso side of the benchmarks, for the tests (it refers to this module as `scaling`).
#[cfg(test)]
#[allow(dead_code)]
#[path = "../benches/scaling_oso/mod.rs"]
mod oso_side;
#[cfg(test)]
use crate::scaling;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_and_hand_written_agree_on_the_workloads() {
        for n in [1, 2, 3, 10, 100] {
            let user = user_with_roles(n);
            for repo in [last_repo(n), unrelated_repo(), Repo { id: 0, org: Org { id: 0 } }] {
                for action in ["read", "push", "delete", "pull"] {
                    assert_eq!(
                        roles::is_allowed(&user, action, &repo),
                        hand::repo_allows(&user, action, &repo),
                        "{n} roles, {action} on {repo:?}"
                    );
                }
            }
            assert!(roles::is_allowed(&user, "read", &last_repo(n)));
            assert!(!roles::is_allowed(&user, "read", &unrelated_repo()));
        }
        let nobody = User { name: "nobody".into(), roles: Vec::new() };
        for depth in [1, 2, 10, 100] {
            let leaf = folder_chain(depth);
            for user in [root_viewer(), nobody.clone()] {
                let guarded = hand::folder_viewer_guarded(&polar_runtime::support::Cx::new(), &user, &leaf);
                assert_eq!(guarded, Ok(hand::folder_viewer(&user, &leaf)));
                for action in ["read", "view", "write"] {
                    assert_eq!(
                        hierarchy::try_is_allowed(&user, action, &leaf),
                        Ok(hand::folder_allows(&user, action, &leaf)),
                        "depth {depth}, {action}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_rule_count_of_large_policies_is_exact() {
        for rules in [15, 16, 100, 1001] {
            let (text, count) = large_policy(rules);
            let mut sources = polar_compiler::source::SourceMap::new();
            sources.add("large.polar", text);
            let checked = polar_compiler::check(&sources, polar_compiler::Stop::AfterValidation);
            assert!(!checked.has_errors(), "{rules}");
            assert_eq!(checked.program.unwrap().rules.len(), count, "{rules}");
        }
    }

    #[test]
    fn the_checked_in_large_policy_is_generated() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/scaling/large_600.polar");
        let text = large_policy(600).0;
        if std::env::var_os("POLAR_BENCHES_REGENERATE").is_some() {
            std::fs::write(path, &text).unwrap();
        }
        assert!(
            std::fs::read_to_string(path).unwrap() == text,
            "{path} is out of date: rerun with POLAR_BENCHES_REGENERATE=1"
        );
    }

    /// The compiled 600-rule policy against Oso 0.27.3: every action it names (and one it
    /// does not) for users holding each kind of role, including the generated `allow` rules'
    /// own users, plus `authorized_actions`.
    #[test]
    fn a_large_policy_agrees_with_oso() {
        let oso = oso_side::oso(&large_policy(600).0);
        let mut actions: Vec<String> =
            ["read", "push", "delete", "list_repos", "create_repos", "nope"].map(String::from).to_vec();
        actions.extend((0..585).map(|i| if i % 2 == 0 { format!("p{i}") } else { format!("a{i}") }));
        let org = Org { id: 1 };
        let repos = [7, 301, 583].map(|id| Repo { id, org: org.clone() });
        let role = |name: &str, resource_id| Role { name: name.into(), resource_id };
        let users = [
            User { name: "u301".into(), roles: vec![role("reader", 7)] },
            User { name: "u583".into(), roles: vec![role("writer", 301), role("member", 1)] },
            User { name: "u7".into(), roles: vec![role("admin", 583)] },
            User { name: "boss".into(), roles: vec![role("owner", 1)] },
        ];
        let mut compared = 0;
        for user in &users {
            let oso_user = oso_side::User::from(user);
            for repo in &repos {
                let oso_repo = oso_side::Repo::from(repo);
                for action in &actions {
                    let theirs = oso.is_allowed(oso_user.clone(), action.as_str(), oso_repo.clone()).unwrap();
                    assert_eq!(
                        large_600::try_is_allowed(user, action, repo),
                        Ok(theirs),
                        "{} {action} repo {}",
                        user.name,
                        repo.id
                    );
                    compared += 1;
                }
                let theirs: std::collections::HashSet<String> =
                    oso.get_allowed_actions(oso_user.clone(), oso_repo.clone()).unwrap();
                let ours = large_600::authorized_action_names(user, repo);
                let ours: std::collections::HashSet<String> = ours.iter().map(str::to_owned).collect();
                assert_eq!(ours, theirs, "{} on repo {}", user.name, repo.id);
            }
        }
        assert_eq!(compared, 4 * 3 * 591);
    }
}
