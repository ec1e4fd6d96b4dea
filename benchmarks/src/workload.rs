//! What the workloads share: queries by index, their split by resource type for the typed
//! loops of the compiled and hand-written checks, the Cedar requests and Oso of the generated
//! worlds, and [`Workload`] itself, which follows from each engine's answers ([`Engines`]).
//! Each workload module keeps its policy, its world and how each engine reads it.

use std::hint::black_box;

use cedar_policy::EntityUid;

use crate::cedar::{CedarSide, uid};
use crate::{Engine, Workload};

/// (user, action, resource), by index.
#[derive(Clone, Copy, Debug)]
pub struct Query<R> {
    pub user: usize,
    pub action: &'static str,
    pub resource: R,
}

/// A resource of a query: which of the workload's resource types it is of and its index among
/// the resources of that type.
pub trait Resource: Copy {
    /// (the position of its type, its index); queries are sorted by the first.
    fn typed(self) -> (usize, usize);
}

/// A resource of a generated world, whose Cedar entity id follows from its index.
pub trait Generated: Resource {
    /// Its Cedar entity type and id, e.g. `("Document", "doc_3")`.
    fn entity(self) -> (&'static str, String);
}

/// Queries on one resource type, by index: (principal, action, resource). Compiled and
/// hand-written checks run one loop per resource type, as call sites with a static resource
/// type do in an application (a loop dispatching on the type of each query hides the policy
/// from LLVM's inliner differently for the two, see BENCHMARKS.md).
pub type Typed = Vec<(usize, &'static str, usize)>;

/// Every query of `user` with one of `actions` on one of `resources`, by action then resource.
pub fn queries_of<R: Copy>(
    user: usize,
    actions: &[&'static str],
    resources: impl Iterator<Item = R> + Clone,
) -> impl Iterator<Item = Query<R>> {
    actions
        .iter()
        .flat_map(move |&action| resources.clone().map(move |resource| Query { user, action, resource }))
}

/// Sorts `queries` by resource type (keeping their order within a type) and splits them into
/// the `K` types' typed loops.
pub fn by_type<R: Resource, const K: usize>(queries: &mut [Query<R>]) -> [Typed; K] {
    queries.sort_by_key(|q| q.resource.typed().0);
    std::array::from_fn(|kind| {
        queries
            .iter()
            .filter_map(|q| {
                let (k, index) = q.resource.typed();
                (k == kind).then_some((q.user, q.action, index))
            })
            .collect()
    })
}

/// Answers the queries of one resource type with `check`, in order, every argument passed
/// through `black_box` so that no work is hoisted out of the timed loop.
#[inline]
pub fn answer_typed<'w, U: 'w, R: ?Sized + 'w>(
    queries: &Typed,
    users: &'w [U],
    resource: impl Fn(usize) -> &'w R,
    check: impl Fn(&U, &str, &R) -> bool,
    answer: &mut impl FnMut(bool),
) {
    for &(u, action, r) in queries {
        answer(check(black_box(&users[u]), black_box(action), black_box(resource(r))));
    }
}

/// The Cedar requests of queries on a generated world, whose users are `User::"user_N"`.
pub fn cedar_requests<R: Generated>(
    queries: &[Query<R>],
) -> impl Iterator<Item = (EntityUid, &'static str, EntityUid)> + '_ {
    queries.iter().map(|q| {
        let (ty, id) = q.resource.entity();
        (uid("User", &format!("user_{}", q.user)), q.action, uid(ty, &id))
    })
}

/// A query on a generated world in words, for disagreement reports.
pub fn describe_generated<R: Generated>(q: &Query<R>) -> String {
    format!("user_{} {} {}", q.user, q.action, q.resource.entity().1)
}

/// `Workload::id` and `Workload::description` of the OOPSLA app `app` with `n` entities per type.
pub fn per_type(app: &str, n: usize) -> (String, String) {
    (format!("{app}-{n}"), format!("{app}, {n} per type"))
}

/// A resource of a hand-written policy: what `user` may do with it.
pub trait Allows<U> {
    fn allows(&self, user: &U, action: &str) -> bool;
}

/// `is_allowed` of a hand-written policy, over its resource types' [`Allows`].
#[inline]
pub fn hand_is_allowed<U, R: Allows<U> + ?Sized>(user: &U, action: &str, resource: &R) -> bool {
    resource.allows(user, action)
}

/// Oso with `classes` registered and `policy` loaded.
pub fn oso(classes: impl IntoIterator<Item = oso::Class>, policy: &str) -> oso::Oso {
    let mut oso = oso::Oso::new();
    for class in classes {
        oso.register_class(class).expect("Oso registers the class");
    }
    oso.load_str(policy).expect("Oso loads the policy");
    oso
}

/// What a workload is made of; [`Workload`] follows from it.
pub trait Engines {
    type Query;

    /// `Workload::id` and `Workload::description`.
    fn names(&self) -> (String, String);
    fn query_list(&self) -> &[Self::Query];
    /// Every query's compiled (`true`) or hand-written (`false`) answer, in the order of
    /// `query_list`, by the typed loops the benchmark times.
    fn typed_answers(&self, compiled: bool, answer: impl FnMut(bool));
    /// Oso's answer; its time includes cloning the Oso-side structs (it takes its arguments
    /// by value) and converting them to Polar values.
    fn oso(&self, q: &Self::Query) -> bool;
    fn cedar(&self) -> &CedarSide;
    /// A query in words, for disagreement reports.
    fn describe_query(&self, q: &Self::Query) -> String;
}

impl<T: Engines> Workload for T {
    fn id(&self) -> String {
        self.names().0
    }

    fn description(&self) -> String {
        self.names().1
    }

    fn queries(&self) -> usize {
        self.query_list().len()
    }

    fn run(&self, engine: Engine) -> usize {
        match engine {
            Engine::Compiled | Engine::Hand => {
                let mut allowed = 0;
                self.typed_answers(engine == Engine::Compiled, |a| allowed += usize::from(a));
                allowed
            }
            Engine::Oso => {
                let mut allowed = 0;
                for q in self.query_list() {
                    allowed += usize::from(self.oso(black_box(q)));
                }
                allowed
            }
            Engine::Cedar => self.cedar().run(),
        }
    }

    fn answers(&self, engine: Engine) -> Vec<bool> {
        match engine {
            Engine::Compiled | Engine::Hand => {
                let mut answers = Vec::new();
                self.typed_answers(engine == Engine::Compiled, |a| answers.push(a));
                answers
            }
            Engine::Oso => self.query_list().iter().map(|q| self.oso(q)).collect(),
            Engine::Cedar => self.cedar().answers(),
        }
    }

    fn describe(&self, i: usize) -> String {
        self.describe_query(&self.query_list()[i])
    }
}
