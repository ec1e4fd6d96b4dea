//! The classes of `polar_benches::scaling` as Oso 0.27.3 sees them, shared by `scaling.rs`,
//! `scaling_build.rs` and the tests of `src/scaling.rs` (each has `scaling` in scope). Ids are
//! `i64`: Oso's Rust host has no conversion for `u64`.
//!
//! `Folder` is a cheap handle (an `Arc`) with attribute getters: a derived attribute would
//! clone the whole chain of parents on every `folder.parents` lookup, which would make Oso
//! quadratic in the depth for a reason that has nothing to do with Polar.

use std::sync::Arc;

use oso::PolarClass;

use super::scaling;

#[derive(PolarClass, Clone)]
pub struct User {
    #[polar(attribute)]
    pub name: String,
    #[polar(attribute)]
    pub roles: Vec<Role>,
}

#[derive(PolarClass, Clone)]
pub struct Role {
    #[polar(attribute)]
    pub name: String,
    #[polar(attribute)]
    pub resource_id: i64,
}

#[derive(PolarClass, Clone, PartialEq)]
pub struct Org {
    #[polar(attribute)]
    pub id: i64,
}

#[derive(PolarClass, Clone, PartialEq)]
pub struct Repo {
    #[polar(attribute)]
    pub id: i64,
    #[polar(attribute)]
    pub org: Org,
}

#[derive(Clone)]
pub struct Folder(Arc<FolderData>);

pub struct FolderData {
    id: i64,
    parents: Vec<Folder>,
}

impl PolarClass for Folder {}

/// An Oso with the classes registered and `policy` loaded.
pub fn oso(policy: &str) -> oso::Oso {
    let mut oso = oso::Oso::new();
    oso.register_class(User::get_polar_class()).unwrap();
    oso.register_class(Role::get_polar_class()).unwrap();
    // `org = repo.org` compares organizations.
    oso.register_class(Org::get_polar_class_builder().with_equality_check().build()).unwrap();
    oso.register_class(Repo::get_polar_class_builder().with_equality_check().build()).unwrap();
    oso.register_class(
        Folder::get_polar_class_builder()
            .add_attribute_getter("id", |f| f.0.id)
            .add_attribute_getter("parents", |f| f.0.parents.clone())
            .build(),
    )
    .unwrap();
    oso.load_str(policy).unwrap();
    oso
}

fn id(id: u64) -> i64 {
    i64::try_from(id).expect("the benchmarks' ids fit in i64")
}

impl From<&scaling::User> for User {
    fn from(u: &scaling::User) -> Self {
        User { name: u.name.clone(), roles: u.roles.iter().map(Into::into).collect() }
    }
}

impl From<&scaling::Role> for Role {
    fn from(r: &scaling::Role) -> Self {
        Role { name: r.name.clone(), resource_id: id(r.resource_id) }
    }
}

impl From<&scaling::Org> for Org {
    fn from(o: &scaling::Org) -> Self {
        Org { id: id(o.id) }
    }
}

impl From<&scaling::Repo> for Repo {
    fn from(r: &scaling::Repo) -> Self {
        Repo { id: id(r.id), org: (&r.org).into() }
    }
}

impl From<&scaling::Folder> for Folder {
    fn from(f: &scaling::Folder) -> Self {
        Folder(Arc::new(FolderData { id: id(f.id), parents: f.parents.iter().map(Into::into).collect() }))
    }
}
