//! An email address as the contract accepts it: trimmed, Unicode NFC, lower-cased, and only then
//! checked: at most 254 characters, one `@`, a dotted domain.

use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

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
    /// Normalises an address for storage (trim, NFC, lower case) and checks the result: the
    /// length is that of what is stored, since lower-casing can make a string longer (`İ` becomes
    /// two characters).
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let normalised = normalise(input);
        rules(&normalised)?;
        Ok(Self(normalised))
    }

    /// The rules on the trimmed address as typed, without normalising it: what the browser checks
    /// before a call, which keeps the Unicode tables of NFC and lower-casing out of the WASM. The
    /// server's [`Email::parse`] decides.
    pub fn check(input: &str) -> Result<&str, EmailError> {
        let trimmed = input.trim();
        rules(trimmed)?;
        Ok(trimmed)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trimmed, composed (NFC), lower-cased, and composed again, since lower-casing can decompose.
fn normalise(input: &str) -> String {
    let composed: String = input.trim().nfc().collect();
    composed.to_lowercase().nfc().collect()
}

fn rules(trimmed: &str) -> Result<(), EmailError> {
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
    Ok(())
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

    #[test]
    fn the_length_is_checked_after_lower_casing() {
        // `İ` (U+0130) lower-cases to two characters: 240 of them pass a check made before.
        let grows = format!("{}@example.com", "\u{130}".repeat(240));
        assert!(grows.chars().count() <= MAX_EMAIL_CHARS);
        assert_eq!(Email::parse(&grows), Err(EmailError::TooLong));
        let fits = format!("{}@example.com", "\u{130}".repeat(120));
        let email = Email::parse(&fits).unwrap();
        assert!(email.as_str().chars().count() <= MAX_EMAIL_CHARS);
    }

    #[test]
    fn composed_and_decomposed_spellings_are_one_address() {
        let composed = Email::parse("Jos\u{e9}@example.com").unwrap();
        let decomposed = Email::parse("Jose\u{301}@EXAMPLE.com").unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(composed.as_str(), "jos\u{e9}@example.com");
    }

    proptest! {
        #[test]
        fn whatever_parses_fits_the_column(raw in "[\\p{Lu}\\p{Ll}\\u{130}\\u{1E9E}\\u{2126}\\u{212A}\\u{FB00}-\\u{FB06}a-z]{1,260}@example\\.com") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert!(email.as_str().chars().count() <= MAX_EMAIL_CHARS);
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
            }
        }

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
