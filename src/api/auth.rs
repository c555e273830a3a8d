//! Register, log in, refresh, log out, and the protected `/api/me`: parse the body into the
//! domain's types, call the service, map the result.

use super::docs::{self, tags};
use super::{ApiBody, OptionalBody};
use app::backend::auth::{cookie, AuthUser, IssuedToken};
use app::backend::client::Caller;
use app::backend::service;
use app::backend::{AppError, AppState};
use app::domain::{Credentials, LogoutScope, NewUser, UserView};
use app::error::ErrorCode;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::ToSchema;

/// `POST /api/auth/register` as sent; a missing field is reported as required (`422`).
#[derive(Deserialize, Default, ToSchema)]
#[schema(example = json!({"name": "Ada Lovelace", "email": "ada@example.com", "password": "analytical engine 1843"}))]
#[serde(default, deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(required = true, schema_with = docs::name_schema)]
    name: String,
    /// Trimmed, NFC, lower-cased; at most 254 characters, one `@`, a domain with a dot.
    #[schema(required = true, format = "email", max_length = 254)]
    email: String,
    #[schema(required = true, schema_with = docs::new_password_schema)]
    password: String,
}

/// `POST /api/auth/login` as sent.
#[derive(Deserialize, Default, ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "analytical engine 1843"}))]
#[serde(default, deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(required = true, format = "email", max_length = 254)]
    email: String,
    #[schema(required = true, format = Password, min_length = 1, max_length = 128)]
    password: String,
}

/// `POST /api/auth/refresh` with a body.
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token of the last login or refresh. Single use.
    #[schema(required = true)]
    refresh_token: String,
}

/// `POST /api/auth/logout`'s optional body.
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LogoutRequest {
    /// Which sessions end: `local` (this one, the default), `others`, or `global` (all).
    #[schema(schema_with = scopes)]
    #[serde(deserialize_with = "a_string")]
    scope: Option<String>,
}

/// A `scope` that is sent is a string: `null` is no scope (`400`), and leaving it out is `local`.
fn a_string<'de, D: Deserializer<'de>>(scope: D) -> Result<Option<String>, D::Error> {
    String::deserialize(scope).map(Some)
}

fn scopes() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["local", "others", "global"]))
        .build()
}

/// `{"user": USER}`.
#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    user: UserView,
}

impl From<&app::backend::users::User> for UserResponse {
    fn from(user: &app::backend::users::User) -> Self {
        Self {
            user: UserView::from(user),
        }
    }
}

/// The token response of login and refresh. `refresh_token` is left out where the client does
/// not get one: a refresh by cookie (the cookie is replaced instead), or within the grace window.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT (docs/api.md, "Tokens"), for `Authorization: Bearer`.
    access_token: String,
    #[schema(value_type = String, example = "Bearer")]
    token_type: &'static str,
    /// Seconds until `access_token` expires.
    expires_in: u64,
    /// The next refresh token, when one was sent in the body; single use.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    user: UserView,
}

impl TokenResponse {
    fn new(token: IssuedToken, refresh_token: Option<String>, user: UserView) -> Self {
        Self {
            access_token: token.token,
            token_type: "Bearer",
            expires_in: token.expires_in,
            refresh_token,
            user,
        }
    }
}

/// Makes an account, and mails a link to confirm its address.
#[utoipa::path(
    post, path = "/auth/register", tag = tags::AUTH,
    request_body = RegisterRequest,
    responses((status = CREATED, description = "The account is made.", body = UserResponse)),
    extensions(("x-error-codes" = json!([ErrorCode::ValidationFailed, ErrorCode::EmailTaken, ErrorCode::RateLimited, ErrorCode::Unavailable]))),
)]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<RegisterRequest>,
) -> Result<(StatusCode, Json<UserResponse>), AppError> {
    let new_user = NewUser::parse(&request.name, &request.email, request.password)
        .map_err(AppError::Validation)?;
    let user = service::register(&state, new_user, &caller).await?;
    Ok((
        StatusCode::CREATED,
        Json(UserResponse {
            user: UserView::from(&user),
        }),
    ))
}

