//! The policy, `../policies/gitclub.polar` unchanged, compiled with data filters, and the
//! only module that calls its generated API (`authorize`, `authorized_actions`,
//! `authorized_filter`). Every decision is logged as one structured event of target `authz`
//! with the fields `actor`, `action`, `resource` and `outcome`.
//!
//! `authorize` and the filters of lists log at INFO; the `permissions` of each returned item
//! (what `authorized_actions` computes to show the caller, not a decision to serve it) at
//! DEBUG: `RUST_LOG=authz=debug` shows them.

use polar_runtime::filter::FilterError;
use polar_runtime::{ActionEnum, ActionSet, AuthorizationError};
use sea_query::Condition;

use crate::models::{Issue, Org, Repo, User};

/// The compiled policy. Class names resolve to the models.
mod policy {
    use crate::models::*;

    polar_runtime::polar!(file = "../policies/gitclub.polar", filters = true);
}

/// The typed actions (`actions::Delete`, `RepoAction::Read`) and the proof of a check:
/// `Authorized<'_, Repo, actions::Delete>` is made only by a successful [`authorize`], so the
/// writes that demand one (`crate::write`) cannot be reached without the check.
pub use policy::{Authorized, IssueAction, OrgAction, PolarAction, RepoAction, actions};

/// A resource class of the policy with a table: what the generic functions below need.
pub trait Resource: policy::PolarResource + Sized {
    /// The class name in the policy (and in logs).
    const CLASS: &'static str;

    /// The key.
    fn id(&self) -> i64;

    /// The generated `authorize` for this class.
    fn authorize<'r, 'a, Act: PolarAction<'a, Self>>(
        user: &User,
        action: Act,
        resource: &'r Self,
    ) -> Result<Authorized<'r, Self, Act>, AuthorizationError>;

    /// The generated `authorized_actions` for this class.
    fn authorized_actions(user: &User, resource: &Self) -> ActionSet<Self::Action>;

    /// The condition of the generated `authorized_filter` for this class.
    fn filter(user: &User, action: Self::Action) -> Result<Condition, FilterError>;
}

macro_rules! resource {
    ($($ty:ident),*) => {$(
        impl Resource for $ty {
            const CLASS: &'static str = stringify!($ty);

            fn id(&self) -> i64 {
                self.id
            }

            fn authorize<'r, 'a, Act: PolarAction<'a, Self>>(
                user: &User,
                action: Act,
                resource: &'r Self,
            ) -> Result<Authorized<'r, Self, Act>, AuthorizationError> {
                policy::authorize(user, action, resource)
            }

            fn authorized_actions(user: &User, resource: &Self) -> ActionSet<Self::Action> {
                policy::authorized_actions(user, resource)
            }

            fn filter(user: &User, action: Self::Action) -> Result<Condition, FilterError> {
                policy::authorized_filter::<User, $ty>(user, action).map(|f| f.condition())
            }
        }
    )*};
}

resource!(Org, Repo, Issue);

/// The proof that `user` may do `action` to `resource`; otherwise `NotFound` when it may not
/// even read it (or the action is read), else `Forbidden` (Oso's `authorize`).
pub fn authorize<'r, 'a, R: Resource, Act: PolarAction<'a, R>>(
    user: &User,
    action: Act,
    resource: &'r R,
) -> Result<Authorized<'r, R, Act>, AuthorizationError> {
    let name = action.name();
    let result = R::authorize(user, action, resource);
    let outcome = match &result {
        Ok(_) => "allow",
        Err(AuthorizationError::NotFound) => "deny_not_found",
        Err(AuthorizationError::Forbidden) => "deny_forbidden",
        Err(_) => "error",
    };
    tracing::info!(
        target: "authz",
        actor = %user.name,
        action = name,
        resource = %format_args!("{}:{}", R::CLASS, resource.id()),
        outcome,
    );
    result
}

/// The actions `user` may perform on `resource`, by name, in the order of the class's action
/// enum: the resource block's permissions as declared, then the other literal actions of its
/// `allow` clauses.
pub fn permissions<R: Resource>(user: &User, resource: &R) -> Vec<String> {
    let actions: Vec<String> = R::authorized_actions(user, resource).names().map(str::to_owned).collect();
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
pub fn filter<R: Resource>(user: &User, action: R::Action) -> Result<Condition, FilterError> {
    let result = R::filter(user, action);
    let outcome = if result.is_ok() { "filter" } else { "error" };
    tracing::info!(
        target: "authz",
        actor = %user.name,
        action = action.as_str(),
        resource = %format_args!("{}:*", R::CLASS),
        outcome,
    );
    result
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::models::OrgRole;

    /// Runs `f` with a subscriber that writes the `authz` events into a string.
    fn events(f: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl Write for Buffer {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("authz=debug")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn every_decision_is_one_event() {
        let acme = Org { id: 1, name: "acme".into() };
        let anvil = Repo { id: 7, name: "anvil".into(), org: acme.clone(), public: false };
        let owner = OrgRole { id: 1, name: "owner".into(), org_id: 1 };
        let alice = User { id: 1, name: "alice".into(), org_roles: vec![owner], repo_roles: vec![] };
        let dave = User { id: 4, name: "dave".into(), org_roles: vec![], repo_roles: vec![] };
        let log = events(|| {
            let proof = authorize(&alice, actions::Delete, &anvil).expect("an owner may delete");
            assert_eq!(proof.resource().id, 7);
            assert_eq!(authorize(&dave, RepoAction::Read, &anvil).err(), Some(AuthorizationError::NotFound));
            assert!(filter::<Repo>(&dave, RepoAction::Read).is_ok());
            assert_eq!(permissions(&alice, &acme), ["read", "create_repos", "list_repos", "manage_members"]);
        });
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 4, "{log}");
        assert!(
            lines[0].contains(r#"INFO authz: actor=alice action="delete" resource=Repo:7 outcome="allow""#),
            "{log}"
        );
        assert!(
            lines[1].contains(r#"actor=dave action="read" resource=Repo:7 outcome="deny_not_found""#),
            "{log}"
        );
        assert!(lines[2].contains(r#"actor=dave action="read" resource=Repo:* outcome="filter""#), "{log}");
        assert!(
            lines[3].contains(r#"DEBUG authz: actor=alice action="*" resource=Org:1 outcome=read,create_repos,list_repos,manage_members"#),
            "{log}"
        );
    }
}
