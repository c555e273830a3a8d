//! The server functions the pages call: register, log in, log out, the current user, the
//! session list, and the account over email (CONTRACT §6). They are the second door to the same service as the JSON API. The browser sends
//! the access token as `Authorization: Bearer …` through [`TokenClient`], never as an argument.
//! The refresh token never reaches the page: a sign-in here sets it as an `HttpOnly` cookie,
//! which the browser sends only to `POST /api/auth/refresh` (`session::refresh`).
//!
//! Arguments, results and errors travel as postcard (`application/x-postcard`): this door is the
//! WASM's own, and a binary codec keeps a JSON parser (and float formatting) out of the WASM, about
//! 30 KB of its gzip size. Scripts and people use the JSON API under `/api/`.

use crate::domain::{LogoutScope, SessionView, UserView};
use crate::error::ApiError;
use leptos::prelude::*;
use leptos::server_fn::client::{browser::BrowserClient, Client};
use leptos::server_fn::codec::Postcard;
use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;
use serde::{Deserialize, Serialize};

/// What a login or registration gives the browser. `Debug` prints no token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub access_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    pub user: UserView,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "ssr")]
impl From<crate::backend::service::SignedIn> for SignedIn {
    /// Sets the refresh cookie on this answer, and keeps the refresh token out of the body.
    fn from(signed_in: crate::backend::service::SignedIn) -> Self {
        let (refresh, max_age) = (&signed_in.refresh, signed_in.session_max_age);
        door::set_cookie(|cookies| cookies.set(refresh, max_age));
        Self {
            access_token: signed_in.token.token,
            expires_in: signed_in.token.expires_in,
            user: signed_in.user,
        }
    }
}

/// The server-function client: the default browser client plus the stored bearer token.
pub struct TokenClient;

impl<E, IS, OS> Client<E, IS, OS> for TokenClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(
        req: Self::Request,
    ) -> impl std::future::Future<Output = Result<Self::Response, E>> + Send {
        if let Some(token) = crate::session::storage::token() {
            req.headers()
                .append("Authorization", &format!("Bearer {token}"));
        }
        <BrowserClient as Client<E, IS, OS>>::send(req)
    }

    #[allow(clippy::type_complexity)]
    fn open_websocket(
        path: &str,
    ) -> impl std::future::Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<bytes::Bytes, bytes::Bytes>> + Send + 'static,
                impl futures::Sink<bytes::Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl std::future::Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}

#[server(prefix = "/rpc", endpoint = "register", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn register(name: String, email: String, password: String) -> Result<SignedIn, ApiError> {
    use crate::backend::{service, AppError};
    use crate::domain::NewUser;
    let (state, caller) = door::start()?;
    let new_user = NewUser::parse(&name, &email, password)
        .map_err(|fields| door::fail(AppError::Validation(fields)))?;
    let success = service::register_and_sign_in(&state, new_user, &caller)
        .await
        .map_err(door::fail)?;
    Ok(success.into())
}

#[server(prefix = "/rpc", endpoint = "login", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn login(email: String, password: String) -> Result<SignedIn, ApiError> {
    use crate::backend::{service, AppError};
    use crate::domain::Credentials;
    let (state, caller) = door::start()?;
    let credentials = Credentials::parse(&email, password)
        .map_err(|fields| door::fail(AppError::Validation(fields)))?;
    let success = service::login(&state, credentials, &caller)
        .await
        .map_err(door::fail)?;
    Ok(success.into())
}

/// Ends this session, every other one, or all; when this one ends, its refresh cookie goes too.
#[server(prefix = "/rpc", endpoint = "logout", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn logout(scope: LogoutScope) -> Result<(), ApiError> {
    let (state, auth) = door::authenticate().await?;
    crate::backend::service::logout(&state, &auth, scope)
        .await
        .map_err(door::fail)?;
    if scope.ends_current() {
        door::set_cookie(crate::backend::auth::CookiePolicy::clear);
    }
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "sessions", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn list_sessions() -> Result<Vec<SessionView>, ApiError> {
    let (state, auth) = door::authenticate().await?;
    crate::backend::service::list_sessions(&state, &auth)
        .await
        .map_err(door::fail)
}

#[server(prefix = "/rpc", endpoint = "end-session", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn end_session(id: uuid::Uuid) -> Result<(), ApiError> {
    let (state, auth) = door::authenticate().await?;
    crate::backend::service::end_session(&state, &auth, id)
        .await
        .map_err(door::fail)
}

