//! Terms in value position: literals, bound variables, `nil`, list literals, and the
//! computed values Oso's rewriter hoists out of a goal (field and dictionary lookups, method
//! calls, arithmetic).
//!
//! # Hoisting (Oso's `rewrites.rs`)
//!
//! Before a goal runs, Oso replaces every `x.f`, `x.m(..)` and `a + b` (`- * / mod rem`) in
//! it by a fresh variable bound by a goal of its own, innermost first and left to right. The
//! order is observable: a dictionary lookup of a missing key *fails* while an overflow is an
//! *error*, so `d.missing = x + 1` fails where `x + 1 = d.missing` errors. [`Gen::hoist_steps`] and [`Gen::run_steps`]
//! does the same: it computes those sub-terms in that order, each as a nested `let` (or an
//! `if let` for a lookup, which may fail), then runs the goal on the rewritten term.
//!
//! Two places where Oso binds the temporaries *before* computing them, so that a goal can
//! fail on its shape before a computation raises its error, are refused (see
//! [`Gen::appended_hoisting_refusal`]).
//!
//! # Method calls
//!
//! `x.m(a, b)` calls the Rust method `m` of `x`'s type (inherent or from a trait in scope
//! where the policy is compiled) as `x.m(&a, &b)`: each argument by reference (`&str` for a
//! string, an unsuffixed literal for a number, so `&u32` or `&i64` parameters both work,
//! `&bool`, `&T` for a field of type `T`, `&Number` for arithmetic). The receiver must be an
//! instance of a `#[derive(PolarClass)]` type (Oso's built-in methods of strings, lists and
//! dictionaries are not reproduced) whose type the compiler can reach (not a parameter
//! without a class specializer). The result is bound by value and used by reference; it must
//! implement `Polar` where it is compared or tested. Return `Option<T>` for Oso's `Option`
//! (`None` is `nil`). Keyword arguments are refused (Oso's Rust host rejects them).

use proc_macro2::TokenStream;
use quote::quote;

use super::*;
use crate::ast::{BinOp, Call, Field, Member, Term, TermKind};
use crate::diagnostic::Diagnostic;

/// What follows a hoisted goal: receives the goal with its computed sub-terms replaced by
/// bound variables.
pub(super) type HoistCont<'k, 'p> = &'k mut dyn FnMut(&mut Gen<'p>, &Term, &Env) -> TokenStream;

/// A sub-term computed before its goal, bound to the variable `name`.
pub(super) struct Step {
    name: String,
    term: Term,
    /// Inside a list or dictionary literal.
    in_literal: bool,
}

pub(super) fn is_arithmetic(op: BinOp) -> bool {
    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Rem)
}

impl Step {
    fn is_arithmetic(&self) -> bool {
        matches!(self.term.kind, TermKind::Binary { op, .. } if is_arithmetic(op))
    }
}

/// Whether a goal has sub-terms Oso hoists (the same descent as [`Gen::hoist_term`]).
pub(super) fn has_hoistable(term: &Term) -> bool {
    match &term.kind {
        TermKind::Dot { member: Member::DynamicKey(_), receiver } => has_hoistable(receiver),
        TermKind::Dot { .. } => true,
        TermKind::Binary { op, left, right } => {
            is_arithmetic(*op) || has_hoistable(left) || has_hoistable(right)
        }
        TermKind::Matches { value, .. } => has_hoistable(value),
        TermKind::Call(call) => call.args.iter().any(has_hoistable),
        TermKind::List { elements, .. } => elements.iter().any(has_hoistable),
        TermKind::Dict(fields) => fields.iter().any(|f| has_hoistable(&f.value)),
        TermKind::Print(args) => args.iter().any(has_hoistable),
        _ => false,
    }
}

