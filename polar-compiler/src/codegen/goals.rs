//! Goals of a rule body: conjunction, `or`, `not`, unification, comparisons, `in`,
//! `matches`. Each takes the continuation `k` that generates the rest of the conjunction.

use proc_macro2::TokenStream;
use quote::quote;

use super::*;
use crate::ast::{BinOp, Term, TermKind};

impl<'p> Gen<'p> {
    /// `if a = b` for two bound values.
    pub(super) fn unify_test(&mut self, a: &Val, b: &Val) -> TokenStream {
        let (x, y) = (&a.expr, &b.expr);
        if a.generic || b.generic {
            quote! { ::polar_runtime::support::unify_views(::polar_runtime::Polar::view(#x), ::polar_runtime::Polar::view(#y))? }
        } else {
            quote! { ::polar_runtime::unify(#x, #y) }
        }
    }

    /// Runs the goals in order, then `k`.
    pub(super) fn conj(&mut self, goals: &[Term], scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        match goals.split_first() {
            None => k(self, env),
            Some((first, rest)) => {
                let scope_owned = scope.to_owned();
                let mut next = |g: &mut Gen<'p>, env: &Env| g.conj(rest, &scope_owned, env, k);
                self.goal(first, scope, env, &mut next)
            }
        }
    }

    pub(super) fn goal(&mut self, term: &Term, scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        match &term.kind {
            TermKind::And(goals) => self.conj(goals, scope, env, k),
            TermKind::Or(branches) => {
                let mut code = TokenStream::new();
                for branch in branches {
                    code.extend(self.goal(branch, scope, env, &mut *k));
                }
                code
            }
            TermKind::Not(inner) => {
                let label = syn_label(&format!("not{}", self.fresh + 1));
                self.fresh += 1;
                let label2 = label.clone();
                let mut found = move |_: &mut Gen<'p>, _: &Env| quote! { break #label2 true; };
                let inner_code = self.goal(inner, scope, env, &mut found);
                let rest = k(self, env);
                quote! {
                    if !(#label: { #inner_code false }) { #rest }
                }
            }
            TermKind::Boolean(true) => k(self, env),
            TermKind::Boolean(false) => quote! {},
            TermKind::Call(call) => {
                if call.kwargs.is_some() {
                    return self.refuse(term.span, "keyword arguments (Oso rejects them at run time)");
                }
                self.call(term, &call.name.name, &call.args, scope, env, k)
            }
            TermKind::Binary { op: BinOp::Unify, left, right } => {
                self.unify(term, left, right, scope, env, k)
            }
            TermKind::Binary { op: BinOp::Assign, left, right } => {
                // `x := v` needs `x` unbound (else Oso errors): bind it.
                match left.as_variable() {
                    Some(v) if !env.contains_key(&format!("{scope}/{v}")) => {
                        self.unify(term, left, right, scope, env, k)
                    }
                    _ => self.refuse(term.span, "`:=` on a bound variable (an error in Oso)"),
                }
            }
            TermKind::Binary { op: BinOp::In, left, right } => self.member(term, left, right, scope, env, k),
            TermKind::Binary { op, left, right }
                if matches!(op, BinOp::Eq | BinOp::Neq | BinOp::Lt | BinOp::Leq | BinOp::Gt | BinOp::Geq) =>
            {
                let (Some(l), Some(r)) = (self.value(left, scope, env), self.value(right, scope, env)) else {
                    return quote! {};
                };
                if l.generic || r.generic {
                    return self.refuse(term.span, "comparing a parameter that has no class specializer");
                }
                let (x, y) = (&l.expr, &r.expr);
                let test = match op {
                    BinOp::Eq => quote! { ::polar_runtime::equal(#x, #y) },
                    BinOp::Neq => quote! { ::polar_runtime::compare(#x, ::polar_runtime::CmpOp::Ne, #y) },
                    BinOp::Lt => quote! { ::polar_runtime::compare(#x, ::polar_runtime::CmpOp::Lt, #y) },
                    BinOp::Leq => quote! { ::polar_runtime::compare(#x, ::polar_runtime::CmpOp::Le, #y) },
                    BinOp::Gt => quote! { ::polar_runtime::compare(#x, ::polar_runtime::CmpOp::Gt, #y) },
                    _ => quote! { ::polar_runtime::compare(#x, ::polar_runtime::CmpOp::Ge, #y) },
                };
                let rest = k(self, env);
                quote! { if #test { #rest } }
            }
            TermKind::Matches { value, pattern } => self.matches(term, value, pattern, scope, env, k),
            TermKind::Dot { .. } | TermKind::Variable(_) => {
                // A value used as a condition: Oso queries it (true succeeds, false fails,
                // anything else is an error).
                let Some(v) = self.value(term, scope, env) else { return quote! {} };
                if v.generic {
                    return self.refuse(term.span, "a parameter without a specializer used as a condition");
                }
                let e = &v.expr;
                let rest = k(self, env);
                quote! { if ::polar_runtime::support::truthy(#e)? { #rest } }
            }
            _ => self.refuse(term.span, describe(term)),
        }
    }

    pub(super) fn unify(
        &mut self,
        term: &Term,
        left: &Term,
        right: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        if let Some(code) = self.unify_list_pattern(term, left, right, scope, env, &mut *k) {
            return code;
        }
        let unbound = |t: &Term| is_unbound(t, scope, env);
        match (unbound(left), unbound(right)) {
            (true, true) => self.refuse(term.span, "unifying two unbound variables"),
            (true, false) | (false, true) => {
                let (var, value) = if unbound(left) { (left, right) } else { (right, left) };
                let Some(val) = self.value(value, scope, env) else { return quote! {} };
                let name = var.as_variable().unwrap_or("_");
                if name == "_" {
                    return k(self, env);
                }
                let ident = self.fresh(name);
                let expr = &val.expr;
                let mut env = env.clone();
                env.insert(format!("{scope}/{name}"), Val { expr: quote! { #ident }, ..val.clone() });
                let rest = k(self, &env);
                quote! { { let #ident = #expr; #rest } }
            }
            (false, false) => {
                let (Some(l), Some(r)) = (self.value(left, scope, env), self.value(right, scope, env)) else {
                    return quote! {};
                };
                let test = self.unify_test(&l, &r);
                let rest = k(self, env);
                quote! { if #test { #rest } }
            }
        }
    }

    pub(super) fn member(
        &mut self,
        term: &Term,
        left: &Term,
        right: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let Some(collection) = self.value(right, scope, env) else { return quote! {} };
        if collection.generic {
            return self.refuse(right.span, "`in` over a parameter without a specializer");
        }
        let c = &collection.expr;
        let item = self.fresh("item");
        let body = if is_unbound(left, scope, env) {
            let name = left.as_variable().unwrap_or("_");
            let mut env = env.clone();
            if name != "_" {
                env.insert(
                    format!("{scope}/{name}"),
                    Val {
                        expr: quote! { ::polar_runtime::Bare::bare(#item) },
                        generic: false,
                        literal: None,
                    },
                );
            }
            k(self, &env)
        } else {
            let Some(element) = self.value(left, scope, env) else { return quote! {} };
            let item_val =
                Val { expr: quote! { ::polar_runtime::Bare::bare(#item) }, generic: false, literal: None };
            let test = self.unify_test(&item_val, &element);
            let rest = k(self, env);
            quote! { if #test { #rest } }
        };
        let _ = term;
        quote! {
            for #item in ::polar_runtime::Members::members(#c) { #body }
        }
    }

    pub(super) fn matches(
        &mut self,
        term: &Term,
        value: &Term,
        pattern: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let _ = term;
        let Some(val) = self.value(value, scope, env) else { return quote! {} };
        let label = syn_label(&format!("matches{}", self.fresh + 1));
        self.fresh += 1;
        let mut code = TokenStream::new();
        let mut env = env.clone();
        let Some(typed) = self.pattern(&val, pattern, scope, &mut env, &label, &mut code) else {
            return quote! {};
        };
        // `x matches User` also tells the rest of the body that `x` is a `User`.
        if let Some(v) = value.as_variable() {
            env.insert(format!("{scope}/{v}"), typed);
        }
        let rest = k(self, &env);
        quote! { #label: { #code #rest } }
    }
}
