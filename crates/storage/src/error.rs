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
    /// The connection broke while a statement was in flight: the server restarted, an
    /// administrator or a pooler ended the session, or the network dropped it. For a write,
    /// whether it committed is unknown.
    #[error("the database connection was lost: {0}")]
    ConnectionLost(String),
    /// A query failed for another reason.
    #[error("query failed: {0}")]
    Query(diesel::result::Error),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<diesel::result::Error> for StorageError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};

        match &error {
            Error::DatabaseError(
                DatabaseErrorKind::UnableToSendCommand | DatabaseErrorKind::ClosedConnection,
                _,
            ) => Self::ConnectionLost(error.to_string()),
            Error::DatabaseError(_, information) if ends_the_session(information.message()) => {
                Self::ConnectionLost(error.to_string())
            }
            _ => Self::Query(error),
        }
    }
}

/// Whether the server's message is one it sends as it ends the session (SQLSTATE class 57P:
/// administrator command, crash of another backend, idle timeout, shutdown). diesel does not
/// pass the SQLSTATE on, so the message decides.
/// Limitation: a server whose `lc_messages` is not English words these differently; such
/// errors then count as plain query failures (a 500 instead of a 503).
fn ends_the_session(message: &str) -> bool {
    const SESSION_ENDINGS: [&str; 4] = [
        "terminating connection",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
    ];
    SESSION_ENDINGS
        .iter()
        .any(|ending| message.starts_with(ending))
}
