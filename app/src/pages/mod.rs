//! One component per page of CONTRACT §4.

mod account;
mod dashboard;
mod home;
mod login;
mod public;
mod register;

pub use account::AccountPage;
pub use dashboard::DashboardPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use public::PublicPage;
pub use register::RegisterPage;
