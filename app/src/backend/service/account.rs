//! The account over email (docs/api.md, "The account over email"): confirming the address, and
//! the changes a signed-in user makes. Every mail goes into the outbox in the transaction of the
//! change that causes it (`links`); the sender is woken after the commit.

use super::links::{mail_link, mailed_within, notify};
use super::passwords::{check_password, set_password, NewPassword};
use crate::backend::auth::{AuthUser, LinkToken};
use crate::backend::client::Caller;
use crate::backend::clock;
use crate::backend::error::{AppError, Context};
use crate::backend::link_tokens::{self, Purpose};
use crate::backend::login_attempts;
use crate::backend::mail::messages;
use crate::backend::outbox::MailKind;
use crate::backend::sessions::{EndReason, Which};
use crate::backend::users::{self, InsertUserError, User};
use crate::backend::AppState;
use crate::domain::{Email, EmailChange, PasswordChange, UserName};
use sea_orm::TransactionTrait;
use secrecy::SecretString;

/// At most one confirmation mail a minute per address, and one mail to confirm a new address a
/// minute per new address (docs/api.md).
const MINUTE: u64 = 60;

fn invalid_link(reason: &'static str) -> AppError {
    AppError::InvalidLink(reason)
}

/// Follows a confirmation link: the address is confirmed, or, for a change of address, the
/// account moves to the address the link was mailed to (confirmed by the same act).
///
/// # Errors
/// `400 invalid_link` (unknown, used, expired, or the account's address changed since),
/// `409 email_taken` when the new address was registered meanwhile, `429`, or an internal error.
#[tracing::instrument(skip_all, fields(client = %caller.addr))]
pub async fn verify_email(
    state: &AppState,
    token: &str,
    caller: &Caller,
) -> Result<User, AppError> {
    state.sign_in_limit.check(caller.addr).await?;
    let token = LinkToken::parse(token).ok_or_else(|| invalid_link("not a link token"))?;
    let now = clock::now();
    let txn = state.db.begin().await.context("confirming an address")?;
    let link = link_tokens::use_once(
        &txn,
        &token.hash(),
        &[Purpose::Verify, Purpose::ChangeEmail],
        now,
    )
    .await
    .context("using a link")?
    .ok_or_else(|| invalid_link("unknown, used or expired"))?;
    if link.purpose == Purpose::ChangeEmail.as_str() {
        let old = users::find(&txn, link.user_id)
            .await
            .context("finding a user")?
            .ok_or_else(|| invalid_link("the user is gone"))?;
        match users::change_email(&txn, link.user_id, &link.email).await {
            Ok(()) => {}
            Err(InsertUserError::EmailTaken) => return Err(AppError::EmailTaken),
            Err(InsertUserError::Db(e)) => return Err(e).context("changing an address"),
        }
        // Every link mailed before (to the old address, or to another new one) dies: a reset
        // link in the old mailbox would otherwise still open the account.
        link_tokens::kill_all(&txn, link.user_id, &Purpose::ALL, now)
            .await
            .context("killing links")?;
        // The old address's trusted sign-ins go with it.
        login_attempts::forget_email(&txn, &old.email)
            .await
            .context("forgetting the old address's sign-ins")?;
    } else if !users::confirm_email(&txn, link.user_id, &link.email)
        .await
        .context("confirming an address")?
    {
        return Err(invalid_link("the account's address changed since"));
    }
    let user = users::find(&txn, link.user_id)
        .await
        .context("finding a user")?
        .ok_or_else(|| invalid_link("the user is gone"))?;
    txn.commit().await.context("confirming an address")?;
    state.auth_cache.forget_user(user.id);
    tracing::info!(user_id = %user.id, purpose = link.purpose, "address confirmed");
    Ok(user)
}

/// Mails a new confirmation link, at most one a minute per address; nothing for a confirmed one.
/// Either way the answer is the same.
///
/// # Errors
/// An internal error.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id))]
pub async fn resend_verification(state: &AppState, auth: &AuthUser) -> Result<(), AppError> {
    if auth.user.email_verified {
        return Ok(());
    }
    let now = clock::now();
    let txn = state.db.begin().await.context("resending a confirmation")?;
    let Some(user) = users::find_held(&txn, auth.user.id)
        .await
        .context("holding a user")?
    else {
        return Ok(());
    };
    if user.email_verified
        || mailed_within(&txn, &user.email, MailKind::Verify, MINUTE, now).await? > 0
    {
        tracing::info!("confirmation not mailed again: one went out within the minute");
        return Ok(());
    }
    mail_link(state, &txn, &user, Purpose::Verify, &user.email, now)
        .await
        .context("queueing the confirmation mail")?;
    state
        .mailer
        .commit(txn)
        .await
        .context("resending a confirmation")?;
    tracing::info!("confirmation mailed again");
    Ok(())
}

