//! Passwords, tokens, revocation, login throttling, and the `AuthUser` extractor.

mod extractor;
pub mod password;
pub mod revocation;
pub mod throttle;
pub mod token;

pub use extractor::{bearer_token, AuthUser};
pub use password::{PasswordHasher, Verification};
pub use throttle::ThrottlePolicy;
pub use token::{Claims, IssuedToken, TokenKeys};
