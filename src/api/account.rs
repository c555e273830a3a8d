//! The account over email (CONTRACT §6): confirming an address, a forgotten password, and the
//! changes a signed-in user makes. Parse, call the service, map.

use super::auth::UserResponse;
use super::ApiBody;
use app::backend::auth::AuthUser;
use app::backend::client::Caller;
use app::backend::service;
use app::backend::{AppError, AppState};
use app::domain::{
    parse_new_password, parse_password, Email, EmailChange, PasswordChange, UserName,
};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenRequest {
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailRequest {
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetRequest {
    token: String,
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NameRequest {
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordChangeRequest {
    current_password: String,
    new_password: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailChangeRequest {
    password: String,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordRequest {
    password: String,
}

/// `202 {}`: accepted, and nothing more is said.
fn accepted() -> (StatusCode, Json<Value>) {
    (StatusCode::ACCEPTED, Json(json!({})))
}

/// `POST /api/auth/verify-email {token}`.
pub async fn verify_email(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<TokenRequest>,
) -> Result<Json<UserResponse>, AppError> {
    let user = service::verify_email(&state, &request.token, &caller).await?;
    Ok(Json(UserResponse::from(&user)))
}

/// `POST /api/auth/verify-email/resend` (Bearer).
pub async fn resend_verification(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<(StatusCode, Json<Value>), AppError> {
    service::resend_verification(&state, &auth).await?;
    Ok(accepted())
}

/// `POST /api/auth/password/forgot {email}`: the same answer for every address.
pub async fn forgot_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<EmailRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let email = Email::parse(&request.email).map_err(|e| AppError::invalid_field("email", e))?;
    service::forgot_password(&state, email, &caller).await?;
    Ok(accepted())
}

/// `POST /api/auth/password/reset {token, password}`.
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<ResetRequest>,
) -> Result<StatusCode, AppError> {
    let password = parse_new_password(request.password).map_err(AppError::Validation)?;
    service::reset_password(&state, &request.token, password, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /api/account {name}`.
pub async fn rename(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiBody(request): ApiBody<NameRequest>,
) -> Result<Json<UserResponse>, AppError> {
    let name = UserName::parse(&request.name).map_err(|e| AppError::invalid_field("name", e))?;
    let user = service::rename(&state, &auth, name).await?;
    Ok(Json(UserResponse::from(&user)))
}

/// `POST /api/account/password {current_password, new_password}`.
pub async fn change_password(
    State(state): State<AppState>,
    auth: AuthUser,
    caller: Caller,
    ApiBody(request): ApiBody<PasswordChangeRequest>,
) -> Result<StatusCode, AppError> {
    let change = PasswordChange::parse(request.current_password, request.new_password)
        .map_err(AppError::Validation)?;
    service::change_password(&state, &auth, change, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/account/email {password, email}`.
pub async fn change_email(
    State(state): State<AppState>,
    auth: AuthUser,
    caller: Caller,
    ApiBody(request): ApiBody<EmailChangeRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let change =
        EmailChange::parse(request.password, &request.email).map_err(AppError::Validation)?;
    service::change_email(&state, &auth, change, &caller).await?;
    Ok(accepted())
}

/// `DELETE /api/account {password}`; the refresh cookie goes with the account.
pub async fn delete_account(
    State(state): State<AppState>,
    auth: AuthUser,
    caller: Caller,
    ApiBody(request): ApiBody<PasswordRequest>,
) -> Result<Response, AppError> {
    let password = parse_password(request.password).map_err(AppError::Validation)?;
    service::delete_account(&state, &auth, password, &caller).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.cookies.clear())],
    )
        .into_response())
}
