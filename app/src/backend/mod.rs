//! Everything that runs only on the server (the `ssr` feature): the one service that both doors
//! call (the JSON API in the server crate, and the server functions in `rpc`), and what it stands on.

/// Passwords, tokens, the `AuthUser` extractor and the login throttling policy.
pub mod auth;
/// The client's address and the per-address limit on sign-in requests.
pub mod client;
/// Unix seconds, as tokens and tables keep time.
pub mod clock;
/// CONTRACT §1: the typed configuration, and the error that stops a start.
pub mod config;
/// The connection pool and the migrations.
pub mod db;
/// `AppError`, its HTTP form, and `.context()` for infrastructure calls.
pub mod error;
/// Table `link_tokens`: the links mailed to users, hashed, single-use, expiring.
pub mod link_tokens;
/// Table `login_attempts`: guesses counted per account and per address.
pub mod login_attempts;
/// Mail: the outbox's transport, the words of each mail, the background sender.
pub mod mail;
/// Table `outbox`: mail waiting to be sent, and the record of what was.
pub mod outbox;
/// Table `refresh_tokens`: every refresh token of a session, by hash.
pub mod refresh_tokens;
/// Table `revoked_tokens`.
pub mod revocations;
/// Register, log in, refresh, log out, the session list, purge: what both doors call.
pub mod service;
/// Table `sessions`: one row per sign-in.
pub mod sessions;
/// Table `sign_in_rates`: sign-in requests per client address and minute.
pub mod sign_in_rates;
/// Table `signing_keys`: the HMAC key and the Ed25519 keys, shared by every instance.
pub mod signing_keys;
/// `AppState`, built once at start and passed to every handler.
pub mod state;
/// Table `users`.
pub mod users;

pub use config::{Config, StartupError};
pub use error::AppError;
pub use state::AppState;
