//! Registration and login: each signs the browser in (the access token in the answer, the
//! refresh token in an `HttpOnly` cookie).

#[cfg(feature = "ssr")]
use super::door;
use super::TokenClient;
use crate::domain::UserView;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
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
    Ok(door::hand_over(success))
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
    Ok(door::hand_over(success))
}
