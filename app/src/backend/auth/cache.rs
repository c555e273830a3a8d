//! The per-request check's cache, on SQLite only. A token that passed the whole check (user,
//! live session, `jti` not revoked) is taken as good again, without the database, for at most
//! [`HOLD`] and never past its session's end. The instance's own changes to a user (a session
//! ended, a token revoked, the account renamed, confirmed or deleted) drop that user's entries the
//! moment they commit, so they are refused here at once. Another process writing the same SQLite
//! file is seen within [`HOLD`].
//!
//! On Postgres, where several instances share the database, there is no cache: every request
//! reads the database in one round trip, and every instance refuses an ended session at once.

use crate::backend::users::{TokenSubject, User};
use dashmap::DashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The longest a checked token is taken as good without asking the database again. Half a
/// second, so that a change made by another process is refused here well within the second the
/// contract's multi-instance promise allows, request times and all; at tens of thousands of
/// requests a second it still answers nearly every one from memory.
pub const HOLD: Duration = Duration::from_millis(500);
/// Beyond this many entries, the expired ones are swept out before another is added (and none is
/// added while it stays full).
const MAX_ENTRIES: usize = 100_000;

struct Entry {
    user: User,
    session_id: Uuid,
    good_until: Instant,
}

struct Inner {
    /// By the token's `jti`.
    entries: DashMap<Uuid, Entry>,
    /// Counts the changes: an answer read from the database before a change is not kept after it.
    changes: AtomicU64,
}

/// Cheap to clone: every clone is the same cache.
#[derive(Clone, Default)]
pub struct AuthCache {
    inner: Option<Arc<Inner>>,
}

impl std::fmt::Debug for AuthCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCache")
            .field("enabled", &self.inner.is_some())
            .finish_non_exhaustive()
    }
}

/// Where an answer from the database stands against the changes: taken before the read.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(u64);

impl AuthCache {
    /// A cache that holds entries.
    pub fn enabled() -> Self {
        Self {
            inner: Some(Arc::new(Inner {
                entries: DashMap::new(),
                changes: AtomicU64::new(0),
            })),
        }
    }

    /// A cache that holds nothing: every check reads the database.
    pub fn disabled() -> Self {
        Self { inner: None }
    }

    /// The user of a token checked within [`HOLD`], if nothing about them changed since.
    pub fn get(&self, subject: &TokenSubject) -> Option<User> {
        let inner = self.inner.as_ref()?;
        let entry = inner.entries.get(&subject.jti)?;
        let good = entry.good_until > Instant::now()
            && entry.session_id == subject.session_id
            && entry.user.id == subject.user_id;
        good.then(|| entry.user.clone())
    }

    /// Take before reading the database; [`Self::put`] keeps the answer only if no change came in
    /// between.
    pub fn ticket(&self) -> Ticket {
        Ticket(
            self.inner
                .as_ref()
                .map_or(0, |inner| inner.changes.load(Ordering::Acquire)),
        )
    }

    /// Keeps a good answer for `subject`, until [`HOLD`] from now or `session_ends_in`, whichever
    /// comes first.
    pub fn put(
        &self,
        ticket: Ticket,
        subject: &TokenSubject,
        user: &User,
        session_ends_in: Duration,
    ) {
        let Some(inner) = &self.inner else { return };
        let now = Instant::now();
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.retain(|_, entry| entry.good_until > now);
            if inner.entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        let entry = Entry {
            user: user.clone(),
            session_id: subject.session_id,
            good_until: now + HOLD.min(session_ends_in),
        };
        inner.entries.insert(subject.jti, entry);
        // A change that committed while the answer was read may have swept before the insert:
        // then the answer is not kept.
        if inner.changes.load(Ordering::Acquire) != ticket.0 {
            inner.entries.remove(&subject.jti);
        }
    }

    /// Drops every entry of `user_id`. Call after the change has committed.
    pub fn forget_user(&self, user_id: Uuid) {
        let Some(inner) = &self.inner else { return };
        inner.changes.fetch_add(1, Ordering::AcqRel);
        inner.entries.retain(|_, entry| entry.user.id != user_id);
    }

    /// How many entries it holds (expired ones included until swept).
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |inner| inner.entries.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: Uuid::new_v4(),
            name: "Ada".into(),
            email: "ada@example.com".into(),
            password_hash: "$argon2id$…".into(),
            email_verified: false,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn subject(user: &User) -> TokenSubject {
        TokenSubject {
            user_id: user.id,
            session_id: Uuid::new_v4(),
            jti: Uuid::new_v4(),
        }
    }

    #[test]
    fn a_checked_token_is_served_from_memory_until_its_user_changes() {
        let cache = AuthCache::enabled();
        let (ada, other) = (user(), user());
        let (s1, s2) = (subject(&ada), subject(&other));
        cache.put(cache.ticket(), &s1, &ada, HOLD);
        cache.put(cache.ticket(), &s2, &other, HOLD);
        assert_eq!(cache.get(&s1).map(|u| u.id), Some(ada.id));
        cache.forget_user(ada.id);
        assert!(cache.get(&s1).is_none());
        assert!(cache.get(&s2).is_some(), "other users keep theirs");
    }

    #[test]
    fn an_answer_read_before_a_change_is_not_kept() {
        let cache = AuthCache::enabled();
        let ada = user();
        let s = subject(&ada);
        let ticket = cache.ticket();
        // The database is read here; meanwhile a change commits.
        cache.forget_user(ada.id);
        cache.put(ticket, &s, &ada, HOLD);
        assert!(cache.get(&s).is_none());
    }

    #[test]
    fn an_entry_lasts_no_longer_than_its_session_or_the_hold() {
        let cache = AuthCache::enabled();
        let ada = user();
        let s = subject(&ada);
        cache.put(cache.ticket(), &s, &ada, Duration::ZERO);
        assert!(cache.get(&s).is_none(), "the session ends now");
        let mut wrong = subject(&ada);
        wrong.jti = s.jti;
        cache.put(cache.ticket(), &s, &ada, HOLD);
        assert!(cache.get(&wrong).is_none(), "another session's claim");
    }

    #[test]
    fn a_disabled_cache_holds_nothing() {
        let cache = AuthCache::disabled();
        let ada = user();
        let s = subject(&ada);
        cache.put(cache.ticket(), &s, &ada, HOLD);
        assert!(cache.get(&s).is_none());
        assert!(cache.is_empty());
    }
}
