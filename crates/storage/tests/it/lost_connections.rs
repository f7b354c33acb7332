//! Connections the server ends under us: they are reported as lost (not as a failed query),
//! reads get a second connection, and the pool replaces dead connections at checkout.

use journal_domain::PageRequest;
use journal_storage::{StorageError, list_entries};

use crate::{migrated, user};

const PAGE: PageRequest = PageRequest {
    limit: 10,
    after: None,
};

/// Ends every session on the test's database but the caller's.
async fn terminate_sessions(test_database: &journal_testkit::TestDatabase) {
    test_database
        .execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            test_database.name()
        ))
        .await;
}

#[tokio::test]
async fn a_statement_on_a_terminated_session_is_a_lost_connection() {
    let (test_database, database) = migrated().await;
    let owner = user(&database, "lost@example.com").await;
    let mut connection = database.connection().await.unwrap();
    list_entries(&mut connection, owner, PAGE).await.unwrap();

    terminate_sessions(&test_database).await;
    let outcome = list_entries(&mut connection, owner, PAGE).await;

    assert!(
        matches!(outcome, Err(StorageError::ConnectionLost(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn reads_and_checkouts_outlive_terminated_sessions() {
    let (test_database, database) = migrated().await;
    let owner = user(&database, "outlive@example.com").await;

    for round in 0..5 {
        terminate_sessions(&test_database).await;
        let listed = database
            .read(async |connection| list_entries(connection, owner, PAGE).await)
            .await;
        assert!(listed.is_ok(), "round {round}: {listed:?}");
    }

    let mut dead = database.connection().await.unwrap();
    terminate_sessions(&test_database).await;
    let mut retried = 0;
    let listed = database
        .read(async |connection| {
            if retried == 0 {
                retried += 1;
                return list_entries(&mut dead, owner, PAGE).await;
            }
            list_entries(connection, owner, PAGE).await
        })
        .await;
    assert!(listed.is_ok(), "the read was retried: {listed:?}");
}
