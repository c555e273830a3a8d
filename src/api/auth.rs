//! Register, log in, log out, and the protected `/api/me`: parse the body into the domain's types,
//! call the service, map the result.

use super::ApiBody;
use app::backend::auth::AuthUser;
use app::backend::client::ClientAddr;
use app::backend::service;
use app::backend::{AppError, AppState};
use app::domain::{Credentials, NewUser, UserView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

/// `POST /api/auth/register` as sent; a missing field is reported as required.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterRequest {
    name: String,
    email: String,
    password: String,
}

/// `POST /api/auth/login` as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginRequest {
    email: String,
    password: String,
}

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
    client: ClientAddr,
    ApiBody(request): ApiBody<RegisterRequest>,
) -> Result<(StatusCode, Json<UserResponse>), AppError> {
    let new_user = NewUser::parse(&request.name, &request.email, request.password)
        .map_err(AppError::Validation)?;
    let user = service::register(&state, new_user, client).await?;
    Ok((StatusCode::CREATED, Json(UserResponse { user })))
}

/// The token response; `Cache-Control: no-store` is set for every API response (RFC 6749 §5.1).
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiBody(request): ApiBody<LoginRequest>,
) -> Result<Json<TokenResponse>, AppError> {
    let credentials =
        Credentials::parse(&request.email, request.password).map_err(AppError::Validation)?;
    let success = service::login(&state, credentials, client).await?;
    Ok(Json(TokenResponse {
        access_token: success.token.token,
        token_type: "Bearer",
        expires_in: success.token.expires_in,
        user: success.user,
    }))
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
