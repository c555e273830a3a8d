//! The server functions the pages call: register, log in, log out, and the current user. They are
//! the second door to the same service as the JSON API. The browser sends the token as
//! `Authorization: Bearer …` through [`TokenClient`], never as an argument.
//!
//! Arguments, results and errors travel as postcard (`application/x-postcard`): this door is the
//! WASM's own, and a binary codec keeps a JSON parser (and float formatting) out of the WASM, about
//! 30 KB of its gzip size. Scripts and people use the JSON API under `/api/`.

use crate::domain::{FieldErrors, UserView};
use crate::error::ErrorCode;
use leptos::prelude::*;
use leptos::server_fn::client::{browser::BrowserClient, Client};
use leptos::server_fn::codec::{Postcard, PostcardEncoding};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;
use serde::{Deserialize, Serialize};

/// A server function's failure, with the contract's code so a page can say what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default)]
    pub fields: FieldErrors,
}

impl AuthError {
    /// The token was refused: the session is over.
    pub fn ends_session(&self) -> bool {
        matches!(self.code, ErrorCode::InvalidToken | ErrorCode::MissingToken)
    }
}

impl FromServerFnError for AuthError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        let (code, message) = match error {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => (
                ErrorCode::Unavailable,
                "The server cannot be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                (ErrorCode::BadRequest, "The request could not be read.")
            }
            _ => (ErrorCode::Internal, "Something went wrong on our side."),
        };
        // On the server this is a request the framework refused (its arguments did not decode):
        // answer with the code's status, not the framework's 500.
        #[cfg(feature = "ssr")]
        door::set_status(code);
        Self {
            code,
            message: message.into(),
            fields: FieldErrors::new(),
        }
    }
}

/// What a login or registration gives the browser. `Debug` prints no token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub access_token: String,
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
impl From<crate::server::service::LoginSuccess> for SignedIn {
    fn from(success: crate::server::service::LoginSuccess) -> Self {
        Self {
            access_token: success.token.token,
            user: success.user,
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
pub async fn register(
    name: String,
    email: String,
    password: String,
) -> Result<SignedIn, AuthError> {
    use crate::server::service::{self, RegisterForm};
    let state = door::state()?;
    let form = RegisterForm {
        name,
        email,
        password,
    };
    let success = service::register_and_sign_in(&state.db, &state.hasher, &state.tokens, form)
        .await
        .map_err(door::fail)?;
    Ok(success.into())
}

#[server(prefix = "/rpc", endpoint = "login", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn login(email: String, password: String) -> Result<SignedIn, AuthError> {
    use crate::server::service::{self, LoginForm};
    let state = door::state()?;
    let success = service::login(
        &state.db,
        &state.hasher,
        &state.tokens,
        &state.throttle,
        LoginForm { email, password },
    )
    .await
    .map_err(door::fail)?;
    Ok(success.into())
}

#[server(prefix = "/rpc", endpoint = "logout", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn logout() -> Result<(), AuthError> {
    let (state, auth) = door::authenticate().await?;
    crate::server::service::logout(&state.db, &auth)
        .await
        .map_err(door::fail)
}

#[server(prefix = "/rpc", endpoint = "me", client = TokenClient, input = Postcard, output = Postcard)]
pub async fn current_user() -> Result<UserView, AuthError> {
    let (_, auth) = door::authenticate().await?;
    Ok(UserView::from(&auth.user))
}

/// The server side of the door: state, authentication, and errors with their HTTP status.
#[cfg(feature = "ssr")]
mod door {
    use super::AuthError;
    use crate::server::auth::AuthUser;
    use crate::server::{AppError, AppState};
    use axum::extract::FromRequestParts;
    use axum::http::request::Parts;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    pub fn state() -> Result<AppState, AuthError> {
        use_context::<AppState>().ok_or_else(|| {
            fail(AppError::internal(
                "AppState is not in the server-function context",
            ))
        })
    }

    /// The same `AuthUser` extractor as the JSON API, run on this request's parts.
    pub async fn authenticate() -> Result<(AppState, AuthUser), AuthError> {
        let state = state()?;
        let mut parts = use_context::<Parts>()
            .ok_or_else(|| fail(AppError::internal("no request parts in context")))?;
        let auth = AuthUser::from_request_parts(&mut parts, &state)
            .await
            .map_err(fail)?;
        Ok((state, auth))
    }

    /// Sets this response's status to the one that goes with `code`.
    pub fn set_status(code: crate::error::ErrorCode) {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(code.status_code());
        }
    }

    /// Maps a service error to the typed error, with the JSON API's status and headers.
    pub fn fail(error: AppError) -> AuthError {
        error.log();
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(error.status_code());
            if let Some((name, value)) = error.header() {
                response.insert_header(name, value);
            }
        }
        let body = error.body().error;
        AuthError {
            code: body.code,
            message: body.message,
            fields: body.fields.unwrap_or_default(),
        }
    }
}
