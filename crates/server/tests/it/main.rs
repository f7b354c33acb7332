//! End-to-end tests of the built `journal-server` binary: against a real Better Auth server
//! (its tokens, its JWKS), in `dev` mode, with bad configuration, and in a browser.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod better_auth;
mod browser;
mod config_errors;
mod dev_command;
mod faults;
mod harness;
mod operations;
mod pooler;
mod private_postgres;
mod tidy;
