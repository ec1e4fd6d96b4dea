//! TinyTodo, from Cedar's OOPSLA 2024 benchmarks: users in teams (nested, a DAG), task lists
//! with an owner, a team of readers and a team of editors. Anyone may create a list and see
//! their lists; the owner may do anything with a list; readers and editors may see it, editors
//! update it and its tasks. (Cedar's file keeps the `forbid` for interns commented out, as the
//! benchmarks ran it, so every Cedar policy here is a `permit`.)
//!
//! - Polar: `policies/tinytodo.polar`, compiled by `polar!` into [`authz`];
//! - hand-written: [`hand`];
//! - Cedar: its own `policies/cedar/tinytodo.cedar` and schema, entities as its generator
//!   builds them (team memberships as the hierarchy, random tasks on each list).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::MAX_QUERIES;
use crate::cedar::{CedarSide, SchemaSource, entity, euid};
use crate::rng::{Rng, sample};
use crate::workload::{self, Engines, Generated, Typed, answer_typed, by_type, queries_of};

pub const APPLICATION_ACTIONS: [&str; 2] = ["CreateList", "GetLists"];
pub const LIST_ACTIONS: [&str; 7] =
    ["GetList", "UpdateList", "DeleteList", "CreateTask", "UpdateTask", "DeleteTask", "EditShares"];

pub mod models {
    use std::sync::Arc;

    use polar_runtime::PolarClass;

    /// The application itself, the resource of "CreateList" and "GetLists".
    #[derive(PolarClass, Debug)]
    pub struct Application {
        pub name: String,
    }

    #[derive(PolarClass, Debug)]
    pub struct User {
        pub id: u32,
        pub teams: Vec<Arc<Team>>,
    }

    /// A team and the teams it is in.
    #[derive(PolarClass, Debug)]
    pub struct Team {
        pub id: u32,
        pub parents: Vec<Arc<Team>>,
    }

    #[derive(PolarClass, Debug)]
    pub struct Task {
        pub id: i64,
        pub name: String,
        pub state: String,
    }

    /// A task list (`List` is Polar's built-in class of lists): its owner (a user id), its
    /// readers and editors (team ids).
    #[derive(PolarClass, Debug)]
    pub struct TodoList {
        pub id: u32,
        pub name: String,
        pub owner: u32,
        pub readers: u32,
        pub editors: u32,
        pub tasks: Vec<Task>,
    }
}

/// `policies/tinytodo.polar`, compiled.
pub mod authz {
    use super::models::*;

    polar_runtime::polar!(file = "policies/tinytodo.polar");
}

/// The policy written by hand: a walk up the team DAG per team asked about.
pub mod hand {
    use super::models::{Application, Team, TodoList, User};

    use crate::workload::Allows;
    pub use crate::workload::hand_is_allowed as is_allowed;

    fn within(team: &Team, id: u32) -> bool {
        team.id == id || team.parents.iter().any(|parent| within(parent, id))
    }

    #[inline]
    fn in_team(user: &User, id: u32) -> bool {
        user.teams.iter().any(|team| within(team, id))
    }

    impl Allows<User> for Application {
        fn allows(&self, _: &User, action: &str) -> bool {
            matches!(action, "CreateList" | "GetLists")
        }
    }

    impl Allows<User> for TodoList {
        fn allows(&self, user: &User, action: &str) -> bool {
            // The owner may do anything, whatever the action.
            self.owner == user.id
                || match action {
                    "GetList" => in_team(user, self.readers) || in_team(user, self.editors),
                    "UpdateList" | "CreateTask" | "UpdateTask" | "DeleteTask" => in_team(user, self.editors),
                    _ => false,
                }
        }
    }
}

mod oso_side {
    use oso::PolarClass;

    #[derive(PolarClass, Clone)]
    pub struct Application {
        #[polar(attribute)]
        pub name: String,
    }

