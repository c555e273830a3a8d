//! Gatehouse's API tests: docs/api.md and docs/operations.md checked from the outside, against the real router (or the
//! real binary, where a process must start, stop or die).

mod helpers;
mod mail_sink;

mod account;
mod auth_flow;
mod binary;
mod cookies;
mod docs_pages;
mod errors;
mod instances;
mod keys;
mod layout;
mod links;
mod openapi;
mod outbox;
mod postgres;
mod robustness;
mod server_fns;
mod sessions;
mod throttling;
mod tokens;
