//! From lowered rules to plans: variables resolved to slots, Oso's hoisting made explicit,
//! each goal classified by what is bound when it runs (a `=` binds or tests), then whether
//! each operation can raise, from the final slot types.
//!
//! Binding follows the order Oso runs goals in: left to right through a conjunction, each
//! branch of an `or` from the state before it (a variable any branch binds is bound after
//! it: the analyses stay conservative, since a test can raise where a binding cannot),
//! nothing escaping `not` and `forall`.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::ast::{Call, Field, Member, Param, Term, TermKind};
use crate::lower::{LoweredRule, is_union};

const BUILTIN_CLASSES: [&str; 7] = ["String", "Integer", "Float", "Boolean", "List", "Dictionary", "Option"];

pub fn is_arithmetic(op: BinOp) -> bool {
    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Rem)
}

pub(super) fn build(program: &Program) -> Plans {
    let outputs = output_classes(program);
    let mut rules: BTreeMap<RuleKey, RulePlan> = BTreeMap::new();
    for rule in &program.rules {
        let key = (rule.name.name.clone(), rule.params.len());
        let clause = ClauseBuilder::new(&outputs).clause(rule);
        rules
            .entry(key.clone())
            .or_insert_with(|| RulePlan { key, clauses: Vec::new(), facts: Facts::NONE })
            .clauses
            .push(clause);
    }
    let queries = program
        .queries
        .iter()
        .map(|query| {
            let mut b = ClauseBuilder::new(&outputs);
            let body = b.goal(query);
            let body = b.finish(body);
            QueryPlan { span: query.span, slots: b.slots, body }
        })
        .collect();
    Plans { rules, queries, functions: Default::default() }
}

/// For each rule and parameter, the class every clause specializes it on (when they agree):
/// what a call that binds that argument knows of its type.
fn output_classes(program: &Program) -> HashMap<RuleKey, Vec<Option<String>>> {
    let mut classes: HashMap<RuleKey, Vec<Option<String>>> = HashMap::new();
    for rule in &program.rules {
        let key = (rule.name.name.clone(), rule.params.len());
        let own: Vec<Option<String>> = rule.params.iter().map(param_class).collect();
        classes
            .entry(key)
            .and_modify(|known| {
                for (k, c) in known.iter_mut().zip(&own) {
                    if k != c {
                        *k = None;
                    }
                }
            })
            .or_insert(own);
    }
    classes
}

fn param_class(param: &Param) -> Option<String> {
    match param.specializer.as_ref().map(|s| &s.kind) {
        Some(TermKind::Instance { tag, .. })
            if !is_union(&tag.name) && !BUILTIN_CLASSES.contains(&tag.name.as_str()) =>
        {
            Some(tag.name.clone())
        }
        _ => None,
    }
}

/// What is bound at a point of a clause, and which slot holds each variable there.
#[derive(Clone, Default)]
struct Scope {
    vars: HashMap<String, SlotId>,
    bound: HashSet<String>,
}

struct ClauseBuilder<'a> {
    outputs: &'a HashMap<RuleKey, Vec<Option<String>>>,
    slots: Vec<Slot>,
    /// The slot of each variable's unnarrowed value, shared by every place that binds it.
    base: HashMap<String, SlotId>,
    scope: Scope,
    temps: usize,
}

impl<'a> ClauseBuilder<'a> {
    fn new(outputs: &'a HashMap<RuleKey, Vec<Option<String>>>) -> Self {
        ClauseBuilder { outputs, slots: Vec::new(), base: HashMap::new(), scope: Scope::default(), temps: 0 }
    }

    fn clause(mut self, rule: &LoweredRule) -> ClausePlan {
        let params: Vec<SlotId> =
            (0..rule.params.len()).map(|i| self.new_slot(format!("p{i}"), Ty::Dynamic)).collect();
        let mut head = Vec::new();
        for (param, &slot) in rule.params.iter().zip(&params) {
            self.param(param, slot, &mut head);
        }
        let body = self.goal(&rule.body);
        let head = head.into_iter().map(|g| self.finish(g)).collect();
        let body = self.finish(body);
        ClausePlan { rule: rule.id, span: rule.span, slots: self.slots, head, body }
    }

    fn new_slot(&mut self, name: String, ty: Ty) -> SlotId {
        self.slots.push(Slot { name, ty });
        SlotId(self.slots.len() as u32 - 1)
    }

