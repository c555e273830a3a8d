//! The one service behind both doors (the JSON API and the server functions): register, log in,
//! authenticate, log out. Each function takes what it needs as arguments.
//! Emails are not logged: people type their password into the email field often enough.

use super::auth::{
    revocation, throttle, token, AuthUser, PasswordHasher, ThrottlePolicy, TokenKeys, Verification,
};
use super::users::{self, InsertUserError};
use super::AppError;
use crate::domain::{Email, FieldErrors, NewUser, UserView};
use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// `POST /api/auth/register` as sent; every field may be missing, and is then reported as required.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// `POST /api/auth/login` as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for RegisterForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterForm")
            .field("name", &self.name)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// What a good login returns.
#[derive(Debug)]
pub struct LoginSuccess {
    pub token: token::IssuedToken,
    pub user: UserView,
}

#[tracing::instrument(skip_all)]
pub async fn register(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    form: RegisterForm,
) -> Result<UserView, AppError> {
    let new_user =
        NewUser::parse(&form.name, &form.email, form.password).map_err(AppError::Validation)?;
    let hash = hasher
        .hash(SecretString::from(new_user.password.expose().to_owned()))
        .await?;
    match users::insert_user(db, &new_user.name, &new_user.email, hash).await {
        Ok(user) => {
            tracing::info!(user_id = %user.id, "user registered");
            Ok(UserView::from(&user))
        }
        Err(InsertUserError::EmailTaken) => Err(AppError::EmailTaken),
        Err(InsertUserError::Db(e)) => Err(e.into()),
    }
}

/// Registers and signs the new user in at once (the web app's flow): no second password check.
pub async fn register_and_sign_in(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    keys: &TokenKeys,
    form: RegisterForm,
) -> Result<LoginSuccess, AppError> {
    let user = register(db, hasher, form).await?;
    let token = keys.issue(user.id)?;
    Ok(LoginSuccess { token, user })
}

#[tracing::instrument(skip_all)]
pub async fn login(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    keys: &TokenKeys,
    policy: &ThrottlePolicy,
    form: LoginForm,
) -> Result<LoginSuccess, AppError> {
    let password = SecretString::from(form.password);
    let email = Email::parse(&form.email);
    let mut errors = FieldErrors::new();
    if let Err(e) = &email {
        errors.insert("email".into(), e.to_string());
    }
    if password.expose_secret().is_empty() {
        errors.insert("password".into(), "is required".into());
    }
    let email = match email {
        Ok(email) if errors.is_empty() => email,
        _ => return Err(AppError::Validation(errors)),
    };

    let now = token::now();
    if let Some(retry_after) = throttle::retry_after(db, email.as_str(), now).await? {
        tracing::warn!("login refused: account throttled");
        return Err(AppError::RateLimited { retry_after });
    }

    let user = users::find_by_email(db, &email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let password_for_rehash = password.clone();
    match (hasher.verify(password, stored).await?, user) {
        (Verification::Valid { needs_rehash }, Some(user)) => {
            throttle::record_success(db, email.as_str()).await?;
            if needs_rehash {
                rehash(db, hasher, &user, password_for_rehash).await;
            }
            let token = keys.issue(user.id)?;
            tracing::info!(user_id = %user.id, "login succeeded");
            Ok(LoginSuccess {
                token,
                user: UserView::from(&user),
            })
        }
        _ => {
            throttle::record_failure(db, policy, email.as_str(), now).await?;
            tracing::info!("login failed");
            Err(AppError::InvalidCredentials)
        }
    }
}

/// Upgrades a weaker stored hash. A failure here must not fail the login: it is logged and retried
/// on the next one.
async fn rehash(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    user: &users::User,
    password: SecretString,
) {
    let result = match hasher.hash(password).await {
        Ok(hash) => users::update_password_hash(db, user.id, hash)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => tracing::info!(user_id = %user.id, "password hash upgraded"),
        Err(e) => tracing::error!(user_id = %user.id, error = %e, "password hash upgrade failed"),
    }
}

/// Checks a bearer token completely: signature and claims, revocation, and that the user exists.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    token: &str,
) -> Result<AuthUser, AppError> {
    let claims = keys
        .verify(token)
        .map_err(|e| AppError::InvalidToken(e.to_string()))?;
    // One query: the user, unless the token is revoked.
    let user = users::find_unrevoked(db, claims.sub, claims.jti)
        .await?
        .ok_or_else(|| AppError::InvalidToken("revoked, or no such user".into()))?;
    Ok(AuthUser { user, claims })
}

/// Revokes the token the request came with, on every instance, until it would have expired.
#[tracing::instrument(skip_all, fields(user_id = %auth.user.id))]
pub async fn logout(db: &DatabaseConnection, auth: &AuthUser) -> Result<(), AppError> {
    revocation::revoke(db, auth.claims.jti, auth.user.id, auth.claims.exp).await?;
    tracing::info!("logged out");
    Ok(())
}

/// Deletes revocations of expired tokens and stale throttle rows; run periodically.
pub async fn purge_expired(
    db: &DatabaseConnection,
    policy: &ThrottlePolicy,
) -> Result<(u64, u64), AppError> {
    let now = token::now();
    Ok((
        revocation::purge_expired(db, now).await?,
        throttle::purge_stale(db, policy, now).await?,
    ))
}
