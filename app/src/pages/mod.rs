//! One component per page of CONTRACT §4.

mod dashboard;
mod home;
mod login;
mod public;
mod register;

pub use dashboard::{DashboardPage, LOGIN_FOR_DASHBOARD};
pub use home::HomePage;
pub use login::LoginPage;
pub use public::PublicPage;
pub use register::RegisterPage;
