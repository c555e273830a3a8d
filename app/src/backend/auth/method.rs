//! How a session was signed in: recorded on the session when it starts, kept through every
//! refresh, and put in each of its access tokens as the `amr` claim (RFC 8176; docs/api.md,
//! "Tokens"). A new way to sign in (a second factor, a passkey) adds a variant here and a first or
//! second step in `service::sign_in`, never a copy of the flow.

/// The ways a session can be signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInMethod {
    /// A password: `["pwd"]`.
    Password,
}

impl SignInMethod {
    /// The RFC 8176 values, space-separated, as the session stores them.
    pub fn amr(self) -> &'static str {
        match self {
            Self::Password => "pwd",
        }
    }
}

/// A session's stored `amr` as the claim's list.
pub fn amr_claim(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_sign_in_is_pwd() {
        assert_eq!(amr_claim(SignInMethod::Password.amr()), ["pwd"]);
        assert_eq!(amr_claim("pwd otp mfa"), ["pwd", "otp", "mfa"]);
        assert!(amr_claim("").is_empty());
    }
}