    /// Binds `name` (its base slot, whose type joins `ty`) in the current scope.
    fn bind_var(&mut self, name: &str, ty: Ty) -> SlotId {
        let slot = match self.base.get(name) {
            Some(&slot) => {
                let joined = self.slots[slot.0 as usize].ty.join(&ty);
                self.slots[slot.0 as usize].ty = joined;
                slot
            }
            None => {
                let slot = self.new_slot(name.to_owned(), ty);
                self.base.insert(name.to_owned(), slot);
                slot
            }
        };
        self.scope.vars.insert(name.to_owned(), slot);
        self.scope.bound.insert(name.to_owned());
        slot
    }

    /// A second slot for a variable whose value a class check typed (`x matches User`).
    fn narrow(&mut self, name: &str, ty: Ty) -> SlotId {
        let slot = self.new_slot(name.to_owned(), ty);
        self.scope.vars.insert(name.to_owned(), slot);
        self.scope.bound.insert(name.to_owned());
        slot
    }

    fn temp(&mut self, ty: Ty) -> SlotId {
        self.temps += 1;
        let name = format!("%{}", self.temps);
        let slot = self.new_slot(name.clone(), ty);
        self.scope.vars.insert(name.clone(), slot);
        self.scope.bound.insert(name);
        slot
    }

    /// `_` is never bound, `nil` always is (unless the policy binds a variable of that name).
    fn is_unbound(&self, term: &Term) -> bool {
        term.as_variable().is_some_and(|v| v == "_" || v != "nil" && !self.scope.bound.contains(v))
    }

    fn op(kind: OpKind, span: Span) -> Goal {
        Goal::Op(Op { kind, span, raises: Raise::No })
    }

    fn param(&mut self, param: &Param, slot: SlotId, head: &mut Vec<Goal>) {
        let value = Operand::Slot(slot);
        match (&param.value.kind, &param.specializer) {
            (TermKind::Variable(v), Some(spec)) if v != "_" && !self.scope.bound.contains(v) => {
                let (pattern, ty) = self.pattern(spec, &Ty::Dynamic);
                let narrowed = Some(self.bind_var(v, ty));
                head.push(Self::op(OpKind::Match { value, pattern, narrowed }, param.span));
            }
            (TermKind::Variable(_) | TermKind::List { .. }, _)
            | (TermKind::String(_) | TermKind::Integer(_) | TermKind::Float(_) | TermKind::Boolean(_), _) => {
                let (pattern, _) = self.pattern(&param.value, &Ty::Dynamic);
                if pattern != Pattern::Any {
                    head.push(Self::op(
                        OpKind::Match { value: value.clone(), pattern, narrowed: None },
                        param.span,
                    ));
                }
                if let Some(spec) = &param.specializer {
                    let (pattern, ty) = self.pattern(spec, &Ty::Dynamic);
                    let narrowed = match param.value.as_variable() {
                        Some(v) if v != "_" => Some(self.narrow(v, ty)),
                        _ => None,
                    };
                    head.push(Self::op(OpKind::Match { value, pattern, narrowed }, param.span));
                }
            }
            _ => head.push(Self::op(
                OpKind::Unsupported("a parameter that is neither a variable, a literal nor a list of them"),
                param.span,
            )),
        }
    }

    /// A term in goal position.
    fn goal(&mut self, term: &Term) -> Goal {
        match &term.kind {
            TermKind::And(goals) => Goal::And(goals.iter().map(|g| self.goal(g)).collect()),
            TermKind::Or(branches) => {
                let before = self.scope.clone();
                let mut after = before.clone();
                let mut goals = Vec::new();
                for branch in branches {
                    self.scope = before.clone();
                    goals.push(self.goal(branch));
                    for (name, slot) in &self.scope.vars {
                        after.vars.entry(name.clone()).or_insert(*slot);
                    }
                    after.bound.extend(self.scope.bound.iter().cloned());
                }
                self.scope = after;
                Goal::Or(goals)
            }
            TermKind::Not(inner) => {
                let before = self.scope.clone();
                let goal = self.goal(inner);
                self.scope = before;
                Goal::Not(Box::new(goal))
            }
            TermKind::ForAll { condition, action } => {
                let before = self.scope.clone();
                let (c, a) = (self.goal(condition), self.goal(action));
                self.scope = before;
                Goal::Forall(Box::new(c), Box::new(a))
            }
            TermKind::Boolean(true) => Goal::True,
            TermKind::Boolean(false) => Goal::Fail,
            TermKind::Cut => Goal::Cut,
            TermKind::Debug(_) => Self::op(OpKind::Unsupported("`debug()`"), term.span),
            _ => {
                let mut steps = Vec::new();
                let rewritten = self.hoist(term, &mut steps);
                let goal = self.simple_goal(&rewritten);
                if steps.is_empty() {
                    goal
                } else {
                    steps.push(goal);
                    Goal::And(steps)
                }
            }
        }
    }

