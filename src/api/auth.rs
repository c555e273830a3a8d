//! Register, log in, log out, and the protected `/api/me`.

use super::ApiBody;
use app::domain::UserView;
use app::server::auth::AuthUser;
use app::server::service::{self, LoginForm, RegisterForm};
use app::server::{AppError, AppState};
use axum::extract::State;
use axum::http::{header, HeaderName, StatusCode};
use axum::Json;
use serde::Serialize;

#[derive(Serialize)]
pub struct UserResponse {
    user: UserView,
}

#[derive(Serialize)]
pub struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    user: UserView,
}

pub async fn register(
    State(state): State<AppState>,
    ApiBody(form): ApiBody<RegisterForm>,
) -> Result<(StatusCode, Json<UserResponse>), AppError> {
    let user = service::register(&state.db, &state.hasher, form).await?;
    Ok((StatusCode::CREATED, Json(UserResponse { user })))
}

/// A token response must not be cached (RFC 6749 §5.1).
pub async fn login(
    State(state): State<AppState>,
    ApiBody(form): ApiBody<LoginForm>,
) -> Result<([(HeaderName, &'static str); 1], Json<TokenResponse>), AppError> {
    let success = service::login(
        &state.db,
        &state.hasher,
        &state.tokens,
        &state.throttle,
        form,
    )
    .await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(TokenResponse {
            access_token: success.token.token,
            token_type: "Bearer",
            expires_in: success.token.expires_in,
            user: success.user,
        }),
    ))
}

pub async fn me(auth: AuthUser) -> Json<UserResponse> {
    Json(UserResponse {
        user: UserView::from(&auth.user),
    })
}

pub async fn logout(State(state): State<AppState>, auth: AuthUser) -> Result<StatusCode, AppError> {
    service::logout(&state.db, &auth).await?;
    Ok(StatusCode::NO_CONTENT)
}
