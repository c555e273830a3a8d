//! What a login sends: an address that parses and a password at all. No strength rules here: a
//! password set under older rules must still log in.

use super::fields::{field, none_of, FieldErrors};
use super::Email;
use secrecy::{ExposeSecret, SecretString};

/// A login's email and password, checked. `Debug` prints no password.
#[derive(Clone)]
pub struct Credentials {
    pub email: Email,
    pub password: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").finish_non_exhaustive()
    }
}

impl Credentials {
    /// Parses both fields and reports every problem at once.
    pub fn parse(email: &str, password: String) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = field(&mut errors, "email", Email::parse(email));
        let password = SecretString::from(password);
        if password.expose_secret().is_empty() {
            errors.insert("password".into(), "is required".into());
        }
        match email {
            Some(email) if errors.is_empty() => Ok(Self { email, password }),
            _ => Err(errors),
        }
    }

    /// The same rules and messages without building the values: what the login form checks in
    /// the browser before it calls the server.
    pub fn check(email: &str, password: &str) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        field(&mut errors, "email", Email::check(email));
        if password.is_empty() {
            errors.insert("password".into(), "is required".into());
        }
        none_of(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_reports_what_parse_reports() {
        for (email, password) in [
            ("", ""),
            ("ann@example.com", ""),
            ("nope", "whatever it is"),
            ("Ann@Example.com", "x"),
        ] {
            assert_eq!(
                Credentials::check(email, password),
                Credentials::parse(email, password.into()).map(drop),
                "{email:?}"
            );
        }
    }

    #[test]
    fn an_old_short_password_is_still_a_login() {
        let credentials = Credentials::parse("Ann@Example.com", "short".into()).unwrap();
        assert_eq!(credentials.email.as_str(), "ann@example.com");
        assert!(!format!("{credentials:?}").contains("short"));
    }
}
