//! "Forgot your password?" and the reset link (docs/api.md, "The account over email").
//!
//! A `forgot` is stored before it is answered, alike for every address: a row in the outbox of
//! the kind `reset_request`, holding the typed address and nothing else. So the answer's body and
//! time say nothing about the address, and a restart right after the answer loses nothing. The
//! background work ([`super::outbox`]) resolves each request under a lease: a reset mail when the
//! address has an account and its limits allow, else nothing.

use super::links::{mail_link, mailed_within};
use super::passwords::{set_password, NewPassword};
use crate::backend::auth::LinkToken;
use crate::backend::client::Caller;
use crate::backend::error::{AppError, Context};
use crate::backend::link_tokens::{self, Purpose};
use crate::backend::mail::messages;
use crate::backend::outbox::{self, Lease, MailKind, NewMail, OutboxMail, Recorded};
use crate::backend::sessions::{EndReason, Which};
use crate::backend::{clock, users, AppState};
use crate::domain::{Email, Password};
use sea_orm::TransactionTrait;
use uuid::Uuid;

/// At most one reset mail a minute and five an hour per address (docs/api.md).
const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const RESET_MAILS_PER_HOUR: u64 = 5;

/// Stores the request for a reset link to `email` and wakes the background work; the answer
/// is the same for every address (OWASP Forgot Password cheat sheet).
///
/// # Errors
/// `429` past the client's sign-in rate, or an internal error when the request cannot be stored.
#[tracing::instrument(skip_all, fields(client = %caller.addr))]
pub async fn forgot_password(
    state: &AppState,
    email: Email,
    caller: &Caller,
) -> Result<(), AppError> {
    state.sign_in_limit.check(caller.addr).await?;
    let request = NewMail {
        kind: MailKind::ResetRequest,
        recipient: email.as_str().to_owned(),
        subject: String::new(),
        text_body: String::new(),
        html_body: String::new(),
    };
    outbox::enqueue(&state.db, Uuid::new_v4(), request, clock::now())
        .await
        .context("storing a reset request")?;
    state.mailer.wake();
    Ok(())
}

/// Resolves a claimed reset request: queues the reset mail, if the address has an account and
/// its limits allow, and closes the request in the same transaction, under its lease.
///
/// # Errors
/// An internal error; the request is then tried again once its lease runs out.
pub(super) async fn resolve_reset_request(
    state: &AppState,
    request: &OutboxMail,
    lease: Lease,
) -> Result<Recorded, AppError> {
    let now = clock::now();
    let txn = state
        .db
        .begin()
        .await
        .context("resolving a reset request")?;
    if outbox::sent(&txn, lease, now)
        .await
        .context("closing a reset request")?
        == Recorded::LeaseLost
    {
        return Ok(Recorded::LeaseLost);
    }
    let user = match Email::parse(&request.recipient) {
        Ok(email) => users::find_by_email(&txn, &email)
            .await
            .context("finding a user by email")?,
        Err(_) => None,
    };
    let Some(user) = user else {
        txn.commit().await.context("resolving a reset request")?;
        tracing::info!(request_id = %request.id, "reset asked for an address with no account");
        return Ok(Recorded::Yes);
    };
    let Some(user) = users::find_held(&txn, user.id)
        .await
        .context("holding a user")?
    else {
        txn.commit().await.context("resolving a reset request")?;
        return Ok(Recorded::Yes);
    };
    let last_minute = mailed_within(&txn, &user.email, MailKind::Reset, MINUTE, now).await?;
    let last_hour = mailed_within(&txn, &user.email, MailKind::Reset, HOUR, now).await?;
    if last_minute > 0 || last_hour >= RESET_MAILS_PER_HOUR {
        txn.commit().await.context("resolving a reset request")?;
        tracing::info!(user_id = %user.id, "reset link not mailed: the address's limit is reached");
        return Ok(Recorded::Yes);
    }
    mail_link(state, &txn, &user, Purpose::Reset, &user.email, now)
        .await
        .context("queueing a reset link")?;
    state
        .mailer
        .commit(txn)
        .await
        .context("mailing a reset link")?;
    tracing::info!(user_id = %user.id, "reset link mailed");
    Ok(Recorded::Yes)
}

/// Sets a new password by a reset link. Every session of the user ends, every pending link dies,
/// a notice is mailed; nobody is signed in. The link also proves the address.
///
/// # Errors
/// `400 invalid_link`, `429`, `503` when hashing is too busy, or an internal error.
#[tracing::instrument(skip_all, fields(client = %caller.addr))]
pub async fn reset_password(
    state: &AppState,
    token: &str,
    password: Password,
    caller: &Caller,
) -> Result<(), AppError> {
    state.sign_in_limit.check(caller.addr).await?;
    let token = LinkToken::parse(token).ok_or(AppError::InvalidLink("not a link token"))?;
    let hash = token.hash();
    // Checked before the costly hashing; used (atomically) after it.
    link_tokens::find_live(&state.db, &hash, Purpose::Reset, clock::now())
        .await
        .context("finding a link")?
        .ok_or(AppError::InvalidLink("unknown, used or expired"))?;
    let password_hash = state.hasher.hash(password.into_secret()).await?;
    let now = clock::now();
    let txn = state.db.begin().await.context("resetting a password")?;
    let link = link_tokens::use_once(&txn, &hash, &[Purpose::Reset], now)
        .await
        .context("using a link")?
        .ok_or(AppError::InvalidLink("used or expired meanwhile"))?;
    let user = users::find(&txn, link.user_id)
        .await
        .context("finding a user")?
        .ok_or(AppError::InvalidLink("the user is gone"))?;
    users::confirm_email(&txn, user.id, &link.email)
        .await
        .context("confirming an address")?;
    let new = NewPassword {
        hash: password_hash,
        ends: Which::All,
        reason: EndReason::PasswordReset,
        notice: messages::password_reset(&user.email, &user.name),
    };
    let ended = set_password(state, txn, &user, new, now).await?;
    tracing::info!(user_id = %user.id, ended, "password reset");
    Ok(())
}
