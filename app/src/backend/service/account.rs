//! The account over email (CONTRACT §6): confirming the address, forgotten passwords, and the
//! changes a signed-in user makes. Every mail goes into the outbox in the transaction of the
//! change that causes it; the sender is woken after the commit.

use super::sign_in::check_password;
use crate::backend::auth::{AuthUser, LinkToken};
use crate::backend::client::Caller;
use crate::backend::clock;
use crate::backend::error::{AppError, Context};
use crate::backend::link_tokens::{self, NewLink, Purpose};
use crate::backend::mail::messages;
use crate::backend::outbox::{self, MailKind, NewMail};
use crate::backend::sessions::{self, EndReason, Which};
use crate::backend::users::{self, InsertUserError, User};
use crate::backend::AppState;
use crate::domain::{Email, EmailChange, Password, PasswordChange, UserName};
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
use secrecy::SecretString;

/// At most one confirmation mail a minute per address, and one reset mail a minute and five an
/// hour (CONTRACT §6).
const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const RESET_MAILS_PER_HOUR: u64 = 5;

/// Stores a new link for `user` and queues the mail that carries it to `to`, in `db` (the
/// caller's transaction). The link is `GATEHOUSE_PUBLIC_URL` + the page + `#token=…`: the token
/// rides in the fragment, which browsers never send to a server or put in a `Referer`.
pub(super) async fn mail_link(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &User,
    purpose: Purpose,
    to: &str,
    now: u64,
) -> Result<(), DbErr> {
    let token = LinkToken::generate();
    let ttl = state.links.of(purpose);
    let link = NewLink {
        hash: token.hash(),
        user_id: user.id,
        purpose,
        email: to,
        expires_at: now.saturating_add(ttl),
    };
    link_tokens::insert(db, link, now).await?;
    // The page that takes the token, and the words of the mail.
    let (page, compose): (&str, messages::LinkMail) = match purpose {
        Purpose::Verify => ("verify-email", messages::confirm_address),
        Purpose::Reset => ("reset-password", messages::reset_password),
        Purpose::ChangeEmail => ("verify-email", messages::confirm_new_address),
    };
    let url = format!("{}/{page}#token={}", state.public_url, token.expose());
    let mail = compose(to, &user.name, &url, &messages::duration_words(ttl));
    state.mailer.enqueue(db, mail, now).await.map(drop)
}

/// Queues a notice (no link) in `db`, the transaction of the change it tells about.
async fn notify(
    state: &AppState,
    db: &impl ConnectionTrait,
    mail: NewMail,
    now: u64,
) -> Result<(), AppError> {
    state
        .mailer
        .enqueue(db, mail, now)
        .await
        .map(drop)
        .context("queueing a notice")
}

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
        match users::change_email(&txn, link.user_id, &link.email).await {
            Ok(()) => {}
            Err(InsertUserError::EmailTaken) => return Err(AppError::EmailTaken),
            Err(InsertUserError::Db(e)) => return Err(e).context("changing an address"),
        }
        // Links mailed to the old address, or to another new one, confirm nothing any more.
        for purpose in [Purpose::Verify, Purpose::ChangeEmail] {
            link_tokens::kill_all(&txn, link.user_id, purpose, now)
                .await
                .context("killing links")?;
        }
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
    let Some(user) = hold(&txn, auth.user.id).await? else {
        return Ok(());
    };
    let recent = outbox::count_since(
        &txn,
        &user.email,
        MailKind::Verify,
        now.saturating_sub(MINUTE),
    )
    .await
    .context("counting mail")?;
    if recent > 0 || user.email_verified {
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

/// The user's row, held for the rest of the transaction (see `users::hold`).
async fn hold(db: &impl ConnectionTrait, id: uuid::Uuid) -> Result<Option<User>, AppError> {
    if !users::hold(db, id).await.context("holding a user")? {
        return Ok(None);
    }
    users::find(db, id).await.context("finding a user")
}

/// "Forgot your password?": answered at once and alike for every address; the lookup and the
/// mail happen after the answer, so neither the body nor the time tells whether the address has
/// an account (OWASP Forgot Password cheat sheet).
///
/// # Errors
/// `429` past the client's sign-in rate.
#[tracing::instrument(skip_all, fields(client = %caller.addr))]
pub async fn forgot_password(
    state: &AppState,
    email: Email,
    caller: &Caller,
) -> Result<(), AppError> {
    state.sign_in_limit.check(caller.addr).await?;
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = mail_reset_link(&state, &email).await {
            tracing::error!(error = %e, "a reset link could not be queued");
        }
    });
    Ok(())
}

