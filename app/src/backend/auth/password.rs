//! Argon2id through the `password-hash` API, run off the async executor with a bound on how many
//! hashes run at once, so a burst of logins queues instead of starving every other request, and a
//! bound on the queue: a hash that would wait longer than `max_wait` is refused at once (`503`),
//! so a flood of logins cannot make every real one wait without end.
//!
//! Two lanes: a login from an address that has logged in to that account before (the throttle's
//! trust) has a lane of its own, with one permit that nothing else uses, so the owner's login does
//! not queue behind a flood of guesses from many addresses. Everything else shares the other lane.

use argon2::{Algorithm, Argon2, Params, Version};
use password_hash::phc::PasswordHash;
use password_hash::{PasswordHasher as _, PasswordVerifier as _};
use secrecy::{ExposeSecret, SecretString};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The longest a hash may wait for its turn by default.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(3);

/// The parameters every new hash gets (OWASP's argon2id minimum: m=19456 KiB, t=2, p=1).
pub fn current_params() -> Params {
    Params::new(
        Params::DEFAULT_M_COST,
        Params::DEFAULT_T_COST,
        Params::DEFAULT_P_COST,
        None,
    )
    .expect("the default argon2 parameters are valid")
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(password_hash::Error),
    #[error("the hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the hashing pool is closed")]
    Closed,
    /// Too many hashes are queued: this one would wait longer than the bound.
    #[error("too many password hashes are waiting")]
    Busy { retry_after: u64 },
}

impl From<HashError> for crate::backend::AppError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy { retry_after } => Self::Busy {
                reason: "password hashing queue full",
                retry_after,
            },
            other => Self::internal("hashing a password", other),
        }
    }
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// It matched; `needs_rehash` when the stored hash is weaker than [`current_params`].
    Valid {
        needs_rehash: bool,
    },
    Invalid,
}

/// Which queue a hash waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Registrations, re-hashes, and logins from addresses the account does not know.
    Shared,
    /// Logins from an address that logged in to the account before.
    Trusted,
}

/// One lane: its permits and the hashes waiting for one.
#[derive(Clone)]
struct Queue {
    concurrency: usize,
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

impl Queue {
    fn new(concurrency: usize) -> Self {
        Self {
            concurrency,
            permits: Arc::new(Semaphore::new(concurrency)),
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    shared: Queue,
    trusted: Queue,
    /// A moving average of how long one hash takes, in microseconds.
    mean_micros: Arc<AtomicU64>,
    max_wait: Duration,
    /// Verified against when the email is unknown, so both failures cost the same.
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("available", &self.shared.permits.available_permits())
            .field("waiting", &self.shared.waiting.load(Ordering::Relaxed))
            .field("max_wait", &self.max_wait)
            .finish()
    }
}

/// Takes a waiting hash off the count however its wait ends.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl PasswordHasher {
    /// `concurrency` hashes may run at once in the shared lane, one more in the trusted lane; more
    /// wait their turn, but not longer than `max_wait`.
    pub fn new(concurrency: usize, max_wait: Duration) -> Self {
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, current_params());
        let mut salt_source = [0u8; 24];
        rand::fill(&mut salt_source);
        // Timing the dummy hash gives the first estimate of what a hash costs on this machine.
        let started = Instant::now();
        let dummy_hash = argon2
            .hash_password(&salt_source)
            .expect("hashing a random dummy password cannot fail")
            .to_string();
        let first_mean = micros(started.elapsed());
        Self {
            argon2,
            shared: Queue::new(concurrency.max(1)),
            trusted: Queue::new(1),
            mean_micros: Arc::new(AtomicU64::new(first_mean)),
            max_wait,
            dummy_hash: dummy_hash.into(),
        }
    }

