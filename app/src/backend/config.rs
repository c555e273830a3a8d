//! docs/operations.md, "Configuration": the typed configuration, read once at start from the environment and `.env`.

use super::client::TrustedProxies;
use super::link_tokens::LinkLifetimes;
use super::sessions::Lifetimes;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/gatehouse.db?mode=rwc";
/// Fifteen minutes: an access token cannot be recalled from services that verify it alone,
/// so it stays short; the session lives on through refresh.
pub const DEFAULT_TTL_SECONDS: u64 = 900;
/// Seven days without a refresh end a session.
pub const DEFAULT_SESSION_IDLE_SECONDS: u64 = 7 * 24 * 3600;
/// Thirty days after sign-in a session ends, however active.
pub const DEFAULT_SESSION_MAX_SECONDS: u64 = 30 * 24 * 3600;
/// Two tabs refreshing at once present one token twice within this many seconds.
pub const DEFAULT_REFRESH_REUSE_GRACE_SECONDS: u64 = 10;
/// A ten-year session is a configuration mistake.
pub const MAX_SESSION_SECONDS: u64 = 10 * 365 * 24 * 3600;
/// One year: a longer access token is a configuration mistake, not a choice.
pub const MAX_TTL_SECONDS: u64 = 365 * 24 * 3600;
pub const MIN_SECRET_BYTES: usize = 32;
pub const DEFAULT_AUTH_RATE_PER_MINUTE: u32 = 60;
/// The sender of every mail.
pub const DEFAULT_MAIL_FROM: &str = "Gatehouse <no-reply@localhost>";
/// Half an hour to use a password-reset link.
pub const DEFAULT_RESET_LINK_TTL_SECONDS: u64 = 1800;
/// A day to use an email-confirmation link.
pub const DEFAULT_VERIFY_LINK_TTL_SECONDS: u64 = 86_400;
/// Where earlier versions kept the generated key (relative to the working directory); a key found
/// there is moved into the database once.
pub const LEGACY_KEY_FILE: &str = "data/jwt-secret";

/// Ten minutes: a rotated key is published this long before it signs, longer than the JWKS may be
/// cached (five minutes), so every service has it before the first token it signs.
pub const DEFAULT_KEY_PUBLISH_SECONDS: u64 = 600;

/// Every variable of docs/operations.md, "Configuration" that [`Config::load`] reads (`LEPTOS_SITE_ADDR` is Leptos's own).
pub const VARIABLES: [&str; 19] = [
    "DATABASE_URL",
    "GATEHOUSE_PUBLIC_URL",
    "JWT_ALGORITHM",
    "KEY_PUBLISH_SECONDS",
    "SMTP_URL",
    "MAIL_FROM",
    "MAIL_LEASE_SECONDS",
    "RESET_LINK_TTL_SECONDS",
    "VERIFY_LINK_TTL_SECONDS",
    "JWT_SECRET",
    "JWT_TTL_SECONDS",
    "SESSION_IDLE_SECONDS",
    "SESSION_MAX_SECONDS",
    "REFRESH_REUSE_GRACE_SECONDS",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "AUTH_RATE_PER_MINUTE",
    "TRUSTED_PROXIES",
    "RUST_LOG",
];

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite:…` or `postgres://…`. Secret, since a Postgres URL may hold a password.
    pub database_url: SecretString,
    pub jwt: JwtConfig,
    /// `GATEHOUSE_PUBLIC_URL`: the site's public address; `None` means `http://` + the listen
    /// address. Cookies are `Secure` when it is https.
    pub public_url: Option<String>,
    /// `SESSION_IDLE_SECONDS` and `SESSION_MAX_SECONDS`.
    pub sessions: Lifetimes,
    /// `SMTP_URL`; `None` writes mail as `.eml` files. Secret: it may hold a password.
    pub smtp_url: Option<SecretString>,
    /// `MAIL_FROM`.
    pub mail_from: lettre::message::Mailbox,
    /// `MAIL_LEASE_SECONDS`: how long a sender holds a mail it claimed; a delivery is cut off
    /// at half of it (docs/operations.md).
    pub mail_lease_seconds: u64,
    /// `RESET_LINK_TTL_SECONDS` and `VERIFY_LINK_TTL_SECONDS`.
    pub links: LinkLifetimes,
    /// `REFRESH_REUSE_GRACE_SECONDS`: how long a just-rotated refresh token may come back.
    pub refresh_reuse_grace: u64,
    /// `AUTH_RATE_PER_MINUTE`: sign-in requests a minute per client address; 0 turns it off.
    pub auth_rate_per_minute: u32,
    /// `TRUSTED_PROXIES`: whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// `RUST_LOG`, checked to be a valid filter when the logger starts.
    pub log_filter: String,
    /// The key file of earlier versions, taken over into the database when `JWT_SECRET` is unset.
    pub legacy_key_file: PathBuf,
    /// Where mail is written as `.eml` files when `SMTP_URL` is unset.
    pub outbox_dir: PathBuf,
}

