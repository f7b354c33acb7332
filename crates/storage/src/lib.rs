//! Keeps journal entries in Postgres: the connection pool (with TLS the way libpq's `sslmode`
//! describes it), the embedded migrations, and the repository functions the API calls.
//!
//! Invariant: this is the only crate that speaks SQL. It knows nothing of HTTP or tokens; a
//! caller hands it a [`journal_domain::UserId`] it has already authenticated.

mod admin;
mod connect;
mod entries;
mod error;
mod idempotency;
mod migrate;
mod pool;
mod schema;
mod users;

pub use admin::ensure_database;
pub use connect::{ConnectSettings, SslMode};
pub use entries::{Change, create_entry, delete_entry, get_entry, list_entries, update_entry};
pub use error::StorageError;
pub use idempotency::{Creation, create_entry_once};
pub use migrate::run_migrations;
pub use pool::{Connection, Database, PoolSettings, PoolStatus};
pub use users::{ensure_user, user_exists};
