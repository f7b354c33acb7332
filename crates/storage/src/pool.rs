//! The connection pool: bounded, with a checkout timeout, so a saturated or absent database
//! turns into a prompt [`StorageError::Unavailable`] rather than a hung request.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use futures_util::FutureExt;

use crate::{ConnectSettings, StorageError};

/// A pooled connection; dereferences to `AsyncPgConnection`.
pub type Connection = Object<AsyncPgConnection>;

/// Pool limits.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: usize,
    /// Longest wait for a free connection, and for opening a new one.
    pub checkout_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            checkout_timeout: Duration::from_secs(5),
        }
    }
}

/// A snapshot of the pool, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub max_size: usize,
    pub open: usize,
    pub in_use: usize,
    pub waiting: usize,
}

/// The journal's database: a pool over one connection string. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: Pool<AsyncPgConnection>,
    settings: Arc<ConnectSettings>,
}

impl Database {
    /// Builds the pool. No connection is opened until one is needed.
    pub fn new(settings: ConnectSettings, limits: PoolSettings) -> Result<Self, StorageError> {
        let settings = Arc::new(settings);
        let for_setup = Arc::clone(&settings);

        let mut manager_config = ManagerConfig::default();
        manager_config.custom_setup = Box::new(move |_url| {
            let settings = Arc::clone(&for_setup);
            async move { settings.connect().await }.boxed()
        });
        // The URL argument is unused: connections come from `custom_setup` above.
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
            String::new(),
            manager_config,
        );

        let pool = Pool::builder(manager)
            .max_size(limits.max_size)
            .wait_timeout(Some(limits.checkout_timeout))
            .create_timeout(Some(limits.checkout_timeout))
            .recycle_timeout(Some(limits.checkout_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|error| StorageError::InvalidUrl(error.to_string()))?;

        Ok(Self { pool, settings })
    }

    /// A connection from the pool, or `Unavailable` once the checkout timeout passes.
    pub async fn connection(&self) -> Result<Connection, StorageError> {
        self.pool.get().await.map_err(|error| match error {
            PoolError::Timeout(kind) => {
                StorageError::Unavailable(format!("timed out waiting for a connection ({kind:?})"))
            }
            PoolError::Backend(cause) => StorageError::Unavailable(cause.to_string()),
            other => StorageError::Unavailable(other.to_string()),
        })
    }

    /// Runs `read` on a pooled connection, and once more on another when the first turned out
    /// to be dead (killed by the server, a restart or the network since its last check), so a
    /// read does not fail for a connection that merely went stale. Only for statements that
    /// change nothing: a write that lost its connection may have committed.
    pub async fn read<T>(
        &self,
        mut read: impl AsyncFnMut(&mut AsyncPgConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut connection = self.connection().await?;
        match read(&mut connection).await {
            Err(StorageError::ConnectionLost(cause)) => {
                tracing::warn!(%cause, "database connection lost during a read; retrying once");
                drop(connection);
                let mut connection = self.connection().await?;
                read(&mut connection).await
            }
            outcome => outcome,
        }
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StorageError> {
        use diesel_async::RunQueryDsl;

        let mut connection = self.connection().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut *connection)
            .await?;
        Ok(())
    }

    /// How many connections the pool holds, lends out and is waited for, right now.
    pub fn status(&self) -> PoolStatus {
        let status = self.pool.status();
        PoolStatus {
            max_size: status.max_size,
            open: status.size,
            in_use: status.size.saturating_sub(status.available),
            waiting: status.waiting,
        }
    }

    /// The connection settings this pool was built from.
    pub fn settings(&self) -> &ConnectSettings {
        &self.settings
    }

    /// Closes the pool: idle connections are dropped and new checkouts fail.
    pub fn close(&self) {
        self.pool.close();
    }
}
