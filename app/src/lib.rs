//! Gatehouse's application crate: what server and browser share (the domain types, the pages, the
//! server functions), and, behind the `ssr` feature, the server's backend.

/// The HTML shell, the router and the session's start in the browser.
pub mod app;
/// The service, persistence, passwords and tokens (server only).
#[cfg(feature = "ssr")]
pub mod backend;
/// Pieces the pages share: fields, the form state, the signed-in guard, the navigation.
pub mod components;
/// The validated types of docs/api.md, "Requests and errors", checked alike in the browser and on the server.
pub mod domain;
/// The contract's error, one type for both doors.
pub mod error;
/// Escaping text for HTML: the sessions list and the mails.
pub mod html;
/// One component per page of docs/api.md, "The web app".
pub mod pages;
/// Where to go after logging in: the `?next=` check.
pub mod redirect;
/// The server functions: the web app's own door to the service.
pub mod rpc;
/// Who is signed in, and the token in local storage.
pub mod session;

pub use app::{shell, App};
