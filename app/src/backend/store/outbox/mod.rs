//! The `outbox` table (docs/api.md, "The account over email"): every mail, written in the same transaction as the change
//! that causes it, waits here until a sender (`crate::backend::mail::sender`) delivers it.

pub mod entity;
mod queries;

pub use queries::*;
