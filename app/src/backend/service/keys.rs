//! docs/api.md, "Tokens other services verify": the Ed25519 keys' life as the service runs it. The first start makes a key;
//! `gatehouse keys rotate` adds one that signs only after `KEY_PUBLISH_SECONDS`; every instance
//! reads the keys again now and then (and when a token names a key it has not seen), so a key
//! added anywhere is known everywhere before it signs; retired keys are deleted.

use crate::backend::auth::key_ring::{
    self, in_signing_order, Jwks, KeyError, KeyRing, KeyState, EDDSA,
};
use crate::backend::auth::TokenKeys;
use crate::backend::clock::{self, to_db};
use crate::backend::config::JwtAlgorithm;
use crate::backend::signing_keys::{self, SigningKey};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use std::sync::Arc;
use std::time::Duration;

/// Tokens with an unknown `kid` make an instance read the keys again at most this often.
pub const UNKNOWN_KID_READ_SECONDS: u64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot read or write the signing keys: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// How often each instance reads the keys again: half the publish delay (so every instance knows a
/// new key well before it signs), at least every second and at most every minute.
pub fn reading_interval(publish: Duration) -> Duration {
    (publish / 2).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// Makes the first Ed25519 key, signing at once, unless there is one. Instances starting together
/// take turns (`signing_keys::hold`), so they all end up with the same key. `true` when this call
/// made it.
///
/// # Errors
/// When the database fails.
pub async fn ensure_key(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    signing_keys::hold(&txn).await?;
    let made = if signing_keys::of_algorithm(&txn, EDDSA).await?.is_empty() {
        let now = to_db(clock::now());
        signing_keys::insert(&txn, key_ring::generate(now, now)).await?;
        true
    } else {
        false
    };
    txn.commit().await?;
    Ok(made)
}

/// What `gatehouse keys rotate` did.
#[derive(Debug)]
pub struct Rotated {
    pub kid: String,
    /// Unix seconds from which the new key signs.
    pub signs_from: i64,
}

/// Adds a key, published at once, that signs `publish` from now: services that cache the JWKS
/// fetch it before any token carries its `kid`. With no key signing yet, it signs at once.
///
/// # Errors
/// When the database fails.
pub async fn rotate(db: &DatabaseConnection, publish: Duration) -> Result<Rotated, DbErr> {
    let now = to_db(clock::now());
    let txn = db.begin().await?;
    signing_keys::hold(&txn).await?;
    let signing = signing_keys::of_algorithm(&txn, EDDSA)
        .await?
        .iter()
        .any(|key| key.signs_from <= now);
    let signs_from = if signing {
        now.saturating_add(to_db(publish.as_secs()))
    } else {
        now
    };
    let key = key_ring::generate(now, signs_from);
    let kid = key.kid.clone();
    signing_keys::insert(&txn, key).await?;
    txn.commit().await?;
    Ok(Rotated { kid, signs_from })
}

/// One line of `gatehouse keys list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: String,
    pub state: KeyState,
    /// Unix seconds.
    pub created_at: i64,
    pub signs_from: i64,
}

/// Every Ed25519 key with its state at `now`, in signing order (retired ones included until
/// they are deleted).
///
/// # Errors
/// When the database fails.
pub async fn list(db: &impl ConnectionTrait, ttl: u64, now: i64) -> Result<Vec<KeyInfo>, DbErr> {
    let stored = signing_keys::of_algorithm(db, EDDSA).await?;
    Ok(infos(&stored, ttl, now))
}

fn infos(stored: &[SigningKey], ttl: u64, now: i64) -> Vec<KeyInfo> {
    in_signing_order(stored)
        .into_iter()
        .map(|(key, window)| KeyInfo {
            kid: key.kid.clone(),
            state: window.state(now, ttl),
            created_at: key.created_at,
            signs_from: key.signs_from,
        })
        .collect()
}

/// docs/api.md, "Tokens other services verify"'s JWKS, read from the database on each call, so a key added by
/// `gatehouse keys rotate` is published at once; with HS256, no keys (its key is secret).
///
/// # Errors
/// When the database fails.
pub async fn jwks(db: &impl ConnectionTrait, keys: &TokenKeys) -> Result<Jwks, DbErr> {
    if keys.algorithm() != JwtAlgorithm::EdDsa {
        return Ok(Jwks { keys: Vec::new() });
    }
    let stored = signing_keys::of_algorithm(db, EDDSA).await?;
    Ok(key_ring::jwks(&stored, to_db(clock::now()), keys.ttl()))
}

/// Reads the keys from the database into a ring.
///
/// # Errors
/// When the database fails or a stored key cannot be used.
pub async fn read_ring(db: &impl ConnectionTrait, ttl: u64) -> Result<KeyRing, KeysError> {
    let stored = signing_keys::of_algorithm(db, EDDSA).await?;
    Ok(KeyRing::new(stored, to_db(clock::now()), ttl)?)
}

/// Reads the keys again and puts them in place (nothing to do with HS256).
///
/// # Errors
/// When the database fails or a stored key cannot be used; the ring in place stays.
pub async fn reread(db: &impl ConnectionTrait, keys: &TokenKeys) -> Result<(), KeysError> {
    let Some(old) = keys.ring() else {
        return Ok(());
    };
    let fresh = read_ring(db, keys.ttl()).await?;
    if fresh.kids() != old.kids() {
        tracing::info!(keys = ?fresh.kids(), "signing keys changed");
    }
    keys.replace_ring(fresh);
    Ok(())
}

/// Reads the keys again every [`reading_interval`] until `stopped` turns true (EdDSA only): a key
/// that `gatehouse keys rotate` added is known here long before it signs.
pub async fn read_periodically(
    db: DatabaseConnection,
    keys: Arc<TokenKeys>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    if keys.ring().is_none() {
        return;
    }
    let mut every = tokio::time::interval(reading_interval(keys.key_publish()));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stopped.changed() => return,
        }
        if let Err(e) = reread(&db, &keys).await {
            tracing::warn!(error = %e, "reading the signing keys failed; the ones in place stay");
        }
    }
}

/// Deletes the keys retired at `now`; returns how many.
///
/// # Errors
/// When the database fails.
pub async fn purge_retired(db: &impl ConnectionTrait, ttl: u64, now: i64) -> Result<u64, DbErr> {
    let retired: Vec<String> = list(db, ttl, now)
        .await?
        .into_iter()
        .filter(|key| key.state == KeyState::Retired)
        .map(|key| key.kid)
        .collect();
    signing_keys::delete(db, &retired).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_read_the_keys_well_within_the_publish_delay() {
        assert_eq!(
            reading_interval(Duration::from_secs(600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            reading_interval(Duration::from_secs(10)),
            Duration::from_secs(5)
        );
        assert_eq!(reading_interval(Duration::ZERO), Duration::from_secs(1));
    }

    #[test]
    fn the_list_shows_each_key_in_its_state() {
        let keys = [
            key_ring::generate(0, 0),
            key_ring::generate(100, 700),
            key_ring::generate(800, 1400),
        ];
        let states: Vec<KeyState> = infos(&keys, 60, 1000).iter().map(|k| k.state).collect();
        assert_eq!(
            states,
            [KeyState::Retired, KeyState::Active, KeyState::Pending]
        );
    }
}
