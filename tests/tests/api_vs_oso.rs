//! Differential tests of the entry points beyond `is_allowed` against Oso 0.27.3 on generated
//! worlds: `authorized_actions` (GitClub, `tests/policies/abac.polar`,
//! `tests/policies/api.polar`), `authorize_request`, `authorize_field` and `authorized_fields`
//! (`api.polar`), and inline queries.
//!
//! The oracle of an enumeration is Oso's query with the result unbound
//! (`query_rule("allow", (actor, Variable("action"), resource))`), read the way Oso's hosts
//! read it: the set of strings bound; a result that leaves the variable unbound is a wildcard
//! (Python: an error unless `allow_wildcard`; here the `Allowed::is_wildcard` flag); a result
//! that is not a string, or an error, is an error (Oso's Rust `get_allowed_actions::<String>`:
//! "Type error: Expected String"). `authorize_request` and `authorize_field` are the first
//! result of `allow_request(actor, request)` / `allow_field(actor, action, resource, field)`,
//! else `Forbidden` (Oso's Python and Node hosts; the Rust crate has neither).
//!
//! `POLAR_DRT_CASES` sets the number of worlds of each test.

use std::cell::Cell;
use std::collections::BTreeSet;

use drt_support::{Enumerated, config, oso_enumerate, oso_holds, our_set, same_set};
use oso::{Oso, PolarValue, ToPolar};
use polar_runtime::{AuthorizationError, RuntimeError};
use proptest::prelude::*;

mod drt_support;

/// Tallies of one test, printed at its end.
#[derive(Default)]
struct Tally {
    compared: Cell<usize>,
    nonempty: Cell<usize>,
    /// Sets of two strings or more.
    several: Cell<usize>,
    wildcards: Cell<usize>,
    errors: Cell<usize>,
}

impl Tally {
    fn add(&self, theirs: &Enumerated) {
        self.compared.set(self.compared.get() + 1);
        match theirs {
            Ok((set, wildcard)) => {
                self.nonempty.set(self.nonempty.get() + usize::from(!set.is_empty()));
                self.several.set(self.several.get() + usize::from(set.len() > 1));
                self.wildcards.set(self.wildcards.get() + usize::from(*wildcard));
            }
            Err(_) => self.errors.set(self.errors.get() + 1),
        }
    }

    fn report(&self, what: &str) {
        eprintln!(
            "{what}: {} enumerations compared with Oso ({} non-empty, {} of several strings, {} wildcards, {} errors)",
            self.compared.get(),
            self.nonempty.get(),
            self.several.get(),
            self.wildcards.get(),
            self.errors.get()
        );
    }
}

// ---- GitClub: actions bound by the literals of resource blocks, through has_permission

#[path = "../support/gitclub_oso.rs"]
mod gitclub_oso;

#[path = "../support/gitclub_world.rs"]
mod gitclub_entities;

mod gitclub_world {
    use gitclub::models::{Issue, Org, Repo, User};
    use proptest::prelude::*;
    use proptest::sample::Index;

    #[derive(Debug)]
    pub struct World {
        pub users: Vec<User>,
        pub orgs: Vec<Org>,
        pub repos: Vec<Repo>,
        pub issues: Vec<Issue>,
    }

    /// 1-3 organizations, 1-4 repositories, 0-4 issues (sometimes by a stale copy of the
    /// creator), 1-4 users with roles, some on ids that do not exist or of the other kind.
    pub fn world() -> impl Strategy<Value = World> {
        let role = |names: Vec<&'static str>, ids: std::ops::RangeInclusive<u64>| {
            prop::collection::vec((prop::sample::select(names), ids), 0..=3)
        };
        let org_roles = role(vec!["owner", "member", "member", "reader"], 0..=4);
        let repo_roles = role(vec!["reader", "writer", "admin", "owner"], 0..=5);
        let users = prop::collection::vec((org_roles, repo_roles), 1..=4);
        let repos = prop::collection::vec((any::<Index>(), any::<bool>()), 1..=4);
        let issues =
            prop::collection::vec((any::<Index>(), any::<Index>(), prop::bool::weighted(0.2)), 0..=4);
        (1..=3u64, repos, users, issues).prop_map(|(n_orgs, repos, users, issues)| {
            let name = |k: usize| ["alice", "bob", "carol", "dave"][k].to_owned();
            let (users, orgs, repos, issues) =
                super::gitclub_entities::entities(n_orgs, repos, users, issues, name);
            World { users, orgs, repos, issues }
        })
    }
}

