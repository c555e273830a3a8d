//! The periodic purge: what has expired leaves the database.

use crate::backend::auth::throttle;
use crate::backend::client::RATE_WINDOW_SECONDS;
use crate::backend::error::{AppError, Context};
use crate::backend::{clock, link_tokens, outbox, revocations, sessions, sign_in_rates, AppState};

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
    pub sign_in_rates: u64,
}

/// Deletes revocations of expired tokens, sessions that ended (with their refresh tokens), stale
/// login counters, used or expired links, week-old records of sent mail, retired signing keys and
/// the sign-in counts of minutes that are over; run periodically.
///
/// # Errors
/// An internal error when the database fails.
pub async fn purge_expired(state: &AppState) -> Result<Purged, AppError> {
    let (db, now) = (&state.db, clock::now());
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
        sign_in_rates: sign_in_rates::purge_before(db, now.saturating_sub(RATE_WINDOW_SECONDS))
            .await
            .context("purging sign-in counts")?,
    })
}
