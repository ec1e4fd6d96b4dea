//! Runtime support for Rust code generated from Polar policies by the `polar!` macro and
//! `polar_compiler::Builder`.
//!
//! The compiler never sees the application's Rust types: it emits code over the traits of this
//! crate and lets rustc do the typing (see `docs/backend-design.md`). After monomorphization
//! every trait call below is a direct field access, comparison or loop: nothing here allocates,
//! panics or uses `unsafe`.
//!
//! | trait / item | Polar construct | implemented by |
//! |---|---|---|
//! | [`PolarClass`] | class names, specializers | `#[derive(PolarClass)]` |
//! | [`Field<H>`](Field) | `x.name` | the derive, one impl per visible field |
//! | [`Polar`] / [`View`] | dynamic dispatch on a value's Polar type | primitives, collections, the derive |
//! | [`Bare`] | looks through `Box`, `Rc`, `Arc`, `&`, `Cow` | primitives, collections, the derive |
//! | [`Unify`] | `=` (and `in`) | compatible primitive pairs, classes with `PartialEq`, `Option` × `nil` |
//! | [`Equal`] | `==` | as `Unify`, plus booleans × numbers |
//! | [`Compare`] | `!= < <= > >=` | numbers, strings, booleans (not classes: Oso's Rust host refuses) |
//! | [`Number`] | `+ - * / mod rem` | integers and floats via [`ToNumber`] |
//! | [`Members`] / [`Pairs`] / [`Dict`] | `x in y` / `[k, v] in y` / `{a: x} = y` | `Vec`, slices, arrays, sets, `Option`, strings / maps and collections of lists / maps |
//! | [`Lookup<H>`](Lookup) / [`PolarList`] | `x.name` / `[a, b] = x` | fields and string-keyed maps / list types |
//!
//! A missing impl is the compile error for a policy that compares incompatible types. The
//! generated code calls the operators as free functions (`polar_runtime::unify`, `equal`,
//! `compare`, `add`…) whose bounds make rustc name both types in the message
//! ("a Polar policy unifies `String` with `i64` (`=`), which can never succeed"):
//!
//! ```compile_fail,E0277
//! let _ = polar_runtime::unify(&String::from("1"), &1i64); // a string and a number
//! ```
//! ```compile_fail,E0277
//! let _ = polar_runtime::unify(&true, &1i64); // Oso: `true = 1` is false, `true == 1` true
//! ```
//! ```compile_fail,E0277
//! let _ = polar_runtime::compare("a", polar_runtime::CmpOp::Lt, &1i64);
//! ```
//! ```compile_fail,E0277
//! let _ = polar_runtime::unify(&Some(1i64), &1i64); // Oso: an `Option` is not its content
//! ```
//! ```compile_fail,E0277
//! let _ = polar_runtime::unify(&1u128, &1i64); // u128 is not supported
//! ```
//! ```compile_fail,E0277
//! let _ = polar_runtime::add("a", &1i64); // arithmetic on a string
//! ```
//! ```compile_fail,E0277
//! #[derive(polar_runtime::PolarClass, PartialEq)]
//! struct Org { id: u64 }
//! // Oso's Rust host supports only `==` on instances.
//! let _ = polar_runtime::compare(&Org { id: 1 }, polar_runtime::CmpOp::Ne, &Org { id: 2 });
//! ```
//! ```compile_fail,E0277
//! #[derive(polar_runtime::PolarClass)]
//! struct Org { id: u64 }
//! let _ = polar_runtime::unify(&Org { id: 1 }, &Org { id: 1 }); // no PartialEq
//! ```
//!
//! # Features
//!
//! - `sqlx`: `Filter::fetch_all_sqlite` and `Filter::fetch_all_postgres`, a filter's rows in one call.
//! - `axum`: the module `polar_runtime::axum`, the web integration: `AuthorizationError` as an
//!   axum response (404, 403, 500), the `Actor<U>` extractor over the application's own
//!   `Authenticate`, and `AuthorizeLayer`, a tower layer for route-level checks.
//!
//! # Integers
//!
//! Polar's integers are `i64`. Oso's Rust host converts `i8`…`i64`, `u8`…`u32` and has no
//! conversion at all for `u64`, `usize`, `isize`, `i128` and `u128` (`host/to_polar.rs`), so a
//! policy over such a field could not be run by Oso. Here every integer type except `u128` is
//! supported, with its exact mathematical value: `=`, `==`, `<`… compare exactly across all
//! widths and floats (Oso's exact `i64`/`f64` comparison of `numerics.rs`, extended to
//! `i128`). Arithmetic works on `i64` like Oso's: an operand outside `i64` (e.g. a `u64`
//! above `i64::MAX`) is the run-time error [`RuntimeError::IntegerOutOfRange`], which denies.
//! `u128` implements none of the traits, so using it is a compile error.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Lets the derive's `::polar_runtime::...` paths resolve inside this crate's own tests.
extern crate self as polar_runtime;

