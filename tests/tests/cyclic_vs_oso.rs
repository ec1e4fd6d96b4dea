//! Differential test of `tests/policies/cyclic.polar`: recursive roles through resource blocks
//! (`"viewer" if "viewer" on "parent"`, `"member" if "member" on "subgroup"`) and plain
//! recursive rules, over graphs that may be CYCLIC (self-loops, two-node and longer cycles).
//!
//! Cycles cannot be built from owned Rust values, so the parents of a node and the subgroups
//! of a group are computed by methods from a shared world (`Arc<World>`, invisible to the
//! policy), on both sides.
//!
//! Both engines search depth first in the same order, so where a solution lies before the
//! first infinite branch both answer it, and where the search enters an infinite branch first
//! neither answers: the compiled policy fails with `RecursionLimit` (10,000 nested recursive
//! rule calls, on stack segments it grows) within milliseconds; Oso never reaches its goal-stack limit (10,000) on
//! these policies: it runs until its query timeout ("Query timeout", 30 s by default, 1 s
//! here through `POLAR_TIMEOUT_MS`), and on a thread with a 2 MiB stack it can overflow the
//! Rust stack first and abort the process (seen with the "audit" query on a self-loop). So the
//! queries the compiled policy cannot answer are asked to Oso only for a sample; every other
//! query is compared strictly (the same boolean, or an error on both sides).

mod drt_support;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;

use drt_support::{Strict, Tally, config, failure, oso_actions, our_set};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const POLICY: &str = include_str!("../policies/cyclic.polar");
const ACTIONS: [&str; 8] = ["read", "write", "audit", "trace", "leaf", "member", "viewer", "fly"];

/// The data of a node: its parents and groups are indices into the world.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    pub owner: u32,
    pub editors: Vec<u32>,
    pub parents: Vec<usize>,
    pub groups: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct GroupSpec {
    pub members: Vec<u32>,
    pub subgroups: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct UserSpec {
    pub id: u32,
    pub home: u32,
}

/// A world, and the graph both sides read.
#[derive(Clone, Debug)]
pub struct World {
    pub users: Vec<UserSpec>,
    pub nodes: Vec<NodeSpec>,
    pub groups: Vec<GroupSpec>,
}

to_rust_struct!(
    NodeSpec { owner, editors, parents, groups }
    GroupSpec { members, subgroups }
    UserSpec { id, home }
    World { users, nodes, groups }
);

impl World {
    /// Whether some node is its own ancestor or some group its own subgroup.
    fn has_cycle(&self) -> bool {
        fn cyclic(edges: &[Vec<usize>]) -> bool {
            // Depth-first search with colours: 1 on the stack, 2 done.
            fn visit(v: usize, edges: &[Vec<usize>], colour: &mut [u8]) -> bool {
                colour[v] = 1;
                for &w in &edges[v] {
                    if colour[w] == 1 || (colour[w] == 0 && visit(w, edges, colour)) {
                        return true;
                    }
                }
                colour[v] = 2;
                false
            }
            let mut colour = vec![0; edges.len()];
            (0..edges.len()).any(|v| colour[v] == 0 && visit(v, edges, &mut colour))
        }
        let parents: Vec<_> = self.nodes.iter().map(|n| n.parents.clone()).collect();
        let subgroups: Vec<_> = self.groups.iter().map(|g| g.subgroups.clone()).collect();
        cyclic(&parents) || cyclic(&subgroups)
    }
}

/// The methods of `Node` and `Group` on both sides, which read the same world alike: equality
/// by id, a node's parents and groups, a group's subgroups.
macro_rules! graph_methods {
    () => {
        impl PartialEq for Node {
            fn eq(&self, other: &Node) -> bool {
                self.id == other.id
            }
        }

        impl PartialEq for Group {
            fn eq(&self, other: &Group) -> bool {
                self.id == other.id
            }
        }

        impl Node {
            pub fn new(world: &Arc<World>, id: usize) -> Node {
                let spec = &world.nodes[id];
                Node { id: id as u32, owner: spec.owner, editors: spec.editors.clone(), world: world.clone() }
            }
            pub fn parents(&self) -> Vec<Node> {
                self.world.nodes[self.id as usize]
                    .parents
                    .iter()
                    .map(|&p| Node::new(&self.world, p))
                    .collect()
            }
            pub fn groups(&self) -> Vec<Group> {
                self.world.nodes[self.id as usize]
                    .groups
                    .iter()
                    .map(|&g| Group::new(&self.world, g))
                    .collect()
            }
        }

        impl Group {
            pub fn new(world: &Arc<World>, id: usize) -> Group {
                Group { id: id as u32, members: world.groups[id].members.clone(), world: world.clone() }
            }
            pub fn subgroups(&self) -> Vec<Group> {
                self.world.groups[self.id as usize]
                    .subgroups
                    .iter()
                    .map(|&g| Group::new(&self.world, g))
                    .collect()
            }
        }
    };
}

mod compiled {
    use std::sync::Arc;

    use polar_runtime::PolarClass;

    use super::World;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub id: u32,
        pub home: u32,
    }

    #[derive(PolarClass, Clone)]
    pub struct Node {
        pub id: u32,
        pub owner: u32,
        pub editors: Vec<u32>,
        #[polar(skip)]
        pub world: Arc<World>,
    }

    #[derive(PolarClass, Clone)]
    pub struct Group {
        pub id: u32,
        pub members: Vec<u32>,
        #[polar(skip)]
        pub world: Arc<World>,
    }

    graph_methods!();

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/cyclic.polar");
    }
}