    /// One hash at a time per core but one, leaving a core for everything else.
    pub fn default_concurrency() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
    }

    /// A PHC string of a fresh argon2id hash with a new random salt.
    #[tracing::instrument(skip_all)]
    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        let argon2 = self.argon2.clone();
        self.run_blocking(Lane::Shared, move || {
            argon2
                .hash_password(password.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(HashError::Hash)
        })
        .await
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no user,
    /// waiting in `lane`.
    #[tracing::instrument(skip_all)]
    pub async fn verify(
        &self,
        password: SecretString,
        stored: Option<String>,
        lane: Lane,
    ) -> Result<Verification, HashError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let argon2 = self.argon2.clone();
        self.run_blocking(lane, move || {
            // An unparseable stored hash can never match; treat it like a wrong password.
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Ok(Verification::Invalid);
            };
            let matched = argon2
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok();
            Ok(if matched && known {
                Verification::Valid {
                    needs_rehash: is_weaker_than_current(&parsed),
                }
            } else {
                Verification::Invalid
            })
        })
        .await
    }

    /// How long a hash queued now in `queue` would wait: the hashes ahead of it, in rounds of the
    /// lane's concurrency, each taking about the mean.
    fn expected_wait(&self, queue: &Queue, waiting_ahead: usize) -> Duration {
        let free = queue.permits.available_permits().min(queue.concurrency);
        let rounds = (waiting_ahead + queue.concurrency - free) / queue.concurrency;
        let mean = self.mean_micros.load(Ordering::Relaxed);
        Duration::from_micros(mean.saturating_mul(rounds as u64))
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        lane: Lane,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let queue = match lane {
            Lane::Shared => &self.shared,
            Lane::Trusted => &self.trusted,
        };
        let ahead = queue.waiting.fetch_add(1, Ordering::Relaxed);
        let waiting = Waiting(queue.waiting.clone());
        let busy = |wait: Duration| HashError::Busy {
            retry_after: wait.as_secs().max(1),
        };
        let expected = self.expected_wait(queue, ahead);
        if expected > self.max_wait {
            return Err(busy(expected));
        }
        let permit = tokio::time::timeout(self.max_wait, queue.permits.clone().acquire_owned())
            .await
            .map_err(|_| busy(self.max_wait))?
            .map_err(|_| HashError::Closed)?;
        drop(waiting);
        let mean = self.mean_micros.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let started = Instant::now();
            let result = work();
            // A moving average over about the last eight hashes.
            let took = micros(started.elapsed());
            let old = mean.load(Ordering::Relaxed);
            mean.store(old - old / 8 + took / 8, Ordering::Relaxed);
            result
        })
        .await?
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// True when the hash is not argon2id v19 or uses less memory or fewer passes than now required.
pub fn is_weaker_than_current(hash: &PasswordHash) -> bool {
    if hash.algorithm.as_str() != Algorithm::Argon2id.ident().as_str()
        || hash.version != Some(Version::V0x13.into())
    {
        return true;
    }
    let current = current_params();
    match Params::try_from(hash) {
        Ok(params) => params.m_cost() < current.m_cost() || params.t_cost() < current.t_cost(),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let hasher = PasswordHasher::new(1, DEFAULT_MAX_WAIT);
        let hash = hasher.hash(secret("correct horse battery")).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            hasher
                .verify(
                    secret("correct horse battery"),
                    Some(hash.clone()),
                    Lane::Shared
                )
                .await
                .unwrap(),
            Verification::Valid {
                needs_rehash: false
            }
        );
        assert_eq!(
            hasher
                .verify(secret("wrong horse battery"), Some(hash), Lane::Shared)
                .await
                .unwrap(),
            Verification::Invalid
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let hasher = PasswordHasher::new(1, DEFAULT_MAX_WAIT);
        assert_eq!(
            hasher
                .verify(secret("anything at all"), None, Lane::Shared)
                .await
                .unwrap(),
            Verification::Invalid
        );
    }

    #[tokio::test]
    async fn a_weaker_hash_asks_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        );
        let hash = weak
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        let hasher = PasswordHasher::new(1, DEFAULT_MAX_WAIT);
        assert_eq!(
            hasher
                .verify(secret("correct horse battery"), Some(hash), Lane::Shared)
                .await
                .unwrap(),
            Verification::Valid { needs_rehash: true }
        );
    }

    #[tokio::test]
    async fn a_hash_that_would_wait_too_long_is_refused_at_once() {
        let hasher = PasswordHasher::new(1, Duration::from_millis(1));
        let hashes = (0..6).map(|_| hasher.hash(secret("correct horse battery")));
        let results = futures::future::join_all(hashes).await;
        let refused = results
            .iter()
            .filter(|r| matches!(r, Err(HashError::Busy { retry_after }) if *retry_after >= 1))
            .count();
        assert!(results.iter().any(Result::is_ok), "the first one runs");
        assert!(refused >= 4, "{refused} of 6 refused");
        assert!(
            hasher.hash(secret("correct horse battery")).await.is_ok(),
            "the queue drains"
        );
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_a_failed_login_not_an_error() {
        let hasher = PasswordHasher::new(1, DEFAULT_MAX_WAIT);
        assert_eq!(
            hasher
                .verify(secret("whatever"), Some("garbage".into()), Lane::Shared)
                .await
                .unwrap(),
            Verification::Invalid
        );
    }
}
