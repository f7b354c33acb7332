//! Every route through PgBouncer in transaction pooling mode (Debian's, 1.18: it keeps no
//! prepared statements between transactions), with far fewer server connections than clients.
//! The binary runs `dev` against the pooler with `database.transaction_pooler` on, so its
//! start-up (database creation, migrations, the demo user) goes through the pooler too. Many
//! clients then create, read, page, edit, conflict and delete at once; afterwards the rows in
//! the table are counted against what the clients were told.

use std::sync::Arc;
use std::time::Duration;

use journal_testkit::{PgBouncer, TestDatabase};
use serde_json::{Value, json};

use crate::harness::{Running, client, dev_token, free_port, start_journal};

const CLIENTS: usize = 24;
const ROUNDS: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_works_through_pgbouncer_in_transaction_mode_under_concurrency() {
    let database = TestDatabase::create().await;
    let bouncer = PgBouncer::start(3);
    let (port, auth_port) = (free_port(), free_port());
    let mut dev = start_journal(
        &["dev"],
        &[
            ("DATABASE_URL", bouncer.url(database.name())),
            ("JOURNAL__DATABASE__TRANSACTION_POOLER", "true".to_owned()),
            ("JOURNAL__DATABASE__MAX_CONNECTIONS", "8".to_owned()),
            ("JOURNAL__RATE_LIMIT__REQUESTS_PER_SECOND", "0".to_owned()),
            ("PORT", port.to_string()),
            ("JOURNAL__DEV__AUTH_PORT", auth_port.to_string()),
        ],
        port,
    );
    dev.printed_token();
    let base = Arc::new(format!("http://127.0.0.1:{port}"));

    let mut clients = Vec::new();
    for index in 0..CLIENTS {
        let token = dev_token(auth_port, &format!("pooled-{index}@example.test")).await;
        clients.push(tokio::spawn(exercise(Arc::clone(&base), token)));
    }
    let (mut kept, mut requests) = (0, 0);
    for finished in clients {
        let (entries, sent) = finished.await.expect("a client task");
        kept += entries;
        requests += sent;
    }

    let ready = client().get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "ready through the pooler");
    let stored = count_rows(&database).await;
    println!(
        "pgbouncer (transaction mode, 3 server connections): {CLIENTS} clients x {ROUNDS} \
         rounds, {requests} requests, 0 failed; rows expected {kept}, found {stored}"
    );
    assert_eq!(
        stored, kept,
        "every acknowledged entry and nothing else is stored"
    );
    assert_no_statement_errors(&dev, &bouncer);
    dev.terminate(Duration::from_secs(15));
}

/// One user's rounds of every route; returns how many of its entries should remain, and how
/// many requests it sent (each answered as expected, or the task panics).
async fn exercise(base: Arc<String>, token: String) -> (i64, usize) {
    let http = client();
    let entries = format!("{base}/api/entries");
    let (mut kept, mut requests) = (0, 0);

    for round in 0..ROUNDS {
        let created = http
            .post(&entries)
            .bearer_auth(&token)
            .json(&json!({"content": format!("round {round}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let etag = header(&created, "etag");
        let entry: Value = created.json().await.unwrap();
        let one = format!("{entries}/{}", entry["id"]);

        let key = format!("key-{round}");
        let mut keyed_ids = Vec::new();
        for _ in 0..2 {
            let keyed = http
                .post(&entries)
                .bearer_auth(&token)
                .header("Idempotency-Key", &key)
                .json(&json!({"content": format!("keyed {round}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(keyed.status(), 201);
            keyed_ids.push(keyed.json::<Value>().await.unwrap()["id"].clone());
        }
        assert_eq!(
            keyed_ids[0], keyed_ids[1],
            "a retried key answers the first entry"
        );
        kept += 1;

        let listed = http
            .get(format!("{entries}?limit=2"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), 200);
        let page: Vec<Value> = listed.json().await.unwrap();
        assert!(!page.is_empty() && page.len() <= 2);

        let unchanged = http
            .get(&one)
            .bearer_auth(&token)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(unchanged.status(), 304);

        let edited = http
            .put(&one)
            .bearer_auth(&token)
            .header("If-Match", &etag)
            .json(&json!({"content": format!("edited {round}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(edited.status(), 200);
        let new_etag = header(&edited, "etag");

        let stale = http
            .put(&one)
            .bearer_auth(&token)
            .header("If-Match", &etag)
            .json(&json!({"content": "stale"}))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 412);

        let read = http.get(&one).bearer_auth(&token).send().await.unwrap();
        assert_eq!(read.status(), 200);
        assert_eq!(
            read.json::<Value>().await.unwrap()["content"],
            format!("edited {round}")
        );

        if round % 2 == 0 {
            requests += 9;
            let deleted = http
                .delete(&one)
                .bearer_auth(&token)
                .header("If-Match", &new_etag)
                .send()
                .await
                .unwrap();
            assert_eq!(deleted.status(), 204);
        } else {
            requests += 10;
            let gone = http.delete(&one).bearer_auth(&token).send().await.unwrap();
            assert_eq!(gone.status(), 204);
            let missing = http.get(&one).bearer_auth(&token).send().await.unwrap();
            assert_eq!(missing.status(), 404);
        }
    }
    (kept, requests)
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_owned()
}

async fn count_rows(database: &TestDatabase) -> i64 {
    database
        .query_i64(
            "SELECT count(*) FROM journal_entries e JOIN neon_auth.\"user\" u \
             ON u.id = e.user_id WHERE u.email LIKE 'pooled-%'",
        )
        .await
}

fn assert_no_statement_errors(dev: &Running, bouncer: &PgBouncer) {
    let log = dev.log_text();
    assert!(
        !log.contains("prepared statement"),
        "the server met prepared-statement errors:\n{log}"
    );
    assert!(
        !bouncer.log_text().contains("ERROR"),
        "pgbouncer logged errors:\n{}",
        bouncer.log_text()
    );
}
