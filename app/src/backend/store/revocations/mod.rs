//! Revoked token ids (`revoked_tokens`), kept in the database so every instance and every restart
//! sees them, until the token would have expired anyway.

pub mod entity;
mod queries;

pub use queries::*;