/// Every action GitClub knows, and two it does not.
const GITCLUB_ACTIONS: [&str; 13] = [
    "read",
    "create_repos",
    "list_repos",
    "manage_members",
    "pull",
    "push",
    "create_issues",
    "list_issues",
    "delete",
    "comment",
    "close",
    "fly",
    "",
];

/// Compares `authorized_actions` on one (user, resource) with Oso's query and with Oso's Rust
/// `get_allowed_actions::<String>`, and checks it against `is_allowed` on every action.
fn compare_gitclub<R, O>(
    oso: &Oso,
    tally: &Tally,
    user: &gitclub::models::User,
    res: &R,
    oso_res: O,
) -> Result<(), String>
where
    R: polar_runtime::Polar + std::fmt::Debug,
    gitclub::models::User: gitclub::authz::PolarAllowed<R>,
    O: ToPolar + Clone,
{
    use gitclub::authz;
    let oso_user = gitclub_oso::User::from(user);
    let theirs = oso_enumerate(
        oso,
        "allow",
        (oso_user.clone(), PolarValue::Variable("action".into()), oso_res.clone()),
        "action",
    );
    let mine = our_set(authz::try_authorized_action_names(user, res));
    tally.add(&theirs);
    if !same_set(&mine, &theirs) {
        return Err(format!("authorized_actions({user:?}, {res:?}): ours {mine:?}, Oso {theirs:?}"));
    }
    let rust_api: Result<std::collections::HashSet<String>, _> = oso.get_allowed_actions(oso_user, oso_res);
    let rust_api: BTreeSet<String> = rust_api.map_err(|e| e.to_string())?.into_iter().collect();
    if Ok(&rust_api) != mine.as_ref().map(|(set, _)| set) {
        return Err(format!(
            "authorized_actions({user:?}, {res:?}): ours {mine:?}, get_allowed_actions {rust_api:?}"
        ));
    }
    // No wildcard and no negation over the action in GitClub: the set is exactly the actions
    // is_allowed allows.
    let set = authz::authorized_action_names(user, res);
    for action in GITCLUB_ACTIONS {
        if set.contains(action) != authz::is_allowed(user, action, res) {
            return Err(format!(
                "authorized_actions({user:?}, {res:?}) = {set:?} but is_allowed({action:?}) disagrees"
            ));
        }
    }
    Ok(())
}

#[test]
fn gitclub_authorized_actions_agree_with_oso() {
    let oso = gitclub_oso::oso(include_str!("../../examples/policies/gitclub.polar"));
    let tally = Tally::default();
    proptest!(config(48), |(world in gitclub_world::world())| {
        for user in &world.users {
            for org in &world.orgs {
                compare_gitclub(&oso, &tally, user, org, gitclub_oso::Org::from(org)).map_err(TestCaseError::fail)?;
            }
            for repo in &world.repos {
                compare_gitclub(&oso, &tally, user, repo, gitclub_oso::Repo::from(repo)).map_err(TestCaseError::fail)?;
            }
            for issue in &world.issues {
                compare_gitclub(&oso, &tally, user, issue, gitclub_oso::Issue::from(issue)).map_err(TestCaseError::fail)?;
            }
        }
    });
    tally.report("gitclub authorized_actions");
    assert!(tally.nonempty.get() > 0 && tally.nonempty.get() < tally.compared.get());
    assert_eq!(tally.errors.get(), 0);
}

#[test]
fn gitclub_sample_world_actions() {
    let (world, _) = gitclub::sample::sample();
    let oso = gitclub_oso::oso(include_str!("../../examples/policies/gitclub.polar"));
    let tally = Tally::default();
    for user in &world.users {
        for repo in &world.repos {
            compare_gitclub(&oso, &tally, user, repo, gitclub_oso::Repo::from(repo)).unwrap();
        }
        for issue in &world.issues {
            compare_gitclub(&oso, &tally, user, issue, gitclub_oso::Issue::from(issue)).unwrap();
        }
    }
    tally.report("gitclub sample world");
}

// ---- abac.polar: an action bound by data (`action = doc.special_action`)

#[path = "../support/abac.rs"]
mod abac;

/// The names of the generated users, documents and owners.
const NAMES: [&str; 5] = ["ann", "bo", "", "Ann", "zed"];

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(NAMES.to_vec()).prop_map(str::to_owned)
}

