//! Pieces the pages share.

mod auth_form;
mod field;
mod nav;

pub use auth_form::{AuthForm, SubmitRow};
pub use field::Field;
pub use nav::Nav;
