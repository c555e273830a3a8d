//! A person's display name: trimmed, 1 to 100 characters, no control or bidirectional-format
//! characters (an `U+202E` in a name would turn the text around it backwards wherever it is shown).

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
    #[error("must not contain characters that change the text direction")]
    BidiControl,
}

/// The bidirectional-format characters of Unicode (embeddings, overrides, isolates and marks).
/// Other format characters stay allowed: emoji sequences need U+200D and Persian needs U+200C.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
        if trimmed.chars().any(is_bidi_control) {
            return Err(UserNameError::BidiControl);
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

    #[test]
    fn direction_overrides_and_isolates_are_refused() {
        for name in [
            "Ann\u{202E}evil",
            "\u{2066}Ann",
            "A\u{200F}nn",
            "Ann\u{061C}",
        ] {
            assert_eq!(
                UserName::parse(name),
                Err(UserNameError::BidiControl),
                "{name:?}"
            );
        }
        assert_eq!(
            UserName::parse("Ann\u{7}"),
            Err(UserNameError::ControlCharacter)
        );
    }

    #[test]
    fn joiners_that_scripts_and_emoji_need_are_kept() {
        for name in [
            "\u{1F469}\u{200D}\u{1F52C} Ann",
            "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}",
        ] {
            assert!(UserName::parse(name).is_ok(), "{name:?}");
        }
    }

    proptest! {
        #[test]
        fn no_parsed_name_holds_a_control_or_bidi_character(name in "\\PC{0,20}[\\u{200E}\\u{202A}-\\u{202E}\\u{2066}-\\u{2069}\\x00-\\x1F]?\\PC{0,20}") {
            if let Ok(parsed) = UserName::parse(&name) {
                prop_assert!(!parsed.as_str().chars().any(|c| c.is_control() || is_bidi_control(c)));
            }
        }

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
