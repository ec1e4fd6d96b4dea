//! `GET /users`: public, the names a caller can put in `x-user`.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::error::ApiError;
use crate::load;
use crate::views::UserView;

/// `GET /users`: every user's name, in id order.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<UserView>>, ApiError> {
    let names = load::user_names(&state.db).await?;
    Ok(Json(names.into_iter().map(|name| UserView { name }).collect()))
}
