//! The Oso side of the GitClub comparisons (`tests/gitclub_vs_oso.rs`, `benches/gitclub.rs`):
//! separate types registered under the policy's class names, converted from `gitclub::models`.
//! Ids are `i64`: Oso's Rust host has no conversion for `u64`.

use oso::{Oso, PolarClass};

#[derive(Clone, PartialEq, PolarClass)]
pub struct User {
    #[polar(attribute)]
    pub name: String,
    #[polar(attribute)]
    pub org_roles: Vec<OrgRole>,
    #[polar(attribute)]
    pub repo_roles: Vec<RepoRole>,
}

#[derive(Clone, PartialEq, PolarClass)]
pub struct OrgRole {
    #[polar(attribute)]
    pub name: String,
    #[polar(attribute)]
    pub org_id: i64,
}

#[derive(Clone, PartialEq, PolarClass)]
pub struct RepoRole {
    #[polar(attribute)]
    pub name: String,
    #[polar(attribute)]
    pub repo_id: i64,
}

#[derive(Clone, PartialEq, PolarClass)]
pub struct Org {
    #[polar(attribute)]
    pub id: i64,
    #[polar(attribute)]
    pub name: String,
}

#[derive(Clone, PartialEq, PolarClass)]
pub struct Repo {
    #[polar(attribute)]
    pub id: i64,
    #[polar(attribute)]
    pub name: String,
    #[polar(attribute)]
    pub org: Org,
    #[polar(attribute)]
    pub public: bool,
}

#[derive(Clone, PolarClass)]
pub struct Issue {
    #[polar(attribute)]
    pub id: i64,
    #[polar(attribute)]
    pub title: String,
    #[polar(attribute)]
    pub repo: Repo,
    #[polar(attribute)]
    pub creator: User,
}

fn id(id: u64) -> i64 {
    i64::try_from(id).expect("test ids fit in i64")
}

impl From<&gitclub::models::User> for User {
    fn from(u: &gitclub::models::User) -> Self {
        User {
            name: u.name.clone(),
            org_roles: u
                .org_roles
                .iter()
                .map(|r| OrgRole { name: r.name.clone(), org_id: id(r.org_id) })
                .collect(),
            repo_roles: u
                .repo_roles
                .iter()
                .map(|r| RepoRole { name: r.name.clone(), repo_id: id(r.repo_id) })
                .collect(),
        }
    }
}

impl From<&gitclub::models::Org> for Org {
    fn from(o: &gitclub::models::Org) -> Self {
        Org { id: id(o.id), name: o.name.clone() }
    }
}

impl From<&gitclub::models::Repo> for Repo {
    fn from(r: &gitclub::models::Repo) -> Self {
        Repo { id: id(r.id), name: r.name.clone(), org: (&r.org).into(), public: r.public }
    }
}

impl From<&gitclub::models::Issue> for Issue {
    fn from(i: &gitclub::models::Issue) -> Self {
        Issue { id: id(i.id), title: i.title.clone(), repo: (&i.repo).into(), creator: (&i.creator).into() }
    }
}

/// An Oso with the classes registered and the policy loaded.
pub fn oso(policy: &str) -> Oso {
    let mut oso = Oso::new();
    oso.register_class(User::get_polar_class_builder().with_equality_check().build()).unwrap();
    oso.register_class(OrgRole::get_polar_class_builder().with_equality_check().build()).unwrap();
    oso.register_class(RepoRole::get_polar_class_builder().with_equality_check().build()).unwrap();
    oso.register_class(Org::get_polar_class_builder().with_equality_check().build()).unwrap();
    oso.register_class(Repo::get_polar_class_builder().with_equality_check().build()).unwrap();
    oso.register_class(Issue::get_polar_class()).unwrap();
    oso.load_str(policy).expect("Oso loads the GitClub policy");
    oso
}
