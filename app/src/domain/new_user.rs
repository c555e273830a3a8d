//! A registration that passed every rule: what the service may store.

use super::fields::{field, none_of, FieldErrors};
use super::{Email, Password, UserName};

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
        let name = field(&mut errors, "name", UserName::parse(name));
        let email = field(&mut errors, "email", Email::parse(email));
        let password = field(&mut errors, "password", Password::parse(password));
        match (name, email, password) {
            (Some(name), Some(email), Some(password)) => Ok(Self {
                name,
                email,
                password,
            }),
            _ => Err(errors),
        }
    }

    /// The same rules and messages as [`NewUser::parse`], without building the values: what the
    /// registration form checks in the browser before it calls the server.
    pub fn check(name: &str, email: &str, password: &str) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        field(&mut errors, "name", UserName::parse(name));
        field(&mut errors, "email", Email::check(email));
        field(&mut errors, "password", Password::check(password));
        none_of(errors)
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
    fn check_reports_what_parse_reports() {
        for (name, email, password) in [
            (" ", "nope", "short"),
            ("Ann", "ann@example.com", "password123"),
            ("Ann", "Ann@Example.com", "correct horse battery"),
            ("", "", ""),
        ] {
            assert_eq!(
                NewUser::check(name, email, password),
                NewUser::parse(name, email, password.into()).map(drop),
                "{name:?} {email:?}"
            );
        }
    }

    #[test]
    fn a_good_registration_parses() {
        let user =
            NewUser::parse("Ann", "Ann@Example.com", "correct horse battery".into()).unwrap();
        assert_eq!(user.email.as_str(), "ann@example.com");
    }
}
