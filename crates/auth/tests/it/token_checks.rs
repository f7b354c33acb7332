//! Which tokens pass and which are refused, and with what reason.

use journal_auth::AuthError;
use journal_testkit::{JwksServer, TestKey, jwks_of, now, raw_token, standard_claims};
use jsonwebtoken::Header;
use serde_json::json;

use crate::{SUBJECT, verifier_for};

async fn issuer_with(keys: &[&TestKey]) -> JwksServer {
    JwksServer::start(&jwks_of(keys)).await
}

#[tokio::test]
async fn tokens_of_each_supported_algorithm_verify() {
    let (ed, ec, rsa) = (TestKey::ed25519(), TestKey::p256(), TestKey::rsa2048());
    let server = issuer_with(&[&ed, &ec, &rsa]).await;
    let verifier = verifier_for(&server);

    for key in [&ed, &ec, &rsa] {
        let token = key.sign(&standard_claims(&server.base_url(), SUBJECT));

        let verified = verifier.verify(&token).await.unwrap();

        assert_eq!(verified.subject, SUBJECT);
        assert_eq!(verified.key_id.as_deref(), Some(key.kid.as_str()));
    }
}

#[tokio::test]
async fn an_audience_array_that_names_us_passes() {
    let key = TestKey::ed25519();
    let server = issuer_with(&[&key]).await;
    let mut claims = standard_claims(&server.base_url(), SUBJECT);
    claims["aud"] = json!(["https://other.example", server.base_url()]);

    let verified = verifier_for(&server).verify(&key.sign(&claims)).await;

    assert!(verified.is_ok(), "{verified:?}");
}

#[tokio::test]
async fn time_claims_are_checked_with_leeway() {
    let key = TestKey::ed25519();
    let server = issuer_with(&[&key]).await;
    let verifier = verifier_for(&server);
    let claims_with = |name: &str, value: serde_json::Value| {
        let mut claims = standard_claims(&server.base_url(), SUBJECT);
        claims[name] = value;
        key.sign(&claims)
    };

    let cases = [
        ("exp", json!(now() - 120), Err(AuthError::Expired)),
        ("exp", json!(now() - 10), Ok(())),
        ("nbf", json!(now() + 300), Err(AuthError::NotYetValid)),
        ("nbf", json!(now() + 10), Ok(())),
        ("iat", json!(now() + 300), Err(AuthError::IssuedInFuture)),
        // A non-numeric `exp` is no `exp` at all.
        (
            "exp",
            json!(now().to_string()),
            Err(AuthError::MissingClaim("exp".into())),
        ),
        (
            "exp",
            json!(1e30),
            Err(AuthError::MissingClaim("exp".into())),
        ),
    ];

    for (claim, value, expected) in cases {
        let outcome = verifier
            .verify(&claims_with(claim, value.clone()))
            .await
            .map(|_| ());
        assert_eq!(outcome, expected, "{claim} = {value}");
    }
}

#[tokio::test]
async fn issuer_audience_and_subject_must_match_exactly() {
    let key = TestKey::ed25519();
    let server = issuer_with(&[&key]).await;
    let verifier = verifier_for(&server);
    let base = server.base_url();

    let cases = [
        ("iss", json!(format!("{base}/")), AuthError::WrongIssuer),
        ("iss", json!("https://evil.example"), AuthError::WrongIssuer),
        (
            "aud",
            json!("https://evil.example"),
            AuthError::WrongAudience,
        ),
        ("aud", json!([]), AuthError::WrongAudience),
        (
            "sub",
            json!("not-a-uuid"),
            AuthError::InvalidClaim("sub".into()),
        ),
        ("sub", json!(42), AuthError::MissingClaim("sub".into())),
    ];

    for (claim, value, expected) in cases {
        let mut claims = standard_claims(&base, SUBJECT);
        claims[claim] = value.clone();

        let outcome = verifier.verify(&key.sign(&claims)).await;

        assert_eq!(outcome.unwrap_err(), expected, "{claim} = {value}");
    }
}

#[tokio::test]
async fn each_required_claim_must_be_present() {
    let key = TestKey::ed25519();
    let server = issuer_with(&[&key]).await;
    let verifier = verifier_for(&server);

    for claim in ["iss", "aud", "sub", "exp"] {
        let mut claims = standard_claims(&server.base_url(), SUBJECT);
        claims.as_object_mut().unwrap().remove(claim);

        let outcome = verifier.verify(&key.sign(&claims)).await;

        assert_eq!(
            outcome.unwrap_err(),
            AuthError::MissingClaim(claim.into()),
            "{claim}"
        );
    }
}

