//! Code generation: a validated [`Program`] to Rust tokens (see `docs/backend-design.md`).
//!
//! Every rule name and arity becomes one generic function `fn(cx, &P0, &P1, ...) ->
//! Result<bool, RuntimeError>`: "does a solution exist". Each clause is a labelled block that
//! checks its parameters (specializers through `polar_runtime::support`, which folds to
//! nothing for concrete types), then runs its body as nested Rust code in which the rest of the
//! conjunction is the continuation: a filter is an `if`, an enumeration (`in`, `or`) is a loop
//! or a sequence of branches, and success is `return Ok(true)`. A call whose arguments are all
//! bound calls the callee's function; a call that binds variables (`has_relation(org,
//! "parent", repo)` with `org` unbound) inlines the callee's clauses, whose outputs then have
//! static types that rustc infers.
//!
//! The compiler never sees the Rust types: it only tracks which variables are bound, and
//! whether a variable's type is *generic* (a parameter without a class specializer, known
//! only through `Polar::view`) or concrete (everything rustc can infer). Field lookups need a
//! concrete receiver. Constructs not compiled yet are refused with a diagnostic at the
//! policy location: never compiled to something that could answer differently from Oso.

use std::collections::{BTreeMap, HashMap};

use proc_macro2::{Ident, Span as RustSpan, TokenStream};
use quote::{format_ident, quote};

use crate::ast::{BinOp, Field, Member, Param, Term, TermKind};
use crate::diagnostic::Diagnostic;
use crate::graph::RuleGraph;
use crate::lower::{LoweredRule, Program, is_union};
use crate::source::Span;

/// Diagnostic codes of code generation.
pub mod codes {
    /// A construct the back end does not compile (yet).
    pub const UNSUPPORTED: &str = "G0001";
    /// A variable used as a value before anything binds it.
    pub const UNBOUND: &str = "G0002";
}

/// How deeply calls that bind variables are inlined into each other.
const MAX_INLINE: usize = 16;

const BUILTIN_CLASSES: [&str; 7] = ["String", "Integer", "Float", "Boolean", "List", "Dictionary", "Option"];

/// Generates the items of a compiled policy: `is_allowed`, `try_is_allowed`, `rules::*` and
/// the rule functions. Errors name the policy location of each construct that is refused.
pub fn generate(program: &Program, graph: &RuleGraph) -> Result<TokenStream, Vec<Diagnostic>> {
    let mut g = Gen::new(program, graph);
    let mut functions = Vec::new();
    let keys: Vec<(String, usize)> = g.rules.keys().cloned().collect();
    for key in &keys {
        functions.push(g.rule_function(key));
    }
    if !g.errors.is_empty() {
        return Err(g.errors);
    }
    let allow = if g.rules.contains_key(&("allow".to_owned(), 3)) {
        let f = rule_fn_ident("allow", 3);
        quote! { #f(&cx, actor, action, resource) }
    } else {
        quote! { { let _ = (&cx, actor, action, resource); Ok(false) } }
    };
    let public_rules = g.public_rules(&keys);
    Ok(quote! {
        /// Whether `actor` may perform `action` on `resource` under the policy. Never panics;
        /// a run-time error (arithmetic overflow, recursion limit) denies.
        #[allow(dead_code)]
        pub fn is_allowed<A: ?Sized + ::polar_runtime::Polar, R: ?Sized + ::polar_runtime::Polar>(
            actor: &A, action: &str, resource: &R,
        ) -> bool {
            try_is_allowed(actor, action, resource).unwrap_or(false)
        }

        /// [`is_allowed`] with run-time errors visible.
        #[allow(dead_code)]
        pub fn try_is_allowed<A: ?Sized + ::polar_runtime::Polar, R: ?Sized + ::polar_runtime::Polar>(
            actor: &A, action: &str, resource: &R,
        ) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
            let cx = ::polar_runtime::support::Cx::new();
            #allow
        }

        /// Enforces a check the way Oso's `authorize` does: `Ok(())` when allowed; otherwise
        /// `NotFound` when the action is `"read"` or the actor may not even read the resource
        /// (so that its existence is not revealed), else `Forbidden`. A run-time error is
        /// `Runtime`.
        #[allow(dead_code)]
        pub fn authorize<A: ?Sized + ::polar_runtime::Polar, R: ?Sized + ::polar_runtime::Polar>(
            actor: &A, action: &str, resource: &R,
        ) -> ::core::result::Result<(), ::polar_runtime::AuthorizationError> {
            if try_is_allowed(actor, action, resource)? {
                return ::core::result::Result::Ok(());
            }
            if action == "read" || !try_is_allowed(actor, "read", resource)? {
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

        #(#functions)*
    })
}

fn rule_fn_ident(name: &str, arity: usize) -> Ident {
    let mut mangled = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            mangled.push(c);
        } else {
            mangled.push_str(&format!("_x{:x}_", c as u32));
        }
    }
    format_ident!("__polar_rule_{}_{}", mangled, arity)
}

