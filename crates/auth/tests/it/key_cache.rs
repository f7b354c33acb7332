//! How the verifier fetches, caches and refetches the issuer's keys.

use std::time::Duration;

use journal_auth::{AuthError, Verifier};
use journal_testkit::{JwksServer, Reply, TestKey, jwks_of, standard_claims};

use crate::{SUBJECT, config_for, verifier_for};

#[tokio::test]
async fn keys_are_fetched_once_and_reused() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(&jwks_of(&[&key])).await;
    let verifier = verifier_for(&server);
    let token = key.sign(&standard_claims(&server.base_url(), SUBJECT));

    for _ in 0..20 {
        verifier.verify(&token).await.unwrap();
    }

    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn unknown_key_ids_refetch_at_most_once_per_cooldown() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(&jwks_of(&[&key])).await;
    let mut config = config_for(&server);
    config.refetch_cooldown = Duration::from_millis(300);
    let verifier = Verifier::<journal_auth::NoExtraClaims>::new(config).unwrap();
    verifier.refresh_keys().await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;

    for index in 0..50 {
        let stranger = key.clone().with_kid(&format!("random-{index}"));
        let token = stranger.sign(&standard_claims(&server.base_url(), SUBJECT));
        assert_eq!(verifier.verify(&token).await, Err(AuthError::UnknownKey));
    }

    assert_eq!(
        server.hits(),
        2,
        "one fetch at start, one for the first unknown kid"
    );

    tokio::time::sleep(Duration::from_millis(400)).await;
    let stranger = key.clone().with_kid("after-cooldown");
    let token = stranger.sign(&standard_claims(&server.base_url(), SUBJECT));
    assert_eq!(verifier.verify(&token).await, Err(AuthError::UnknownKey));
    assert_eq!(server.hits(), 3, "a new cooldown allows one more fetch");
}

#[tokio::test]
async fn a_rotated_in_key_verifies_without_a_restart() {
    let (old, new) = (TestKey::ed25519(), TestKey::p256());
    let server = JwksServer::start(&jwks_of(&[&old])).await;
    let mut config = config_for(&server);
    config.refetch_cooldown = Duration::ZERO;
    let verifier = Verifier::<journal_auth::NoExtraClaims>::new(config).unwrap();
    let old_token = old.sign(&standard_claims(&server.base_url(), SUBJECT));
    verifier.verify(&old_token).await.unwrap();

    server.set_document(&jwks_of(&[&old, &new]));
    let new_token = new.sign(&standard_claims(&server.base_url(), SUBJECT));

    assert!(verifier.verify(&new_token).await.is_ok());
    assert!(verifier.verify(&old_token).await.is_ok());
}

#[tokio::test]
async fn an_issuer_that_is_down_or_answers_garbage_is_unavailable_not_unauthorized() {
    let key = TestKey::ed25519();
    let token_for = |server: &JwksServer| key.sign(&standard_claims(&server.base_url(), SUBJECT));

    let broken_replies = [
        Reply {
            status: 503,
            ..Reply::json(&serde_json::json!({}))
        },
        Reply {
            content_type: "text/html".into(),
            body: "<html>".into(),
            ..Reply::json(&"".into())
        },
        Reply::json(&serde_json::json!({"keys": "nope"})),
        Reply::json(&serde_json::json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})),
    ];

    for reply in broken_replies {
        let server = JwksServer::start_with(reply.clone()).await;
        let verifier = verifier_for(&server);

        let outcome = verifier.verify(&token_for(&server)).await;

        assert_eq!(outcome, Err(AuthError::KeysUnavailable), "{reply:?}");
    }
}

#[tokio::test]
async fn keys_already_held_keep_serving_while_the_issuer_is_down() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(&jwks_of(&[&key])).await;
    let mut config = config_for(&server);
    config.cache_ttl = Duration::ZERO;
    config.refetch_cooldown = Duration::ZERO;
    let verifier = Verifier::<journal_auth::NoExtraClaims>::new(config).unwrap();
    let token = key.sign(&standard_claims(&server.base_url(), SUBJECT));
    verifier.verify(&token).await.unwrap();

    server.set_reply(Reply {
        status: 500,
        ..Reply::json(&serde_json::json!({}))
    });

    assert!(verifier.verify(&token).await.is_ok());
    assert!(
        server.hits() >= 2,
        "the stale set should have been refetched"
    );
}

#[tokio::test]
async fn a_slow_issuer_times_out_as_unavailable() {
    let key = TestKey::ed25519();
    let slow = Reply {
        delay: Duration::from_secs(5),
        ..Reply::json(&jwks_of(&[&key]))
    };
    let server = JwksServer::start_with(slow).await;
    let mut config = config_for(&server);
    config.request_timeout = Duration::from_millis(300);
    let verifier = Verifier::<journal_auth::NoExtraClaims>::new(config).unwrap();

    let outcome = verifier
        .verify(&key.sign(&standard_claims(&server.base_url(), SUBJECT)))
        .await;

    assert_eq!(outcome, Err(AuthError::KeysUnavailable));
}

#[tokio::test]
async fn keys_are_refreshed_in_the_background_before_they_go_stale() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(&jwks_of(&[&key])).await;
    let mut config = config_for(&server);
    config.cache_ttl = Duration::from_secs(2);
    let verifier = Verifier::<journal_auth::NoExtraClaims>::new(config).unwrap();

    tokio::time::sleep(Duration::from_millis(3500)).await;

    assert!(
        server.hits() >= 2,
        "only {} fetches without any request",
        server.hits()
    );
    assert_eq!(verifier.usable_key_count(), 1);
}

#[tokio::test]
async fn a_key_the_issuer_removed_stops_verifying_after_the_next_refresh() {
    let (old, new) = (TestKey::ed25519(), TestKey::p256());
    let server = JwksServer::start(&jwks_of(&[&old, &new])).await;
    let verifier = verifier_for(&server);
    let old_token = old.sign(&standard_claims(&server.base_url(), SUBJECT));
    verifier.verify(&old_token).await.unwrap();

    server.set_document(&jwks_of(&[&new]));
    verifier.refresh_keys().await.unwrap();

    assert_eq!(
        verifier.verify(&old_token).await,
        Err(AuthError::UnknownKey)
    );
    let new_token = new.sign(&standard_claims(&server.base_url(), SUBJECT));
    assert!(verifier.verify(&new_token).await.is_ok());
}
