//! The public items of a compiled policy, over the generated rule functions: `is_allowed`,
//! `try_is_allowed`, `authorize`, `authorized_actions`; `authorize_request` when the policy
//! has `allow_request` rules; `authorize_field` and `authorized_fields` when it has
//! `allow_field` rules; `rules::*`; `check_inline_queries` and one `#[test]` per inline query.
//!
//! The sets of `authorized_actions` / `authorized_fields` are Oso's: every solution of
//! `allow(actor, action, resource)` with `action` unbound. The `allow` clauses are inlined
//! with that parameter unbound, exactly as `Gen::call` inlines a call that binds a variable,
//! and the continuation inserts the bound value into the set; a solution that leaves it
//! unbound is Oso's wildcard. When that cannot be compiled (a recursive rule in the way, a
//! constraint on the unbound action such as `action != "x"`, which Oso itself answers with
//! an error), the function is still generated, so that `is_allowed` and the rest are
//! unaffected, but instantiating it is a build error that gives the reason and the policy
//! location (a constant evaluated at monomorphization: `cargo build` reports it, `cargo
//! check` does not).

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{Env, Gen, Literal, Val, is_rust_ident, is_unbound, rule_fn_ident};
use crate::ast::{Param, Term};
use crate::diagnostic::Diagnostic;
use crate::lower::print::term_to_polar;
use crate::source::Span;

/// The variables of one clause (or inline query) that a `not` may not negate while unbound.
#[derive(Default)]
pub(super) struct ClauseVars {
    /// Output parameters: aliased to the caller's unbound variable.
    aliased: Vec<String>,
    /// When outputs may stay unbound, the occurrences of each variable in the clause.
    counts: HashMap<String, usize>,
}

/// How the set of an enumerating entry point is computed.
enum Enumeration {
    /// The code that fills the set, and the table of the policy's literal results.
    Code(TokenStream, Vec<String>),
    /// Why it cannot be compiled (a rendered diagnostic).
    Unavailable(String),
}

