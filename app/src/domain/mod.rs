//! Domain types shared by the server and the browser: parsing them is the validation of docs/api.md, "Requests and errors",
//! so a form checks input with exactly the rules the server applies.

mod account;
mod credentials;
mod email;
mod fields;
mod new_user;
mod password;
mod session;
mod user;
mod user_name;

pub use account::{parse_new_password, parse_password, EmailChange, PasswordChange};
pub use credentials::Credentials;
pub use email::{Email, EmailError};
pub use fields::FieldErrors;
pub use new_user::NewUser;
pub use password::{
    common_passwords, Password, PasswordError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};
pub use session::{describe_user_agent, LogoutScope, SessionView};
pub use user::UserView;
pub use user_name::{is_bidi_control, UserName, UserNameError, MAX_NAME_CHARS};
