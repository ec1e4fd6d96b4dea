//! Build errors that name the policy location.
//!
//! The compiler never sees the Rust types, so rustc finds type errors in the generated code;
//! left alone it would report them on the `polar!` call with the names of runtime traits. Each
//! operation that can fail to type-check therefore goes through a trait of its own *site*
//! (`__PolarSite7`), blanket-implemented over the runtime trait and carrying
//! `#[diagnostic::on_unimplemented]` with the policy's `path:line:column`:
//!
//! ```text
//! error[E0277]: app.polar:12:27: `User` has no field `rolez` that the policy reads
//! ```
//!
//! Sites cost nothing at run time (one `#[inline(always)]` forwarding call). The same site
//! generated twice (clauses copied into several arms or specializations) shares one trait.
//!
//! Two more checks are whole-policy: every class the policy names must be a Polar class (a type
//! that exists but lacks `#[derive(PolarClass)]` gets a located error; a name that resolves to
//! nothing is rustc's own "cannot find type" error, see `class_checks`), and `is_allowed` and
//! friends only accept the (actor, resource) type pairs some `allow` clause can accept
//! ([`allowed_pairs`]), so asking about any other pair is a build error rather than `false`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::*;
use crate::ast::{BinOp, Term, TermKind};
use crate::lower::is_union;

/// The traits generated for sites, deduplicated by (kind, span).
#[derive(Default)]
pub(super) struct Sites {
    idents: HashMap<(&'static str, Span), Ident>,
    items: Vec<TokenStream>,
    /// The classes the policy names, with their first use, in source order (computed once).
    classes: Option<Vec<(String, Span)>>,
}

impl<'p> Gen<'p> {
    /// `path:line:column` of a span (or a placeholder when no source map was given).
    pub(super) fn location(&self, span: Span) -> String {
        match self.sources {
            Some(sources) => sources.location(span),
            None => format!("byte {}", span.start),
        }
    }

    /// The trait of a site, created by `make` the first time.
    fn site(&mut self, kind: &'static str, span: Span, make: impl FnOnce(&Ident) -> TokenStream) -> Ident {
        if let Some(ident) = self.sites.idents.get(&(kind, span)) {
            return ident.clone();
        }
        let ident = format_ident!("__PolarSite{}", self.sites.items.len());
        self.sites.items.push(make(&ident));
        self.sites.idents.insert((kind, span), ident.clone());
        ident
    }

    /// The site traits, to emit once with the rule functions.
    pub(super) fn site_items(&self) -> &[TokenStream] {
        &self.sites.items
    }

