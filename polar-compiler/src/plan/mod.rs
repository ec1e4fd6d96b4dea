//! The plan: the middle layer between the validated program and every back end.
//!
//! Each clause becomes a tree of explicit operations over numbered slots (`build.rs`):
//! parameters are the slots `p0..pn`, every Polar variable and every value Oso's rewriter
//! hoists (lookups, method calls, arithmetic) gets a slot of its own, and each goal says what
//! it does: test, bind, look up, iterate, call, choose, negate, cut, `forall`. Each rule then
//! gets facts computed by analyses over the rule graph (`analysis.rs`): whether it is
//! recursive, whether it may raise a run-time error (and so needs `Result`), whether a caller
//! makes it bind arguments, whether it needs the depth guard, which arguments are the same
//! literal at every call site. `print.rs` renders plans as text (`polarc plan`, snapshots).
//!
//! The compiler never sees the Rust types, so a slot's type is only what the policy says of
//! it: [`Ty::Dynamic`] for a value known only through `Polar::view` (a parameter without a
//! class specializer), [`Ty::Typed`] for a value rustc types statically (a field, an element,
//! a specialized parameter). Whether an operation can raise follows from that (comparing two
//! dynamic values can meet instances without an equality check; arithmetic can overflow).
//!
//! Back ends read the plan: the Rust emitter takes each rule's facts from it (signature,
//! depth guard, context); the data-filtering and explanation emitters are meant to be folds
//! over the same goals (`docs/backend-design.md`, "The plan").

use std::collections::BTreeMap;

use crate::ast::BinOp;
use crate::graph::RuleGraph;
use crate::lower::{Program, RuleId};
use crate::source::Span;

mod analysis;
mod build;
mod functions;
mod print;

#[cfg(test)]
mod tests;

pub use analysis::Facts;
pub use build::is_arithmetic;
pub use functions::{Const, FnFacts, FnKey, MANY_ARMS, MAX_INLINE, index_position, lits_unify, string_param};

/// A rule is its name and arity (`has_role/3`).
pub type RuleKey = (String, usize);

/// The plans of every rule of a program, with their facts.
#[derive(Debug)]
pub struct Plans {
    pub rules: BTreeMap<RuleKey, RulePlan>,
    /// The inline queries (`?= allow(...)`), in source order.
    pub queries: Vec<QueryPlan>,
    /// The facts of each rule function a ground call reaches (`functions.rs`).
    pub functions: std::collections::HashMap<FnKey, FnFacts>,
}

impl Plans {
    /// Plans every rule and query of `program`, then runs the analyses.
    pub fn new(program: &Program, graph: &RuleGraph) -> Plans {
        let mut plans = build::build(program);
        analysis::analyse(&mut plans, graph);
        plans.functions = functions::analyse(&plans, program, graph);
        analysis::with_functions(&mut plans);
        plans
    }

    /// The facts of `name/arity`; a rule that does not exist has the facts of one that never
    /// holds (no clause, no error).
    pub fn facts(&self, name: &str, arity: usize) -> &Facts {
        static NONE: Facts = Facts::NONE;
        self.rules.get(&(name.to_owned(), arity)).map_or(&NONE, |r| &r.facts)
    }

    /// The facts of the function for `name` with these constant arguments; one the analysis
    /// did not reach gets [`FnFacts::CONSERVATIVE`].
    pub fn function(&self, name: &str, consts: &[Option<Const>]) -> &FnFacts {
        self.functions
            .get(&((name.to_owned(), consts.len()), consts.to_vec()))
            .unwrap_or(&FnFacts::CONSERVATIVE)
    }

    pub fn rule(&self, name: &str, arity: usize) -> Option<&RulePlan> {
        self.rules.get(&(name.to_owned(), arity))
    }
}

/// One rule: its clauses in load order (Oso's specificity order is applied by the emitter,
/// which knows what each call binds) and its facts.
#[derive(Debug)]
pub struct RulePlan {
    pub key: RuleKey,
    pub clauses: Vec<ClausePlan>,
    pub facts: Facts,
}

/// One clause: the parameter checks (`head`), then the body.
#[derive(Debug)]
pub struct ClausePlan {
    pub rule: RuleId,
    pub span: Span,
    pub slots: Vec<Slot>,
    pub head: Vec<Goal>,
    pub body: Goal,
}

/// An inline query: a body without parameters.
#[derive(Debug)]
pub struct QueryPlan {
    pub span: Span,
    pub slots: Vec<Slot>,
    pub body: Goal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotId(pub u32);

/// A variable of the clause, a parameter, or a hoisted value.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The Polar variable, `p0`.. for parameters, `%1`.. for hoisted values; a variable
    /// narrowed by a class check gets a second slot with the same name.
    pub name: String,
    pub ty: Ty,
}

/// What the compiler knows of a slot's Rust type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Known only through `Polar::view` at run time.
    Dynamic,
    /// Typed statically by rustc; the class when the policy names it.
    Typed(Option<String>),
}

