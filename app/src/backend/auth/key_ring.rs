//! docs/api.md, "Tokens other services verify": the Ed25519 keys that tokens are signed with, and each key's life. A key is
//! published from its creation, signs from `signs_from` until the next key takes over, stays
//! published while a token it signed may still be alive, and is then retired: no longer published,
//! and its tokens refused.

use super::token::LEEWAY_SECONDS;
use crate::backend::signing_keys::SigningKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The algorithm's name in the JWS header, the JWK and the `signing_keys` table.
pub const EDDSA: &str = "EdDSA";

/// Where a key is in its life at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Published, not signing yet: services fetch it before any token carries its `kid`.
    Pending,
    /// Signs every new token.
    Active,
    /// Replaced by a newer key; published until every token it signed has expired.
    Retiring,
    /// Every token it signed has expired: no longer published, its tokens refused.
    Retired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Retiring => "retiring",
            Self::Retired => "retired",
        }
    }
}

/// When a key signs: from its `signs_from` until the next key's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningWindow {
    pub from: i64,
    pub until: Option<i64>,
}

impl SigningWindow {
    /// The key's state at `now`, when tokens live `ttl` seconds.
    pub fn state(&self, now: i64, ttl: u64) -> KeyState {
        match self.until {
            _ if now < self.from => KeyState::Pending,
            None => KeyState::Active,
            Some(until) if now < until => KeyState::Active,
            // The last token it signed was made just before `until` and lives `ttl`; a verifier
            // allows the leeway on top.
            Some(until) if now < retired_at(until, ttl) => KeyState::Retiring,
            Some(_) => KeyState::Retired,
        }
    }

    /// Whether a token that says it was issued at `iat` could have been signed in this window
    /// (with the clocks' leeway on both sides): a token dated after the key was replaced is
    /// forged with a key that should be out of use.
    pub fn covers(&self, iat: u64) -> bool {
        let iat = i64::try_from(iat).unwrap_or(i64::MAX);
        let leeway = LEEWAY_SECONDS as i64;
        iat >= self.from - leeway && self.until.is_none_or(|until| iat <= until + leeway)
    }
}

fn retired_at(until: i64, ttl: u64) -> i64 {
    until
        .saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX))
        .saturating_add(LEEWAY_SECONDS as i64)
}

/// The signing windows of keys given in signing order (by `signs_from`): each key signs until
/// the next one starts.
pub fn windows(signs_from: &[i64]) -> Vec<SigningWindow> {
    signs_from
        .iter()
        .enumerate()
        .map(|(i, &from)| SigningWindow {
            from,
            until: signs_from.get(i + 1).copied(),
        })
        .collect()
}

/// The Ed25519 keys of `stored` (any order; other algorithms are skipped) in signing order (by
/// `signs_from`, then age), each with its window: what the ring, the JWKS and the key list read.
pub fn in_signing_order(stored: &[SigningKey]) -> Vec<(&SigningKey, SigningWindow)> {
    let mut keys: Vec<&SigningKey> = stored.iter().filter(|k| k.algorithm == EDDSA).collect();
    keys.sort_by_key(|key| (key.signs_from, key.created_at));
    let starts: Vec<i64> = keys.iter().map(|key| key.signs_from).collect();
    keys.into_iter().zip(windows(&starts)).collect()
}

/// A fresh Ed25519 key, as `signing_keys` stores it: published at `now`, signing from
/// `signs_from`. The `kid` is the key's RFC 7638 thumbprint.
pub fn generate(now: i64, signs_from: i64) -> SigningKey {
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
    let secret = URL_SAFE_NO_PAD.encode(seed);
    seed.fill(0);
    SigningKey {
        kid: thumbprint(&x),
        algorithm: EDDSA.to_owned(),
        secret,
        created_at: now,
        public_key: Some(x),
        signs_from,
    }
}

/// RFC 7638: the SHA-256 of the JWK's required members in lexicographic order, base64url.
pub fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// `GET /.well-known/jwks.json`'s body (docs/api.md, "Tokens other services verify"): a JWK Set (RFC 7517) of public keys only.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Jwks {
    pub keys: Vec<PublicJwk>,
}

