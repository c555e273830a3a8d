//! Register, log in, refresh, log out, and the protected `/api/me`: parse the body into the
//! domain's types, call the service, map the result.

use super::{ApiBody, OptionalBody};
use app::backend::auth::{cookie, AuthUser, IssuedToken};
use app::backend::client::Caller;
use app::backend::service;
use app::backend::{AppError, AppState};
use app::domain::{Credentials, LogoutScope, NewUser, UserView};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
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

/// `POST /api/auth/refresh` with a body.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// `POST /api/auth/logout`'s optional body.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogoutRequest {
    scope: Option<String>,
}

#[derive(Serialize)]
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
#[derive(Serialize)]
pub struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
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

/// The token response; `Cache-Control: no-store` is set for every API response (RFC 6749 §5.1).
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

/// A refresh token in the body (JSON or form) is answered in the body. With no body, the web
/// app's cookie is used and replaced; a request with a body never falls back to the cookie, so a
/// cross-site form (which always sends a body type) cannot use it, `SameSite=Strict` aside.
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

pub async fn me(auth: AuthUser) -> Json<UserResponse> {
    Json(UserResponse {
        user: UserView::from(&auth.user),
    })
}

/// Ends this session, every other one, or all (`scope`); when this session ends, the refresh
/// cookie goes with it.
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