mod actions;
mod arith;
#[cfg(feature = "axum")]
pub mod axum;
mod class;
mod cmp;
mod error;
pub mod filter;
mod lookup;
mod members;
mod num;
#[doc(hidden)]
#[allow(missing_docs)]
pub mod support;
mod support_values;
mod typed;
mod typed_arith;
mod view;

pub use actions::{Allowed, AllowedIter, InlineQueryError};
pub use arith::{Number, ToNumber};
pub use class::{Bare, Field, PolarClass, field_hash};
pub use cmp::{Compare, Equal, Unify};
// What only generated code names: the operators as free functions (whose trait bounds make
// rustc's message name both types) and `nil`. Public, so the expansion can reach them, and
// hidden, so the documentation shows the API a user writes against.
#[doc(hidden)]
pub use arith::{ArithOp, add, div, modulo, mul, rem, sub};
#[doc(hidden)]
pub use cmp::{CmpOp, Nil, compare, equal, unify};
pub use error::{AuthorizationError, RuntimeError};
pub use lookup::{Lookup, PolarList};
pub use members::{Dict, Members, Pairs};
pub use typed::{ActionEnum, ActionSet, UnknownAction};
pub use view::{DictView, ListView, Polar, View};

/// `#[derive(PolarClass)]`: makes a struct (or a unit-only enum) a Polar class.
///
/// Generates `impl PolarClass` (the class name), `impl Polar` ([`View::Instance`]),
/// `impl Bare` and one `impl Field<{field_hash("name")}>` per named field.
///
/// - `#[polar(class_name = "Name")]` on the type: the class name in policies (default: the
///   type's name). `Actor` and `Resource` are reserved, as in Oso.
/// - `#[polar(skip)]` on a field: the field is invisible to policies.
/// - `#[polar(attribute)]` on a field is accepted and ignored (every field is visible by
///   default; this keeps types ported from Oso compiling).
/// - Other attributes (`#[serde(...)]`, docs, ...) are ignored. Generic types are refused.
///
/// ```
/// use polar_runtime::{Field, PolarClass, field_hash};
///
/// #[derive(PolarClass)]
/// #[polar(class_name = "Repository")]
/// struct Repo {
///     id: u64,
///     #[polar(skip)]
///     secret: String,
/// }
///
/// let repo = Repo { id: 7, secret: String::new() };
/// assert_eq!(<Repo as PolarClass>::NAME, "Repository");
/// assert_eq!(<Repo as PolarClass>::FIELDS, ["id"]);
/// assert_eq!(*<Repo as Field<{ field_hash("id") }>>::get(&repo), 7);
/// # let _ = &repo.secret;
/// ```
///
/// A skipped field has no `Field` impl:
///
/// ```compile_fail,E0277
/// #[derive(polar_runtime::PolarClass)]
/// struct Repo { #[polar(skip)] secret: String }
/// let repo = Repo { secret: String::new() };
/// let _ = <Repo as polar_runtime::Field<{ polar_runtime::field_hash("secret") }>>::get(&repo);
/// ```
///
/// Generic types are refused ("`#[derive(PolarClass)]` does not support generic types"):
///
/// ```compile_fail
/// #[derive(polar_runtime::PolarClass)]
/// struct Wrapper<T> { inner: T }
/// ```
pub use polar_macros::PolarClass;