/// `JWT_ALGORITHM`: how access tokens are signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// HMAC-SHA256 with one secret key: only Gatehouse can check its tokens.
    Hs256,
    /// Ed25519 keys kept in the database, the public halves published as a JWKS (docs/api.md, "Tokens other services verify").
    EdDsa,
}

impl JwtAlgorithm {
    /// The name in the contract and in the JWS header.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::EdDsa => "EdDSA",
        }
    }

    fn parse(raw: &str) -> Result<Self, StartupError> {
        match raw.trim() {
            "HS256" => Ok(Self::Hs256),
            "EdDSA" => Ok(Self::EdDsa),
            other => Err(StartupError::new(
                "JWT_ALGORITHM",
                format!("must be HS256 or EdDSA, got `{other}`"),
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `JWT_SECRET`: the HMAC key, at least 32 bytes; `None` means the key kept in the database.
    pub secret: Option<SecretString>,
    /// `JWT_ALGORITHM`.
    pub algorithm: JwtAlgorithm,
    /// `KEY_PUBLISH_SECONDS`: how long a rotated Ed25519 key is published before it signs.
    pub key_publish: Duration,
    /// `JWT_TTL_SECONDS`: lifetime of an access token.
    pub ttl: Duration,
    /// `JWT_ISSUER`: `iss` put in and required of every token.
    pub issuer: String,
    /// `JWT_AUDIENCE`: `aud` put in and required of every token.
    pub audience: String,
}

/// Anything that stops the start: a bad configuration value, a database that cannot be opened or
/// migrated, an address that cannot be bound. Its `Display` is the one line the operator sees: it
/// names the variable to fix and never echoes a secret.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct StartupError {
    pub variable: String,
    pub reason: String,
}

impl StartupError {
    pub fn new(variable: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
            reason: reason.into(),
        }
    }
}

impl Config {
    /// Reads `.env` (the real environment wins), then the process environment.
    ///
    /// # Errors
    /// A [`StartupError`] naming the first variable with a bad value.
    pub fn from_env() -> Result<Self, StartupError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(StartupError::new(".env", e.to_string())),
        }
        Self::load(|name| std::env::var(name).ok(), Path::new("."))
    }

    /// Builds the configuration from `lookup`, one section at a time. An empty or blank value
    /// counts as unset, for every variable. The legacy key file is looked for under `root`.
    ///
    /// # Errors
    /// A [`StartupError`] naming the first variable with a bad value.
    pub fn load(
        lookup: impl Fn(&str) -> Option<String>,
        root: &Path,
    ) -> Result<Self, StartupError> {
        let env = Env(&lookup);
        let database_url = env
            .text("DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        check_database_url(&database_url)?;
        let mail = MailConfig::load(&env)?;
        Ok(Self {
            database_url: SecretString::from(database_url),
            jwt: JwtConfig::load(&env)?,
            public_url: env
                .text("GATEHOUSE_PUBLIC_URL")
                .map(|raw| check_public_url(&raw))
                .transpose()?,
            sessions: sessions(&env)?,
            smtp_url: mail.smtp_url,
            mail_from: mail.from,
            mail_lease_seconds: mail.lease_seconds,
            links: mail.links,
            refresh_reuse_grace: env.number(
                "REFRESH_REUSE_GRACE_SECONDS",
                DEFAULT_REFRESH_REUSE_GRACE_SECONDS,
                0,
                3600,
            )?,
            auth_rate_per_minute: env
                .number(
                    "AUTH_RATE_PER_MINUTE",
                    u64::from(DEFAULT_AUTH_RATE_PER_MINUTE),
                    0,
                    1_000_000,
                )
                .map(|rate| u32::try_from(rate).unwrap_or(u32::MAX))?,
            trusted_proxies: match env.text("TRUSTED_PROXIES") {
                None => TrustedProxies::default(),
                Some(raw) => TrustedProxies::parse(&raw)
                    .map_err(|reason| StartupError::new("TRUSTED_PROXIES", reason))?,
            },
            log_filter: env.text("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            legacy_key_file: root.join(LEGACY_KEY_FILE),
            outbox_dir: root.join(super::mail::DEFAULT_OUTBOX_DIR),
        })
    }
}

/// The variables as [`Config::load`] reads them: blank is unset.
struct Env<'a, F: Fn(&str) -> Option<String>>(&'a F);

