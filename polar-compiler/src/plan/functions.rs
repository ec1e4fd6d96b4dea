//! The functions a ground call reaches, and their facts.
//!
//! A call that passes literals (`has_role(actor, "owner", org)`) reaches a copy of the rule
//! in which those parameters are constants: only the clauses whose literals agree remain,
//! and literals pass on to the calls in them. A rule recursive by name is often not
//! recursive at all once its literals are known: a role implication (`"member" if "owner"`)
//! calls the copy for `"owner"`, which never calls back. So the facts the emitter needs for
//! a function (does it need the depth guard, can it raise) are decided on the graph of these
//! copies, keyed by the rule and its constants, not on the rule graph.
//!
//! The emitter asks for the facts of each function it generates and checks its own call
//! graph against them afterwards (`codegen::verify`): a copy it reaches that this graph did
//! not foresee gets the conservative facts.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use super::*;
use crate::ast::TermKind;
use crate::lower::LoweredRule;

/// How deeply calls that bind variables are inlined into each other (as the emitter does).
pub const MAX_INLINE: usize = 16;

/// On a chain of calls without a cycle, one function in this many checks the stack (a policy
/// of thousands of rules can call them one inside the other).
pub const GUARD_EVERY: usize = 16;

/// From this many literals on, a function indexed on a string matches on its hash and keeps
/// each arm's clauses inline; below, each arm calls the function specialized for its literal.
pub const MANY_ARMS: usize = 64;

/// Clauses copied into more than one arm, at most, for indexing to be worth its code size
/// (unless the copies are no larger than the rule itself, see [`index_position`]).
const MAX_DUPLICATED_CLAUSES: usize = 256;

/// A constant argument a function is specialized for. Floats are not specialized.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Const {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl Const {
    pub fn of(lit: &Lit) -> Option<Const> {
        match lit {
            Lit::Str(s) => Some(Const::Str(s.clone())),
            Lit::Int(i) => Some(Const::Int(*i)),
            Lit::Bool(b) => Some(Const::Bool(*b)),
            Lit::Float(_) => None,
        }
    }

    fn lit(&self) -> Lit {
        match self {
            Const::Str(s) => Lit::Str(s.clone()),
            Const::Int(i) => Lit::Int(*i),
            Const::Bool(b) => Lit::Bool(*b),
        }
    }
}

