//! `GET /.well-known/jwks.json` (docs/api.md, "Tokens other services verify"): the public keys that verify Gatehouse's tokens, for
//! services that trust it. Cached by them for five minutes, which is why a rotated key is
//! published longer than that before it signs.

use super::docs::tags;
use app::backend::auth::key_ring::Jwks;
use app::backend::error::Context;
use app::backend::service::keys;
use app::backend::{AppError, AppState};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// How long a service may keep the JWKS (`KEY_PUBLISH_SECONDS` defaults to twice this).
pub const JWKS_CACHE: HeaderValue = HeaderValue::from_static("public, max-age=300");

/// The public keys that verify Gatehouse's tokens (EdDSA); `{"keys": []}` with HS256.
#[utoipa::path(
    get, path = "/.well-known/jwks.json", tag = tags::KEYS,
    responses((status = OK, description = "A JWK Set; `Cache-Control: public, max-age=300`.", body = Jwks)),
)]
pub async fn jwks(State(state): State<AppState>) -> Result<Response, AppError> {
    let body = keys::jwks(&state.db, &state.tokens)
        .await
        .context("reading the published keys")?;
    Ok(([(header::CACHE_CONTROL, JWKS_CACHE)], Json(body)).into_response())
}
