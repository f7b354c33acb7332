//! The fetch rate under pressure: many requests at once, or random key ids at any rate, never
//! raise JWKS fetches above one per cooldown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use journal_auth::{AuthError, NoExtraClaims, Verifier};
use journal_testkit::{JwksServer, Reply, TestKey, jwks_of, standard_claims};

use crate::{SUBJECT, config_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_requests_with_an_unknown_kid_cause_one_fetch() {
    let key = TestKey::ed25519();
    let slow = Reply {
        delay: Duration::from_millis(200),
        ..Reply::json(&jwks_of(&[&key]))
    };
    let issuer = JwksServer::start_with(slow).await;
    let mut config = config_for(&issuer);
    config.refetch_cooldown = Duration::from_secs(1);
    let verifier = Arc::new(Verifier::<NoExtraClaims>::new(config).unwrap());
    verifier.refresh_keys().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = issuer.hits();

    let stranger = key.clone().with_kid("rotated-in");
    let token = stranger.sign(&standard_claims(&issuer.base_url(), SUBJECT));
    let outcomes = join_all((0..1000).map(|_| {
        let verifier = Arc::clone(&verifier);
        let token = token.clone();
        tokio::spawn(async move { verifier.verify(&token).await })
    }))
    .await;

    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok(Err(AuthError::UnknownKey))))
    );
    assert_eq!(issuer.hits() - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_kids_at_any_rate_stay_within_one_fetch_per_cooldown() {
    let key = TestKey::ed25519();
    let issuer = JwksServer::start(&jwks_of(&[&key])).await;
    let mut config = config_for(&issuer);
    let cooldown = Duration::from_millis(500);
    config.refetch_cooldown = cooldown;
    let verifier = Arc::new(Verifier::<NoExtraClaims>::new(config).unwrap());
    let claims = standard_claims(&issuer.base_url(), SUBJECT);
    let tokens: Vec<String> = (0..10_000)
        .map(|n| key.clone().with_kid(&format!("random-{n}")).sign(&claims))
        .collect();
    verifier.refresh_keys().await.unwrap();
    let before = issuer.hits();

    let started = Instant::now();
    for batch in tokens.chunks(500) {
        let outcomes = join_all(batch.iter().cloned().map(|token| {
            let verifier = Arc::clone(&verifier);
            tokio::spawn(async move { verifier.verify(&token).await })
        }))
        .await;
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Ok(Err(AuthError::UnknownKey))))
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();

    let allowed = (elapsed.as_secs_f64() / cooldown.as_secs_f64()).ceil() as usize + 1;
    let fetches = issuer.hits() - before;
    assert!(
        fetches <= allowed,
        "{fetches} fetches in {elapsed:?}, allowed {allowed}"
    );
    assert!(
        fetches >= 2,
        "unknown kids should still refetch after each cooldown"
    );
}
