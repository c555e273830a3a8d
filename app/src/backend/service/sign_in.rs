//! Register and log in. A good login (or the web app's registration) starts a session: a row in
//! `sessions`, its first refresh token, and an access token naming it.

use super::account::mail_link;
use crate::backend::auth::{throttle, RefreshToken, Verification};
use crate::backend::client::{Caller, ClientAddr};
use crate::backend::error::{AppError, Context};
use crate::backend::link_tokens::Purpose;
use crate::backend::sessions::{self, Device, Session};
use crate::backend::users::{self, InsertUserError, User};
use crate::backend::{clock, refresh_tokens, AppState};
use crate::domain::{Credentials, Email, NewUser, UserView};
use sea_orm::TransactionTrait;
use secrecy::SecretString;

use crate::backend::auth::IssuedToken;

/// What a good sign-in returns: the access token, the session's first refresh token, and when the
/// session reaches its maximum age (the refresh cookie's lifetime).
#[derive(Debug)]
pub struct SignedIn {
    pub token: IssuedToken,
    pub refresh: RefreshToken,
    pub user: UserView,
    /// Seconds until the session's maximum age.
    pub session_max_age: u64,
}

/// Creates an account.
///
/// # Errors
/// `429` past the client's sign-in rate, `409 email_taken`, `503` when hashing is too busy, or an
/// internal error.
#[tracing::instrument(skip_all, fields(client = %caller.addr))]
pub async fn register(
    state: &AppState,
    new_user: NewUser,
    caller: &Caller,
) -> Result<User, AppError> {
    state.sign_in_limit.check(caller.addr).await?;
    let hash = state.hasher.hash(new_user.password.into_secret()).await?;
    let now = clock::now();
    // The user and their confirmation mail, together or not at all.
    let txn = state.db.begin().await.context("registering a user")?;
    let user = match users::insert_user(&txn, &new_user.name, &new_user.email, hash).await {
        Ok(user) => user,
        Err(InsertUserError::EmailTaken) => return Err(AppError::EmailTaken),
        Err(InsertUserError::Db(e)) => return Err(e).context("inserting a user"),
    };
    mail_link(state, &txn, &user, Purpose::Verify, &user.email, now)
        .await
        .context("queueing the confirmation mail")?;
    state
        .mailer
        .commit(txn)
        .await
        .context("registering a user")?;
    tracing::info!(user_id = %user.id, "user registered");
    Ok(user)
}

/// Registers and signs the new user in at once (the web app's flow): no second password check.
///
/// # Errors
/// As [`register`], and an internal error if the session cannot be started.
pub async fn register_and_sign_in(
    state: &AppState,
    new_user: NewUser,
    caller: &Caller,
) -> Result<SignedIn, AppError> {
    let user = register(state, new_user, caller).await?;
    start_session(state, &user, caller).await
}

/// Checks a password and signs the user in, within the throttling policy (`auth::throttle`).
///
/// # Errors
/// `401 invalid_credentials` for an unknown email or a wrong password alike, `429` when throttled
/// (per account, or the client's sign-in rate), `503` when hashing is too busy, or an internal
/// error.
#[tracing::instrument(skip_all, fields(client = %caller.addr))]
pub async fn login(
    state: &AppState,
    credentials: Credentials,
    caller: &Caller,
) -> Result<SignedIn, AppError> {
    state.sign_in_limit.check(caller.addr).await?;
    let Credentials { email, password } = credentials;
    let user = users::find_by_email(&state.db, &email)
        .await
        .context("finding a user by email")?;
    let user = check_password(state, &email, user, password, caller.addr)
        .await
        .inspect_err(|e| {
            if matches!(e, AppError::InvalidCredentials) {
                tracing::info!("login failed");
            }
        })?;
    let signed_in = start_session(state, &user, caller).await?;
    tracing::info!(user_id = %user.id, "login succeeded");
    Ok(signed_in)
}

/// Checks `password` for the account at `email` (`user`, when there is one) under the login
/// throttling: a login, and every account change that asks for the password, count alike.
/// Upgrades a weaker stored hash on success.
///
/// # Errors
/// `401 invalid_credentials` for no such account or a wrong password, `429` when throttled,
/// `503` when hashing is too busy, or an internal error.
pub(super) async fn check_password(
    state: &AppState,
    email: &Email,
    user: Option<User>,
    password: SecretString,
    client: ClientAddr,
) -> Result<User, AppError> {
    let (db, policy) = (&state.db, &state.throttle);
    let reservation = throttle::reserve(db, policy, email, client, clock::now()).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let lane = reservation.lane();
    let verification = match state.hasher.verify(password.clone(), stored, lane).await {
        Ok(verification) => verification,
        Err(e) => {
            // Never verified: the guess does not count.
            throttle::released(db, policy, reservation).await?;
            return Err(e.into());
        }
    };
    match (verification, user) {
        (Verification::Valid { needs_rehash }, Some(user)) => {
            throttle::succeeded(db, policy, reservation, clock::now()).await?;
            if needs_rehash {
                rehash(state, &user, password).await;
            }
            Ok(user)
        }
        _ => {
            throttle::failed(db, policy, reservation, clock::now()).await?;
            Err(AppError::InvalidCredentials)
        }
    }
}

/// Starts a session for `user`: the row and its first refresh token in one transaction, then an
/// access token naming it.
async fn start_session(
    state: &AppState,
    user: &User,
    caller: &Caller,
) -> Result<SignedIn, AppError> {
    let now = clock::now();
    let refresh = RefreshToken::generate();
    let device = Device {
        user_agent: &caller.user_agent,
        client: &caller.addr.to_string(),
    };
    let txn = state.db.begin().await.context("starting a session")?;
    let session: Session = sessions::start(&txn, user.id, device, now, state.sessions.lifetimes)
        .await
        .context("starting a session")?;
    refresh_tokens::insert(&txn, refresh.hash(), session.id, now)
        .await
        .context("storing a refresh token")?;
    txn.commit().await.context("starting a session")?;
    let token = state
        .tokens
        .issue(user.id, session.id)
        .context("signing a token")?;
    tracing::info!(user_id = %user.id, session_id = %session.id, "session started");
    Ok(SignedIn {
        token,
        refresh,
        user: UserView::from(user),
        session_max_age: state.sessions.lifetimes.max,
    })
}

/// Upgrades a weaker stored hash. A failure here must not fail the login: it is logged and retried
/// on the next one.
async fn rehash(state: &AppState, user: &User, password: SecretString) {
    let result = match state.hasher.hash(password).await {
        Ok(hash) => users::update_password_hash(&state.db, user.id, hash)
            .await
            .context("storing an upgraded password hash"),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => {
            // Cached users carry the hash too (the password checks of account changes read it).
            state.auth_cache.forget_user(user.id);
            tracing::info!(user_id = %user.id, "password hash upgraded");
        }
        Err(e) => tracing::error!(user_id = %user.id, error = %e, "password hash upgrade failed"),
    }
}
