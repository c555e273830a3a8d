//! The session list and ending one session (CONTRACT §5).

use app::backend::auth::AuthUser;
use app::backend::service;
use app::backend::{AppError, AppState};
use app::domain::SessionView;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

#[derive(Serialize)]
pub struct SessionsResponse {
    sessions: Vec<SessionView>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<SessionsResponse>, AppError> {
    let sessions = service::list_sessions(&state, &auth).await?;
    Ok(Json(SessionsResponse { sessions }))
}

/// An id that is not even a UUID is as unknown as any other: `404`.
pub async fn end(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    service::end_session(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
