//! `/issues`: one issue, and closing it.

use axum::Json;
use axum::extract::State;
use polar_runtime::axum::Actor;

use crate::AppState;
use crate::authz::{self, actions};
use crate::error::ApiError;
use crate::extract::Id;
use crate::load;
use crate::models::{Issue, User};
use crate::views::IssueView;
use crate::write;

/// The issue `id`, or 404.
async fn find(state: &AppState, id: i64) -> Result<Issue, ApiError> {
    load::issue(&state.db, id).await?.ok_or(ApiError::NotFound)
}

/// `GET /issues/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<Json<IssueView>, ApiError> {
    let issue = find(&state, id).await?;
    authz::authorize(&user, actions::Read, &issue)?;
    Ok(Json(IssueView::new(&user, &issue)))
}

/// `POST /issues/{id}/close`: "close" on the issue; 200 with the closed issue (closing a
/// closed issue changes nothing).
pub async fn close(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<Json<IssueView>, ApiError> {
    let mut issue = find(&state, id).await?;
    let proof = authz::authorize(&user, actions::Close, &issue)?;
    if !write::close_issue(&state.db, proof).await? {
        return Err(ApiError::NotFound); // deleted meanwhile
    }
    issue.closed = true;
    Ok(Json(IssueView::new(&user, &issue)))
}
