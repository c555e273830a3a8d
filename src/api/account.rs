//! The account over email (docs/api.md, "The account over email"): confirming an address, a forgotten password, and the
//! changes a signed-in user makes. Parse, call the service, map.

use super::auth::UserResponse;
use super::docs::{self, tags};
use super::ApiBody;
use app::backend::auth::AuthUser;
use app::backend::client::Caller;
use app::backend::service;
use app::backend::{AppError, AppState};
use app::domain::{
    parse_new_password, parse_password, Email, EmailChange, PasswordChange, UserName,
};
use app::error::ErrorCode;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A mailed link's token, from the fragment of the link (`#token=…`).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(required = true)]
    token: String,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EmailRequest {
    #[schema(required = true, format = "email", max_length = 254)]
    email: String,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ResetRequest {
    /// The reset link's token, from its fragment (`#token=…`).
    #[schema(required = true)]
    token: String,
    #[schema(required = true, schema_with = docs::new_password_schema)]
    password: String,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NameRequest {
    #[schema(required = true, schema_with = docs::name_schema)]
    name: String,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordChangeRequest {
    #[schema(required = true, format = Password, min_length = 1, max_length = 128)]
    current_password: String,
    #[schema(required = true, schema_with = docs::new_password_schema)]
    new_password: String,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EmailChangeRequest {
    /// The current password.
    #[schema(required = true, format = Password, min_length = 1, max_length = 128)]
    password: String,
    /// The new address, which gets a link to confirm it.
    #[schema(required = true, format = "email", max_length = 254)]
    email: String,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordRequest {
    #[schema(required = true, format = Password, min_length = 1, max_length = 128)]
    password: String,
}

/// `{}`: accepted, and nothing more is said.
#[derive(Serialize, ToSchema)]
pub struct Accepted {}

fn accepted() -> (StatusCode, Json<Accepted>) {
    (StatusCode::ACCEPTED, Json(Accepted {}))
}

/// Confirms an address with the token of the link mailed to it: the account's own, or the new
/// one of a change of address.
#[utoipa::path(
    post, path = "/auth/verify-email", tag = tags::ACCOUNT,
    request_body = TokenRequest,
    responses((status = OK, description = "Confirmed.", body = UserResponse)),
    extensions(("x-error-codes" = json!([ErrorCode::InvalidLink, ErrorCode::EmailTaken, ErrorCode::RateLimited]))),
)]
pub async fn verify_email(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<TokenRequest>,
) -> Result<Json<UserResponse>, AppError> {
    let user = service::verify_email(&state, &request.token, &caller).await?;
    Ok(Json(UserResponse::from(&user)))
}

/// Mails the confirmation link again: at most one mail a minute per address.
#[utoipa::path(
    post, path = "/auth/verify-email/resend", tag = tags::ACCOUNT,
    security(("bearer" = [])),
    responses((status = ACCEPTED, description = "Accepted (also when no mail goes).", body = Accepted)),
)]
pub async fn resend_verification(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    service::resend_verification(&state, &auth).await?;
    Ok(accepted())
}

/// Mails a password-reset link, if the address has an account: the same answer, in about the same
/// time, for every address.
#[utoipa::path(
    post, path = "/auth/password/forgot", tag = tags::ACCOUNT,
    request_body = EmailRequest,
    responses((status = ACCEPTED, description = "Accepted, whether or not the address has an account.", body = Accepted)),
    extensions(("x-error-codes" = json!([ErrorCode::ValidationFailed, ErrorCode::RateLimited]))),
)]
pub async fn forgot_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<EmailRequest>,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    let email = Email::parse(&request.email).map_err(|e| AppError::invalid_field("email", e))?;
    service::forgot_password(&state, email, &caller).await?;
    Ok(accepted())
}

/// Sets a new password with a reset link's token. Every session of the user ends, every other
/// reset link dies, and a notice is mailed; the user is not signed in.
#[utoipa::path(
    post, path = "/auth/password/reset", tag = tags::ACCOUNT,
    request_body = ResetRequest,
    responses((status = NO_CONTENT, description = "The new password is set.")),
    extensions(("x-error-codes" = json!([ErrorCode::InvalidLink, ErrorCode::ValidationFailed, ErrorCode::RateLimited, ErrorCode::Unavailable]))),
)]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<ResetRequest>,
) -> Result<StatusCode, AppError> {
    let password = parse_new_password(request.password).map_err(AppError::Validation)?;
    service::reset_password(&state, &request.token, password, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the user's name.
#[utoipa::path(
    patch, path = "/account", tag = tags::ACCOUNT,
    security(("bearer" = [])),
    request_body = NameRequest,
    responses((status = OK, description = "Renamed.", body = UserResponse)),
    extensions(("x-error-codes" = json!([ErrorCode::ValidationFailed]))),
)]
pub async fn rename(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiBody(request): ApiBody<NameRequest>,
) -> Result<Json<UserResponse>, AppError> {
    let name = UserName::parse(&request.name).map_err(|e| AppError::invalid_field("name", e))?;
    let user = service::rename(&state, &auth, name).await?;
    Ok(Json(UserResponse::from(&user)))
}

/// Changes the password. Every other session ends, and a notice is mailed. A wrong current
/// password counts toward the login throttling.
#[utoipa::path(
    post, path = "/account/password", tag = tags::ACCOUNT,
    security(("bearer" = [])),
    request_body = PasswordChangeRequest,
    responses((status = NO_CONTENT, description = "Changed.")),
    extensions(("x-error-codes" = json!([ErrorCode::InvalidCredentials, ErrorCode::ValidationFailed, ErrorCode::RateLimited, ErrorCode::Unavailable]))),
)]
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

/// Asks to change the address: a link to confirm goes to the new one, a notice to the old one.
/// The address changes when the link is used.
#[utoipa::path(
    post, path = "/account/email", tag = tags::ACCOUNT,
    security(("bearer" = [])),
    request_body = EmailChangeRequest,
    responses((status = ACCEPTED, description = "The link is on its way.", body = Accepted)),
    extensions(("x-error-codes" = json!([ErrorCode::InvalidCredentials, ErrorCode::EmailTaken, ErrorCode::ValidationFailed, ErrorCode::RateLimited, ErrorCode::Unavailable]))),
)]
pub async fn change_email(
    State(state): State<AppState>,
    auth: AuthUser,
    caller: Caller,
    ApiBody(request): ApiBody<EmailChangeRequest>,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    let change =
        EmailChange::parse(request.password, &request.email).map_err(AppError::Validation)?;
    service::change_email(&state, &auth, change, &caller).await?;
    Ok(accepted())
}

/// Deletes the account: the user, their sessions and tokens are gone, and a notice is mailed. The
/// refresh cookie goes with it.
#[utoipa::path(
    delete, path = "/account", tag = tags::ACCOUNT,
    security(("bearer" = [])),
    request_body = PasswordRequest,
    responses((status = NO_CONTENT, description = "Deleted.")),
    extensions(("x-error-codes" = json!([ErrorCode::InvalidCredentials, ErrorCode::ValidationFailed, ErrorCode::RateLimited, ErrorCode::Unavailable]))),
)]
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