    /// Oso's rewriter: lookups, method calls and arithmetic, innermost first and left to
    /// right, each computed into a slot before the goal; not into `and`/`or`/`not`/`forall`
    /// nor into patterns.
    fn hoist(&mut self, term: &Term, steps: &mut Vec<Goal>) -> Term {
        let kind = match &term.kind {
            TermKind::Dot { receiver, member } => {
                let receiver = self.hoist(receiver, steps);
                let object = self.operand(&receiver);
                let op = match member {
                    Member::Field(name) => {
                        let dst = self.temp(Ty::Typed(None));
                        OpKind::Lookup { dst, object, field: name.name.clone() }
                    }
                    Member::Method(call) => {
                        let call = self.hoist_call(call, steps);
                        let args = call.args.iter().map(|a| self.operand(a)).collect();
                        let dst = self.temp(Ty::Typed(None));
                        match call.kwargs {
                            Some(_) => {
                                OpKind::Unsupported("keyword arguments (Oso's Rust host rejects them)")
                            }
                            None => {
                                OpKind::Method { dst, receiver: object, name: call.name.name.clone(), args }
                            }
                        }
                    }
                    Member::DynamicKey(_) => OpKind::Unsupported("a lookup with a variable key `x.(k)`"),
                };
                let dst = match &op {
                    OpKind::Lookup { dst, .. } | OpKind::Method { dst, .. } => Some(*dst),
                    _ => None,
                };
                steps.push(Self::op(op, term.span));
                return match dst {
                    Some(dst) => self.slot_term(dst, term.span),
                    None => term.clone(),
                };
            }
            TermKind::Binary { op, left, right } => {
                let left = self.hoist(left, steps);
                let right = self.hoist(right, steps);
                if is_arithmetic(*op) {
                    let (l, r) = (self.operand(&left), self.operand(&right));
                    let dst = self.temp(Ty::Typed(None));
                    steps.push(Self::op(OpKind::Arith { dst, op: *op, left: l, right: r }, term.span));
                    return self.slot_term(dst, term.span);
                }
                TermKind::Binary { op: *op, left: Box::new(left), right: Box::new(right) }
            }
            TermKind::Matches { value, pattern } => {
                TermKind::Matches { value: Box::new(self.hoist(value, steps)), pattern: pattern.clone() }
            }
            TermKind::Call(call) => TermKind::Call(self.hoist_call(call, steps)),
            TermKind::List { elements, rest } => TermKind::List {
                elements: elements.iter().map(|e| self.hoist(e, steps)).collect(),
                rest: rest.clone(),
            },
            TermKind::Dict(fields) => TermKind::Dict(
                fields
                    .iter()
                    .map(|f| Field {
                        key: f.key.clone(),
                        value: self.hoist(&f.value, steps),
                        shorthand: f.shorthand,
                    })
                    .collect(),
            ),
            TermKind::Print(args) => TermKind::Print(args.iter().map(|a| self.hoist(a, steps)).collect()),
            _ => return term.clone(),
        };
        Term::new(kind, term.span)
    }

    fn hoist_call(&mut self, call: &Call, steps: &mut Vec<Goal>) -> Call {
        Call {
            name: call.name.clone(),
            args: call.args.iter().map(|a| self.hoist(a, steps)).collect(),
            kwargs: call.kwargs.clone(),
        }
    }

    /// A variable term standing for a hoisted slot (its name cannot be a Polar variable).
    fn slot_term(&self, slot: SlotId, span: Span) -> Term {
        Term::new(TermKind::Variable(self.slots[slot.0 as usize].name.clone()), span)
    }

