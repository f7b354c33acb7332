//! Helpers for the journal's tests and nothing else: a Postgres database of its own for each
//! test, signing keys made for tests, a local JWKS server that counts its requests, and a
//! PgBouncer in transaction mode.
//! Invariant: no crate depends on this one except as a dev-dependency.
#![expect(clippy::expect_used, reason = "test helpers fail loudly by design")]

pub mod database;
pub mod hostile;
pub mod jwks_server;
pub mod pgbouncer;
pub mod test_keys;

pub use database::TestDatabase;
pub use hostile::{HostileCase, hostile_tokens};
pub use jwks_server::{JwksServer, Reply};
pub use pgbouncer::PgBouncer;
pub use test_keys::{TestKey, jwks_of, now, raw_token, standard_claims};
