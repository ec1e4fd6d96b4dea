//! The plan as static data of the runtime's types (`polar_runtime::filter::plan`): the rules
//! `allow/3` reaches, their clauses in load order (the evaluator explores every clause, so
//! Oso's specificity order does not change its answer), goals and operations as in the plan.
//! What the evaluator does not translate becomes `Refused(why)` at its place.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::BinOp;
use crate::lower::Program;
use crate::plan::{Arg, Goal, Lit, Op, OpKind, Operand, Pattern, Plans, RuleKey};
use crate::source::SourceMap;

const P: &str = "::polar_runtime::filter::plan";

/// The rules reachable from `allow/3`, in a fixed order, with their indices.
pub(super) fn reachable(plans: &Plans) -> BTreeMap<RuleKey, usize> {
    let mut order: Vec<RuleKey> = Vec::new();
    let mut todo = vec![("allow".to_owned(), 3)];
    while let Some(key) = todo.pop() {
        if order.contains(&key) {
            continue;
        }
        let Some(rule) = plans.rules.get(&key) else { continue };
        order.push(key);
        for clause in &rule.clauses {
            for goal in clause.head.iter().chain([&clause.body]) {
                goal.visit(&mut |op| {
                    if let OpKind::Call { rule, .. } = &op.kind {
                        todo.push(rule.clone());
                    }
                });
            }
        }
    }
    order.into_iter().enumerate().map(|(i, k)| (k, i)).collect()
}

struct Data<'a> {
    program: &'a Program,
    /// The clause being written: where a `cut` is.
    clause_at: std::cell::RefCell<String>,
    index: BTreeMap<RuleKey, usize>,
    sources: Option<&'a SourceMap>,
}