    #[derive(PolarClass, Clone)]
    pub struct User {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub teams: Vec<Team>,
    }

    #[derive(PolarClass, Clone)]
    pub struct Team {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub parents: Vec<Team>,
    }

    /// The tasks are left out: the policy does not read them, and Oso would pay for cloning
    /// them on every call.
    #[derive(PolarClass, Clone)]
    pub struct TodoList {
        #[polar(attribute)]
        pub id: i64,
        #[polar(attribute)]
        pub owner: i64,
        #[polar(attribute)]
        pub readers: i64,
        #[polar(attribute)]
        pub editors: i64,
    }

    use super::models as m;

    fn team(t: &m::Team) -> Team {
        Team { id: t.id.into(), parents: t.parents.iter().map(|p| team(p)).collect() }
    }

    pub fn user(u: &m::User) -> User {
        User { id: u.id.into(), teams: u.teams.iter().map(|t| team(t)).collect() }
    }

    pub fn list(l: &m::TodoList) -> TodoList {
        TodoList {
            id: l.id.into(),
            owner: l.owner.into(),
            readers: l.readers.into(),
            editors: l.editors.into(),
        }
    }

    pub fn oso(policy: &str) -> oso::Oso {
        let classes = [
            Application::get_polar_class(),
            User::get_polar_class(),
            Team::get_polar_class(),
            TodoList::get_polar_class(),
        ];
        crate::workload::oso(classes, policy)
    }
}

/// A generated world: `n` users, teams and lists.
pub struct World {
    pub application: models::Application,
    pub users: Vec<models::User>,
    pub teams: Vec<Arc<models::Team>>,
    pub lists: Vec<models::TodoList>,
}

/// The paper's generator, in Rust: each membership with probability `p` (0.05 in the
/// paper), teams only nest
/// into lower-numbered teams (a DAG); each list has a random owner, reader team and editor
/// team, and up to 50 random tasks.
pub fn generate(n: usize, p: f64, rng: &mut Rng) -> World {
    use models::*;
    let mut teams: Vec<Arc<Team>> = Vec::new();
    for i in 0..n {
        let parents = (0..i).filter(|_| rng.chance(p)).map(|j| teams[j].clone()).collect();
        teams.push(Arc::new(Team { id: i as u32, parents }));
    }
    let users = (0..n)
        .map(|i| User {
            id: i as u32,
            teams: (0..n).filter(|_| rng.chance(p)).map(|j| teams[j].clone()).collect(),
        })
        .collect();
    let lists = (0..n)
        .map(|i| {
            let (owner, readers, editors) = (rng.below(n) as u32, rng.below(n) as u32, rng.below(n) as u32);
            let tasks = (0..rng.below(51))
                .map(|_| Task {
                    id: 1 + rng.below(1_000_000) as i64,
                    name: format!("task_{}", 1 + rng.below(1_000_000)),
                    state: if rng.chance(0.5) { "Checked" } else { "Unchecked" }.into(),
                })
                .collect();
            TodoList { id: i as u32, name: format!("list_{i}"), owner, readers, editors, tasks }
        })
        .collect();
    World { application: Application { name: "TinyTodo".into() }, users, teams, lists }
}

/// The world as Cedar's generator writes it.
fn cedar_entities(w: &World) -> Vec<Value> {
    let app = || euid("Application", "TinyTodo");
    let mut out = vec![entity("Application", "TinyTodo", json!({}), vec![])];
    for u in &w.users {
        let parents = u.teams.iter().map(|t| euid("Team", format!("team_{}", t.id))).chain([app()]).collect();
        out.push(entity("User", format!("user_{}", u.id), json!({}), parents));
    }
    for t in &w.teams {
        let parents =
            t.parents.iter().map(|p| euid("Team", format!("team_{}", p.id))).chain([app()]).collect();
        out.push(entity("Team", format!("team_{}", t.id), json!({}), parents));
    }
    for l in &w.lists {
        let attrs = json!({
            "name": l.name,
            "owner": euid("User", format!("user_{}", l.owner)),
            "readers": euid("Team", format!("team_{}", l.readers)),
            "editors": euid("Team", format!("team_{}", l.editors)),
            "tasks": l.tasks.iter().map(|t| json!({ "name": t.name, "id": t.id, "state": t.state })).collect::<Vec<_>>(),
        });
        out.push(entity("List", format!("list_{}", l.id), attrs, vec![app()]));
    }
    out
}

