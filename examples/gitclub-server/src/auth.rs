//! Authentication: the caller is the user the `x-user` header names. This is a stand-in for
//! real authentication (a session, a token), plugged into `polar_runtime::axum` the same way.

use axum::http::request::Parts;
use polar_runtime::axum::Authenticate;

use crate::AppState;
use crate::error::ApiError;
use crate::load;
use crate::models::User;

/// The header naming the caller.
pub const USER_HEADER: &str = "x-user";

/// User names are at most this long; a longer header names nobody.
pub const MAX_NAME: usize = 100;

impl Authenticate<AppState> for User {
    type Rejection = ApiError;

    /// The user the `x-user` header names, with its roles; 401 when the header is missing,
    /// not text, or names nobody; 503 when the database fails.
    async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let name =
            parts.headers.get(USER_HEADER).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
        if name.is_empty() || name.len() > MAX_NAME {
            return Err(ApiError::Unauthorized);
        }
        load::user_by_name(&state.db, name).await?.ok_or(ApiError::Unauthorized)
    }
}
