//! Everything that runs only on the server (the `ssr` feature), as config, store, auth, mail and
//! service (docs/architecture.md): the one service that both doors call (the JSON API in the
//! server crate, and the server functions in `rpc`), and what it stands on.

/// Passwords, tokens, the `AuthUser` extractor and the login throttling policy.
pub mod auth;
/// The client's address and the per-address limit on sign-in requests.
pub mod client;
/// Unix seconds (and milliseconds), as tokens and tables keep time.
pub mod clock;
/// docs/operations.md, "Configuration": the typed configuration, and the error that stops a start.
pub mod config;
/// The connection pool and the migrations.
pub mod db;
/// `AppError`, its HTTP form, and `.context()` for infrastructure calls.
pub mod error;
/// Mail: the outbox's transport, the words of each mail, the sender.
pub mod mail;
/// What both doors call: sign-in, sessions, the account, recovery, the outbox's background work.
pub mod service;
/// `AppState`, built once at start and passed to every handler.
pub mod state;
/// The tables, one folder each: entity and queries.
pub mod store;

pub use config::{Config, StartupError};
pub use error::AppError;
pub use state::AppState;
pub use store::{
    link_tokens, login_attempts, outbox, refresh_tokens, revocations, sessions, sign_in_rates,
    signing_keys, users,
};
