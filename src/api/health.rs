//! `GET /healthz`: 200 once the database answers, else 503 `unavailable`.

use app::backend::{AppError, AppState};
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    state
        .db
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(Json(json!({ "status": "ok" })))
}