impl<F: Fn(&str) -> Option<String>> Env<'_, F> {
    fn text(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    /// A whole number (seconds, or a count) from `min` to `max`; `default` when unset.
    fn number(&self, name: &str, default: u64, min: u64, max: u64) -> Result<u64, StartupError> {
        match self.text(name) {
            None => Ok(default),
            Some(raw) => parse_number(name, &raw, min, max),
        }
    }
}

/// `SESSION_IDLE_SECONDS` and `SESSION_MAX_SECONDS`.
fn sessions(env: &Env<'_, impl Fn(&str) -> Option<String>>) -> Result<Lifetimes, StartupError> {
    Ok(Lifetimes {
        idle: env.number(
            "SESSION_IDLE_SECONDS",
            DEFAULT_SESSION_IDLE_SECONDS,
            1,
            MAX_SESSION_SECONDS,
        )?,
        max: env.number(
            "SESSION_MAX_SECONDS",
            DEFAULT_SESSION_MAX_SECONDS,
            1,
            MAX_SESSION_SECONDS,
        )?,
    })
}

impl JwtConfig {
    /// `JWT_*` and `KEY_PUBLISH_SECONDS`.
    fn load(env: &Env<'_, impl Fn(&str) -> Option<String>>) -> Result<Self, StartupError> {
        let ttl = env.number("JWT_TTL_SECONDS", DEFAULT_TTL_SECONDS, 1, MAX_TTL_SECONDS)?;
        let key_publish = env.number(
            "KEY_PUBLISH_SECONDS",
            DEFAULT_KEY_PUBLISH_SECONDS,
            0,
            MAX_SESSION_SECONDS,
        )?;
        Ok(Self {
            secret: env
                .text("JWT_SECRET")
                .map(|secret| check_secret("JWT_SECRET", secret))
                .transpose()?,
            algorithm: env
                .text("JWT_ALGORITHM")
                .map_or(Ok(JwtAlgorithm::Hs256), |raw| JwtAlgorithm::parse(&raw))?,
            key_publish: Duration::from_secs(key_publish),
            ttl: Duration::from_secs(ttl),
            issuer: env
                .text("JWT_ISSUER")
                .unwrap_or_else(|| "gatehouse".to_owned()),
            audience: env
                .text("JWT_AUDIENCE")
                .unwrap_or_else(|| "gatehouse".to_owned()),
        })
    }
}

/// The mail section: `SMTP_URL`, `MAIL_FROM`, `MAIL_LEASE_SECONDS` and the links' lifetimes.
struct MailConfig {
    smtp_url: Option<SecretString>,
    from: lettre::message::Mailbox,
    lease_seconds: u64,
    links: LinkLifetimes,
}

impl MailConfig {
    fn load(env: &Env<'_, impl Fn(&str) -> Option<String>>) -> Result<Self, StartupError> {
        let links = LinkLifetimes {
            reset: env.number(
                "RESET_LINK_TTL_SECONDS",
                DEFAULT_RESET_LINK_TTL_SECONDS,
                1,
                MAX_SESSION_SECONDS,
            )?,
            verify: env.number(
                "VERIFY_LINK_TTL_SECONDS",
                DEFAULT_VERIFY_LINK_TTL_SECONDS,
                1,
                MAX_SESSION_SECONDS,
            )?,
        };
        let from = env
            .text("MAIL_FROM")
            .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned())
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| {
                StartupError::new(
                    "MAIL_FROM",
                    format!("must be an address like `Gatehouse <no-reply@example.com>`: {e}"),
                )
            })?;
        Ok(Self {
            smtp_url: env
                .text("SMTP_URL")
                .map(|raw| check_smtp_url(&raw))
                .transpose()?,
            from,
            // Two seconds at least: a delivery gets half the lease.
            lease_seconds: env.number(
                "MAIL_LEASE_SECONDS",
                super::mail::DEFAULT_LEASE_SECONDS,
                2,
                24 * 3600,
            )?,
            links,
        })
    }
}

