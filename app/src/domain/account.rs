//! What the account changes of docs/api.md, "The account over email" send, checked: the same rules as registration for a new
//! password or address, and "is required" for a password that only proves who asks.

use super::fields::{field, FieldErrors};
use super::{Email, Password};
use secrecy::SecretString;

/// A password typed to prove who asks: any text, but not none. Checked against the stored hash,
/// never against the strength rules (it was set under whichever rules held then).
pub fn required_password(
    errors: &mut FieldErrors,
    key: &str,
    input: String,
) -> Option<SecretString> {
    if input.is_empty() {
        errors.insert(key.into(), "is required".into());
        return None;
    }
    Some(SecretString::from(input))
}

/// `{current_password, new_password}`.
pub struct PasswordChange {
    pub current: SecretString,
    pub new: Password,
}

impl PasswordChange {
    pub fn parse(current: String, new: String) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let current = required_password(&mut errors, "current_password", current);
        let new = field(&mut errors, "new_password", Password::parse(new));
        match (current, new) {
            (Some(current), Some(new)) if errors.is_empty() => Ok(Self { current, new }),
            _ => Err(errors),
        }
    }
}

/// `{password, email}`: the new address, and the password that proves who asks.
pub struct EmailChange {
    pub password: SecretString,
    pub email: Email,
}

impl EmailChange {
    pub fn parse(password: String, email: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = field(&mut errors, "email", Email::parse(email));
        let password = required_password(&mut errors, "password", password);
        match (password, email) {
            (Some(password), Some(email)) if errors.is_empty() => Ok(Self { password, email }),
            _ => Err(errors),
        }
    }
}

/// A password alone (deleting the account): `fields.password` when it is empty.
pub fn parse_password(input: String) -> Result<SecretString, FieldErrors> {
    let mut errors = FieldErrors::new();
    required_password(&mut errors, "password", input).ok_or(errors)
}

/// The new password of a reset (`fields.password`, the password rules of docs/api.md, "Validation").
pub fn parse_new_password(input: String) -> Result<Password, FieldErrors> {
    let mut errors = FieldErrors::new();
    field(&mut errors, "password", Password::parse(input)).ok_or(errors)
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange([redacted])")
    }
}

impl std::fmt::Debug for EmailChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailChange").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_change_reports_both_fields_by_their_names() {
        let errors = PasswordChange::parse(String::new(), "short".into()).unwrap_err();
        assert_eq!(errors["current_password"], "is required");
        assert!(errors["new_password"].contains("at least 8"));
        let errors = PasswordChange::parse("old".into(), "password123".into()).unwrap_err();
        assert!(errors["new_password"].contains("too common"));
        assert!(!errors.contains_key("current_password"));
        assert!(PasswordChange::parse("old".into(), "a fine new passphrase".into()).is_ok());
    }

    #[test]
    fn an_email_change_needs_an_address_and_a_password() {
        let errors = EmailChange::parse(String::new(), "nope").unwrap_err();
        assert_eq!(errors["password"], "is required");
        assert!(errors.contains_key("email"));
        let change = EmailChange::parse("pw".into(), " New@Example.com ").unwrap();
        assert_eq!(change.email.as_str(), "new@example.com");
    }

    #[test]
    fn a_lone_password_and_a_new_one_are_checked_as_their_rules_say() {
        assert_eq!(
            parse_password(String::new()).unwrap_err()["password"],
            "is required"
        );
        assert!(parse_password("x".into()).is_ok());
        assert!(parse_new_password("12345678".into()).unwrap_err()["password"].contains("common"));
        assert!(parse_new_password("a fine new passphrase".into()).is_ok());
    }
}