impl Ty {
    pub fn is_dynamic(&self) -> bool {
        matches!(self, Ty::Dynamic)
    }

    /// The type of a slot bound in several places: dynamic if any binding is.
    fn join(&self, other: &Ty) -> Ty {
        match (self, other) {
            (Ty::Typed(a), Ty::Typed(b)) if a == b => Ty::Typed(a.clone()),
            (Ty::Typed(_), Ty::Typed(_)) => Ty::Typed(None),
            _ => Ty::Dynamic,
        }
    }
}

/// A literal of the policy.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A value an operation reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Slot(SlotId),
    Lit(Lit),
    Nil,
    /// `x.f` inside a pattern (`{org_id: org.id}`), read without hoisting.
    Field(Box<Operand>, String),
    List(Vec<Operand>, Option<SlotId>),
    Dict(Vec<(String, Operand)>),
    /// A term no back end can read as a value (`new`, a dynamic key); the emitters refuse it.
    Unsupported(&'static str),
}

/// A goal of a clause body. Conjunctions run left to right; the rest of a conjunction after a
/// goal with several solutions (`Or`, `Iterate`, a call that binds) runs once per solution:
/// a join point, not a copy.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    And(Vec<Goal>),
    Or(Vec<Goal>),
    /// Succeeds when the goal has no solution; its bindings do not escape.
    Not(Box<Goal>),
    /// `forall(condition, action)`: Oso's `not (condition and not action)`.
    Forall(Box<Goal>, Box<Goal>),
    /// Commits to this clause and to the first solution of the goals before it.
    Cut,
    True,
    Fail,
    Op(Op),
}

/// One operation, with its place in the policy and whether it can raise a run-time error.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    pub span: Span,
    pub raises: Raise,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raise {
    No,
    /// Why the operation can raise.
    Yes(&'static str),
    /// As the called rule does (decided by the analysis).
    IfCallee,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OpKind {
    /// `x = v` with `x` unbound (also `:=`).
    Bind {
        dst: SlotId,
        value: Operand,
    },
    /// `a = b` with both bound (Oso's unification).
    Unify {
        left: Operand,
        right: Operand,
    },
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
    Compare {
        op: BinOp,
        left: Operand,
        right: Operand,
    },
    /// A value used as a condition: true succeeds, false fails, anything else is an error.
    Truthy(Operand),
    /// A specializer or `matches`: checks `value` against `pattern`, binding the pattern's
    /// variables; `narrowed` receives the value as the pattern types it (`x: User`).
    Match {
        value: Operand,
        pattern: Pattern,
        narrowed: Option<SlotId>,
    },
    /// `dst = object.field` (a missing dictionary key fails).
    Lookup {
        dst: SlotId,
        object: Operand,
        field: String,
    },
    /// `dst = receiver.name(args)`.
    Method {
        dst: SlotId,
        receiver: Operand,
        name: String,
        args: Vec<Operand>,
    },
    /// `dst = left op right`.
    Arith {
        dst: SlotId,
        op: BinOp,
        left: Operand,
        right: Operand,
    },
    /// `item in collection`: one solution per element that `item` matches.
    Iterate {
        item: Pattern,
        collection: Operand,
    },
    /// A rule call; unbound arguments are outputs.
    Call {
        rule: RuleKey,
        args: Vec<Arg>,
    },
    Print(Vec<Operand>),
    /// What no back end compiles (`new`, `debug`, keyword arguments, ...): emitters refuse it
    /// at its span.
    Unsupported(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    In(Operand),
    /// An unbound variable the call binds (`None` for `_`).
    Out(Option<SlotId>),
}

/// The shape a value is matched against.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// `_`.
    Any,
    /// An unbound variable: binds it.
    Bind(SlotId),
    /// A bound variable or a value: unifies with it.
    Value(Operand),
    Lit(Lit),
    /// A class of the application, with field patterns (`Org{id: 1}`).
    Class {
        name: String,
        fields: Vec<(String, Pattern)>,
    },
    /// `Actor`, `Resource`.
    Union(String),
    /// `String`, `Integer`, `Float`, `Boolean`, `List`, `Dictionary`, `Option`.
    Builtin {
        name: String,
        fields: Vec<(String, Pattern)>,
    },
    /// `{k: pattern}`.
    Dict(Vec<(String, Pattern)>),
    List {
        elements: Vec<Pattern>,
        rest: Option<Box<Pattern>>,
    },
}

impl Goal {
    /// Every operation of the goal, in order, with the depth of `not`/`forall` around it.
    pub fn ops(&self) -> Vec<&Op> {
        let mut ops = Vec::new();
        self.visit(&mut |op| ops.push(op));
        ops
    }

    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Op)) {
        match self {
            Goal::And(goals) | Goal::Or(goals) => goals.iter().for_each(|g| g.visit(f)),
            Goal::Not(g) => g.visit(f),
            Goal::Forall(c, a) => {
                c.visit(f);
                a.visit(f);
            }
            Goal::Cut | Goal::True | Goal::Fail => {}
            Goal::Op(op) => f(op),
        }
    }
}
