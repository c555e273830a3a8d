//! The server side of the door: state, the client's address, authentication, and errors with
//! their HTTP status and headers (the same [`AppError::parts`] as the JSON API).
//!
//! [`AppError::parts`]: crate::backend::AppError::parts

use super::SignedIn;
use crate::backend::auth::{AuthUser, CookiePolicy};
use crate::backend::client::Caller;
use crate::backend::service;
use crate::backend::{AppError, AppState};
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// Every server function's answer is kept from caches: tokens travel in them. Called first
/// by every function, and for a call the framework refuses before the function runs.
pub(crate) fn no_store() {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
}

/// The state and the caller (address, user agent) of this call.
pub fn start() -> Result<(AppState, Caller), ApiError> {
    let state = state()?;
    let parts = parts()?;
    let caller = Caller::of(&parts, &state.trusted_proxies);
    Ok((state, caller))
}

/// Adds the refresh cookie's `Set-Cookie` that `cookie` makes (handing the token over, or
/// removing it) to this answer.
pub(crate) fn set_cookie(cookie: impl FnOnce(&CookiePolicy) -> axum::http::HeaderValue) {
    if let (Some(state), Some(response)) =
        (use_context::<AppState>(), use_context::<ResponseOptions>())
    {
        let set_cookie = cookie(&state.cookies);
        response.append_header(axum::http::header::SET_COOKIE, set_cookie);
    }
}

fn state() -> Result<AppState, ApiError> {
    no_store();
    use_context::<AppState>().ok_or_else(|| {
        fail(AppError::internal(
            "reading the server-function context",
            "AppState is not in the context",
        ))
    })
}

fn parts() -> Result<Parts, ApiError> {
    use_context::<Parts>().ok_or_else(|| {
        fail(AppError::internal(
            "reading the server-function context",
            "no request parts in the context",
        ))
    })
}

/// The same `AuthUser` extractor as the JSON API, run on this request's parts.
pub async fn authenticate() -> Result<(AppState, AuthUser), ApiError> {
    let state = state()?;
    let mut parts = parts()?;
    let auth = AuthUser::from_request_parts(&mut parts, &state)
        .await
        .map_err(fail)?;
    Ok((state, auth))
}

/// [`authenticate`], and who asks: for the changes that check a password under the login
/// throttling.
pub async fn signed_in() -> Result<(AppState, AuthUser, Caller), ApiError> {
    let (state, auth) = authenticate().await?;
    let caller = Caller::of(&parts()?, &state.trusted_proxies);
    Ok((state, auth, caller))
}

/// Maps a service error to the door's error, with the JSON API's status and headers.
pub fn fail(error: AppError) -> ApiError {
    let parts = error.parts();
    respond(parts.status, parts.headers);
    parts.body
}

/// Sets this answer's status and headers.
pub(crate) fn respond(
    status: axum::http::StatusCode,
    headers: Vec<(axum::http::HeaderName, axum::http::HeaderValue)>,
) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
        for (name, value) in headers {
            response.insert_header(name, value);
        }
    }
}

/// What a sign-in gives the browser: the access token in the answer; the refresh token as the
/// refresh cookie's `Set-Cookie` on this answer, never in the body.
pub fn hand_over(signed_in: service::SignedIn) -> SignedIn {
    let (refresh, max_age) = (&signed_in.refresh, signed_in.session_max_age);
    set_cookie(|cookies| cookies.set(refresh, max_age));
    SignedIn {
        access_token: signed_in.token.token,
        expires_in: signed_in.token.expires_in,
        user: signed_in.user,
    }
}