    /// `receiver.name` at `span`: an expression of type `&Value` where the receiver's type
    /// implements `Field<hash(name)>`.
    pub(super) fn field_get(&mut self, span: Span, name: &str, receiver: &TokenStream) -> TokenStream {
        let message =
            format!("{}: `{{Self}}` has no field `{name}` that the policy reads", self.location(span));
        let hash = field_hash(name);
        let site = self.site("field", span, |site| {
            quote! {
                #[diagnostic::on_unimplemented(
                    message = #message,
                    label = "no Polar field of this name",
                    note = "fields are those of `#[derive(PolarClass)]` (not `#[polar(skip)]`); the policy's class names are the Rust types in scope"
                )]
                #[doc(hidden)]
                trait #site { type Value: ?Sized; fn get(&self) -> &Self::Value; }
                impl<T: ?Sized + ::polar_runtime::Field<#hash>> #site for T {
                    type Value = <T as ::polar_runtime::Field<#hash>>::Value;
                    #[inline(always)]
                    fn get(&self) -> &Self::Value { <T as ::polar_runtime::Field<#hash>>::get(self) }
                }
            }
        });
        quote! { ::polar_runtime::Bare::bare(<_ as #site>::get(#receiver)) }
    }

    /// `receiver.name` at `span` as a lookup that may fail (a dictionary without the key): an
    /// expression of type `Option<&Value>`, through `Lookup<hash(name)>`.
    pub(super) fn field_lookup(&mut self, span: Span, name: &str, receiver: &TokenStream) -> TokenStream {
        let message = format!(
            "{}: `{{Self}}` has no field `{name}` that the policy reads, and is not a dictionary",
            self.location(span)
        );
        let hash = field_hash(name);
        let site = self.site("lookup", span, |site| {
            quote! {
                #[diagnostic::on_unimplemented(
                    message = #message,
                    label = "no Polar field of this name",
                    note = "fields are those of `#[derive(PolarClass)]` (not `#[polar(skip)]`); dictionaries are maps with string keys"
                )]
                #[doc(hidden)]
                trait #site { type Value: ?Sized; fn lookup(&self, name: &str) -> ::core::option::Option<&Self::Value>; }
                impl<T: ?Sized + ::polar_runtime::Lookup<#hash>> #site for T {
                    type Value = <T as ::polar_runtime::Lookup<#hash>>::Value;
                    #[inline(always)]
                    fn lookup(&self, name: &str) -> ::core::option::Option<&Self::Value> {
                        <T as ::polar_runtime::Lookup<#hash>>::lookup(self, name)
                    }
                }
            }
        });
        quote! { <_ as #site>::lookup(#receiver, #name) }
    }

    /// `x = y` (`BinOp::Unify`), `x == y` (`Eq`) or an ordering at `span`, between two values
    /// of static types: a `bool` expression.
    pub(super) fn comparison(
        &mut self,
        span: Span,
        op: BinOp,
        x: &TokenStream,
        y: &TokenStream,
    ) -> TokenStream {
        let (kind, symbol, runtime_trait, call) = match op {
            BinOp::Unify => {
                ("unify", "=", quote! { Unify }, quote! { ::polar_runtime::Unify::unify(self, rhs) })
            }
            BinOp::Eq => {
                ("equal", "==", quote! { Equal }, quote! { ::polar_runtime::Equal::equal(self, rhs) })
            }
            _ => {
                let cmp = match op {
                    BinOp::Neq => quote! { Ne },
                    BinOp::Lt => quote! { Lt },
                    BinOp::Leq => quote! { Le },
                    BinOp::Gt => quote! { Gt },
                    _ => quote! { Ge },
                };
                (
                    "compare",
                    op.symbol(),
                    quote! { Compare },
                    quote! { ::polar_runtime::Compare::compare_op(self, ::polar_runtime::CmpOp::#cmp, rhs) },
                )
            }
        };
        let kind: &'static str = match (kind, op) {
            ("compare", BinOp::Neq) => "compare!=",
            ("compare", BinOp::Lt) => "compare<",
            ("compare", BinOp::Leq) => "compare<=",
            ("compare", BinOp::Gt) => "compare>",
            ("compare", _) => "compare>=",
            (k, _) => k,
        };
        let message = format!(
            "{}: the policy compares `{{Self}}` with `{{Rhs}}` using `{symbol}`, which can never succeed in Oso",
            self.location(span)
        );
        let site = self.site(kind, span, |site| {
            quote! {
                #[diagnostic::on_unimplemented(
                    message = #message,
                    label = "no such comparison",
                    note = "numbers compare with numbers (any integer width but u128, and floats), strings with strings, booleans with booleans; instances of one class with `=`/`==` when it implements `PartialEq`"
                )]
                #[doc(hidden)]
                trait #site<Rhs: ?Sized> { fn test(&self, rhs: &Rhs) -> bool; }
                impl<T: ?Sized + ::polar_runtime::#runtime_trait<Rhs>, Rhs: ?Sized> #site<Rhs> for T {
                    #[inline(always)]
                    fn test(&self, rhs: &Rhs) -> bool { #call }
                }
                // A function with both types as parameters, so that rustc takes them from the
                // arguments instead of guessing one from the impls (as `polar_runtime::unify`).
                #[allow(non_snake_case)]
                #[inline(always)]
                fn #site<A: ?Sized + #site<B>, B: ?Sized>(a: &A, b: &B) -> bool { a.test(b) }
            }
        });
        quote! { #site(#x, #y) }
    }

    /// `value` as an instance of the class `name` (`Option<&Class>`), through the class's
    /// trait, so that a type without `#[derive(PolarClass)]` is one error naming the policy.
    pub(super) fn class_isa(&mut self, name: &str, path: &TokenStream, value: &TokenStream) -> TokenStream {
        let site = self.class_trait(name);
        quote! { <#path as #site>::__polar_isa(#value) }
    }

    fn class_trait(&mut self, name: &str) -> Ident {
        if self.sites.classes.is_none() {
            self.sites.classes = Some(self.class_uses());
        }
        let classes = self.sites.classes.as_ref().expect("computed above");
        let index = classes.iter().position(|(c, _)| c == name).unwrap_or(classes.len());
        format_ident!("__PolarClass{}", index)
    }

    /// The trait of each class the policy names (its first use in the message), and a check
    /// that each is a Polar class even if only a resource block names it.
    pub(super) fn class_checks(&mut self) -> TokenStream {
        if self.sites.classes.is_none() {
            self.sites.classes = Some(self.class_uses());
        }
        let classes = self.sites.classes.clone().unwrap_or_default();
        let mut items = Vec::new();
        for (i, (name, span)) in classes.into_iter().enumerate() {
            let Some(path) = class_path(&name) else { continue };
            let message = format!(
                "{}: the policy's class `{name}` is `{{Self}}`, which is not a Polar class",
                self.location(span)
            );
            let site = format_ident!("__PolarClass{}", i);
            items.push(quote! {
                #[diagnostic::on_unimplemented(
                    message = #message,
                    label = "not a Polar class",
                    note = "add `#[derive(polar_runtime::PolarClass)]` to the type"
                )]
                #[doc(hidden)]
                #[allow(non_camel_case_types)]
                trait #site {
                    fn __polar_isa<V: ?Sized + ::polar_runtime::Polar>(value: &V) -> ::core::option::Option<&Self>;
                }
                impl<T: ::polar_runtime::PolarClass> #site for T {
                    #[inline(always)]
                    fn __polar_isa<V: ?Sized + ::polar_runtime::Polar>(value: &V) -> ::core::option::Option<&T> {
                        ::polar_runtime::support::isa::<T, V>(value)
                    }
                }
                const _: () = {
                    const fn check<T: #site>() {}
                    check::<#path>();
                };
            });
        }
        quote! { #(#items)* }
    }

    /// Every class named by a specializer, a `matches` pattern or a resource block, with its
    /// first location (built-in classes and the `Actor`/`Resource` unions excluded).
    fn class_uses(&self) -> Vec<(String, Span)> {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut note = |name: &str, span: Span| {
            if !is_union(name) && !BUILTIN_CLASSES.contains(&name) {
                seen.entry(name.to_owned()).or_insert(span);
            }
        };
        for block in &self.program.blocks {
            if let Some(opening) = block.openings.first() {
                note(&block.name, opening.span);
            }
        }
        for rule in &self.program.rules {
            let mut visit = |term: &Term| {
                if let TermKind::Instance { tag, .. } = &term.kind {
                    note(&tag.name, tag.span);
                }
            };
            for param in &rule.params {
                if let Some(spec) = &param.specializer {
                    spec.walk(&mut visit);
                }
            }
            rule.body.walk(&mut visit);
        }
        let mut uses: Vec<(String, Span)> = seen.into_iter().collect();
        uses.sort_by_key(|(_, span)| (span.file, span.start));
        uses
    }

    /// The trait `is_allowed` and friends bound their actor and resource types with, and its
    /// impls: one per (actor class, resource class) pair some `allow/3` clause can accept, or a
    /// blanket impl when the policy accepts types it cannot name (a parameter the analysis
    /// cannot bound, a built-in class).
    pub(super) fn allowed_pairs_trait(&self) -> TokenStream {
        let pairs = allowed_pairs(&self.unions, &self.rules);
        let doc = "The (actor, resource) types some `allow` rule of the policy accepts: asking \
                   `is_allowed` about any other pair is a build error, since the answer could only be `false`.";
        let Some(pairs) = pairs else {
            return quote! {
                #[doc = #doc]
                pub trait PolarAllowed<R: ?Sized> {}
                impl<A: ?Sized, R: ?Sized> PolarAllowed<R> for A {}
            };
        };
        let accepted: Vec<String> = pairs.iter().map(|(a, r)| format!("{a} on {r}")).collect();
        let first = self.rules[&("allow".to_owned(), 3)][0].span;
        let message = format!(
            "{}: the policy has no `allow` rule for a `{{Self}}` actor and a `{{R}}` resource, so the answer would always be `false`",
            self.location(first)
        );
        let note = format!(
            "the policy's `allow` rules accept: {}",
            if accepted.is_empty() { "nothing".into() } else { accepted.join(", ") }
        );
        let impls = pairs.iter().filter_map(|(a, r)| {
            let (a, r) = (class_path(a)?, class_path(r)?);
            Some(quote! { impl PolarAllowed<#r> for #a {} })
        });
        quote! {
            #[doc = #doc]
            #[diagnostic::on_unimplemented(message = #message, label = "no `allow` rule for this pair", note = #note)]
            pub trait PolarAllowed<R: ?Sized> {}
            #(#impls)*
            /// Never a resource: keeps rustc from inferring the resource type from a lone impl
            /// (which would turn the message above into "expected `&Repo`").
            #[doc(hidden)]
            pub enum __PolarAllowedGuard {}
            impl<A: ?Sized> PolarAllowed<__PolarAllowedGuard> for A {}
        }
    }
}

/// What a parameter of a rule can be, as far as classes go.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Accepts {
    /// Anything, or something the analysis cannot name (strings, numbers, ...).
    Any,
    /// Only instances of these classes.
    Classes(BTreeSet<String>),
}

