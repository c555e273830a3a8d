//! The one service behind both doors (the JSON API and the server functions): register, log in,
//! log out, purge. The doors parse their requests into the domain's types ([`NewUser`],
//! [`Credentials`]) and map the result; everything else happens here.
//! Emails are not logged: people type their password into the email field often enough.

use super::auth::{throttle, AuthUser, IssuedToken, ThrottlePolicy, Verification};
use super::client::{ClientAddr, SignInLimiter};
use super::error::{AppError, Context};
use super::users::{self, InsertUserError};
use super::{clock, revocations, AppState};
use crate::domain::{Credentials, NewUser, UserView};
use sea_orm::DatabaseConnection;
use secrecy::SecretString;

/// What a good sign-in returns.
#[derive(Debug)]
pub struct LoginSuccess {
    pub token: IssuedToken,
    pub user: UserView,
}

/// Creates an account.
///
/// # Errors
/// `429` past the client's sign-in rate, `409 email_taken`, `503` when hashing is too busy, or an
/// internal error.
#[tracing::instrument(skip_all, fields(client = %client))]
pub async fn register(
    state: &AppState,
    new_user: NewUser,
    client: ClientAddr,
) -> Result<UserView, AppError> {
    state.sign_in_limit.check(client)?;
    let hash = state
        .hasher
        .hash(SecretString::from(new_user.password.expose().to_owned()))
        .await?;
    match users::insert_user(&state.db, &new_user.name, &new_user.email, hash).await {
        Ok(user) => {
            tracing::info!(user_id = %user.id, "user registered");
            Ok(UserView::from(&user))
        }
        Err(InsertUserError::EmailTaken) => Err(AppError::EmailTaken),
        Err(InsertUserError::Db(e)) => Err(e).context("inserting a user"),
    }
}

/// Registers and signs the new user in at once (the web app's flow): no second password check.
///
/// # Errors
/// As [`register`], and an internal error if the token cannot be signed.
pub async fn register_and_sign_in(
    state: &AppState,
    new_user: NewUser,
    client: ClientAddr,
) -> Result<LoginSuccess, AppError> {
    let user = register(state, new_user, client).await?;
    let token = state.tokens.issue(user.id).context("signing a token")?;
    Ok(LoginSuccess { token, user })
}

/// Checks a password and signs the user in, within the throttling policy (`auth::throttle`).
///
/// # Errors
/// `401 invalid_credentials` for an unknown email or a wrong password alike, `429` when throttled
/// (per account, or the client's sign-in rate), `503` when hashing is too busy, or an internal
/// error.
#[tracing::instrument(skip_all, fields(client = %client))]
pub async fn login(
    state: &AppState,
    credentials: Credentials,
    client: ClientAddr,
) -> Result<LoginSuccess, AppError> {
    state.sign_in_limit.check(client)?;
    let (db, policy) = (&state.db, &state.throttle);
    let Credentials { email, password } = credentials;
    let user = users::find_by_email(db, &email)
        .await
        .context("finding a user by email")?;
    let reservation = throttle::reserve(db, policy, &email, client, clock::now()).await?;

    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let lane = reservation.lane();
    let verification = match state.hasher.verify(password.clone(), stored, lane).await {
        Ok(verification) => verification,
        Err(e) => {
            // Never verified: the guess does not count.
            throttle::released(db, policy, reservation).await?;
            return Err(e.into());
        }
    };
    match (verification, user) {
        (Verification::Valid { needs_rehash }, Some(user)) => {
            throttle::succeeded(db, policy, reservation, clock::now()).await?;
            if needs_rehash {
                rehash(state, &user, password).await;
            }
            let token = state.tokens.issue(user.id).context("signing a token")?;
            tracing::info!(user_id = %user.id, "login succeeded");
            Ok(LoginSuccess {
                token,
                user: UserView::from(&user),
            })
        }
        _ => {
            throttle::failed(db, policy, reservation, clock::now()).await?;
            tracing::info!("login failed");
            Err(AppError::InvalidCredentials)
        }
    }
}

/// Upgrades a weaker stored hash. A failure here must not fail the login: it is logged and retried
/// on the next one.
async fn rehash(state: &AppState, user: &users::User, password: SecretString) {
    let result = match state.hasher.hash(password).await {
        Ok(hash) => users::update_password_hash(&state.db, user.id, hash)
            .await
            .context("storing an upgraded password hash"),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => tracing::info!(user_id = %user.id, "password hash upgraded"),
        Err(e) => tracing::error!(user_id = %user.id, error = %e, "password hash upgrade failed"),
    }
}

/// Revokes the token the request came with, on every instance, until it would have expired.
///
/// # Errors
/// An internal error when the database fails.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id))]
pub async fn logout(db: &DatabaseConnection, auth: &AuthUser) -> Result<(), AppError> {
    revocations::revoke(db, auth.claims.jti, auth.user.id, auth.claims.exp)
        .await
        .context("revoking a token")?;
    tracing::info!("logged out");
    Ok(())
}

/// What one purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub revocations: u64,
    pub login_attempts: u64,
}

/// Deletes revocations of expired tokens and stale login counters, and forgets idle client
/// addresses; run periodically.
///
/// # Errors
/// An internal error when the database fails.
pub async fn purge_expired(
    db: &DatabaseConnection,
    policy: &ThrottlePolicy,
    limiter: &SignInLimiter,
) -> Result<Purged, AppError> {
    let now = clock::now();
    limiter.forget_idle();
    let cutoff = now.saturating_sub(super::auth::token::LEEWAY_SECONDS);
    Ok(Purged {
        revocations: revocations::purge_expired_before(db, cutoff)
            .await
            .context("purging expired revocations")?,
        login_attempts: throttle::purge_stale(db, policy, now).await?,
    })
}