    /// A goal whose computed sub-terms are slots by now.
    fn simple_goal(&mut self, term: &Term) -> Goal {
        let span = term.span;
        let kind = match &term.kind {
            TermKind::Call(call) if call.kwargs.is_some() => {
                OpKind::Unsupported("keyword arguments (Oso rejects them at run time)")
            }
            TermKind::Call(call) => self.call(call),
            TermKind::Binary { op: BinOp::Unify | BinOp::Assign, left, right } => self.unify(left, right),
            TermKind::Binary { op: BinOp::In, left, right } => {
                let collection = self.operand(right);
                let item = if self.is_unbound(left) {
                    match left.as_variable() {
                        Some("_") | None => Pattern::Any,
                        Some(v) => Pattern::Bind(self.bind_var(v, Ty::Typed(None))),
                    }
                } else {
                    match &left.kind {
                        TermKind::List { .. } => self.pattern(left, &Ty::Typed(None)).0,
                        _ => Pattern::Value(self.operand(left)),
                    }
                };
                OpKind::Iterate { item, collection }
            }
            TermKind::Binary { op, left, right } => {
                OpKind::Compare { op: *op, left: self.operand(left), right: self.operand(right) }
            }
            TermKind::Matches { value, pattern } => {
                let operand = self.operand(value);
                let ty = self.ty(&operand);
                let (pattern, narrowed_ty) = self.pattern(pattern, &ty);
                let narrowed = match (value.as_variable(), &pattern) {
                    (Some(v), Pattern::Class { .. } | Pattern::Builtin { .. }) if v != "_" => {
                        Some(self.narrow(v, narrowed_ty))
                    }
                    _ => None,
                };
                OpKind::Match { value: operand, pattern, narrowed }
            }
            TermKind::Dot { .. } | TermKind::Variable(_) => OpKind::Truthy(self.operand(term)),
            TermKind::Print(args) => OpKind::Print(args.iter().map(|a| self.operand(a)).collect()),
            TermKind::New(_) => OpKind::Unsupported("`new`"),
            _ => OpKind::Unsupported("this expression as a goal"),
        };
        Self::op(kind, span)
    }

    fn call(&mut self, call: &Call) -> OpKind {
        let rule = (call.name.name.clone(), call.args.len());
        let mut args = Vec::new();
        let mut outs = Vec::new();
        for (i, arg) in call.args.iter().enumerate() {
            match arg.as_variable() {
                Some("_") => args.push(Arg::Out(None)),
                Some(v) if self.is_unbound(arg) => {
                    args.push(Arg::Out(None));
                    outs.push((args.len() - 1, i, v.to_owned()));
                }
                _ => args.push(Arg::In(self.operand(arg))),
            }
        }
        // Bound after the call, which types them as every clause specializes them.
        for (at, i, v) in outs {
            let ty = match self.outputs.get(&rule).and_then(|c| c[i].clone()) {
                Some(class) => Ty::Typed(Some(class)),
                None => Ty::Dynamic,
            };
            args[at] = Arg::Out(Some(self.bind_var(&v, ty)));
        }
        OpKind::Call { rule, args }
    }

    fn unify(&mut self, left: &Term, right: &Term) -> OpKind {
        let list_pattern = |b: &Self, t: &Term| b.binds_in_list(t);
        if list_pattern(self, left) || list_pattern(self, right) {
            let (list, other) = if list_pattern(self, left) { (left, right) } else { (right, left) };
            let value = self.operand(other);
            let ty = self.ty(&value);
            let (pattern, _) = self.pattern(list, &ty);
            return OpKind::Match { value, pattern, narrowed: None };
        }
        match (self.is_unbound(left), self.is_unbound(right)) {
            (true, true) => OpKind::Unsupported("unifying two unbound variables"),
            (true, false) | (false, true) => {
                let (var, value) = if self.is_unbound(left) { (left, right) } else { (right, left) };
                let value = self.operand(value);
                match var.as_variable() {
                    Some("_") | None => OpKind::Match { value, pattern: Pattern::Any, narrowed: None },
                    Some(v) => {
                        let ty = self.ty(&value);
                        OpKind::Bind { dst: self.bind_var(v, ty), value }
                    }
                }
            }
            (false, false) => OpKind::Unify { left: self.operand(left), right: self.operand(right) },
        }
    }

    /// A list with a `*rest` or an unbound variable in it: a pattern rather than a value.
    fn binds_in_list(&self, t: &Term) -> bool {
        match &t.kind {
            TermKind::List { elements, rest } => {
                rest.is_some() || elements.iter().any(|e| self.is_unbound(e) || self.binds_in_list(e))
            }
            _ => false,
        }
    }

