//! A person's display name: trimmed, 1 to 100 characters.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_NAME_CHARS: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserNameError {
    #[error("is required")]
    Empty,
    #[error("must be at most {MAX_NAME_CHARS} characters")]
    TooLong,
    #[error("must not contain control characters")]
    ControlCharacter,
}

impl UserName {
    pub fn parse(input: &str) -> Result<Self, UserNameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(UserNameError::Empty);
        }
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return Err(UserNameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(UserNameError::ControlCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for UserName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(
            UserName::parse("  Ada Lovelace \n").unwrap().as_str(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn blank_names_are_rejected() {
        assert_eq!(UserName::parse(""), Err(UserNameError::Empty));
        assert_eq!(UserName::parse(" \t\n"), Err(UserNameError::Empty));
    }

    #[test]
    fn the_limit_is_one_hundred_characters_not_bytes() {
        assert!(UserName::parse(&"ü".repeat(100)).is_ok());
        assert_eq!(
            UserName::parse(&"ü".repeat(101)),
            Err(UserNameError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn names_of_1_to_100_visible_characters_parse(name in "[\\p{L}\\p{N}][\\p{L}\\p{N} '.-]{0,98}[\\p{L}\\p{N}]") {
            let parsed = UserName::parse(&name).unwrap();
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        #[test]
        fn longer_names_never_parse(name in "[a-z]{101,300}") {
            prop_assert_eq!(UserName::parse(&name), Err(UserNameError::TooLong));
        }
    }
}