#[tokio::test]
async fn unsigned_and_hmac_tokens_are_refused() {
    let key = TestKey::ed25519();
    let server = issuer_with(&[&key]).await;
    let verifier = verifier_for(&server);
    let payload = standard_claims(&server.base_url(), SUBJECT).to_string();

    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}","kid":"ed-1"}}"#);
        let token = format!(
            "{}.",
            raw_token(&header, &payload, b"x")
                .rsplit_once('.')
                .unwrap()
                .0
        );
        assert!(
            verifier.verify(&token).await.is_err(),
            "{alg} with empty signature"
        );

        let token = raw_token(&header, &payload, b"signature");
        assert_eq!(
            verifier.verify(&token).await,
            Err(AuthError::AlgorithmNotAllowed),
            "{alg}"
        );
    }

    let public_x = key.public_jwk()["x"].as_str().unwrap().to_owned();
    let hmac = jsonwebtoken::EncodingKey::from_secret(public_x.as_bytes()).unwrap();
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("ed-1".into());
    let forged = jsonwebtoken::encode(
        &header,
        &standard_claims(&server.base_url(), SUBJECT),
        &hmac,
    )
    .unwrap();
    assert_eq!(
        verifier.verify(&forged).await,
        Err(AuthError::AlgorithmNotAllowed)
    );
}

#[tokio::test]
async fn a_key_of_the_wrong_type_for_the_alg_is_refused() {
    let (ed, ec) = (TestKey::ed25519(), TestKey::p256());
    let server = issuer_with(&[&ed, &ec]).await;
    let verifier = verifier_for(&server);

    // An ES256 token that names the Ed25519 key.
    let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(ed.kid.clone());
    let token = ec.sign_with_header(&header, &standard_claims(&server.base_url(), SUBJECT));

    assert_eq!(
        verifier.verify(&token).await,
        Err(AuthError::KeyAlgorithmMismatch)
    );
}

#[tokio::test]
async fn changes_after_signing_break_the_signature() {
    let key = TestKey::ed25519();
    let server = issuer_with(&[&key]).await;
    let verifier = verifier_for(&server);
    let token = key.sign(&standard_claims(&server.base_url(), SUBJECT));
    let [header, payload, signature]: [&str; 3] =
        token.split('.').collect::<Vec<_>>().try_into().unwrap();

    let other_subject = standard_claims(&server.base_url(), "11111111-2222-4333-8444-555555555555");
    let forged_payload = raw_token("{}", &other_subject.to_string(), b"");
    let forged_payload = forged_payload.split('.').nth(1).unwrap();
    let tampered_payload = format!("{header}.{forged_payload}.{signature}");
    assert_eq!(
        verifier.verify(&tampered_payload).await,
        Err(AuthError::BadSignature)
    );

    let forged_header = raw_token(r#"{"alg":"EdDSA","kid":"ed-1","typ":"JWT"}"#, "{}", b"");
    let forged_header = forged_header.split('.').next().unwrap();
    let tampered_header = format!("{forged_header}.{payload}.{signature}");
    assert_eq!(
        verifier.verify(&tampered_header).await,
        Err(AuthError::BadSignature)
    );
}

#[tokio::test]
async fn a_key_the_token_brings_along_is_never_trusted() {
    let (ours, attacker) = (TestKey::ed25519(), TestKey::ed25519_attacker());
    let server = issuer_with(&[&ours]).await;
    let attacker_jwks = JwksServer::start(&jwks_of(&[&attacker.clone().with_kid("ed-1")])).await;
    let verifier = verifier_for(&server);
    let claims = standard_claims(&server.base_url(), SUBJECT);

    let mut header = Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("ed-1".into());
    header.jku = Some(attacker_jwks.jwks_url());
    header.x5u = Some(attacker_jwks.jwks_url());
    header.jwk = serde_json::from_value(attacker.public_jwk()).ok();
    let token = attacker.sign_with_header(&header, &claims);

    assert_eq!(verifier.verify(&token).await, Err(AuthError::BadSignature));
    assert_eq!(
        attacker_jwks.hits(),
        0,
        "the verifier followed a URL from the token"
    );
}

#[tokio::test]
async fn oversized_tokens_and_key_ids_are_refused_without_a_fetch() {
    let key = TestKey::ed25519();
    let server = issuer_with(&[&key]).await;
    let verifier = verifier_for(&server);

    let huge = "a".repeat(9000);
    assert_eq!(
        verifier.verify(&huge).await,
        Err(AuthError::TooLarge { max: 8192 })
    );

    let long_kid = key
        .clone()
        .with_kid(&"k".repeat(2000))
        .sign(&standard_claims(&server.base_url(), SUBJECT));
    assert_eq!(verifier.verify(&long_kid).await, Err(AuthError::UnknownKey));
    assert_eq!(server.hits(), 0);
}
