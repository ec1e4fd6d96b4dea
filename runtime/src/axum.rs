//! [axum](https://docs.rs/axum) and [tower](https://docs.rs/tower) integration (feature `axum`).
//!
//! - [`AuthorizationError`] is an [`IntoResponse`]: `NotFound` → 404, `Forbidden` → 403,
//!   `Runtime(_)` → 500 (a policy that fails denies), each with a small JSON body such as
//!   `{"error":"not found"}`.
//! - [`Authenticate`] is how the application turns a request into its actor (a session cookie,
//!   a bearer token, a header: the application's own authentication), and [`Actor<U>`] the
//!   extractor that runs it in a handler. When a layer already authenticated the request and
//!   put the `U` into the request's extensions, the extractor takes that one instead.
//! - [`AuthorizeLayer`] (a tower [`Layer`], whose service is [`AuthorizeService`]) makes a
//!   coarse check before the route runs: it authenticates the actor, runs a pure function of
//!   the actor and the request head, and answers with the refusal or forwards the request with
//!   the actor in its extensions. Checks on the resource itself (`authorize(&user, "push",
//!   &repo)`) stay in the handler, where the resource is loaded.
//!
//! ```
//! use axum::{Router, http::request::Parts, routing::get};
//! use polar_runtime::AuthorizationError;
//! use polar_runtime::axum::{Actor, Authenticate, AuthorizeLayer};
//!
//! #[derive(Clone)]
//! struct User { name: String, admin: bool }
//!
//! impl<S: Sync> Authenticate<S> for User {
//!     type Rejection = axum::http::StatusCode;
//!
//!     async fn authenticate(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
//!         match parts.headers.get("x-user").and_then(|v| v.to_str().ok()) {
//!             Some(name) => Ok(User { name: name.to_owned(), admin: name == "root" }),
//!             None => Err(axum::http::StatusCode::UNAUTHORIZED),
//!         }
//!     }
//! }
//!
//! async fn whoami(Actor(user): Actor<User>) -> String {
//!     user.name
//! }
//!
//! let admin_only = AuthorizeLayer::new((), |user: &User, _: &Parts| {
//!     if user.admin { Ok(()) } else { Err(AuthorizationError::Forbidden) }
//! });
//! let app: Router = Router::new()
//!     .route("/admin/whoami", get(whoami))
//!     .route_layer(admin_only)
//!     .route("/whoami", get(whoami));
//! # let _ = app;
//! ```

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::extract::FromRequestParts;
use ::axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::request::Parts;
use http::{HeaderValue, Request, StatusCode};
use tower::{Layer, Service};

use crate::AuthorizationError;

impl IntoResponse for AuthorizationError {
    /// `NotFound` → 404 `{"error":"not found"}`, `Forbidden` → 403 `{"error":"forbidden"}`,
    /// `Runtime(_)` → 500 `{"error":"authorization failed"}`: a policy that fails denies, and
    /// its error stays on the server.
    fn into_response(self) -> Response {
        let (status, body) = match self {
            AuthorizationError::NotFound => (StatusCode::NOT_FOUND, r#"{"error":"not found"}"#),
            AuthorizationError::Forbidden => (StatusCode::FORBIDDEN, r#"{"error":"forbidden"}"#),
            AuthorizationError::Runtime(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, r#"{"error":"authorization failed"}"#)
            }
        };
        let mut response = (status, body).into_response();
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// How the application finds the actor of a request: its own authentication (a session, a
/// token, a header), implemented for its user type.
///
/// `S` is the router's state (the database pool that knows the users, for instance). The
/// rejection is the response when authentication fails, typically 401.
pub trait Authenticate<S>: Sized + Clone + Send + Sync + 'static {
    /// The response when the request has no valid actor.
    type Rejection: IntoResponse;

    /// The actor of the request, or why there is none.
    fn authenticate(
        parts: &mut Parts,
        state: &S,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send;
}

/// The authenticated actor of a request, as a handler argument: `Actor(user): Actor<User>`.
///
/// Extracting it takes the `U` that a layer (such as [`AuthorizeLayer`]) put into the
/// request's extensions, and otherwise runs [`Authenticate::authenticate`]; its rejection is
/// the response when that fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor<U>(pub U);

impl<U> Actor<U> {
    /// The actor itself.
    pub fn into_inner(self) -> U {
        self.0
    }
}

impl<U> std::ops::Deref for Actor<U> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.0
    }
}

impl<S, U> FromRequestParts<S> for Actor<U>
where
    S: Send + Sync,
    U: Authenticate<S>,
{
    type Rejection = U::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<U>() {
            return Ok(Actor(user.clone()));
        }
        U::authenticate(parts, state).await.map(Actor)
    }
}

/// A tower [`Layer`] for coarse, route-level checks: for each request it authenticates the
/// actor ([`Authenticate`]), runs `check(&actor, &parts)` (a pure function: no I/O, no
/// locks), and either answers with the rejection or the [`AuthorizationError`], or forwards
/// the request with the actor inserted into its extensions (where [`Actor<U>`] finds it).
///
/// `S` is the state handed to [`Authenticate::authenticate`]. With axum, apply it with
/// `Router::route_layer` so that unknown routes stay 404 rather than 401.
pub struct AuthorizeLayer<U, S, F> {
    state: S,
    check: Arc<F>,
    actor: PhantomData<fn() -> U>,
}

impl<U, S, F> AuthorizeLayer<U, S, F>
where
    U: Authenticate<S>,
    F: Fn(&U, &Parts) -> Result<(), AuthorizationError>,
{
    /// The layer that authenticates with `state` and admits the requests `check` accepts.
    pub fn new(state: S, check: F) -> Self {
        AuthorizeLayer { state, check: Arc::new(check), actor: PhantomData }
    }
}

impl<U, S: Clone, F> Clone for AuthorizeLayer<U, S, F> {
    fn clone(&self) -> Self {
        AuthorizeLayer { state: self.state.clone(), check: Arc::clone(&self.check), actor: PhantomData }
    }
}

impl<U, S, F> std::fmt::Debug for AuthorizeLayer<U, S, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizeLayer").field("actor", &std::any::type_name::<U>()).finish_non_exhaustive()
    }
}