fn strings(of: Vec<&'static str>, max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(of).prop_map(str::to_owned), 0..=max)
}

#[test]
fn abac_authorized_actions_agree_with_oso() {
    let oso = abac::oso_side::oso();
    let tally = Tally::default();
    proptest!(config(300), |(users in prop::collection::vec(abac::user(NAMES.to_vec()), 1..3), docs in prop::collection::vec(abac::doc(NAMES.to_vec()), 1..3))| {
        for u in &users {
            for d in &docs {
                let args = (abac::oso_side::User::from(u), PolarValue::Variable("action".into()), abac::oso_side::Doc::from(d));
                let theirs = oso_enumerate(&oso, "allow", args, "action");
                let mine = our_set(abac::authz::try_authorized_action_names(u, d));
                tally.add(&theirs);
                prop_assert!(same_set(&mine, &theirs), "authorized_actions({:?}, {:?}): ours {:?}, Oso {:?}", u, d, mine, theirs);
                let set = abac::authz::authorized_action_names(u, d);
                for action in abac::ACTIONS {
                    prop_assert_eq!(set.contains(action), abac::authz::is_allowed(u, action, d), "{:?} {:?} {:?}", u, action, d);
                }
            }
        }
    });
    tally.report("abac authorized_actions");
    // Every document has a `special_action`, so no set is empty.
    assert!(tally.several.get() > 0 && tally.several.get() < tally.compared.get());
}

// ---- api.polar: wildcards, data, negation, requests and fields

mod api {
    use polar_runtime::PolarClass;

    #[derive(PolarClass, Clone, Debug)]
    pub struct User {
        pub name: String,
        pub admin: bool,
        pub level: i64,
        pub perms: Vec<String>,
        pub paths: Vec<String>,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Doc {
        pub owner: String,
        pub public: bool,
        pub locked: bool,
        pub fields: Vec<String>,
        pub secret_field: String,
    }

    #[derive(PolarClass, Clone, Debug)]
    pub struct Request {
        pub path: String,
        pub method: String,
    }

    pub mod authz {
        use super::*;
        polar_runtime::polar!(file = "policies/api.polar");
    }

    pub mod oso_side {
        #[derive(oso::PolarClass, Clone, Debug)]
        pub struct User {
            #[polar(attribute)]
            pub name: String,
            #[polar(attribute)]
            pub admin: bool,
            #[polar(attribute)]
            pub level: i64,
            #[polar(attribute)]
            pub perms: Vec<String>,
            #[polar(attribute)]
            pub paths: Vec<String>,
        }

        #[derive(oso::PolarClass, Clone, Debug)]
        pub struct Doc {
            #[polar(attribute)]
            pub owner: String,
            #[polar(attribute)]
            pub public: bool,
            #[polar(attribute)]
            pub locked: bool,
            #[polar(attribute)]
            pub fields: Vec<String>,
            #[polar(attribute)]
            pub secret_field: String,
        }

        #[derive(oso::PolarClass, Clone, Debug)]
        pub struct Request {
            #[polar(attribute)]
            pub path: String,
            #[polar(attribute)]
            pub method: String,
        }

        pub fn oso() -> oso::Oso {
            let mut oso = oso::Oso::new();
            oso.register_class(<User as oso::PolarClass>::get_polar_class()).unwrap();
            oso.register_class(<Doc as oso::PolarClass>::get_polar_class()).unwrap();
            oso.register_class(<Request as oso::PolarClass>::get_polar_class()).unwrap();
            oso.load_str(include_str!("../policies/api.polar")).unwrap();
            oso
        }

        impl From<&super::User> for User {
            fn from(u: &super::User) -> Self {
                let u = u.clone();
                User { name: u.name, admin: u.admin, level: u.level, perms: u.perms, paths: u.paths }
            }
        }

        impl From<&super::Doc> for Doc {
            fn from(d: &super::Doc) -> Self {
                let d = d.clone();
                Doc {
                    owner: d.owner,
                    public: d.public,
                    locked: d.locked,
                    fields: d.fields,
                    secret_field: d.secret_field,
                }
            }
        }

