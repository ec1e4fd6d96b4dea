//! `/repos`: repositories, and their issues.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use polar_runtime::axum::Actor;
use sea_query::{Condition, Expr};
use serde::Deserialize;

use crate::AppState;
use crate::authz::{self, IssueAction, RepoAction, actions};
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
    let cond = authz::filter::<Repo>(&user, RepoAction::Read)?;
    let repos = load::repos(&state.db, cond, page).await?;
    Ok(Json(repos.iter().map(|r| RepoView::new(&user, r)).collect()))
}

/// The repository `id`, or 404.
async fn find(state: &AppState, id: i64) -> Result<Repo, ApiError> {
    load::repo(&state.db, id).await?.ok_or(ApiError::NotFound)
}

/// `GET /repos/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<Json<RepoView>, ApiError> {
    let repo = find(&state, id).await?;
    authz::authorize(&user, actions::Read, &repo)?;
    Ok(Json(RepoView::new(&user, &repo)))
}

/// `DELETE /repos/{id}`: "delete" on the repository; deletes it with its issues and the roles
/// on it, in one transaction; 204.
pub async fn delete(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    let repo = find(&state, id).await?;
    let proof = authz::authorize(&user, actions::Delete, &repo)?;
    if !write::delete_repo(&state.db, proof).await? {
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
    let repo = find(&state, id).await?;
    authz::authorize(&user, actions::ListIssues, &repo)?;
    let cond = Condition::all()
        .add(authz::filter::<Issue>(&user, IssueAction::Read)?)
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
    let repo = find(&state, id).await?;
    let proof = authz::authorize(&user, actions::CreateIssues, &repo)?;
    let title = super::text("title", new.title)?;
    let issue_id = write::create_issue(&state.db, proof, &user, &title).await?;
    let issue = Issue { id: issue_id, title, repo, creator: user.clone(), closed: false };
    Ok((StatusCode::CREATED, Json(IssueView::new(&user, &issue))))
}
