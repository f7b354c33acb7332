//! The main job end to end: users sign up with a real Better Auth server, and the journal
//! server binary verifies their JWTs through Better Auth's JWKS.

use journal_testkit::{TestDatabase, now};
use serde_json::json;

use crate::harness::{BetterAuth, Running, client, free_port, start_journal};

struct System {
    _database: TestDatabase,
    identity: BetterAuth,
    journal: Running,
    api: String,
}

async fn start_system() -> System {
    let database = TestDatabase::create().await;
    let identity = BetterAuth::start(database.url());
    let port = free_port();
    let journal = start_journal(
        &["serve"],
        &[
            ("DATABASE_URL", database.url_with_query("sslmode=require")),
            ("NEON_AUTH_URL", identity.auth_url()),
            ("PORT", port.to_string()),
            ("JOURNAL__SERVER__HOST", "127.0.0.1".to_owned()),
        ],
        port,
    );
    let api = format!("http://127.0.0.1:{port}/api/entries");
    System {
        _database: database,
        identity,
        journal,
        api,
    }
}

async fn get(url: &str, token: &str) -> (u16, serde_json::Value) {
    let response = client().get(url).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn better_auth_users_write_and_read_only_their_own_entries() {
    let system = start_system().await;
    let (alice_id, alice) = system.identity.sign_up("alice@example.test").await;
    let (_, bob) = system.identity.sign_up("bob@example.test").await;

    let created = client()
        .post(&system.api)
        .bearer_auth(&alice)
        .json(&json!({"content": "Alice's first entry ✍️"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.unwrap();

    let (status, alices) = get(&system.api, &alice).await;
    assert_eq!(status, 200);
    assert_eq!(alices, json!([created]));
    assert_eq!(created["userId"], alice_id);
    assert_eq!(created["content"], "Alice's first entry ✍️");

    let (status, bobs) = get(&system.api, &bob).await;
    assert_eq!(status, 200);
    assert_eq!(bobs, json!([]));

    let log = system.journal.log_text();
    assert!(
        !log.contains(&alice) && !log.contains(&bob),
        "a token reached the log"
    );
    assert!(
        !log.contains("Alice's first entry"),
        "entry content reached the log"
    );
}

#[tokio::test]
async fn expired_tampered_and_unsigned_tokens_are_refused() {
    let system = start_system().await;
    let (alice_id, alice) = system.identity.sign_up("alice@example.test").await;
    let issuer = system.identity.base_url.clone();

    let expired = system
        .identity
        .sign(json!({
            "iss": issuer, "aud": issuer, "sub": alice_id,
            "iat": now() - 7200, "exp": now() - 3600,
        }))
        .await;
    let (head, rest) = alice.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let mut flipped = payload.as_bytes().to_vec();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{head}.{}.{signature}", String::from_utf8(flipped).unwrap());
    let unsigned = format!("eyJhbGciOiJub25lIn0.{payload}.");

    for (name, token) in [
        ("expired", expired),
        ("tampered", tampered),
        ("unsigned", unsigned),
    ] {
        let response = client()
            .get(&system.api)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();

        assert_eq!(response.status(), 401, "{name}");
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.contains("invalid_token"), "{name}: {challenge}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{name}"
        );
    }

    let (status, _) = get(&system.api, &alice).await;
    assert_eq!(status, 200, "the genuine token still works");
}
