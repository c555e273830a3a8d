//! Sessions after sign-in (docs/api.md, "Sessions"): refresh with rotation, logout with its scopes, the list
//! of live sessions, and ending one of them.

use crate::backend::auth::{amr_claim, AuthUser, IssuedToken, RefreshToken};
use crate::backend::client::ClientAddr;
use crate::backend::clock::{self, to_db};
use crate::backend::error::{AppError, Context};
use crate::backend::sessions::{self, EndReason, Lifetimes, Session, Which};
use crate::backend::{refresh_tokens, revocations, users, AppState};
use crate::domain::{LogoutScope, SessionView, UserView};
use sea_orm::TransactionTrait;
use uuid::Uuid;

/// What a refresh returns.
#[derive(Debug)]
pub struct Refreshed {
    pub token: IssuedToken,
    pub user: UserView,
    /// The session's next refresh token; `None` when the presented one had just been rotated
    /// (the grace window): the client that rotated it holds the next one.
    pub refresh: Option<RefreshToken>,
    /// Seconds until the session's maximum age.
    pub session_max_age: u64,
}

fn refused(reason: &str) -> AppError {
    AppError::InvalidToken(reason.to_owned())
}

/// Trades a refresh token for a new access token and, unless it was already rotated, a new
/// refresh token.
///
/// Race-free by construction: the token is retired by one conditional update, the first
/// statement of the transaction, so of two refreshes with one token (on one instance or two)
/// exactly one rotates it; the other waits for it (SQLite's write lock, Postgres's row lock) and
/// then finds the token retired a moment ago: the grace window.
///
/// # Errors
/// `401 invalid_token` for an unknown, retired (after the grace window: the session ends),
/// ended or expired token; `429` past the client's sign-in rate; an internal error.
#[tracing::instrument(skip_all, fields(client = %client))]
pub async fn refresh(
    state: &AppState,
    presented: &str,
    client: ClientAddr,
) -> Result<Refreshed, AppError> {
    state.sign_in_limit.check(client).await?;
    let presented = RefreshToken::parse(presented).ok_or_else(|| refused("not a refresh token"))?;
    let hash = presented.hash();
    let (now, policy) = (clock::now(), state.sessions);
    let lifetimes = policy.lifetimes;

    let _turn = state.writer.turn().await;
    let txn = state.db.begin().await.context("refreshing a session")?;
    let rotated = refresh_tokens::retire(&txn, &hash, now)
        .await
        .context("retiring a refresh token")?;
    let token = refresh_tokens::find(&txn, &hash)
        .await
        .context("finding a refresh token")?
        .ok_or_else(|| refused("unknown refresh token"))?;
    let session = sessions::find(&txn, token.session_id)
        .await
        .context("finding a session")?
        .filter(|session| session.is_alive(now, lifetimes))
        .ok_or_else(|| refused("the refresh token's session has ended"))?;

    let next = if rotated {
        if !sessions::touch(&txn, session.id, now, lifetimes)
            .await
            .context("recording a refresh")?
        {
            return Err(refused("the session ended during the refresh"));
        }
        let next = RefreshToken::generate();
        refresh_tokens::insert(&txn, next.hash(), session.id, now)
            .await
            .context("storing a refresh token")?;
        Some(next)
    } else {
        let retired_for = token.retired_at.map_or(i64::MAX, |at| to_db(now) - at);
        if retired_for >= to_db(policy.reuse_grace) {
            // Someone holds a token that was replaced a while ago: the legitimate client or a
            // thief, and there is no telling which. End the session for both.
            sessions::end(
                &txn,
                session.user_id,
                Which::One(session.id),
                EndReason::RefreshTokenReplayed,
                now,
                lifetimes,
            )
            .await
            .context("ending a session")?;
            txn.commit().await.context("ending a session")?;
            state.auth_cache.forget_user(session.user_id);
            tracing::warn!(
                user_id = %session.user_id,
                session_id = %session.id,
                "a retired refresh token was presented again: session ended"
            );
            return Err(refused("retired refresh token replayed"));
        }
        None
    };
    let user = users::find(&txn, session.user_id)
        .await
        .context("finding a user")?
        .ok_or_else(|| refused("the session's user is gone"))?;
    txn.commit().await.context("refreshing a session")?;

    let access = state
        .tokens
        .issue(user.id, session.id, amr_claim(&session.amr))
        .context("signing a token")?;
    tracing::info!(
        user_id = %user.id,
        session_id = %session.id,
        rotated = next.is_some(),
        "session refreshed"
    );
    Ok(Refreshed {
        token: access,
        user: UserView::from(&user),
        refresh: next,
        session_max_age: u64::try_from(session.expires_at - to_db(now)).unwrap_or(0),
    })
}

