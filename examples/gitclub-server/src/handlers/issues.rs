//! `/issues`: one issue, and closing it.

use axum::Json;
use axum::extract::State;
use polar_runtime::axum::Actor;

use crate::AppState;
use crate::authz;
use crate::error::ApiError;
use crate::extract::Id;
use crate::load;
use crate::models::{Issue, User};
use crate::views::IssueView;
use crate::write;

/// The issue `id` if the caller may do `action` to it.
async fn authorized(state: &AppState, user: &User, action: &str, id: i64) -> Result<Issue, ApiError> {
    let issue = load::issue(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    authz::authorize(user, action, &issue)?;
    Ok(issue)
}

/// `GET /issues/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<Json<IssueView>, ApiError> {
    let issue = authorized(&state, &user, "read", id).await?;
    Ok(Json(IssueView::new(&user, &issue)))
}

/// `POST /issues/{id}/close`: "close" on the issue; 200 with the closed issue (closing a
/// closed issue changes nothing).
pub async fn close(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<Json<IssueView>, ApiError> {
    let mut issue = authorized(&state, &user, "close", id).await?;
    if !write::close_issue(&state.db, id).await? {
        return Err(ApiError::NotFound); // deleted meanwhile
    }
    issue.closed = true;
    Ok(Json(IssueView::new(&user, &issue)))
}
