//! The one service behind both doors (the JSON API and the server functions). The doors parse
//! their requests into the domain's types ([`NewUser`], [`Credentials`]) and map the result;
//! everything else happens here.
//! Emails are not logged: people type their password into the email field often enough.
//!
//! [`NewUser`]: crate::domain::NewUser
//! [`Credentials`]: crate::domain::Credentials

/// Confirmation, forgotten passwords and account changes, over email (CONTRACT §6).
mod account;
/// CONTRACT §7: the first Ed25519 key, rotation, the key list, reading the keys again.
pub mod keys;
/// Deleting what has expired: revocations, dead sessions, stale login counters.
mod purge;
/// Refresh, logout with its scopes, the session list and ending one session (CONTRACT §5).
mod sessions;
/// Register and log in: each sign-in starts a session.
mod sign_in;

pub use account::{
    change_email, change_password, delete_account, forgot_password, rename, resend_verification,
    reset_password, verify_email,
};
pub use purge::{purge_expired, Purged};
pub use sessions::{end_session, list_sessions, logout, refresh, Refreshed};
pub use sign_in::{login, register, register_and_sign_in, SignedIn};
