//! The `users` table: its entity and its queries.

pub mod entity;
mod queries;

pub use queries::*;
