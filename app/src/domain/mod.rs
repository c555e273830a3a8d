//! Domain types shared by the server and the browser: parsing them is the validation of CONTRACT §2.

mod email;
mod new_user;
mod password;
mod user;
mod user_name;

pub use email::{Email, EmailError};
pub use new_user::{FieldErrors, NewUser};
pub use password::{Password, PasswordError};
pub use user::UserView;
pub use user_name::{UserName, UserNameError};