/// One Ed25519 public key as an RFC 8037 JWK: no private member can be put in it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicJwk {
    #[schema(value_type = String, example = "OKP")]
    pub kty: &'static str,
    #[schema(value_type = String, example = "Ed25519")]
    pub crv: &'static str,
    /// The public key, base64url.
    pub x: String,
    /// Its RFC 7638 thumbprint, also in the header of every token it signs.
    pub kid: String,
    #[schema(value_type = String, example = "EdDSA")]
    pub alg: &'static str,
    #[serde(rename = "use")]
    #[schema(value_type = String, example = "sig")]
    pub use_: &'static str,
}

/// docs/api.md, "Tokens other services verify"'s JWKS of the `stored` keys (any order; other algorithms are skipped): the public
/// half of every key not retired at `now`, newest first. Made from the table's public column
/// alone, so no private key is even read to serve it.
pub fn jwks(stored: &[SigningKey], now: i64, ttl: u64) -> Jwks {
    let keys = in_signing_order(stored)
        .into_iter()
        .rev()
        .filter(|(_, window)| window.state(now, ttl) != KeyState::Retired)
        .filter_map(|(key, _)| {
            Some(PublicJwk {
                kty: "OKP",
                crv: "Ed25519",
                x: key.public_key.clone()?,
                kid: key.kid.clone(),
                alg: EDDSA,
                use_: "sig",
            })
        })
        .collect();
    Jwks { keys }
}

/// One usable key: both halves, ready for `jsonwebtoken`.
pub struct RingKey {
    pub kid: String,
    pub window: SigningWindow,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// Why a stored key cannot be used; the start (or the reload) names the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing key {0}: the private key is not a base64url Ed25519 seed")]
    BadSecret(String),
    #[error("signing key {0}: the stored public key does not belong to its private key")]
    Mismatch(String),
    #[error("signing key {0}: cannot encode the private key")]
    Encoding(String),
}

/// The Ed25519 keys as one instance knows them, with their windows as of when it was loaded.
#[derive(Default)]
pub struct KeyRing {
    /// In signing order; keys already retired when it was loaded are left out.
    keys: Vec<RingKey>,
    /// `JWT_TTL_SECONDS`: how long a replaced key stays published.
    ttl: u64,
}

impl KeyRing {
    /// The ring made of `stored` (any order; other algorithms are skipped) at `now`, for tokens
    /// that live `ttl` seconds. Retired keys are left out.
    ///
    /// # Errors
    /// A [`KeyError`] for a key whose stored halves cannot be used.
    pub fn new(stored: Vec<SigningKey>, now: i64, ttl: u64) -> Result<Self, KeyError> {
        let mut keys = Vec::with_capacity(stored.len());
        for (key, window) in in_signing_order(&stored) {
            if window.state(now, ttl) != KeyState::Retired {
                keys.push(ring_key(key, window)?);
            }
        }
        Ok(Self { keys, ttl })
    }

    /// The key that signs at `now`: the newest whose signing has begun.
    pub fn signer(&self, now: i64) -> Option<&RingKey> {
        self.keys
            .iter()
            .rev()
            .find(|key| key.window.state(now, self.ttl) == KeyState::Active)
    }

    /// The key `kid` names, with its window, unless it is retired at `now`.
    pub fn verifier(&self, kid: &str, now: i64) -> Option<(&DecodingKey, SigningWindow)> {
        self.keys
            .iter()
            .find(|key| key.kid == kid && key.window.state(now, self.ttl) != KeyState::Retired)
            .map(|key| (&key.decoding, key.window))
    }

    /// The `kid` of every key it holds, in signing order.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().map(|key| key.kid.as_str()).collect()
    }

    /// How many keys it holds (retired ones left out).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl RingKey {
    pub fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }
}

