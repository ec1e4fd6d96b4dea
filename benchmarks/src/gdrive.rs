//! Google Drive, from Cedar's OOPSLA 2024 benchmarks: users in groups, documents in folders,
//! folders in folders (a DAG). A user may read a public document, or one they or one of their
//! groups may view (directly or through an enclosing folder, transitively); owners of a
//! document or of an enclosing folder may read, write and share it; a document's owner may
//! change its owner; a folder's owner may create documents in it.
//!
//! - Polar: `policies/gdrive.polar`, compiled by `polar!` into [`authz`];
//! - hand-written: [`hand`];
//! - Cedar: its own `policies/cedar/gdrive.cedar` and schema, entities as its generator builds
//!   them (a `View` entity per user and per group; documents and folders are members of the
//!   views that may see them, a group's view is a member of each member's view).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::MAX_QUERIES;
use crate::cedar::{CedarSide, SchemaSource, entity, euid};
use crate::rng::{Rng, sample};
use crate::workload::{self, Engines, Generated, Typed, answer_typed, by_type, queries_of};

pub const DOCUMENT_ACTIONS: [&str; 4] = ["read", "write", "share", "changeOwner"];
pub const FOLDER_ACTIONS: [&str; 1] = ["createDocument"];

pub mod models {
    use std::sync::Arc;

    use polar_runtime::PolarClass;

    #[derive(PolarClass, Debug)]
    pub struct User {
        pub id: u32,
        pub groups: Vec<u32>,
        pub owned_documents: Vec<u32>,
        pub owned_folders: Vec<u32>,
    }

    /// A folder: the folders it is in, the users and groups that may view it.
    #[derive(PolarClass, Debug)]
    pub struct Folder {
        pub id: u32,
        pub parents: Vec<Arc<Folder>>,
        pub viewers: Vec<u32>,
        pub viewer_groups: Vec<u32>,
    }

    #[derive(PolarClass, Debug)]
    pub struct Document {
        pub id: u32,
        pub public: bool,
        pub folders: Vec<Arc<Folder>>,
        pub viewers: Vec<u32>,
        pub viewer_groups: Vec<u32>,
    }
}

/// `policies/gdrive.polar`, compiled.
pub mod authz {
    use super::models::*;

    polar_runtime::polar!(file = "policies/gdrive.polar");
}

/// The policy written by hand: walks of the folder DAG, as the policy's recursive rules.
pub mod hand {
    use super::models::{Document, Folder, User};

    use crate::workload::Allows;
    pub use crate::workload::hand_is_allowed as is_allowed;

    #[inline]
    fn may_view(user: &User, viewers: &[u32], viewer_groups: &[u32]) -> bool {
        viewers.contains(&user.id) || user.groups.iter().any(|g| viewer_groups.contains(g))
    }

    fn folder_viewable(user: &User, folder: &Folder) -> bool {
        may_view(user, &folder.viewers, &folder.viewer_groups)
            || folder.parents.iter().any(|parent| folder_viewable(user, parent))
    }

    fn owns_folder(user: &User, folder: &Folder) -> bool {
        user.owned_folders.contains(&folder.id)
            || folder.parents.iter().any(|parent| owns_folder(user, parent))
    }

    #[inline]
    fn owns(user: &User, doc: &Document) -> bool {
        user.owned_documents.contains(&doc.id) || doc.folders.iter().any(|folder| owns_folder(user, folder))
    }

    impl Allows<User> for Document {
        fn allows(&self, user: &User, action: &str) -> bool {
            match action {
                "read" => {
                    self.public
                        || may_view(user, &self.viewers, &self.viewer_groups)
                        || self.folders.iter().any(|folder| folder_viewable(user, folder))
                        || owns(user, self)
                }
                "write" | "share" => owns(user, self),
                "changeOwner" => user.owned_documents.contains(&self.id),
                _ => false,
            }
        }
    }

    impl Allows<User> for Folder {
        fn allows(&self, user: &User, action: &str) -> bool {
            action == "createDocument" && user.owned_folders.contains(&self.id)
        }
    }
}

mod oso_side {
    use oso::PolarClass;

    #[derive(PolarClass, Clone)]
    pub struct User {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub groups: Vec<i64>,
        #[polar(attribute)]
        pub owned_documents: Vec<i64>,
        #[polar(attribute)]
        pub owned_folders: Vec<i64>,
    }

    #[derive(PolarClass, Clone)]
    pub struct Folder {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub parents: Vec<Folder>,
        #[polar(attribute)]
        pub viewers: Vec<i64>,
        #[polar(attribute)]
        pub viewer_groups: Vec<i64>,
    }

