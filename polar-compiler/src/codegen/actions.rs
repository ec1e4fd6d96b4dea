//! Typed actions: for every resource class, the actions the policy names for it, as an enum
//! (`RepoAction`) and as unit types (`actions::Push`) that `authorize` turns into a proof of the
//! check (`Authorized<'_, Repo, actions::Push>`).
//!
//! The actions of a class are its resource block's permissions, then the literal actions of
//! the `allow` and `has_permission` clauses that can take it as their resource (specialized on
//! it, on a union holding it, or not specialized). An action the policy takes from the data
//! (`action in user.permissions`) has no variant: the string entry points still accept it, and
//! `ActionSet::others` reports it.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{BUILTIN_CLASSES, Gen, class_path, is_rust_ident};
use crate::ast::TermKind;
use crate::lower::LoweredRule;

/// A resource class and the names of its actions, in the policy's order.
pub(super) struct ClassActions {
    pub class: String,
    pub actions: Vec<String>,
}

impl<'p> Gen<'p> {
    /// The resource classes with typed actions, and their actions.
    pub(super) fn typed_action_classes(&self) -> Vec<ClassActions> {
        let resources: Vec<String> = match super::typing::allowed_pairs(&self.unions, &self.rules) {
            Some(pairs) => {
                let mut seen: Vec<String> = Vec::new();
                for (_, r) in pairs {
                    if !seen.contains(&r) {
                        seen.push(r);
                    }
                }
                seen
            }
            None => {
                let mut seen: Vec<String> = self.program.blocks.iter().map(|b| b.name.clone()).collect();
                for clause in self.clauses("allow") {
                    if let Some(TermKind::Instance { tag, .. }) =
                        clause.params[2].specializer.as_ref().map(|s| &s.kind)
                        && !seen.contains(&tag.name)
                        && self.unions.members(&tag.name).is_none()
                    {
                        seen.push(tag.name.clone());
                    }
                }
                seen
            }
        };
        resources
            .into_iter()
            .filter(|class| !BUILTIN_CLASSES.contains(&class.as_str()) && class_path(class).is_some())
            .filter_map(|class| {
                let mut actions: Vec<String> = Vec::new();
                let mut add = |name: &str| {
                    if !actions.iter().any(|a| a == name) {
                        actions.push(name.to_owned());
                    }
                };
                if let Some(block) = self.program.block(&class) {
                    block.permissions().for_each(|p| add(&p.name));
                }
                for clause in self.clauses("allow").chain(self.clauses("has_permission")) {
                    if let (TermKind::String(action), true) =
                        (&clause.params[1].value.kind, self.takes_resource(clause, &class))
                    {
                        add(action);
                    }
                }
                (!actions.is_empty()).then_some(ClassActions { class, actions })
            })
            .collect()
    }

    fn clauses(&self, name: &str) -> impl Iterator<Item = &&'p LoweredRule> + '_ {
        self.rules.get(&(name.to_owned(), 3)).into_iter().flatten()
    }

    /// Whether the resource parameter of `clause` can be an instance of `class`.
    fn takes_resource(&self, clause: &LoweredRule, class: &str) -> bool {
        match clause.params[2].specializer.as_ref().map(|s| &s.kind) {
            None => true,
            Some(TermKind::Instance { tag, .. }) => match self.unions.members(&tag.name) {
                Some(members) => members.iter().any(|m| m == class),
                None => tag.name == class,
            },
            Some(_) => false,
        }
    }

