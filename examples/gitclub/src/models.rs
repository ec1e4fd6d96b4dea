//! The application's own types. `#[derive(PolarClass)]` makes each one a Polar class of the
//! same name, with every field visible to the policy (`../policies/gitclub.polar`).
//!
//! `PartialEq` is what the policy's `=` on instances compiles to: `org = repo.org`,
//! `repo = issue.repo` and `user = issue.creator` compare `Org`s, `Repo`s and `User`s
//! (and a `User`'s equality compares its roles).

use polar_runtime::PolarClass;

/// A person. Roles are granted per organization and per repository.
#[derive(PolarClass, PartialEq, Eq, Clone, Debug)]
pub struct User {
    pub name: String,
    pub org_roles: Vec<OrgRole>,
    pub repo_roles: Vec<RepoRole>,
}

/// A role ("owner", "member") on the organization with id `org_id`.
#[derive(PolarClass, PartialEq, Eq, Clone, Debug)]
pub struct OrgRole {
    pub name: String,
    pub org_id: u64,
}

/// A role ("reader", "writer", "admin") on the repository with id `repo_id`.
#[derive(PolarClass, PartialEq, Eq, Clone, Debug)]
pub struct RepoRole {
    pub name: String,
    pub repo_id: u64,
}

/// An organization; it owns repositories.
#[derive(PolarClass, PartialEq, Eq, Clone, Debug)]
pub struct Org {
    pub id: u64,
    pub name: String,
}

/// A repository of `org`. Anyone may read and pull a public repository.
#[derive(PolarClass, PartialEq, Eq, Clone, Debug)]
pub struct Repo {
    pub id: u64,
    pub name: String,
    pub org: Org,
    pub public: bool,
}

/// An issue in `repo`, opened by `creator`.
#[derive(PolarClass, PartialEq, Eq, Clone, Debug)]
pub struct Issue {
    pub id: u64,
    pub title: String,
    pub repo: Repo,
    pub creator: User,
}

impl User {
    /// A user without roles.
    pub fn new(name: &str) -> Self {
        User { name: name.into(), org_roles: Vec::new(), repo_roles: Vec::new() }
    }

    /// Grants `role` ("owner" or "member") on `org`.
    pub fn with_org_role(mut self, role: &str, org: &Org) -> Self {
        self.org_roles.push(OrgRole { name: role.into(), org_id: org.id });
        self
    }

    /// Grants `role` ("reader", "writer" or "admin") on `repo`.
    pub fn with_repo_role(mut self, role: &str, repo: &Repo) -> Self {
        self.repo_roles.push(RepoRole { name: role.into(), repo_id: repo.id });
        self
    }
}
