//! Calls of recursive rules that bind variables (`ancestor(folder, x)` with `x` unbound).
//!
//! A call that binds variables is normally compiled by inlining the callee's clauses, which
//! cannot terminate for a recursive rule. Instead, each binding mode of a recursive rule gets
//! one function (`__polar_rule_ancestor_2_io`): the bound arguments come in as `&dyn Polar`
//! and every solution is passed to a continuation `&mut dyn FnMut(&dyn Polar, ...)`, the rest
//! of the caller's conjunction, which returns `Ok(true)` to stop at the first success. Taking
//! `dyn` values keeps monomorphization finite however the recursion changes types; the values
//! are then typed through `Polar::view` like parameters without a specializer (a field lookup
//! needs a specializer or `matches`). Depth is bounded by `Cx` like any recursive rule call
//! (`Cx::enter_recursive`), so cyclic data ends in `RecursionLimit` (deny).
//!
//! The continuation is a closure, so the code after the call can only succeed by returning
//! from it: a call inside `not` (which succeeds by breaking out of a labelled block) is
//! refused.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::*;
use crate::ast::{Term, TermKind};
use crate::lower::{LoweredRule, is_union};
use crate::source::Span;

/// Binding-mode functions requested so far and those still to generate.
#[derive(Default)]
pub(super) struct Modes {
    idents: HashMap<(String, Vec<bool>), Ident>,
    pending: Vec<(String, Vec<bool>)>,
    /// Nesting of contexts whose success is a `break` to a label (`not`).
    pub(super) label_success: usize,
    /// Whether success records a result and goes on (`authorized_actions`, inline queries)
    /// rather than returning `Ok(true)` from the enclosing function.
    pub(super) collecting: bool,
    /// In the binding-mode function being generated, the calls of itself that end a clause
    /// and pass its outputs straight through (see [`tail_calls`]).
    tail_calls: Vec<Span>,
}