/// A rule function: the rule and the constant (if any) every caller of this copy passes for
/// each parameter. All `None` is the general function.
pub type FnKey = (RuleKey, Vec<Option<Const>>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnFacts {
    /// In a cycle of rule functions: needs the depth guard.
    pub recursive: bool,
    /// Can end in a run-time error: returns `Result`, takes the context.
    pub may_raise: bool,
    /// Why it may raise: the first operation of its own that can, or a call that can.
    pub why: Option<(Span, String)>,
}

impl FnFacts {
    /// What a function nothing was decided for gets: the guard and `Result`.
    pub const CONSERVATIVE: FnFacts = FnFacts { recursive: true, may_raise: true, why: None };
}

/// `a = b` for two literals, as Oso decides it (`1 = 1.0` holds).
pub fn lits_unify(a: &Lit, b: &Lit) -> bool {
    match (a, b) {
        (Lit::Str(x), Lit::Str(y)) => x == y,
        (Lit::Bool(x), Lit::Bool(y)) => x == y,
        (Lit::Int(x), Lit::Int(y)) => x == y,
        (Lit::Float(x), Lit::Float(y)) => x == y,
        (Lit::Int(i), Lit::Float(f)) | (Lit::Float(f), Lit::Int(i)) => {
            *f == *i as f64 && f.fract() == 0.0 && (*f as i128) == i128::from(*i)
        }
        _ => false,
    }
}

/// The string literal a clause requires at `position`, when its parameter is exactly that (no
/// specializer).
pub fn string_param(rule: &LoweredRule, position: usize) -> Option<&str> {
    let param = &rule.params[position];
    match (&param.value.kind, &param.specializer) {
        (TermKind::String(s), None) => Some(s),
        _ => None,
    }
}

/// The parameter worth indexing on: not a constant, at least two distinct string literals
/// among the clauses, and not too much code to copy into every arm: few clauses that accept
/// any value there, or copies that together are no larger than the rule (thousands of
/// `allow` clauses with one action each and one `allow(actor, action, resource) if
/// has_permission(...)`: without the index, every check would test every action).
pub fn index_position(clauses: &[&LoweredRule], consts: &[Option<Const>]) -> Option<usize> {
    (0..consts.len()).filter(|&i| consts[i].is_none()).find(|&i| {
        let mut literals: Vec<&str> = clauses.iter().filter_map(|c| string_param(c, i)).collect();
        literals.sort_unstable();
        literals.dedup();
        let open: Vec<&&LoweredRule> = clauses.iter().filter(|c| string_param(c, i).is_none()).collect();
        let copied = open.iter().map(|c| size(c)).sum::<usize>() * literals.len();
        literals.len() >= 2
            && (open.len() * literals.len() <= MAX_DUPLICATED_CLAUSES
                || copied <= clauses.iter().map(|c| size(c)).sum::<usize>())
    })
}

/// The size of a clause, in terms (parameters and body).
fn size(rule: &LoweredRule) -> usize {
    let mut n = 0;
    let mut count = |_: &crate::ast::Term| n += 1;
    rule.body.walk(&mut count);
    for param in &rule.params {
        param.value.walk(&mut count);
        if let Some(spec) = &param.specializer {
            spec.walk(&mut count);
        }
    }
    n
}

/// Whether a clause's literal parameter can never unify with the constant passed there.
fn excluded(clause: &ClausePlan, consts: &[Option<Const>]) -> bool {
    clause.head.iter().any(|goal| match goal {
        Goal::Op(Op {
            kind: OpKind::Match { value: Operand::Slot(p), pattern: Pattern::Lit(l), .. },
            ..
        }) => consts.get(p.0 as usize).and_then(Option::as_ref).is_some_and(|c| !lits_unify(&c.lit(), l)),
        _ => false,
    })
}

pub(super) fn analyse(plans: &Plans, program: &Program, graph: &RuleGraph) -> HashMap<FnKey, FnFacts> {
    let mut x = Explorer {
        plans,
        program,
        graph,
        ids: HashMap::new(),
        keys: Vec::new(),
        calls: Vec::new(),
        raises: Vec::new(),
        queue: Vec::new(),
    };
    for (key, rule) in &plans.rules {
        x.function(&(key.clone(), vec![None; rule.key.1]));
    }
    // The entry points that are not rule functions: inline queries and the enumerations of
    // `authorized_actions` and `authorized_fields` (`allow` inlined with an output).
    let entry = x.function(&((String::new(), 0), Vec::new()));
    for query in &plans.queries {
        x.goal(entry, &query.body, &mut HashMap::new(), 0);
    }
    for (name, mode) in [("allow", "ioi"), ("allow_field", "iiio")] {
        let inputs: Vec<Option<Option<Const>>> = mode.chars().map(|c| (c == 'i').then_some(None)).collect();
        x.inline(entry, &(name.to_owned(), mode.len()), &inputs, 0);
    }
    while let Some(id) = x.queue.pop() {
        x.explore(id);
    }
    x.facts()
}

struct Explorer<'a> {
    plans: &'a Plans,
    program: &'a Program,
    graph: &'a RuleGraph,
    ids: HashMap<FnKey, usize>,
    keys: Vec<FnKey>,
    /// The functions each calls, with the place of the call.
    calls: Vec<Vec<(usize, Span)>>,
    /// An operation of the function's own code that can raise (its clauses, and the clauses
    /// of the calls it inlines), or a call of a binding-mode function of a recursive rule.
    raises: Vec<Option<(Span, String)>>,
    queue: Vec<usize>,
}

