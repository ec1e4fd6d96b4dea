//! The public items of a compiled policy: `is_allowed`, `try_is_allowed`, `authorize` and
//! `rules::*`, over the generated rule functions.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{Gen, is_rust_ident, rule_fn_ident};

impl<'p> Gen<'p> {
    /// The public entry points around the rule functions.
    pub(super) fn entry_points(&self, keys: &[(String, usize)], functions: &[TokenStream]) -> TokenStream {
        let allow = if self.rules.contains_key(&("allow".to_owned(), 3)) {
            let f = rule_fn_ident("allow", 3);
            quote! { #f(&cx, actor, action, resource) }
        } else {
            quote! { { let _ = (&cx, actor, action, resource); Ok(false) } }
        };
        let public_rules = self.public_rules(keys);
        quote! {
            /// Whether `actor` may perform `action` on `resource` under the policy. Never panics;
            /// a run-time error (arithmetic overflow, recursion limit) denies.
            #[allow(dead_code)]
            pub fn is_allowed<A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar>(
                actor: &A, action: &str, resource: &R,
            ) -> bool {
                try_is_allowed(actor, action, resource).unwrap_or(false)
            }

            /// [`is_allowed`] with run-time errors visible.
            #[allow(dead_code)]
            pub fn try_is_allowed<A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar>(
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
            pub fn authorize<A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>, R: ?Sized + ::polar_runtime::Polar>(
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
}
