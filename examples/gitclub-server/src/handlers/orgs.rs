//! `/orgs`: organizations, and their repositories.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use polar_runtime::axum::Actor;
use sea_query::{Condition, Expr};
use serde::Deserialize;

use crate::AppState;
use crate::authz::{self, OrgAction, RepoAction, actions};
use crate::error::ApiError;
use crate::extract::{Body, Id};
use crate::load::{self, Page, col};
use crate::models::{Org, Repo, User};
use crate::views::{OrgView, RepoView};
use crate::write;

/// `GET /orgs`: the organizations the caller may read.
pub async fn list(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    page: Page,
) -> Result<Json<Vec<OrgView>>, ApiError> {
    let cond = authz::filter::<Org>(&user, OrgAction::Read)?;
    let orgs = load::orgs(&state.db, cond, page).await?;
    Ok(Json(orgs.iter().map(|o| OrgView::new(&user, o)).collect()))
}

/// The organization `id`, or 404.
async fn find(state: &AppState, id: i64) -> Result<Org, ApiError> {
    load::org(&state.db, id).await?.ok_or(ApiError::NotFound)
}

/// `GET /orgs/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
) -> Result<Json<OrgView>, ApiError> {
    let org = find(&state, id).await?;
    authz::authorize(&user, actions::Read, &org)?;
    Ok(Json(OrgView::new(&user, &org)))
}

/// `GET /orgs/{id}/repos`: "list_repos" on the organization, then its repositories the
/// caller may read.
pub async fn list_repos(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
    page: Page,
) -> Result<Json<Vec<RepoView>>, ApiError> {
    let org = find(&state, id).await?;
    authz::authorize(&user, actions::ListRepos, &org)?;
    let cond = Condition::all()
        .add(authz::filter::<Repo>(&user, RepoAction::Read)?)
        .add(Expr::col(col("repos", "org_id")).eq(id));
    let repos = load::repos(&state.db, cond, page).await?;
    Ok(Json(repos.iter().map(|r| RepoView::new(&user, r)).collect()))
}

/// The body of `POST /orgs/{id}/repos`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct NewRepo {
    /// The repository's name.
    pub name: String,
    /// Whether anyone may read it (default: no).
    #[serde(default)]
    pub public: bool,
}

/// `POST /orgs/{id}/repos`: "create_repos" on the organization; 201 with the repository.
pub async fn create_repo(
    State(state): State<AppState>,
    Actor(user): Actor<User>,
    Id(id): Id,
    Body(new): Body<NewRepo>,
) -> Result<(StatusCode, Json<RepoView>), ApiError> {
    let org = find(&state, id).await?;
    let proof = authz::authorize(&user, actions::CreateRepos, &org)?;
    let name = super::text("name", new.name)?;
    let repo_id = write::create_repo(&state.db, proof, &name, new.public).await?;
    let repo = Repo { id: repo_id, name, org, public: new.public };
    Ok((StatusCode::CREATED, Json(RepoView::new(&user, &repo))))
}
