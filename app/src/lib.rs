//! Gatehouse's application crate: the domain types, pages and server functions shared by server
//! and browser, and, behind the `ssr` feature, the server's service.

pub mod app;
pub mod auth_api;
pub mod components;
pub mod domain;
pub mod error;
pub mod next;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod session;

pub use app::{shell, App};
