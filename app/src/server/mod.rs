//! Everything that runs only on the server: configuration, persistence, passwords, tokens and the
//! one service that both the JSON API and the server functions call.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod service;
pub mod state;
pub mod users;

pub use config::{Config, ConfigError};
pub use error::AppError;
pub use state::AppState;