    #[derive(PolarClass, Clone)]
    pub struct Document {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub public: bool,
        #[polar(attribute)]
        pub folders: Vec<Folder>,
        #[polar(attribute)]
        pub viewers: Vec<i64>,
        #[polar(attribute)]
        pub viewer_groups: Vec<i64>,
    }

    use super::models as m;

    fn ids(v: &[u32]) -> Vec<i64> {
        v.iter().map(|&i| i.into()).collect()
    }

    pub fn user(u: &m::User) -> User {
        User {
            id: u.id.into(),
            groups: ids(&u.groups),
            owned_documents: ids(&u.owned_documents),
            owned_folders: ids(&u.owned_folders),
        }
    }

    pub fn folder(f: &m::Folder) -> Folder {
        Folder {
            id: f.id.into(),
            parents: f.parents.iter().map(|p| folder(p)).collect(),
            viewers: ids(&f.viewers),
            viewer_groups: ids(&f.viewer_groups),
        }
    }

    pub fn document(d: &m::Document) -> Document {
        Document {
            id: d.id.into(),
            public: d.public,
            folders: d.folders.iter().map(|f| folder(f)).collect(),
            viewers: ids(&d.viewers),
            viewer_groups: ids(&d.viewer_groups),
        }
    }

    pub fn oso(policy: &str) -> oso::Oso {
        let classes = [User::get_polar_class(), Folder::get_polar_class(), Document::get_polar_class()];
        crate::workload::oso(classes, policy)
    }
}

/// A generated world: `n` users, groups, documents and folders.
pub struct World {
    pub users: Vec<models::User>,
    pub groups: usize,
    pub folders: Vec<Arc<models::Folder>>,
    pub documents: Vec<models::Document>,
}

/// The paper's generator, in Rust: each possible edge with probability `p` (0.05 in the
/// paper), half the
/// documents public; folders only nest into lower-numbered folders (a DAG).
pub fn generate(n: usize, p: f64, rng: &mut Rng) -> World {
    use models::*;
    let some = |rng: &mut Rng, n: usize| -> Vec<u32> { (0..n as u32).filter(|_| rng.chance(p)).collect() };
    let users = (0..n)
        .map(|i| User {
            id: i as u32,
            groups: some(rng, n),
            owned_documents: some(rng, n),
            owned_folders: some(rng, n),
        })
        .collect();
    let mut folders: Vec<Arc<Folder>> = Vec::new();
    for i in 0..n {
        let parents = some(rng, i).into_iter().map(|j| folders[j as usize].clone()).collect();
        let (viewers, viewer_groups) = (some(rng, n), some(rng, n));
        folders.push(Arc::new(Folder { id: i as u32, parents, viewers, viewer_groups }));
    }
    let documents = (0..n)
        .map(|i| Document {
            id: i as u32,
            public: rng.chance(0.5),
            folders: some(rng, n).into_iter().map(|j| folders[j as usize].clone()).collect(),
            viewers: some(rng, n),
            viewer_groups: some(rng, n),
        })
        .collect();
    World { users, groups: n, folders, documents }
}

/// The world as Cedar's generator writes it.
fn cedar_entities(w: &World) -> Vec<Value> {
    let mut out = Vec::new();
    let user_view = |u: u32| euid("View", format!("User user_{u}"));
    let group_view = |g: u32| euid("View", format!("Group group_{g}"));
    for u in &w.users {
        let attrs = json!({
            "documentsAndFoldersWithViewAccess": user_view(u.id),
            "ownedDocuments": u.owned_documents.iter().map(|d| euid("Document", format!("doc_{d}"))).collect::<Vec<_>>(),
            "ownedFolders": u.owned_folders.iter().map(|f| euid("Folder", format!("folder_{f}"))).collect::<Vec<_>>(),
        });
        let parents = u.groups.iter().map(|g| euid("Group", format!("group_{g}"))).collect();
        out.push(entity("User", format!("user_{}", u.id), attrs, parents));
        out.push(entity("View", format!("User user_{}", u.id), json!({}), vec![]));
    }
    for g in 0..w.groups as u32 {
        let members = w.users.iter().filter(|u| u.groups.contains(&g)).map(|u| user_view(u.id)).collect();
        out.push(entity("Group", format!("group_{g}"), json!({}), vec![]));
        out.push(entity("View", format!("Group group_{g}"), json!({}), members));
    }
    let views = |viewers: &[u32], groups: &[u32]| -> Vec<Value> {
        viewers.iter().map(|&u| user_view(u)).chain(groups.iter().map(|&g| group_view(g))).collect()
    };
    for d in &w.documents {
        let parents = d
            .folders
            .iter()
            .map(|f| euid("Folder", format!("folder_{}", f.id)))
            .chain(views(&d.viewers, &d.viewer_groups))
            .collect();
        out.push(entity("Document", format!("doc_{}", d.id), json!({ "isPublic": d.public }), parents));
    }
    for f in &w.folders {
        let parents = f
            .parents
            .iter()
            .map(|p| euid("Folder", format!("folder_{}", p.id)))
            .chain(views(&f.viewers, &f.viewer_groups))
            .collect();
        out.push(entity("Folder", format!("folder_{}", f.id), json!({}), parents));
    }
    out
}

