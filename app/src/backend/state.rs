//! The application state: built once at start, passed in, never global. The JSON API's handlers
//! take it as axum `State`; the server functions find it in their context (`use_context`), where
//! the router provides it.

use super::auth::password::DEFAULT_MAX_WAIT;
use super::auth::{AuthCache, CookiePolicy, PasswordHasher, ThrottlePolicy, TokenKeys};
use super::client::{SignInLimiter, TrustedProxies};
use super::config::{check_secret, Config, JwtAlgorithm, StartupError};
use super::link_tokens::LinkLifetimes;
use super::mail::Mailer;
use super::service::keys;
use super::sessions::SessionPolicy;
use super::{clock, db, signing_keys};
use axum::extract::FromRef;
use base64::Engine;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long one request may take before it is answered `503` (the hashing queue's bound is far
/// below it).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// The id of the generated HS256 key in `signing_keys`.
const GENERATED_KID: &str = "hs256-generated";

/// What every request shares, behind one `Arc`: axum clones the state for every request, and a
/// clone of this is one counter's increment (cloning the fields themselves was a tenth of the
/// server's time on `/api/me`).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    /// For setting up (the tests change a policy before serving): the state is not shared yet,
    /// so nothing is copied. A state already shared would be copied first, which no code does.
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

/// What the extractors and `leptos_axum` take from the state.
macro_rules! from_state {
    ($($field:ident: $type:ty),* $(,)?) => {$(
        impl FromRef<AppState> for $type {
            fn from_ref(state: &AppState) -> Self {
                state.$field.clone()
            }
        }
    )*};
}

from_state!(
    leptos_options: LeptosOptions,
    db: DatabaseConnection,
    tokens: Arc<TokenKeys>,
    auth_cache: AuthCache,
    sessions: SessionPolicy,
    trusted_proxies: TrustedProxies,
);

#[derive(Clone, Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// Turns for the hot write transactions (refresh) on SQLite.
    pub writer: db::Writer,
    pub tokens: Arc<TokenKeys>,
    /// The per-request check's answers, kept a moment (SQLite only; see `auth::cache`).
    pub auth_cache: AuthCache,
    pub sessions: SessionPolicy,
    pub cookies: CookiePolicy,
    /// The outbox's transport and sender of every mail.
    pub mailer: Mailer,
    /// `GATEHOUSE_PUBLIC_URL` (or `http://` + the listen address): the base of every mailed link.
    pub public_url: Arc<str>,
    pub links: LinkLifetimes,
    pub hasher: PasswordHasher,
    pub throttle: ThrottlePolicy,
    pub sign_in_limit: SignInLimiter,
    pub trusted_proxies: TrustedProxies,
    pub request_timeout: Duration,
}

