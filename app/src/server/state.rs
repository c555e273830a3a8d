//! The application state every handler and server function reaches through axum `State` or
//! `leptos_axum::extract`: built once at start, passed in, never global.

use super::auth::{PasswordHasher, ThrottlePolicy, TokenKeys};
use super::config::{Config, ConfigError};
use super::db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use std::sync::Arc;

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub tokens: Arc<TokenKeys>,
    pub hasher: PasswordHasher,
    pub throttle: ThrottlePolicy,
}

impl AppState {
    /// Connects to the database, runs the migrations and prepares the keys. A failure names the
    /// variable to fix.
    pub async fn build(
        config: &Config,
        leptos_options: LeptosOptions,
    ) -> Result<Self, ConfigError> {
        let db = db::connect(config.database_url.expose_secret())
            .await
            .map_err(|e| {
                ConfigError::new("DATABASE_URL", format!("cannot open the database: {e}"))
            })?;
        db::migrate(&db).await.map_err(|e| {
            ConfigError::new("DATABASE_URL", format!("cannot migrate the database: {e}"))
        })?;
        let tokens = TokenKeys::new(&config.jwt)
            .map_err(|e| ConfigError::new("JWT_SECRET", e.to_string()))?;
        Ok(Self {
            leptos_options,
            db,
            tokens: Arc::new(tokens),
            hasher: PasswordHasher::new(PasswordHasher::default_concurrency()),
            throttle: ThrottlePolicy::default(),
        })
    }
}