    /// The typed-action items: the `PolarAction` trait that every action argument takes, the
    /// `Authorized` proof, one enum per resource class, the `actions` unit types, and the
    /// `PolarResource` trait that gives `authorized_actions` its enum.
    pub(super) fn typed_actions(&self) -> TokenStream {
        let classes = self.typed_action_classes();
        // One name per action across all classes, so that `actions::ReadOnly` is one type.
        let mut every: Vec<String> = Vec::new();
        for c in &classes {
            every.extend(c.actions.iter().filter(|a| !every.contains(a)).cloned().collect::<Vec<_>>());
        }
        let idents: BTreeMap<&String, Ident> = every.iter().zip(variant_names(&every)).collect();
        let mut markers: BTreeMap<String, (Ident, Vec<&str>)> = BTreeMap::new();
        let mut enums = Vec::new();
        for ClassActions { class, actions } in &classes {
            let ty = class_path(class).expect("filtered on");
            let last = class.rsplit("::").next().unwrap_or(class);
            let name = format_ident!("{}Action", last);
            let variants: Vec<Ident> = actions.iter().map(|a| idents[a].clone()).collect();
            for (action, variant) in actions.iter().zip(&variants) {
                markers.entry(action.clone()).or_insert_with(|| (variant.clone(), Vec::new())).1.push(class);
            }
            let count = actions.len();
            let doc = format!(
                "The actions the policy names for `{class}`: {}. `\"{}\".parse()` reads one \
                 (`FromStr`), `as_str()` names it.",
                actions.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", "),
                actions[0]
            );
            let from_markers = actions.iter().zip(&variants).map(|(_, v)| {
                quote! {
                    impl ::core::convert::From<actions::#v> for #name {
                        fn from(_: actions::#v) -> Self { #name::#v }
                    }
                }
            });
            enums.push(quote! {
                #[doc = #doc]
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
                #[allow(dead_code)]
                pub enum #name { #(#variants),* }

                #[allow(dead_code)]
                impl #name {
                    /// Every action, in the policy's order.
                    pub const ALL: [#name; #count] = [#(#name::#variants),*];
                    /// The actions' names (the permission list), in the same order.
                    pub const NAMES: [&'static str; #count] = [#(#actions),*];
                    /// The action's name in the policy.
                    pub const fn as_str(self) -> &'static str {
                        Self::NAMES[self as usize]
                    }
                }

                impl ::polar_runtime::ActionEnum for #name {
                    const RESOURCE: &'static str = #class;
                    const ALL: &'static [Self] = &#name::ALL;
                    const NAMES: &'static [&'static str] = &#name::NAMES;
                    fn index(self) -> usize { self as usize }
                }

                impl ::core::str::FromStr for #name {
                    type Err = ::polar_runtime::UnknownAction;
                    fn from_str(name: &str) -> ::core::result::Result<Self, ::polar_runtime::UnknownAction> {
                        <Self as ::polar_runtime::ActionEnum>::parse(name)
                    }
                }

