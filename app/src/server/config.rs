//! CONTRACT §1: the typed configuration, read once at start from the environment and `.env`.

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/gatehouse.db?mode=rwc";
pub const DEFAULT_TTL_SECONDS: u64 = 3600;
/// One year: a longer access token is a configuration mistake, not a choice.
pub const MAX_TTL_SECONDS: u64 = 365 * 24 * 3600;
pub const MIN_SECRET_BYTES: usize = 32;
/// Where the generated key is kept when `JWT_SECRET` is not set (relative to the working directory).
pub const SECRET_FILE: &str = "data/jwt-secret";

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite:…` or `postgres://…`. Secret, since a Postgres URL may hold a password.
    pub database_url: SecretString,
    pub jwt: JwtConfig,
    /// `RUST_LOG`, already checked to be a valid filter by the caller of [`Config::load`].
    pub log_filter: String,
    /// Set when the key came from (or was just written to) the key file, for a warning at start.
    pub secret_file: Option<GeneratedSecret>,
}

#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `JWT_SECRET`: the HMAC key, at least 32 bytes.
    pub secret: SecretString,
    /// `JWT_TTL_SECONDS`: lifetime of an access token.
    pub ttl: Duration,
    /// `JWT_ISSUER`: `iss` put in and required of every token.
    pub issuer: String,
    /// `JWT_AUDIENCE`: `aud` put in and required of every token.
    pub audience: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedSecret {
    pub path: PathBuf,
    pub created: bool,
}

/// A configuration value that stops the start. Its `Display` is the one line the operator sees:
/// it names the variable and never echoes a secret.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    pub variable: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(variable: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
            reason: reason.into(),
        }
    }
}

impl Config {
    /// Reads `.env` (the real environment wins), then the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(ConfigError::new(".env", e.to_string())),
        }
        Self::load(|name| std::env::var(name).ok(), Path::new("."))
    }

    /// Builds the configuration from `lookup`; the key file, when needed, lives under `root`.
    pub fn load(lookup: impl Fn(&str) -> Option<String>, root: &Path) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        check_database_url(&database_url)?;

        let ttl = match var("JWT_TTL_SECONDS") {
            None => DEFAULT_TTL_SECONDS,
            Some(raw) => parse_ttl(&raw)?,
        };

        let (secret, secret_file) = match lookup("JWT_SECRET") {
            Some(secret) => (check_secret("JWT_SECRET", secret)?, None),
            None => {
                let path = root.join(SECRET_FILE);
                let (secret, created) = load_or_create_secret(&path)?;
                (secret, Some(GeneratedSecret { path, created }))
            }
        };

        Ok(Self {
            database_url: SecretString::from(database_url),
            jwt: JwtConfig {
                secret,
                ttl: Duration::from_secs(ttl),
                issuer: var("JWT_ISSUER").unwrap_or_else(|| "gatehouse".to_owned()),
                audience: var("JWT_AUDIENCE").unwrap_or_else(|| "gatehouse".to_owned()),
            },
            log_filter: var("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            secret_file,
        })
    }
}

fn check_database_url(url: &str) -> Result<(), ConfigError> {
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite" | "postgres" | "postgresql") => Ok(()),
        Some(other) => Err(ConfigError::new(
            "DATABASE_URL",
            format!("unknown scheme `{other}`; use sqlite://… or postgres://…"),
        )),
        None => Err(ConfigError::new(
            "DATABASE_URL",
            "not a URL; use sqlite://… or postgres://…",
        )),
    }
}

fn parse_ttl(raw: &str) -> Result<u64, ConfigError> {
    match raw.trim().parse::<u64>() {
        Ok(ttl) if (1..=MAX_TTL_SECONDS).contains(&ttl) => Ok(ttl),
        _ => Err(ConfigError::new(
            "JWT_TTL_SECONDS",
            format!("must be a whole number of seconds from 1 to {MAX_TTL_SECONDS}, got `{raw}`"),
        )),
    }
}

fn check_secret(source: &str, secret: String) -> Result<SecretString, ConfigError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::new(
            source,
            format!(
                "must be at least {MIN_SECRET_BYTES} bytes long (it is {})",
                secret.len()
            ),
        ));
    }
    Ok(SecretString::from(secret))
}

/// Reads the key file, or writes a fresh random 256-bit key there (mode 0600) when it is absent.
pub fn load_or_create_secret(path: &Path) -> Result<(SecretString, bool), ConfigError> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok((check_secret(&name, text.trim().to_owned())?, false)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(ConfigError::new(
                name,
                format!("cannot read the key file: {e}"),
            ))
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ConfigError::new(&name, format!("cannot create its folder: {e}")))?;
    }
    let mut key = [0u8; 32];
    rand::fill(&mut key);
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key);

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(path).and_then(|mut file| {
        file.write_all(encoded.as_bytes())?;
        file.sync_all()
    });
    match written {
        Ok(()) => Ok((SecretString::from(encoded), true)),
        // Another instance created it first: use theirs, so both sign with one key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(path),
        Err(e) => Err(ConfigError::new(
            name,
            format!("cannot write the key file: {e}"),
        )),
    }
}

impl JwtConfig {
    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.expose_secret().as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)], root: &Path) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(|name| vars.get(name).cloned(), root)
    }

    #[test]
    fn every_default_works_with_no_setup() {
        let dir = tempfile::tempdir().unwrap();
        let config = load(&[], dir.path()).unwrap();
        assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(config.jwt.ttl, Duration::from_secs(3600));
        assert_eq!(config.jwt.issuer, "gatehouse");
        assert_eq!(config.jwt.audience, "gatehouse");
        assert_eq!(config.log_filter, "info");
        assert_eq!(
            config.secret_file,
            Some(GeneratedSecret {
                path: dir.path().join(SECRET_FILE),
                created: true
            })
        );
    }

    #[test]
    fn the_generated_key_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load(&[], dir.path()).unwrap();
        let second = load(&[], dir.path()).unwrap();
        assert_eq!(first.jwt.secret_bytes(), second.jwt.secret_bytes());
        assert!(!second.secret_file.unwrap().created);
        assert!(first.jwt.secret_bytes().len() >= MIN_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_short_secret_is_refused_naming_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(&[("JWT_SECRET", "too short")], dir.path()).unwrap_err();
        assert_eq!(err.variable, "JWT_SECRET");
        assert!(
            !err.to_string().contains("too short"),
            "the secret must not be echoed"
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        let dir = tempfile::tempdir().unwrap();
        for (name, value) in [
            ("JWT_TTL_SECONDS", "soon"),
            ("JWT_TTL_SECONDS", "0"),
            ("JWT_TTL_SECONDS", "-5"),
            ("DATABASE_URL", "mysql://localhost/db"),
            ("DATABASE_URL", "no-scheme"),
        ] {
            let err = load(&[(name, value)], dir.path()).unwrap_err();
            assert_eq!(err.variable, name, "{name}={value}");
        }
    }
}