impl Accepts {
    fn none() -> Self {
        Accepts::Classes(BTreeSet::new())
    }

    /// Adds `other` in place (the sets of a rule's clauses are accumulated without copying
    /// the growing set: a `Resource` parameter may accept every class of the policy).
    fn add(&mut self, other: Accepts) {
        match (&mut *self, other) {
            (Accepts::Classes(a), Accepts::Classes(b)) => a.extend(b),
            _ => *self = Accepts::Any,
        }
    }

    fn intersect(self, other: &Accepts) -> Accepts {
        match (self, other) {
            (Accepts::Any, x) => x.clone(),
            (x, Accepts::Any) => x,
            (Accepts::Classes(a), Accepts::Classes(b)) => {
                Accepts::Classes(a.into_iter().filter(|c| b.contains(c)).collect())
            }
        }
    }
}

/// The (actor class, resource class) pairs `allow/3` can accept, or `None` when it may accept
/// values that are not instances of named classes. An over-approximation: a pair outside the
/// result can never be allowed; a pair inside may or may not be.
///
/// Per rule and parameter, the classes it accepts are, over its clauses, the union of the
/// parameter's specializer intersected with what the calls of the clause's top-level
/// conjunction accept for that variable: the least fixed point, so that recursion only adds
/// what a base case accepts.
pub(super) fn allowed_pairs(
    unions: &Unions,
    rules: &BTreeMap<(String, usize), Vec<&LoweredRule>>,
) -> Option<BTreeSet<(String, String)>> {
    let allow = rules.get(&("allow".to_owned(), 3))?;
    let mut accepts: HashMap<(String, usize, usize), Accepts> = HashMap::new();
    for (name, arity) in rules.keys() {
        for i in 0..*arity {
            accepts.insert((name.clone(), *arity, i), Accepts::none());
        }
    }
    loop {
        let mut changed = false;
        for ((name, arity), clauses) in rules {
            for i in 0..*arity {
                let mut total = Accepts::none();
                for clause in clauses {
                    total.add(clause_accepts(unions, clause, i, &accepts));
                }
                let key = (name.clone(), *arity, i);
                if accepts[&key] != total {
                    accepts.insert(key, total);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut pairs = BTreeSet::new();
    for clause in allow {
        match (clause_accepts(unions, clause, 0, &accepts), clause_accepts(unions, clause, 2, &accepts)) {
            (Accepts::Classes(actors), Accepts::Classes(resources)) => {
                for a in &actors {
                    for r in &resources {
                        pairs.insert((a.clone(), r.clone()));
                    }
                }
            }
            (Accepts::Classes(actors), _) | (_, Accepts::Classes(actors)) if actors.is_empty() => {}
            _ => return None,
        }
    }
    Some(pairs)
}

/// What parameter `i` of one clause accepts.
fn clause_accepts(
    unions: &Unions,
    clause: &LoweredRule,
    i: usize,
    accepts: &HashMap<(String, usize, usize), Accepts>,
) -> Accepts {
    let param = &clause.params[i];
    let mut result = match &param.specializer {
        None => Accepts::Any,
        Some(spec) => match &spec.kind {
            TermKind::Instance { tag, .. } if is_union(&tag.name) => {
                Accepts::Classes(unions.members(&tag.name).unwrap_or_default().iter().cloned().collect())
            }
            TermKind::Instance { tag, .. } if !BUILTIN_CLASSES.contains(&tag.name.as_str()) => {
                Accepts::Classes(BTreeSet::from([tag.name.clone()]))
            }
            _ => Accepts::Any,
        },
    };
    let Some(var) = param.value.as_variable().filter(|v| *v != "_") else { return result };
    for goal in clause.body_terms() {
        if let TermKind::Call(call) = &goal.kind {
            for (k, arg) in call.args.iter().enumerate() {
                if arg.as_variable() == Some(var) {
                    let key = (call.name.name.clone(), call.args.len(), k);
                    // A call to a rule with no clauses has no solution.
                    let none = Accepts::none();
                    result = result.intersect(accepts.get(&key).unwrap_or(&none));
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn pairs(text: &str) -> Option<Vec<String>> {
        let mut sources = SourceMap::new();
        sources.add("app.polar", text);
        let checked = crate::check(&sources, crate::Stop::AfterValidation);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let program = checked.program.unwrap();
        let mut rules: BTreeMap<(String, usize), Vec<&LoweredRule>> = BTreeMap::new();
        for rule in &program.rules {
            rules.entry((rule.name.name.clone(), rule.params.len())).or_default().push(rule);
        }
        allowed_pairs(&Unions::new(&program), &rules)
            .map(|p| p.into_iter().map(|(a, r)| format!("{a}/{r}")).collect())
    }

    #[test]
    fn pairs_follow_specializers_through_calls() {
        let found = pairs(
            r#"actor User {}
               resource Repo { permissions = ["read"]; roles = ["reader"]; "read" if "reader"; }
               has_role(_: User, _: String, _: Repo);
               allow(actor, action, resource) if has_permission(actor, action, resource);
               allow(_: Admin, _, _: Org);"#,
        );
        assert_eq!(found, Some(vec!["Admin/Org".to_owned(), "User/Repo".to_owned()]));
    }

    #[test]
    fn an_unbounded_parameter_accepts_anything() {
        assert_eq!(pairs("allow(_, _, _: Repo);"), None);
        assert_eq!(pairs(r#"allow(u: User, _, r) if f(u, r); f(_: User, _);"#), None);
    }

    #[test]
    fn recursion_only_adds_what_a_base_case_accepts() {
        let found = pairs(
            r#"allow(u, _, r) if member(u, r);
               member(u: User, g: Group) if g.parent matches Group and member(u, g.parent);
               member(u: User, g: Group) if u.group = g.id;"#,
        );
        assert_eq!(found, Some(vec!["User/Group".to_owned()]));
        // A rule that only calls itself accepts nothing: no pair at all.
        assert_eq!(pairs("allow(u, _, r) if loop(u, r); loop(u, r) if loop(u, r);"), Some(vec![]));
    }

    #[test]
    fn located_errors_name_the_policy() {
        let mut sources = SourceMap::new();
        sources.add("app.polar", "allow(u: User, _, r: Repo) if\n  u.name = r.owner and u.age > 3;");
        let code = crate::compile(&sources).unwrap().to_string();
        assert!(code.contains("app.polar:2:3: `{Self}` has no field `name`"), "{code}");
        assert!(code.contains("app.polar:2:3: the policy compares"), "{code}");
        assert!(code.contains("app.polar:2:24: the policy compares"), "{code}");
        assert!(code.contains("app.polar:1:10: the policy's class `User`"), "{code}");
        assert!(code.contains("impl PolarAllowed < Repo > for User"), "{code}");
    }
}