impl<'p> Gen<'p> {
    /// `name(args)` where `vals[i]` is `None` for an unbound argument, `name` recursive.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn recursive_output_call(
        &mut self,
        term: &Term,
        name: &str,
        args: &[Term],
        vals: &[Option<Val>],
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        if self.modes.label_success > 0 {
            return self.refuse(
                term.span,
                format!(
                    "a call to the recursive rule `{name}` that binds variables inside `not` or `forall`"
                ),
            );
        }
        let mode: Vec<bool> = vals.iter().map(Option::is_some).collect();
        let key = (name.to_owned(), mode.clone());
        if self.modes.tail_calls.contains(&term.span) && !self.modes.collecting {
            // A solution of the call is a solution of this clause as it is: the caller's
            // continuation goes down unchanged, rather than one closure per level that every
            // solution found deeper would run through (quadratic on deep or cyclic data).
            let f = self.modes.idents[&key].clone();
            let inputs = vals.iter().flatten().map(|v| {
                let e = &v.expr;
                quote! { &#e as &dyn ::polar_runtime::Polar }
            });
            self.calls.raise_here();
            return quote! { if #f(cx, #(#inputs,)* &mut *k)? { return ::core::result::Result::Ok(true); } };
        }
        let f = match self.modes.idents.get(&key) {
            Some(f) => f.clone(),
            None => {
                let suffix: String = mode.iter().map(|b| if *b { 'i' } else { 'o' }).collect();
                let f = format_ident!("{}_{}", rule_fn_ident(name, args.len()), suffix);
                self.modes.idents.insert(key.clone(), f.clone());
                self.modes.pending.push(key);
                f
            }
        };
        let mut outputs = Vec::new();
        let mut typing = Vec::new();
        let mut env = env.clone();
        for (i, (arg, val)) in args.iter().zip(vals).enumerate() {
            if val.is_some() {
                continue;
            }
            let o = self.fresh("out");
            if let Some(v) = arg.as_variable().filter(|v| *v != "_") {
                // Every clause checks the same class on this parameter: the value is one, and
                // the caller may use it as one (fields), as after an inlined call.
                let value = match self.output_class(name, args.len(), i) {
                    Some((class, path)) => {
                        let typed = self.fresh(v);
                        let isa = self.class_isa(&class, &path, &quote! { #o });
                        typing.push(quote! {
                            let ::core::option::Option::Some(#typed) = #isa else {
                                return ::core::result::Result::Ok(false);
                            };
                        });
                        Val { expr: quote! { #typed }, generic: false, literal: None }
                    }
                    None => Val { expr: quote! { #o }, generic: true, literal: None },
                };
                env.insert(format!("{scope}/{v}"), value);
            }
            outputs.push(o);
        }
        let inputs = vals.iter().flatten().map(|v| {
            let e = &v.expr;
            quote! { &#e as &dyn ::polar_runtime::Polar }
        });
        let rest = k(self, &env);
        self.calls.raise_here();
        let call = quote! {
            #f(cx, #(#inputs,)* &mut |#(#outputs: &dyn ::polar_runtime::Polar),*| {
                #(#typing)*
                #rest
                ::core::result::Result::Ok(false)
            })?
        };
        if self.modes.collecting {
            // The continuation records every solution and never stops the search.
            quote! { #call; }
        } else {
            quote! { if #call { return ::core::result::Result::Ok(true); } }
        }
    }

    /// The class every clause of `name/arity` requires of parameter `i`, if they agree on one.
    fn output_class(&self, name: &str, arity: usize, i: usize) -> Option<(String, TokenStream)> {
        let mut class = None;
        for clause in &self.rules[&(name.to_owned(), arity)] {
            match clause.params[i].specializer.as_ref().map(|s| &s.kind) {
                Some(TermKind::Instance { tag, .. })
                    if !is_union(&tag.name) && !BUILTIN_CLASSES.contains(&tag.name.as_str()) =>
                {
                    if class.is_some_and(|c: &str| c != tag.name) {
                        return None;
                    }
                    class = Some(tag.name.as_str());
                }
                _ => return None,
            }
        }
        let class = class?;
        Some((class.to_owned(), class_path(class)?))
    }

    /// The binding-mode functions requested while generating everything else (and those they
    /// request in turn).
    pub(super) fn mode_functions(&mut self) -> Vec<TokenStream> {
        let mut functions = Vec::new();
        while let Some(key) = self.modes.pending.pop() {
            let f = self.modes.idents[&key].clone();
            functions.push(self.mode_function(&key.0, &key.1, f));
        }
        functions
    }

    fn mode_function(&mut self, name: &str, mode: &[bool], f: Ident) -> TokenStream {
        let mut params = Vec::new();
        let mut args = Vec::new();
        for (i, bound) in mode.iter().enumerate() {
            if *bound {
                let p = format_ident!("p{}", i);
                args.push(Some(Val { expr: quote! { #p }, generic: true, literal: None }));
                params.push(p);
            } else {
                args.push(None);
            }
        }
        let guard = super::dispatch::enter_recursive(&quote! { #f(cx, #(#params,)* k) });
        let outputs = mode.iter().filter(|b| !**b).count();
        let dyns = (0..outputs).map(|_| quote! { &dyn ::polar_runtime::Polar });
        let clauses: Vec<&'p LoweredRule> = self.rules[&(name.to_owned(), mode.len())].clone();
        let tails = std::mem::replace(&mut self.modes.tail_calls, tail_calls(&clauses, mode));
        let saved = std::mem::take(&mut self.modes.label_success);
        let collecting = std::mem::take(&mut self.modes.collecting);
        let outer = self.calls.enter_fallible();
        let mut solution = |_: &mut Gen<'p>, outs: &[Option<Val>]| {
            let values = outs.iter().flatten().map(|v| {
                let e = &v.expr;
                quote! { &#e as &dyn ::polar_runtime::Polar }
            });
            // The continuation runs as deep as the recursion that found the solution: with
            // room on the stack, as the recursion itself.
            quote! {
                if ::polar_runtime::support::with_stack(cx, || k(#(#values),*))? {
                    if !cx.is_exhaustive() { return ::core::result::Result::Ok(true); }
                    __polar_found = true;
                }
            }
        };
        let bodies = self.clause_set(&clauses, &args, &mut solution);
        self.calls.leave(outer);
        self.modes.label_success = saved;
        self.modes.collecting = collecting;
        self.modes.tail_calls = tails;
        quote! {
            #[allow(unused_variables, unused_labels, unreachable_code, unused_mut, unused_assignments, non_snake_case, clippy::all)]
            fn #f(
                cx: &::polar_runtime::support::Cx,
                #(#params: &dyn ::polar_runtime::Polar,)*
                k: &mut dyn FnMut(#(#dyns),*) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError>,
            ) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                #guard
                let mut __polar_found = false;
                #bodies
                ::core::result::Result::Ok(__polar_found)
            }
        }
    }
}

/// The calls of the rule itself, in binding mode `mode`, that end a clause and pass its outputs
/// through: the last goal of a body without `cut`, each output parameter a variable that is
/// the same argument of the call and occurs nowhere else, and every clause of the rule checking
/// the same class (or none) on each output. A solution of such a call, passed to the caller's
/// continuation as it is, is what the clause would have passed after its own checks.
fn tail_calls(clauses: &[&LoweredRule], mode: &[bool]) -> Vec<Span> {
    let outputs: Vec<usize> = (0..mode.len()).filter(|&i| !mode[i]).collect();
    fn class(rule: &LoweredRule, i: usize) -> Option<Option<&str>> {
        match rule.params[i].specializer.as_ref().map(|s| &s.kind) {
            None => Some(None),
            Some(TermKind::Instance { tag, fields, .. }) if fields.is_empty() => {
                Some(Some(tag.name.as_str()))
            }
            _ => None,
        }
    }
    let same_checks = outputs.iter().all(|&i| {
        let first = class(clauses[0], i);
        first.is_some() && clauses.iter().all(|c| class(c, i) == first)
    });
    if !same_checks {
        return Vec::new();
    }
    let mut tails = Vec::new();
    for clause in clauses {
        let body = clause.body_terms();
        let Some(TermKind::Call(call)) = body.last().map(|t| &t.kind) else { continue };
        if call.name.name != clause.name.name || call.args.len() != mode.len() || call.kwargs.is_some() {
            continue;
        }
        if body.iter().any(|g| matches!(g.kind, TermKind::Cut)) {
            continue;
        }
        let passes_through = outputs.iter().all(|&i| {
            let Some(v) = clause.params[i].value.as_variable().filter(|v| *v != "_") else { return false };
            if call.args[i].as_variable() != Some(v) {
                return false;
            }
            let mut uses = 0;
            clause.body.walk(&mut |t| uses += usize::from(t.as_variable() == Some(v)));
            uses == 1
        });
        if passes_through {
            tails.push(body.last().expect("a last goal").span);
        }
    }
    tails
}
