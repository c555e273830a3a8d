//! A registration that passed every rule: what the service may store.

use super::{Email, Password, UserName};
use std::collections::BTreeMap;

/// Validation messages keyed by field name (`name`, `email`, `password`), as the contract's `fields`.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: UserName,
    pub email: Email,
    pub password: Password,
}

impl NewUser {
    /// Parses every field and reports every problem at once, so a form can mark them all.
    pub fn parse(name: &str, email: &str, password: String) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = UserName::parse(name).map_err(|e| errors.insert("name".into(), e.to_string()));
        let email = Email::parse(email).map_err(|e| errors.insert("email".into(), e.to_string()));
        let password =
            Password::parse(password).map_err(|e| errors.insert("password".into(), e.to_string()));
        match (name, email, password) {
            (Ok(name), Ok(email), Ok(password)) => Ok(Self {
                name,
                email,
                password,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported() {
        let errors = NewUser::parse(" ", "nope", "short".into()).unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["email", "name", "password"]
        );
    }

    #[test]
    fn a_good_registration_parses() {
        let user =
            NewUser::parse("Ann", "Ann@Example.com", "correct horse battery".into()).unwrap();
        assert_eq!(user.email.as_str(), "ann@example.com");
    }
}
