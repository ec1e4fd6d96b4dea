//! Patterns: specializers (`x: User{admin: true}`), the right of `matches`, and list patterns
//! in parameters and unifications (`f([first, *rest])`, `[a, *b] = u.tags`).
//!
//! A pattern never enumerates (Oso's `isa` and `unify` on patterns create no choice point), so
//! it compiles to straight-line code: checks that `break` out of a label when they fail and
//! `let` bindings for the variables it binds. The checks run in Oso's order (`vm.rs::isa`,
//! `unify_lists`): the class before the fields, the fields in reverse key order (Oso pushes
//! them on a goal stack in key order), list elements in order before the `*rest`. The order
//! is visible only through run-time errors, but it costs nothing to keep.
//!
//! What Oso does on values a pattern does not fit, and what the compiler does:
//!
//! | pattern and value | Oso 0.27.3 | compiled |
//! |---|---|---|
//! | `User{f: ..}` on a `User` without field `f` | fails (the host's "attribute not found" is dropped at the next host call) | compile error (no `Field` impl) |
//! | `{k: ..}` on a map without key `k` | fails | fails |
//! | `{k: ..}` on an instance known only through `Polar` (no specializer) | looks the field up by name | the same (`polar_runtime::Polar::field`, which the derive implements); a field that is no Polar value is an error |
//! | `{k: ..}` on a number, string, list or `Option` | fails | fails |
//! | `Integer{f: ..}` and the other built-in classes but `Dictionary`, with fields | never matches (built-in values have no attributes) | refused |
//! | `Actor{f: ..}` (a union with fields) | fields ignored | refused |
//! | `[a, *rest]` on an instance or `Option` | error (the host cannot convert `*rest`) | error, or a compile error for a typed value |
//! | `[a, b]` on anything that is no list | fails | fails, or a compile error for a typed value |

use proc_macro2::TokenStream;
use quote::quote;

use super::*;
use crate::ast::{Field, Term, TermKind};
use crate::lower::is_union;

/// Built-in classes (with `Option`) whose values have no attributes in Oso's Rust host: a
/// pattern with fields never matches them.
const SCALAR_CLASSES: [&str; 5] = ["String", "Integer", "Float", "Boolean", "List"];

