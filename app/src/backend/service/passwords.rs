//! The one place that checks a password and the one that sets one. A check counts toward the
//! login throttling, whichever door asked (a login, or an account change that asks for the
//! password). Setting a password, by a change or by a reset link, does the same steps in one
//! transaction: the hash, every pending link of the user killed, the sessions it ends, the notice;
//! then the per-request check's answers for the user are dropped.

use super::links::notify;
use crate::backend::auth::{throttle, Verification};
use crate::backend::client::ClientAddr;
use crate::backend::error::{AppError, Context};
use crate::backend::link_tokens::{self, Purpose};
use crate::backend::outbox::NewMail;
use crate::backend::sessions::{self, EndReason, Which};
use crate::backend::users::{self, User};
use crate::backend::{clock, AppState};
use crate::domain::Email;
use sea_orm::DatabaseTransaction;
use secrecy::SecretString;

/// Checks `password` for the account at `email` (`user`, when there is one) under the login
/// throttling. Upgrades a weaker stored hash on success.
///
/// # Errors
/// `401 invalid_credentials` for no such account or a wrong password, `429` when throttled,
/// `503` when hashing is too busy, or an internal error.
pub(super) async fn check_password(
    state: &AppState,
    email: &Email,
    user: Option<User>,
    password: SecretString,
    client: ClientAddr,
) -> Result<User, AppError> {
    let (db, policy) = (&state.db, &state.throttle);
    let reservation = throttle::reserve(db, policy, email, client, clock::now()).await?;
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
            Ok(user)
        }
        _ => {
            throttle::failed(db, policy, reservation, clock::now()).await?;
            Err(AppError::InvalidCredentials)
        }
    }
}

/// A new password, and what setting it ends.
pub(super) struct NewPassword {
    /// The PHC string.
    pub hash: String,
    /// The sessions that end: all but the caller's on a change, all on a reset.
    pub ends: Which,
    pub reason: EndReason,
    /// The notice to the account's address.
    pub notice: NewMail,
}

/// Sets `user`'s password in `txn` (which may hold more of the same change) and commits:
/// every pending link of the user dies (a reset link, a change of address waiting for its
/// confirmation, a confirmation), the sessions named end, the notice is queued. Returns how many
/// sessions ended.
///
/// # Errors
/// An internal error; nothing is changed then.
pub(super) async fn set_password(
    state: &AppState,
    txn: DatabaseTransaction,
    user: &User,
    new: NewPassword,
    now: u64,
) -> Result<u64, AppError> {
    users::update_password_hash(&txn, user.id, new.hash)
        .await
        .context("storing a password hash")?;
    link_tokens::kill_all(&txn, user.id, &Purpose::ALL, now)
        .await
        .context("killing pending links")?;
    let ended = sessions::end(
        &txn,
        user.id,
        new.ends,
        new.reason,
        now,
        state.sessions.lifetimes,
    )
    .await
    .context("ending sessions")?;
    notify(state, &txn, new.notice, now).await?;
    state
        .mailer
        .commit(txn)
        .await
        .context("setting a password")?;
    state.auth_cache.forget_user(user.id);
    Ok(ended)
}

/// Upgrades a weaker stored hash. A failure here must not fail the login: it is logged and retried
/// on the next one.
async fn rehash(state: &AppState, user: &User, password: SecretString) {
    let result = match state.hasher.hash(password).await {
        Ok(hash) => users::update_password_hash(&state.db, user.id, hash)
            .await
            .context("storing an upgraded password hash"),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => {
            // Cached users carry the hash too (the password checks of account changes read it).
            state.auth_cache.forget_user(user.id);
            tracing::info!(user_id = %user.id, "password hash upgraded");
        }
        Err(e) => tracing::error!(user_id = %user.id, error = %e, "password hash upgrade failed"),
    }
}
