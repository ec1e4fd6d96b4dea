//! The endpoints, one file per collection. Each handler loads what it names (404 when it does
//! not exist), asks the policy (`crate::authz`: 404 when the caller may not read it, 403 when
//! it may read but not act), and only then reads further or writes. Lists are the policy's SQL
//! filter combined with the caller's conditions, ordered by id, one page.

pub mod issues;
pub mod orgs;
pub mod repos;
pub mod users;

use crate::error::ApiError;

/// Names and titles are at most this many characters.
pub const MAX_TEXT: usize = 200;

/// A name or title of a new item: not blank, at most [`MAX_TEXT`] characters, no control
/// characters; else 422.
pub fn text(field: &str, value: String) -> Result<String, ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::unprocessable(format!("{field} must not be empty")));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(ApiError::unprocessable(format!("{field} is longer than {MAX_TEXT} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::unprocessable(format!("{field} has control characters")));
    }
    Ok(value)
}