impl<'p> Gen<'p> {
    /// The public entry points around the rule functions.
    pub(super) fn entry_points(
        &mut self,
        keys: &[(String, usize)],
        functions: &[TokenStream],
    ) -> TokenStream {
        let allow = if self.rules.contains_key(&("allow".to_owned(), 3)) {
            self.entry_call("allow", &[quote! { actor }, quote! { action }, quote! { resource }])
        } else {
            quote! { { let _ = (actor, action, resource); Ok(false) } }
        };
        let public_rules = self.public_rules(keys);
        let actions = self.authorized_actions();
        let typed = self.typed_actions();
        let requests = self.authorize_request();
        let fields = self.field_entry_points();
        let queries = self.inline_queries();
        quote! {
            /// Whether `actor` may perform `action` on `resource` under the policy. The action is
            /// typed (`RepoAction::Push`, `actions::Push`) or a string (`"push"`). Never panics;
            /// a run-time error (arithmetic overflow, recursion limit) denies.
            #[allow(dead_code)]
            pub fn is_allowed<'a, A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, action: impl PolarAction<'a, R>, resource: &R,
            ) -> bool {
                try_is_allowed(actor, action, resource).unwrap_or(false)
            }

            /// [`is_allowed`] with run-time errors visible.
            #[allow(dead_code)]
            pub fn try_is_allowed<'a, A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, action: impl PolarAction<'a, R>, resource: &R,
            ) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                let action: &str = action.name();
                #allow
            }

            /// Enforces a check the way Oso's `authorize` does. When allowed, the proof
            /// [`Authorized`], which only this function makes: a function that takes an
            /// `Authorized<'_, Repo, actions::Delete>` cannot be called without the check.
            /// Otherwise `NotFound` when the action is `"read"` or the actor may not even read the
            /// resource (so that its existence is not revealed), else `Forbidden`. A run-time
            /// error is `Runtime`.
            #[allow(dead_code)]
            pub fn authorize<'r, 'a, A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar, Act: PolarAction<'a, R>>(
                actor: &A, action: Act, resource: &'r R,
            ) -> ::core::result::Result<Authorized<'r, R, Act>, ::polar_runtime::AuthorizationError> {
                let name = action.name();
                if try_is_allowed(actor, name, resource)? {
                    return ::core::result::Result::Ok(Authorized { resource, action });
                }
                if name == "read" || !try_is_allowed(actor, "read", resource)? {
                    ::core::result::Result::Err(::polar_runtime::AuthorizationError::NotFound)
                } else {
                    ::core::result::Result::Err(::polar_runtime::AuthorizationError::Forbidden)
                }
            }

            /// One function per rule: whether the rule holds for these arguments
            /// (`rules::has_role(&user, "admin", &org)`). A type rather than a module, so that
            /// the macro also works inside a function body.
            #[allow(dead_code, non_camel_case_types)]
            pub struct rules;

            #[allow(dead_code)]
            impl rules {
                #(#public_rules)*
            }

            #typed
            #actions
            #requests
            #fields
            #queries

            #(#functions)*
        }
    }

    /// A call of the general function of a rule from an entry point, as a
    /// `Result<bool, RuntimeError>`: with a fresh context for a function that can raise.
    fn entry_call(&self, name: &str, args: &[TokenStream]) -> TokenStream {
        let f = rule_fn_ident(name, args.len());
        if self.fn_facts(&super::dispatch::Spec::general(name, args.len())).may_raise {
            quote! { #f(&::polar_runtime::support::Cx::new(), #(#args),*) }
        } else {
            quote! { ::core::result::Result::<bool, ::polar_runtime::RuntimeError>::Ok(#f(#(#args),*)) }
        }
    }

    pub(super) fn public_rules(&self, keys: &[(String, usize)]) -> Vec<TokenStream> {
        let mut arities: HashMap<&str, usize> = HashMap::new();
        for (name, _) in keys {
            *arities.entry(name).or_default() += 1;
        }
        keys.iter()
            .filter(|(name, _)| is_rust_ident(name))
            .map(|(name, arity)| {
                let public = if arities[name.as_str()] > 1 {
                    format_ident!("{}_{}", name, arity)
                } else {
                    format_ident!("{}", name)
                };
                let types: Vec<Ident> = (0..*arity).map(|i| format_ident!("P{}", i)).collect();
                let args: Vec<Ident> = (0..*arity).map(|i| format_ident!("p{}", i)).collect();
                let call = self.entry_call(name, &args.iter().map(|a| quote! { #a }).collect::<Vec<_>>());
                let doc = format!("Whether `{name}` holds for these {arity} argument(s).");
                quote! {
                    #[doc = #doc]
                    pub fn #public<#(#types: ?Sized + ::polar_runtime::Polar),*>(#(#args: &#types),*)
                        -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                        #call
                    }
                }
            })
            .collect()
    }

    /// `authorized_actions` (typed) and `authorized_action_names` (strings), each with its `try_`.
    fn authorized_actions(&mut self) -> TokenStream {
        let inputs = [Some(quote! { actor }), None, Some(quote! { resource })];
        let enumeration = self.enumerate("allow", &inputs, "an action");
        let (body, unavailable) = self.enumeration_body(enumeration, "AUTHORIZED_ACTIONS");
        quote! {
            #unavailable

            /// The actions `actor` may perform on `resource`, over the resource's action enum
            /// (`RepoAction`): every `action` for which `allow(actor, action, resource)` holds, as
            /// Oso's `authorized_actions` computes them. An allowed string the enum has no variant
            /// for (an action from the data) is in `others()`; a clause that allows any action
            /// makes the set a [wildcard](::polar_runtime::ActionSet::is_wildcard). Never panics;
            /// a run-time error gives the empty set.
            #[allow(dead_code)]
            pub fn authorized_actions<A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar + PolarResource>(
                actor: &A, resource: &R,
            ) -> ::polar_runtime::ActionSet<R::Action> {
                try_authorized_actions(actor, resource).unwrap_or_default()
            }

            /// [`authorized_actions`] with run-time errors visible.
            #[allow(dead_code)]
            pub fn try_authorized_actions<A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar + PolarResource>(
                actor: &A, resource: &R,
            ) -> ::core::result::Result<::polar_runtime::ActionSet<R::Action>, ::polar_runtime::RuntimeError> {
                try_authorized_action_names(actor, resource).map(|names| ::polar_runtime::ActionSet::from_names(&names))
            }

            /// The actions `actor` may perform on `resource`, as strings, for any resource type:
            /// every `action` for which `allow(actor, action, resource)` holds, as Oso's
            /// `authorized_actions` computes them. A clause that allows any action makes the set a
            /// [wildcard](::polar_runtime::Allowed::is_wildcard) (Oso: an error unless
            /// `allow_wildcard`). Never panics; a run-time error, or an action that is not a
            /// string, gives the empty set.
            #[allow(dead_code)]
            pub fn authorized_action_names<A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, resource: &R,
            ) -> ::polar_runtime::Allowed {
                try_authorized_action_names(actor, resource).unwrap_or_else(|_| ::polar_runtime::Allowed::new(&[]))
            }

            /// [`authorized_action_names`] with run-time errors visible (and an action that is not
            /// a string is the error `Unsupported`, as Oso's Rust `get_allowed_actions::<String>`
            /// fails on one).
            #[allow(dead_code, unused_variables, unused_labels, unused_mut, unreachable_code, unused_assignments, non_snake_case, clippy::all)]
            pub fn try_authorized_action_names<A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, resource: &R,
            ) -> ::core::result::Result<::polar_runtime::Allowed, ::polar_runtime::RuntimeError> {
                #body
            }
        }
    }

    /// `authorize_request`, when the policy has `allow_request` rules.
    fn authorize_request(&mut self) -> TokenStream {
        if !self.rules.contains_key(&("allow_request".to_owned(), 2)) {
            return quote! {};
        }
        let call = self.entry_call("allow_request", &[quote! { actor }, quote! { request }]);
        quote! {
            /// Whether `actor` may make `request`, as Oso's `authorize_request`:
            /// `allow_request(actor, request)`, else `Forbidden`. A run-time error is `Runtime`.
            #[allow(dead_code)]
            pub fn authorize_request<A: ?Sized + ::polar_runtime::Polar, Q: ?Sized + ::polar_runtime::Polar>(
                actor: &A, request: &Q,
            ) -> ::core::result::Result<(), ::polar_runtime::AuthorizationError> {
                if #call? {
                    ::core::result::Result::Ok(())
                } else {
                    ::core::result::Result::Err(::polar_runtime::AuthorizationError::Forbidden)
                }
            }
        }
    }

    /// `authorize_field`, `authorized_fields` and `try_authorized_fields`, when the policy has
    /// `allow_field` rules.
    fn field_entry_points(&mut self) -> TokenStream {
        if !self.rules.contains_key(&("allow_field".to_owned(), 4)) {
            return quote! {};
        }
        let call = self.entry_call(
            "allow_field",
            &[quote! { actor }, quote! { action }, quote! { resource }, quote! { field }],
        );
        let inputs = [Some(quote! { actor }), Some(quote! { action }), Some(quote! { resource }), None];
        let enumeration = self.enumerate("allow_field", &inputs, "a field");
        let (body, unavailable) = self.enumeration_body(enumeration, "AUTHORIZED_FIELDS");
        quote! {
            #unavailable

            /// Whether `actor` may perform `action` on `field` of `resource`, as Oso's
            /// `authorize_field`: `allow_field(actor, action, resource, field)`, else
            /// `Forbidden`. A run-time error is `Runtime`.
            #[allow(dead_code)]
            pub fn authorize_field<A: ?Sized + ::polar_runtime::Polar, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, action: &str, resource: &R, field: &str,
            ) -> ::core::result::Result<(), ::polar_runtime::AuthorizationError> {
                if #call? {
                    ::core::result::Result::Ok(())
                } else {
                    ::core::result::Result::Err(::polar_runtime::AuthorizationError::Forbidden)
                }
            }

            /// The fields of `resource` on which `actor` may perform `action`: every `field`
            /// for which `allow_field(actor, action, resource, field)` holds, as Oso's
            /// `authorized_fields` computes them (a wildcard as in [`authorized_actions`]).
            /// Never panics; a run-time error, or a field that is not a string, gives the
            /// empty set.
            #[allow(dead_code)]
            pub fn authorized_fields<A: ?Sized + ::polar_runtime::Polar, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, action: &str, resource: &R,
            ) -> ::polar_runtime::Allowed {
                try_authorized_fields(actor, action, resource).unwrap_or_else(|_| ::polar_runtime::Allowed::new(&[]))
            }

            /// [`authorized_fields`] with run-time errors visible.
            #[allow(dead_code, unused_variables, unused_labels, unused_mut, unreachable_code, non_snake_case, clippy::all)]
            pub fn try_authorized_fields<A: ?Sized + ::polar_runtime::Polar, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, action: &str, resource: &R,
            ) -> ::core::result::Result<::polar_runtime::Allowed, ::polar_runtime::RuntimeError> {
                #body
            }
        }
    }

    /// The body of a `try_authorized_*` function, and for an unavailable one the constant
    /// whose evaluation fails the build when the function is instantiated.
    fn enumeration_body(&mut self, enumeration: Enumeration, constant: &str) -> (TokenStream, TokenStream) {
        let constant = format_ident!("{}", constant);
        match enumeration {
            Enumeration::Code(code, known) => {
                let body = quote! {
                    const KNOWN: &[&str] = &[#(#known),*];
                    let cx = &::polar_runtime::support::Cx::new();
                    let mut __polar_allowed = ::polar_runtime::Allowed::new(KNOWN);
                    #code
                    ::core::result::Result::Ok(__polar_allowed)
                };
                (body, quote! {})
            }
            Enumeration::Unavailable(reason) => {
                let what =
                    format!("{} is not available for this policy", constant.to_string().to_lowercase());
                let message = format!("{what}: {reason}");
                let ty = format_ident!("__polar_unavailable_{}", constant.to_string().to_lowercase());
                let body = quote! {
                    let () = #ty::<A>::#constant;
                    ::core::result::Result::Err(::polar_runtime::RuntimeError::Unsupported { what: #what })
                };
                // Evaluated only when the function is instantiated, so an unused unavailable
                // function costs nothing.
                let unavailable = quote! {
                    #[doc(hidden)]
                    #[allow(dead_code, non_camel_case_types)]
                    pub struct #ty<T: ?Sized>(::core::marker::PhantomData<T>);

                    #[allow(dead_code)]
                    impl<T: ?Sized> #ty<T> {
                        const #constant: () = ::core::panic!("{}", #message);
                    }
                };
                (body, unavailable)
            }
        }
    }

    /// Every solution of `name(inputs)` where exactly one input is `None` (unbound): the code
    /// that adds the value each solution binds it to (or the wildcard) to `__polar_allowed`.
    /// `what` names that value in messages ("an action").
    fn enumerate(&mut self, name: &str, inputs: &[Option<TokenStream>], what: &'static str) -> Enumeration {
        let Some(clauses) = self.rules.get(&(name.to_owned(), inputs.len())).cloned() else {
            return Enumeration::Code(quote! {}, Vec::new());
        };
        let output = inputs.iter().position(Option::is_none).expect("one output");
        // The clauses are inlined once here: a recursive `allow` is fine as long as its own
        // recursive calls are ground (`Gen::call` refuses a recursive call that binds).
        let args: Vec<Option<Val>> = inputs
            .iter()
            .map(|e| e.as_ref().map(|expr| Val { expr: expr.clone(), generic: true, literal: None }))
            .collect();
        let errors_before = self.errors.len();
        let unbound_outputs = std::mem::replace(&mut self.unbound_outputs, true);
        let not_a_string = format!("{what} that is not a string");
        let mut known: Vec<String> = Vec::new();
        let mut insert = |_: &mut Gen<'p>, outputs: &[Option<Val>]| match &outputs[output] {
            None => quote! { __polar_allowed.insert_wildcard(); },
            Some(Val { literal: Some(Literal::Str(s)), .. }) => {
                let index = known.iter().position(|k| k == s).unwrap_or_else(|| {
                    known.push(s.clone());
                    known.len() - 1
                });
                // The table holds at most 128 literals (the bits of `Allowed`).
                if index < 128 {
                    quote! { __polar_allowed.insert_known(#index); }
                } else {
                    quote! { __polar_allowed.insert(#s); }
                }
            }
            Some(Val { literal: Some(_), .. }) => quote! {
                return ::core::result::Result::Err(::polar_runtime::RuntimeError::Unsupported { what: #not_a_string });
            },
            Some(Val { expr, .. }) => quote! {
                match ::polar_runtime::support::as_str(#expr) {
                    ::core::option::Option::Some(s) => __polar_allowed.insert(s),
                    ::core::option::Option::None => return ::core::result::Result::Err(
                        ::polar_runtime::RuntimeError::Unsupported { what: #not_a_string }
                    ),
                }
            },
        };
        // In Oso's clause order, as any call (`cut` included).
        let collecting = std::mem::replace(&mut self.modes.collecting, true);
        let code = self.clause_set(&clauses, &args, &mut insert);
        self.modes.collecting = collecting;
        self.unbound_outputs = unbound_outputs;
        if self.errors.len() > errors_before {
            let errors = self.errors.split_off(errors_before);
            return Enumeration::Unavailable(self.render_briefly(&errors[0]));
        }
        known.truncate(128);
        Enumeration::Code(code, known)
    }

    /// In an enumeration or an inline query, an output parameter that nothing bound and that
    /// has no specializer stays unbound (Oso's result is then the variable itself).
    pub(super) fn stays_unbound(&mut self, param: &Param, scope: &str, env: &Env) -> bool {
        if !self.unbound_outputs || !is_unbound(&param.value, scope, env) {
            return false;
        }
        if let Some(spec) = &param.specializer {
            // Oso turns the specializer into a constraint on the unbound variable, which its
            // hosts report as an error ("Received Expression from Polar VM").
            self.refuse(spec.span, "a specializer on a parameter that stays unbound (an error in Oso)");
        }
        true
    }

    /// Records, for [`Gen::refuses_not`], which variables of a clause are aliased to a
    /// caller's unbound variable (its output parameters) and, when outputs may stay unbound,
    /// how often each variable occurs in the clause.
    pub(super) fn note_clause_vars(
        &mut self,
        scope: &str,
        params: &[Param],
        body: &Term,
        args: &[Option<Val>],
    ) {
        let aliased: Vec<String> = params
            .iter()
            .zip(args)
            .filter(|(_, arg)| arg.is_none())
            .filter_map(|(p, _)| p.value.as_variable().map(str::to_owned))
            .collect();
        let mut counts = HashMap::new();
        if self.unbound_outputs {
            let mut count = |t: &Term| {
                if let Some(v) = t.as_variable() {
                    *counts.entry(v.to_owned()).or_default() += 1;
                }
            };
            for param in params {
                param.value.walk(&mut count);
                if let Some(spec) = &param.specializer {
                    spec.walk(&mut count);
                }
            }
            body.walk(&mut count);
        }
        if !aliased.is_empty() || !counts.is_empty() {
            self.clause_vars.insert(scope.to_owned(), ClauseVars { aliased, counts });
        }
    }

    /// Whether to refuse `not inner`. Oso negates by running `inner` and failing if it has a
    /// result, except that bindings of a variable that was already aliased to another unbound
    /// variable become a *constraint* (`polar-core/src/inverter.rs`): `allow(u, action, r) if
    /// not action = "x"` queried with `action` unbound gives `action != "x"`, which Oso's hosts
    /// report as an error, and `f(y, d) if not y = d.id and y = 5` called with `y` unbound
    /// holds (for `d.id != 5`) where negation as failure never would. The aliased variables
    /// are the output parameters of an inlined clause and, when outputs may stay unbound,
    /// the variables a call left unbound: conservatively, those that occur in the clause
    /// outside the `not`. A variable local to the `not` is negated as usual. `forall(c, a)`
    /// is Oso's `not (c and not a)`, so it passes both goals: a variable that occurs only in
    /// them is local to the outer `not`.
    pub(super) fn refuses_not(&mut self, inner: &[&Term], scope: &str, env: &Env) -> bool {
        let Some(vars) = self.clause_vars.get(scope) else { return false };
        let mut inside: HashMap<&str, (usize, Span)> = HashMap::new();
        for term in inner {
            term.walk(&mut |t| {
                if let Some(v) =
                    t.as_variable().filter(|v| *v != "_" && !env.contains_key(&format!("{scope}/{v}")))
                {
                    inside.entry(v).or_insert((0, t.span)).0 += 1;
                }
            });
        }
        let aliased = inside
            .into_iter()
            .filter(|(v, (n, _))| {
                vars.aliased.iter().any(|a| a == v) || vars.counts.get(*v).is_some_and(|total| total > n)
            })
            .min_by_key(|(_, (_, span))| span.start);
        match aliased {
            Some((v, (_, span))) => {
                self.refuse(
                    span,
                    format!(
                        "`not` over `{v}`, which is unbound here and shared with the rest of the query (Oso makes it a constraint)"
                    ),
                );
                true
            }
            None => false,
        }
    }

    /// `check_inline_queries`, and one `#[test]` per inline query.
    fn inline_queries(&mut self) -> TokenStream {
        let queries: Vec<Term> = self.program.queries.clone();
        let mut functions = Vec::new();
        let mut checks = Vec::new();
        let mut tests = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, query) in queries.iter().enumerate() {
            let f = format_ident!("__polar_inline_query_{}", i);
            let location = self.location(query.span);
            let text = term_to_polar(query);
            functions.push(self.inline_query(&f, query));
            let check = quote! {
                ::polar_runtime::InlineQueryError::check(#location, #text, #f(&::polar_runtime::support::Cx::new()))
            };
            checks.push(quote! { #check?; });
            let mut name = format!("inline_query_{}", self.test_name_of(query.span, i));
            if names.contains(&name) {
                name = format!("{name}_{i}");
            }
            names.push(name.clone());
            let test = format_ident!("{}", name);
            let doc = format!("The inline query `?= {text};` at {location} has a solution.");
            tests.push(quote! {
                #[doc = #doc]
                #[cfg(test)]
                #[test]
                #[allow(dead_code)]
                fn #test() {
                    if let ::core::result::Result::Err(e) = #check {
                        ::core::panic!("{}", e);
                    }
                }
            });
        }
        quote! {
            /// Runs the policy's inline queries (`?= goal;`) in order, as Oso does when it loads
            /// a policy (Oso refuses a policy whose inline query has no solution or fails).
            /// Each query also has a `#[test]` function, `inline_query_<file>_line_<n>`.
            #[allow(dead_code)]
            pub fn check_inline_queries() -> ::core::result::Result<(), ::polar_runtime::InlineQueryError> {
                #(#checks)*
                ::core::result::Result::Ok(())
            }

            #(#functions)*
            #(#tests)*
        }
    }

    /// The function that runs one inline query. Like Oso, which collects every result of an
    /// inline query, it enumerates all solutions, so that an error after the first one fails.
    fn inline_query(&mut self, f: &Ident, query: &Term) -> TokenStream {
        self.fresh += 1;
        let scope = format!("q{}", self.fresh);
        let unbound_outputs = std::mem::replace(&mut self.unbound_outputs, true);
        self.note_clause_vars(&scope, &[], query, &[]);
        let mut found = |_: &mut Gen<'p>, _: &Env| quote! { __polar_found = true; };
        let collecting = std::mem::replace(&mut self.modes.collecting, true);
        let body = self.goal(query, &scope, &Env::new(), &mut found);
        self.modes.collecting = collecting;
        self.unbound_outputs = unbound_outputs;
        quote! {
            #[allow(dead_code, unused_variables, unused_labels, unused_mut, unreachable_code, non_snake_case, clippy::all)]
            fn #f(cx: &::polar_runtime::support::Cx) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                let mut __polar_found = false;
                #body
                ::core::result::Result::Ok(__polar_found)
            }
        }
    }

    /// `app_polar_line_12` for a query at line 12 of `app.polar`, `polar_source_line_2` in
    /// `<polar! source>` (`query_3` without sources).
    fn test_name_of(&self, span: Span, index: usize) -> String {
        let Some(sources) = self.sources else { return format!("query_{index}") };
        let file = sources.get(span.file);
        let (line, _) = file.line_col(span.start as usize);
        let base = file.name.rsplit(['/', '\\']).next().unwrap_or(&file.name);
        let mut clean = String::new();
        for c in base.chars() {
            if c.is_ascii_alphanumeric() {
                clean.push(c.to_ascii_lowercase());
            } else if !clean.is_empty() && !clean.ends_with('_') {
                clean.push('_');
            }
        }
        let clean = clean.trim_end_matches('_');
        let clean = if clean.is_empty() { "policy" } else { clean };
        format!("{clean}_line_{line}")
    }

    /// A diagnostic on one line, for a message in generated code.
    fn render_briefly(&self, d: &Diagnostic) -> String {
        format!("{}: error[{}]: {}", self.location(d.span), d.code, d.message)
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceMap;

    fn compile(text: &str) -> Result<String, String> {
        let mut sources = SourceMap::new();
        sources.add("app.polar", text);
        crate::expand(&sources)
    }

    /// The generated item starting at `signature`, up to the next item.
    fn item<'a>(code: &'a str, signature: &str) -> &'a str {
        let start = code.find(signature).unwrap_or_else(|| panic!("no {signature} in\n{code}"));
        let rest = &code[start..];
        let end = rest[1..].find("\n#[").or_else(|| rest[1..].find("\n///")).map_or(rest.len(), |e| e + 1);
        &rest[..end]
    }

    #[test]
    fn literal_actions_are_indices_into_a_static_table() {
        let code = compile(
            r#"allow(_: User, "read", _: Repo);
               allow(u: User, action, r: Repo) if can(u, action, r);
               can(_: User, "push", _: Repo);
               can(_: User, "read", _: Repo);"#,
        )
        .unwrap();
        let f = item(&code, "pub fn try_authorized_action_names");
        assert!(f.contains(r#"const KNOWN: &[&str] = &["read", "push"];"#), "{f}");
        assert!(f.contains("insert_known(0usize)") && f.contains("insert_known(1usize)"), "{f}");
        assert!(!f.contains("insert_wildcard") && !f.contains("as_str"), "{f}");
    }

    #[test]
    fn an_action_nothing_binds_is_the_wildcard() {
        let code = compile(
            r#"allow(u: User, _action, _: Repo) if u.admin;
               allow(u: User, action, r: Repo) if can(u, action, r);
               can(_: User, _, _: Repo);"#,
        )
        .unwrap();
        let f = item(&code, "pub fn try_authorized_action_names");
        assert_eq!(f.matches("insert_wildcard()").count(), 2, "{f}");
    }

    #[test]
    fn actions_from_data_and_non_string_literals_are_checked_at_run_time() {
        let code = compile(
            r#"allow(u: User, action, _: Repo) if action in u.permissions;
               allow(_: User, 1, _: Repo);"#,
        )
        .unwrap();
        let f = item(&code, "pub fn try_authorized_action_names");
        assert!(f.contains("::polar_runtime::support::as_str("), "{f}");
        assert!(f.contains(r#"what: "an action that is not a string""#), "{f}");
    }

    #[test]
    fn an_action_the_compiler_cannot_enumerate_makes_only_authorized_actions_unavailable() {
        let cases = [
            // A specializer on the unbound action: Oso answers with an error.
            ("allow(u: User, _action: String, _: Repo) if u.admin;", "app.polar:1:25", "stays unbound"),
            // Oso makes the negation a constraint `action != "x"` (and then errors).
            (
                "allow(u: User, action, _: Repo) if u.admin and not action = \"x\";",
                "app.polar:1:52",
                "`not` over `action`",
            ),
            // The same through a call.
            (
                "allow(u: User, action, r: Repo) if can(u, action, r);
                 can(_: User, action, _: Repo) if not (action = \"x\" or action = \"y\");",
                "app.polar:2:56",
                "`not` over `action`",
            ),
        ];
        for (policy, location, why) in cases {
            let code = compile(policy).unwrap_or_else(|e| panic!("{policy}: {e}"));
            assert!(code.contains("pub fn is_allowed"), "{code}");
            assert!(code.contains("fn __polar_rule_allow_3"), "{code}");
            let f = item(&code, "pub fn try_authorized_action_names");
            assert!(f.contains("__polar_unavailable_authorized_actions::<A>::AUTHORIZED_ACTIONS"), "{f}");
            let message = item(&code, "const AUTHORIZED_ACTIONS");
            assert!(message.contains("authorized_actions is not available for this policy"), "{message}");
            assert!(message.contains(location) && message.contains(why), "{policy}: {message}");
        }
    }

    /// An action that flows into a recursive rule is enumerated by the rule's binding-mode
    /// function (`recursion.rs`), compared with Oso in `tests/tests/recursion_vs_oso.rs`.
    #[test]
    fn an_action_through_a_recursive_rule_is_enumerated() {
        let code = compile(
            "allow(u: User, action, r: Repo) if can(u, action, r);
             can(u: User, action, r: Repo) if can(u, action, r.parent);
             can(_: User, \"read\", r: Repo) if r.public;",
        )
        .unwrap();
        let f = item(&code, "pub fn try_authorized_action_names");
        assert!(!f.contains("__polar_unavailable_authorized_actions"), "{f}");
        assert!(code.contains("fn __polar_rule_can_3_ioi"), "{code}");
    }

    #[test]
    fn a_not_over_an_output_parameter_is_refused_even_for_is_allowed() {
        // Oso: `y != d.id` becomes a constraint, and `allow` holds for every `d.id` but 5
        // (tests/tests/api_vs_oso.rs); negation as failure would never hold.
        let err = compile(
            r#"allow(_: User, "read", d: Doc) if f(x, d) and x = 5;
               f(y, d: Doc) if not y = d.id and y = 5;"#,
        )
        .unwrap_err();
        assert!(
            err.contains("G0001") && err.contains("app.polar:2:36") && err.contains("`not` over `y`"),
            "{err}"
        );
        // Bound before the `not`: negation as failure.
        compile(
            r#"allow(_: User, "read", d: Doc) if f(x, d) and x = 5;
               f(y, d: Doc) if y = 5 and not y = d.id;"#,
        )
        .unwrap();
    }

    #[test]
    fn a_not_over_variables_local_to_it_is_enumerated() {
        let code = compile(
            r#"allow(u: User, "read", _: Repo) if not (p in u.perms and p = "banned");
               allow(u: User, action, _: Repo) if action in u.perms and not (q in u.banned and q = action);"#,
        )
        .unwrap();
        let f = item(&code, "pub fn try_authorized_action_names");
        assert!(!f.contains("unavailable"), "{f}");
    }

    #[test]
    fn request_and_field_entry_points_exist_only_with_their_rules() {
        let code = compile(r#"allow(_: User, "read", _: Repo);"#).unwrap();
        assert!(code.contains("pub fn authorized_actions"));
        assert!(!code.contains("authorize_request") && !code.contains("authorize_field"));
        assert!(!code.contains("authorized_fields"));
        let code = compile(
            r#"allow_request(_: User, r: Request) if r.path = "/";
               allow_field(_: User, "read", _: Repo, field) if field = "name";"#,
        )
        .unwrap();
        assert!(code.contains("pub fn authorize_request"));
        assert!(code.contains("pub fn authorize_field") && code.contains("pub fn authorized_fields"));
        let f = item(&code, "pub fn try_authorized_fields");
        assert!(f.contains(r#"const KNOWN: &[&str] = &["name"];"#), "{f}");
    }

    #[test]
    fn inline_queries_become_tests_named_after_their_line() {
        let code = compile("f(1);\nf(2);\n?= f(1);\n\n  ?= f(x) and x = 2;\n?= f(2); ?= f(2);\n").unwrap();
        for (test, location, text) in [
            ("inline_query_app_polar_line_3", "app.polar:3:4", "f(1)"),
            ("inline_query_app_polar_line_5", "app.polar:5:6", "f(x) and x = 2"),
            ("inline_query_app_polar_line_6", "app.polar:6:4", "f(2)"),
            ("inline_query_app_polar_line_6_3", "app.polar:6:13", "f(2)"),
        ] {
            let f = item(&code, &format!("fn {test}()"));
            assert!(f.contains(&format!("{location:?}")) && f.contains(&format!("{text:?}")), "{f}");
            let attributes = &code[..code.find(&format!("fn {test}()")).unwrap()];
            assert!(attributes.ends_with("#[cfg(test)]\n#[test]\n#[allow(dead_code)]\n"), "{attributes}");
        }
        let check = item(&code, "pub fn check_inline_queries");
        assert_eq!(check.matches("InlineQueryError::check(").count(), 4, "{check}");
        // Every solution is enumerated, as Oso collects all results of an inline query.
        let query = item(&code, "fn __polar_inline_query_1(");
        assert!(query.contains("__polar_found = true;") && !query.contains("return"), "{query}");
    }

    #[test]
    fn an_inline_query_the_compiler_cannot_run_refuses_the_policy() {
        let err = compile("f(1);\n?= f(x) and debug();").unwrap_err();
        assert!(err.contains("G0001") && err.contains("app.polar:2:13"), "{err}");
    }
}
