//! A service that trusts Gatehouse (docs/api.md, "Tokens other services verify"): it checks Gatehouse's EdDSA access tokens with the
//! public keys of Gatehouse's JWKS alone, never calling Gatehouse per request and never holding a
//! secret of it. It cannot see a logout: a token stays good here until it expires, which
//! `JWT_TTL_SECONDS` keeps short.

pub mod jwks;

use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub use jwks::Jwks;

/// Tolerance for clocks that disagree, as Gatehouse's own.
const LEEWAY_SECONDS: u64 = 30;

/// Where the keys are and what the tokens must say.
#[derive(Debug, Clone)]
pub struct Settings {
    pub jwks_url: String,
    pub issuer: String,
    pub audience: String,
    /// At most one fetch for unknown `kid`s in this long ([`jwks::REFETCH_AT_MOST_EVERY`]).
    pub refetch_every: Duration,
}

impl Settings {
    pub fn new(jwks_url: String, issuer: String, audience: String) -> Self {
        Self {
            jwks_url,
            issuer,
            audience,
            refetch_every: jwks::REFETCH_AT_MOST_EVERY,
        }
    }
}

/// The claims this service reads of a Gatehouse token.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: String,
    pub exp: u64,
    pub iat: u64,
}

/// Why a token was refused; each is a 401 with the same body.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("no bearer token")]
    Missing,
    #[error("the header is not Gatehouse's: EdDSA, typ JWT, no crit")]
    Header,
    #[error("the token names no key of Gatehouse's JWKS")]
    UnknownKey,
    #[error("the token is dated in the future")]
    IssuedInFuture,
    #[error("not a good token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (code, challenge) = match self {
            Self::Missing => ("missing_token", "Bearer"),
            _ => ("invalid_token", r#"Bearer error="invalid_token""#),
        };
        tracing::debug!(reason = %self, "token refused");
        let body =
            json!({ "error": { "code": code, "message": "a valid Gatehouse token is needed" } });
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
            Json(body),
        )
            .into_response()
    }
}

/// Checks tokens against the JWKS: EdDSA only, with a `kid` naming a cached (or newly fetched)
/// Ed25519 key, `typ: JWT`, no `crit`, and `exp`, `iat`, `iss`, `aud` as Gatehouse sets them.
pub struct Verifier {
    jwks: Jwks,
    validation: Validation,
}

impl Verifier {
    pub fn new(settings: Settings) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.algorithms = vec![Algorithm::EdDSA];
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        Self {
            jwks: Jwks::new(settings.jwks_url, settings.refetch_every),
            validation,
        }
    }

    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    /// # Errors
    /// [`Refused`] for any token that is not good now.
    pub async fn verify(&self, token: &str) -> Result<Claims, Refused> {
        let header = jsonwebtoken::decode_header(token)?;
        // The header only ever picks one of the fetched keys; an embedded `jwk`, a `jku` or an
        // `x5u` is never followed, and any `alg` but EdDSA is refused before a key is looked up.
        if header.alg != Algorithm::EdDSA
            || header.typ.as_deref() != Some("JWT")
            || header.crit.is_some()
        {
            return Err(Refused::Header);
        }
        let kid = header.kid.ok_or(Refused::UnknownKey)?;
        let key = self.jwks.key(&kid).await.ok_or(Refused::UnknownKey)?;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)?.claims;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if claims.iat > now + LEEWAY_SECONDS {
            return Err(Refused::IssuedInFuture);
        }
        Ok(claims)
    }
}

/// A request whose bearer token Gatehouse vouches for.
pub struct Caller(pub Claims);

impl<S> FromRequestParts<S> for Caller
where
    Arc<Verifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refused> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(Refused::Missing)?;
        let (scheme, token) = value.trim().split_once(' ').ok_or(Refused::Missing)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Refused::Missing);
        }
        let verifier = Arc::<Verifier>::from_ref(state);
        verifier.verify(token.trim()).await.map(Caller)
    }
}

/// `GET /hello` for a caller with a good token; `GET /healthz` for anyone.
pub fn router(verifier: Arc<Verifier>) -> Router {
    Router::new()
        .route("/hello", get(hello))
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .with_state(verifier)
}

async fn hello(State(_): State<Arc<Verifier>>, Caller(claims): Caller) -> Json<serde_json::Value> {
    Json(json!({
        "message": "Gatehouse vouches for you.",
        "sub": claims.sub,
        "sid": claims.sid,
        "exp": claims.exp,
    }))
}
