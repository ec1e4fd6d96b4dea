//! What the filter of one resource class would refuse, found at build time: a walk of the
//! plan from `allow(actor, action, resource)` with the actor and the action known and the
//! resource a row of the class, following calls. Each slot is known, unknown (computed from
//! the row) or the row itself; clauses whose specializer excludes the row's class are
//! skipped. Refused: method calls and `print` (the evaluator reads values, it runs no host
//! code), arithmetic on the row's values, a cut, recursion through the row (a hierarchy: no
//! `WITH RECURSIVE` yet), and what no back end compiles. (A field the policy reads on a row is
//! always mapped: `#[derive(PolarClass)]` makes every visible field of a table a column or a
//! relation, or fails at the field.)

use std::collections::HashSet;

use crate::lower::Program;
use crate::plan::{Arg, ClausePlan, Goal, OpKind, Operand, Pattern, Plans, RuleKey, SlotId};
use crate::source::{SourceMap, Span};

/// One construct the filter of a class cannot translate.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub span: Span,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Bt {
    Known,
    Unknown,
    /// The filtered row, of this class.
    Row(String),
}

impl Bt {
    fn unknown(&self) -> bool {
        !matches!(self, Bt::Known)
    }
}

/// Which argument of `allow` a filter leaves unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// "Which resources?": `authorized_filter`.
    Resource,
    /// "Who may?": `authorized_actors`.
    Actor,
}

impl Unknown {
    fn slot(self) -> u32 {
        match self {
            Unknown::Resource => 2,
            Unknown::Actor => 0,
        }
    }
}

/// The classes an `allow` clause or a block names in the unknown argument's place.
pub fn classes(program: &Program, plans: &Plans, unknown: Unknown) -> Vec<String> {
    let mut classes: Vec<String> = match unknown {
        Unknown::Resource => program.resources().map(str::to_owned).collect(),
        Unknown::Actor => program.actors().map(str::to_owned).collect(),
    };
    let slot = unknown.slot();
    if let Some(allow) = plans.rule("allow", 3) {
        for clause in &allow.clauses {
            for goal in &clause.head {
                if let Goal::Op(op) = goal
                    && let OpKind::Match {
                        value: Operand::Slot(SlotId(s)),
                        pattern: Pattern::Class { name, .. },
                        ..
                    } = &op.kind
                    && *s == slot
                    && !classes.contains(name)
                {
                    classes.push(name.clone());
                }
            }
        }
    }
    classes
}

/// What the filter of `class` would refuse, in policy order.
pub fn refusals(program: &Program, plans: &Plans, class: &str) -> Vec<Refusal> {
    refusals_of(program, plans, class, Unknown::Resource)
}

/// What the filter with a row of `class` in the `unknown` place would refuse.
pub fn refusals_of(program: &Program, plans: &Plans, class: &str, unknown: Unknown) -> Vec<Refusal> {
    let mut walk = Walk { program, plans, seen: HashSet::new(), out: Vec::new() };
    let args = match unknown {
        Unknown::Resource => [Bt::Known, Bt::Known, Bt::Row(class.to_owned())],
        Unknown::Actor => [Bt::Row(class.to_owned()), Bt::Known, Bt::Known],
    };
    walk.rule(&("allow".to_owned(), 3), &args);
    walk.out.sort_by_key(|r| (r.span.file, r.span.start));
    walk.out.dedup();
    walk.out
}

/// The build error of a refused filter, `what` naming it.
pub fn message_of(what: &str, refused: &[Refusal], sources: Option<&SourceMap>) -> String {
    let at = |r: &Refusal| {
        sources.map_or_else(|| format!("{}..{}", r.span.start, r.span.end), |s| s.location(r.span))
    };
    let mut text = String::new();
    for (i, r) in refused.iter().enumerate() {
        if i == 0 {
            text.push_str(&format!("{}: {what} is refused: {}", at(r), r.why));
        } else {
            text.push_str(&format!("; also {}: {}", at(r), r.why));
        }
    }
    text
}

struct Walk<'a> {
    program: &'a Program,
    plans: &'a Plans,
    seen: HashSet<(RuleKey, Vec<Bt>)>,
    out: Vec<Refusal>,
}

