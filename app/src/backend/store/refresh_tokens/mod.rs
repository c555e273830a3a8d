//! The `refresh_tokens` table: every refresh token a session has had, by hash, with when it was
//! retired. The token itself (`auth::opaque`) is never stored.

pub mod entity;
mod queries;

pub use queries::*;