    /// A term in value position.
    fn operand(&mut self, term: &Term) -> Operand {
        match &term.kind {
            TermKind::String(s) => Operand::Lit(Lit::Str(s.clone())),
            TermKind::Integer(i) => Operand::Lit(Lit::Int(*i)),
            TermKind::Float(f) => Operand::Lit(Lit::Float(*f)),
            TermKind::Boolean(b) => Operand::Lit(Lit::Bool(*b)),
            TermKind::Variable(v) if v == "nil" && !self.scope.bound.contains(v) => Operand::Nil,
            TermKind::Variable(v) => match self.scope.vars.get(v) {
                Some(&slot) if self.scope.bound.contains(v) => Operand::Slot(slot),
                // Used before anything binds it: an error the emitters report.
                _ => Operand::Unsupported("a variable used before anything binds it"),
            },
            TermKind::Dot { receiver, member: Member::Field(name) } => {
                Operand::Field(Box::new(self.operand(receiver)), name.name.clone())
            }
            TermKind::List { elements, rest } => {
                let elements = elements.iter().map(|e| self.operand(e)).collect();
                let rest = rest.as_ref().and_then(|r| self.scope.vars.get(&r.name).copied());
                Operand::List(elements, rest)
            }
            TermKind::Dict(fields) => {
                Operand::Dict(fields.iter().map(|f| (f.key.name.clone(), self.operand(&f.value))).collect())
            }
            TermKind::New(_) => Operand::Unsupported("`new`"),
            _ => Operand::Unsupported("this expression as a value"),
        }
    }

    /// The pattern `term` describes for a value of type `ty`, binding its unbound variables,
    /// and the type of the value once it matched.
    fn pattern(&mut self, term: &Term, ty: &Ty) -> (Pattern, Ty) {
        let typed = Ty::Typed(None);
        let sub = if ty.is_dynamic() { Ty::Dynamic } else { typed.clone() };
        match &term.kind {
            TermKind::Variable(v) if v == "_" => (Pattern::Any, ty.clone()),
            TermKind::Variable(_) if !self.is_unbound(term) => {
                (Pattern::Value(self.operand(term)), ty.clone())
            }
            TermKind::Variable(v) => (Pattern::Bind(self.bind_var(v, ty.clone())), ty.clone()),
            TermKind::String(_) | TermKind::Integer(_) | TermKind::Float(_) | TermKind::Boolean(_) => {
                match self.operand(term) {
                    Operand::Lit(l) => (Pattern::Lit(l), ty.clone()),
                    _ => unreachable!("a literal"),
                }
            }
            TermKind::Instance { tag, fields, .. } if is_union(&tag.name) => {
                let _ = fields;
                (Pattern::Union(tag.name.clone()), ty.clone())
            }
            TermKind::Instance { tag, fields, .. } if BUILTIN_CLASSES.contains(&tag.name.as_str()) => {
                let (value_ty, field_ty) = match tag.name.as_str() {
                    "String" | "Integer" | "Float" | "Boolean" => (typed.clone(), typed),
                    "Dictionary" => (ty.clone(), Ty::Dynamic),
                    _ => (ty.clone(), sub),
                };
                let fields = self.fields(fields, &field_ty);
                (Pattern::Builtin { name: tag.name.clone(), fields }, value_ty)
            }
            TermKind::Instance { tag, fields, .. } => {
                let fields = self.fields(fields, &typed);
                (Pattern::Class { name: tag.name.clone(), fields }, Ty::Typed(Some(tag.name.clone())))
            }
            TermKind::DictPattern(fields) => (Pattern::Dict(self.fields(fields, &sub)), ty.clone()),
            TermKind::List { elements, rest } => {
                let elements = elements.iter().map(|e| self.pattern(e, &sub).0).collect();
                let rest = rest.as_ref().map(|r| {
                    let var = Term::new(TermKind::Variable(r.name.clone()), r.span);
                    Box::new(self.pattern(&var, &sub).0)
                });
                (Pattern::List { elements, rest }, ty.clone())
            }
            _ => (Pattern::Value(self.operand(term)), ty.clone()),
        }
    }

    /// Field patterns, in Oso's order (reverse key order).
    fn fields(&mut self, fields: &[Field], ty: &Ty) -> Vec<(String, Pattern)> {
        let mut sorted: Vec<&Field> = fields.iter().collect();
        sorted.sort_by(|a, b| b.key.name.cmp(&a.key.name));
        sorted.into_iter().map(|f| (f.key.name.clone(), self.pattern(&f.value, ty).0)).collect()
    }

    fn ty(&self, operand: &Operand) -> Ty {
        if self.is_dynamic(operand) { Ty::Dynamic } else { Ty::Typed(None) }
    }

