//! The users table and its queries.

pub mod entity;
mod repo;

pub use repo::*;
