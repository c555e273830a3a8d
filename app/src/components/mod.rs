//! Pieces the pages share.

mod auth_form;
mod field;
mod guard;
mod nav;
mod title;
mod unreachable;

pub use auth_form::{AuthForm, SubmitRow};
pub use field::Field;
pub use guard::{login_for, signed_in, Content, InBrowser};
pub use nav::Nav;
pub use title::PageTitle;
pub use unreachable::Unreachable;
