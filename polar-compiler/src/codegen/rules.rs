//! Rules and clauses: one function per rule name and arity, parameter checks
//! (specializers, literals), and calls (ground calls, or inlined calls that bind outputs).

use proc_macro2::TokenStream;
use quote::quote;

use super::*;
use crate::ast::{Param, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::lower::{LoweredRule, is_union};

impl<'p> Gen<'p> {
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
        let order = match super::order::clause_order(&self.unions, clauses, &bound) {
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
        self.note_clause_vars(&scope, &rule.params, &rule.body, args);
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
            // A failed check rejects this solution only, not the clause: the body may have
            // more solutions (`f(x: Org) if x in items`).
            let mut env = env.clone();
            let mut pre = Vec::new();
            let mut outputs = vec![None; args.len()];
            let solution = syn_label(&format!("solution{}", g.fresh + 1));
            g.fresh += 1;
            for (i, param) in &output_params {
                if g.stays_unbound(param, &scope, &env) {
                    continue;
                }
                match g.output_value(param, &scope, &mut env, &mut pre, &solution) {
                    Some(v) => outputs[*i] = Some(v),
                    None => return quote! {},
                }
            }
            let rest = k(g, &outputs);
            if pre.is_empty() {
                rest
            } else {
                quote! { #solution: { #(#pre)* #rest } }
            }
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
            // The goals after the cut are outside the cut's own label-success context.
            g.modes.label_success -= 1;
            let rest = g.conj_with_cuts(after, scope, env, cut_label, &mut *k);
            g.modes.label_success += 1;
            quote! { { #rest } break #cut_label; }
        };
        // The cut leaves the clause set with a `break`: a recursive call that binds variables
        // before it (whose continuation is a closure) is refused (`recursion.rs`).
        self.modes.label_success += 1;
        let code = self.conj(before, scope, env, &mut at_cut);
        self.modes.label_success -= 1;
        code
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

    /// Whether a clause can be left out of an inlined call statically: a literal parameter
    /// differs from a literal argument, or a class specializer from the argument's known class.
    fn cannot_match(&self, rule: &LoweredRule, args: &[Option<Val>], classes: &[Option<String>]) -> bool {
        if super::dispatch::excluded_by_constants(rule, args) {
            return true;
        }
        rule.params.iter().zip(classes).any(|(param, class)| {
            let Some(class) = class else {
                return false;
            };
            match param.specializer.as_ref().map(|s| &s.kind) {
                Some(TermKind::Instance { tag, .. }) if is_union(&tag.name) => {
                    !self.unions.members(&tag.name).unwrap_or_default().iter().any(|m| m == class)
                }
                Some(TermKind::Instance { tag, .. }) if !BUILTIN_CLASSES.contains(&tag.name.as_str()) => {
                    tag.name != *class
                }
                _ => false,
            }
        })
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
        // than fail to compile (`Sequence`, `Lookup`).
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
            let vals: Vec<Val> = vals.into_iter().flatten().collect();
            let (call, raises) = self.ground_call(name, &vals);
            let rest = k(self, env);
            if !raises {
                return quote! { if #call { #rest } };
            }
            // Past `rest`, it failed: Oso would backtrack into the callee, whose later
            // alternatives may raise an error (which aborts the query): search them for one.
            // (Dead code when `rest` returns or breaks.)
            return quote! {
                if #call? {
                    #rest
                    if !cx.is_exhaustive() { let _exhaustive = cx.exhaustive(); #call?; }
                }
            };
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
        if self.graph.is_recursive(name) {
            return self.recursive_output_call(term, name, args, &vals, scope, env, k);
        }
        if self.inline_depth >= MAX_INLINE {
            return self.refuse(term.span, "calls that bind variables nested this deeply");
        }
        self.inline_depth += 1;
        // Clauses that cannot match what is known of the arguments (a literal, the class a
        // specializer gave) are left out: rustc would drop them too, but only after
        // generating and type-checking them once per call site.
        let classes: Vec<Option<String>> = vals
            .iter()
            .map(|v| v.as_ref().and_then(|v| self.classes.get(&v.expr.to_string()).cloned()))
            .collect();
        let clauses: Vec<&LoweredRule> =
            self.rules[&key].clone().into_iter().filter(|c| !self.cannot_match(c, &vals, &classes)).collect();
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
