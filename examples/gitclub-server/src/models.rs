//! The GitClub types: Polar classes mapped to the tables of `migrations/` (`#[polar(table)]`),
//! so that the policy's checks run on them and its data filters become SQL over those tables.
//!
//! Equality is key equality (the `id`), implemented by hand rather than derived: it is what the
//! policy's instance comparisons (`org = repo.org`, `user = issue.creator`) mean for rows of one
//! database, and what the SQL filter compares (`issues.creator_id = ?`). A derived equality
//! would also compare the roles loaded with a user.

use polar_runtime::PolarClass;

/// A user, with the roles it holds. The actor of every request.
#[derive(PolarClass, Clone, Debug)]
#[polar(table = "users")]
pub struct User {
    /// The key.
    pub id: i64,
    /// Unique; what the `x-user` header names.
    pub name: String,
    /// Roles on organizations (table `org_roles`, column `user_id`).
    #[polar(one_to_many = "user_id")]
    pub org_roles: Vec<OrgRole>,
    /// Roles on repositories (table `repo_roles`, column `user_id`).
    #[polar(one_to_many = "user_id")]
    pub repo_roles: Vec<RepoRole>,
}

/// A role (`"owner"` or `"member"`) on an organization.
#[derive(PolarClass, Clone, Debug, PartialEq, sqlx::FromRow)]
#[polar(table = "org_roles")]
pub struct OrgRole {
    /// The key.
    pub id: i64,
    /// The role's name.
    pub name: String,
    /// The organization.
    pub org_id: i64,
}

/// A role (`"reader"`, `"writer"` or `"admin"`) on a repository.
#[derive(PolarClass, Clone, Debug, PartialEq, sqlx::FromRow)]
#[polar(table = "repo_roles")]
pub struct RepoRole {
    /// The key.
    pub id: i64,
    /// The role's name.
    pub name: String,
    /// The repository.
    pub repo_id: i64,
}

/// An organization: owns repositories.
#[derive(PolarClass, Clone, Debug, sqlx::FromRow)]
#[polar(table = "orgs")]
pub struct Org {
    /// The key.
    pub id: i64,
    /// Its name (not unique).
    pub name: String,
}

/// A repository of an organization.
#[derive(PolarClass, Clone, Debug)]
#[polar(table = "repos")]
pub struct Repo {
    /// The key.
    pub id: i64,
    /// Its name (not unique).
    pub name: String,
    /// The owning organization (`repos.org_id`).
    #[polar(many_to_one = "org_id")]
    pub org: Org,
    /// Anyone may read and pull a public repository.
    pub public: bool,
}

/// An issue of a repository.
#[derive(PolarClass, Clone, Debug)]
#[polar(table = "issues")]
pub struct Issue {
    /// The key.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The repository (`issues.repo_id`).
    #[polar(many_to_one = "repo_id")]
    pub repo: Repo,
    /// Who opened it (`issues.creator_id`); the policy lets the creator close it.
    #[polar(many_to_one = "creator_id")]
    pub creator: User,
    /// Whether it was closed (`POST /issues/{id}/close`); the policy does not read it.
    pub closed: bool,
}

/// Key equality for the entity types.
macro_rules! key_equality {
    ($($ty:ty),*) => {$(
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.id == other.id
            }
        }
        impl Eq for $ty {}
    )*};
}

key_equality!(User, Org, Repo, Issue);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_is_key_equality() {
        let alice = User { id: 1, name: "alice".into(), org_roles: vec![], repo_roles: vec![] };
        let renamed = User {
            name: "alice2".into(),
            org_roles: vec![OrgRole { id: 9, name: "owner".into(), org_id: 1 }],
            ..alice.clone()
        };
        assert_eq!(alice, renamed);
        assert_ne!(alice, User { id: 2, ..alice.clone() });
    }
}