#[derive(Clone, Copy, Debug)]
pub enum Resource {
    Document(usize),
    Folder(usize),
}

impl workload::Resource for Resource {
    fn typed(self) -> (usize, usize) {
        match self {
            Resource::Document(d) => (0, d),
            Resource::Folder(f) => (1, f),
        }
    }
}

impl Generated for Resource {
    fn entity(self) -> (&'static str, String) {
        match self {
            Resource::Document(d) => ("Document", format!("doc_{d}")),
            Resource::Folder(f) => ("Folder", format!("folder_{f}")),
        }
    }
}

/// (user, action, document or folder), by index.
pub type Query = workload::Query<Resource>;

pub struct Gdrive {
    n: usize,
    pub world: World,
    /// Sorted by resource type.
    pub queries: Vec<Query>,
    /// `queries` split by resource type.
    by_type: [Typed; 2],
    oso: oso::Oso,
    oso_users: Vec<oso_side::User>,
    oso_documents: Vec<oso_side::Document>,
    oso_folders: Vec<oso_side::Folder>,
    cedar: CedarSide,
}

impl Gdrive {
    /// The paper's world: `n` entities per type, each edge with probability
    /// [`CONNECTION_PROBABILITY`](crate::CONNECTION_PROBABILITY).
    pub fn new(n: usize, seed: u64) -> Self {
        Self::with(n, crate::CONNECTION_PROBABILITY, seed)
    }

    /// A world with `n` entities per type and edges with probability `p`.
    pub fn with(n: usize, p: f64, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let world = generate(n, p, &mut rng);
        let mut all = Vec::new();
        for user in 0..n {
            all.extend(queries_of(user, &DOCUMENT_ACTIONS, (0..n).map(Resource::Document)));
            all.extend(queries_of(user, &FOLDER_ACTIONS, (0..n).map(Resource::Folder)));
        }
        let mut queries = sample(all, MAX_QUERIES, &mut rng);
        let by_type = by_type(&mut queries);
        let cedar = CedarSide::new(
            include_str!("../policies/cedar/gdrive.cedar"),
            SchemaSource::Json(include_str!("../policies/cedar/gdrive.cedarschema.json")),
            cedar_entities(&world),
            workload::cedar_requests(&queries),
        );
        Gdrive {
            n,
            oso: oso_side::oso(include_str!("../policies/gdrive.polar")),
            oso_users: world.users.iter().map(oso_side::user).collect(),
            oso_documents: world.documents.iter().map(oso_side::document).collect(),
            oso_folders: world.folders.iter().map(|f| oso_side::folder(f)).collect(),
            world,
            queries,
            by_type,
            cedar,
        }
    }
}

impl Engines for Gdrive {
    type Query = Query;

    fn names(&self) -> (String, String) {
        workload::per_type("gdrive", self.n)
    }

    fn query_list(&self) -> &[Query] {
        &self.queries
    }

    fn typed_answers(&self, compiled: bool, mut answer: impl FnMut(bool)) {
        let (w, [documents, folders]) = (&self.world, &self.by_type);
        let (document, folder) = (|i: usize| &w.documents[i], |i: usize| &*w.folders[i]);
        if compiled {
            answer_typed(documents, &w.users, document, |u, a, r| authz::is_allowed(u, a, r), &mut answer);
            answer_typed(folders, &w.users, folder, |u, a, r| authz::is_allowed(u, a, r), &mut answer);
        } else {
            answer_typed(documents, &w.users, document, hand::is_allowed, &mut answer);
            answer_typed(folders, &w.users, folder, hand::is_allowed, &mut answer);
        }
    }

    fn oso(&self, q: &Query) -> bool {
        let user = self.oso_users[q.user].clone();
        match q.resource {
            Resource::Document(d) => self.oso.is_allowed(user, q.action, self.oso_documents[d].clone()),
            Resource::Folder(f) => self.oso.is_allowed(user, q.action, self.oso_folders[f].clone()),
        }
        .expect("Oso answers")
    }

    fn cedar(&self) -> &CedarSide {
        &self.cedar
    }

    fn describe_query(&self, q: &Query) -> String {
        workload::describe_generated(q)
    }
}
