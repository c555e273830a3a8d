//! `AuthUser`: the one way a request proves who it is, for plain routes and server functions alike,
//! and [`authenticate`], the check behind it.

use super::token::{Claims, TokenKeys};
use crate::backend::clock;
use crate::backend::error::{AppError, Context};
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
    S: Send + Sync,
{
    type Rejection = AppError;

    /// Takes only what it needs from the state: this runs on every authenticated request.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        let (db, keys, policy) = (
            DatabaseConnection::from_ref(state),
            Arc::<TokenKeys>::from_ref(state),
            SessionPolicy::from_ref(state),
        );
        authenticate(&db, &keys, policy, token).await
    }
}

/// Checks a bearer token completely: signature and claims, then in one query that the user
/// exists, the session is alive and the token is not revoked.
///
/// # Errors
/// `invalid_token` for any token that is not good now; an internal error when the database fails.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    policy: SessionPolicy,
    token: &str,
) -> Result<AuthUser, AppError> {
    let claims = keys
        .verify(token)
        .map_err(|e| AppError::InvalidToken(e.to_string()))?;
    let subject = TokenSubject {
        user_id: claims.sub,
        session_id: claims.sid,
        jti: claims.jti,
    };
    let user = users::find_authenticated(db, &subject, clock::now(), policy.lifetimes)
        .await
        .context("authenticating a token")?
        .ok_or_else(|| AppError::InvalidToken("revoked, session ended, or no such user".into()))?;
    Ok(AuthUser { user, claims })
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