        impl From<&super::Request> for Request {
            fn from(r: &super::Request) -> Self {
                Request { path: r.path.clone(), method: r.method.clone() }
            }
        }
    }
}

const API_ACTIONS: [&str; 6] = ["read", "edit", "write", "destroy", "fly", ""];
const API_FIELDS: [&str; 5] = ["title", "body", "notes", "secret", ""];

fn api_user() -> impl Strategy<Value = api::User> {
    (
        name(),
        prop::bool::weighted(0.3),
        prop_oneof![4 => 0i64..=8, 1 => 9i64..=10],
        strings(vec!["read", "edit", "destroy", "fly", ""], 3),
        strings(vec!["/", "/a", "/b"], 2),
    )
        .prop_map(|(name, admin, level, perms, paths)| api::User { name, admin, level, perms, paths })
}

fn api_doc() -> impl Strategy<Value = api::Doc> {
    (
        name(),
        any::<bool>(),
        any::<bool>(),
        strings(vec!["title", "body", "notes"], 3),
        prop::sample::select(vec!["secret", "title", ""]).prop_map(str::to_owned),
    )
        .prop_map(|(owner, public, locked, fields, secret_field)| api::Doc {
            owner,
            public,
            locked,
            fields,
            secret_field,
        })
}

fn api_request() -> impl Strategy<Value = api::Request> {
    (prop::sample::select(vec!["/", "/a", "/b", ""]), prop::sample::select(vec!["GET", "POST", "PUT"]))
        .prop_map(|(path, method)| api::Request { path: path.into(), method: method.into() })
}

/// Oso's `authorize_request` / `authorize_field`: the first result, else `Forbidden`.
fn oso_authorize(holds: Result<bool, String>) -> Result<(), String> {
    match holds {
        Ok(true) => Ok(()),
        Ok(false) => Err(AuthorizationError::Forbidden.to_string()),
        Err(e) => Err(format!("Oso error: {e}")),
    }
}

fn our_authorize(result: Result<(), AuthorizationError>) -> Result<(), String> {
    result.map_err(|e| e.to_string())
}

#[test]
fn api_policy_agrees_with_oso() {
    use api::{authz, oso_side};
    let oso = oso_side::oso();
    let (actions, fields) = (Tally::default(), Tally::default());
    let (requests, field_checks, granted) = (Cell::new(0usize), Cell::new(0usize), Cell::new(0usize));
    proptest!(config(200), |(
        users in prop::collection::vec(api_user(), 1..3),
        docs in prop::collection::vec(api_doc(), 1..3),
        reqs in prop::collection::vec(api_request(), 1..3),
    )| {
        for u in &users {
            let ou = oso_side::User::from(u);
            for r in &reqs {
                let theirs = oso_authorize(oso_holds(&oso, "allow_request", (ou.clone(), oso_side::Request::from(r))));
                let mine = our_authorize(authz::authorize_request(u, r));
                prop_assert_eq!(&mine, &theirs, "authorize_request({:?}, {:?})", u, r);
                requests.set(requests.get() + 1);
                granted.set(granted.get() + usize::from(theirs.is_ok()));
            }
            for d in &docs {
                let od = oso_side::Doc::from(d);
                let theirs = oso_enumerate(&oso, "allow", (ou.clone(), PolarValue::Variable("action".into()), od.clone()), "action");
                let mine = our_set(authz::try_authorized_action_names(u, d));
                actions.add(&theirs);
                prop_assert!(same_set(&mine, &theirs), "authorized_actions({:?}, {:?}): ours {:?}, Oso {:?}", u, d, mine, theirs);
                for action in API_ACTIONS {
                    let args = (ou.clone(), action, od.clone(), PolarValue::Variable("field".into()));
                    let theirs = oso_enumerate(&oso, "allow_field", args, "field");
                    let mine = our_set(authz::try_authorized_fields(u, action, d));
                    fields.add(&theirs);
                    prop_assert!(same_set(&mine, &theirs), "authorized_fields({:?}, {:?}, {:?}): ours {:?}, Oso {:?}", u, action, d, mine, theirs);
                    for field in API_FIELDS {
                        let theirs = oso_authorize(oso_holds(&oso, "allow_field", (ou.clone(), action, od.clone(), field)));
                        let mine = our_authorize(authz::authorize_field(u, action, d, field));
                        prop_assert_eq!(&mine, &theirs, "authorize_field({:?}, {:?}, {:?}, {:?})", u, action, d, field);
                        field_checks.set(field_checks.get() + 1);
                    }
                }
            }
        }
    });
    actions.report("api.polar authorized_actions");
    fields.report("api.polar authorized_fields");
    eprintln!(
        "api.polar: {} authorize_request ({} granted), {} authorize_field compared with Oso",
        requests.get(),
        granted.get(),
        field_checks.get()
    );
    for tally in [&actions, &fields] {
        assert!(
            tally.wildcards.get() > 0
                && tally.nonempty.get() > 0
                && tally.errors.get() < tally.compared.get()
        );
    }
    assert!(actions.errors.get() > 0, "the non-string action is exercised");
    assert!(granted.get() > 0 && granted.get() < requests.get());
}

/// Hand-picked: negation, the wildcard, actions from data, a non-string action.
#[test]
fn api_policy_hand_picked() {
    use api::{Doc, User, authz};
    let admin = User { name: "ann".into(), admin: true, level: 0, perms: vec![], paths: vec![] };
    let doc =
        Doc { owner: "bo".into(), public: false, locked: false, fields: vec![], secret_field: "".into() };
    assert_eq!(authz::authorized_action_names(&admin, &doc).iter().collect::<Vec<_>>(), ["manage"]);
    let flying = User { perms: vec!["fly".into()], ..admin.clone() };
    assert_eq!(authz::authorized_action_names(&flying, &doc).iter().collect::<Vec<_>>(), ["fly"]);
    let senior = User { level: 9, ..admin.clone() };
    let set = authz::authorized_action_names(&senior, &doc);
    assert!(set.is_wildcard() && set.contains("anything"));
    assert_eq!(set.iter().collect::<Vec<_>>(), ["manage"], "a wildcard still lists the named actions");
    let reader = User { admin: false, perms: vec!["fly".into(), "read".into()], ..admin.clone() };
    let public = Doc { public: true, ..doc.clone() };
    let set = authz::authorized_action_names(&reader, &public);
    assert_eq!(set.iter().collect::<Vec<_>>(), ["read", "fly"], "literals first, then data");
    let zed = Doc { owner: "zed".into(), locked: true, ..doc };
    assert_eq!(
        authz::try_authorized_action_names(&reader, &zed),
        Err(RuntimeError::Unsupported { what: "an action that is not a string" })
    );
    assert!(authz::authorized_action_names(&reader, &zed).is_empty(), "an error gives the empty set");
    assert_eq!(authz::check_inline_queries(), Ok(()));
}

// ---- inline queries

mod passing_queries {
    polar_runtime::polar!(source = "f(1); f(2); allow(_, _, _) if f(3);\n?= f(1);\n?= f(x) and x = 2;");