/// A reference to an array of the elements, when they are literals of one kind (`[]` too).
pub(super) fn literal_array(elements: &[Term]) -> Option<TokenStream> {
    let literals: Vec<Literal> = elements.iter().map(literal).collect::<Option<_>>()?;
    let same = |f: fn(&Literal) -> bool| literals.iter().all(f);
    Some(match literals.first() {
        None => quote! { &[::polar_runtime::Nil; 0] },
        Some(Literal::Str(_)) if same(|l| matches!(l, Literal::Str(_))) => {
            let s = literals.iter().map(|l| if let Literal::Str(s) = l { s.as_str() } else { "" });
            quote! { &[#(#s),*] }
        }
        Some(Literal::Int(_)) if same(|l| matches!(l, Literal::Int(_))) => {
            let i = literals.iter().map(|l| if let Literal::Int(i) = l { *i } else { 0 });
            quote! { &[#(#i),*] }
        }
        Some(Literal::Float(_)) if same(|l| matches!(l, Literal::Float(f) if f.is_finite())) => {
            let f = literals.iter().map(|l| if let Literal::Float(f) = l { *f } else { 0.0 });
            quote! { &[#(#f),*] }
        }
        Some(Literal::Bool(_)) if same(|l| matches!(l, Literal::Bool(_))) => {
            let b = literals.iter().map(|l| if let Literal::Bool(b) = l { *b } else { false });
            quote! { &[#(#b),*] }
        }
        _ => return None,
    })
}

/// A float as a Rust expression (`inf`, `-inf` and `nan` have no literal).
pub(super) fn float_expr(f: f64) -> TokenStream {
    if f.is_nan() {
        quote! { ::core::f64::NAN }
    } else if f == f64::INFINITY {
        quote! { ::core::f64::INFINITY }
    } else if f == f64::NEG_INFINITY {
        quote! { ::core::f64::NEG_INFINITY }
    } else {
        quote! { #f }
    }
}

/// Whether `term` is a list or dictionary literal.
pub(super) fn is_structure(term: &Term) -> bool {
    matches!(term.kind, TermKind::List { .. } | TermKind::Dict(_))
}

impl<'p> Gen<'p> {
    /// A term in value position, as an expression (no statements): literals, bound variables,
    /// `nil`, field lookups on instances (patterns), list literals of literals. Goals hoist
    /// their computed sub-terms first ([`Gen::hoist_steps`] and [`Gen::run_steps`]), so those arrive here as variables.
    pub(super) fn value(&mut self, term: &Term, scope: &str, env: &Env) -> Option<Val> {
        let lit = |expr: TokenStream, l: Literal| Some(Val { expr, generic: false, literal: Some(l) });
        match &term.kind {
            TermKind::String(s) => lit(quote! { #s }, Literal::Str(s.clone())),
            TermKind::Integer(i) => lit(quote! { &#i }, Literal::Int(*i)),
            TermKind::Float(f) if f.is_finite() => lit(quote! { &#f }, Literal::Float(*f)),
            TermKind::Float(f) => {
                let f = float_expr(*f);
                Some(Val { expr: quote! { &#f }, generic: false, literal: None })
            }
            TermKind::Boolean(b) => lit(quote! { &#b }, Literal::Bool(*b)),
            TermKind::Variable(v) if v == "nil" && !env.contains_key(&format!("{scope}/{v}")) => {
                Some(Val { expr: quote! { &::polar_runtime::Nil }, generic: false, literal: None })
            }
            TermKind::Variable(v) => match env.get(&format!("{scope}/{v}")) {
                Some(val) => Some(val.clone()),
                None => {
                    self.errors.push(
                        Diagnostic::error(
                            codes::UNBOUND,
                            term.span,
                            format!("`{v}` is used before anything binds it"),
                        )
                        .with_note("Oso would stop with an error here; bind the variable first"),
                    );
                    None
                }
            },
            TermKind::Dot { receiver, member: Member::Field(name) } => {
                let recv = self.value(receiver, scope, env)?;
                if recv.generic {
                    self.refuse_generic_lookup(term.span);
                    return None;
                }
                let r = &recv.expr;
                Some(Val { expr: self.field_get(term.span, &name.name, r), generic: false, literal: None })
            }
            TermKind::List { elements, rest } => self.list_value(term, elements, rest.is_some()),
            TermKind::New(_) => {
                self.refuse_new(term.span);
                None
            }
            _ => {
                self.refuse(term.span, describe(term));
                None
            }
        }
    }

    /// A list literal as a value: an array, which needs elements of one Rust type, so literals
    /// of one kind (`["a", "b"]`, `[1, 2]`, `[]`).
    fn list_value(&mut self, term: &Term, elements: &[Term], rest: bool) -> Option<Val> {
        if rest {
            self.refuse(term.span, "rest variables `*rest` in list literals");
            return None;
        }
        match literal_array(elements) {
            Some(expr) => Some(Val { expr, generic: false, literal: None }),
            None => {
                self.refuse(
                    term.span,
                    "a list literal used as a value whose elements are not literals of one type \
                     (strings, integers, floats or booleans); compare or iterate it instead",
                );
                None
            }
        }
    }

    pub(super) fn refuse_generic_lookup(&mut self, span: Span) {
        self.refuse(
            span,
            "a field lookup on a parameter without a class specializer (add one, e.g. `x: User`)",
        );
    }

    pub(super) fn refuse_new(&mut self, span: Span) {
        self.refuse(
            span,
            "`new` (constructing a host instance): compiled policies have no constructor convention, \
             since Oso's constructors are registered at run time; pass the instance in, or compute \
             the value with a method",
        );
    }

    /// The sub-terms of `goal` to hoist, with `goal` rewritten over their variables.
    pub(super) fn hoist_steps(&mut self, goal: &Term) -> (Vec<Step>, Term) {
        let mut steps = Vec::new();
        let rewritten = self.hoist_term(goal, false, &mut steps);
        (steps, rewritten)
    }

    /// Runs the computed steps in order, then `k` on the rewritten goal.
    pub(super) fn run_steps(
        &mut self,
        steps: &[Step],
        goal: &Term,
        scope: &str,
        env: &Env,
        k: HoistCont<'_, 'p>,
    ) -> TokenStream {
        match steps.split_first() {
            None => k(self, goal, env),
            Some((step, rest)) => {
                let scope_owned = scope.to_owned();
                let mut next = |g: &mut Gen<'p>, val: Val| {
                    let mut env = env.clone();
                    env.insert(format!("{scope_owned}/{}", step.name), val);
                    g.run_steps(rest, goal, &scope_owned, &env, &mut *k)
                };
                self.compute(&step.term, scope, env, &mut next)
            }
        }
    }

    /// Oso's rewriter: sub-terms first, left to right; each lookup, method call and arithmetic
    /// operation becomes a step and is replaced by its variable. Does not descend into
    /// `and`/`or`/`not`/`forall` (their goals hoist on their own) nor into patterns.
    fn hoist_term(&mut self, term: &Term, in_literal: bool, steps: &mut Vec<Step>) -> Term {
        let step = |g: &mut Gen<'p>, term: Term, steps: &mut Vec<Step>| {
            g.fresh += 1;
            let name = format!("%h{}", g.fresh);
            let span = term.span;
            steps.push(Step { name: name.clone(), term, in_literal });
            Term::new(TermKind::Variable(name), span)
        };
        let kind = match &term.kind {
            TermKind::Dot { receiver, member } => {
                let receiver = Box::new(self.hoist_term(receiver, in_literal, steps));
                let member = match member {
                    Member::Method(call) => Member::Method(self.hoist_call(call, in_literal, steps)),
                    other => other.clone(),
                };
                let dynamic = matches!(member, Member::DynamicKey(_));
                let dot = Term::new(TermKind::Dot { receiver, member }, term.span);
                return if dynamic { dot } else { step(self, dot, steps) };
            }
            TermKind::Binary { op, left, right } => {
                let left = Box::new(self.hoist_term(left, in_literal, steps));
                let right = Box::new(self.hoist_term(right, in_literal, steps));
                let binary = Term::new(TermKind::Binary { op: *op, left, right }, term.span);
                return if is_arithmetic(*op) { step(self, binary, steps) } else { binary };
            }
            TermKind::Matches { value, pattern } => TermKind::Matches {
                value: Box::new(self.hoist_term(value, in_literal, steps)),
                pattern: pattern.clone(),
            },
            TermKind::Call(call) => TermKind::Call(self.hoist_call(call, in_literal, steps)),
            TermKind::List { elements, rest } => TermKind::List {
                elements: elements.iter().map(|e| self.hoist_term(e, true, steps)).collect(),
                rest: rest.clone(),
            },
            TermKind::Dict(fields) => TermKind::Dict(
                fields
                    .iter()
                    .map(|f| Field {
                        key: f.key.clone(),
                        value: self.hoist_term(&f.value, true, steps),
                        shorthand: f.shorthand,
                    })
                    .collect(),
            ),
            TermKind::Print(args) => {
                TermKind::Print(args.iter().map(|a| self.hoist_term(a, in_literal, steps)).collect())
            }
            _ => return term.clone(),
        };
        Term::new(kind, term.span)
    }

    fn hoist_call(&mut self, call: &Call, in_literal: bool, steps: &mut Vec<Step>) -> Call {
        Call {
            name: call.name.clone(),
            args: call.args.iter().map(|a| self.hoist_term(a, in_literal, steps)).collect(),
            kwargs: call.kwargs.clone(),
        }
    }

    /// Oso binds the hoisted variables *before* computing them in two places: a rule-body `=`
    /// whose hoisted terms are all lookups, method calls and `+ - * / rem` (`append` when
    /// `forall` is false), and any goal directly inside `forall` (`forall` true). A goal can
    /// then fail on its shape or run a rule before a computation raises its error, which
    /// computing first would not reproduce: refuse those forms (the reason is returned).
    pub(super) fn appended_hoisting_refusal(
        goal: &Term,
        steps: &[Step],
        forall: bool,
    ) -> Option<&'static str> {
        if steps.is_empty() {
            return None;
        }
        let pure = steps.iter().all(|s| !matches!(s.term.kind, TermKind::Binary { op: BinOp::Mod, .. }));
        let unify = matches!(goal.kind, TermKind::Binary { op: BinOp::Unify, .. });
        if !(forall || unify && pure) {
            return None;
        }
        let arithmetic = steps.iter().any(Step::is_arithmetic);
        match &goal.kind {
            TermKind::Binary { op: BinOp::Unify | BinOp::Assign, .. }
                if steps.iter().any(|s| s.in_literal && s.is_arithmetic()) =>
            {
                Some(
                    "arithmetic inside a list or dictionary literal on a side of `=` (Oso matches the \
                     literal's shape before computing it); compute it first (`y = a + 1 and [y] = x`)",
                )
            }
            TermKind::Binary { op: BinOp::In, .. } if forall && arithmetic => Some(
                "arithmetic in an `in` directly inside `forall` (Oso runs the `in` before computing it); \
                 compute it first with `and`",
            ),
            TermKind::Call(_) | TermKind::Matches { .. } if forall => Some(
                "a rule call or `matches` directly inside `forall` on a field, method call or arithmetic \
                 (Oso runs it before computing them); bind the value first with `and` \
                 (`forall(x in xs, y = x.a and f(y))`)",
            ),
            _ => None,
        }
    }

    /// Computes one hoisted sub-term (its operands are bound by now) and passes its value to `k`.
    fn compute(
        &mut self,
        term: &Term,
        scope: &str,
        env: &Env,
        k: &mut dyn FnMut(&mut Gen<'p>, Val) -> TokenStream,
    ) -> TokenStream {
        match &term.kind {
            TermKind::Dot { receiver, member: Member::Field(name) } => {
                let Some(recv) = self.value(receiver, scope, env) else { return quote! {} };
                if recv.generic {
                    self.refuse_generic_lookup(term.span);
                    return quote! {};
                }
                let (r, key) = (&recv.expr, &name.name);
                let lookup = self.field_lookup(term.span, key, r);
                let t = self.fresh(key);
                let rest = k(
                    self,
                    Val { expr: quote! { ::polar_runtime::Bare::bare(#t) }, generic: false, literal: None },
                );
                quote! {
                    if let ::core::option::Option::Some(#t) = #lookup {
                        #rest
                    }
                }
            }
            TermKind::Dot { receiver, member: Member::Method(call) } => {
                self.method_call(term, receiver, call, scope, env, k)
            }
            TermKind::Binary { op, left, right } => {
                let (Some(l), Some(r)) = (self.value(left, scope, env), self.value(right, scope, env)) else {
                    return quote! {};
                };
                self.calls.raise_here();
                let operand = |v: &Val| {
                    let e = &v.expr;
                    if v.generic {
                        quote! { &::polar_runtime::support::number(::polar_runtime::Polar::view(#e))? }
                    } else {
                        e.clone()
                    }
                };
                let (a, b) = (operand(&l), operand(&r));
                let f = match op {
                    BinOp::Add => quote! { add },
                    BinOp::Sub => quote! { sub },
                    BinOp::Mul => quote! { mul },
                    BinOp::Div => quote! { div },
                    BinOp::Mod => quote! { modulo },
                    _ => quote! { rem },
                };
                let t = self.fresh("n");
                let rest = k(self, Val { expr: quote! { &#t }, generic: false, literal: None });
                quote! { { let #t = ::polar_runtime::support::typed::#f(#a, #b)?; #rest } }
            }
            _ => self.refuse(term.span, describe(term)),
        }
    }

    fn method_call(
        &mut self,
        term: &Term,
        receiver: &Term,
        call: &Call,
        scope: &str,
        env: &Env,
        k: &mut dyn FnMut(&mut Gen<'p>, Val) -> TokenStream,
    ) -> TokenStream {
        if call.kwargs.is_some() {
            return self.refuse(
                term.span,
                "keyword arguments to a method (Oso's Rust host rejects them at run time)",
            );
        }
        if let Some(v) = receiver.as_variable()
            && v.starts_with(|c: char| c.is_uppercase())
            && is_unbound(receiver, scope, env)
        {
            return self.refuse(
                term.span,
                format!("calling a method on the class `{v}` (class methods and constants)"),
            );
        }
        let name = &call.name.name;
        if !is_rust_ident(name) {
            return self
                .refuse(term.span, format!("the method name `{name}`, which is not a Rust identifier"));
        }
        let Some(recv) = self.value(receiver, scope, env) else { return quote! {} };
        if recv.generic {
            return self.refuse(
                term.span,
                "a method call on a parameter without a class specializer (add one, e.g. `x: User`)",
            );
        }
        let mut args = Vec::new();
        for arg in &call.args {
            let Some(v) = self.value(arg, scope, env) else { return quote! {} };
            args.push(match v.literal {
                // Unsuffixed, so that the method's parameter type (`&u32`, `&i64`, ...) decides.
                Some(Literal::Int(i)) => {
                    let l = proc_macro2::Literal::i64_unsuffixed(i);
                    quote! { &#l }
                }
                Some(Literal::Float(f)) if f.is_finite() => {
                    let l = proc_macro2::Literal::f64_unsuffixed(f);
                    quote! { &#l }
                }
                _ => v.expr,
            });
        }
        let method = Ident::new(name, RustSpan::call_site());
        let r = &recv.expr;
        let t = self.fresh(name);
        let rest =
            k(self, Val { expr: quote! { ::polar_runtime::Bare::bare(&#t) }, generic: false, literal: None });
        quote! {
            { let #t = ::polar_runtime::support::receiver(#r).#method(#(#args),*); #rest }
        }
    }
}