fn is_rust_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && syn_like_keyword(name).is_none()
}

/// Rust keywords cannot name a public rule function.
fn syn_like_keyword(name: &str) -> Option<&str> {
    const KEYWORDS: [&str; 38] = [
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if",
        "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
        "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
        "await", "dyn",
    ];
    KEYWORDS.contains(&name).then_some(name)
}

/// A Rust path for a class name (`Org`, `github::User`).
fn class_path(name: &str) -> Option<TokenStream> {
    let segments: Vec<&str> = name.split("::").collect();
    if segments.iter().all(|s| is_rust_ident(s)) {
        let idents = segments.iter().map(|s| Ident::new(s, RustSpan::call_site()));
        Some(quote! { #(#idents)::* })
    } else {
        None
    }
}

/// A compiled value: an expression of type `&T` for some `T: Polar`.
#[derive(Clone)]
struct Val {
    expr: TokenStream,
    /// The compiler knows nothing of `T` but `T: Polar` (a parameter without a specializer).
    generic: bool,
    /// The literal, when the value is one (lets literal parameters be checked statically).
    literal: Option<Literal>,
}

#[derive(Clone, PartialEq)]
enum Literal {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// Variables in scope: the Polar name (qualified by its scope) to its value.
type Env = HashMap<String, Val>;

/// What follows a goal: generates the code that runs when the goal has a solution.
type Cont<'k, 'p> = &'k mut dyn FnMut(&mut Gen<'p>, &Env) -> TokenStream;

struct Gen<'p> {
    program: &'p Program,
    graph: &'p RuleGraph,
    rules: BTreeMap<(String, usize), Vec<&'p LoweredRule>>,
    errors: Vec<Diagnostic>,
    fresh: usize,
    inline_depth: usize,
}

impl<'p> Gen<'p> {
    fn new(program: &'p Program, graph: &'p RuleGraph) -> Self {
        let mut rules: BTreeMap<(String, usize), Vec<&LoweredRule>> = BTreeMap::new();
        for rule in &program.rules {
            rules.entry((rule.name.name.clone(), rule.params.len())).or_default().push(rule);
        }
        Gen { program, graph, rules, errors: Vec::new(), fresh: 0, inline_depth: 0 }
    }

    fn fresh(&mut self, hint: &str) -> Ident {
        self.fresh += 1;
        let clean: String =
            hint.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(20).collect();
        format_ident!("v{}_{}", self.fresh, clean)
    }

    fn refuse(&mut self, span: Span, what: impl Into<String>) -> TokenStream {
        self.errors.push(
            Diagnostic::error(codes::UNSUPPORTED, span, format!("not supported by the compiler yet: {}", what.into()))
                .with_note("the policy is refused rather than compiled to something that could answer differently from Oso"),
        );
        quote! {}
    }

    fn public_rules(&self, keys: &[(String, usize)]) -> Vec<TokenStream> {
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
                let inner = rule_fn_ident(name, *arity);
                let types: Vec<Ident> = (0..*arity).map(|i| format_ident!("P{}", i)).collect();
                let args: Vec<Ident> = (0..*arity).map(|i| format_ident!("p{}", i)).collect();
                let doc = format!("Whether `{name}` holds for these {arity} argument(s).");
                quote! {
                    #[doc = #doc]
                    pub fn #public<#(#types: ?Sized + ::polar_runtime::Polar),*>(#(#args: &#types),*)
                        -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                        #inner(&::polar_runtime::support::Cx::new(), #(#args),*)
                    }
                }
            })
            .collect()
    }

    /// The function for every clause of `name/arity`.
    fn rule_function(&mut self, (name, arity): &(String, usize)) -> TokenStream {
        let f = rule_fn_ident(name, *arity);
        let types: Vec<Ident> = (0..*arity).map(|i| format_ident!("P{}", i)).collect();
        let params: Vec<Ident> = (0..*arity).map(|i| format_ident!("p{}", i)).collect();
        let args: Vec<Option<Val>> =
            params.iter().map(|p| Some(Val { expr: quote! { #p }, generic: true, literal: None })).collect();
        let clauses: Vec<&LoweredRule> = self.rules[&(name.clone(), *arity)].clone();
        let mut bodies = Vec::new();
        for clause in clauses {
            let mut succeed =
                |_: &mut Gen<'p>, _: &[Option<Val>]| quote! { return ::core::result::Result::Ok(true); };
            bodies.push(self.clause(clause, &args, &mut succeed));
        }
        quote! {
            #[allow(unused_variables, unused_labels, unreachable_code, non_snake_case, clippy::all)]
            fn #f<#(#types: ?Sized + ::polar_runtime::Polar),*>(
                cx: &::polar_runtime::support::Cx, #(#params: &#types),*
            ) -> ::core::result::Result<bool, ::polar_runtime::RuntimeError> {
                let _depth = cx.enter()?;
                #(#bodies)*
                ::core::result::Result::Ok(false)
            }
        }
    }

    /// One clause: parameter checks, then the body, then `k`. `args[i]` is the caller's value
    /// for parameter `i`, or `None` when the caller passes an unbound variable: the clause
    /// binds it, and `k` receives the values of those outputs (by parameter index).
    fn clause(
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
    fn output_value(
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
    fn bind_param(
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
    fn specialize(
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

    /// `if a = b` for two bound values.
    fn unify_test(&mut self, a: &Val, b: &Val) -> TokenStream {
        let (x, y) = (&a.expr, &b.expr);
        if a.generic || b.generic {
            quote! { ::polar_runtime::support::unify_views(::polar_runtime::Polar::view(#x), ::polar_runtime::Polar::view(#y))? }
        } else {
            quote! { ::polar_runtime::unify(#x, #y) }
        }
    }

    /// Runs the goals in order, then `k`.
    fn conj(&mut self, goals: &[Term], scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
        match goals.split_first() {
            None => k(self, env),
            Some((first, rest)) => {
                let scope_owned = scope.to_owned();
                let mut next = |g: &mut Gen<'p>, env: &Env| g.conj(rest, &scope_owned, env, k);
                self.goal(first, scope, env, &mut next)
            }
        }
    }

    fn goal(&mut self, term: &Term, scope: &str, env: &Env, k: Cont<'_, 'p>) -> TokenStream {
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

    fn call(
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
            let exprs = vals.iter().flatten().map(|v| &v.expr);
            let rest = k(self, env);
            return quote! { if #f(cx, #(#exprs),*)? { #rest } };
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

    fn unify(
        &mut self,
        term: &Term,
        left: &Term,
        right: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
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

    fn member(
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

    fn matches(
        &mut self,
        term: &Term,
        value: &Term,
        pattern: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        let Some(val) = self.value(value, scope, env) else { return quote! {} };
        let label = syn_label(&format!("matches{}", self.fresh + 1));
        self.fresh += 1;
        match &pattern.kind {
            TermKind::Instance { fields, .. } if fields.is_empty() => {
                let mut code = TokenStream::new();
                let Some(typed) = self.specialize(pattern, &val, &label, &mut code) else { return quote! {} };
                let mut env = env.clone();
                if let Some(v) = value.as_variable() {
                    env.insert(format!("{scope}/{v}"), typed);
                }
                let rest = k(self, &env);
                quote! { #label: { #code #rest } }
            }
            TermKind::DictPattern(fields) => {
                if val.generic {
                    return self
                        .refuse(term.span, "a dictionary pattern on a parameter without a specializer");
                }
                let code = self.field_patterns(fields, &val, scope, env, k);
                quote! { #label: { #code } }
            }
            _ => self.refuse(pattern.span, "this kind of pattern after `matches`"),
        }
    }

    /// `{k: p, ...}` against an instance: each field's value unifies with its pattern (an
    /// unbound variable is bound).
    fn field_patterns(
        &mut self,
        fields: &[Field],
        val: &Val,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> TokenStream {
        match fields.split_first() {
            None => k(self, env),
            Some((field, rest)) => {
                let hash = crate::codegen::field_hash(&field.key.name);
                let receiver = &val.expr;
                let field_val = Val {
                    expr: quote! { ::polar_runtime::Bare::bare(<_ as ::polar_runtime::Field<#hash>>::get(#receiver)) },
                    generic: false,
                    literal: None,
                };
                let bound_var = field
                    .value
                    .as_variable()
                    .filter(|v| *v != "_" && !env.contains_key(&format!("{scope}/{v}")));
                if let Some(v) = bound_var {
                    let ident = self.fresh(v);
                    let expr = &field_val.expr;
                    let mut env = env.clone();
                    env.insert(format!("{scope}/{v}"), Val { expr: quote! { #ident }, ..field_val.clone() });
                    let val = val.clone();
                    let rest = self.field_patterns(rest, &val, scope, &env, k);
                    return quote! { { let #ident = #expr; #rest } };
                }
                if field.value.as_variable() == Some("_") {
                    return self.field_patterns(rest, val, scope, env, k);
                }
                let Some(pattern_val) = self.value(&field.value, scope, env) else { return quote! {} };
                let test = self.unify_test(&field_val, &pattern_val);
                let val = val.clone();
                let rest = self.field_patterns(rest, &val, scope, env, k);
                quote! { if #test { #rest } }
            }
        }
    }

    /// A term in value position.
    fn value(&mut self, term: &Term, scope: &str, env: &Env) -> Option<Val> {
        let lit = |expr: TokenStream, l: Literal| Some(Val { expr, generic: false, literal: Some(l) });
        match &term.kind {
            TermKind::String(s) => lit(quote! { #s }, Literal::Str(s.clone())),
            TermKind::Integer(i) => lit(quote! { &#i }, Literal::Int(*i)),
            TermKind::Float(f) if f.is_finite() => lit(quote! { &#f }, Literal::Float(*f)),
            TermKind::Boolean(b) => lit(quote! { &#b }, Literal::Bool(*b)),
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
                    self.refuse(
                        term.span,
                        "a field lookup on a parameter without a class specializer (add one, e.g. `x: User`)",
                    );
                    return None;
                }
                let hash = field_hash(&name.name);
                let r = &recv.expr;
                Some(Val {
                    expr: quote! { ::polar_runtime::Bare::bare(<_ as ::polar_runtime::Field<#hash>>::get(#r)) },
                    generic: false,
                    literal: None,
                })
            }
            _ => {
                self.refuse(term.span, describe(term));
                None
            }
        }
    }
}

/// Whether `term` is a variable nothing has bound yet (`_` never is bound).
fn is_unbound(term: &Term, scope: &str, env: &Env) -> bool {
    term.as_variable().is_some_and(|v| v == "_" || !env.contains_key(&format!("{scope}/{v}")))
}

/// The same FNV-1a hash as `polar_runtime::field_hash`, as a `u64` literal.
fn field_hash(name: &str) -> proc_macro2::Literal {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    proc_macro2::Literal::u64_suffixed(hash)
}

fn syn_label(name: &str) -> TokenStream {
    let lifetime = proc_macro2::Punct::new('\'', proc_macro2::Spacing::Joint);
    let ident = Ident::new(name, RustSpan::call_site());
    quote! { #lifetime #ident }
}

fn literal(term: &Term) -> Option<Literal> {
    match &term.kind {
        TermKind::String(s) => Some(Literal::Str(s.clone())),
        TermKind::Integer(i) => Some(Literal::Int(*i)),
        TermKind::Float(f) => Some(Literal::Float(*f)),
        TermKind::Boolean(b) => Some(Literal::Bool(*b)),
        _ => None,
    }
}

/// `a = b` for two literals, as Oso decides it (`1 = 1.0` holds).
fn literals_unify(a: &Literal, b: &Literal) -> bool {
    match (a, b) {
        (Literal::Str(x), Literal::Str(y)) => x == y,
        (Literal::Bool(x), Literal::Bool(y)) => x == y,
        (Literal::Int(x), Literal::Int(y)) => x == y,
        (Literal::Float(x), Literal::Float(y)) => x == y,
        (Literal::Int(i), Literal::Float(f)) | (Literal::Float(f), Literal::Int(i)) => {
            *f == *i as f64 && f.fract() == 0.0 && (*f as i128) == i128::from(*i)
        }
        _ => false,
    }
}

fn describe(term: &Term) -> String {
    match &term.kind {
        TermKind::Binary { op, .. } => format!("the operator `{}` here", op.symbol()),
        TermKind::ForAll { .. } => "`forall`".into(),
        TermKind::Cut => "`cut`".into(),
        TermKind::Print(_) => "`print`".into(),
        TermKind::Debug(_) => "`debug`".into(),
        TermKind::New(_) => "`new`".into(),
        TermKind::Dot { member: Member::Method(_), .. } => "method calls".into(),
        TermKind::Dot { member: Member::DynamicKey(_), .. } => "lookups with a variable key `x.(k)`".into(),
        TermKind::List { .. } => "list literals".into(),
        TermKind::Dict(_) => "dictionary literals".into(),
        TermKind::Rewritten { .. } => "Oso's internal operator-call syntax".into(),
        TermKind::Float(_) => "`inf` and `nan` literals".into(),
        _ => "this expression".into(),
    }
}

#[cfg(test)]
mod tests;
