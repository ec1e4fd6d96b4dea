//! Rule functions and how calls reach them: constant specialization and clause indexing.
//!
//! Two rewrites make a compiled check cost what a hand-written `match` costs; neither changes
//! an answer:
//!
//! - **Specialization on literal arguments.** A call that passes literals
//!   (`has_role(actor, "writer", repo)`) gets its own copy of the callee in which those
//!   parameters are known constants. Clauses whose literal parameters differ are dropped at
//!   compile time, and string comparisons against the constant fold to fixed-length compares.
//!   Literals propagate: a clause that passes its parameter on passes the constant. The set of
//!   specializations is finite (literals come from the policy text) and capped by
//!   [`MAX_SPECIALIZATIONS`]; past the cap calls use the general function.
//! - **Indexing on a string parameter.** When the caller's value is not known and most clauses
//!   of a rule have a string literal at the same parameter (the action in `allow` and
//!   `has_permission`), the function `match`es on the string once: each arm holds, in their
//!   original order, the clauses whose literal is that string and the clauses that accept any
//!   value there; the fallback arm only the latter. A clause left out of an arm could not
//!   have matched, so no answer changes, and order within an arm is the original order.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::verify::Sig;
use super::*;
use crate::lower::LoweredRule;
use crate::plan::{FnKey, index_position, string_param};

/// Beyond this many specialized functions, calls use the general function (bounds code size on
/// very large policies).
const MAX_SPECIALIZATIONS: usize = 4096;

/// From this many arms on, the `match` is on a hash of the string, each arm confirming its
/// literal in a guard. rustc compiles a `match` on strings to a chain of comparisons, one per
/// arm among the literals of the same length: with thousands of actions, that chain costs
/// microseconds, while a `match` on integers is a jump table or a tree of comparisons.
pub(crate) const MANY_ARMS: usize = crate::plan::MANY_ARMS;

pub(super) use crate::plan::Const;

