//! The data-filtering emitter: the plan as static data for the runtime's filter evaluator
//! (`polar_runtime::filter`), and `authorized_filter`.
//!
//! A filter runs `allow(actor, action, resource)` with the actor and the action known and the
//! resource unknown. The runtime evaluator reads the plan (`data.rs` writes it); this module
//! decides, per resource class, what the evaluator would refuse (`refuse.rs`), so that using
//! the filter of a class whose policy reaches an untranslatable construct is a build error
//! naming the policy location, while `is_allowed` for that class still compiles.

mod data;
mod refuse;

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::lower::Program;
use crate::plan::Plans;
use crate::source::SourceMap;

pub use refuse::{Refusal, Unknown, refusals, refusals_of};

/// The items of data filtering: the plan data, the per-class check and `authorized_filter`.
pub fn generate(program: &Program, plans: &Plans, sources: Option<&SourceMap>) -> TokenStream {
    let data = data::program(program, plans, sources);
    let impls = gates(program, plans, sources, Unknown::Resource);
    let actor_impls = gates(program, plans, sources, Unknown::Actor);
    quote! {
        #[doc(hidden)]
        static __POLAR_FILTER_PLAN: ::polar_runtime::filter::plan::Program = #data;

        /// The resource classes data filtering knows, with what the policy makes of them.
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(
            message = "no `allow` rule of the policy takes a `{Self}` resource: there is nothing to filter",
            note = "data filtering covers the classes that `allow` or a resource block names as resources"
        )]
        pub trait __PolarFilter<A: ?Sized> {}
        #(#impls)*

        /// The actor classes "who may?" knows.
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(
            message = "no `allow` rule of the policy takes a `{Self}` actor: there is nobody to list",
            note = "\"who may?\" covers the classes that `allow` or an `actor` block names as actors"
        )]
        pub trait __PolarActorFilter<R: ?Sized> {}
        #(#actor_impls)*

        /// "Who may?": the rows of `A`'s table (actors) that may do `action` to `resource`, as
        /// a filter over the actors (`condition()`, `select()`, `matches`), with the same
        /// refusals as `authorized_filter`.
        #[allow(dead_code)]
        pub fn authorized_actors<'a, A, R>(
            action: impl PolarAction<'a, R>,
            resource: &'a R,
        ) -> ::core::result::Result<::polar_runtime::filter::ActorFilter<'a, A, R>, ::polar_runtime::filter::FilterError>
        where
            A: ::polar_runtime::filter::Table + ::polar_runtime::Polar + PolarAllowed<R> + __PolarActorFilter<R>,
            R: ?Sized + ::polar_runtime::Polar,
        {
            ::polar_runtime::filter::ActorFilter::build(&__POLAR_FILTER_PLAN, action.name(), resource, |a: &A, act: &str, r: &R| {
                is_allowed(a, act, r)
            })
        }

        /// The rows of `R`'s table that `actor` may do `action` to, as a filter: a SQL
        /// condition (`condition()`, `select()`) with the known values bound as parameters,
        /// and the compiled check for values in memory (`matches`). A policy construct that SQL
        /// cannot evaluate as Oso does is a build error for this `R`, or
        /// `FilterError::Refused` when only the action's value reaches it; a run-time error of
        /// the known part is `FilterError::Runtime`.
        #[allow(dead_code)]
        pub fn authorized_filter<'a, A, R>(
            actor: &'a A,
            action: impl PolarAction<'a, R>,
        ) -> ::core::result::Result<::polar_runtime::filter::Filter<'a, A, R>, ::polar_runtime::filter::FilterError>
        where
            A: ?Sized + ::polar_runtime::Polar + PolarAllowed<R>,
            R: ::polar_runtime::filter::Table + ::polar_runtime::Polar + __PolarFilter<A>,
        {
            ::polar_runtime::filter::Filter::build(&__POLAR_FILTER_PLAN, actor, action.name(), |a: &A, act: &str, r: &R| {
                is_allowed(a, act, r)
            })
        }
    }
}

/// For each class in the `unknown` place: the impl of the gate trait (`__PolarFilter<A>` for
/// resources, `__PolarActorFilter<R>` for actors), unconditional when the filter translates.
/// When it is refused, a trait of its own carries the message: using that filter is then an
/// error of `cargo check` naming every refused construct.
fn gates(
    program: &Program,
    plans: &Plans,
    sources: Option<&SourceMap>,
    unknown: Unknown,
) -> Vec<TokenStream> {
    let (gate, param, prefix) = match unknown {
        Unknown::Resource => (quote! { __PolarFilter }, quote! { A }, "__PolarFilterRefused"),
        Unknown::Actor => (quote! { __PolarActorFilter }, quote! { R }, "__PolarActorFilterRefused"),
    };
    refuse::classes(program, plans, unknown)
        .into_iter()
        .map(|class| {
            let ty = format_ident!("{}", class);
            let refused = refusals_of(program, plans, &class, unknown);
            if refused.is_empty() {
                return quote! { impl<#param: ?Sized> #gate<#param> for #ty {} };
            }
            let (what, label) = match unknown {
                Unknown::Resource => (
                    format!("data filtering of `{class}`"),
                    "data filtering of this class is refused by the policy",
                ),
                Unknown::Actor => (
                    format!("\"who may?\" over `{class}` actors"),
                    "\"who may?\" of this actor class is refused by the policy",
                ),
            };
            let text = refuse::message_of(&what, &refused, sources);
            let refused_trait = format_ident!("{}{}", prefix, class);
            quote! {
                #[diagnostic::on_unimplemented(
                    message = #text,
                    label = #label,
                    note = "`is_allowed` and the other checks of this class are not affected"
                )]
                #[doc(hidden)]
                pub trait #refused_trait {}
                impl<#param: ?Sized + #refused_trait> #gate<#param> for #ty {}
            }
        })
        .collect()
}
