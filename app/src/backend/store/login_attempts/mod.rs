//! The `login_attempts` table: password guesses counted per account and per (account, client
//! address), shared by every instance. The policy that reads it is `auth::throttle`.

pub mod entity;
mod queries;

pub use queries::*;
