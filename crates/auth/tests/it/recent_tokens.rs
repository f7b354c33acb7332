//! Remembered verifications: a token presented again skips the signature check, but never
//! outlives its `exp`, and never survives a change of the key set that verified it.

use std::time::Duration;

use journal_auth::{AuthError, NoExtraClaims, Verifier};
use journal_testkit::{JwksServer, TestKey, jwks_of, now, standard_claims};

use crate::{SUBJECT, config_for, verifier_for};

#[tokio::test]
async fn a_remembered_token_is_refused_once_it_expires() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(&jwks_of(&[&key])).await;
    let mut config = config_for(&server);
    config.leeway = Duration::ZERO;
    let verifier = Verifier::<NoExtraClaims>::new(config).unwrap();
    let mut claims = standard_claims(&server.base_url(), SUBJECT);
    claims["exp"] = (now() + 1).into();
    let token = key.sign(&claims);

    let first = verifier.verify(&token).await.unwrap();
    assert_eq!(
        verifier.verify(&token).await,
        Ok(first),
        "the same answer again"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;

    assert_eq!(verifier.verify(&token).await, Err(AuthError::Expired));
}

#[tokio::test]
async fn a_key_replaced_under_the_same_kid_unverifies_remembered_tokens_at_the_refresh() {
    let published = TestKey::ed25519().with_kid("k1");
    let server = JwksServer::start(&jwks_of(&[&published])).await;
    let verifier = verifier_for(&server);
    let token = published.sign(&standard_claims(&server.base_url(), SUBJECT));
    verifier.verify(&token).await.unwrap();
    verifier.verify(&token).await.unwrap();

    let replacement = TestKey::ed25519_attacker().with_kid("k1");
    server.set_document(&jwks_of(&[&replacement]));
    verifier.refresh_keys().await.unwrap();

    assert_eq!(verifier.verify(&token).await, Err(AuthError::BadSignature));
}

#[tokio::test]
async fn turned_off_every_presentation_is_checked_in_full_with_the_same_results() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(&jwks_of(&[&key])).await;
    let mut config = config_for(&server);
    config.recent_tokens = 0;
    let verifier = Verifier::<NoExtraClaims>::new(config).unwrap();
    let token = key.sign(&standard_claims(&server.base_url(), SUBJECT));

    let first = verifier.verify(&token).await.unwrap();
    assert_eq!(verifier.verify(&token).await, Ok(first));

    let (message, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{message}.{flipped}{}", &signature[1..]);
    assert_eq!(verifier.verify(&forged).await, Err(AuthError::BadSignature));
}
