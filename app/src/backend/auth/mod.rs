//! Proving who someone is: password hashing, access tokens, the `AuthUser` extractor, and the
//! login throttling policy.

mod extractor;
pub mod password;
pub mod throttle;
pub mod token;

pub use extractor::{authenticate, bearer_token, AuthUser};
pub use password::{Lane, PasswordHasher, Verification};
pub use throttle::ThrottlePolicy;
pub use token::{Claims, IssuedToken, TokenKeys};
