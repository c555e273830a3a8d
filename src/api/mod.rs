//! The JSON API of CONTRACT §2: plain axum handlers that parse, call the service, and map.

mod account;
mod auth;
mod body;
mod health;
mod jwks;
mod sessions;

pub use body::{ApiBody, OptionalBody, MAX_BODY_BYTES};

use app::backend::{AppError, AppState};
use axum::http::{header, HeaderValue};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_http::set_header::SetResponseHeaderLayer;

/// Routes under `/api`, with JSON 404 and 405 for everything else there. Tokens travel in these
/// responses: none may be kept by a cache (RFC 6749 §5.1, RFC 9111), unless a handler says so.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public", get(public))
        .route("/me", get(auth::me))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/verify-email", post(account::verify_email))
        .route(
            "/auth/verify-email/resend",
            post(account::resend_verification),
        )
        .route("/auth/password/forgot", post(account::forgot_password))
        .route("/auth/password/reset", post(account::reset_password))
        .route(
            "/account",
            patch(account::rename).delete(account::delete_account),
        )
        .route("/account/password", post(account::change_password))
        .route("/account/email", post(account::change_email))
        .route("/sessions", get(sessions::list))
        .route("/sessions/{id}", delete(sessions::end))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .fallback(|| async { AppError::NotFound })
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

pub use health::healthz;
pub use jwks::jwks;

/// The seed's unprotected route: anyone may read it.
async fn public() -> Json<Value> {
    Json(json!({ "message": "This is the public endpoint: anyone can read it, no token needed." }))
}