/// A constant as an argument value. It stays `generic` (typed through `Polar::view`) exactly
/// as the parameter it replaces, so specialization never changes what compiles.
fn const_val(c: &Const) -> Val {
    let (expr, literal) = match c {
        Const::Str(s) => (quote! { #s }, Literal::Str(s.clone())),
        Const::Int(i) => (quote! { &#i }, Literal::Int(*i)),
        Const::Bool(b) => (quote! { &#b }, Literal::Bool(*b)),
    };
    Val { expr, generic: true, literal: Some(literal) }
}

/// The first statement of a function in a cycle of calls: one level deeper, or the same call
/// again on a new stack segment when this one runs low (`call` calls the function itself).
pub(super) fn enter_recursive(call: &TokenStream) -> TokenStream {
    quote! {
        let _depth = match cx.enter_recursive()? {
            ::polar_runtime::support::Enter::Go(guard) => guard,
            ::polar_runtime::support::Enter::Grow => {
                return ::polar_runtime::support::grow(cx, || #call);
            }
        };
    }
}

/// One rule function to generate: the rule, and the constant (if any) every caller of this
/// copy passes for each parameter.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(super) struct Spec {
    name: String,
    consts: Vec<Option<Const>>,
}

impl Spec {
    /// The general function of `name/arity`: no constant argument.
    pub(super) fn general(name: &str, arity: usize) -> Spec {
        Spec { name: name.to_owned(), consts: vec![None; arity] }
    }

    pub(super) fn key(&self) -> FnKey {
        ((self.name.clone(), self.consts.len()), self.consts.clone())
    }
}

/// The specializations requested so far and those still to generate.
#[derive(Default)]
pub(super) struct Specs {
    idents: HashMap<Spec, Ident>,
    pending: Vec<Spec>,
}

impl<'p> Gen<'p> {
    /// The general function of every rule, then every specialization calls ask for.
    pub(super) fn rule_functions(&mut self, keys: &[(String, usize)]) -> Vec<TokenStream> {
        let mut functions = Vec::new();
        for (name, arity) in keys {
            let spec = Spec::general(name, *arity);
            functions.push(self.rule_function(&spec, rule_fn_ident(name, *arity)));
        }
        functions.extend(self.pending_functions());
        functions
    }

    /// The specializations and binding-mode functions requested so far, and those they
    /// request in turn.
    pub(super) fn pending_functions(&mut self) -> Vec<TokenStream> {
        let mut functions = Vec::new();
        loop {
            if let Some(spec) = self.specs.pending.pop() {
                let ident = self.specs.idents[&spec].clone();
                functions.push(self.rule_function(&spec, ident));
                continue;
            }
            let modes = self.mode_functions();
            if modes.is_empty() {
                break;
            }
            functions.extend(modes);
        }
        functions
    }

    /// A call of `name` with every argument bound: the call of the function (specialized on
    /// the literal arguments), and whether that function can raise (then the call is a
    /// `Result` and takes the context).
    pub(super) fn ground_call(&mut self, name: &str, vals: &[Val]) -> (TokenStream, bool) {
        let consts: Vec<Option<Const>> =
            vals.iter().map(|v| v.literal.as_ref().and_then(Const::of)).collect();
        let general = rule_fn_ident(name, vals.len());
        let spec = Spec { name: name.to_owned(), consts };
        let (f, spec) = if spec.consts.iter().all(Option::is_none) {
            (general, spec)
        } else {
            match self.specialized(&spec) {
                Some(f) => (f, spec),
                // Past the cap, the general function.
                None => (general, Spec::general(name, vals.len())),
            }
        };
        let raises = self.fn_facts(&spec).may_raise;
        self.calls.note_call(spec.key(), raises);
        let exprs = vals.iter().zip(&spec.consts).filter(|(_, c)| c.is_none()).map(|(v, _)| &v.expr);
        let call = if raises {
            quote! { #f(cx, #(#exprs),*) }
        } else {
            quote! { #f(#(#exprs),*) }
        };
        (call, raises)
    }

    /// The function specialized for `spec`'s constants (generated later if new), or `None`
    /// past [`MAX_SPECIALIZATIONS`].
    fn specialized(&mut self, spec: &Spec) -> Option<Ident> {
        if let Some(f) = self.specs.idents.get(spec) {
            return Some(f.clone());
        }
        if self.specs.idents.len() >= MAX_SPECIALIZATIONS {
            return None;
        }
        let f =
            format_ident!("{}_k{}", rule_fn_ident(&spec.name, spec.consts.len()), self.specs.idents.len());
        self.specs.idents.insert(spec.clone(), f.clone());
        self.specs.pending.push(spec.clone());
        Some(f)
    }

    /// The facts the function for `spec` is generated with: the plan's, unless a previous
    /// round found them wrong for the code generated (`verify.rs`).
    pub(super) fn fn_facts(&self, spec: &Spec) -> Sig {
        self.calls.sig(spec.key(), Sig::of(self.plans.function(&spec.name, &spec.consts)))
    }

    /// The function for `spec`: the clauses that can match its constants, indexed on a string
    /// parameter when that pays. A function that cannot raise returns `bool` and takes no
    /// context; only a recursive one enters the depth guard.
    fn rule_function(&mut self, spec: &Spec, f: Ident) -> TokenStream {
        let arity = spec.consts.len();
        let mut types = Vec::new();
        let mut params = Vec::new();
        let mut args = Vec::new();
        for (i, c) in spec.consts.iter().enumerate() {
            match c {
                Some(c) => args.push(Some(const_val(c))),
                None => {
                    let (t, p) = (format_ident!("P{}", i), format_ident!("p{}", i));
                    args.push(Some(Val { expr: quote! { #p }, generic: true, literal: None }));
                    types.push(t);
                    params.push(p);
                }
            }
        }
        let clauses: Vec<&'p LoweredRule> = self.rules[&(spec.name.clone(), arity)]
            .clone()
            .into_iter()
            .filter(|rule| !excluded_by_constants(rule, &args))
            .collect();
        let facts = self.fn_facts(spec);
        let outer = self.calls.enter(spec.key(), facts);
        let collecting = std::mem::take(&mut self.modes.collecting);
        let body = match index_position(&clauses, &spec.consts) {
            Some(position) => self.indexed_clauses(spec, &clauses, &args, position),
            None => self.clauses_in_order(&clauses, &args),
        };
        self.modes.collecting = collecting;
        self.calls.leave(outer);
        let attributes = quote! {
            #[allow(unused_variables, unused_labels, unreachable_code, unused_mut, unused_assignments, non_snake_case, clippy::all)]
            #[inline]
        };
        if !facts.may_raise {
            return quote! {
                #attributes
                fn #f<#(#types: ?Sized + ::polar_runtime::Polar),*>(#(#params: &#types),*) -> bool {
                    #body
                    false
                }
            };
        }
        // In a cycle: the depth limit, and room on the stack (`Cx::enter_recursive`).
        let guard = facts.recursive.then(|| enter_recursive(&quote! { #f(cx, #(#params),*) }));
        quote! {
            #attributes
            fn #f<#(#types: ?Sized + ::polar_runtime::Polar),*>(
                cx: &::polar_runtime::support::Cx, #(#params: &#types),*
            ) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                #guard
                let mut __polar_found = false;
                #body
                ::core::result::Result::Ok(__polar_found)
            }
        }
    }

    /// The clauses in Oso's order (`rules.rs`, `order.rs`); the first solution returns `true`.
    fn clauses_in_order(&mut self, clauses: &[&'p LoweredRule], args: &[Option<Val>]) -> TokenStream {
        if clauses.is_empty() {
            return TokenStream::new();
        }
        // Inside `not`/`forall` a solution does not end the search (`Cx::exhaustive`); a
        // function that cannot raise has no other solution to look for.
        let mut succeed = |g: &mut Gen<'p>, _: &[Option<Val>]| {
            if !g.calls.has_cx() {
                return quote! { return true; };
            }
            quote! {
                if !cx.is_exhaustive() { return ::core::result::Result::Ok(true); }
                __polar_found = true;
            }
        };
        self.clause_set(clauses, args, &mut succeed)
    }

    /// `match` on the string at `position`: one arm per literal, in which that parameter is
    /// the constant, and a fallback arm with the clauses that accept any value there.
    fn indexed_clauses(
        &mut self,
        spec: &Spec,
        clauses: &[&'p LoweredRule],
        args: &[Option<Val>],
        position: usize,
    ) -> TokenStream {
        // The clauses of each literal, in order, found in one pass (a rule may have thousands).
        let mut literals: Vec<&str> = Vec::new();
        let mut with_literal: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut open: Vec<usize> = Vec::new();
        for (i, clause) in clauses.iter().enumerate() {
            match string_param(clause, position) {
                Some(s) => with_literal
                    .entry(s)
                    .or_insert_with(|| {
                        literals.push(s);
                        Vec::new()
                    })
                    .push(i),
                None => open.push(i),
            }
        }
        let literals_count = literals.len();
        let mut arms = Vec::new();
        for s in literals {
            // With few arms, each is the function specialized for its literal (the one a call
            // with that literal reaches): its clauses are generated once, not once per arm
            // and once per specialization.
            let mut arm_spec = spec.clone();
            arm_spec.consts[position] = Some(Const::Str(s.to_owned()));
            if literals_count < MANY_ARMS
                && let Some(f) = self.specialized(&arm_spec)
            {
                let sig = self.fn_facts(&arm_spec);
                self.calls.note_call(arm_spec.key(), sig.may_raise);
                let params = args
                    .iter()
                    .zip(&arm_spec.consts)
                    .filter(|(_, c)| c.is_none())
                    .map(|(a, _)| &a.as_ref().expect("the arguments of a rule function are bound").expr);
                let call = match (sig.may_raise, self.calls.has_cx()) {
                    (false, false) => quote! { return #f(#(#params),*); },
                    (false, true) => quote! { return ::core::result::Result::Ok(#f(#(#params),*)); },
                    (true, _) => quote! { return #f(cx, #(#params),*); },
                };
                arms.push((s, call));
                continue;
            }
            let mut arm_args = args.to_vec();
            arm_args[position] = Some(const_val(&Const::Str(s.to_owned())));
            let mut indices: Vec<usize> = with_literal[s].iter().chain(&open).copied().collect();
            indices.sort_unstable();
            let arm: Vec<&'p LoweredRule> = indices.into_iter().map(|i| clauses[i]).collect();
            let code = self.clauses_in_order(&arm, &arm_args);
            arms.push((s, code));
        }
        let others: Vec<&'p LoweredRule> =
            clauses.iter().copied().filter(|c| string_param(c, position).is_none()).collect();
        let fallback = self.clauses_in_order(&others, args);
        let p = &args[position].as_ref().expect("indexed parameters are bound").expr;
        if arms.len() < MANY_ARMS {
            let arms = arms.iter().map(|(s, code)| quote! { ::core::option::Option::Some(#s) => { #code } });
            return quote! {
                match ::polar_runtime::support::as_str(#p) {
                    #(#arms)*
                    _ => { #fallback }
                }
            };
        }
        // A string equal to an arm's literal has the literal's hash, so the guard of exactly
        // that arm holds (any other arm with the same hash fails its guard), as in the
        // `match` on strings. The hash is `field_hash`, FNV-1a.
        let arms = arms.iter().map(|(s, code)| {
            let hash = field_hash(s);
            quote! { ::core::option::Option::Some((#hash, __polar_key)) if __polar_key == #s => { #code } }
        });
        quote! {
            match ::polar_runtime::support::as_str(#p).map(|s| (::polar_runtime::field_hash(s), s)) {
                #(#arms)*
                _ => { #fallback }
            }
        }
    }
}

/// Whether a literal parameter of `rule` can never unify with the constant the caller passes.
pub(super) fn excluded_by_constants(rule: &LoweredRule, args: &[Option<Val>]) -> bool {
    rule.params.iter().zip(args).any(|(param, arg)| {
        match (literal(&param.value), arg.as_ref().and_then(|a| a.literal.as_ref())) {
            (Some(p), Some(a)) => !literals_unify(&p, a),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::source::SourceMap;

    fn expand(text: &str) -> String {
        let mut sources = SourceMap::new();
        sources.add("app.polar", text);
        crate::expand(&sources).unwrap()
    }

    /// The action is matched once, each arm keeps its clauses in source order (the clause that
    /// accepts any action is in every arm and in the fallback), and the call with a literal
    /// goes to a copy of `role` that only has the clauses for `"writer"`.
    #[test]
    fn clauses_are_indexed_on_the_action_and_specialized_on_literals() {
        let code = expand(
            r#"allow(_u: User, "read", r: Repo) if r.public;
               allow(u: User, action, r: Repo) if u.admin and action = r.special;
               allow(u: User, "push", r: Repo) if role(u, "writer", r);
               role(u: User, "writer", r: Repo) if u.name = r.writer;
               role(u: User, "reader", r: Repo) if u.name = r.reader;"#,
        );
        insta::assert_snapshot!(code);
    }

    /// Hundreds of actions: the `match` is on the action's hash, each arm checking its
    /// literal, and the clause that accepts any action is copied into every arm because the
    /// copies are smaller than the rule.
    #[test]
    fn many_actions_are_matched_on_a_hash() {
        let mut policy: String = (0..300)
            .map(|i| format!("allow(_u: User, \"x{i}\", r: Repo) if r.id = {i} and r.public;\n"))
            .collect();
        policy.push_str("allow(u: User, action, r: Repo) if u.admin and action = r.special;\n");
        let code = expand(&policy);
        assert!(code.contains("::polar_runtime::field_hash(s)"), "{code}");
        for i in [0, 1, 150, 299] {
            let guard = format!("if __polar_key == \"x{i}\" => ");
            let arm = code.split(&guard).nth(1).unwrap().split("if __polar_key ==").next().unwrap();
            // The arm's own clause (with the id of `x{i}`), then the clause for any action.
            assert!(arm.contains(&format!("&{i}i64")), "{arm}");
            assert!(arm.contains("\"special\""), "{arm}");
            let hash = super::super::field_hash(&format!("x{i}")).to_string();
            let before: String = code.split(&guard).next().unwrap().split_whitespace().collect();
            // `Some((hash, __polar_key))`, whatever the formatter's commas.
            let before = before.trim_end_matches([',', ')']);
            assert!(before.ends_with(&format!("Some(({hash},__polar_key")), "{i}");
        }
    }

    #[test]
    fn constants_that_cannot_match_drop_the_clause() {
        let code = expand(
            r#"allow(u: User, "push", r: Repo) if role(u, "writer", r);
               role(u: User, "writer", r: Repo) if u.name = r.writer;
               role(u: User, "reader", r: Repo) if u.name = r.reader;"#,
        );
        let function =
            |name: &str| code.split(name).nth(1).unwrap().split("\nfn ").next().unwrap().to_owned();
        let clauses = |body: &str| {
            body.split("'clause")
                .skip(1)
                .filter(|s| s.trim_start_matches(char::is_numeric).starts_with(": {"))
                .count()
        };
        let (specialized, general) =
            (function("fn __polar_rule_role_3_k0<"), function("fn __polar_rule_role_3<"));
        // One clause left, with no run-time test of the role name...
        assert_eq!(clauses(&specialized), 1, "{specialized}");
        assert!(!specialized.contains("is_str"), "{specialized}");
        // ...while the general function, for callers that pass a variable, matches on it and
        // calls the copy for each literal.
        assert_eq!(clauses(&general), 0, "{general}");
        assert_eq!(general.matches("return __polar_rule_role_3_k").count(), 2, "{general}");
    }
}