impl<I, U, S: Clone, F> Layer<I> for AuthorizeLayer<U, S, F> {
    type Service = AuthorizeService<I, U, S, F>;

    fn layer(&self, inner: I) -> Self::Service {
        AuthorizeService {
            inner,
            state: self.state.clone(),
            check: Arc::clone(&self.check),
            actor: PhantomData,
        }
    }
}

/// The [`Service`] of an [`AuthorizeLayer`] around the service `I`.
pub struct AuthorizeService<I, U, S, F> {
    inner: I,
    state: S,
    check: Arc<F>,
    actor: PhantomData<fn() -> U>,
}

impl<I: Clone, U, S: Clone, F> Clone for AuthorizeService<I, U, S, F> {
    fn clone(&self) -> Self {
        AuthorizeService {
            inner: self.inner.clone(),
            state: self.state.clone(),
            check: Arc::clone(&self.check),
            actor: PhantomData,
        }
    }
}

impl<I, U, S, F> std::fmt::Debug for AuthorizeService<I, U, S, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizeService").field("actor", &std::any::type_name::<U>()).finish_non_exhaustive()
    }
}

impl<I, U, S, F, B> Service<Request<B>> for AuthorizeService<I, U, S, F>
where
    I: Service<Request<B>> + Clone + Send + 'static,
    I::Response: IntoResponse,
    I::Future: Send,
    U: Authenticate<S>,
    S: Clone + Send + Sync + 'static,
    F: Fn(&U, &Parts) -> Result<(), AuthorizationError> + Send + Sync + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = I::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, I::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), I::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service that was polled ready is the one that gets the request (tower's rule);
        // the clone stays behind for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let state = self.state.clone();
        let check = Arc::clone(&self.check);
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let user = match parts.extensions.get::<U>() {
                Some(user) => user.clone(),
                None => match U::authenticate(&mut parts, &state).await {
                    Ok(user) => user,
                    Err(rejection) => return Ok(rejection.into_response()),
                },
            };
            if let Err(e) = check(&user, &parts) {
                return Ok(e.into_response());
            }
            parts.extensions.insert(user);
            inner.call(Request::from_parts(parts, body)).await.map(IntoResponse::into_response)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ::axum::Router;
    use ::axum::body::{Body, to_bytes};
    use ::axum::routing::get;
    use tower::ServiceExt;

    use super::*;
    use crate::RuntimeError;

    #[derive(Clone, Debug, PartialEq)]
    struct User {
        name: String,
    }

    /// The state: the known users, and how often authentication ran.
    #[derive(Clone, Default)]
    struct Users {
        names: Arc<Vec<&'static str>>,
        calls: Arc<AtomicUsize>,
    }

    impl Authenticate<Users> for User {
        type Rejection = (StatusCode, &'static str);

        async fn authenticate(parts: &mut Parts, state: &Users) -> Result<Self, Self::Rejection> {
            state.calls.fetch_add(1, Ordering::SeqCst);
            let name = parts.headers.get("x-user").and_then(|v| v.to_str().ok());
            match name {
                Some(name) if state.names.contains(&name) => Ok(User { name: name.to_owned() }),
                _ => Err((StatusCode::UNAUTHORIZED, "who are you?")),
            }
        }
    }

    fn users() -> Users {
        Users { names: Arc::new(vec!["alice", "bob"]), calls: Arc::default() }
    }

    async fn body(response: Response) -> String {
        String::from_utf8(to_bytes(response.into_body(), 1 << 16).await.unwrap().to_vec()).unwrap()
    }

    fn request(path: &str, user: Option<&str>) -> Request<Body> {
        let mut builder = Request::builder().uri(path);
        if let Some(user) = user {
            builder = builder.header("x-user", user);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn errors_are_json_responses() {
        let cases = [
            (AuthorizationError::NotFound, 404, r#"{"error":"not found"}"#),
            (AuthorizationError::Forbidden, 403, r#"{"error":"forbidden"}"#),
            (
                AuthorizationError::Runtime(RuntimeError::IntegerOutOfRange),
                500,
                r#"{"error":"authorization failed"}"#,
            ),
        ];
        for (error, status, text) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status, "{error:?}");
            assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
            assert_eq!(body(response).await, text);
        }
    }

    async fn whoami(Actor(user): Actor<User>) -> String {
        user.name
    }

    #[tokio::test]
    async fn the_extractor_authenticates() {
        let state = users();
        let app = Router::new().route("/whoami", get(whoami)).with_state(state.clone());
        let response = app.clone().oneshot(request("/whoami", Some("alice"))).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body(response).await, "alice");
        for user in [None, Some("mallory")] {
            let response = app.clone().oneshot(request("/whoami", user)).await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{user:?}");
            assert_eq!(body(response).await, "who are you?");
        }
        assert_eq!(state.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn the_extractor_reuses_an_actor_in_the_extensions() {
        let state = users();
        let app = Router::new().route("/whoami", get(whoami)).with_state(state.clone());
        let mut req = request("/whoami", Some("alice"));
        req.extensions_mut().insert(User { name: "bob".into() });
        let response = app.oneshot(req).await.unwrap();
        assert_eq!(body(response).await, "bob");
        assert_eq!(state.calls.load(Ordering::SeqCst), 0, "authentication did not run again");
    }

    /// Only alice may reach `/admin/...`; anyone known may reach the rest.
    fn admin_check(user: &User, parts: &Parts) -> Result<(), AuthorizationError> {
        if !parts.uri.path().starts_with("/admin") || user.name == "alice" {
            Ok(())
        } else {
            Err(AuthorizationError::Forbidden)
        }
    }

    #[tokio::test]
    async fn the_layer_checks_and_forwards_the_actor() {
        let state = users();
        let app = Router::new()
            .route("/admin/whoami", get(whoami))
            .route("/whoami", get(whoami))
            .route_layer(AuthorizeLayer::new(state.clone(), admin_check))
            .with_state(state.clone());
        let cases = [
            ("/admin/whoami", Some("alice"), 200, "alice"),
            ("/admin/whoami", Some("bob"), 403, r#"{"error":"forbidden"}"#),
            ("/admin/whoami", Some("mallory"), 401, "who are you?"),
            ("/admin/whoami", None, 401, "who are you?"),
            ("/whoami", Some("bob"), 200, "bob"),
        ];
        for (path, user, status, text) in cases {
            let response = app.clone().oneshot(request(path, user)).await.unwrap();
            assert_eq!(response.status().as_u16(), status, "{path} as {user:?}");
            assert_eq!(body(response).await, text, "{path} as {user:?}");
        }
        // The layer authenticated once per request; the extractor reused its actor.
        assert_eq!(state.calls.load(Ordering::SeqCst), cases.len());
        // Route layers leave unknown routes alone.
        let response = app.oneshot(request("/nowhere", None)).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn the_layer_around_a_plain_service() {
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&seen);
        let inner = tower::service_fn(move |req: Request<Body>| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let user = req.extensions().get::<User>().cloned();
                Ok::<_, Infallible>(format!("hello {}", user.map(|u| u.name).unwrap_or_default()))
            }
        });
        let runtime_error =
            |_: &User, _: &Parts| Err(AuthorizationError::Runtime(RuntimeError::IntegerOutOfRange));
        let failing = AuthorizeLayer::new(users(), runtime_error).layer(inner.clone());
        let response = failing.oneshot(request("/", Some("alice"))).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "a failing check denies");
        assert_eq!(seen.load(Ordering::SeqCst), 0, "the inner service never ran");

        let passing = AuthorizeLayer::new(users(), |_: &User, _: &Parts| Ok(())).layer(inner);
        let response = passing.oneshot(request("/", Some("bob"))).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body(response).await, "hello bob");
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn actor_accessors() {
        let actor = Actor(User { name: "alice".into() });
        assert_eq!(actor.name, "alice");
        assert_eq!(actor.into_inner(), User { name: "alice".into() });
        let layer = AuthorizeLayer::new(users(), admin_check);
        assert!(format!("{:?}", layer.clone()).contains("AuthorizeLayer"));
    }
}
