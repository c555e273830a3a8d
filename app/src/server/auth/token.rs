//! CONTRACT §3: minting and checking access tokens (compact JWS, HS256 only), per RFC 8725.

use crate::server::config::JwtConfig;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};
use uuid::Uuid;

/// Tolerance for clocks that disagree, on `exp` and `iat`.
pub const LEEWAY_SECONDS: u64 = 30;
/// A longer token is refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims of every Gatehouse token; all of them are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
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
    pub fn new(config: &JwtConfig) -> Result<Self, SignError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = false;
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(config.secret_bytes())?,
            decoding: DecodingKey::from_secret(config.secret_bytes())?,
            validation,
            ttl: config.ttl.as_secs(),
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
        })
    }

    /// Mints a token for `user_id`, with a fresh `jti`.
    pub fn issue(&self, user_id: Uuid) -> Result<IssuedToken, SignError> {
        let iat = now();
        let claims = Claims {
            sub: user_id,
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

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;
    use std::time::Duration;

    fn keys() -> TokenKeys {
        TokenKeys::new(&JwtConfig {
            secret: SecretString::from("0123456789abcdef0123456789abcdef".to_owned()),
            ttl: Duration::from_secs(3600),
            issuer: "gatehouse".into(),
            audience: "gatehouse".into(),
        })
        .unwrap()
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let keys = keys();
        let issued = keys.issue(Uuid::new_v4()).unwrap();
        assert_eq!(keys.verify(&issued.token).unwrap(), issued.claims);
        assert_eq!(issued.claims.exp, issued.claims.iat + 3600);
    }

    #[test]
    fn every_token_gets_its_own_jti() {
        let keys = keys();
        let user = Uuid::new_v4();
        assert_ne!(
            keys.issue(user).unwrap().claims.jti,
            keys.issue(user).unwrap().claims.jti
        );
    }

    #[test]
    fn an_oversized_token_is_refused_before_parsing() {
        assert!(matches!(
            keys().verify(&"a".repeat(MAX_TOKEN_BYTES + 1)),
            Err(TokenError::TooLong)
        ));
    }
}
