//! The Gatehouse server: the router (JSON API, pages, server functions), request logging, and the
//! start-up that reads the configuration and serves until SIGTERM. `main.rs` only calls [`run`].

pub mod api;
pub mod startup;
pub mod telemetry;

pub use startup::{background, layers, router, run, serve, shutdown_signal};