#[derive(Clone, Copy, Debug)]
pub enum Resource {
    Application,
    List(usize),
}

impl workload::Resource for Resource {
    fn typed(self) -> (usize, usize) {
        match self {
            Resource::Application => (0, 0),
            Resource::List(l) => (1, l),
        }
    }
}

impl Generated for Resource {
    fn entity(self) -> (&'static str, String) {
        match self {
            Resource::Application => ("Application", "TinyTodo".into()),
            Resource::List(l) => ("List", format!("list_{l}")),
        }
    }
}

/// (user, action, application or list), by index.
pub type Query = workload::Query<Resource>;

pub struct TinyTodo {
    n: usize,
    pub world: World,
    /// Sorted by resource type.
    pub queries: Vec<Query>,
    /// `queries` split by resource type.
    by_type: [Typed; 2],
    oso: oso::Oso,
    oso_application: oso_side::Application,
    oso_users: Vec<oso_side::User>,
    oso_lists: Vec<oso_side::TodoList>,
    cedar: CedarSide,
}

impl TinyTodo {
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
            all.extend(queries_of(user, &APPLICATION_ACTIONS, [Resource::Application].into_iter()));
            all.extend(queries_of(user, &LIST_ACTIONS, (0..n).map(Resource::List)));
        }
        let mut queries = sample(all, MAX_QUERIES, &mut rng);
        let by_type = by_type(&mut queries);
        let cedar = CedarSide::new(
            include_str!("../policies/cedar/tinytodo.cedar"),
            SchemaSource::Json(include_str!("../policies/cedar/tinytodo.cedarschema.json")),
            cedar_entities(&world),
            workload::cedar_requests(&queries),
        );
        Self {
            n,
            oso: oso_side::oso(include_str!("../policies/tinytodo.polar")),
            oso_application: oso_side::Application { name: world.application.name.clone() },
            oso_users: world.users.iter().map(oso_side::user).collect(),
            oso_lists: world.lists.iter().map(oso_side::list).collect(),
            world,
            queries,
            by_type,
            cedar,
        }
    }
}

impl Engines for TinyTodo {
    type Query = Query;

    fn names(&self) -> (String, String) {
        workload::per_type("tinytodo", self.n)
    }

    fn query_list(&self) -> &[Query] {
        &self.queries
    }

    fn typed_answers(&self, compiled: bool, mut answer: impl FnMut(bool)) {
        let (w, [applications, lists]) = (&self.world, &self.by_type);
        let (application, list) = (|_| &w.application, |i| &w.lists[i]);
        if compiled {
            answer_typed(
                applications,
                &w.users,
                application,
                |u, a, r| authz::is_allowed(u, a, r),
                &mut answer,
            );
            answer_typed(lists, &w.users, list, |u, a, r| authz::is_allowed(u, a, r), &mut answer);
        } else {
            answer_typed(applications, &w.users, application, hand::is_allowed, &mut answer);
            answer_typed(lists, &w.users, list, hand::is_allowed, &mut answer);
        }
    }

    fn oso(&self, q: &Query) -> bool {
        let user = self.oso_users[q.user].clone();
        match q.resource {
            Resource::Application => self.oso.is_allowed(user, q.action, self.oso_application.clone()),
            Resource::List(l) => self.oso.is_allowed(user, q.action, self.oso_lists[l].clone()),
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
