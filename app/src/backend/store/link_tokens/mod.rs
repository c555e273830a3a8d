//! The `link_tokens` table (docs/api.md, "The account over email"): the links mailed to a user (confirm an address, reset
//! the password, confirm a new address), each kept as the SHA-256 of its token, single-use and
//! expiring.

pub mod entity;
mod queries;

pub use queries::*;