mod oso_side {
    use std::sync::Arc;

    use oso::PolarClass;

    use super::World;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        #[polar(attribute)]
        pub id: u32,
        #[polar(attribute)]
        pub home: u32,
    }

    #[derive(PolarClass, Clone)]
    pub struct Node {
        #[polar(attribute)]
        pub id: u32,
        #[polar(attribute)]
        pub owner: u32,
        #[polar(attribute)]
        pub editors: Vec<u32>,
        pub world: Arc<World>,
    }

    #[derive(PolarClass, Clone)]
    pub struct Group {
        #[polar(attribute)]
        pub id: u32,
        #[polar(attribute)]
        pub members: Vec<u32>,
        pub world: Arc<World>,
    }

    graph_methods!();

    pub fn oso() -> oso::Oso {
        let mut oso = oso::Oso::new();
        oso.register_class(User::get_polar_class()).unwrap();
        let node = Node::get_polar_class_builder()
            .with_equality_check()
            .add_method("parents", |n: &Node| n.parents())
            .add_method("groups", |n: &Node| n.groups())
            .build();
        oso.register_class(node).unwrap();
        let group = Group::get_polar_class_builder()
            .with_equality_check()
            .add_method("subgroups", |g: &Group| g.subgroups())
            .build();
        oso.register_class(group).unwrap();
        oso.load_str(super::POLICY).unwrap();
        oso
    }
}

/// 1-5 nodes and 0-3 groups, 1-3 users with ids 1-3 (owners and members also name id 4,
/// which no user has). In half of the worlds edges point anywhere (self-loops and cycles
/// included), in the others only to earlier nodes and groups (a DAG).
fn world() -> impl Strategy<Value = World> {
    let id = || prop::sample::select(vec![1u32, 2, 3, 4]);
    let edges = || prop::collection::vec(any::<prop::sample::Index>(), 0..=2);
    let nodes = prop::collection::vec((id(), prop::collection::vec(id(), 0..=1), edges(), edges()), 1..=5);
    let groups = prop::collection::vec((prop::collection::vec(id(), 0..=2), edges()), 0..=3);
    let users = prop::collection::vec((id(), 0u32..5), 1..=3);
    (users, nodes, groups, any::<bool>()).prop_map(|(users, nodes, groups, anywhere)| {
        let (n_nodes, n_groups) = (nodes.len(), groups.len());
        // The targets of the edges of the `i`th of `n` nodes (or groups).
        let pick = |edges: Vec<prop::sample::Index>, i: usize, n: usize| -> Vec<usize> {
            let n = if anywhere { n } else { i };
            if n == 0 { Vec::new() } else { edges.into_iter().map(|e| e.index(n)).collect() }
        };
        World {
            users: users.into_iter().map(|(id, home)| UserSpec { id, home }).collect(),
            nodes: nodes
                .into_iter()
                .enumerate()
                .map(|(i, (owner, editors, parents, groups))| NodeSpec {
                    owner,
                    editors,
                    parents: pick(parents, i, n_nodes),
                    // Any group: this edge cannot make a cycle.
                    groups: if n_groups == 0 {
                        Vec::new()
                    } else {
                        groups.into_iter().map(|g| g.index(n_groups)).collect()
                    },
                })
                .collect(),
            groups: groups
                .into_iter()
                .enumerate()
                .map(|(i, (members, subgroups))| GroupSpec {
                    members,
                    subgroups: pick(subgroups, i, n_groups),
                })
                .collect(),
        }
    })
}