                impl ::core::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }

                impl<'a> PolarAction<'a, #ty> for #name {
                    fn name(&self) -> &'a str { self.as_str() }
                }

                #[diagnostic::do_not_recommend]
                impl<'a> PolarAction<'a, __PolarActionGuard> for #name {
                    fn name(&self) -> &'a str { self.as_str() }
                }

                impl PolarResource for #ty {
                    type Action = #name;
                }

                #(#from_markers)*
            });
        }
        let marker_items = markers.iter().map(|(action, (ident, classes))| {
            let doc = format!(
                "The action `{action}` (on {}), as a type: `authorize(&actor, actions::{ident}, &resource)` returns \
                 an `Authorized<'_, _, actions::{ident}>`.",
                classes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            );
            quote! {
                #[doc = #doc]
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                pub struct #ident;
                impl #ident {
                    /// The action's name in the policy.
                    pub const NAME: &'static str = #action;
                }
            }
        });
        // Outside `mod actions`: expanded in a function body, `super::` would name the module
        // around the function, not the function's items.
        let marker_impls = markers.iter().flat_map(|(_, (ident, classes))| {
            let guard = quote! {
                #[diagnostic::do_not_recommend]
                impl<'a> PolarAction<'a, __PolarActionGuard> for actions::#ident {
                    fn name(&self) -> &'a str { actions::#ident::NAME }
                }
            };
            ::std::iter::once(guard).chain(classes.iter().map(move |class| {
                let ty = class_path(class).expect("filtered on");
                quote! {
                    impl<'a> PolarAction<'a, #ty> for actions::#ident {
                        fn name(&self) -> &'a str { actions::#ident::NAME }
                    }
                }
            }))
        });
        let listed: Vec<String> =
            classes.iter().map(|c| format!("{} ({})", c.class, c.actions.join(", "))).collect();
        let not_an_action = format!(
            "`{{Self}}` is not an action the policy names for `{{R}}`; the typed actions are: {}",
            if listed.is_empty() { "none".to_owned() } else { listed.join("; ") }
        );
        quote! {
            /// An action argument: a typed action of `R` (a variant of its enum, `RepoAction::Push`, or
            /// a unit type, `actions::Push`), or a string for dynamic use (`"push"`, `&String`).
            #[diagnostic::on_unimplemented(message = #not_an_action, label = "not an action on `{R}`")]
            pub trait PolarAction<'a, R: ?Sized> {
                /// The action's name in the policy.
                fn name(&self) -> &'a str;
            }
            impl<'a, R: ?Sized> PolarAction<'a, R> for &'a str {
                fn name(&self) -> &'a str { self }
            }
            impl<'a, R: ?Sized> PolarAction<'a, R> for &'a ::std::string::String {
                fn name(&self) -> &'a str { self.as_str() }
            }

            /// Never a resource: keeps rustc from inferring the resource type from the one class an
            /// action belongs to (which would turn the message above into "expected `&Org`").
            #[doc(hidden)]
            pub enum __PolarActionGuard {}

            /// The resource classes with typed actions: `authorized_actions` returns a set of
            /// `Self::Action`.
            #[diagnostic::on_unimplemented(
                message = "the policy names no actions for `{Self}`",
                note = "`authorized_action_names` gives the actions of any resource as strings"
            )]
            pub trait PolarResource {
                /// The enum of the class's actions.
                type Action: ::polar_runtime::ActionEnum;
            }

            /// Proof that `authorize` allowed the action `Act` on a resource: only this policy's
            /// `authorize` makes one (its fields are private to the module that expands the policy),
            /// so a function that takes `Authorized<'_, Repo, actions::Delete>` cannot be called
            /// without that check having passed. Dereferences to the resource.
            #[allow(dead_code)]
            #[derive(Debug)]
            pub struct Authorized<'r, R: ?Sized, Act> {
                resource: &'r R,
                action: Act,
            }

            #[allow(dead_code)]
            impl<'r, R: ?Sized, Act> Authorized<'r, R, Act> {
                /// The resource the check allowed the action on.
                pub fn resource(&self) -> &'r R { self.resource }
                /// The action that was allowed.
                pub fn action(&self) -> &Act { &self.action }
            }

            impl<R: ?Sized, Act: ::core::clone::Clone> ::core::clone::Clone for Authorized<'_, R, Act> {
                fn clone(&self) -> Self { Authorized { resource: self.resource, action: self.action.clone() } }
            }
            impl<R: ?Sized, Act: ::core::marker::Copy> ::core::marker::Copy for Authorized<'_, R, Act> {}
            impl<R: ?Sized, Act> ::core::ops::Deref for Authorized<'_, R, Act> {
                type Target = R;
                fn deref(&self) -> &R { self.resource }
            }

            /// One unit type per action the policy names for a resource class.
            #[allow(dead_code)]
            pub mod actions {
                #(#marker_items)*
            }
            #(#marker_impls)*

            #(#enums)*
        }
    }
}

