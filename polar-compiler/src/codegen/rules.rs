//! Rules and clauses: one function per rule name and arity, parameter checks
//! (specializers, literals), and calls (ground calls, or inlined calls that bind outputs).

use proc_macro2::TokenStream;
use quote::quote;

use super::*;
use crate::ast::{Param, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::lower::{LoweredRule, is_union};

impl<'p> Gen<'p> {
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
        self.note_clause_vars(&scope, &rule.params, &rule.body, args);
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
        let body = self.conj(&body_terms, &scope, &env, &mut finish);
        quote! {
            #label: {
                #(#checks)*
                #body
            }
        }
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
                    !self.program.union_members(&tag.name).unwrap_or_default().contains(&class.as_str())
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
                        let test = self.unify_test(param.span, &existing, &arg);
                        code.extend(quote! { if !(#test) { break #label; } });
                    }
                    None => {
                        let ident = self.fresh(v);
                        let expr = &arg.expr;
                        code.extend(quote! { let #ident = #expr; });
                        if let Some(class) = self.classes.get(&expr.to_string()).cloned() {
                            self.classes.insert(ident.to_string(), class);
                        }
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
                self.classes.insert(ident.to_string(), name.to_owned());
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
            let vals: Vec<Val> = vals.into_iter().flatten().collect();
            let call = self.ground_call(name, &vals);
            let rest = k(self, env);
            // Past `rest`, it failed: Oso would backtrack into the callee, whose later
            // alternatives may raise an error (which aborts the query): search them for one.
            // (Dead code when `rest` returns or breaks, as in gitclub.)
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
        let mut code = TokenStream::new();
        // Clauses that cannot match what is known of the arguments (a literal, the class a
        // specializer gave) are left out: rustc would drop them too, but only after
        // generating and type-checking them once per call site.
        let classes: Vec<Option<String>> = vals
            .iter()
            .map(|v| v.as_ref().and_then(|v| self.classes.get(&v.expr.to_string()).cloned()))
            .collect();
        let clauses: Vec<&LoweredRule> =
            self.rules[&key].clone().into_iter().filter(|c| !self.cannot_match(c, &vals, &classes)).collect();
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
