//! The account over email (docs/api.md, "The account over email"): confirming an address, a
//! forgotten password, and the changes a signed-in user makes.

#[cfg(feature = "ssr")]
use super::door;
use super::TokenClient;
use crate::domain::UserView;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

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