/// Queues a reset link for the account at `email`, if there is one and its limits allow.
async fn mail_reset_link(state: &AppState, email: &Email) -> Result<(), AppError> {
    let Some(user) = users::find_by_email(&state.db, email)
        .await
        .context("finding a user by email")?
    else {
        tracing::info!("reset asked for an address with no account");
        return Ok(());
    };
    let now = clock::now();
    let txn = state.db.begin().await.context("mailing a reset link")?;
    let Some(user) = hold(&txn, user.id).await? else {
        return Ok(());
    };
    let count = |since| outbox::count_since(&txn, &user.email, MailKind::Reset, since);
    let last_minute = count(now.saturating_sub(MINUTE))
        .await
        .context("counting mail")?;
    let last_hour = count(now.saturating_sub(HOUR))
        .await
        .context("counting mail")?;
    if last_minute > 0 || last_hour >= RESET_MAILS_PER_HOUR {
        tracing::info!(user_id = %user.id, "reset link not mailed: the address's limit is reached");
        return Ok(());
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
    Ok(())
}

/// Sets a new password by a reset link. Every session of the user ends, every other reset link
/// dies, a notice is mailed; nobody is signed in. The link also proves the address.
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
    let token = LinkToken::parse(token).ok_or_else(|| invalid_link("not a link token"))?;
    let hash = token.hash();
    // Checked before the costly hashing; used (atomically) after it.
    link_tokens::find_live(&state.db, &hash, Purpose::Reset, clock::now())
        .await
        .context("finding a link")?
        .ok_or_else(|| invalid_link("unknown, used or expired"))?;
    let password_hash = state.hasher.hash(password.into_secret()).await?;
    let now = clock::now();
    let txn = state.db.begin().await.context("resetting a password")?;
    let link = link_tokens::use_once(&txn, &hash, &[Purpose::Reset], now)
        .await
        .context("using a link")?
        .ok_or_else(|| invalid_link("used or expired meanwhile"))?;
    let user = users::find(&txn, link.user_id)
        .await
        .context("finding a user")?
        .ok_or_else(|| invalid_link("the user is gone"))?;
    users::update_password_hash(&txn, user.id, password_hash)
        .await
        .context("storing a password hash")?;
    users::confirm_email(&txn, user.id, &link.email)
        .await
        .context("confirming an address")?;
    link_tokens::kill_all(&txn, user.id, Purpose::Reset, now)
        .await
        .context("killing reset links")?;
    let ended = end_sessions(
        state,
        &txn,
        &user,
        Which::All,
        EndReason::PasswordReset,
        now,
    )
    .await?;
    notify(
        state,
        &txn,
        messages::password_reset(&user.email, &user.name),
        now,
    )
    .await?;
    state
        .mailer
        .commit(txn)
        .await
        .context("resetting a password")?;
    state.auth_cache.forget_user(user.id);
    tracing::info!(user_id = %user.id, ended, "password reset");
    Ok(())
}

async fn end_sessions(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &User,
    which: Which,
    reason: EndReason,
    now: u64,
) -> Result<u64, AppError> {
    sessions::end(db, user.id, which, reason, now, state.sessions.lifetimes)
        .await
        .context("ending sessions")
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

/// Changes the password. Every other session ends, every reset link dies, a notice is mailed.
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
    users::update_password_hash(&txn, user.id, password_hash)
        .await
        .context("storing a password hash")?;
    link_tokens::kill_all(&txn, user.id, Purpose::Reset, now)
        .await
        .context("killing reset links")?;
    let others = Which::AllBut(auth.claims.sid);
    let ended = end_sessions(state, &txn, &user, others, EndReason::PasswordChanged, now).await?;
    notify(
        state,
        &txn,
        messages::password_changed(&user.email, &user.name),
        now,
    )
    .await?;
    state
        .mailer
        .commit(txn)
        .await
        .context("changing a password")?;
    state.auth_cache.forget_user(user.id);
    tracing::info!(ended, "password changed");
    Ok(())
}

/// Asks to move the account to a new address: a link to confirm goes there, a notice to the old
/// one; nothing changes until the link is used. A newer request kills the older links.
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
    link_tokens::kill_all(&txn, user.id, Purpose::ChangeEmail, now)
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
    state
        .mailer
        .commit(txn)
        .await
        .context("deleting an account")?;
    state.auth_cache.forget_user(user.id);
    tracing::info!("account deleted");
    Ok(())
}