fn check_database_url(url: &str) -> Result<(), StartupError> {
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite" | "postgres" | "postgresql") => Ok(()),
        Some(other) => Err(StartupError::new(
            "DATABASE_URL",
            format!("unknown scheme `{other}`; use sqlite://… or postgres://…"),
        )),
        None => Err(StartupError::new(
            "DATABASE_URL",
            "not a URL; use sqlite://… or postgres://…",
        )),
    }
}

/// `smtp://` or `smtps://`; the rest is lettre's to read. The value is never echoed: it may hold a
/// password.
fn check_smtp_url(raw: &str) -> Result<SecretString, StartupError> {
    let url = raw.trim();
    if url.starts_with("smtp://") || url.starts_with("smtps://") {
        Ok(SecretString::from(url.to_owned()))
    } else {
        Err(StartupError::new(
            "SMTP_URL",
            "must start with smtp:// or smtps://",
        ))
    }
}

/// An `http://` or `https://` address, without a trailing slash.
fn check_public_url(raw: &str) -> Result<String, StartupError> {
    let url = raw.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => Err(StartupError::new(
            "GATEHOUSE_PUBLIC_URL",
            format!("must be an http:// or https:// address, got `{raw}`"),
        )),
    }
}

impl Config {
    /// Cookies get `Secure` when the site's public address is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}

fn parse_number(variable: &str, raw: &str, min: u64, max: u64) -> Result<u64, StartupError> {
    match raw.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(StartupError::new(
            variable,
            format!("must be a whole number from {min} to {max}, got `{raw}`"),
        )),
    }
}

