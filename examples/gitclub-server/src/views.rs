//! The JSON shapes of the items: what the caller sees of a row, and the `permissions` the
//! policy gives the caller on it.

use serde::Serialize;

use crate::authz;
use crate::models::{Issue, Org, Repo, User};

/// An item of `GET /users`.
#[derive(Serialize, Debug)]
pub struct UserView {
    /// What the `x-user` header names.
    pub name: String,
}

/// An organization.
#[derive(Serialize, Debug)]
pub struct OrgView {
    /// The key.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The actions the caller may perform on it.
    pub permissions: Vec<String>,
}

impl OrgView {
    /// The view of `org` for `caller`.
    pub fn new(caller: &User, org: &Org) -> Self {
        OrgView { id: org.id, name: org.name.clone(), permissions: authz::permissions(caller, org) }
    }
}

/// A repository.
#[derive(Serialize, Debug)]
pub struct RepoView {
    /// The key.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its organization.
    pub org_id: i64,
    /// Whether anyone may read it.
    pub public: bool,
    /// The actions the caller may perform on it.
    pub permissions: Vec<String>,
}

impl RepoView {
    /// The view of `repo` for `caller`.
    pub fn new(caller: &User, repo: &Repo) -> Self {
        RepoView {
            id: repo.id,
            name: repo.name.clone(),
            org_id: repo.org.id,
            public: repo.public,
            permissions: authz::permissions(caller, repo),
        }
    }
}

/// An issue.
#[derive(Serialize, Debug)]
pub struct IssueView {
    /// The key.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its repository.
    pub repo_id: i64,
    /// The name of the user who opened it.
    pub creator: String,
    /// Whether it was closed.
    pub closed: bool,
    /// The actions the caller may perform on it.
    pub permissions: Vec<String>,
}

impl IssueView {
    /// The view of `issue` for `caller`.
    pub fn new(caller: &User, issue: &Issue) -> Self {
        IssueView {
            id: issue.id,
            title: issue.title.clone(),
            repo_id: issue.repo.id,
            creator: issue.creator.name.clone(),
            closed: issue.closed,
            permissions: authz::permissions(caller, issue),
        }
    }
}
