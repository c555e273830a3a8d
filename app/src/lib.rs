//! Gatehouse's application crate: the domain types and pages shared by server and browser, and,
//! behind the `ssr` feature, the server's service.

pub mod app;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod server;

pub use app::{shell, App};
