//! `/repos`: repositories, and their issues.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use polar_runtime::axum::Actor;
use sea_query::{Condition, Expr};
use serde::Deserialize;

use crate::AppState;
use crate::authz;
use crate::error::ApiError;
use crate::extract::{Body, Id};
use crate::load::{self, Page, col};
use crate::models::{Issue, Repo, User};
use crate::views::{IssueView, RepoView};
use crate::write;

/// `GET /repos`: every repository the caller may read, `?limit=&offset=` in SQL.
pub async fn list(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    page: Page,
) -> Result<Json<Vec<RepoView>>, ApiError> {
    let cond = authz::filter::<Repo>(&user, "read")?;
    let repos = load::repos(&state.db, cond, page).await?;
    Ok(Json(repos.iter().map(|r| RepoView::new(&user, r)).collect()))
}

/// The repository `id` if the caller may do `action` to it.
async fn authorized(state: &AppState, user: &User, action: &str, id: i64) -> Result<Repo, ApiError> {
    let repo = load::repo(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    authz::authorize(user, action, &repo)?;
    Ok(repo)
}

/// `GET /repos/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<Json<RepoView>, ApiError> {
    let repo = authorized(&state, &user, "read", id).await?;
    Ok(Json(RepoView::new(&user, &repo)))
}

/// `DELETE /repos/{id}`: "delete" on the repository; deletes it with its issues and the roles
/// on it, in one transaction; 204.
pub async fn delete(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    authorized(&state, &user, "delete", id).await?;
    if !write::delete_repo(&state.db, id).await? {
        return Err(ApiError::NotFound); // deleted meanwhile
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /repos/{id}/issues`: "list_issues" on the repository, then its issues the caller may
/// read.
pub async fn list_issues(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
    page: Page,
) -> Result<Json<Vec<IssueView>>, ApiError> {
    authorized(&state, &user, "list_issues", id).await?;
    let cond = Condition::all()
        .add(authz::filter::<Issue>(&user, "read")?)
        .add(Expr::col(col("issues", "repo_id")).eq(id));
    let issues = load::issues(&state.db, cond, page).await?;
    Ok(Json(issues.iter().map(|i| IssueView::new(&user, i)).collect()))
}

/// The body of `POST /repos/{id}/issues`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    /// The issue's title.
    pub title: String,
}

/// `POST /repos/{id}/issues`: "create_issues" on the repository; 201 with the issue, opened by
/// the caller.
pub async fn create_issue(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
    Body(new): Body<NewIssue>,
) -> Result<(StatusCode, Json<IssueView>), ApiError> {
    let repo = authorized(&state, &user, "create_issues", id).await?;
    let title = super::text("title", new.title)?;
    let issue_id = write::create_issue(&state.db, repo.id, user.id, &title).await?;
    let issue = Issue { id: issue_id, title, repo, creator: user.clone(), closed: false };
    Ok((StatusCode::CREATED, Json(IssueView::new(&user, &issue))))
}