/// Both halves of a stored key, checked against each other.
fn ring_key(key: &SigningKey, window: SigningWindow) -> Result<RingKey, KeyError> {
    let bad = || KeyError::BadSecret(key.kid.clone());
    let mut seed = URL_SAFE_NO_PAD.decode(&key.secret).map_err(|_| bad())?;
    let seed_bytes: [u8; 32] = seed.as_slice().try_into().map_err(|_| bad())?;
    seed.fill(0);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed_bytes);
    let public = signing.verifying_key().to_bytes();
    let x = URL_SAFE_NO_PAD.encode(public);
    if key.public_key.as_deref() != Some(x.as_str()) {
        return Err(KeyError::Mismatch(key.kid.clone()));
    }
    let der = signing
        .to_pkcs8_der()
        .map_err(|_| KeyError::Encoding(key.kid.clone()))?;
    Ok(RingKey {
        kid: key.kid.clone(),
        window,
        encoding: EncodingKey::from_ed_der(der.as_bytes()),
        decoding: DecodingKey::from_ed_der(&public),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: u64 = 900;
    const L: i64 = LEEWAY_SECONDS as i64;

    #[test]
    fn a_key_is_pending_then_active_then_retiring_then_retired() {
        // Key 1 signs from 0; key 2 is added at 1000 and signs from 1600.
        let [old, new] = windows(&[0, 1600])[..] else {
            panic!("two keys, two windows")
        };
        assert_eq!(old.state(1000, TTL), KeyState::Active);
        assert_eq!(new.state(1000, TTL), KeyState::Pending);
        assert_eq!(old.state(1600, TTL), KeyState::Retiring);
        assert_eq!(new.state(1600, TTL), KeyState::Active);
        let last_alive = 1600 + TTL as i64 + L - 1;
        assert_eq!(old.state(last_alive, TTL), KeyState::Retiring);
        assert_eq!(old.state(last_alive + 1, TTL), KeyState::Retired);
        assert_eq!(new.state(last_alive + 1, TTL), KeyState::Active);
    }

    #[test]
    fn a_replaced_key_does_not_vouch_for_tokens_dated_after_its_replacement() {
        let old = windows(&[0, 1600])[0];
        assert!(old.covers(1599));
        assert!(old.covers(1600 + LEEWAY_SECONDS));
        assert!(!old.covers(1601 + LEEWAY_SECONDS));
        let new = windows(&[0, 1600])[1];
        assert!(!new.covers(1600 - LEEWAY_SECONDS - 1));
        assert!(new.covers(5000));
    }

    #[test]
    fn the_ring_signs_with_the_newest_started_key_and_publishes_all_but_the_retired() {
        let first = generate(0, 0);
        let second = generate(1000, 1600);
        let third = generate(1700, 2300);
        let stored = vec![third.clone(), first.clone(), second.clone()];

        let ring = KeyRing::new(stored.clone(), 1800, TTL).unwrap();
        assert_eq!(ring.signer(1800).unwrap().kid, second.kid);
        let published: Vec<String> = jwks(&stored, 1800, TTL)
            .keys
            .into_iter()
            .map(|k| k.kid)
            .collect();
        assert_eq!(
            published,
            [&third.kid, &second.kid, &first.kid].map(String::clone)
        );

        // Long after the third took over, the first two are retired.
        let late = 2300 + TTL as i64 + L + 1;
        let ring = KeyRing::new(stored.clone(), late, TTL).unwrap();
        assert_eq!(ring.len(), 1);
        assert_eq!(jwks(&stored, late, TTL).keys.len(), 1);
        assert!(ring.verifier(&first.kid, late).is_none());
        assert!(ring.verifier(&third.kid, late).is_some());
    }

    #[test]
    fn the_jwks_holds_public_halves_only() {
        let key = generate(0, 0);
        let jwks = serde_json::to_value(jwks(std::slice::from_ref(&key), 1, TTL)).unwrap();
        let jwk = &jwks["keys"][0];
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["x"], key.public_key.clone().unwrap());
        assert_eq!(jwk.as_object().unwrap().len(), 6, "no `d`, nothing private");
        assert!(!jwks.to_string().contains(&key.secret));
    }

    #[test]
    fn the_kid_is_the_rfc_7638_thumbprint() {
        // RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn a_stored_key_whose_halves_disagree_is_refused() {
        let mut key = generate(0, 0);
        key.public_key = generate(0, 0).public_key;
        assert!(matches!(
            KeyRing::new(vec![key], 1, TTL),
            Err(KeyError::Mismatch(_))
        ));
    }
}