impl Walk<'_> {
    fn rule(&mut self, key: &RuleKey, args: &[Bt]) {
        if !self.seen.insert((key.clone(), args.to_vec())) {
            return;
        }
        let Some(rule) = self.plans.rules.get(key) else { return };
        for clause in &rule.clauses {
            self.clause(clause, args);
        }
    }

    fn clause(&mut self, clause: &ClausePlan, args: &[Bt]) {
        let mut bt: Vec<Option<Bt>> = vec![None; clause.slots.len()];
        for (i, a) in args.iter().enumerate() {
            if i < bt.len() {
                bt[i] = Some(a.clone());
            }
        }
        // A specializer that excludes the row's class: the clause never applies.
        for goal in &clause.head {
            if let Goal::Op(op) = goal
                && let OpKind::Match { value: Operand::Slot(s), pattern, .. } = &op.kind
                && let Some(Some(Bt::Row(class))) = bt.get(s.0 as usize)
            {
                let excluded = match pattern {
                    Pattern::Class { name, .. } => name != class,
                    Pattern::Union(u) => {
                        !self.program.union_members(u).unwrap_or_default().iter().any(|m| m == class)
                    }
                    Pattern::Builtin { .. } | Pattern::Lit(_) => true,
                    _ => false,
                };
                if excluded {
                    return;
                }
            }
        }
        // Binding times to a fixed point (bindings may come after uses in `or` branches).
        loop {
            let before = bt.clone();
            for goal in clause.head.iter().chain([&clause.body]) {
                propagate(goal, &mut bt);
            }
            if before == bt {
                break;
            }
        }
        let goals: Vec<&Goal> = clause.head.iter().chain([&clause.body]).collect();
        for goal in goals {
            self.check(goal, clause, &bt);
        }
    }

    fn check(&mut self, goal: &Goal, clause: &ClausePlan, bt: &[Option<Bt>]) {
        match goal {
            Goal::And(gs) | Goal::Or(gs) => gs.iter().for_each(|g| self.check(g, clause, bt)),
            Goal::Not(g) => self.check(g, clause, bt),
            Goal::Forall(c, a) => {
                self.check(c, clause, bt);
                self.check(a, clause, bt);
            }
            Goal::Cut => self.refuse(
                clause.span,
                "a cut (`cut`): which rows pass would depend on the order rows are met in",
            ),
            Goal::True | Goal::Fail => {}
            Goal::Op(op) => {
                let unknown = |o: &Operand| operand_bt(o, bt).unknown();
                match &op.kind {
                    OpKind::Method { name, .. } => self.refuse(op.span, format!("a method call (`{name}(...)`): filters read values, they run no host code")),
                    OpKind::Print(_) => self.refuse(op.span, "`print`"),
                    OpKind::Unsupported(why) => self.refuse(op.span, *why),
                    OpKind::Arith { left, right, .. } if unknown(left) || unknown(right) => {
                        self.refuse(op.span, "arithmetic on a value of the filtered row (SQL arithmetic differs from Oso's in overflow and division)")
                    }
                    OpKind::Call { rule, args } => {
                        let arg_bts: Vec<Bt> = args
                            .iter()
                            .map(|a| match a {
                                // The row itself stays the row: the callee's specializers
                                // then skip the clauses of other classes.
                                Arg::In(Operand::Slot(s)) => bt.get(s.0 as usize).cloned().flatten().unwrap_or(Bt::Known),
                                Arg::In(o) => operand_bt(o, bt),
                                Arg::Out(Some(s)) => bt.get(s.0 as usize).cloned().flatten().unwrap_or(Bt::Known),
                                Arg::Out(None) => Bt::Known,
                            })
                            .collect();
                        if arg_bts.iter().any(Bt::unknown) && self.recursive(rule, args) {
                            self.refuse(
                                op.span,
                                format!("a recursive rule (`{}`) over the filtered row: a hierarchy would need `WITH RECURSIVE`, which filters do not generate yet", rule.0),
                            );
                            return;
                        }
                        // An output the callee binds from the row is unknown to it.
                        let callee: Vec<Bt> = arg_bts
                            .iter()
                            .zip(args)
                            .map(|(b, a)| match a {
                                Arg::Out(_) if arg_bts.iter().any(Bt::unknown) => Bt::Unknown,
                                _ => b.clone(),
                            })
                            .collect();
                        self.rule(rule, &callee);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Whether the function called is in a cycle, with the call's literal arguments.
    fn recursive(&self, rule: &RuleKey, args: &[Arg]) -> bool {
        if !self.plans.facts(&rule.0, rule.1).recursive {
            return false;
        }
        let consts: Vec<Option<crate::plan::Const>> = args
            .iter()
            .map(|a| match a {
                Arg::In(Operand::Lit(l)) => crate::plan::Const::of(l),
                _ => None,
            })
            .collect();
        self.plans.function(&rule.0, &consts).recursive
    }

    fn refuse(&mut self, span: Span, why: impl Into<String>) {
        self.out.push(Refusal { span, why: why.into() });
    }
}

fn operand_bt(o: &Operand, bt: &[Option<Bt>]) -> Bt {
    match o {
        Operand::Slot(s) => match bt.get(s.0 as usize).cloned().flatten() {
            Some(Bt::Row(_)) => Bt::Unknown,
            Some(b) => b,
            None => Bt::Known,
        },
        Operand::Field(inner, _) => operand_bt(inner, bt),
        Operand::List(items, rest) => {
            if items.iter().any(|i| operand_bt(i, bt).unknown())
                || rest.is_some_and(|r| operand_bt(&Operand::Slot(r), bt).unknown())
            {
                Bt::Unknown
            } else {
                Bt::Known
            }
        }
        _ => Bt::Known,
    }
}

fn set(bt: &mut [Option<Bt>], s: SlotId, v: Bt) {
    if let Some(slot) = bt.get_mut(s.0 as usize) {
        match (&slot, &v) {
            (None, _) => *slot = Some(v),
            (Some(Bt::Known), b) if b.unknown() => *slot = Some(Bt::Unknown),
            _ => {}
        }
    }
}

fn bind_pattern(p: &Pattern, v: &Bt, bt: &mut [Option<Bt>]) {
    let field_bt = if v.unknown() { Bt::Unknown } else { Bt::Known };
    match p {
        Pattern::Bind(s) => set(bt, *s, v.clone()),
        Pattern::Class { fields, .. } | Pattern::Builtin { fields, .. } | Pattern::Dict(fields) => {
            fields.iter().for_each(|(_, f)| bind_pattern(f, &field_bt, bt))
        }
        Pattern::List { elements, rest } => {
            elements.iter().for_each(|e| bind_pattern(e, &field_bt, bt));
            if let Some(r) = rest {
                bind_pattern(r, &field_bt, bt);
            }
        }
        _ => {}
    }
}

fn propagate(goal: &Goal, bt: &mut Vec<Option<Bt>>) {
    match goal {
        Goal::And(gs) | Goal::Or(gs) => gs.iter().for_each(|g| propagate(g, bt)),
        Goal::Not(g) => propagate(g, bt),
        Goal::Forall(c, a) => {
            propagate(c, bt);
            propagate(a, bt);
        }
        Goal::Cut | Goal::True | Goal::Fail => {}
        Goal::Op(op) => match &op.kind {
            OpKind::Bind { dst, value } => {
                let v = match value {
                    Operand::Slot(s) => bt.get(s.0 as usize).cloned().flatten().unwrap_or(Bt::Known),
                    o => operand_bt(o, bt),
                };
                set(bt, *dst, v);
            }
            OpKind::Unify { left: Operand::Slot(a), right }
            | OpKind::Unify { left: right, right: Operand::Slot(a) }
                if bt.get(a.0 as usize).is_some_and(Option::is_none) =>
            {
                let v = operand_bt(right, bt);
                set(bt, *a, v);
            }
            OpKind::Match { value, pattern, narrowed } => {
                let v = match value {
                    Operand::Slot(s) => bt.get(s.0 as usize).cloned().flatten().unwrap_or(Bt::Known),
                    o => operand_bt(o, bt),
                };
                bind_pattern(pattern, &v, bt);
                if let Some(n) = narrowed {
                    set(bt, *n, v);
                }
            }
            OpKind::Lookup { dst, object, .. } => {
                let v = if operand_bt(object, bt).unknown() { Bt::Unknown } else { Bt::Known };
                set(bt, *dst, v);
            }
            OpKind::Method { dst, receiver, args, .. } => {
                let v = if operand_bt(receiver, bt).unknown()
                    || args.iter().any(|a| operand_bt(a, bt).unknown())
                {
                    Bt::Unknown
                } else {
                    Bt::Known
                };
                set(bt, *dst, v);
            }
            OpKind::Arith { dst, left, right, .. } => {
                let v = if operand_bt(left, bt).unknown() || operand_bt(right, bt).unknown() {
                    Bt::Unknown
                } else {
                    Bt::Known
                };
                set(bt, *dst, v);
            }
            OpKind::Iterate { item, collection } => {
                let v = if operand_bt(collection, bt).unknown() { Bt::Unknown } else { Bt::Known };
                bind_pattern(item, &v, bt);
            }
            OpKind::Call { args, .. } => {
                let any_unknown = args.iter().any(|a| matches!(a, Arg::In(o) if operand_bt(o, bt).unknown()));
                for a in args {
                    if let Arg::Out(Some(s)) = a {
                        set(bt, *s, if any_unknown { Bt::Unknown } else { Bt::Known });
                    }
                }
            }
            _ => {}
        },
    }
}
