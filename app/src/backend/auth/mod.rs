//! Proving who someone is: password hashing, access tokens and their keys, opaque tokens (refresh,
//! mailed links), the refresh cookie, the `AuthUser` extractor, and the login throttling policy.

/// The per-request check's cache (SQLite only).
pub mod cache;
pub mod cookie;
mod extractor;
/// docs/api.md, "Tokens other services verify": the Ed25519 keys, each key's life, and the JWKS.
pub mod key_ring;
/// How a session was signed in: its `amr`.
pub mod method;
pub mod opaque;
pub mod password;
pub mod throttle;
pub mod token;

pub use cache::AuthCache;
pub use cookie::CookiePolicy;
pub use extractor::{authenticate, bearer_token, AuthUser};
pub use method::{amr_claim, SignInMethod};
pub use opaque::{LinkToken, RefreshToken};
pub use password::{Lane, PasswordHasher, Verification};
pub use throttle::ThrottlePolicy;
pub use token::{Claims, IssuedToken, TokenKeys};
