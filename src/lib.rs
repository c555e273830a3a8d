//! The Gatehouse server: the router (JSON API, pages, server functions), request logging, and the
//! start-up that reads the configuration and serves until SIGTERM, and the `keys` commands.
//! `main.rs` only reads the command line and calls [`run`] or [`cli::keys`].

pub mod api;
pub mod cli;
pub mod startup;
pub mod telemetry;

pub use startup::{background, layers, router, run, serve, shutdown_signal};
