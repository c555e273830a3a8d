//! The session list and ending one session (docs/api.md, "Sessions").

use super::docs::tags;
use app::backend::auth::AuthUser;
use app::backend::service;
use app::backend::{AppError, AppState};
use app::domain::SessionView;
use app::error::ErrorCode;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The user's live sessions, newest first.
#[derive(Serialize, ToSchema)]
pub struct SessionsResponse {
    sessions: Vec<SessionView>,
}

/// The user's live sessions; `current` marks the token's own.
#[utoipa::path(
    get, path = "/sessions", tag = tags::SESSIONS,
    security(("bearer" = [])),
    responses((status = OK, description = "Live sessions only, newest first.", body = SessionsResponse)),
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<SessionsResponse>, AppError> {
    let sessions = service::list_sessions(&state, &auth).await?;
    Ok(Json(SessionsResponse { sessions }))
}

/// Ends one session of the user, on every instance. An id that is not even a UUID is as unknown as
/// any other: `404`.
#[utoipa::path(
    delete, path = "/sessions/{id}", tag = tags::SESSIONS,
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "A session's id, from the list.")),
    responses((status = NO_CONTENT, description = "The session has ended.")),
    extensions(("x-error-codes" = json!([ErrorCode::NotFound]))),
)]
pub async fn end_session(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    service::end_session(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