/// `create_repos` → `CreateRepos`; names that are no identifier this way get a position
/// suffix (`Action3`), and a collision a numeric one.
fn variant_names(actions: &[String]) -> Vec<Ident> {
    let mut names: Vec<String> = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let mut camel = String::new();
        let mut upper = true;
        for c in action.chars() {
            if c.is_ascii_alphanumeric() {
                camel.push(if upper { c.to_ascii_uppercase() } else { c });
                upper = false;
            } else {
                upper = true;
            }
        }
        // Names the enum's own items (or Rust) already use would make paths ambiguous.
        if !is_rust_ident(&camel) || ["Self", "ALL", "NAMES", "Err"].contains(&camel.as_str()) {
            camel = format!("Action{i}");
        }
        let mut unique = camel.clone();
        let mut n = 2;
        while names.contains(&unique) {
            unique = format!("{camel}{n}");
            n += 1;
        }
        names.push(unique);
    }
    names.iter().map(|n| format_ident!("{}", n)).collect()
}

#[cfg(test)]
mod tests {
    use super::variant_names;
    use crate::source::SourceMap;

    fn expand(text: &str) -> String {
        let mut sources = SourceMap::new();
        sources.add("app.polar", text);
        crate::expand(&sources).unwrap()
    }

    fn enum_of<'a>(code: &'a str, name: &str) -> &'a str {
        let start =
            code.find(&format!("pub enum {name} {{")).unwrap_or_else(|| panic!("no {name} in\n{code}"));
        &code[start..start + code[start..].find('}').unwrap() + 1]
    }

    #[test]
    fn a_class_has_its_permissions_then_the_literal_actions_that_can_reach_it() {
        let code = expand(
            r#"actor User {}
               resource Repo { permissions = ["read", "push"]; roles = ["writer"]; "push" if "writer"; "read" if "push"; }
               resource Org { permissions = ["view"]; }
               has_role(_: User, "writer", _: Repo);
               allow(_: User, "pull", _: Repo);
               allow(_: User, "archive", _: Resource);
               allow(_: User, "audit", _: Org);
               allow(_: User, "any", _);
               allow(u: User, action, r) if has_permission(u, action, r);
               has_permission(_: User, "admin", _: Org);"#,
        );
        let repo = enum_of(&code, "RepoAction");
        for (i, v) in ["Read", "Push", "Pull", "Archive", "Any"].iter().enumerate() {
            assert!(repo.contains(v), "{i} {v}: {repo}");
        }
        assert!(!repo.contains("Audit") && !repo.contains("Admin") && !repo.contains("View"), "{repo}");
        let org = enum_of(&code, "OrgAction");
        for v in ["View", "Archive", "Audit", "Any", "Admin"] {
            assert!(org.contains(v), "{v}: {org}");
        }
        assert!(!org.contains("Pull"), "{org}");
        assert!(
            code.contains(
                r#"pub const NAMES: [&'static str; 5usize] = ["read", "push", "pull", "archive", "any"];"#
            ),
            "{code}"
        );
        // One unit type per action, typed for each class that has it.
        assert_eq!(code.matches("pub struct Any;").count(), 1);
        assert!(code.contains("impl<'a> PolarAction<'a, Org> for actions::Any"), "{code}");
        assert!(code.contains("impl<'a> PolarAction<'a, Repo> for actions::Any"), "{code}");
        assert!(!code.contains("PolarAction<'a, Org> for actions::Pull"), "{code}");
    }

    #[test]
    fn actions_from_the_data_give_no_enum() {
        let code = expand(r#"allow(u: User, action, _: Repo) if action in u.permissions;"#);
        assert!(!code.contains("pub enum RepoAction") && !code.contains("impl PolarResource for"), "{code}");
        assert!(code.contains("pub trait PolarAction<'a"), "{code}");
    }

    #[test]
    fn action_names_become_variants() {
        let names = |a: &[&str]| {
            variant_names(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&["read", "create_repos", "repo:write"]), ["Read", "CreateRepos", "RepoWrite"]);
        assert_eq!(
            names(&["read-only", "read_only", "9lives", ""]),
            ["ReadOnly", "ReadOnly2", "Action2", "Action3"]
        );
        assert_eq!(names(&["err", "ALL", "self"]), ["Action0", "Action1", "Action2"]);
    }
}
