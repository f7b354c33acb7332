//! Integration tests of the repository, migrations and TLS against the real Postgres, each in
//! a database of its own.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod entries;
mod lost_connections;
mod tls;
mod tutorial_database;

use journal_domain::UserId;
use journal_storage::{ConnectSettings, Database, PoolSettings, ensure_user, run_migrations};
use journal_testkit::TestDatabase;

/// A fresh, migrated database and a pool over it.
pub async fn migrated() -> (TestDatabase, Database) {
    let test_database = TestDatabase::create().await;
    let settings = ConnectSettings::parse(test_database.url()).unwrap();
    run_migrations(&settings).await.unwrap();
    let database = Database::new(settings, PoolSettings::default()).unwrap();
    (test_database, database)
}

/// A user row for `email`.
pub async fn user(database: &Database, email: &str) -> UserId {
    let mut connection = database.connection().await.unwrap();
    ensure_user(&mut connection, email, "Test").await.unwrap()
}
