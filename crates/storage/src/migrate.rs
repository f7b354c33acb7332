//! The schema migrations in `migrations/`, embedded in the binary and applied in one
//! transaction under a transaction-scoped advisory lock, so that instances starting together
//! do not race, and a pooler in transaction mode cannot strand the lock on a server
//! connection (a session-level lock would outlive the migration there).

use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{ConnectSettings, StorageError};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Arbitrary key of the advisory lock held while migrating ("journal" in ASCII).
const MIGRATION_LOCK: i64 = 0x006a_6f75_726e_616c;

/// Applies every pending migration; returns the versions applied (empty when up to date).
pub async fn run_migrations(settings: &ConnectSettings) -> Result<Vec<String>, StorageError> {
    let connection = settings
        .connect()
        .await
        .map_err(|error| StorageError::Unavailable(error.to_string()))?;
    let mut wrapper = AsyncConnectionWrapper::<AsyncPgConnection>::from(connection);

    let applied = tokio::task::spawn_blocking(move || {
        use diesel::{Connection, RunQueryDsl};

        wrapper.transaction::<_, StorageError, _>(|connection| {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                .execute(connection)?;
            connection
                .run_pending_migrations(MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>())
                .map_err(|error| StorageError::Migration(error.to_string()))
        })
    })
    .await
    .map_err(|error| StorageError::Migration(format!("the migration task failed: {error}")))??;

    tracing::info!(
        migrations.applied = applied.len(),
        "database schema is up to date"
    );
    Ok(applied)
}