pub(super) fn program(program: &Program, plans: &Plans, sources: Option<&SourceMap>) -> TokenStream {
    let index = reachable(plans);
    let d = Data { program, clause_at: Default::default(), index: index.clone(), sources };
    let p: TokenStream = P.parse().unwrap_or_default();
    let mut by_index: Vec<(&RuleKey, usize)> = index.iter().map(|(k, i)| (k, *i)).collect();
    by_index.sort_by_key(|(_, i)| *i);
    let rules = by_index.iter().map(|(key, _)| {
        let rule = &plans.rules[*key];
        let name = &key.0;
        let clauses = rule.clauses.iter().map(|c| {
            let at = d.at(c.span);
            *d.clause_at.borrow_mut() = at.clone();
            let slots = c.slots.len() as u32;
            let head = c.head.iter().map(|g| d.goal(g));
            let body = d.goal(&c.body);
            quote! { #p::Clause { at: #at, slots: #slots, head: &[#(#head),*], body: #body } }
        });
        quote! { #p::Rule { name: #name, clauses: &[#(#clauses),*] } }
    });
    let allow = match index.get(&("allow".to_owned(), 3)) {
        Some(i) => quote! { ::core::option::Option::Some(#i) },
        None => quote! { ::core::option::Option::None },
    };
    quote! { #p::Program { rules: &[#(#rules),*], allow: #allow } }
}

impl Data<'_> {
    fn at(&self, span: crate::source::Span) -> String {
        match self.sources {
            Some(s) => s.location(span),
            None => format!("{}..{}", span.start, span.end),
        }
    }

    fn goal(&self, goal: &Goal) -> TokenStream {
        let p: TokenStream = P.parse().unwrap_or_default();
        match goal {
            Goal::And(gs) => {
                let gs = gs.iter().map(|g| self.goal(g));
                quote! { #p::Goal::And(&[#(#gs),*]) }
            }
            Goal::Or(gs) => {
                let gs = gs.iter().map(|g| self.goal(g));
                quote! { #p::Goal::Or(&[#(#gs),*]) }
            }
            Goal::Not(g) => {
                let g = self.goal(g);
                quote! { #p::Goal::Not(&#g) }
            }
            Goal::Forall(c, a) => {
                let (c, a) = (self.goal(c), self.goal(a));
                quote! { #p::Goal::Forall(&#c, &#a) }
            }
            // A cut commits to the first solution of what precedes it: which rows pass would
            // depend on the order rows are met in. Refused (`refuse.rs` says where).
            Goal::Cut => {
                let at = self.clause_at.borrow().clone();
                quote! { #p::Goal::Op(#p::Op { at: #at, kind: #p::OpKind::Refused("a cut (`cut`)") }) }
            }
            Goal::True => quote! { #p::Goal::True },
            Goal::Fail => quote! { #p::Goal::Fail },
            Goal::Op(op) => {
                let at = self.at(op.span);
                let kind = self.op(op).unwrap_or_else(|why| quote! { #p::OpKind::Refused(#why) });
                quote! { #p::Goal::Op(#p::Op { at: #at, kind: #kind }) }
            }
        }
    }

    fn op(&self, op: &Op) -> Result<TokenStream, String> {
        let p: TokenStream = P.parse().unwrap_or_default();
        Ok(match &op.kind {
            OpKind::Bind { dst, value } => {
                let (dst, value) = (dst.0, self.operand(value)?);
                quote! { #p::OpKind::Bind { dst: #dst, value: #value } }
            }
            OpKind::Unify { left, right } => {
                let (l, r) = (self.operand(left)?, self.operand(right)?);
                quote! { #p::OpKind::Unify { left: #l, right: #r } }
            }
            OpKind::Compare { op, left, right } => {
                let cmp = match op {
                    BinOp::Eq => quote! { Eq },
                    BinOp::Neq => quote! { Ne },
                    BinOp::Lt => quote! { Lt },
                    BinOp::Leq => quote! { Le },
                    BinOp::Gt => quote! { Gt },
                    BinOp::Geq => quote! { Ge },
                    other => return Err(format!("the operator `{}`", other.symbol())),
                };
                let (l, r) = (self.operand(left)?, self.operand(right)?);
                quote! { #p::OpKind::Compare { op: ::polar_runtime::CmpOp::#cmp, left: #l, right: #r } }
            }
            OpKind::Truthy(v) => {
                let v = self.operand(v)?;
                quote! { #p::OpKind::Truthy(#v) }
            }
            OpKind::Match { value, pattern, narrowed } => {
                let value = self.operand(value)?;
                let pattern = self.pattern(pattern)?;
                let narrowed = match narrowed {
                    Some(s) => {
                        let s = s.0;
                        quote! { ::core::option::Option::Some(#s) }
                    }
                    None => quote! { ::core::option::Option::None },
                };
                quote! { #p::OpKind::Match { value: #value, pattern: #pattern, narrowed: #narrowed } }
            }
            OpKind::Lookup { dst, object, field } => {
                let (dst, object) = (dst.0, self.operand(object)?);
                quote! { #p::OpKind::Lookup { dst: #dst, object: #object, field: #field } }
            }
            OpKind::Method { name, .. } => return Err(format!("a method call (`{name}(...)`)")),
            OpKind::Arith { dst, op, left, right } => {
                let arith = match op {
                    BinOp::Add => quote! { Add },
                    BinOp::Sub => quote! { Sub },
                    BinOp::Mul => quote! { Mul },
                    BinOp::Div => quote! { Div },
                    BinOp::Mod => quote! { Mod },
                    BinOp::Rem => quote! { Rem },
                    other => return Err(format!("the operator `{}`", other.symbol())),
                };
                let (dst, l, r) = (dst.0, self.operand(left)?, self.operand(right)?);
                quote! { #p::OpKind::Arith { dst: #dst, op: ::polar_runtime::ArithOp::#arith, left: #l, right: #r } }
            }
            OpKind::Iterate { item, collection } => {
                let (item, coll) = (self.pattern(item)?, self.operand(collection)?);
                quote! { #p::OpKind::Iterate { item: #item, collection: #coll } }
            }
            OpKind::Call { rule, args } => {
                let Some(index) = self.index.get(rule) else {
                    return Err(format!("a call of `{}/{}`, which has no rule", rule.0, rule.1));
                };
                let args = args
                    .iter()
                    .map(|a| match a {
                        Arg::In(o) => self.operand(o).map(|o| quote! { #p::Arg::In(#o) }),
                        Arg::Out(Some(s)) => {
                            let s = s.0;
                            Ok(quote! { #p::Arg::Out(::core::option::Option::Some(#s)) })
                        }
                        Arg::Out(None) => Ok(quote! { #p::Arg::Out(::core::option::Option::None) }),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                quote! { #p::OpKind::Call { rule: #index, args: &[#(#args),*] } }
            }
            OpKind::Print(_) => return Err("`print`".to_owned()),
            OpKind::Unsupported(why) => return Err((*why).to_owned()),
        })
    }

    fn operand(&self, operand: &Operand) -> Result<TokenStream, String> {
        let p: TokenStream = P.parse().unwrap_or_default();
        Ok(match operand {
            Operand::Slot(s) => {
                let s = s.0;
                quote! { #p::Operand::Slot(#s) }
            }
            Operand::Lit(lit) => lit_operand(lit),
            Operand::Nil => quote! { #p::Operand::Nil },
            Operand::Field(object, field) => {
                let object = self.operand(object)?;
                quote! { #p::Operand::Field(&#object, #field) }
            }
            Operand::List(items, None) => {
                let items = items.iter().map(|i| self.operand(i)).collect::<Result<Vec<_>, _>>()?;
                quote! { #p::Operand::List(&[#(#items),*]) }
            }
            Operand::List(_, Some(_)) => return Err("a list with a rest variable (`[a, *rest]`)".to_owned()),
            Operand::Dict(_) => return Err("a dictionary literal".to_owned()),
            Operand::Unsupported(why) => return Err((*why).to_owned()),
        })
    }

    fn pattern(&self, pattern: &Pattern) -> Result<TokenStream, String> {
        let p: TokenStream = P.parse().unwrap_or_default();
        let fields = |fields: &[(String, Pattern)]| -> Result<TokenStream, String> {
            let fields = fields
                .iter()
                .map(|(name, pat)| self.pattern(pat).map(|pat| quote! { (#name, #pat) }))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(quote! { &[#(#fields),*] })
        };
        Ok(match pattern {
            Pattern::Any => quote! { #p::Pattern::Any },
            Pattern::Bind(s) => {
                let s = s.0;
                quote! { #p::Pattern::Bind(#s) }
            }
            Pattern::Value(o) => {
                let o = self.operand(o)?;
                quote! { #p::Pattern::Value(#o) }
            }
            Pattern::Lit(lit) => {
                let o = lit_operand(lit);
                quote! { #p::Pattern::Value(#o) }
            }
            Pattern::Class { name, fields: fs } | Pattern::Builtin { name, fields: fs } => {
                let fs = fields(fs)?;
                quote! { #p::Pattern::Class { classes: &[#name], fields: #fs } }
            }
            Pattern::Union(name) => {
                let members = self.program.union_members(name).unwrap_or_default();
                quote! { #p::Pattern::Class { classes: &[#(#members),*], fields: &[] } }
            }
            Pattern::Dict(fs) => {
                let fs = fields(fs)?;
                quote! { #p::Pattern::Dict(#fs) }
            }
            Pattern::List { .. } => return Err("a list pattern".to_owned()),
        })
    }
}

fn lit_operand(lit: &Lit) -> TokenStream {
    let p: TokenStream = P.parse().unwrap_or_default();
    match lit {
        Lit::Str(s) => quote! { #p::Operand::Str(#s) },
        Lit::Int(i) => quote! { #p::Operand::Int(#i) },
        Lit::Float(f) => quote! { #p::Operand::Float(#f) },
        Lit::Bool(b) => quote! { #p::Operand::Bool(#b) },
    }
}
