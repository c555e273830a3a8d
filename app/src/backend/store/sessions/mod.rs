//! The `sessions` table (docs/api.md, "Sessions"): one row per sign-in, alive until it is ended, idle for too
//! long, or at its maximum age. Whether a session is alive is read with its user on every
//! authenticated request (`users::find_authenticated`).

pub mod entity;
mod queries;

pub use queries::*;
