//! Storing and listing entries, and what the schema guarantees.

use std::time::Duration;

use journal_domain::{ContentRules, NewEntry, PageRequest, UserId};
use journal_storage::{
    Change, ConnectSettings, Creation, Database, PoolSettings, StorageError, create_entry,
    create_entry_once, delete_entry, ensure_user, get_entry, list_entries, run_migrations,
    update_entry, user_exists,
};
use journal_testkit::TestDatabase;

use crate::{migrated, user};

const FIRST_PAGE: PageRequest = PageRequest {
    limit: 100,
    after: None,
};

fn entry(owner: UserId, text: &str) -> NewEntry {
    NewEntry {
        user_id: owner,
        content: ContentRules::default().accept(text.to_owned()).unwrap(),
    }
}

#[tokio::test]
async fn migrations_apply_once_and_then_report_nothing_to_do() {
    let test_database = TestDatabase::create().await;
    let settings = ConnectSettings::parse(test_database.url()).unwrap();

    let first = run_migrations(&settings).await.unwrap();
    let second = run_migrations(&settings).await.unwrap();

    assert_eq!(first.len(), 3);
    assert!(second.is_empty());
    let index =
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'journal_entries_user_newest_idx'";
    assert_eq!(test_database.query_i64(index).await, 1);
}

#[tokio::test]
async fn migrations_keep_an_existing_neon_auth_user_table() {
    let test_database = TestDatabase::create().await;
    test_database
        .execute(
            r#"CREATE SCHEMA neon_auth;
               CREATE TABLE neon_auth."user" (id uuid PRIMARY KEY, name text NOT NULL,
                 email text NOT NULL UNIQUE, "emailVerified" boolean NOT NULL, image text,
                 "createdAt" timestamptz NOT NULL DEFAULT now(),
                 "updatedAt" timestamptz NOT NULL DEFAULT now(), role text);
               INSERT INTO neon_auth."user" (id, name, email, "emailVerified")
                 VALUES ('52c582b6-6d80-46d3-899a-9baba1d0d35f', 'Kept', 'kept@x.test', true);"#,
        )
        .await;
    let settings = ConnectSettings::parse(test_database.url()).unwrap();

    run_migrations(&settings).await.unwrap();

    let kept = r#"SELECT count(*) FROM neon_auth."user" WHERE role IS NULL AND name = 'Kept'"#;
    assert_eq!(test_database.query_i64(kept).await, 1);
}

#[tokio::test]
async fn entries_come_back_newest_first_with_ties_broken_by_id() {
    let (test_database, database) = migrated().await;
    let owner = user(&database, "a@x.test").await;
    let mut connection = database.connection().await.unwrap();
    for text in ["first", "second", "third"] {
        create_entry(&mut connection, &entry(owner, text))
            .await
            .unwrap();
    }
    test_database
        .execute(
            "UPDATE journal_entries SET created_at = '2026-01-01T00:00:00Z' \
             WHERE content <> 'third'",
        )
        .await;

    let listed = list_entries(&mut connection, owner, FIRST_PAGE)
        .await
        .unwrap();

    let texts: Vec<&str> = listed.iter().map(|entry| entry.content.as_str()).collect();
    assert_eq!(texts, vec!["third", "second", "first"]);
}

#[tokio::test]
async fn a_user_sees_only_their_own_entries() {
    let (_test_database, database) = migrated().await;
    let alice = user(&database, "alice@x.test").await;
    let bob = user(&database, "bob@x.test").await;
    let mut connection = database.connection().await.unwrap();
    create_entry(&mut connection, &entry(alice, "alice's secret"))
        .await
        .unwrap();

    let bobs = list_entries(&mut connection, bob, FIRST_PAGE)
        .await
        .unwrap();
    let alices = list_entries(&mut connection, alice, FIRST_PAGE)
        .await
        .unwrap();

    assert!(bobs.is_empty());
    assert_eq!(alices.len(), 1);
    assert_eq!(alices[0].user_id, alice);
}

#[tokio::test]
async fn writing_for_a_user_without_a_row_is_unknown_user_and_writes_nothing() {
    let (test_database, database) = migrated().await;
    let stranger = UserId::new(uuid::Uuid::new_v4());
    let mut connection = database.connection().await.unwrap();

    let outcome = create_entry(&mut connection, &entry(stranger, "hello")).await;

    assert!(
        matches!(outcome, Err(StorageError::UnknownUser)),
        "{outcome:?}"
    );
    assert!(!user_exists(&mut connection, stranger).await.unwrap());
    assert_eq!(
        test_database
            .query_i64("SELECT count(*) FROM journal_entries")
            .await,
        0
    );
}

#[tokio::test]
async fn content_is_stored_byte_for_byte() {
    let (_test_database, database) = migrated().await;
    let owner = user(&database, "a@x.test").await;
    let mut connection = database.connection().await.unwrap();
    let text = "  emoji 👩‍👩‍👧 RTL שלום عربي \"quotes\" 'single' \\ back \t tab \u{7} bell\r\n ";

    let stored = create_entry(&mut connection, &entry(owner, text))
        .await
        .unwrap();
    let listed = list_entries(&mut connection, owner, FIRST_PAGE)
        .await
        .unwrap();

    assert_eq!(stored.content, text);
    assert_eq!(listed[0].content, text);
}

