//! Register and log in. A sign-in is a pipeline of steps (docs/architecture.md, "Signing in"): a
//! first step proves who asks and how ([`Proven`]: a password today), then [`conclude`] decides
//! what follows. Today that is always a session: a row in `sessions` recording the method (its
//! tokens' `amr`), its first refresh token, and an access token naming it. A second factor will
//! answer "a second step is due" in `conclude`, and a passkey will be another first step: each a
//! step of its own, never a copy of `login`.

use super::links::mail_link;
use super::passwords::check_password;
use crate::backend::auth::{amr_claim, IssuedToken, RefreshToken, SignInMethod};
use crate::backend::client::Caller;
use crate::backend::error::{AppError, Context};
use crate::backend::link_tokens::Purpose;
use crate::backend::sessions::{self, Device, Session};
use crate::backend::users::{self, InsertUserError, User};
use crate::backend::{clock, refresh_tokens, AppState};
use crate::domain::{Credentials, NewUser, UserView};
use sea_orm::TransactionTrait;

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
    // The password was just chosen: the registration is the first step.
    let proven = Proven {
        user,
        method: SignInMethod::Password,
    };
    conclude(state, proven, caller).await
}

/// What a first step proved: whose account it is, and how.
struct Proven {
    user: User,
    method: SignInMethod,
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
    let proven = password_step(state, credentials, caller).await?;
    let user_id = proven.user.id;
    let signed_in = conclude(state, proven, caller).await?;
    tracing::info!(user_id = %user_id, "login succeeded");
    Ok(signed_in)
}

/// The password as a first step, under the login throttling.
async fn password_step(
    state: &AppState,
    credentials: Credentials,
    caller: &Caller,
) -> Result<Proven, AppError> {
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
    Ok(Proven {
        user,
        method: SignInMethod::Password,
    })
}

/// Decides what follows a first step. Every account has one factor today, so a first step signs
/// in: the session starts, recording how.
async fn conclude(state: &AppState, proven: Proven, caller: &Caller) -> Result<SignedIn, AppError> {
    start_session(state, &proven.user, proven.method, caller).await
}

/// Starts a session for `user`, signed in by `method`: the row and its first refresh token in
/// one transaction, then an access token naming it.
async fn start_session(
    state: &AppState,
    user: &User,
    method: SignInMethod,
    caller: &Caller,
) -> Result<SignedIn, AppError> {
    let now_ms = clock::now_ms();
    let now = now_ms / 1000;
    let refresh = RefreshToken::generate();
    let device = Device {
        user_agent: &caller.user_agent,
        client: &caller.addr.to_string(),
        amr: method.amr(),
    };
    let txn = state.db.begin().await.context("starting a session")?;
    let session: Session = sessions::start(&txn, user.id, device, now_ms, state.sessions.lifetimes)
        .await
        .context("starting a session")?;
    refresh_tokens::insert(&txn, refresh.hash(), session.id, now)
        .await
        .context("storing a refresh token")?;
    txn.commit().await.context("starting a session")?;
    let token = state
        .tokens
        .issue(user.id, session.id, amr_claim(&session.amr))
        .context("signing a token")?;
    tracing::info!(user_id = %user.id, session_id = %session.id, "session started");
    Ok(SignedIn {
        token,
        refresh,
        user: UserView::from(user),
        session_max_age: state.sessions.lifetimes.max,
    })
}
