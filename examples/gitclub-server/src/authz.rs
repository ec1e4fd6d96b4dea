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
                policy::authorize(user, action, resource).map(|_| ())
            }

            fn authorized_actions(user: &User, resource: &Self) -> Allowed {
                policy::authorized_action_names(user, resource)
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
            assert_eq!(authorize(&alice, "delete", &anvil), Ok(()));
            assert_eq!(authorize(&dave, "read", &anvil), Err(AuthorizationError::NotFound));
            assert!(filter::<Repo>(&dave, "read").is_ok());
            assert_eq!(permissions(&alice, &acme), ["read", "list_repos", "create_repos", "manage_members"]);
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
            lines[3].contains(r#"DEBUG authz: actor=alice action="*" resource=Org:1 outcome=read,list_repos,create_repos,manage_members"#),
            "{log}"
        );
    }
}
