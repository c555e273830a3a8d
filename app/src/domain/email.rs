//! An email address as the contract accepts it: trimmed, lower-cased, one `@`, a dotted domain.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest address accepted, in characters (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// A syntactically valid email address, stored in lower case so that one mailbox is one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is required")]
    Empty,
    #[error("must be at most {MAX_EMAIL_CHARS} characters")]
    TooLong,
    #[error("is not a valid email address")]
    Invalid,
}

impl Email {
    /// Checks an address and lower-cases it for storage.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        Self::check(input).map(|address| Self(address.to_lowercase()))
    }

    /// The rules alone: the trimmed address if it is valid. The browser checks with this, which
    /// leaves the Unicode case tables of `to_lowercase` out of the WASM.
    pub fn check(input: &str) -> Result<&str, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Invalid);
        }
        let mut parts = trimmed.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::Invalid);
        };
        if local.is_empty() || !domain.contains('.') {
            return Err(EmailError::Invalid);
        }
        Ok(trimmed)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_plain_address_is_accepted_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn addresses_the_contract_rejects_are_rejected() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a@b@c.com",
            "an n@example.com",
            "ann@exa mple.com",
            "ann@example.com\u{0}",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn the_length_limit_counts_characters() {
        let local = "é".repeat(MAX_EMAIL_CHARS - "@example.com".len());
        assert!(Email::parse(&format!("{local}@example.com")).is_ok());
        assert_eq!(
            Email::parse(&format!("{local}x@example.com")),
            Err(EmailError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn any_local_and_dotted_domain_parses(local in "[a-zA-Z0-9._%+-]{1,40}", host in "[a-zA-Z0-9-]{1,30}", tld in "[a-zA-Z]{2,10}") {
            let raw = format!("{local}@{host}.{tld}");
            let email = Email::parse(&raw).unwrap();
            prop_assert_eq!(email.as_str(), raw.to_lowercase());
        }

        #[test]
        fn parsing_is_idempotent(raw in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
            }
        }

        #[test]
        fn a_string_without_at_is_never_an_email(raw in "[^@]{0,300}") {
            prop_assert!(Email::parse(&raw).is_err());
        }
    }
}