impl Explorer<'_> {
    fn function(&mut self, key: &FnKey) -> usize {
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        let id = self.keys.len();
        self.ids.insert(key.clone(), id);
        self.keys.push(key.clone());
        self.calls.push(Vec::new());
        self.raises.push(None);
        self.queue.push(id);
        id
    }

    fn explore(&mut self, id: usize) {
        let (rule, consts) = self.keys[id].clone();
        let Some(plan) = self.plans.rules.get(&rule) else { return };
        let clauses: Vec<&ClausePlan> = plan.clauses.iter().filter(|c| !excluded(c, &consts)).collect();
        let lowered: Vec<&LoweredRule> = clauses.iter().map(|c| self.program.rule(c.rule)).collect();
        match index_position(&lowered, &consts) {
            Some(position) => {
                let mut literals: Vec<&str> =
                    lowered.iter().filter_map(|r| string_param(r, position)).collect();
                literals.sort_unstable();
                literals.dedup();
                let delegate = literals.len() < MANY_ARMS;
                for s in &literals {
                    let mut arm = consts.clone();
                    arm[position] = Some(Const::Str((*s).to_owned()));
                    if delegate {
                        let callee = self.function(&(rule.clone(), arm));
                        self.calls[id].push((callee, clauses[0].span));
                    } else {
                        for (clause, r) in clauses.iter().zip(&lowered) {
                            if string_param(r, position).is_none_or(|p| p == *s) {
                                self.clause(id, clause, &arm, 0);
                            }
                        }
                    }
                }
                // The fallback arm: the clauses that accept any value there.
                for (clause, r) in clauses.iter().zip(&lowered) {
                    if string_param(r, position).is_none() {
                        self.clause(id, clause, &consts, 0);
                    }
                }
            }
            None => clauses.iter().for_each(|c| self.clause(id, c, &consts, 0)),
        }
    }

    /// One clause inside function `id`, its parameters bound to `consts` where known.
    fn clause(&mut self, id: usize, clause: &ClausePlan, consts: &[Option<Const>], depth: usize) {
        let mut known: HashMap<SlotId, Const> = HashMap::new();
        for (i, c) in consts.iter().enumerate() {
            if let Some(c) = c {
                known.insert(SlotId(i as u32), c.clone());
            }
        }
        for goal in &clause.head {
            self.goal(id, goal, &mut known, depth);
        }
        self.goal(id, &clause.body, &mut known, depth);
    }

    fn goal(&mut self, id: usize, goal: &Goal, known: &mut HashMap<SlotId, Const>, depth: usize) {
        let mut ops = Vec::new();
        goal.visit(&mut |op| ops.push(op.clone()));
        for op in ops {
            if let (Raise::Yes(why), None) = (op.raises, &self.raises[id]) {
                self.raises[id] = Some((op.span, why.to_owned()));
            }
            match &op.kind {
                OpKind::Bind { dst, value: Operand::Slot(s) } => {
                    if let Some(c) = known.get(s).cloned() {
                        known.insert(*dst, c);
                    }
                }
                OpKind::Bind { dst, value: Operand::Lit(l) } => {
                    if let Some(c) = Const::of(l) {
                        known.insert(*dst, c);
                    }
                }
                OpKind::Match { value: Operand::Slot(s), pattern, narrowed } => {
                    let Some(c) = known.get(s).cloned() else { continue };
                    if let Pattern::Bind(b) = pattern {
                        known.insert(*b, c.clone());
                    }
                    if let (Some(n), Pattern::Builtin { .. } | Pattern::Union(_) | Pattern::Bind(_)) =
                        (narrowed, pattern)
                    {
                        known.insert(*n, c);
                    }
                }
                OpKind::Call { rule, args } => {
                    let inputs: Vec<Option<Option<Const>>> = args
                        .iter()
                        .map(|a| match a {
                            Arg::In(Operand::Lit(l)) => Some(Const::of(l)),
                            Arg::In(Operand::Slot(s)) => Some(known.get(s).cloned()),
                            Arg::In(_) => Some(None),
                            Arg::Out(_) => None,
                        })
                        .collect();
                    if inputs.iter().all(Option::is_some) {
                        let consts: Vec<Option<Const>> = inputs.into_iter().flatten().collect();
                        let callee = self.function(&(rule.clone(), consts));
                        self.calls[id].push((callee, op.span));
                    } else if self.graph.is_recursive(&rule.0) {
                        // A binding-mode function: guarded, raising.
                        if self.raises[id].is_none() {
                            let why = format!("calls `{}` to bind variables, a recursive rule", rule.0);
                            self.raises[id] = Some((op.span, why));
                        }
                    } else {
                        self.inline(id, rule, &inputs, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// The clauses of `rule` inlined into function `id` (a call that binds `None` inputs).
    fn inline(&mut self, id: usize, rule: &RuleKey, inputs: &[Option<Option<Const>>], depth: usize) {
        if depth > MAX_INLINE {
            return;
        }
        let Some(plan) = self.plans.rules.get(rule) else { return };
        let consts: Vec<Option<Const>> = inputs.iter().map(|i| i.clone().flatten()).collect();
        for clause in &plan.clauses {
            if !excluded(clause, &consts) {
                self.clause(id, clause, &consts, depth);
            }
        }
    }

    fn facts(self) -> HashMap<FnKey, FnFacts> {
        let mut g: DiGraph<usize, ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..self.keys.len()).map(|i| g.add_node(i)).collect();
        for (from, calls) in self.calls.iter().enumerate() {
            for &(to, _) in calls {
                g.update_edge(nodes[from], nodes[to], ());
            }
        }
        let mut facts: Vec<FnFacts> = self
            .raises
            .iter()
            .map(|why| FnFacts { recursive: false, may_raise: why.is_some(), why: why.clone() })
            .collect();
        // Functions under each, on the longest chain of calls without a guard.
        let mut height = vec![0usize; self.keys.len()];
        // Callees come before their callers.
        for scc in petgraph::algo::tarjan_scc(&g) {
            let members: Vec<usize> = scc.iter().map(|n| g[*n]).collect();
            let cyclic = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
            for &m in &members {
                if !cyclic {
                    height[m] = 1 + self.calls[m]
                        .iter()
                        .map(|&(c, _)| if facts[c].recursive { 0 } else { height[c] })
                        .max()
                        .unwrap_or(0);
                    // A long chain of distinct rules takes stack too: every `GUARD_EVERY`
                    // levels of it, a function checks the stack as recursive ones do.
                    if height[m] >= GUARD_EVERY {
                        height[m] = 0;
                        facts[m].recursive = true;
                        if !facts[m].may_raise {
                            facts[m].may_raise = true;
                            let span = self.calls[m]
                                .first()
                                .map_or(Span::new(crate::source::FileId(0), 0, 0), |c| c.1);
                            facts[m].why = Some((
                                span,
                                format!("{GUARD_EVERY} levels of rule calls start here: it checks the stack"),
                            ));
                        }
                    }
                }
                if cyclic {
                    let span = self.calls[m].iter().find(|(c, _)| members.contains(c)).map(|(_, s)| *s);
                    facts[m].recursive = true;
                    if !facts[m].may_raise {
                        facts[m].may_raise = true;
                        facts[m].why = span
                            .map(|s| (s, "recurses: its depth is limited, which cyclic data reaches".into()));
                    }
                } else if !facts[m].may_raise
                    && let Some(&(callee, span)) = self.calls[m].iter().find(|(c, _)| facts[*c].may_raise)
                {
                    let (rule, consts) = &self.keys[callee];
                    facts[m].may_raise = true;
                    facts[m].why =
                        Some((span, format!("calls `{}`, which may raise", describe(rule, consts))));
                }
            }
        }
        self.keys.into_iter().zip(facts).filter(|((rule, _), _)| !rule.0.is_empty()).collect()
    }
}

/// `has_role(_, "owner", _)`.
pub fn describe(rule: &RuleKey, consts: &[Option<Const>]) -> String {
    let args: Vec<String> = consts
        .iter()
        .map(|c| match c {
            None => "_".into(),
            Some(Const::Str(s)) => format!("{s:?}"),
            Some(Const::Int(i)) => i.to_string(),
            Some(Const::Bool(b)) => b.to_string(),
        })
        .collect();
    format!("{}({})", rule.0, args.join(", "))
}