impl<'p> Gen<'p> {
    /// Emits into `code` the checks that `value` matches `pattern`, breaking out of `label`
    /// when it does not, and binds the pattern's variables in `env`. Returns the value as the
    /// pattern types it (`x: User` gives a `&User`), or `None` when the pattern is refused.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pattern(
        &mut self,
        value: &Val,
        pattern: &Term,
        scope: &str,
        env: &mut Env,
        label: &TokenStream,
        code: &mut TokenStream,
    ) -> Option<Val> {
        let e = &value.expr;
        match &pattern.kind {
            TermKind::Variable(v) if v == "_" => Some(value.clone()),
            TermKind::Variable(v) => {
                let key = format!("{scope}/{v}");
                match env.get(&key).cloned() {
                    Some(existing) => {
                        let test = self.unify_test(pattern.span, &existing, value);
                        code.extend(quote! { if !(#test) { break #label; } });
                    }
                    None => {
                        let ident = self.fresh(v);
                        code.extend(quote! { let #ident = #e; });
                        if let Some(class) = self.classes.get(&e.to_string()).cloned() {
                            self.classes.insert(ident.to_string(), class);
                        }
                        env.insert(key, Val { expr: quote! { #ident }, ..value.clone() });
                    }
                }
                Some(value.clone())
            }
            TermKind::String(_) | TermKind::Integer(_) | TermKind::Boolean(_) | TermKind::Float(_) => {
                self.literal_pattern(value, pattern, label, code);
                Some(value.clone())
            }
            TermKind::Instance { tag, fields, .. } => {
                self.instance_pattern(value, &tag.name, fields, pattern, scope, env, label, code)
            }
            TermKind::DictPattern(fields) => {
                self.dict_pattern(value, fields, false, scope, env, label, code)?;
                Some(value.clone())
            }
            TermKind::List { elements, rest } => {
                self.list_pattern(value, elements, rest.as_ref(), scope, env, label, code)?;
                Some(value.clone())
            }
            TermKind::Dict(_) => {
                self.refuse(pattern.span, "a dictionary as a parameter or in a list pattern");
                None
            }
            // A value inside a pattern (`{org_id: org.id}`): the value must unify with it.
            _ => {
                let other = self.value(pattern, scope, env)?;
                let test = self.unify_test(pattern.span, value, &other);
                code.extend(quote! { if !(#test) { break #label; } });
                Some(value.clone())
            }
        }
    }

    /// `value = literal`, through the value's view, for typed values too (it folds for them):
    /// a value of another kind simply does not match, as in Oso (a clause with `"a"` for a
    /// parameter does not apply to an integer, a `Doc{public: "yes"}` never matches).
    pub(super) fn literal_pattern(
        &mut self,
        value: &Val,
        pattern: &Term,
        label: &TokenStream,
        code: &mut TokenStream,
    ) {
        let e = &value.expr;
        let lit = literal(pattern).expect("a literal");
        if let Literal::Float(f) = lit
            && !f.is_finite()
        {
            self.refuse(pattern.span, "`inf` and `nan` literals");
            return;
        }
        match &value.literal {
            Some(known) if literals_unify(known, &lit) => {}
            Some(_) => code.extend(quote! { break #label; }),
            None => {
                let test = match lit {
                    Literal::Str(s) => quote! { ::polar_runtime::support::is_str(#e, #s) },
                    Literal::Int(i) => quote! { ::polar_runtime::support::is_int(#e, #i) },
                    Literal::Bool(b) => quote! { ::polar_runtime::support::is_bool(#e, #b) },
                    Literal::Float(f) => quote! { ::polar_runtime::support::is_float(#e, #f) },
                };
                code.extend(quote! { if !(#test) { break #label; } });
            }
        }
    }

    /// `Tag{fields}` (also a bare `Tag`): the class, then the fields as a dictionary pattern.
    #[allow(clippy::too_many_arguments)]
    fn instance_pattern(
        &mut self,
        value: &Val,
        name: &str,
        fields: &[Field],
        pattern: &Term,
        scope: &str,
        env: &mut Env,
        label: &TokenStream,
        code: &mut TokenStream,
    ) -> Option<Val> {
        let e = &value.expr;
        if is_union(name) {
            if !fields.is_empty() {
                self.refuse(pattern.span, format!("fields on the union `{name}` (Oso ignores them)"));
                return None;
            }
            let members = self.unions.members(name).unwrap_or_default();
            code.extend(quote! {
                if !::polar_runtime::support::is_one_of(#e, &[#(#members),*]) { break #label; }
            });
            return Some(value.clone());
        }
        if SCALAR_CLASSES.contains(&name) || name == "Option" {
            if !fields.is_empty() {
                self.refuse(
                    pattern.span,
                    format!("fields on the built-in class `{name}` (built-in values have no attributes: Oso never matches it)"),
                );
                return None;
            }
            return Some(self.builtin_class(value, name, label, code));
        }
        let typed = if name == "Dictionary" {
            code.extend(quote! { if !::polar_runtime::support::is_dict(#e) { break #label; } });
            value.clone()
        } else {
            let Some(path) = class_path(name) else {
                self.refuse(pattern.span, format!("the class name `{name}`, which is not a Rust path"));
                return None;
            };
            let ident = self.fresh(name);
            let isa = self.class_isa(name, &path, e);
            code.extend(quote! {
                let ::core::option::Option::Some(#ident) = #isa else { break #label; };
            });
            self.classes.insert(ident.to_string(), name.to_owned());
            Val { expr: quote! { #ident }, generic: false, literal: None }
        };
        if !fields.is_empty() {
            self.dict_pattern(&typed, fields, name == "Dictionary", scope, env, label, code)?;
        }
        Some(typed)
    }

    /// `x: String`, `x: Integer`, ...: the check, and for a value known only through `Polar`
    /// the value converted to a Rust type that the rest of the clause can compare.
    fn builtin_class(&mut self, value: &Val, name: &str, label: &TokenStream, code: &mut TokenStream) -> Val {
        let e = &value.expr;
        let convert = |g: &mut Gen<'p>, code: &mut TokenStream, f: TokenStream, by_ref: bool| {
            let ident = g.fresh(name);
            code.extend(quote! {
                let ::core::option::Option::Some(#ident) = ::polar_runtime::support::#f(#e) else { break #label; };
            });
            let expr = if by_ref {
                quote! { &#ident }
            } else {
                quote! { #ident }
            };
            Val { expr, generic: false, literal: value.literal.clone() }
        };
        match name {
            "String" => convert(self, code, quote! { as_str }, false),
            "Integer" | "Float" | "Boolean" if value.generic => {
                let f = match name {
                    "Integer" => quote! { as_integer },
                    "Float" => quote! { as_float },
                    _ => quote! { as_bool },
                };
                convert(self, code, f, true)
            }
            _ => {
                let test = match name {
                    "Integer" => quote! { ::polar_runtime::support::as_integer(#e).is_some() },
                    "Float" => quote! { ::polar_runtime::support::as_float(#e).is_some() },
                    "Boolean" => quote! { ::polar_runtime::support::as_bool(#e).is_some() },
                    "List" => quote! { ::polar_runtime::support::is_list(#e) },
                    _ => quote! { ::polar_runtime::support::is_option(#e) },
                };
                code.extend(quote! { if !(#test) { break #label; } });
                value.clone()
            }
        }
    }

    /// `{k: pattern, ...}`: each field of an instance (`Field`) or each key of a map, which must
    /// all exist (Oso checks that the keys are a subset first), then each value against its
    /// pattern.
    #[allow(clippy::too_many_arguments)]
    fn dict_pattern(
        &mut self,
        value: &Val,
        fields: &[Field],
        known_dict: bool,
        scope: &str,
        env: &mut Env,
        label: &TokenStream,
        code: &mut TokenStream,
    ) -> Option<()> {
        let e = &value.expr;
        let mut sorted: Vec<&Field> = fields.iter().collect();
        sorted.sort_by(|a, b| b.key.name.cmp(&a.key.name));
        let mut values = Vec::new();
        if value.generic && !known_dict {
            // A dictionary's keys are checked first; an instance's fields are looked up one
            // by one, each then matched, as Oso does.
            let keys = sorted.iter().map(|f| f.key.name.as_str());
            code.extend(quote! {
                if !::polar_runtime::support::has_keys(#e, &[#(#keys),*]) { break #label; }
            });
            for field in &sorted {
                let key = &field.key.name;
                let ident = self.fresh(key);
                self.calls.raise_here();
                code.extend(quote! {
                    let ::core::option::Option::Some(#ident) = ::polar_runtime::support::dyn_field(#e, #key)? else { break #label; };
                });
                let v = Val { expr: quote! { &#ident }, generic: true, literal: None };
                self.pattern(&v, &field.value, scope, env, label, code)?;
            }
            return Some(());
        }
        if value.generic {
            let dict = self.fresh("dict");
            code.extend(quote! {
                let ::polar_runtime::View::Dict(#dict) = ::polar_runtime::Polar::view(#e) else { break #label; };
            });
            for field in &sorted {
                let key = &field.key.name;
                let ident = self.fresh(key);
                code.extend(quote! {
                    let ::core::option::Option::Some(#ident) = ::polar_runtime::DictView::get(#dict, #key) else { break #label; };
                });
                values.push(Val { expr: quote! { &#ident }, generic: true, literal: None });
            }
        } else {
            for field in &sorted {
                let key = &field.key.name;
                let lookup = self.field_lookup(field.key.span, key, e);
                let ident = self.fresh(key);
                code.extend(quote! {
                    let ::core::option::Option::Some(#ident) = #lookup else { break #label; };
                });
                values.push(Val {
                    expr: quote! { ::polar_runtime::Bare::bare(#ident) },
                    generic: false,
                    literal: None,
                });
            }
        }
        for (field, v) in sorted.iter().zip(&values) {
            self.pattern(v, &field.value, scope, env, label, code)?;
        }
        Some(())
    }

    /// `[e0, e1, *rest]`: the length, then each element in order, then the rest, which
    /// borrows the elements after the first ones (no allocation).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn list_pattern(
        &mut self,
        value: &Val,
        elements: &[Term],
        rest: Option<&crate::ast::Ident>,
        scope: &str,
        env: &mut Env,
        label: &TokenStream,
        code: &mut TokenStream,
    ) -> Option<()> {
        let e = &value.expr;
        let n = elements.len();
        let idents: Vec<Ident> = (0..n).map(|i| self.fresh(&format!("elem{i}"))).collect();
        let (element_vals, rest_val) = if value.generic {
            let list = self.fresh("list");
            let unbound_rest =
                rest.is_some_and(|r| r.name == "_" || !env.contains_key(&format!("{scope}/{}", r.name)));
            let get_list = if unbound_rest {
                self.calls.raise_here();
                quote! { ::polar_runtime::support::list_for_pattern(#e, true)? }
            } else {
                quote! { ::polar_runtime::support::as_list(#e) }
            };
            let len_ok = if rest.is_some() {
                quote! { ::polar_runtime::ListView::len(#list) >= #n }
            } else {
                quote! { ::polar_runtime::ListView::len(#list) == #n }
            };
            code.extend(quote! {
                let ::core::option::Option::Some(#list) = #get_list else { break #label; };
                if !(#len_ok) { break #label; }
            });
            for (i, ident) in idents.iter().enumerate() {
                code.extend(quote! {
                    let ::core::option::Option::Some(#ident) = ::polar_runtime::ListView::get(#list, #i) else { break #label; };
                });
            }
            let elements = idents.iter().map(|i| Val { expr: quote! { &#i }, generic: true, literal: None });
            let rest_val = rest.map(|_| {
                let r = self.fresh("rest");
                code.extend(quote! { let #r = ::polar_runtime::support::ViewRest::new(#list, #n); });
                Val { expr: quote! { &#r }, generic: true, literal: None }
            });
            (elements.collect::<Vec<_>>(), rest_val)
        } else {
            let items = self.fresh("items");
            let len_ok = if rest.is_some() {
                quote! { ::polar_runtime::support::Sequence::len(#e) >= #n }
            } else {
                quote! { ::polar_runtime::support::Sequence::len(#e) == #n }
            };
            code.extend(quote! {
                if !(#len_ok) { break #label; }
                let mut #items = ::polar_runtime::support::Sequence::items(#e);
            });
            for ident in &idents {
                code.extend(quote! {
                    let ::core::option::Option::Some(#ident) = ::core::iter::Iterator::next(&mut #items) else { break #label; };
                });
            }
            let elements = idents.iter().map(|i| Val {
                expr: quote! { ::polar_runtime::Bare::bare(#i) },
                generic: false,
                literal: None,
            });
            let rest_val = rest.map(|_| {
                let r = self.fresh("rest");
                code.extend(quote! { let #r = ::polar_runtime::support::Rest::new(#e, #n); });
                Val { expr: quote! { &#r }, generic: false, literal: None }
            });
            (elements.collect::<Vec<_>>(), rest_val)
        };
        for (element, v) in elements.iter().zip(&element_vals) {
            self.pattern(v, element, scope, env, label, code)?;
        }
        if let (Some(rest), Some(v)) = (rest, rest_val) {
            let var = Term::new(TermKind::Variable(rest.name.clone()), rest.span);
            self.pattern(&v, &var, scope, env, label, code)?;
        }
        Some(())
    }

    /// `[a, *b] = value` (either side): destructures `value` when one side is a list pattern
    /// that binds variables or has a `*rest`; `None` when neither side is one, so that the
    /// caller unifies two values.
    pub(super) fn unify_list_pattern(
        &mut self,
        term: &Term,
        left: &Term,
        right: &Term,
        scope: &str,
        env: &Env,
        k: Cont<'_, 'p>,
    ) -> Option<TokenStream> {
        let binds = |t: &Term| binds_in_list(t, scope, env);
        let (list, other) = match (binds(left), binds(right)) {
            (false, false) => return None,
            (true, true) => return Some(self.refuse(term.span, "unifying two list patterns")),
            (true, false) => (left, right),
            (false, true) => (right, left),
        };
        if is_unbound(other, scope, env) {
            return Some(self.refuse(term.span, "binding a variable to a list pattern with unbound parts"));
        }
        let TermKind::List { elements, rest } = &list.kind else { unreachable!("binds_in_list") };
        let Some(value) = self.value(other, scope, env) else { return Some(quote! {}) };
        self.fresh += 1;
        let label = syn_label(&format!("list{}", self.fresh));
        let mut code = TokenStream::new();
        let mut env = env.clone();
        if self.list_pattern(&value, elements, rest.as_ref(), scope, &mut env, &label, &mut code).is_none() {
            return Some(quote! {});
        }
        let after = k(self, &env);
        Some(quote! { #label: { #code #after } })
    }
}

/// Whether `t` is a list with a `*rest` or with a variable that nothing has bound yet, at any
/// depth of nested lists: a pattern rather than a value.
fn binds_in_list(t: &Term, scope: &str, env: &Env) -> bool {
    match &t.kind {
        TermKind::List { elements, rest } => {
            rest.is_some()
                || elements.iter().any(|e| is_unbound(e, scope, env) || binds_in_list(e, scope, env))
        }
        _ => false,
    }
}