/// `PATCH /api/account {name}`.
///
/// # Errors
/// An internal error.
pub async fn rename(state: &AppState, auth: &AuthUser, name: UserName) -> Result<User, AppError> {
    users::update_name(&state.db, auth.user.id, &name)
        .await
        .context("renaming a user")?;
    state.auth_cache.forget_user(auth.user.id);
    tracing::info!(user_id = %auth.user.id, "name changed");
    Ok(User {
        name: name.as_str().to_owned(),
        ..auth.user.clone()
    })
}

/// The signed-in user's password, checked under the login throttling.
async fn confirm_password(
    state: &AppState,
    auth: &AuthUser,
    password: SecretString,
    caller: &Caller,
) -> Result<User, AppError> {
    let email = Email::parse(&auth.user.email)
        .map_err(|e| AppError::internal("reading a stored address", e.to_string()))?;
    check_password(
        state,
        &email,
        Some(auth.user.clone()),
        password,
        caller.addr,
    )
    .await
}

/// Changes the password. Every other session ends, every pending link dies, a notice is mailed.
///
/// # Errors
/// `401 invalid_credentials` for a wrong current password (counted as a failed login), `429`,
/// `503`, or an internal error.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id, client = %caller.addr))]
pub async fn change_password(
    state: &AppState,
    auth: &AuthUser,
    change: PasswordChange,
    caller: &Caller,
) -> Result<(), AppError> {
    let user = confirm_password(state, auth, change.current, caller).await?;
    let password_hash = state.hasher.hash(change.new.into_secret()).await?;
    let now = clock::now();
    let txn = state.db.begin().await.context("changing a password")?;
    let new = NewPassword {
        hash: password_hash,
        ends: Which::AllBut(auth.claims.sid),
        reason: EndReason::PasswordChanged,
        notice: messages::password_changed(&user.email, &user.name),
    };
    let ended = set_password(state, txn, &user, new, now).await?;
    tracing::info!(ended, "password changed");
    Ok(())
}

/// Asks to move the account to a new address: a link to confirm goes there, a notice to the old
/// one; nothing changes until the link is used. A newer request kills the older links. At most one
/// such mail a minute goes to one address (more requests get the same answer).
///
/// # Errors
/// `401 invalid_credentials` (counted as a failed login), `409 email_taken`, `422` for the
/// account's own address, `429`, `503`, or an internal error.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id, client = %caller.addr))]
pub async fn change_email(
    state: &AppState,
    auth: &AuthUser,
    change: EmailChange,
    caller: &Caller,
) -> Result<(), AppError> {
    let user = confirm_password(state, auth, change.password, caller).await?;
    let new = change.email;
    if new.as_str() == user.email {
        return Err(AppError::invalid_field(
            "email",
            "is already your email address",
        ));
    }
    if users::find_by_email(&state.db, &new)
        .await
        .context("finding a user by email")?
        .is_some()
    {
        return Err(AppError::EmailTaken);
    }
    let now = clock::now();
    let txn = state.db.begin().await.context("changing an address")?;
    let Some(user) = users::find_held(&txn, user.id)
        .await
        .context("holding a user")?
    else {
        return Ok(());
    };
    // The site's own sender mails an address the user typed: once a minute per address at most.
    if mailed_within(&txn, new.as_str(), MailKind::ChangeEmail, MINUTE, now).await? > 0 {
        tracing::info!("change of address not mailed: one went to that address within the minute");
        return Ok(());
    }
    link_tokens::kill_all(&txn, user.id, &[Purpose::ChangeEmail], now)
        .await
        .context("killing links")?;
    mail_link(state, &txn, &user, Purpose::ChangeEmail, new.as_str(), now)
        .await
        .context("queueing a confirmation")?;
    let notice = messages::address_changing(&user.email, &user.name, new.as_str());
    notify(state, &txn, notice, now).await?;
    state
        .mailer
        .commit(txn)
        .await
        .context("changing an address")?;
    tracing::info!("change of address asked");
    Ok(())
}

/// Deletes the account: the user, their sessions, tokens and links (the foreign keys cascade).
/// The notice is queued in the same transaction; the outbox does not depend on the user.
///
/// # Errors
/// `401 invalid_credentials` (counted as a failed login), `429`, `503`, or an internal error.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id, client = %caller.addr))]
pub async fn delete_account(
    state: &AppState,
    auth: &AuthUser,
    password: SecretString,
    caller: &Caller,
) -> Result<(), AppError> {
    let user = confirm_password(state, auth, password, caller).await?;
    let now = clock::now();
    let txn = state.db.begin().await.context("deleting an account")?;
    notify(
        state,
        &txn,
        messages::account_deleted(&user.email, &user.name),
        now,
    )
    .await?;
    users::delete_user(&txn, user.id)
        .await
        .context("deleting a user")?;
    // The address's trusted sign-ins and counters go with the account.
    login_attempts::forget_email(&txn, &user.email)
        .await
        .context("forgetting the account's sign-ins")?;
    state
        .mailer
        .commit(txn)
        .await
        .context("deleting an account")?;
    state.auth_cache.forget_user(user.id);
    tracing::info!("account deleted");
    Ok(())
}