#[server(prefix = "/rpc", endpoint = "me", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn current_user() -> Result<UserView, ApiError> {
    let (_, auth) = door::authenticate().await?;
    Ok(UserView::from(&auth.user))
}

/// Confirms an address by the token of a mailed link (`/verify-email`).
#[server(prefix = "/rpc", endpoint = "verify-email", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn verify_email(token: String) -> Result<UserView, ApiError> {
    let (state, caller) = door::start()?;
    let user = crate::backend::service::verify_email(&state, &token, &caller)
        .await
        .map_err(door::fail)?;
    Ok(UserView::from(&user))
}

#[server(prefix = "/rpc", endpoint = "resend-verification", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn resend_verification() -> Result<(), ApiError> {
    let (state, auth) = door::authenticate().await?;
    crate::backend::service::resend_verification(&state, &auth)
        .await
        .map_err(door::fail)
}

/// The same answer whether or not the address has an account.
#[server(prefix = "/rpc", endpoint = "forgot-password", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn forgot_password(email: String) -> Result<(), ApiError> {
    use crate::backend::AppError;
    use crate::domain::Email;
    let (state, caller) = door::start()?;
    let email =
        Email::parse(&email).map_err(|e| door::fail(AppError::invalid_field("email", e)))?;
    crate::backend::service::forgot_password(&state, email, &caller)
        .await
        .map_err(door::fail)
}

#[server(prefix = "/rpc", endpoint = "reset-password", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn reset_password(token: String, password: String) -> Result<(), ApiError> {
    use crate::backend::AppError;
    let (state, caller) = door::start()?;
    let password = crate::domain::parse_new_password(password)
        .map_err(|fields| door::fail(AppError::Validation(fields)))?;
    crate::backend::service::reset_password(&state, &token, password, &caller)
        .await
        .map_err(door::fail)
}

#[server(prefix = "/rpc", endpoint = "rename", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn rename(name: String) -> Result<UserView, ApiError> {
    use crate::backend::AppError;
    use crate::domain::UserName;
    let (state, auth, _) = door::signed_in().await?;
    let name =
        UserName::parse(&name).map_err(|e| door::fail(AppError::invalid_field("name", e)))?;
    let user = crate::backend::service::rename(&state, &auth, name)
        .await
        .map_err(door::fail)?;
    Ok(UserView::from(&user))
}

#[server(prefix = "/rpc", endpoint = "change-password", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    use crate::backend::AppError;
    let (state, auth, caller) = door::signed_in().await?;
    let change = crate::domain::PasswordChange::parse(current_password, new_password)
        .map_err(|fields| door::fail(AppError::Validation(fields)))?;
    crate::backend::service::change_password(&state, &auth, change, &caller)
        .await
        .map_err(door::fail)
}

#[server(prefix = "/rpc", endpoint = "change-email", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn change_email(password: String, email: String) -> Result<(), ApiError> {
    use crate::backend::AppError;
    let (state, auth, caller) = door::signed_in().await?;
    let change = crate::domain::EmailChange::parse(password, &email)
        .map_err(|fields| door::fail(AppError::Validation(fields)))?;
    crate::backend::service::change_email(&state, &auth, change, &caller)
        .await
        .map_err(door::fail)
}

/// Deletes the account; its refresh cookie goes with it.
#[server(prefix = "/rpc", endpoint = "delete-account", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn delete_account(password: String) -> Result<(), ApiError> {
    use crate::backend::AppError;
    let (state, auth, caller) = door::signed_in().await?;
    let password = crate::domain::parse_password(password)
        .map_err(|fields| door::fail(AppError::Validation(fields)))?;
    crate::backend::service::delete_account(&state, &auth, password, &caller)
        .await
        .map_err(door::fail)?;
    door::set_cookie(crate::backend::auth::CookiePolicy::clear);
    Ok(())
}

/// The server side of the door: state, the client's address, authentication, and errors with
/// their HTTP status and headers (the same [`AppError::parts`] as the JSON API).
///
/// [`AppError::parts`]: crate::backend::AppError::parts
#[cfg(feature = "ssr")]
pub(crate) mod door {
    use crate::backend::auth::{AuthUser, CookiePolicy};
    use crate::backend::client::Caller;
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
}