    fn is_dynamic(&self, operand: &Operand) -> bool {
        match operand {
            Operand::Slot(slot) => self.slots[slot.0 as usize].ty.is_dynamic(),
            Operand::Lit(_) | Operand::Nil | Operand::Field(..) => false,
            Operand::List(elements, rest) => {
                elements.iter().any(|e| self.is_dynamic(e))
                    || rest.is_some_and(|r| self.slots[r.0 as usize].ty.is_dynamic())
            }
            Operand::Dict(fields) => fields.iter().any(|(_, v)| self.is_dynamic(v)),
            Operand::Unsupported(_) => true,
        }
    }

    /// Decides, once every slot has its final type, which operations of `goal` can raise.
    fn finish(&self, mut goal: Goal) -> Goal {
        self.mark(&mut goal);
        goal
    }

    fn mark(&self, goal: &mut Goal) {
        match goal {
            Goal::And(goals) | Goal::Or(goals) => goals.iter_mut().for_each(|g| self.mark(g)),
            Goal::Not(g) => self.mark(g),
            Goal::Forall(c, a) => {
                self.mark(c);
                self.mark(a);
            }
            Goal::Cut | Goal::True | Goal::Fail => {}
            Goal::Op(op) => op.raises = self.raises(&op.kind),
        }
    }

    fn raises(&self, kind: &OpKind) -> Raise {
        const DYNAMIC: &str = "compares values whose types are known only at run time";
        let dynamic = |o: &Operand| self.is_dynamic(o);
        let yes_if = |b: bool, why| if b { Raise::Yes(why) } else { Raise::No };
        match kind {
            OpKind::Bind { .. } | OpKind::Print(_) => Raise::No,
            OpKind::Unify { left, right } | OpKind::Compare { left, right, .. } => {
                yes_if(dynamic(left) || dynamic(right), DYNAMIC)
            }
            OpKind::Truthy(_) => Raise::Yes("tests a value as a condition, an error unless it is a boolean"),
            OpKind::Match { value, pattern, .. } => self.pattern_raises(pattern, dynamic(value)),
            OpKind::Lookup { object, .. } => {
                yes_if(dynamic(object), "looks up a field of a value known only at run time")
            }
            OpKind::Method { receiver, .. } => {
                yes_if(dynamic(receiver), "calls a method of a value known only at run time")
            }
            OpKind::Arith { .. } => Raise::Yes("computes arithmetic, which can overflow"),
            OpKind::Iterate { item, collection } => match collection {
                Operand::List(elements, None)
                    if matches!(item, Pattern::Value(_))
                        && !elements.is_empty()
                        && elements.iter().all(|e| matches!(e, Operand::Lit(_))) =>
                {
                    Raise::No
                }
                Operand::List(elements, _) => self.pattern_raises(item, elements.iter().any(dynamic)),
                Operand::Dict(fields) => self.pattern_raises(item, fields.iter().any(|(_, v)| dynamic(v))),
                other if dynamic(other) => Raise::Yes("iterates a value known only at run time"),
                _ => self.pattern_raises(item, false),
            },
            OpKind::Call { .. } => Raise::IfCallee,
            OpKind::Unsupported(what) => Raise::Yes(what),
        }
    }

    fn pattern_raises(&self, pattern: &Pattern, value_dynamic: bool) -> Raise {
        let all = |fields: &[(String, Pattern)], dynamic: bool| {
            fields
                .iter()
                .map(|(_, p)| self.pattern_raises(p, dynamic))
                .find(|r| *r != Raise::No)
                .unwrap_or(Raise::No)
        };
        match pattern {
            Pattern::Any | Pattern::Bind(_) | Pattern::Lit(_) | Pattern::Union(_) => Raise::No,
            Pattern::Value(o) if value_dynamic || self.is_dynamic(o) => {
                Raise::Yes("compares values whose types are known only at run time")
            }
            Pattern::Value(_) => Raise::No,
            Pattern::Class { fields, .. } => all(fields, false),
            Pattern::Builtin { name, fields } => all(fields, value_dynamic || name == "Dictionary"),
            Pattern::Dict(_) | Pattern::List { .. } if value_dynamic => {
                Raise::Yes("matches the shape of a value known only at run time")
            }
            Pattern::Dict(fields) => all(fields, false),
            Pattern::List { elements, rest } => elements
                .iter()
                .chain(rest.as_deref())
                .map(|p| self.pattern_raises(p, false))
                .find(|r| *r != Raise::No)
                .unwrap_or(Raise::No),
        }
    }
}
