//! Login throttling, the policy the README documents. Guesses are counted in the database (every
//! instance shares the counts) on two counters:
//!
//! - per (account, client address): `per_client.max` guesses per window, then that address is
//!   locked out of that account for `per_client.lockout`. An attacker at one address cannot lock
//!   the owner, who logs in from another.
//! - per account, from every address: `per_account.max` guesses per window, a wider cap for an
//!   attacker with many addresses. An address that logged in to the account before (within
//!   `trust`) is not stopped by it, so the owner still gets in.
//!
//! A guess is reserved on both counters, atomically, before any hashing, and given back if it is
//! right (or never verified), so no more than `max` guesses per window are ever verified, however
//! many arrive at once, on however many instances. The lock is checked again before a token is
//! issued.

use super::password::Lane;
use crate::backend::client::ClientAddr;
use crate::backend::error::{AppError, Context, Limit};
use crate::backend::login_attempts::{self, entity::ANY_CLIENT, Limits};
use crate::domain::Email;
use sea_orm::ConnectionTrait;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub per_client: Limits,
    pub per_account: Limits,
    /// Seconds a good login keeps its address trusted for the account.
    pub trust: u64,
}

const MINUTE: u64 = 60;
const DAY: u64 = 24 * 60 * MINUTE;

impl Default for ThrottlePolicy {
    /// 10 guesses per 15 minutes per (account, address); 100 per 15 minutes per account; both lock
    /// for 15 minutes; a good login trusts its address for 30 days.
    fn default() -> Self {
        Self {
            per_client: Limits {
                max: 10,
                window: 15 * MINUTE,
                lockout: 15 * MINUTE,
            },
            per_account: Limits {
                max: 100,
                window: 15 * MINUTE,
                lockout: 15 * MINUTE,
            },
            trust: 30 * DAY,
        }
    }
}

impl ThrottlePolicy {
    /// The longest window: counters older than this are stale.
    pub fn longest_window(&self) -> u64 {
        self.per_client.window.max(self.per_account.window)
    }
}

/// A guess that may be verified; say how it went with [`failed`], [`succeeded`] or [`released`].
#[derive(Debug)]
pub struct Reservation {
    email: String,
    client: String,
    /// Whether the account's own counter holds this guess too (not for a trusted address).
    on_account: bool,
}

impl Reservation {
    /// The counters this guess is held on, with their limits: the address's, and the account's
    /// unless the address is trusted.
    fn counters<'a>(&'a self, policy: &ThrottlePolicy) -> impl Iterator<Item = (&'a str, Limits)> {
        let account = self.on_account.then_some((ANY_CLIENT, policy.per_account));
        std::iter::once((self.client.as_str(), policy.per_client)).chain(account)
    }

    /// The address logged in to this account before: its hash goes in the trusted lane.
    pub fn lane(&self) -> Lane {
        if self.on_account {
            Lane::Shared
        } else {
            Lane::Trusted
        }
    }
}

/// Reserves one guess for `email` from `client`.
///
/// # Errors
/// `429 rate_limited` (with the seconds to wait) when either counter is locked or full; an
/// internal error when the database fails.
pub async fn reserve(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    email: &Email,
    client: ClientAddr,
    now: u64,
) -> Result<Reservation, AppError> {
    let (email, client) = (email.as_str().to_owned(), client.limit_key());
    let Some(pair) = login_attempts::reserve(db, &email, &client, policy.per_client, now)
        .await
        .context("reserving a login attempt")?
    else {
        return Err(refusal(db, &email, &client, policy.per_client, now).await?);
    };
    let trusted = u64::try_from(pair.trusted_until).unwrap_or(0) > now;
    let reservation = Reservation {
        email,
        client,
        on_account: !trusted,
    };
    if trusted {
        return Ok(reservation);
    }
    let account =
        login_attempts::reserve(db, &reservation.email, ANY_CLIENT, policy.per_account, now)
            .await
            .context("reserving a login attempt for the account")?;
    if account.is_none() {
        login_attempts::release(db, &reservation.email, &reservation.client)
            .await
            .context("giving back a login attempt")?;
        return Err(refusal(db, &reservation.email, ANY_CLIENT, policy.per_account, now).await?);
    }
    Ok(reservation)
}

/// The guess was wrong: it stays counted, and a full window locks.
///
/// # Errors
/// An internal error when the database fails.
pub async fn failed(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    reservation: Reservation,
    now: u64,
) -> Result<(), AppError> {
    for (client, limits) in reservation.counters(policy) {
        login_attempts::fail(db, &reservation.email, client, limits, now)
            .await
            .context("counting a failed login")?;
    }
    Ok(())
}

/// The guess was never verified (the service was busy): it does not count.
///
/// # Errors
/// An internal error when the database fails.
pub async fn released(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    reservation: Reservation,
) -> Result<(), AppError> {
    for (client, _) in reservation.counters(policy) {
        login_attempts::release(db, &reservation.email, client)
            .await
            .context("giving back a login attempt")?;
    }
    Ok(())
}

/// The guess was right. If a lock fell on either counter while it was being verified (other
/// guesses failed meanwhile), no token: `429`. Otherwise the address's count starts again and the
/// address is trusted for the account.
///
/// # Errors
/// `429 rate_limited` when locked meanwhile; an internal error when the database fails.
pub async fn succeeded(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    reservation: Reservation,
    now: u64,
) -> Result<(), AppError> {
    for (client, limits) in reservation.counters(policy) {
        let row = login_attempts::find(db, &reservation.email, client)
            .await
            .context("checking the login lock again")?;
        if row.is_some_and(|row| u64::try_from(row.locked_until).unwrap_or(0) > now) {
            return Err(refusal(db, &reservation.email, client, limits, now).await?);
        }
    }
    login_attempts::trust(
        db,
        &reservation.email,
        &reservation.client,
        now,
        now.saturating_add(policy.trust),
    )
    .await
    .context("trusting the address of a good login")?;
    if reservation.on_account {
        login_attempts::release(db, &reservation.email, ANY_CLIENT)
            .await
            .context("giving back the account's login attempt")?;
    }
    Ok(())
}

/// The `429` for a counter that refused: seconds until its lock ends, or until its window (full
/// of failed or in-flight guesses) moves on.
async fn refusal(
    db: &impl ConnectionTrait,
    email: &str,
    client: &str,
    limits: Limits,
    now: u64,
) -> Result<AppError, AppError> {
    let row = login_attempts::find(db, email, client)
        .await
        .context("reading a login lock")?;
    let until = row.map_or(now, |row| {
        let locked = u64::try_from(row.locked_until).unwrap_or(0);
        let window_ends = u64::try_from(row.window_started_at)
            .unwrap_or(0)
            .saturating_add(limits.window);
        if locked > now {
            locked
        } else {
            window_ends
        }
    });
    tracing::warn!(
        counter = if client == ANY_CLIENT {
            "account"
        } else {
            "address"
        },
        "login refused: throttled"
    );
    Ok(AppError::RateLimited {
        limit: Limit::Account,
        retry_after: until.saturating_sub(now).max(1),
    })
}

/// Deletes counters that neither lock, count nor trust any more; returns how many.
///
/// # Errors
/// An internal error when the database fails.
pub async fn purge_stale(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    now: u64,
) -> Result<u64, AppError> {
    login_attempts::purge_stale(db, policy.longest_window(), now)
        .await
        .context("purging stale login attempts")
}
