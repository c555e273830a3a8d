//! `GET /healthz`: 200 once the database answers, else 503 `unavailable`.

use super::docs::tags;
use app::backend::{AppError, AppState};
use app::error::ErrorCode;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// `{"status": "ok"}`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

/// Whether this instance can serve: its database answers.
#[utoipa::path(
    get, path = "/healthz", tag = tags::HEALTH,
    responses((status = OK, description = "The database answers.", body = Health)),
    extensions(("x-error-codes" = json!([ErrorCode::Unavailable]))),
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    state
        .db
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(Json(Health { status: "ok" }))
}
