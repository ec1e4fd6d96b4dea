//! Differential test of `tests/policies/gdrive.polar`: ReBAC in the style of Google Drive,
//! with recursive roles through resource blocks (folders in folders, teams in teams, documents
//! in folders), two actor types (`User`, `Service`) under the `Actor` union, `Resource` as a
//! specializer, dictionary patterns over grants, a rule call on a field lookup.
//!
//! Worlds hold nested values (a folder owns a copy of its parent, a team copies of its
//! subteams). Every (actor, action, resource) is asked with `is_allowed`, and every (actor,
//! resource) with `authorized_actions`, and compared strictly with Oso 0.27.3.

mod drt_support;

use std::collections::BTreeSet;

use drt_support::{Strict, Tally, config, failure};
use proptest::prelude::*;
use proptest::sample::Index;

const POLICY: &str = include_str!("../policies/gdrive.polar");
const ACTIONS: [&str; 9] =
    ["read", "comment", "write", "share", "delete", "index", "viewer", "member", "fly"];

mod compiled {
    use std::collections::BTreeSet;

    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Grant {
        pub kind: String,
        pub id: u32,
        pub role: String,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct User {
        pub id: u32,
        pub active: bool,
        pub grants: Vec<Grant>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Service {
        pub name: String,
        pub active: bool,
        pub indexer: bool,
        pub scopes: BTreeSet<u32>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Team {
        pub id: u32,
        pub subteams: Vec<Team>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Folder {
        pub id: u32,
        pub parent: Option<Box<Folder>>,
        pub teams: Vec<Team>,
        pub creator: u32,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Document {
        pub id: u32,
        pub folder: Folder,
        pub creator: u32,
        pub public: bool,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/gdrive.polar");
    }
}

use compiled::{Document, Folder, Grant, Service, Team, User};

to_rust_struct!(
    Grant { kind, id, role }
    User { id, active, grants }
    Service { name, active, indexer, scopes }
    Team { id, subteams }
    Folder { id, parent, teams, creator }
    Document { id, folder, creator, public }
    World { users, services, teams, folders, documents }
);

mod oso_side {
    use std::collections::BTreeSet;

    use oso::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct Grant {
        #[polar(attribute)]
        pub kind: String,
        #[polar(attribute)]
        pub id: u32,
        #[polar(attribute)]
        pub role: String,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub id: u32,
        #[polar(attribute)]
        pub active: bool,
        #[polar(attribute)]
        pub grants: Vec<Grant>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Service {
        #[polar(attribute)]
        pub name: String,
        #[polar(attribute)]
        pub active: bool,
        #[polar(attribute)]
        pub indexer: bool,
        #[polar(attribute)]
        pub scopes: BTreeSet<u32>,
    }

    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Team {
        #[polar(attribute)]
        pub id: u32,
        #[polar(attribute)]
        pub subteams: Vec<Team>,
    }

    /// `parent` is an attribute getter: Oso has no conversion for `Box`.
    #[derive(PolarClass, Clone, Debug, PartialEq)]
    pub struct Folder {
        #[polar(attribute)]
        pub id: u32,
        pub parent: Option<Box<Folder>>,
        #[polar(attribute)]
        pub teams: Vec<Team>,
        #[polar(attribute)]
        pub creator: u32,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Document {
        #[polar(attribute)]
        pub id: u32,
        #[polar(attribute)]
        pub folder: Folder,
        #[polar(attribute)]
        pub creator: u32,
        #[polar(attribute)]
        pub public: bool,
    }

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(Grant::get_polar_class()).unwrap();
        oso.register_class(User::get_polar_class()).unwrap();
        oso.register_class(Service::get_polar_class()).unwrap();
        oso.register_class(Team::get_polar_class_builder().with_equality_check().build()).unwrap();
        let folder = Folder::get_polar_class_builder()
            .with_equality_check()
            .add_attribute_getter("parent", |f: &Folder| f.parent.as_deref().cloned())
            .build();
        oso.register_class(folder).unwrap();
        oso.register_class(Document::get_polar_class()).unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }

    impl From<&super::Grant> for Grant {
        fn from(g: &super::Grant) -> Self {
            Grant { kind: g.kind.clone(), id: g.id, role: g.role.clone() }
        }
    }
    impl From<&super::User> for User {
        fn from(u: &super::User) -> Self {
            User { id: u.id, active: u.active, grants: u.grants.iter().map(Into::into).collect() }
        }
    }
    impl From<&super::Service> for Service {
        fn from(s: &super::Service) -> Self {
            Service { name: s.name.clone(), active: s.active, indexer: s.indexer, scopes: s.scopes.clone() }
        }
    }
    impl From<&super::Team> for Team {
        fn from(t: &super::Team) -> Self {
            Team { id: t.id, subteams: t.subteams.iter().map(Into::into).collect() }
        }
    }
    impl From<&super::Folder> for Folder {
        fn from(f: &super::Folder) -> Self {
            Folder {
                id: f.id,
                parent: f.parent.as_deref().map(|p| Box::new(p.into())),
                teams: f.teams.iter().map(Into::into).collect(),
                creator: f.creator,
            }
        }
    }
    impl From<&super::Document> for Document {
        fn from(d: &super::Document) -> Self {
            Document { id: d.id, folder: (&d.folder).into(), creator: d.creator, public: d.public }
        }
    }
}

#[derive(Clone, Debug)]
pub struct World {
    pub users: Vec<User>,
    pub services: Vec<Service>,
    pub teams: Vec<Team>,
    pub folders: Vec<Folder>,
    pub documents: Vec<Document>,
}

/// Ids 1-4 (a world has fewer of some kind, so some grants name nothing); role names of the
/// policy, mostly of the right kind.
fn grant() -> impl Strategy<Value = Grant> {
    let kind = prop::sample::select(vec!["folder", "team", "document", "Folder"]);
    let role =
        prop::sample::select(vec!["viewer", "member", "editor", "owner", "maintainer", "commenter", "read"]);
    (kind, 1u32..=4, role).prop_map(|(kind, id, role)| Grant { kind: kind.into(), id, role: role.into() })
}

/// Picks some of `from`, by value.
fn some_of<T: Clone>(picks: &[Index], from: &[T]) -> Vec<T> {
    if from.is_empty() { Vec::new() } else { picks.iter().map(|i| i.get(from).clone()).collect() }
}

fn world() -> impl Strategy<Value = World> {
    let users =
        prop::collection::vec((prop::bool::weighted(0.8), prop::collection::vec(grant(), 0..=3)), 1..=3);
    let scopes = prop::collection::btree_set(1u32..=4, 0..=2);
    let services = prop::collection::vec((any::<bool>(), any::<bool>(), scopes), 0..=2);
    let teams = prop::collection::vec(prop::collection::vec(any::<Index>(), 0..=2), 1..=3);
    let folders = prop::collection::vec(
        (prop::option::weighted(0.7, any::<Index>()), prop::collection::vec(any::<Index>(), 0..=1), 0u32..=4),
        1..=4,
    );
    let documents = prop::collection::vec((any::<Index>(), 0u32..=4, prop::bool::weighted(0.3)), 0..=3);
    (users, services, teams, folders, documents).prop_map(|(users, services, teams, folders, documents)| {
        let users: Vec<User> =
            users.into_iter().zip(1..).map(|((active, grants), id)| User { id, active, grants }).collect();
        let services = services
            .into_iter()
            .zip(["crawler", "backup"])
            .map(|((active, indexer, scopes), name)| Service { name: name.into(), active, indexer, scopes })
            .collect();
        let mut made_teams: Vec<Team> = Vec::new();
        for (subteams, id) in teams.into_iter().zip(1..) {
            let subteams = some_of(&subteams, &made_teams);
            made_teams.push(Team { id, subteams });
        }
        let mut made_folders: Vec<Folder> = Vec::new();
        for ((parent, teams, creator), id) in folders.into_iter().zip(1..) {
            let parent =
                parent.filter(|_| !made_folders.is_empty()).map(|p| Box::new(p.get(&made_folders).clone()));
            let teams = some_of(&teams, &made_teams);
            made_folders.push(Folder { id, parent, teams, creator });
        }
        let documents = documents
            .into_iter()
            .zip(1..)
            .map(|((folder, creator, public), id)| Document {
                id,
                folder: folder.get(&made_folders).clone(),
                creator,
                public,
            })
            .collect();
        World { users, services, teams: made_teams, folders: made_folders, documents }
    })
}

#[test]
fn gdrive_rebac_agrees_with_oso() {
    let oso = oso_side::oso();
    let tally = Tally::new("gdrive");
    // Oso takes about 1 ms a query here (recursive roles of three resource blocks).
    proptest!(config(60), |(world in world())| {
        tally.world();
        let w = &world;
        // No permission is declared on teams, so no `allow` rule takes one (asking would be a
        // build error): their recursive roles are asked directly.
        for (a, user) in w.users.iter().enumerate() {
            for (t, team) in w.teams.iter().enumerate() {
                for role in ["member", "maintainer", "viewer"] {
                    let args = (oso_side::User::from(user), role, oso_side::Team::from(team));
                    let theirs = drt_support::oso_holds(&oso, "has_role", args);
                    let mine = compiled::authz::rules::has_role(user, role, team);
                    let what = || format!("has_role(user {a}, {role:?}, team {t})");
                    tally.query(what, drt_support::ours(mine), theirs, Strict::Errors)
                        .map_err(|e| failure(e, w))?;
                }
            }
        }
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.folders => oso_side::Folder);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.users => oso_side::User, w.documents => oso_side::Document);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.services => oso_side::Service, w.folders => oso_side::Folder);
        compare_pairs!(compiled::authz, oso, tally, w, ACTIONS, w.services => oso_side::Service, w.documents => oso_side::Document);
    });
    tally.report();
    assert!(tally.several() > 0);
}

/// Hand-picked: roles flow down two folder levels and through two team levels.
#[test]
fn nested_folders_and_teams() {
    use compiled::authz::is_allowed;
    let inner = Team { id: 1, subteams: vec![] };
    let outer = Team { id: 2, subteams: vec![inner.clone()] };
    let root = Folder { id: 1, parent: None, teams: vec![outer.clone()], creator: 0 };
    let mid = Folder { id: 2, parent: Some(Box::new(root.clone())), teams: vec![], creator: 0 };
    let leaf = Folder { id: 3, parent: Some(Box::new(mid.clone())), teams: vec![], creator: 0 };
    let doc = Document { id: 1, folder: leaf.clone(), creator: 0, public: false };
    let grant = |kind: &str, id, role: &str| Grant { kind: kind.into(), id, role: role.into() };
    let member = User { id: 1, active: true, grants: vec![grant("team", 1, "member")] };
    // A member of the inner team is a member of the outer one, an editor of the root folder,
    // and so of everything below it.
    assert!(is_allowed(&member, "write", &doc));
    assert!(!is_allowed(&member, "delete", &doc));
    let maintainer = User { id: 2, active: true, grants: vec![grant("team", 2, "maintainer")] };
    assert!(is_allowed(&maintainer, "delete", &doc));
    let viewer = User { id: 3, active: true, grants: vec![grant("folder", 2, "viewer")] };
    assert!(is_allowed(&viewer, "read", &leaf) && !is_allowed(&viewer, "read", &root));
    let crawler =
        Service { name: "crawler".into(), active: true, indexer: true, scopes: BTreeSet::from([3]) };
    assert!(is_allowed(&crawler, "index", &doc));
    assert!(!is_allowed(&crawler, "index", &Document { folder: mid, ..doc }));
}
