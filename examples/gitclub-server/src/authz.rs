//! The policy, `../policies/gitclub.polar` unchanged, compiled with data filters, and the
//! only module that calls its generated API (`authorize`, `authorized_actions`,
//! `authorized_filter`). Every decision is logged as one structured event of target `authz`
//! with the fields `actor`, `action`, `resource` and `outcome`.
//!
//! `authorize` and the filters of lists log at INFO; the `permissions` of each returned item
//! (what `authorized_actions` computes to show the caller, not a decision to serve it) at
//! DEBUG: `RUST_LOG=authz=debug` shows them.

use polar_runtime::filter::FilterError;
use polar_runtime::{Allowed, AuthorizationError};
use sea_query::Condition;

use crate::models::{Issue, Org, Repo, User};

/// The compiled policy. Class names resolve to the models.
mod policy {
    use crate::models::*;

    polar_runtime::polar!(file = "../policies/gitclub.polar", filters = true);
}

/// A resource class of the policy with a table: what the generic functions below need.
pub trait Resource: Sized {
    /// The class name in the policy (and in logs).
    const CLASS: &'static str;

    /// The key.
    fn id(&self) -> i64;

    /// The generated `authorize` for this class.
    fn authorize(user: &User, action: &str, resource: &Self) -> Result<(), AuthorizationError>;

    /// The generated `authorized_actions` for this class.
    fn authorized_actions(user: &User, resource: &Self) -> Allowed;

    /// The condition of the generated `authorized_filter` for this class.
    fn filter(user: &User, action: &str) -> Result<Condition, FilterError>;
}

macro_rules! resource {
    ($($ty:ident),*) => {$(
        impl Resource for $ty {
            const CLASS: &'static str = stringify!($ty);

            fn id(&self) -> i64 {
                self.id
            }

            fn authorize(user: &User, action: &str, resource: &Self) -> Result<(), AuthorizationError> {
                policy::authorize(user, action, resource)
            }

            fn authorized_actions(user: &User, resource: &Self) -> Allowed {
                policy::authorized_actions(user, resource)
            }

            fn filter(user: &User, action: &str) -> Result<Condition, FilterError> {
                policy::authorized_filter::<User, $ty>(user, action).map(|f| f.condition())
            }
        }
    )*};
}

resource!(Org, Repo, Issue);

/// `Ok(())` when `user` may do `action` to `resource`; otherwise `NotFound` when it may not
/// even read it (or the action is `"read"`), else `Forbidden` (Oso's `authorize`).
pub fn authorize<R: Resource>(user: &User, action: &str, resource: &R) -> Result<(), AuthorizationError> {
    let result = R::authorize(user, action, resource);
    let outcome = match &result {
        Ok(()) => "allow",
        Err(AuthorizationError::NotFound) => "deny_not_found",
        Err(AuthorizationError::Forbidden) => "deny_forbidden",
        Err(_) => "error",
    };
    tracing::info!(
        target: "authz",
        actor = %user.name,
        action,
        resource = %format_args!("{}:{}", R::CLASS, resource.id()),
        outcome,
    );
    result
}

/// The actions `user` may perform on `resource`, in the order the policy first names them.
/// (The policy has no clause that allows every action, so the listed actions are the whole
/// answer.)
pub fn permissions<R: Resource>(user: &User, resource: &R) -> Vec<String> {
    let actions: Vec<String> = R::authorized_actions(user, resource).iter().map(str::to_owned).collect();
    tracing::debug!(
        target: "authz",
        actor = %user.name,
        action = "*",
        resource = %format_args!("{}:{}", R::CLASS, resource.id()),
        outcome = %actions.join(","),
    );
    actions
}

/// The rows of `R`'s table `user` may do `action` to, as a condition on that table (named by
/// its table name) to combine with the caller's own.
pub fn filter<R: Resource>(user: &User, action: &str) -> Result<Condition, FilterError> {
    let result = R::filter(user, action);
    let outcome = if result.is_ok() { "filter" } else { "error" };
    tracing::info!(
        target: "authz",
        actor = %user.name,
        action,
        resource = %format_args!("{}:*", R::CLASS),
        outcome,
    );
    result
}