    #[test]
    fn the_generated_tests_exist_and_pass() {
        // The `#[test]`s of the two queries are items of this module; calling them here
        // proves their names (and that they pass).
        inline_query_polar_source_line_2();
        inline_query_polar_source_line_3();
        assert_eq!(check_inline_queries(), Ok(()));
    }
}

#[test]
#[allow(unnameable_test_items)]
fn a_failing_inline_query_is_reported_with_its_location() {
    // Inside a function body the generated `#[test]`s cannot run (Rust collects only
    // module-level tests), so the failing query does not fail this suite; the same check is
    // `check_inline_queries`.
    polar_runtime::polar!(source = "f(1);\n?= f(1);\n?= f(2) or f(3);");
    let e = check_inline_queries().unwrap_err();
    assert_eq!(e.location, "<polar! source>:3:4");
    assert_eq!(e.to_string(), "<polar! source>:3:4: inline query `?= f(2) or f(3);` has no solution");
    let result = std::panic::catch_unwind(inline_query_polar_source_line_3);
    assert!(result.is_err(), "the generated test fails");
    inline_query_polar_source_line_2();
    // Oso refuses to load the same policy.
    let mut oso = Oso::new();
    let err = oso.load_str("f(1);\n?= f(1);\n?= f(2) or f(3);").unwrap_err();
    assert!(err.to_string().contains("Inline query failed"), "{err}");
}

// ---- what the compiler refuses to enumerate: Oso errors on it

mod refused {
    #[derive(oso::PolarClass, Clone)]
    pub struct User {
        #[polar(attribute)]
        pub admin: bool,
    }

    #[derive(oso::PolarClass, Clone)]
    pub struct Repo {}

    pub mod compiled {
        #[derive(polar_runtime::PolarClass)]
        pub struct User {
            pub admin: bool,
        }

