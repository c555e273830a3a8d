//! The tables, one folder each: its SeaORM entity and the queries on it. Logic lives above, in
//! `service` and `auth`; a query here does one thing to one table (docs/architecture.md).

/// Table `link_tokens`: the links mailed to users, hashed, single-use, expiring; pending until sent.
pub mod link_tokens;
/// Table `login_attempts`: guesses counted per account and per address.
pub mod login_attempts;
/// Table `outbox`: mail waiting to be sent (and reset requests), and the record of what was.
pub mod outbox;
/// Table `refresh_tokens`: every refresh token of a session, by hash.
pub mod refresh_tokens;
/// Table `revoked_tokens`.
pub mod revocations;
/// Table `sessions`: one row per sign-in.
pub mod sessions;
/// Table `sign_in_rates`: sign-in requests per client address and minute.
pub mod sign_in_rates;
/// Table `signing_keys`: the HMAC key and the Ed25519 keys, shared by every instance.
pub mod signing_keys;
/// Table `users`.
pub mod users;