/// A key of at least [`MIN_SECRET_BYTES`]; `source` names where it came from in the error.
///
/// # Errors
/// A [`StartupError`] naming `source` (never echoing the key) when it is too short.
pub fn check_secret(source: &str, secret: String) -> Result<SecretString, StartupError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(StartupError::new(
            source,
            format!(
                "must be at least {MIN_SECRET_BYTES} bytes long (it is {})",
                secret.len()
            ),
        ));
    }
    Ok(SecretString::from(secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, StartupError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(|name| vars.get(name).cloned(), Path::new("/srv/gatehouse"))
    }

    #[test]
    fn every_default_works_with_no_setup() {
        let config = load(&[]).unwrap();
        assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert!(
            config.jwt.secret.is_none(),
            "the key comes from the database"
        );
        assert_eq!(config.jwt.ttl, Duration::from_secs(900));
        assert_eq!(config.sessions.idle, 604_800);
        assert_eq!(config.sessions.max, 2_592_000);
        assert_eq!(config.refresh_reuse_grace, 10);
        assert_eq!(config.public_url, None);
        assert!(!config.secure_cookies());
        assert!(config.smtp_url.is_none(), "mail goes to .eml files");
        assert_eq!(
            config.mail_from.to_string(),
            "Gatehouse <no-reply@localhost>"
        );
        assert_eq!(config.links.reset, 1800);
        assert_eq!(config.links.verify, 86_400);
        assert_eq!(config.jwt.issuer, "gatehouse");
        assert_eq!(config.jwt.audience, "gatehouse");
        assert_eq!(config.jwt.algorithm, JwtAlgorithm::Hs256);
        assert_eq!(config.jwt.key_publish, Duration::from_secs(600));
        assert_eq!(config.auth_rate_per_minute, 60);
        assert_eq!(config.trusted_proxies, TrustedProxies::default());
        assert_eq!(config.log_filter, "info");
        assert_eq!(
            config.legacy_key_file,
            Path::new("/srv/gatehouse/data/jwt-secret")
        );
    }

    #[test]
    fn an_empty_value_counts_as_unset_for_every_variable() {
        let empty: Vec<(&str, &str)> = VARIABLES.iter().map(|n| (*n, "")).collect();
        let blank: Vec<(&str, &str)> = VARIABLES.iter().map(|n| (*n, "  ")).collect();
        for vars in [empty, blank] {
            let config = load(&vars).unwrap();
            assert!(config.jwt.secret.is_none());
            assert_eq!(config.auth_rate_per_minute, 60);
            assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        }
    }

    #[test]
    fn the_algorithm_and_the_publish_delay_are_read() {
        let config = load(&[("JWT_ALGORITHM", "EdDSA"), ("KEY_PUBLISH_SECONDS", "0")]).unwrap();
        assert_eq!(config.jwt.algorithm, JwtAlgorithm::EdDsa);
        assert_eq!(config.jwt.key_publish, Duration::ZERO);
        assert_eq!(
            load(&[("JWT_ALGORITHM", "HS256")]).unwrap().jwt.algorithm,
            JwtAlgorithm::Hs256
        );
    }

    #[test]
    fn a_short_secret_is_refused_naming_the_variable() {
        let err = load(&[("JWT_SECRET", "too short")]).unwrap_err();
        assert_eq!(err.variable, "JWT_SECRET");
        assert!(
            !err.to_string().contains("too short"),
            "the secret must not be echoed"
        );
    }

    #[test]
    fn the_sign_in_rate_and_proxies_are_read() {
        let config = load(&[
            ("AUTH_RATE_PER_MINUTE", "0"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
        ])
        .unwrap();
        assert_eq!(config.auth_rate_per_minute, 0);
        assert!(config.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
        assert!(config
            .trusted_proxies
            .contains("127.0.0.1".parse().unwrap()));
        assert!(!config
            .trusted_proxies
            .contains("127.0.0.2".parse().unwrap()));
    }

    #[test]
    fn session_lifetimes_and_the_public_address_are_read() {
        let config = load(&[
            ("SESSION_IDLE_SECONDS", "5"),
            ("SESSION_MAX_SECONDS", "60"),
            ("REFRESH_REUSE_GRACE_SECONDS", "0"),
            ("GATEHOUSE_PUBLIC_URL", "https://auth.example.com/"),
        ])
        .unwrap();
        assert_eq!(config.sessions, Lifetimes { idle: 5, max: 60 });
        assert_eq!(config.refresh_reuse_grace, 0);
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://auth.example.com")
        );
        assert!(config.secure_cookies());
        let plain = load(&[("GATEHOUSE_PUBLIC_URL", "http://localhost:3000")]).unwrap();
        assert!(!plain.secure_cookies());
    }

    #[test]
    fn mail_settings_are_read_and_an_smtp_password_is_never_echoed() {
        let config = load(&[
            ("SMTP_URL", "smtps://ann:hunter2hunter2@mail.example.com"),
            ("MAIL_FROM", "Example <auth@example.com>"),
            ("RESET_LINK_TTL_SECONDS", "600"),
            ("VERIFY_LINK_TTL_SECONDS", "3600"),
        ])
        .unwrap();
        assert_eq!(
            config.smtp_url.as_ref().map(ExposeSecret::expose_secret),
            Some("smtps://ann:hunter2hunter2@mail.example.com")
        );
        assert!(!format!("{config:?}").contains("hunter2"));
        assert_eq!(config.mail_from.email.to_string(), "auth@example.com");
        assert_eq!((config.links.reset, config.links.verify), (600, 3600));
        let err = load(&[("SMTP_URL", "imap://ann:hunter2hunter2@mail.example.com")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("JWT_TTL_SECONDS", "soon"),
            ("JWT_TTL_SECONDS", "0"),
            ("JWT_TTL_SECONDS", "-5"),
            ("AUTH_RATE_PER_MINUTE", "many"),
            ("AUTH_RATE_PER_MINUTE", "-1"),
            ("TRUSTED_PROXIES", "10.0.0.0/33"),
            ("TRUSTED_PROXIES", "proxy.example.com"),
            ("DATABASE_URL", "mysql://localhost/db"),
            ("DATABASE_URL", "no-scheme"),
            ("SESSION_IDLE_SECONDS", "0"),
            ("SESSION_MAX_SECONDS", "a month"),
            ("REFRESH_REUSE_GRACE_SECONDS", "-1"),
            ("GATEHOUSE_PUBLIC_URL", "example.com"),
            ("GATEHOUSE_PUBLIC_URL", "ftp://example.com"),
            ("SMTP_URL", "mail.example.com:25"),
            ("SMTP_URL", "http://mail.example.com"),
            ("MAIL_FROM", "not an address"),
            ("RESET_LINK_TTL_SECONDS", "0"),
            ("VERIFY_LINK_TTL_SECONDS", "a day"),
            ("JWT_ALGORITHM", "RS256"),
            ("JWT_ALGORITHM", "none"),
            ("JWT_ALGORITHM", "eddsa"),
            ("KEY_PUBLISH_SECONDS", "ten minutes"),
            ("KEY_PUBLISH_SECONDS", "-1"),
        ] {
            let err = load(&[(name, value)]).unwrap_err();
            assert_eq!(err.variable, name, "{name}={value}");
        }
    }
}
