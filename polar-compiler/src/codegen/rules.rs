//! Rules and clauses: one function per rule name and arity, parameter checks
//! (specializers, literals), and calls (ground calls, or inlined calls that bind outputs).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::*;
use crate::ast::{Param, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::lower::{LoweredRule, is_union};

impl<'p> Gen<'p> {
    /// The function for every clause of `name/arity`.
    pub(super) fn rule_function(&mut self, (name, arity): &(String, usize)) -> TokenStream {
        let f = rule_fn_ident(name, *arity);
        let types: Vec<Ident> = (0..*arity).map(|i| format_ident!("P{}", i)).collect();
        let params: Vec<Ident> = (0..*arity).map(|i| format_ident!("p{}", i)).collect();
        let args: Vec<Option<Val>> =
            params.iter().map(|p| Some(Val { expr: quote! { #p }, generic: true, literal: None })).collect();
        let clauses: Vec<&LoweredRule> = self.rules[&(name.clone(), *arity)].clone();
        let mut bodies = Vec::new();
        for clause in clauses {
            // Inside `not`/`forall` a solution does not end the search (`Cx::exhaustive`).
            let mut succeed = |_: &mut Gen<'p>, _: &[Option<Val>]| {
                quote! {
                    if !cx.is_exhaustive() { return ::core::result::Result::Ok(true); }
                    __polar_found = true;
                }
            };
            bodies.push(self.clause(clause, &args, &mut succeed));
        }
        quote! {
            #[allow(unused_variables, unused_labels, unreachable_code, unused_mut, unused_assignments, non_snake_case, clippy::all)]
            fn #f<#(#types: ?Sized + ::polar_runtime::Polar),*>(
                cx: &::polar_runtime::support::Cx, #(#params: &#types),*
            ) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                let _depth = cx.enter()?;
                let mut __polar_found = false;
                #(#bodies)*
                ::core::result::Result::Ok(__polar_found)
            }
        }
    }

    /// One clause: parameter checks, then the body, then `k`. `args[i]` is the caller's value
    /// for parameter `i`, or `None` when the caller passes an unbound variable: the clause
    /// binds it, and `k` receives the values of those outputs (by parameter index).
    pub(super) fn clause(
        &mut self,
        rule: &LoweredRule,
        args: &[Option<Val>],
        k: &mut dyn FnMut(&mut Gen<'p>, &[Option<Val>]) -> TokenStream,
    ) -> TokenStream {
        self.fresh += 1;
        let scope = format!("c{}", self.fresh);
        let label = syn_label(&format!("clause{}", self.fresh));
        let mut env = Env::new();
        let mut checks = Vec::new();
        let mut output_params: Vec<(usize, &Param)> = Vec::new();
        for (i, (param, arg)) in rule.params.iter().zip(args).enumerate() {
            match arg {
                Some(arg) => checks.push(self.bind_param(param, arg, &scope, &mut env, &label)),
                None => output_params.push((i, param)),
            }
        }
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
        let body = self.conj(&body_terms, &scope, &env, &mut finish);
        quote! {
            #label: {
                #(#checks)*
                #body
            }
        }
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
                let v = self.specialize(spec, &value, label, &mut code)?;
                pre.push(code);
                Some(v)
            }
        }
    }

    /// Checks one parameter against the caller's value and binds its variable.
    pub(super) fn bind_param(
        &mut self,
        param: &Param,
        arg: &Val,
        scope: &str,
        env: &mut Env,
        label: &TokenStream,
    ) -> TokenStream {
        let mut code = TokenStream::new();
        let arg = match &param.specializer {
            Some(spec) => match self.specialize(spec, arg, label, &mut code) {
                Some(v) => v,
                None => return code,
            },
            None => arg.clone(),
        };
        match &param.value.kind {
            TermKind::Variable(v) if v == "_" => {}
            TermKind::Variable(v) => {
                let key = format!("{scope}/{v}");
                match env.get(&key).cloned() {
                    Some(existing) => {
                        let test = self.unify_test(&existing, &arg);
                        code.extend(quote! { if !(#test) { break #label; } });
                    }
                    None => {
                        let ident = self.fresh(v);
                        let expr = &arg.expr;
                        code.extend(quote! { let #ident = #expr; });
                        env.insert(key, Val { expr: quote! { #ident }, ..arg });
                    }
                }
            }
            TermKind::String(_) | TermKind::Integer(_) | TermKind::Boolean(_) | TermKind::Float(_) => {
                let lit = literal(&param.value).expect("a literal");
                match &arg.literal {
                    // Both known now: decide at compile time.
                    Some(a) if literals_unify(a, &lit) => {}
                    Some(_) => code.extend(quote! { break #label; }),
                    None => {
                        let e = &arg.expr;
                        let test = match lit {
                            Literal::Str(s) => quote! { ::polar_runtime::support::is_str(#e, #s) },
                            Literal::Int(i) => quote! { ::polar_runtime::support::is_int(#e, #i) },
                            Literal::Bool(b) => quote! { ::polar_runtime::support::is_bool(#e, #b) },
                            Literal::Float(f) => {
                                // `inf`, `-inf` and `nan` have no Rust literal.
                                let f = super::values::float_expr(f);
                                quote! { ::polar_runtime::support::unify_views(::polar_runtime::Polar::view(#e), ::polar_runtime::Polar::view(&#f))? }
                            }
                        };
                        code.extend(quote! { if !(#test) { break #label; } });
                    }
                }
            }
            _ => {
                code.extend(self.refuse(param.span, "a parameter that is neither a variable nor a literal"));
            }
        }
        code
    }

    /// Emits the check of a specializer on `value` (breaking out of `label` when it fails) and
    /// returns the value as the specializer types it.
    pub(super) fn specialize(
        &mut self,
        spec: &Term,
        value: &Val,
        label: &TokenStream,
        code: &mut TokenStream,
    ) -> Option<Val> {
        let e = &value.expr;
        match &spec.kind {
            TermKind::Instance { tag, fields, .. } if fields.is_empty() => {
                let name = tag.name.as_str();
                if is_union(name) {
                    let members = self.program.union_members(name).unwrap_or_default();
                    code.extend(quote! {
                        if !::polar_runtime::support::is_one_of(#e, &[#(#members),*]) { break #label; }
                    });
                    return Some(value.clone());
                }
                if name == "String" {
                    let ident = self.fresh("s");
                    code.extend(quote! {
                        let ::core::option::Option::Some(#ident) = ::polar_runtime::support::as_str(#e) else { break #label; };
                    });
                    return Some(Val {
                        expr: quote! { #ident },
                        generic: false,
                        literal: value.literal.clone(),
                    });
                }
                if BUILTIN_CLASSES.contains(&name) {
                    self.refuse(spec.span, format!("the built-in specializer `{name}`"));
                    return None;
                }
                let Some(path) = class_path(name) else {
                    self.refuse(spec.span, format!("the class name `{name}`, which is not a Rust path"));
                    return None;
                };
                let ident = self.fresh(name);
                code.extend(quote! {
                    let ::core::option::Option::Some(#ident) = ::polar_runtime::support::isa::<#path, _>(#e) else { break #label; };
                });
                Some(Val { expr: quote! { #ident }, generic: false, literal: None })
            }
            _ => {
                self.refuse(spec.span, "specializers with fields, dictionary, list or literal patterns");
                None
            }
        }
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
            let f = rule_fn_ident(name, args.len());
            let exprs: Vec<&TokenStream> = vals.iter().flatten().map(|v| &v.expr).collect();
            let rest = k(self, env);
            // Past `rest`, it failed: Oso would backtrack into the callee, whose later
            // alternatives may raise an error (which aborts the query): search them for one.
            return quote! {
                if #f(cx, #(#exprs),*)? {
                    #rest
                    if !cx.is_exhaustive() { let _exhaustive = cx.exhaustive(); #f(cx, #(#exprs),*)?; }
                }
            };
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
        let mut code = TokenStream::new();
        let clauses = self.rules[&key].clone();
        for clause in clauses {
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
            code.extend(self.clause(clause, &vals, &mut after));
        }
        self.inline_depth -= 1;
        code
    }
}
