//! The periodic purge: what has expired leaves the database.

use crate::backend::auth::throttle;
use crate::backend::error::{AppError, Context};
use crate::backend::{clock, link_tokens, outbox, revocations, sessions, AppState};

/// How long the record of a sent (or given-up) mail is kept: longer than any mail limit's window.
const KEEP_MAIL_RECORDS: u64 = 7 * 24 * 3600;

/// What one purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub revocations: u64,
    pub sessions: u64,
    pub login_attempts: u64,
    pub links: u64,
    pub mail_records: u64,
    pub signing_keys: u64,
}

/// Deletes revocations of expired tokens, sessions that ended (with their refresh tokens), stale
/// login counters, used or expired links, week-old records of sent mail and retired signing keys,
/// and forgets idle client addresses; run periodically.
///
/// # Errors
/// An internal error when the database fails.
pub async fn purge_expired(state: &AppState) -> Result<Purged, AppError> {
    let (db, now) = (&state.db, clock::now());
    state.sign_in_limit.forget_idle();
    let cutoff = now.saturating_sub(crate::backend::auth::token::LEEWAY_SECONDS);
    Ok(Purged {
        revocations: revocations::purge_expired_before(db, cutoff)
            .await
            .context("purging expired revocations")?,
        sessions: sessions::purge_dead(db, now, state.sessions.lifetimes)
            .await
            .context("purging ended sessions")?,
        login_attempts: throttle::purge_stale(db, &state.throttle, now).await?,
        links: link_tokens::purge_dead(db, now)
            .await
            .context("purging dead links")?,
        mail_records: outbox::purge_done(db, now.saturating_sub(KEEP_MAIL_RECORDS))
            .await
            .context("purging mail records")?,
        signing_keys: super::keys::purge_retired(db, state.tokens.ttl(), clock::to_db(now))
            .await
            .context("purging retired signing keys")?,
    })
}
