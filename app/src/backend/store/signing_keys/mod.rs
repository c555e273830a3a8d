//! The `signing_keys` table: token-signing keys kept in the database, so every instance signs and
//! verifies with the same key when `JWT_SECRET` is not set.

pub mod entity;
mod queries;

pub use queries::*;
