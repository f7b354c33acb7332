//! The connection pool: bounded, with a checkout timeout, so a saturated or absent database
//! turns into a prompt [`StorageError::Unavailable`] rather than a hung request. Callers hand
//! it units of work ([`Database::read`], [`Database::write`]); behind a transaction-mode
//! pooler each unit runs in one transaction, so it stays on one server connection.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{
    AnsiTransactionManager, AsyncPgConnection, SimpleAsyncConnection, TransactionManager,
};
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
        // No query on checkout: a connection the server ended (restart, termination, idle
        // timeout) is already marked closed by its driver, and the pool drops it unseen. A
        // round trip per request to learn the same would cost the database more than the
        // request itself. Limitation: a connection cut silently by the network (no FIN) is only
        // found by the query that uses it; reads then retry once on a fresh connection.
        manager_config.recycling_method = RecyclingMethod::Fast;
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

    /// Runs `read` on a pooled connection, and again on another whenever the one it had
    /// turned out to be dead (killed by the server, a restart or the network since it was last
    /// used), so a read does not fail for connections that merely went stale: each dead one is
    /// dropped, and after as many tries as the pool holds connections the next is a new one.
    /// Only for statements that change nothing: a write that lost its connection may have
    /// committed.
    pub async fn read<T>(
        &self,
        mut read: impl AsyncFnMut(&mut AsyncPgConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut tries_left = self.pool.status().max_size + 1;
        loop {
            let mut connection = self.connection().await?;
            tries_left -= 1;
            match self.unit(&mut connection, async |c| read(c).await).await {
                Err(StorageError::ConnectionLost(cause)) if tries_left > 0 => {
                    tracing::warn!(%cause, "database connection lost during a read; retrying");
                    let _ = Object::take(connection);
                }
                outcome => return outcome,
            }
        }
    }

    /// Runs `write` on a pooled connection, once. A [`StorageError::ConnectionLost`] from it
    /// means the change may or may not have been committed.
    pub async fn write<T>(
        &self,
        write: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut connection = self.connection().await?;
        self.unit(&mut connection, write).await
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StorageError> {
        let mut connection = self.connection().await?;
        connection.batch_execute("SELECT 1").await?;
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

    /// Runs `work` as it is, or, behind a transaction-mode pooler, between `BEGIN` and
    /// `COMMIT` (`ROLLBACK` when it fails). The transaction goes through diesel's manager, so
    /// a unit dropped half-way (a client hanging up) leaves the connection marked as in a
    /// transaction, and the pool discards it instead of lending it out again.
    async fn unit<T>(
        &self,
        connection: &mut AsyncPgConnection,
        work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        if !self.settings.is_through_transaction_pooler() {
            return work(connection).await;
        }

        AnsiTransactionManager::begin_transaction(connection).await?;
        match work(connection).await {
            Ok(value) => {
                AnsiTransactionManager::commit_transaction(connection).await?;
                Ok(value)
            }
            Err(error) => {
                if let Err(rollback) =
                    AnsiTransactionManager::rollback_transaction(connection).await
                {
                    tracing::debug!(%rollback, "rollback after a failed unit of work failed");
                }
                Err(error)
            }
        }
    }
}
