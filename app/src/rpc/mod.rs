//! The server functions the pages call: register, log in, log out, the current user, the
//! session list, and the account over email (docs/api.md). They are the second door to the same service as the JSON API. The browser sends
//! the access token as `Authorization: Bearer …` through [`TokenClient`], never as an argument.
//! The refresh token never reaches the page: a sign-in here sets it as an `HttpOnly` cookie,
//! which the browser sends only to `POST /api/auth/refresh` (`session::refresh`).
//!
//! Arguments, results and errors travel as postcard (`application/x-postcard`): this door is the
//! WASM's own, and a binary codec keeps a JSON parser (and float formatting) out of the WASM, about
//! 30 KB of its gzip size. Scripts and people use the JSON API under `/api/`.

/// The account over email: confirmation, a forgotten password, account changes.
mod account;
/// The server side of the door: state, caller, authentication, errors with their status.
#[cfg(feature = "ssr")]
pub(crate) mod door;
/// The server functions' error: the JSON API's, as postcard.
mod error;
/// Who is signed in, the session list, logout.
mod sessions;
/// Registration and login.
mod sign_in;

pub use account::*;
pub use sessions::*;
pub use sign_in::*;

use leptos::server_fn::client::{browser::BrowserClient, Client};
use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;

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
