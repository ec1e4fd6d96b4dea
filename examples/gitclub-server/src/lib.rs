//! GitClub over HTTP: an axum server whose every permission check, permission list and
//! filtered list comes from the GitClub policy (`../policies/gitclub.polar`, unchanged)
//! compiled ahead of time, with lists run as SQL filters on SQLite or PostgreSQL.
//!
//! | module | what it holds |
//! |---|---|
//! | [`models`] | the Polar classes, mapped to tables |
//! | [`authz`] | the compiled policy; the only caller of its API; the `authz` log events |
//! | [`auth`] | who the caller is: the `x-user` header (`polar_runtime::axum::Authenticate`) |
//! | [`handlers`] | the endpoints |
//! | [`views`] | the JSON items, with the caller's `permissions` |
//! | [`extract`] | ids, pages and JSON bodies, with JSON errors |
//! | [`error`] | [`error::ApiError`], each error a status and `{"error": ...}` |
//! | [`db`] | the pools, the migrations, statements with bound parameters |
//! | [`load`], [`write`] | the reads and the writes |
//! | [`world`] | the demo and random worlds |

#![forbid(unsafe_code)]

pub mod auth;
pub mod authz;
pub mod db;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod load;
pub mod models;
pub mod views;
pub mod world;
pub mod write;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::request::Parts;
use axum::routing::{get, post};
use polar_runtime::axum::AuthorizeLayer;

use crate::db::Db;
use crate::error::ApiError;
use crate::models::User;

/// What every handler shares: the database.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The pool.
    pub db: Db,
}

/// Request bodies are at most this many bytes (16 KiB); a larger one is a 413.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The application: every route of the API.
///
/// `GET /users` is public. Every other route first authenticates the caller (`x-user`) in a
/// route layer ([`AuthorizeLayer`], whose check admits any known user): 401 comes before any
/// other answer, and handlers take the actor it found (`Actor<User>`).
pub fn app(state: AppState) -> Router {
    let authenticated = AuthorizeLayer::new(state.clone(), |_: &User, _: &Parts| Ok(()));
    let api = Router::new()
        .route("/orgs", get(handlers::orgs::list))
        .route("/orgs/{id}", get(handlers::orgs::get))
        .route("/orgs/{id}/repos", get(handlers::orgs::list_repos).post(handlers::orgs::create_repo))
        .route("/repos", get(handlers::repos::list))
        .route("/repos/{id}", get(handlers::repos::get).delete(handlers::repos::delete))
        .route("/repos/{id}/issues", get(handlers::repos::list_issues).post(handlers::repos::create_issue))
        .route("/issues/{id}", get(handlers::issues::get))
        .route("/issues/{id}/close", post(handlers::issues::close))
        .route_layer(authenticated);
    Router::new()
        .route("/users", get(handlers::users::list))
        .merge(api)
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async {
            ApiError::Invalid(axum::http::StatusCode::METHOD_NOT_ALLOWED, "method not allowed".into())
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}
