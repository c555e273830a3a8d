//! docs/api.md, "Tokens": minting and checking access tokens (compact JWS), per RFC 8725: HS256 with
//! one HMAC key, or EdDSA with the key ring of `key_ring`. Only the configured algorithm is ever
//! accepted, and a verification key only ever comes from the server's own keys, never from a
//! token's header.

use super::key_ring::KeyRing;
use crate::backend::clock::{now, to_db};
use crate::backend::config::{JwtAlgorithm, JwtConfig};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use uuid::Uuid;

/// Tolerance for clocks that disagree, on `exp` and `iat`.
pub const LEEWAY_SECONDS: u64 = 30;
/// A longer token is refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims of every Gatehouse token; all of them are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    /// The session the token belongs to (docs/api.md, "Sessions").
    pub sid: Uuid,
    pub iat: u64,
    pub exp: u64,
    pub jti: Uuid,
    pub iss: String,
    pub aud: String,
    /// How the session was signed in (RFC 8176), kept through refreshes: `["pwd"]` for a password.
    pub amr: Vec<String>,
}

/// A freshly minted token. Its `Debug` prints no token.
pub struct IssuedToken {
    pub token: String,
    pub claims: Claims,
    pub expires_in: u64,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused; every variant answers `invalid_token`, the detail is for logs only.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
    #[error("token header has no `typ: JWT`")]
    WrongType,
    #[error("token header has `crit`, and no extension is understood here")]
    Critical,
    #[error("token issued in the future")]
    IssuedInFuture,
    #[error("token lifetime longer than configured")]
    LifetimeTooLong,
    #[error("token header names no `kid`")]
    NoKeyId,
    /// Not a key of this instance's ring: a key added since it was loaded, or none at all.
    #[error("token signed with an unknown or retired key")]
    UnknownKey,
    #[error("token dated outside the time its key signed")]
    OutsideKeyWindow,
    #[error("token rejected: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("cannot sign a token: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
    #[error("cannot sign a token: no Ed25519 key signs now")]
    NoActiveKey,
}

/// What signs and checks tokens: one HMAC key, or the Ed25519 key ring.
enum Signer {
    Hmac {
        encoding: EncodingKey,
        decoding: DecodingKey,
    },
    /// Replaced whole when the keys are read again from the database.
    Ed25519(RwLock<Arc<KeyRing>>),
}

pub struct TokenKeys {
    signer: Signer,
    validation: Validation,
    ttl: u64,
    /// `KEY_PUBLISH_SECONDS` (EdDSA).
    key_publish: std::time::Duration,
    issuer: String,
    audience: String,
    /// Unix seconds of the last reading of the ring (EdDSA), to space out readings asked for by
    /// tokens with an unknown `kid`.
    ring_read_at: AtomicU64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys for signing and checking with `secret`, the HMAC key (from `JWT_SECRET` or the
    /// database): HS256.
    ///
    /// # Errors
    /// When `jsonwebtoken` cannot make a key of it.
    pub fn new(config: &JwtConfig, secret: &SecretString) -> Result<Self, SignError> {
        let secret = secret.expose_secret().as_bytes();
        let signer = Signer::Hmac {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
        };
        Ok(Self::with(signer, Algorithm::HS256, config))
    }

    /// Keys for signing and checking with the Ed25519 keys of `ring`: EdDSA.
    pub fn ed25519(config: &JwtConfig, ring: KeyRing) -> Self {
        let keys = Self::with(
            Signer::Ed25519(RwLock::new(Arc::new(ring))),
            Algorithm::EdDSA,
            config,
        );
        keys.ring_read_at.store(now(), Ordering::Relaxed);
        keys
    }

    fn with(signer: Signer, algorithm: Algorithm, config: &JwtConfig) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = false;
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        // `jsonwebtoken` checks only `exp`, `nbf`, `sub`, `iss` and `aud` here; `iat` and `jti` are
        // required because `Claims` has no default for them (a token without one fails to
        // deserialize), and `iat` is checked against the clock in `verify`.
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        Self {
            signer,
            validation,
            ttl: config.ttl.as_secs(),
            key_publish: config.key_publish,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ring_read_at: AtomicU64::new(0),
        }
    }

    /// The configured algorithm.
    pub fn algorithm(&self) -> JwtAlgorithm {
        match self.signer {
            Signer::Hmac { .. } => JwtAlgorithm::Hs256,
            Signer::Ed25519(_) => JwtAlgorithm::EdDsa,
        }
    }

    /// `JWT_TTL_SECONDS`.
    pub fn ttl(&self) -> u64 {
        self.ttl
    }

    /// `KEY_PUBLISH_SECONDS`.
    pub fn key_publish(&self) -> std::time::Duration {
        self.key_publish
    }

