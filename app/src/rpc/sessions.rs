//! The browser's session: who is signed in, the session list, ending one session or several.

#[cfg(feature = "ssr")]
use super::door;
use super::TokenClient;
use crate::domain::{LogoutScope, SessionView, UserView};
use crate::error::ApiError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

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
