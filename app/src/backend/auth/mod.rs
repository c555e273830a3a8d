//! Proving who someone is: password hashing, access tokens, opaque tokens (refresh, mailed links), the refresh cookie, the
//! `AuthUser` extractor, and the login throttling policy.

pub mod cookie;
mod extractor;
pub mod opaque;
pub mod password;
pub mod throttle;
pub mod token;

pub use cookie::CookiePolicy;
pub use extractor::{authenticate, bearer_token, AuthUser};
pub use opaque::{LinkToken, RefreshToken};
pub use password::{Lane, PasswordHasher, Verification};
pub use throttle::ThrottlePolicy;
pub use token::{Claims, IssuedToken, TokenKeys};
