//! The `sign_in_rates` table: sign-in requests counted per client address and minute
//! (`AUTH_RATE_PER_MINUTE`), in the database so that every instance adds to one count (docs/operations.md,
//! "Several instances"). One row per address, reset when its minute is over.

mod queries;

pub use queries::*;