/// Compiles a Polar policy into items of the enclosing module, at build time.
///
/// `polar!(file = "policies/app.polar")` (a path relative to the crate's `Cargo.toml`) or
/// `polar!(source = "...")`. Class names in the policy resolve to the Rust types of the same
/// name in scope. Errors in the policy are build errors that name the policy's
/// `path:line:column`. Generates, with Oso's semantics:
///
/// | item | what it answers |
/// |---|---|
/// | `is_allowed(&actor, action, &resource) -> bool` | whether `allow(actor, action, resource)` holds; a run-time error denies |
/// | `try_is_allowed(..) -> Result<bool, RuntimeError>` | the same, run-time errors visible |
/// | `authorize(&actor, action, &resource) -> Result<Authorized<'_, R, Act>, AuthorizationError>` | the proof of the check when allowed; `NotFound` when the actor may not even `"read"` the resource (or the action is `"read"`), else `Forbidden` |
/// | `authorized_actions(&actor, &resource) -> ActionSet<RAction>` | every action `allow` binds, over the resource's action enum; a run-time error gives the empty set |
/// | `authorized_action_names(&actor, &resource) -> Allowed` | the same as strings, for any resource type |
/// | `try_authorized_actions`, `try_authorized_action_names` | the same, run-time errors visible |
/// | `<Class>Action` (`RepoAction`), `actions::<Action>` (`actions::Push`) | the actions the policy names for each resource class: an enum with `ALL`, `NAMES`, `as_str`, `FromStr`; one unit type per action |
/// | `Authorized<'r, R, Act>` | the proof `authorize` returns: only it constructs one, so a function can demand it |
/// | `authorize_request(&actor, &request) -> Result<(), AuthorizationError>` | `allow_request(actor, request)`, else `Forbidden` (only when the policy has `allow_request` rules) |
/// | `authorize_field(&actor, action, &resource, field) -> Result<(), AuthorizationError>` | `allow_field(actor, action, resource, field)`, else `Forbidden` (only with `allow_field` rules) |
/// | `authorized_fields(&actor, action, &resource) -> Allowed`, `try_authorized_fields` | every field `allow_field` binds (only with `allow_field` rules) |
/// | `rules::<name>(..) -> Result<bool, RuntimeError>` | whether any rule holds (`rules::has_role(&user, "admin", &org)`; `rules::<name>_<arity>` when a name has several arities) |
/// | `check_inline_queries() -> Result<(), InlineQueryError>` | whether every inline query `?= goal;` has a solution (Oso refuses to load the policy otherwise) |
/// | one `#[test] fn inline_query_<file>_line_<n>()` per inline query | the same, as a test of the crate that expands the macro |
///
/// Actions are typed or strings: every `action` argument takes a variant of the resource's
/// action enum (`RepoAction::Push`, parsed from a URL with `FromStr` into an
/// [`UnknownAction`] error), a unit type (`actions::Push`), or a string (`"push"`) for dynamic
/// use. A misspelled typed action does not compile. The enum's variants are the resource
/// block's permissions, then the literal actions of the `allow` and `has_permission` clauses that
/// can take the class as their resource.
///
/// [`Allowed`] is the set of actions (or fields) as strings: the policy's string literals are
/// stored without allocating; [`ActionSet`] is its typed view. A clause that allows every action (`allow(_: User, _action, _: Repo)`)
/// makes it a [wildcard](Allowed::is_wildcard), where Oso raises an error unless
/// `allow_wildcard`. Actions and fields are strings: a non-string one is a run-time error, as
/// in Oso's Rust `get_allowed_actions::<String>`. When the policy binds the action in a way the
/// compiler cannot enumerate (through a recursive rule, or with a constraint on the unbound
/// action, a specializer `action: String` that nothing binds or `not action = "x"`, which Oso
/// turns into a constraint its hosts report as an error, or `forall(x in xs, action = "x")`,
/// whose two negations Oso turns back into a binding),
/// `authorized_actions` is still generated, so that the rest of the policy compiles, but
/// *using* it is a build error (from `cargo build`, not `cargo check`) that gives the reason
/// and the policy location; the same holds for `authorized_fields`.
///
/// Expanded inside a function body the items work the same, except the inline-query tests:
/// Rust runs no test that is not a module-level item (rustc warns "cannot test inner items");
/// call `check_inline_queries()` instead.
///
/// ```
/// use polar_runtime::PolarClass;
///
/// #[derive(PolarClass)]
/// struct User { name: String }
/// #[derive(PolarClass)]
/// struct Repo { public: bool }
///
/// polar_runtime::polar!(source = r#"
///     allow(_: User, "read", repo: Repo) if repo.public;
///     allow(user: User, _action, _: Repo) if user.name = "admin";
/// "#);
///
/// let (alice, admin) = (User { name: "alice".into() }, User { name: "admin".into() });
/// let (public, private) = (Repo { public: true }, Repo { public: false });
/// assert!(is_allowed(&alice, "read", &public));
/// assert!(!is_allowed(&alice, "read", &private));
/// assert!(is_allowed(&admin, "delete", &private));
///
/// let actions = authorized_actions(&alice, &public); // typed: a set of `RepoAction`
/// assert_eq!(actions.iter().collect::<Vec<_>>(), [RepoAction::Read]);
/// assert!(authorized_actions(&admin, &private).is_wildcard()); // any action
/// assert!(authorized_action_names(&alice, &private).is_empty()); // the same, as strings
/// assert_eq!("read".parse::<RepoAction>(), Ok(RepoAction::Read));
/// assert!("raed".parse::<RepoAction>().unwrap_err().to_string().contains("did you mean \"read\"?"));
/// ```
///
/// The proof of a check: a function that demands `Authorized` cannot be called without one.
///
/// ```
/// # use polar_runtime::PolarClass;
/// # #[derive(PolarClass)] struct User { name: String }
/// # #[derive(PolarClass)] struct Repo { public: bool }
/// polar_runtime::polar!(source = r#"
///     allow(_: User, "read", repo: Repo) if repo.public;
///     allow(user: User, "delete", _: Repo) if user.name = "admin";
/// "#);
///
/// fn delete(repo: Authorized<'_, Repo, actions::Delete>) -> bool { !repo.public }
///
/// let (admin, repo) = (User { name: "admin".into() }, Repo { public: false });
/// let proof = authorize(&admin, actions::Delete, &repo).unwrap();
/// assert!(delete(proof));
/// let alice = User { name: "alice".into() };
/// assert_eq!(authorize(&alice, actions::Delete, &repo).err(), Some(polar_runtime::AuthorizationError::NotFound));
/// assert!(is_allowed(&alice, RepoAction::Read, &Repo { public: true }));
/// ```
///
/// Inline queries, fields and requests:
///
/// ```
/// use polar_runtime::{AuthorizationError, PolarClass};
///
/// #[derive(PolarClass)]
/// struct User { name: String }
/// #[derive(PolarClass)]
/// struct Doc { owner: String }
/// #[derive(PolarClass)]
/// struct Request { path: String }
///
/// polar_runtime::polar!(source = r#"
///     allow_field(_: User, "read", _: Doc, "title");
///     allow_field(user: User, "read", doc: Doc, "body") if doc.owner = user.name;
///     allow_request(_: User, request: Request) if request.path = "/";
///     public("title");
///     ?= public("title");
/// "#);
///
/// let (ann, doc) = (User { name: "ann".into() }, Doc { owner: "ann".into() });
/// assert_eq!(authorized_fields(&ann, "read", &doc).iter().collect::<Vec<_>>(), ["title", "body"]);
/// assert_eq!(authorize_field(&ann, "write", &doc, "title"), Err(AuthorizationError::Forbidden));
/// assert_eq!(authorize_request(&ann, &Request { path: "/".into() }), Ok(()));
/// assert_eq!(check_inline_queries(), Ok(()));
/// ```
///
/// Using `authorized_actions` of a policy where it is unavailable does not build:
///
/// ```compile_fail,E0080
/// #[derive(polar_runtime::PolarClass)]
/// struct User { admin: bool }
///
/// polar_runtime::polar!(source = r#"allow(user: User, _action: String, _: User) if user.admin;"#);
///
/// let user = User { admin: true };
/// assert!(is_allowed(&user, "read", &user)); // fine
/// let _ = authorized_action_names(&user, &user); // "authorized_actions is not available for this policy: ..."
/// ```
pub use polar_macros::polar;