/// Starts a session: an access token and a refresh token.
///
/// `Cache-Control: no-store`, as for every API response (RFC 6749 §5.1).
#[utoipa::path(
    post, path = "/auth/login", tag = tags::AUTH,
    request_body = LoginRequest,
    responses((status = OK, description = "Signed in.", body = TokenResponse)),
    extensions(("x-error-codes" = json!([ErrorCode::InvalidCredentials, ErrorCode::ValidationFailed, ErrorCode::RateLimited, ErrorCode::Unavailable]))),
)]
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(request): ApiBody<LoginRequest>,
) -> Result<Json<TokenResponse>, AppError> {
    let credentials =
        Credentials::parse(&request.email, request.password).map_err(AppError::Validation)?;
    let signed_in = service::login(&state, credentials, &caller).await?;
    let refresh = Some(signed_in.refresh.expose().to_owned());
    Ok(Json(TokenResponse::new(
        signed_in.token,
        refresh,
        signed_in.user,
    )))
}

/// A new access token for a refresh token.
///
/// A refresh token in the body (JSON or form) is answered in the body. With no body, the web app's cookie is used and replaced; a request with a body
/// never falls back to the cookie, so a cross-site form (which always sends a body type) cannot
/// use it, `SameSite=Strict` aside.
#[utoipa::path(
    post, path = "/auth/refresh", tag = tags::SESSIONS,
    request_body(content = Option<RefreshRequest>, description = "Or no body at all, with the web app's `gatehouse_refresh` cookie."),
    responses((status = OK, description = "Refreshed; `refresh_token` only when one came in the body.", body = TokenResponse)),
    extensions(("x-error-codes" = json!([ErrorCode::InvalidToken, ErrorCode::RateLimited]))),
)]
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    OptionalBody(body): OptionalBody<RefreshRequest>,
) -> Result<Response, AppError> {
    if let Some(request) = body {
        let refreshed = service::refresh(&state, &request.refresh_token, caller.addr).await?;
        let next = refreshed.refresh.map(|next| next.expose().to_owned());
        let body = TokenResponse::new(refreshed.token, next, refreshed.user);
        return Ok(Json(body).into_response());
    }
    if from_another_site(&headers) {
        return Err(AppError::InvalidToken(
            "a refresh by cookie from another site".into(),
        ));
    }
    let presented = cookie::read(&headers)
        .ok_or_else(|| AppError::InvalidToken("no refresh token in the body or a cookie".into()))?;
    match service::refresh(&state, &presented, caller.addr).await {
        Ok(refreshed) => {
            let body = TokenResponse::new(refreshed.token, None, refreshed.user);
            let response = Json(body).into_response();
            Ok(match refreshed.refresh {
                Some(next) => with_cookie(
                    response,
                    state.cookies.set(&next, refreshed.session_max_age),
                ),
                None => response,
            })
        }
        // A cookie that will never work again is removed.
        Err(refused @ AppError::InvalidToken(_)) => {
            Ok(with_cookie(refused.into_response(), state.cookies.clear()))
        }
        Err(other) => Err(other),
    }
}

fn with_cookie(mut response: Response, set_cookie: HeaderValue) -> Response {
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie);
    response
}

/// `Sec-Fetch-Site` (sent by every current browser) says another site made the request.
fn from_another_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|site| site != "same-origin" && site != "none")
}

/// The user of the token.
#[utoipa::path(
    get, path = "/me", tag = tags::AUTH,
    security(("bearer" = [])),
    responses((status = OK, description = "The token's user, read fresh.", body = UserResponse)),
)]
pub async fn me(auth: AuthUser) -> Json<UserResponse> {
    Json(UserResponse {
        user: UserView::from(&auth.user),
    })
}

/// Ends this session, every other one, or all (`scope`).
///
/// When this session ends, the refresh cookie goes with it.
#[utoipa::path(
    post, path = "/auth/logout", tag = tags::AUTH,
    security(("bearer" = [])),
    request_body(content = Option<LogoutRequest>),
    responses((status = NO_CONTENT, description = "The sessions have ended, on every instance.")),
    extensions(("x-error-codes" = json!([ErrorCode::ValidationFailed]))),
)]
pub async fn logout(
    State(state): State<AppState>,
    auth: AuthUser,
    OptionalBody(body): OptionalBody<LogoutRequest>,
) -> Result<Response, AppError> {
    let scope = match body.and_then(|request| request.scope) {
        None => LogoutScope::default(),
        Some(name) => LogoutScope::parse(&name)
            .map_err(|message| AppError::invalid_field("scope", message))?,
    };
    service::logout(&state, &auth, scope).await?;
    let response = StatusCode::NO_CONTENT.into_response();
    Ok(if scope.ends_current() {
        with_cookie(response, state.cookies.clear())
    } else {
        response
    })
}
