//! Errors of the API: every one a status and a JSON body `{"error": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polar_runtime::AuthorizationError;
use polar_runtime::filter::FilterError;

/// What a handler or an extractor answers instead of its item.
#[derive(Debug)]
pub enum ApiError {
    /// A refusal of the policy: 404 (cannot read), 403 (cannot do), 500 (the policy failed),
    /// answered by `polar_runtime::axum`'s response.
    Authorization(AuthorizationError),
    /// The item does not exist: 404, the same answer as an item the caller may not read.
    NotFound,
    /// No `x-user` header, or no such user: 401.
    Unauthorized,
    /// A malformed request (id, query string, body): its status (400, 413, 415, 422) and why.
    Invalid(StatusCode, String),
    /// The database failed or is gone: 503. Nothing was listed or written.
    Unavailable,
    /// The policy's filter could not be built: 500. Nothing was listed.
    Filter,
}

impl ApiError {
    /// A 400 with a reason.
    pub fn bad_request(why: impl Into<String>) -> Self {
        ApiError::Invalid(StatusCode::BAD_REQUEST, why.into())
    }

    /// A 422 with a reason.
    pub fn unprocessable(why: impl Into<String>) -> Self {
        ApiError::Invalid(StatusCode::UNPROCESSABLE_ENTITY, why.into())
    }
}

fn json(status: StatusCode, error: &str) -> Response {
    (status, Json(serde_json::json!({ "error": error }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Authorization(e) => e.into_response(),
            ApiError::NotFound => json(StatusCode::NOT_FOUND, "not found"),
            ApiError::Unauthorized => {
                json(StatusCode::UNAUTHORIZED, "unauthorized: name a known user in x-user")
            }
            ApiError::Invalid(status, why) => json(status, &why),
            ApiError::Unavailable => json(StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
            ApiError::Filter => json(StatusCode::INTERNAL_SERVER_ERROR, "authorization failed"),
        }
    }
}

impl From<AuthorizationError> for ApiError {
    fn from(e: AuthorizationError) -> Self {
        if let AuthorizationError::Runtime(e) = e {
            tracing::error!(error = %e, "the policy failed");
        }
        ApiError::Authorization(e)
    }
}

impl From<FilterError> for ApiError {
    fn from(e: FilterError) -> Self {
        tracing::error!(error = %e, "the policy's filter failed");
        ApiError::Filter
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            // The parent of a new row was deleted between its check and the insert.
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => ApiError::NotFound,
            _ => {
                tracing::error!(error = %e, "database error");
                ApiError::Unavailable
            }
        }
    }
}