impl AppState {
    /// Connects to the database, runs the migrations and prepares the keys.
    ///
    /// # Errors
    /// A [`StartupError`] naming the variable to fix.
    pub async fn build(
        config: &Config,
        leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        let url = config.database_url.expose_secret();
        let db = db::connect(url).await.map_err(|e| {
            StartupError::new("DATABASE_URL", format!("cannot open the database: {e}"))
        })?;
        db::migrate(&db, url).await.map_err(|e| {
            StartupError::new("DATABASE_URL", format!("cannot migrate the database: {e}"))
        })?;
        let tokens = token_keys(&db, config).await?;
        let mailer = Mailer::new(
            config.smtp_url.as_ref(),
            config.mail_from.clone(),
            &config.outbox_dir,
            config.mail_lease_seconds,
        )
        .map_err(|reason| StartupError::new("SMTP_URL", reason))?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", leptos_options.site_addr));
        // One writer's turn at a time on SQLite, for the refreshes and the sign-in counts alike.
        let writer = db::Writer::for_database(&db);
        let sign_in_limit =
            SignInLimiter::new(config.auth_rate_per_minute, db.clone(), writer.clone());
        Ok(Self(Arc::new(Shared {
            leptos_options,
            writer,
            auth_cache: match db.get_database_backend() {
                sea_orm::DatabaseBackend::Sqlite => AuthCache::enabled(),
                _ => AuthCache::disabled(),
            },
            db,
            tokens: Arc::new(tokens),
            sessions: SessionPolicy {
                lifetimes: config.sessions,
                reuse_grace: config.refresh_reuse_grace,
            },
            cookies: CookiePolicy {
                secure: config.secure_cookies(),
            },
            mailer,
            public_url: public_url.into(),
            links: config.links,
            hasher: PasswordHasher::new(PasswordHasher::default_concurrency(), DEFAULT_MAX_WAIT),
            throttle: ThrottlePolicy::default(),
            sign_in_limit,
            trusted_proxies: config.trusted_proxies.clone(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        })))
    }
}

/// The keys of `JWT_ALGORITHM`: the HMAC key (from `JWT_SECRET` or the database), or the Ed25519
/// keys in the database, the first made now if there is none.
async fn token_keys(db: &DatabaseConnection, config: &Config) -> Result<TokenKeys, StartupError> {
    let jwt = &config.jwt;
    match jwt.algorithm {
        JwtAlgorithm::Hs256 => {
            let secret = match &jwt.secret {
                Some(secret) => secret.clone(),
                None => shared_secret(db, &config.legacy_key_file).await?,
            };
            TokenKeys::new(jwt, &secret).map_err(|e| StartupError::new("JWT_SECRET", e.to_string()))
        }
        JwtAlgorithm::EdDsa => {
            let failed = |e: &dyn std::fmt::Display| {
                StartupError::new(
                    "JWT_ALGORITHM",
                    format!("cannot prepare the Ed25519 keys: {e}"),
                )
            };
            if jwt.secret.is_some() {
                tracing::warn!("JWT_SECRET is set but JWT_ALGORITHM is EdDSA: it is not used");
            }
            if keys::ensure_key(db).await.map_err(|e| failed(&e))? {
                tracing::info!("made the first Ed25519 signing key, shared by every instance");
            }
            let ring = keys::read_ring(db, jwt.ttl.as_secs())
                .await
                .map_err(|e| failed(&e))?;
            tracing::info!(keys = ?ring.kids(), "signing with Ed25519 keys");
            Ok(TokenKeys::ed25519(jwt, ring))
        }
    }
}

/// The HMAC key when `JWT_SECRET` is unset: the one in the database, shared by every instance.
/// The first start stores one, in a single insert-if-absent, so instances racing at start all read
/// the same key: the key of an older version's `data/jwt-secret` if there is one (nobody is signed
/// out by the upgrade; the file is removed once the key is in the database), else a fresh random
/// 256-bit key.
async fn shared_secret(
    db: &DatabaseConnection,
    legacy: &Path,
) -> Result<SecretString, StartupError> {
    let legacy_key = read_legacy_key(legacy)?;
    let candidate = legacy_key.clone().unwrap_or_else(|| {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key))
    });
    let (stored, inserted) = signing_keys::insert_if_absent(
        db,
        GENERATED_KID,
        "HS256",
        candidate.expose_secret(),
        clock::now(),
    )
    .await
    .map_err(|e| StartupError::new("DATABASE_URL", format!("cannot read the signing key: {e}")))?;
    let secret = check_secret("the signing key in the database", stored.secret)?;
    match (inserted, legacy_key) {
        (true, Some(_)) => {
            tracing::warn!(
                "JWT_SECRET is not set: moved the key of {} into the database, shared by every instance",
                legacy.display()
            );
            if let Err(e) = std::fs::remove_file(legacy) {
                tracing::warn!("could not remove {}: {e}", legacy.display());
            }
        }
        (true, None) => tracing::warn!(
            "JWT_SECRET is not set: generated a key and stored it in the database, shared by every instance"
        ),
        (false, _) => {
            tracing::warn!("JWT_SECRET is not set: using the key stored in the database")
        }
    }
    Ok(secret)
}

/// The key an older version generated into `data/jwt-secret`, if that file holds one. An empty
/// file (a crash between create and write) counts as none.
fn read_legacy_key(path: &Path) -> Result<Option<SecretString>, StartupError> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Ok(None),
        Ok(text) => check_secret(&name, text.trim().to_owned()).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StartupError::new(
            name,
            format!("cannot read the key file: {e}"),
        )),
    }
}
