//! CONTRACT §3: minting and checking access tokens (compact JWS, HS256 only), per RFC 8725.

use crate::backend::clock::now;
use crate::backend::config::JwtConfig;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Tolerance for clocks that disagree, on `exp` and `iat`.
pub const LEEWAY_SECONDS: u64 = 30;
/// A longer token is refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims of every Gatehouse token; all of them are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    /// The session the token belongs to (CONTRACT §5).
    pub sid: Uuid,
    pub iat: u64,
    pub exp: u64,
    pub jti: Uuid,
    pub iss: String,
    pub aud: String,
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
    #[error("token rejected: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

#[derive(Debug, thiserror::Error)]
#[error("cannot sign a token: {0}")]
pub struct SignError(#[from] jsonwebtoken::errors::Error);

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: u64,
    issuer: String,
    audience: String,
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
    /// database).
    ///
    /// # Errors
    /// When `jsonwebtoken` cannot make a key of it.
    pub fn new(config: &JwtConfig, secret: &SecretString) -> Result<Self, SignError> {
        let secret = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = false;
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        // `jsonwebtoken` checks only `exp`, `nbf`, `sub`, `iss` and `aud` here; `iat` and `jti` are
        // required because `Claims` has no default for them (a token without one fails to
        // deserialize), and `iat` is checked against the clock in `verify`.
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            ttl: config.ttl.as_secs(),
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
        })
    }

    /// Mints a token for `user_id` in session `session_id`, with a fresh `jti`.
    ///
    /// # Errors
    /// When `jsonwebtoken` cannot sign.
    pub fn issue(&self, user_id: Uuid, session_id: Uuid) -> Result<IssuedToken, SignError> {
        let iat = now();
        let claims = Claims {
            sub: user_id,
            sid: session_id,
            iat,
            exp: iat + self.ttl,
            jti: Uuid::new_v4(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("JWT".to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)?;
        Ok(IssuedToken {
            token,
            claims,
            expires_in: self.ttl,
        })
    }

    /// Checks signature, algorithm, type, every claim and the time window. Revocation and the
    /// user's existence are the service's part, since they need the database.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLong);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?;
        if data.header.typ.as_deref() != Some("JWT") {
            return Err(TokenError::WrongType);
        }
        // RFC 7515 §4.1.11: `crit` names extensions the recipient must understand, and Gatehouse
        // understands none (CONTRACT §3 refuses any `crit`). `jsonwebtoken` refuses the ones it
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
    use base64::Engine;
    use std::time::Duration;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn keys() -> TokenKeys {
        let config = JwtConfig {
            secret: None,
            ttl: Duration::from_secs(3600),
            issuer: "gatehouse".into(),
            audience: "gatehouse".into(),
        };
        TokenKeys::new(&config, &SecretString::from(SECRET.to_owned())).unwrap()
    }

    #[test]
    fn a_crit_header_is_refused_even_with_a_good_signature() {
        let keys = keys();
        let issued = keys.issue(Uuid::new_v4(), Uuid::new_v4()).unwrap();
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
        let issued = keys.issue(Uuid::new_v4(), Uuid::new_v4()).unwrap();
        assert_eq!(keys.verify(&issued.token).unwrap(), issued.claims);
        assert_eq!(issued.claims.exp, issued.claims.iat + 3600);
    }

    #[test]
    fn every_token_gets_its_own_jti() {
        let keys = keys();
        let user = Uuid::new_v4();
        assert_ne!(
            keys.issue(user, user).unwrap().claims.jti,
            keys.issue(user, user).unwrap().claims.jti
        );
    }

    #[test]
    fn a_token_without_a_session_is_refused() {
        let keys = keys();
        let issued = keys.issue(Uuid::new_v4(), Uuid::new_v4()).unwrap();
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
