//! The GitClub policy written by hand as plain Rust: what a careful programmer would write
//! instead of `../policies/gitclub.polar`. It is the yardstick for the compiled policy (the
//! differential test `tests/tests/gitclub_vs_oso.rs` checks it against Oso, and benchmarks
//! compare the compiled `is_allowed` with it). No allocation, no dynamic dispatch.
//!
//! Each function cites the policy lines it implements. Roles imply roles (`"member" if
//! "owner"`, `"reader" if "writer"`, `"writer" if "admin"`), organization roles flow down to
//! the organization's repositories (`"reader" if "member" on "parent"`, `"admin" if "owner" on
//! "parent"`), repository roles to the repository's issues.

use crate::models::{Issue, Org, Repo, User};

/// A resource the policy has permissions for: `Org`, `Repo` or `Issue`.
pub trait Resource {
    /// Whether `user` may do `action` on `self`.
    fn allows(&self, user: &User, action: &str) -> bool;
}

/// `allow(actor, action, resource)`, by hand.
#[inline]
pub fn is_allowed<R: Resource + ?Sized>(user: &User, action: &str, resource: &R) -> bool {
    resource.allows(user, action)
}

/// `has_role(user: User, name: String, org: Org) if role in user.org_roles and role matches
/// { name: name, org_id: org.id }`, the explicit roles only.
#[inline]
fn has_org_role_direct(user: &User, name: &str, org: &Org) -> bool {
    user.org_roles.iter().any(|r| r.name == name && r.org_id == org.id)
}

/// The same for repositories.
#[inline]
fn has_repo_role_direct(user: &User, name: &str, repo: &Repo) -> bool {
    user.repo_roles.iter().any(|r| r.name == name && r.repo_id == repo.id)
}

/// `"owner"` on an organization: only granted explicitly.
#[inline]
pub fn org_owner(user: &User, org: &Org) -> bool {
    has_org_role_direct(user, "owner", org)
}

/// `"member"` on an organization: `"member" if "owner"`.
#[inline]
pub fn org_member(user: &User, org: &Org) -> bool {
    user.org_roles.iter().any(|r| r.org_id == org.id && (r.name == "member" || r.name == "owner"))
}

/// `"admin"` on a repository: explicit, or `"admin" if "owner" on "parent"` (the parent being
/// `repo.org`: `has_relation(org: Org, "parent", repo: Repo) if org = repo.org`).
#[inline]
pub fn repo_admin(user: &User, repo: &Repo) -> bool {
    has_repo_role_direct(user, "admin", repo) || org_owner(user, &repo.org)
}

/// `"writer"`: explicit, or `"writer" if "admin"`.
#[inline]
pub fn repo_writer(user: &User, repo: &Repo) -> bool {
    has_repo_role_direct(user, "writer", repo) || repo_admin(user, repo)
}

/// `"reader"`: explicit, `"reader" if "writer"`, or `"reader" if "member" on "parent"`.
#[inline]
pub fn repo_reader(user: &User, repo: &Repo) -> bool {
    has_repo_role_direct(user, "reader", repo) || repo_writer(user, repo) || org_member(user, &repo.org)
}

impl Resource for Org {
    fn allows(&self, user: &User, action: &str) -> bool {
        match action {
            "read" | "list_repos" => org_member(user, self),
            "create_repos" | "manage_members" => org_owner(user, self),
            _ => false,
        }
    }
}

impl Resource for Repo {
    fn allows(&self, user: &User, action: &str) -> bool {
        match action {
            // `allow(_: User, "read", repo: Repo) if repo.public;` and the same for "pull".
            "read" | "pull" => self.public || repo_reader(user, self),
            "list_issues" => repo_reader(user, self),
            "push" | "create_issues" => repo_writer(user, self),
            "delete" => repo_admin(user, self),
            _ => false,
        }
    }
}

impl Resource for Issue {
    fn allows(&self, user: &User, action: &str) -> bool {
        match action {
            // The parent repository's *role*: a public repository's issues are not readable
            // by everyone (the public rule grants the "read" permission, not the "reader" role).
            "read" | "comment" => repo_reader(user, &self.repo),
            // `"close" if "creator"`: `has_relation(user: User, "creator", issue: Issue) if
            // user = issue.creator`, structural equality of users.
            "close" => repo_writer(user, &self.repo) || *user == self.creator,
            _ => false,
        }
    }
}
