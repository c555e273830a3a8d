//! The `link_tokens` table (CONTRACT §6): the links mailed to a user (confirm an address, reset
//! the password, confirm a new address), each kept as the SHA-256 of its token, single-use and
//! expiring.

pub mod entity;
mod queries;

pub use queries::*;
