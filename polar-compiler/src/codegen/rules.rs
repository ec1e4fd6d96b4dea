//! Rules and clauses: one function per rule name and arity, parameter checks
//! (specializers, literals), and calls (ground calls, or inlined calls that bind outputs).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::*;
use crate::ast::{Param, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::lower::LoweredRule;

impl<'p> Gen<'p> {
    /// The function for every clause of `name/arity`.
    pub(super) fn rule_function(&mut self, (name, arity): &(String, usize)) -> TokenStream {
        let f = rule_fn_ident(name, *arity);
        let types: Vec<Ident> = (0..*arity).map(|i| format_ident!("P{}", i)).collect();
        let params: Vec<Ident> = (0..*arity).map(|i| format_ident!("p{}", i)).collect();
        let args: Vec<Option<Val>> =
            params.iter().map(|p| Some(Val { expr: quote! { #p }, generic: true, literal: None })).collect();
        let clauses: Vec<&LoweredRule> = self.rules[&(name.clone(), *arity)].clone();
        let mut succeed =
            |_: &mut Gen<'p>, _: &[Option<Val>]| quote! { return ::core::result::Result::Ok(true); };
        let body = self.clause_set(&clauses, &args, &mut succeed);
        quote! {
            #[allow(unused_variables, unused_labels, unreachable_code, non_snake_case, clippy::all)]
            fn #f<#(#types: ?Sized + ::polar_runtime::Polar),*>(
                cx: &::polar_runtime::support::Cx, #(#params: &#types),*
            ) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                let _depth = cx.enter()?;
                #body
                ::core::result::Result::Ok(false)
            }
        }
    }

    /// The exhaustive variants of the rules that ground calls need (see [`Gen::call`]): the
    /// whole search of the rule, for its errors only. Generating one can need others.
    pub(super) fn exhaustive_functions(&mut self) -> Vec<TokenStream> {
        let mut done = std::collections::BTreeSet::new();
        let mut functions = Vec::new();
        while let Some(key) = self.exhaustive.iter().find(|k| !done.contains(*k)).cloned() {
            // The rule's refusals were reported with its first function.
            let errors = self.errors.len();
            functions.push(self.exhaustive_function(&key));
            self.errors.truncate(errors);
            done.insert(key);
        }
        functions
    }

    fn exhaustive_function(&mut self, (name, arity): &(String, usize)) -> TokenStream {
        let f = exhaustive_fn_ident(name, *arity);
        let types: Vec<Ident> = (0..*arity).map(|i| format_ident!("P{}", i)).collect();
        let params: Vec<Ident> = (0..*arity).map(|i| format_ident!("p{}", i)).collect();
        let args: Vec<Option<Val>> =
            params.iter().map(|p| Some(Val { expr: quote! { #p }, generic: true, literal: None })).collect();
        let clauses: Vec<&LoweredRule> = self.rules[&(name.clone(), *arity)].clone();
        let mut go_on = |_: &mut Gen<'p>, _: &[Option<Val>]| quote! {};
        let body = self.clause_set(&clauses, &args, &mut go_on);
        quote! {
            #[allow(unused_variables, unused_labels, unreachable_code, non_snake_case, clippy::all)]
            fn #f<#(#types: ?Sized + ::polar_runtime::Polar),*>(
                cx: &::polar_runtime::support::Cx, #(#params: &#types),*
            ) -> ::core::result::Result<(), ::polar_runtime::RuntimeError> {
                let _depth = cx.enter()?;
                #body
                ::core::result::Result::Ok(())
            }
        }
    }

    /// The clauses of one call, in the order Oso tries them (see [`super::order`]), in a block
    /// that a `cut` leaves. `args[i]` is the caller's value for parameter `i`, or `None` for an
    /// unbound variable that the clauses bind; `k` gets the values of those outputs.
    ///
    /// Oso decides which clauses apply (unifying the arguments with the parameters) before it
    /// runs any body, going through the clauses from last to first, and an error there ends
    /// the query. Checks that can fail with an error (`?`: unifying values the compiler cannot
    /// type) therefore run once up front, in that order; the other checks have no effect but
    /// their answer, so they run with their clause.
    pub(super) fn clause_set(
        &mut self,
        clauses: &[&'p LoweredRule],
        args: &[Option<Val>],
        k: &mut dyn FnMut(&mut Gen<'p>, &[Option<Val>]) -> TokenStream,
    ) -> TokenStream {
        let bound: Vec<bool> = args.iter().map(Option::is_some).collect();
        let order = match super::order::clause_order(self.program, clauses, &bound) {
            Ok(order) => order,
            Err(why) => return self.refuse(clauses[0].span, why),
        };
        self.fresh += 1;
        let call_label = syn_label(&format!("call{}", self.fresh));
        let mut generated: Vec<Option<ClauseCode>> = clauses.iter().map(|_| None).collect();
        for &i in &order {
            generated[i] = Some(self.clause(clauses[i], args, &call_label, k));
        }
        let generated: Vec<ClauseCode> = generated.into_iter().flatten().collect();
        let filter = generated.iter().rev().filter(|c| c.fallible).map(|c| {
            let ClauseCode { label, prefilter, checks, .. } = c;
            quote! { #label: { #prefilter #checks } }
        });
        // The index check also comes first when the clause runs: a clause the index leaves out
        // is never tried, so its fallible checks never run.
        let bodies = order.iter().map(|&i| {
            let ClauseCode { label, prefilter, checks, body, .. } = &generated[i];
            quote! { #label: { #prefilter #checks #body } }
        });
        quote! {
            #call_label: {
                #(#filter)*
                #(#bodies)*
            }
        }
    }

    /// One clause: parameter checks, then the body, then `k`. `args[i]` is the caller's value
    /// for parameter `i`, or `None` when the caller passes an unbound variable: the clause
    /// binds it, and `k` receives the values of those outputs (by parameter index). A `cut`
    /// in the body leaves `cut_label`.
    fn clause(
        &mut self,
        rule: &LoweredRule,
        args: &[Option<Val>],
        cut_label: &TokenStream,
        k: &mut dyn FnMut(&mut Gen<'p>, &[Option<Val>]) -> TokenStream,
    ) -> ClauseCode {
        self.fresh += 1;
        let scope = format!("c{}", self.fresh);
        let label = syn_label(&format!("clause{}", self.fresh));
        let mut env = Env::new();
        let mut checks = TokenStream::new();
        let mut output_params: Vec<(usize, &Param)> = Vec::new();
        for (i, (param, arg)) in rule.params.iter().zip(args).enumerate() {
            match arg {
                Some(arg) => checks.extend(self.bind_param(param, arg, &scope, &mut env, &label)),
                None => output_params.push((i, param)),
            }
        }
        let fallible = has_question_mark(&checks);
        let prefilter = if fallible { self.prefilter(rule, args, &label) } else { TokenStream::new() };
        let body_terms = rule.body_terms().to_vec();
        let mut finish = |g: &mut Gen<'p>, env: &Env| {
            // Outputs are bound by now; their specializers are checked last, as Oso unifies a
            // parameter first and checks its specializer after.
            let mut env = env.clone();
            let mut pre = Vec::new();
            let mut outputs = vec![None; args.len()];
            for (i, param) in &output_params {
                match g.output_value(param, &scope, &mut env, &mut pre, &label) {
                    Some(v) => outputs[*i] = Some(v),
                    None => return quote! {},
                }
            }
            let rest = k(g, &outputs);
            quote! { #(#pre)* #rest }
        };
        let body = self.conj_with_cuts(&body_terms, &scope, &env, cut_label, &mut finish);
        ClauseCode { label, prefilter, checks, body, fallible }
    }

    /// A conjunction with `cut`s among its goals: the goals before a `cut` run until their
    /// first solution, then the goals after it, and then nothing else of the call (`break`
    /// out of `cut_label`: no other solution of the goals before, no later clause). Oso's
    /// `cut` drops every choice point made since the clause was entered (`vm.rs`,
    /// `Operator::Cut`); the goals after it keep theirs.
    fn conj_with_cuts(
        &mut self,
        goals: &[Term],
        scope: &str,
        env: &Env,
        cut_label: &TokenStream,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let Some(at) = goals.iter().position(|g| matches!(g.kind, TermKind::Cut)) else {
            return self.conj(goals, scope, env, k);
        };
        let (before, after) = (&goals[..at], &goals[at + 1..]);
        let mut at_cut = |g: &mut Gen<'p>, env: &Env| {
            let rest = g.conj_with_cuts(after, scope, env, cut_label, &mut *k);
            quote! { { #rest } break #cut_label; }
        };
        self.conj(before, scope, env, &mut at_cut)
    }

    /// Oso's rule index, for the checks that run up front: a clause whose literal parameter
    /// differs from a ground argument is never tried, so its other checks cannot fail with an
    /// error.
    fn prefilter(&mut self, rule: &LoweredRule, args: &[Option<Val>], label: &TokenStream) -> TokenStream {
        let mut code = TokenStream::new();
        for (param, arg) in rule.params.iter().zip(args) {
            let Some(arg) = arg else { continue };
            if param.specializer.is_some() {
                continue;
            }
            match &param.value.kind {
                TermKind::String(_) | TermKind::Integer(_) | TermKind::Boolean(_) | TermKind::Float(_) => {
                    let mut test = TokenStream::new();
                    self.literal_pattern(arg, &param.value, label, &mut test);
                    let e = &arg.expr;
                    code.extend(quote! { if ::polar_runtime::support::is_ground(#e) { #test } });
                }
                TermKind::List { .. } if is_ground_term(&param.value) => {
                    self.refuse(
                        param.span,
                        "a list literal parameter in a clause whose other parameter checks can fail with an error",
                    );
                }
                _ => {}
            }
        }
        code
    }

    /// The value an output parameter has at the end of a clause, after its specializer check.
    pub(super) fn output_value(
        &mut self,
        param: &Param,
        scope: &str,
        env: &mut Env,
        pre: &mut Vec<TokenStream>,
        label: &TokenStream,
    ) -> Option<Val> {
        let value = match &param.value.kind {
            TermKind::Variable(v) if v == "_" => {
                self.refuse(param.span, "an anonymous parameter bound by a call");
                return None;
            }
            TermKind::Variable(v) => match env.get(&format!("{scope}/{v}")) {
                Some(val) => val.clone(),
                None => {
                    self.errors.push(Diagnostic::error(
                        codes::UNBOUND,
                        param.span,
                        format!("the rule never binds `{v}`, which a call expects it to bind"),
                    ));
                    return None;
                }
            },
            _ => self.value(&param.value, scope, env)?,
        };
        match &param.specializer {
            None => Some(value),
            Some(spec) => {
                let mut code = TokenStream::new();
                let v = self.pattern(&value, spec, scope, env, label, &mut code)?;
                pre.push(code);
                Some(v)
            }
        }
    }

    /// Checks one parameter against the caller's value and binds its variables: Oso unifies
    /// the argument with the parameter, then checks the specializer.
    pub(super) fn bind_param(
        &mut self,
        param: &Param,
        arg: &Val,
        scope: &str,
        env: &mut Env,
        label: &TokenStream,
    ) -> TokenStream {
        let mut code = TokenStream::new();
        // A list or dictionary pattern that selects clauses sees even a typed argument through
        // its view: an argument of another kind makes the clause not apply, as in Oso, rather
        // than fail to compile (`Sequence`, `PatternField`).
        let through_view = matches!(param.value.kind, TermKind::List { .. })
            || matches!(param.specializer.as_ref().map(|s| &s.kind), Some(TermKind::DictPattern(_)));
        let viewed;
        let arg = if through_view && !arg.generic {
            viewed = Val { generic: true, ..arg.clone() };
            &viewed
        } else {
            arg
        };
        if !is_plain_param(&param.value) {
            // Oso cannot unify an argument with an expression such as `x.y` or `1 + 2`.
            return self
                .refuse(param.span, "a parameter that is neither a variable, a literal nor a list of them");
        }
        match &param.specializer {
            // Unifying with a fresh variable cannot fail: check the specializer first and
            // bind the variable to the value as the specializer types it.
            Some(spec) if is_unbound(&param.value, scope, env) => {
                if let Some(typed) = self.pattern(arg, spec, scope, env, label, &mut code) {
                    self.pattern(&typed, &param.value, scope, env, label, &mut code);
                }
            }
            Some(spec) => {
                if self.pattern(arg, &param.value, scope, env, label, &mut code).is_some()
                    && let Some(typed) = self.pattern(arg, spec, scope, env, label, &mut code)
                    && let Some(v) = param.value.as_variable()
                {
                    env.insert(format!("{scope}/{v}"), typed);
                }
            }
            None => {
                self.pattern(arg, &param.value, scope, env, label, &mut code);
            }
        }
        code
    }

    pub(super) fn call(
        &mut self,
        term: &Term,
        name: &str,
        args: &[Term],
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let key = (name.to_owned(), args.len());
        if !self.rules.contains_key(&key) {
            // No rule of this arity: the call has no solution (calls to undefined rules are
            // validation errors).
            return quote! {};
        }
        let mut vals: Vec<Option<Val>> = Vec::new();
        for arg in args {
            match &arg.kind {
                TermKind::Variable(_) if is_unbound(arg, scope, env) => vals.push(None),
                _ => match self.value(arg, scope, env) {
                    Some(v) => vals.push(Some(v)),
                    None => return quote! {},
                },
            }
        }
        if vals.iter().all(Option::is_some) {
            // The callee's solutions bind nothing, so the rest of the conjunction gives the same
            // answer after each: when it fails after the first, Oso goes on through the callee's
            // other solutions only to fail again, unless an error comes first, which ends the
            // query. So the rest runs once, and if it fails, the callee's whole search runs for
            // its errors (not when the rest cannot fail: it returns or breaks).
            let f = rule_fn_ident(name, args.len());
            let exprs: Vec<&TokenStream> = vals.iter().flatten().map(|v| &v.expr).collect();
            let rest = k(self, env);
            let diverges = matches!(
                rest.clone().into_iter().next(),
                Some(proc_macro2::TokenTree::Ident(i)) if i == "return" || i == "break"
            );
            let exhaust = if diverges {
                TokenStream::new()
            } else {
                self.exhaustive.insert(key.clone());
                let all = exhaustive_fn_ident(name, args.len());
                quote! { #all(cx, #(#exprs),*)?; }
            };
            return quote! { if #f(cx, #(#exprs),*)? { #rest #exhaust } };
        }
        if self.graph.is_recursive(name) {
            return self
                .refuse(term.span, format!("a call to the recursive rule `{name}` that binds variables"));
        }
        if self.inline_depth >= MAX_INLINE {
            return self.refuse(term.span, "calls that bind variables nested this deeply");
        }
        let mut seen = Vec::new();
        for arg in args {
            if let Some(v) =
                arg.as_variable().filter(|v| *v != "_" && !env.contains_key(&format!("{scope}/{v}")))
            {
                if seen.contains(&v) {
                    return self
                        .refuse(term.span, format!("the unbound variable `{v}` passed twice to one call"));
                }
                seen.push(v);
            }
        }
        self.inline_depth += 1;
        let clauses = self.rules[&key].clone();
        let mut after = |g: &mut Gen<'p>, outputs: &[Option<Val>]| {
            let mut env = env.clone();
            for (arg, out) in args.iter().zip(outputs) {
                if let (Some(v), Some(val)) = (arg.as_variable(), out)
                    && v != "_"
                {
                    env.insert(format!("{scope}/{v}"), val.clone());
                }
            }
            k(g, &env)
        };
        let code = self.clause_set(&clauses, &vals, &mut after);
        self.inline_depth -= 1;
        code
    }
}

/// The code of one clause, in pieces: [`Gen::clause_set`] runs the checks of some clauses
/// twice.
struct ClauseCode {
    label: TokenStream,
    /// Oso's rule index (only for clauses whose checks are fallible).
    prefilter: TokenStream,
    checks: TokenStream,
    body: TokenStream,
    /// Whether a check can fail with a run-time error.
    fallible: bool,
}

fn has_question_mark(code: &TokenStream) -> bool {
    code.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Punct(p) => p.as_char() == '?',
        proc_macro2::TokenTree::Group(g) => has_question_mark(&g.stream()),
        _ => false,
    })
}

/// A parameter Oso can unify an argument with: a variable, a literal, or a list of those.
fn is_plain_param(t: &Term) -> bool {
    match &t.kind {
        TermKind::Variable(_)
        | TermKind::String(_)
        | TermKind::Integer(_)
        | TermKind::Boolean(_)
        | TermKind::Float(_) => true,
        TermKind::List { elements, .. } => elements.iter().all(is_plain_param),
        _ => false,
    }
}

fn is_ground_term(t: &Term) -> bool {
    match &t.kind {
        TermKind::String(_) | TermKind::Integer(_) | TermKind::Boolean(_) | TermKind::Float(_) => true,
        TermKind::List { elements, rest: None } => elements.iter().all(is_ground_term),
        _ => false,
    }
}

fn exhaustive_fn_ident(name: &str, arity: usize) -> Ident {
    format_ident!("{}_all", rule_fn_ident(name, arity))
}
