//! Database-level administration the development command needs: creating its database.

use crate::connect::describe;
use crate::{ConnectSettings, StorageError};

/// Creates the database `settings` names when it does not exist yet, connecting through the
/// server's `postgres` maintenance database. Returns true when it was created.
pub async fn ensure_database(settings: &ConnectSettings) -> Result<bool, StorageError> {
    let name = settings
        .database_name()
        .ok_or_else(|| StorageError::InvalidUrl("the URL names no database".into()))?
        .to_owned();

    let maintenance = settings.with_database("postgres");
    let client = maintenance
        .connect_raw()
        .await
        .map_err(|error| StorageError::Unavailable(describe(&error)))?;

    let exists = client
        .query_typed_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1",
            &[(&name, tokio_postgres::types::Type::TEXT)],
        )
        .await
        .map_err(|error| StorageError::Unavailable(describe(&error)))?
        .is_some();
    if exists {
        return Ok(false);
    }

    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    client
        .batch_execute(&format!("CREATE DATABASE {quoted}"))
        .await
        .map_err(|error| StorageError::Unavailable(describe(&error)))?;
    tracing::info!(database.name = %name, "created the database");
    Ok(true)
}
