//! The one service behind both doors (the JSON API and the server functions). The doors parse
//! their requests into the domain's types ([`NewUser`], [`Credentials`]) and map the result;
//! everything else happens here (docs/architecture.md).
//! Emails are not logged: people type their password into the email field often enough.
//!
//! [`NewUser`]: crate::domain::NewUser
//! [`Credentials`]: crate::domain::Credentials

/// Confirming the address, and the changes a signed-in user makes.
mod account;
/// The first Ed25519 key, rotation, the key list, reading the keys again (docs/operations.md).
pub mod keys;
/// The one place that mails users: links (pending until sent) and notices.
mod links;
/// The background work on the outbox: reset requests resolved, mail delivered.
pub mod outbox;
/// The one place that checks a password, and the one that sets one.
mod passwords;
/// Deleting what has expired: revocations, dead sessions, stale login counters.
mod purge;
/// "Forgot your password?" (stored before it is answered) and the reset link.
mod recovery;
/// Refresh, logout with its scopes, the session list and ending one session.
mod sessions;
/// Register and log in: each sign-in starts a session.
mod sign_in;

pub use account::{
    change_email, change_password, delete_account, rename, resend_verification, verify_email,
};
pub use purge::{purge_expired, Purged};
pub use recovery::{forgot_password, reset_password};
pub use sessions::{end_session, list_sessions, logout, refresh, Refreshed};
pub use sign_in::{login, register, register_and_sign_in, SignedIn};
