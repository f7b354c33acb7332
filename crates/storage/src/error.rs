//! Storage failures, sorted by what the caller should tell its client.

/// Why a storage call failed. Messages are for logs; the API chooses what a client sees.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The connection string cannot be used; the message says which part.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// No connection could be had in time: the database is down, unreachable or saturated.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The user the entry would belong to has no row in `neon_auth."user"`.
    #[error("the user does not exist")]
    UnknownUser,
    /// A query failed for another reason.
    #[error("query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
}
