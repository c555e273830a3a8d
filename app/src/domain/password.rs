//! A password as the contract accepts it: 8 to 128 characters and not a commonly used one.
//! The text is kept in a `SecretString` so it never reaches a log line by accident.

use secrecy::{ExposeSecret, SecretString};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Shipped with the app and checked in the browser too; see the file's header.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// A password that passed the contract's rules. `Debug` prints no content.
#[derive(Clone)]
pub struct Password(SecretString);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("is required")]
    Empty,
    #[error("must be at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("must be at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("is too common; choose one that is harder to guess")]
    TooCommon,
}

impl Password {
    /// Checks the rules of docs/api.md, "Requests and errors". Nothing is trimmed or cut off: every character counts.
    pub fn parse(input: String) -> Result<Self, PasswordError> {
        Self::check(&input)?;
        Ok(Self(SecretString::from(input)))
    }

    /// The rules alone, without taking the text: what the browser checks before a call.
    pub fn check(input: &str) -> Result<(), PasswordError> {
        let chars = input.chars().count();
        if chars == 0 {
            return Err(PasswordError::Empty);
        }
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        if is_common(input) {
            return Err(PasswordError::TooCommon);
        }
        Ok(())
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The password as a secret, for the hasher: no copy of the text is made.
    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// The common passwords that are refused, in lower-case ASCII (any case of them is refused).
pub fn common_passwords() -> impl Iterator<Item = &'static str> {
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether the list holds the candidate, ignoring case. The list is lower-case ASCII, so ASCII case
/// folding is enough, and it keeps the Unicode case tables out of the WASM.
fn is_common(candidate: &str) -> bool {
    common_passwords().any(|common| common.eq_ignore_ascii_case(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_contracts_examples_are_common() {
        for common in ["password123", "12345678", "qwertyuiop", "PassWord123"] {
            assert_eq!(
                Password::parse(common.into()).unwrap_err(),
                PasswordError::TooCommon
            );
        }
    }

    #[test]
    fn the_list_is_lower_case_ascii_so_ascii_folding_finds_every_entry() {
        for listed in COMMON_PASSWORDS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            assert!(
                listed.is_ascii() && !listed.chars().any(|c| c.is_ascii_uppercase()),
                "{listed:?} is not lower-case ASCII"
            );
            assert!(is_common(&listed.to_ascii_uppercase()));
        }
    }

    #[test]
    fn every_listed_password_is_long_enough_to_matter() {
        let listed: Vec<_> = COMMON_PASSWORDS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        assert!(listed.len() > 200);
        assert!(
            listed
                .iter()
                .all(|p| p.chars().count() >= MIN_PASSWORD_CHARS),
            "a listed password is shorter than the minimum"
        );
    }

    #[test]
    fn the_bounds_count_characters_not_bytes() {
        assert_eq!(
            Password::parse("ééééééé".into()).unwrap_err(),
            PasswordError::TooShort
        );
        assert!(Password::parse("éééééééé".into()).is_ok());
        assert!(Password::parse("ü".repeat(128)).is_ok());
        assert_eq!(
            Password::parse("ü".repeat(129)).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn nothing_is_trimmed() {
        let password = Password::parse("  correct horse  ".into()).unwrap();
        assert_eq!(password.expose(), "  correct horse  ");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let password = Password::parse("correct horse battery".into()).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }

    proptest! {
        #[test]
        fn any_uncommon_password_of_allowed_length_parses(raw in "\\PC{8,128}") {
            prop_assume!(!is_common(&raw));
            let password = Password::parse(raw.clone()).unwrap();
            prop_assert_eq!(password.expose(), raw.as_str());
        }

        #[test]
        fn short_passwords_never_parse(raw in "\\PC{1,7}") {
            prop_assert_eq!(Password::parse(raw).unwrap_err(), PasswordError::TooShort);
        }
    }
}