/// Ends the sessions `scope` names: this one (`local`), every other (`others`) or all (`global`).
/// The token that asked is also revoked when its own session ends.
///
/// # Errors
/// An internal error when the database fails.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id, ?scope))]
pub async fn logout(state: &AppState, auth: &AuthUser, scope: LogoutScope) -> Result<(), AppError> {
    let (which, reason) = match scope {
        LogoutScope::Local => (Which::One(auth.claims.sid), EndReason::Logout),
        LogoutScope::Others => (Which::AllBut(auth.claims.sid), EndReason::EndedElsewhere),
        LogoutScope::Global => (Which::All, EndReason::Logout),
    };
    let ended = sessions::end(
        &state.db,
        auth.user.id,
        which,
        reason,
        clock::now(),
        state.sessions.lifetimes,
    )
    .await
    .context("ending sessions")?;
    if scope.ends_current() {
        revocations::revoke(&state.db, auth.claims.jti, auth.user.id, auth.claims.exp)
            .await
            .context("revoking a token")?;
    }
    state.auth_cache.forget_user(auth.user.id);
    tracing::info!(ended, "logged out");
    Ok(())
}

/// The user's live sessions, newest first, the asking one marked `current`.
///
/// # Errors
/// An internal error when the database fails.
pub async fn list_sessions(
    state: &AppState,
    auth: &AuthUser,
) -> Result<Vec<SessionView>, AppError> {
    let lifetimes = state.sessions.lifetimes;
    let live = sessions::live_of_user(&state.db, auth.user.id, clock::now(), lifetimes)
        .await
        .context("listing sessions")?;
    Ok(live
        .iter()
        .map(|session| view(session, lifetimes, session.id == auth.claims.sid))
        .collect())
}

/// Ends one live session of the user (this one or another).
///
/// # Errors
/// `404 not_found` when `id` is not a live session of this user; an internal error.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id, session_id = %id))]
pub async fn end_session(state: &AppState, auth: &AuthUser, id: Uuid) -> Result<(), AppError> {
    let reason = if id == auth.claims.sid {
        EndReason::Logout
    } else {
        EndReason::EndedElsewhere
    };
    let ended = sessions::end(
        &state.db,
        auth.user.id,
        Which::One(id),
        reason,
        clock::now(),
        state.sessions.lifetimes,
    )
    .await
    .context("ending a session")?;
    if ended == 0 {
        return Err(AppError::NotFound);
    }
    state.auth_cache.forget_user(auth.user.id);
    tracing::info!("session ended");
    Ok(())
}

fn view(session: &Session, lifetimes: Lifetimes, current: bool) -> SessionView {
    SessionView {
        id: session.id,
        created_at: rfc3339_ms(session.created_at),
        last_used_at: rfc3339(session.last_used_at),
        expires_at: rfc3339(session.ends_at(lifetimes)),
        user_agent: session.user_agent.clone(),
        current,
    }
}

/// Unix milliseconds (a session's start), to the millisecond.
fn rfc3339_ms(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