        #[derive(polar_runtime::PolarClass)]
        pub struct Repo {}
    }
}

/// Why a `not` over an output parameter of a called rule is refused even by `is_allowed`:
/// Oso turns it into a constraint, so this `allow` holds whenever `d.id` is not 5 (negation as
/// failure would never hold).
#[test]
fn oso_negates_an_aliased_unbound_variable_as_a_constraint() {
    #[derive(oso::PolarClass, Clone)]
    struct Doc {
        #[polar(attribute)]
        id: i64,
    }
    let mut oso = Oso::new();
    oso.register_class(<Doc as oso::PolarClass>::get_polar_class()).unwrap();
    oso.load_str(
        r#"allow(_, "read", d: Doc) if f(x, d) and x = 5;
           f(y, d: Doc) if not y = d.id and y = 5;"#,
    )
    .unwrap();
    for (id, expected) in [(1, true), (5, false)] {
        assert_eq!(oso.is_allowed(0, "read", Doc { id }).unwrap(), expected, "id {id}");
    }
}

/// The same policies compiled: everything but `authorized_actions` works (using that is a
/// build error, see the `compile_fail` example of `polar!`).
#[test]
fn what_the_compiler_refuses_to_enumerate_still_compiles() {
    use refused::compiled::{Repo, User};
    let (user, repo) = (User { admin: true }, Repo {});
    {
        polar_runtime::polar!(source = r#"allow(u: User, _action: String, _: Repo) if u.admin;"#);
        assert!(is_allowed(&user, "read", &repo));
    }
    {
        polar_runtime::polar!(source = r#"allow(u: User, action, _: Repo) if u.admin and not action = "x";"#);
        assert!(is_allowed(&user, "read", &repo) && !is_allowed(&user, "x", &repo));
    }
    {
        polar_runtime::polar!(
            source = r#"
            allow(u: User, action, r: Repo) if can(u, action, r);
            can(_: User, action, _: Repo) if not (action = "x" or action = "y");"#
        );
        assert!(is_allowed(&user, "read", &repo) && !is_allowed(&user, "y", &repo));
    }
    {
        polar_runtime::polar!(
            source = r#"allow(u: User, action, _: Repo) if u.admin and forall(_x in [1], action = "read");"#
        );
        assert!(is_allowed(&user, "read", &repo) && !is_allowed(&user, "x", &repo));
    }
}

/// `forall(c, a)` is Oso's `not (c and not a)`: with the action unbound, the inner `not` makes
/// `action = "read"` the constraint `action != "read"` and the outer one turns it back into a
/// binding, so Oso enumerates `"read"` where negation as failure would leave the action unbound
/// (a wildcard). The compiler refuses that enumeration (found by the random policy generator).
#[test]
fn oso_binds_an_unbound_action_through_forall() {
    use oso::PolarClass;
    let mut oso = Oso::new();
    oso.register_class(refused::User::get_polar_class()).unwrap();
    oso.register_class(refused::Repo::get_polar_class()).unwrap();
    oso.load_str(r#"allow(u: User, action, _: Repo) if u.admin and forall(_x in [1], action = "read");"#)
        .unwrap();
    let args = (refused::User { admin: true }, PolarValue::Variable("action".into()), refused::Repo {});
    let theirs = oso_enumerate(&oso, "allow", args, "action");
    assert_eq!(theirs, Ok((["read".to_owned()].into(), false)));
}

/// The policies whose `authorized_actions` the compiler makes unavailable (see the unit tests
/// of `codegen/api.rs`): Oso's enumeration of them is an error ("Received Expression"), where
/// `is_allowed` works.
#[test]
fn oso_errors_on_what_the_compiler_refuses_to_enumerate() {
    use oso::PolarClass;
    let policies = [
        r#"allow(u: User, _action: String, _: Repo) if u.admin;"#,
        r#"allow(u: User, action, _: Repo) if u.admin and not action = "x";"#,
        r#"allow(u: User, action, r: Repo) if can(u, action, r);
           can(_: User, action, _: Repo) if not (action = "x" or action = "y");"#,
    ];
    for policy in policies {
        let mut oso = Oso::new();
        oso.register_class(refused::User::get_polar_class()).unwrap();
        oso.register_class(refused::Repo::get_polar_class()).unwrap();
        oso.load_str(policy).unwrap();
        let user = refused::User { admin: true };
        assert_eq!(oso_holds(&oso, "allow", (user.clone(), "read", refused::Repo {})), Ok(true), "{policy}");
        let args = (user, PolarValue::Variable("action".into()), refused::Repo {});
        let theirs = oso_enumerate(&oso, "allow", args, "action");
        assert!(theirs.as_ref().is_err_and(|e| e.contains("Expression")), "{policy}: {theirs:?}");
    }
}
