//! Proving who someone is: password hashing, access tokens, refresh tokens and their cookie, the
//! `AuthUser` extractor, and the login throttling policy.

pub mod cookie;
mod extractor;
pub mod password;
pub mod refresh;
pub mod throttle;
pub mod token;

pub use cookie::CookiePolicy;
pub use extractor::{authenticate, bearer_token, AuthUser};
pub use password::{Lane, PasswordHasher, Verification};
pub use refresh::RefreshToken;
pub use throttle::ThrottlePolicy;
pub use token::{Claims, IssuedToken, TokenKeys};
