//! A GitClub world built from what a proptest strategy draws, shared by the tests that
//! generate GitClub worlds (`api_vs_oso.rs`, `gitclub_vs_oso.rs`,
//! `examples/gitclub-build/tests/same_as_macro.rs`), each drawing with its own distributions.
//! Included with `#[path]`.

use gitclub::models::{Issue, Org, OrgRole, Repo, RepoRole, User};
use proptest::sample::Index;

/// (role name, organization or repository id) pairs of one user.
pub type Roles = Vec<(&'static str, u64)>;

/// The users, organizations, repositories and issues of a world: organizations `1..=orgs`;
/// repository `k` (ids from 1) in the organization its index picks, public or not; user `k`
/// (from 0) named `name(k)`, with organization and repository roles; issue `k` (ids from 1) on the repository and by the user its indices pick, or by a
/// stale copy of that user (the user as they were when they opened the issue: other roles, so
/// not equal to the user any more).
pub fn entities(
    orgs: u64,
    repos: Vec<(Index, bool)>,
    users: Vec<(Roles, Roles)>,
    issues: Vec<(Index, Index, bool)>,
    name: impl Fn(usize) -> String,
) -> (Vec<User>, Vec<Org>, Vec<Repo>, Vec<Issue>) {
    let orgs: Vec<Org> = (1..=orgs).map(|id| Org { id, name: format!("org{id}") }).collect();
    let repos: Vec<Repo> = repos
        .into_iter()
        .zip(1u64..)
        .map(|((org, public), id)| Repo {
            id,
            name: format!("repo{id}"),
            org: org.get(&orgs).clone(),
            public,
        })
        .collect();
    let users: Vec<User> = users
        .into_iter()
        .enumerate()
        .map(|(k, (org_roles, repo_roles))| User {
            name: name(k),
            org_roles: org_roles
                .into_iter()
                .map(|(name, org_id)| OrgRole { name: name.into(), org_id })
                .collect(),
            repo_roles: repo_roles
                .into_iter()
                .map(|(name, repo_id)| RepoRole { name: name.into(), repo_id })
                .collect(),
        })
        .collect();
    let issues = issues
        .into_iter()
        .zip(1u64..)
        .map(|((repo, creator, stale), id)| {
            let mut creator = creator.get(&users).clone();
            if stale {
                creator.repo_roles.push(RepoRole { name: "reader".into(), repo_id: 99 });
            }
            Issue { id, title: format!("issue{id}"), repo: repo.get(&repos).clone(), creator }
        })
        .collect();
    (users, orgs, repos, issues)
}