/// Oso's outcomes on the queries of cyclic worlds where the compiled policy reached its limit.
#[derive(Default)]
struct OsoOnCycles {
    outcomes: RefCell<BTreeMap<String, usize>>,
    /// Such queries not asked to Oso (each costs Oso's timeout).
    skipped: Cell<usize>,
}

impl OsoOnCycles {
    /// Whether to ask Oso one more query that the compiled policy could not answer.
    fn sample(&self) -> bool {
        let asked: usize = self.outcomes.borrow().values().sum();
        let ask = asked < oso_samples();
        if !ask {
            self.skipped.set(self.skipped.get() + 1);
        }
        ask
    }

    fn add<T: std::fmt::Debug>(&self, theirs: &Result<T, String>) {
        let key = match theirs {
            Ok(answer) => format!("answered {answer:?}"),
            // Without the query trace Oso appends, and the elapsed time.
            Err(e) => e.lines().next().unwrap_or("").split(": Query running").next().unwrap_or("").to_owned(),
        };
        *self.outcomes.borrow_mut().entry(key).or_default() += 1;
    }
}

/// How many queries that the compiled policy could not answer are asked to Oso
/// (`POLAR_DRT_CYCLIC_SAMPLES`, default 4).
fn oso_samples() -> usize {
    std::env::var("POLAR_DRT_CYCLIC_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(4)
}

/// Oso's timeout in this test: far above what any terminating query of these worlds takes,
/// and the time each sampled query on a cycle costs.
const OSO_TIMEOUT_MS: &str = "1000";

/// Compares the queries of every world. On a cyclic world a query the compiled policy could
/// not answer (its search entered a cycle; with at most five nodes, any deeper search has
/// repeated a call, and depth-first search then repeats it forever) is asked to Oso only for
/// the first `oso_samples()` of them: Oso loops until its timeout on them (and, on a thread
/// with a small stack, can overflow the Rust stack and abort the process, which is why this
/// test runs on a 1 GiB stack).
#[test]
fn cyclic_hierarchies_agree_with_oso() {
    // SAFETY: set before this test starts any thread, in a test binary whose only test this
    // is; Oso reads it when it starts each query.
    unsafe { std::env::set_var("POLAR_TIMEOUT_MS", OSO_TIMEOUT_MS) };
    let run = std::thread::Builder::new().stack_size(1 << 30).spawn(compare_worlds).unwrap();
    if let Err(panic) = run.join() {
        std::panic::resume_unwind(panic);
    }
}

fn compare_worlds() {
    let oso = oso_side::oso();
    let tally = Tally::new("cyclic");
    let on_cycles = OsoOnCycles::default();
    let (cyclic_worlds, our_limits) = (Cell::new(0usize), Cell::new(0usize));
    proptest!(config(60), |(world in world())| {
        tally.world();
        let cyclic = world.has_cycle();
        cyclic_worlds.set(cyclic_worlds.get() + usize::from(cyclic));
        let shared = Arc::new(world.clone());
        let users: Vec<_> = world.users.iter().map(|u| compiled::User { id: u.id, home: u.home }).collect();
        let nodes: Vec<_> = (0..world.nodes.len()).map(|i| compiled::Node::new(&shared, i)).collect();
        let groups: Vec<_> = (0..world.groups.len()).map(|i| compiled::Group::new(&shared, i)).collect();
        let oso_nodes: Vec<_> = (0..world.nodes.len()).map(|i| oso_side::Node::new(&shared, i)).collect();
        let oso_groups: Vec<_> = (0..world.groups.len()).map(|i| oso_side::Group::new(&shared, i)).collect();
        // Whether to ask Oso a query whose compiled answer is `ours`.
        let ask = |ours_failed: bool| -> Result<bool, TestCaseError> {
            if !ours_failed {
                return Ok(true);
            }
            our_limits.set(our_limits.get() + 1);
            if !cyclic {
                return Err(failure("the compiled policy failed on an acyclic world".into(), &world));
            }
            Ok(on_cycles.sample())
        };
        for u in &users {
            let ou = oso_side::User { id: u.id, home: u.home };
            for (i, n) in nodes.iter().enumerate() {
                let on = &oso_nodes[i];
                let mine = our_set(compiled::authz::try_authorized_action_names(u, n));
                if ask(mine.is_err())? {
                    let theirs = oso_actions(&oso, ou.clone(), on.clone());
                    if mine.is_err() { on_cycles.add(&theirs); }
                    let what = || format!("authorized_actions(user {}, node {i})", u.id);
                    tally.enumeration(what, mine, theirs).map_err(|e| failure(e, &world))?;
                }
                for action in ACTIONS {
                    let mine = drt_support::ours(compiled::authz::try_is_allowed(u, action, n));
                    if !ask(mine.is_err())? {
                        continue;
                    }
                    let theirs = drt_support::theirs(oso.is_allowed(ou.clone(), action, on.clone()));
                    if mine.is_err() { on_cycles.add(&theirs); }
                    let what = || format!("is_allowed(user {}, {action:?}, node {i})", u.id);
                    tally.action_query(action, what, mine, theirs, Strict::Errors).map_err(|e| failure(e, &world))?;
                }
            }
            for (i, g) in groups.iter().enumerate() {
                // No `allow` rule takes a group (asking would be a build error): its recursive
                // role is asked directly.
                let mine = drt_support::ours(compiled::authz::rules::has_role(u, "member", g));
                if !ask(mine.is_err())? {
                    continue;
                }
                let og = &oso_groups[i];
                let theirs = drt_support::oso_holds(&oso, "has_role", (ou.clone(), "member", og.clone()));
                if mine.is_err() { on_cycles.add(&theirs); }
                let what = || format!("has_role(user {}, \"member\", group {i})", u.id);
                tally.query(what, mine, theirs, Strict::Errors).map_err(|e| failure(e, &world))?;
            }
        }
    });
    tally.report();
    eprintln!(
        "cyclic: {} of the worlds have a cycle; the compiled policy reached its limit on {} queries; \
         {} of them not asked to Oso; Oso on the others:",
        cyclic_worlds.get(),
        our_limits.get(),
        on_cycles.skipped.get()
    );
    for (outcome, n) in on_cycles.outcomes.borrow().iter() {
        eprintln!("    {n:>6}  {outcome}");
    }
    assert!(our_limits.get() > 0, "cycles are exercised");
}

/// Regression: on a self-loop the compiled policy used to overflow a 2 MiB thread stack in a
/// debug build (an abort of the process) before its depth limit; recursive rule functions now
/// grow the stack onto new segments until the limit (`Cx::enter_recursive`).
#[test]
fn a_self_loop_fails_closed_on_a_small_stack() {
    let check = || {
        let world = World {
            users: vec![UserSpec { id: 1, home: 9 }],
            nodes: vec![NodeSpec { owner: 2, editors: vec![], parents: vec![0], groups: vec![] }],
            groups: vec![],
        };
        let shared = Arc::new(world);
        let (user, node) = (compiled::User { id: 1, home: 9 }, compiled::Node::new(&shared, 0));
        let limited = |r: Result<bool, polar_runtime::RuntimeError>| {
            matches!(r, Err(polar_runtime::RuntimeError::RecursionLimit { .. }))
        };
        for action in ["read", "audit", "trace", "leaf"] {
            assert!(limited(compiled::authz::try_is_allowed(&user, action, &node)), "{action}");
        }
        for action in ["write", "member", "fly"] {
            assert_eq!(compiled::authz::try_is_allowed(&user, action, &node), Ok(false), "{action}");
        }
        assert!(compiled::authz::try_authorized_action_names(&user, &node).is_err());
        assert!(compiled::authz::authorized_action_names(&user, &node).is_empty());
    };
    std::thread::Builder::new().stack_size(2 << 20).spawn(check).unwrap().join().unwrap();
}