#[tokio::test]
async fn ensure_user_is_idempotent_by_email() {
    let (_test_database, database) = migrated().await;

    let first = user(&database, "same@x.test").await;
    let mut connection = database.connection().await.unwrap();
    let second = ensure_user(&mut connection, "same@x.test", "Other")
        .await
        .unwrap();

    assert_eq!(first, second);
    assert!(user_exists(&mut connection, first).await.unwrap());
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_within_the_checkout_timeout() {
    let settings = ConnectSettings::parse("postgres://postgres@127.0.0.1:1/none").unwrap();
    let limits = PoolSettings {
        max_size: 2,
        checkout_timeout: Duration::from_millis(500),
    };
    let database = Database::new(settings, limits).unwrap();

    let started = std::time::Instant::now();
    let outcome = database.connection().await;

    assert!(matches!(outcome, Err(StorageError::Unavailable(_))));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn pages_follow_each_other_without_repeats_or_gaps_while_entries_change() {
    let (_test_database, database) = migrated().await;
    let owner = user(&database, "a@x.test").await;
    let mut connection = database.connection().await.unwrap();
    let mut ids = Vec::new();
    for n in 0..7 {
        let stored = create_entry(&mut connection, &entry(owner, &format!("entry {n}"))).await;
        ids.push(stored.unwrap().id);
    }

    let first = list_entries(
        &mut connection,
        owner,
        PageRequest {
            limit: 3,
            after: None,
        },
    )
    .await
    .unwrap();
    create_entry(&mut connection, &entry(owner, "written between pages"))
        .await
        .unwrap();
    delete_entry(&mut connection, owner, ids[6], None)
        .await
        .unwrap();
    delete_entry(&mut connection, owner, ids[3], None)
        .await
        .unwrap();
    let after = Some(first.last().unwrap().position());
    let second = list_entries(&mut connection, owner, PageRequest { limit: 3, after })
        .await
        .unwrap();

    let seen: Vec<_> = first.iter().chain(&second).map(|entry| entry.id).collect();
    assert_eq!(seen, vec![ids[6], ids[5], ids[4], ids[2], ids[1], ids[0]]);
}

#[tokio::test]
async fn a_change_with_a_stale_version_is_a_conflict_and_another_owner_finds_nothing() {
    let (_test_database, database) = migrated().await;
    let alice = user(&database, "alice@x.test").await;
    let bob = user(&database, "bob@x.test").await;
    let mut connection = database.connection().await.unwrap();
    let stored = create_entry(&mut connection, &entry(alice, "v1"))
        .await
        .unwrap();
    let text = |t: &str| ContentRules::default().accept(t.to_owned()).unwrap();

    let first = update_entry(&mut connection, alice, stored.id, &text("v2"), Some(1)).await;
    let stale = update_entry(&mut connection, alice, stored.id, &text("v2b"), Some(1)).await;
    let foreign = update_entry(&mut connection, bob, stored.id, &text("mine"), None).await;
    let foreign_delete = delete_entry(&mut connection, bob, stored.id, None).await;

    let Change::Done(updated) = first.unwrap() else {
        panic!("the first update applies")
    };
    assert_eq!((updated.version, updated.content.as_str()), (2, "v2"));
    assert!(updated.updated_at >= updated.created_at);
    assert!(matches!(stale.unwrap(), Change::Conflict(current) if current.content == "v2"));
    assert_eq!(foreign.unwrap(), Change::NotFound);
    assert_eq!(foreign_delete.unwrap(), Change::NotFound);
    let kept = get_entry(&mut connection, alice, stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.content, "v2");
}

#[tokio::test]
async fn a_keyed_creation_happens_once_per_user_and_key() {
    let (test_database, database) = migrated().await;
    let alice = user(&database, "alice@x.test").await;
    let bob = user(&database, "bob@x.test").await;
    let mut connection = database.connection().await.unwrap();

    let first = create_entry_once(&mut connection, &entry(alice, "once"), "key-1")
        .await
        .unwrap();
    let retry = create_entry_once(&mut connection, &entry(alice, "once"), "key-1")
        .await
        .unwrap();
    let reused = create_entry_once(&mut connection, &entry(alice, "other"), "key-1")
        .await
        .unwrap();
    let bobs = create_entry_once(&mut connection, &entry(bob, "once"), "key-1")
        .await
        .unwrap();

    let Creation::Created(created) = first else {
        panic!("the first use creates")
    };
    assert_eq!(retry, Creation::Replayed(created.clone()));
    assert_eq!(reused, Creation::KeyReused);
    assert!(matches!(bobs, Creation::Created(_)), "keys are per user");
    assert_eq!(
        test_database
            .query_i64("SELECT count(*) FROM journal_entries")
            .await,
        2
    );
}

#[tokio::test]
async fn concurrent_uses_of_one_key_create_one_entry() {
    let (test_database, database) = migrated().await;
    let alice = user(&database, "alice@x.test").await;

    let attempts = (0..8).map(|_| {
        let database = database.clone();
        tokio::spawn(async move {
            let mut connection = database.connection().await.unwrap();
            create_entry_once(&mut connection, &entry(alice, "racing"), "same-key")
                .await
                .unwrap()
        })
    });
    let outcomes = futures_util::future::join_all(attempts).await;

    let created = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Creation::Created(_))))
        .count();
    let replayed = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Creation::Replayed(_))))
        .count();
    assert_eq!((created, replayed), (1, 7));
    assert_eq!(
        test_database
            .query_i64("SELECT count(*) FROM journal_entries")
            .await,
        1
    );
}

#[tokio::test]
async fn a_key_for_an_unknown_user_writes_nothing() {
    let (test_database, database) = migrated().await;
    let stranger = UserId::new(uuid::Uuid::new_v4());
    let mut connection = database.connection().await.unwrap();

    let outcome = create_entry_once(&mut connection, &entry(stranger, "x"), "k").await;

    assert!(
        matches!(outcome, Err(StorageError::UnknownUser)),
        "{outcome:?}"
    );
    let keys = "SELECT count(*) FROM journal_idempotency_keys";
    assert_eq!(test_database.query_i64(keys).await, 0);
}
