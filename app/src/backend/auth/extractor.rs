//! `AuthUser`: the one way a request proves who it is, for plain routes and server functions alike,
//! and [`authenticate`], the check behind it.

use super::cache::AuthCache;
use super::token::{Claims, TokenError, TokenKeys};
use crate::backend::clock::{self, to_db};
use crate::backend::error::{AppError, Context};
use crate::backend::service::keys;
use crate::backend::sessions::SessionPolicy;
use crate::backend::users::{self, TokenSubject, User};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::{header, request::Parts, HeaderMap};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The user a valid, unrevoked bearer token of a live session belongs to.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    pub claims: Claims,
}

impl<S> FromRequestParts<S> for AuthUser
where
    DatabaseConnection: FromRef<S>,
    Arc<TokenKeys>: FromRef<S>,
    SessionPolicy: FromRef<S>,
    AuthCache: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    /// Takes only what it needs from the state: this runs on every authenticated request.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        let checker = Checker {
            db: DatabaseConnection::from_ref(state),
            keys: Arc::<TokenKeys>::from_ref(state),
            policy: SessionPolicy::from_ref(state),
            cache: AuthCache::from_ref(state),
        };
        authenticate(&checker, token).await
    }
}

/// What the check of a token needs.
pub struct Checker {
    pub db: DatabaseConnection,
    pub keys: Arc<TokenKeys>,
    pub policy: SessionPolicy,
    pub cache: AuthCache,
}

/// Checks a bearer token completely: signature and claims, then in one query that the user
/// exists, the session is alive and the token is not revoked (or, on SQLite, the same answer
/// kept from a moment ago: `cache`).
///
/// # Errors
/// `invalid_token` for any token that is not good now; an internal error when the database fails.
pub async fn authenticate(checker: &Checker, token: &str) -> Result<AuthUser, AppError> {
    let Checker {
        db,
        keys,
        policy,
        cache,
    } = checker;
    let claims = match keys.verify(token) {
        // A key added since this instance read its keys (another instance may sign with it
        // already): read them again, at most once a second whatever the tokens say, and retry.
        Err(TokenError::UnknownKey) if keys.claim_ring_reading(keys::UNKNOWN_KID_READ_SECONDS) => {
            keys::reread(db, keys.as_ref())
                .await
                .context("reading the signing keys")?;
            keys.verify(token)
        }
        verified => verified,
    }
    .map_err(|e| AppError::InvalidToken(e.to_string()))?;
    let subject = TokenSubject {
        user_id: claims.sub,
        session_id: claims.sid,
        jti: claims.jti,
    };
    if let Some(user) = cache.get(&subject) {
        return Ok(AuthUser { user, claims });
    }
    let ticket = cache.ticket();
    let now = clock::now();
    let found = users::find_authenticated(db, &subject, now, policy.lifetimes)
        .await
        .context("authenticating a token")?
        .ok_or_else(|| AppError::InvalidToken("revoked, session ended, or no such user".into()))?;
    let session_left = u64::try_from(found.session_ends_at.saturating_sub(to_db(now))).unwrap_or(0);
    cache.put(
        ticket,
        &subject,
        &found.user,
        std::time::Duration::from_secs(session_left),
    );
    Ok(AuthUser {
        user: found.user,
        claims,
    })
}

/// The token of an `Authorization: Bearer …` header. No header, or another scheme, is
/// `missing_token`; a Bearer header without a usable token is `invalid_token`.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, AppError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(AppError::MissingToken)?;
    let value = value
        .to_str()
        .map_err(|_| AppError::InvalidToken("authorization header is not ASCII".into()))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::MissingToken);
    }
    match token.trim() {
        "" => Err(AppError::InvalidToken("empty bearer token".into())),
        token => Ok(token),
    }
}