    /// The Ed25519 ring as it is now; `None` with HS256.
    pub fn ring(&self) -> Option<Arc<KeyRing>> {
        match &self.signer {
            Signer::Hmac { .. } => None,
            Signer::Ed25519(ring) => Some(Arc::clone(
                &ring.read().unwrap_or_else(PoisonError::into_inner),
            )),
        }
    }

    /// Puts a freshly read ring in place (EdDSA; with HS256 there is nothing to replace).
    pub fn replace_ring(&self, fresh: KeyRing) {
        if let Signer::Ed25519(ring) = &self.signer {
            *ring.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
            self.ring_read_at.store(now(), Ordering::Relaxed);
        }
    }

    /// Whether the ring was read at least `seconds` ago; at most one caller a moment gets `true`
    /// (and the moment is counted as a reading), so a stream of tokens with unknown `kid`s reads
    /// the keys at most once in `seconds`.
    pub fn claim_ring_reading(&self, seconds: u64) -> bool {
        let (last, now) = (self.ring_read_at.load(Ordering::Relaxed), now());
        now.saturating_sub(last) >= seconds
            && self
                .ring_read_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    /// Mints a token for `user_id` in session `session_id`, with a fresh `jti`.
    ///
    /// # Errors
    /// When `jsonwebtoken` cannot sign.
    pub fn issue(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        amr: Vec<String>,
    ) -> Result<IssuedToken, SignError> {
        let iat = now();
        let claims = Claims {
            sub: user_id,
            sid: session_id,
            iat,
            exp: iat + self.ttl,
            jti: Uuid::new_v4(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            amr,
        };
        let token = match &self.signer {
            Signer::Hmac { encoding, .. } => {
                let mut header = Header::new(Algorithm::HS256);
                header.typ = Some("JWT".to_owned());
                jsonwebtoken::encode(&header, &claims, encoding)?
            }
            Signer::Ed25519(ring) => {
                let ring = Arc::clone(&ring.read().unwrap_or_else(PoisonError::into_inner));
                let key = ring.signer(to_db(iat)).ok_or(SignError::NoActiveKey)?;
                let mut header = Header::new(Algorithm::EdDSA);
                header.typ = Some("JWT".to_owned());
                header.kid = Some(key.kid.clone());
                jsonwebtoken::encode(&header, &claims, key.encoding())?
            }
        };
        Ok(IssuedToken {
            token,
            claims,
            expires_in: self.ttl,
        })
    }

    /// Checks signature, algorithm, type, every claim and the time window. Revocation and the
    /// user's existence are the service's part, since they need the database.
    ///
    /// # Errors
    /// A [`TokenError`] for any token that is not good; [`TokenError::UnknownKey`] may mean a key
    /// added since the ring was read (the caller may read it again, see
    /// [`Self::claim_ring_reading`]).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLong);
        }
        let data = match &self.signer {
            Signer::Hmac { decoding, .. } => {
                jsonwebtoken::decode::<Claims>(token, decoding, &self.validation)?
            }
            Signer::Ed25519(ring) => {
                // The `kid` picks one of the server's own keys; nothing else in the header (`jwk`,
                // `jku`, `x5u`…) is ever looked at. `decode` then checks `alg` against EdDSA.
                let header = jsonwebtoken::decode_header(token)?;
                if header.alg != Algorithm::EdDSA {
                    return Err(TokenError::Jwt(
                        jsonwebtoken::errors::ErrorKind::InvalidAlgorithm.into(),
                    ));
                }
                let kid = header.kid.ok_or(TokenError::NoKeyId)?;
                let ring = Arc::clone(&ring.read().unwrap_or_else(PoisonError::into_inner));
                let (key, window) = ring
                    .verifier(&kid, to_db(now()))
                    .ok_or(TokenError::UnknownKey)?;
                let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation)?;
                if !window.covers(data.claims.iat) {
                    return Err(TokenError::OutsideKeyWindow);
                }
                data
            }
        };
        if data.header.typ.as_deref() != Some("JWT") {
            return Err(TokenError::WrongType);
        }
        // RFC 7515 §4.1.11: `crit` names extensions the recipient must understand, and Gatehouse
        // understands none (docs/api.md, "Tokens" refuses any `crit`). `jsonwebtoken` refuses the ones it
        // does not know itself, but lets `"crit": ["b64"]` through with `"b64": true`.
        if data.header.crit.is_some() {
            return Err(TokenError::Critical);
        }
        let claims = data.claims;
        if claims.iat > now() + LEEWAY_SECONDS {
            return Err(TokenError::IssuedInFuture);
        }
        if claims.exp.saturating_sub(claims.iat) > self.ttl {
            return Err(TokenError::LifetimeTooLong);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pwd() -> Vec<String> {
        vec!["pwd".to_owned()]
    }
    use crate::backend::auth::key_ring::generate;
    use base64::Engine;
    use std::time::Duration;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn keys() -> TokenKeys {
        TokenKeys::new(&config(), &SecretString::from(SECRET.to_owned())).unwrap()
    }

    fn config() -> JwtConfig {
        JwtConfig {
            secret: None,
            algorithm: JwtAlgorithm::Hs256,
            key_publish: Duration::from_secs(600),
            ttl: Duration::from_secs(3600),
            issuer: "gatehouse".into(),
            audience: "gatehouse".into(),
        }
    }

    fn ed25519_keys(stored: Vec<crate::backend::signing_keys::SigningKey>) -> TokenKeys {
        let mut config = config();
        config.algorithm = JwtAlgorithm::EdDsa;
        TokenKeys::ed25519(&config, KeyRing::new(stored, to_db(now()), 3600).unwrap())
    }

    #[test]
    fn an_eddsa_token_names_its_key_and_verifies() {
        let key = generate(0, 0);
        let keys = ed25519_keys(vec![key.clone()]);
        let issued = keys.issue(Uuid::new_v4(), Uuid::new_v4(), pwd()).unwrap();
        let header = jsonwebtoken::decode_header(&issued.token).unwrap();
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
        assert_eq!(keys.verify(&issued.token).unwrap(), issued.claims);
    }

    #[test]
    fn each_algorithm_refuses_the_others_tokens() {
        let hmac = keys();
        let ed = ed25519_keys(vec![generate(0, 0)]);
        let hs_token = hmac
            .issue(Uuid::new_v4(), Uuid::new_v4(), pwd())
            .unwrap()
            .token;
        let ed_token = ed
            .issue(Uuid::new_v4(), Uuid::new_v4(), pwd())
            .unwrap()
            .token;
        assert!(ed.verify(&hs_token).is_err());
        assert!(hmac.verify(&ed_token).is_err());
    }

    #[test]
    fn a_token_of_a_key_outside_the_ring_is_an_unknown_key() {
        let keys = ed25519_keys(vec![generate(0, 0)]);
        let other = ed25519_keys(vec![generate(0, 0)]);
        let token = other
            .issue(Uuid::new_v4(), Uuid::new_v4(), pwd())
            .unwrap()
            .token;
        assert!(matches!(keys.verify(&token), Err(TokenError::UnknownKey)));
    }

    #[test]
    fn a_key_that_has_not_begun_to_sign_signs_nothing() {
        let future = to_db(now()) + 600;
        let pending = ed25519_keys(vec![generate(0, future)]);
        assert!(matches!(
            pending.issue(Uuid::new_v4(), Uuid::new_v4(), pwd()),
            Err(SignError::NoActiveKey)
        ));
    }

    #[test]
    fn a_crit_header_is_refused_even_with_a_good_signature() {
        let keys = keys();
        let issued = keys.issue(Uuid::new_v4(), Uuid::new_v4(), pwd()).unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("JWT".to_owned());
        let plain = jsonwebtoken::encode(
            &header,
            &issued.claims,
            &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
        )
        .unwrap();
        assert!(keys.verify(&plain).is_ok());
        // The same claims, signed, under headers that add `crit`: `jsonwebtoken` refuses the
        // first itself; the second it lets through, and `verify` refuses.
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let body = plain.split('.').nth(1).unwrap();
        let sign = |head: &str| {
            let input = format!("{}.{body}", engine.encode(head));
            let signature = jsonwebtoken::crypto::sign(
                input.as_bytes(),
                &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
                Algorithm::HS256,
            )
            .unwrap();
            format!("{input}.{signature}")
        };
        assert!(keys
            .verify(&sign(r#"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#))
            .is_err());
        assert!(matches!(
            keys.verify(&sign(
                r#"{"alg":"HS256","typ":"JWT","crit":["b64"],"b64":true}"#
            )),
            Err(TokenError::Critical)
        ));
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let keys = keys();
        let issued = keys.issue(Uuid::new_v4(), Uuid::new_v4(), pwd()).unwrap();
        assert_eq!(keys.verify(&issued.token).unwrap(), issued.claims);
        assert_eq!(issued.claims.exp, issued.claims.iat + 3600);
    }

    #[test]
    fn every_token_gets_its_own_jti() {
        let keys = keys();
        let user = Uuid::new_v4();
        assert_ne!(
            keys.issue(user, user, pwd()).unwrap().claims.jti,
            keys.issue(user, user, pwd()).unwrap().claims.jti
        );
    }

    #[test]
    fn a_token_without_a_session_is_refused() {
        let keys = keys();
        let issued = keys.issue(Uuid::new_v4(), Uuid::new_v4(), pwd()).unwrap();
        let mut claims = serde_json::to_value(&issued.claims).unwrap();
        claims.as_object_mut().unwrap().remove("sid");
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("JWT".to_owned());
        let token = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
        )
        .unwrap();
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn an_oversized_token_is_refused_before_parsing() {
        assert!(matches!(
            keys().verify(&"a".repeat(MAX_TOKEN_BYTES + 1)),
            Err(TokenError::TooLong)
        ));
    }
}
