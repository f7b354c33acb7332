//! The attack battery: every hostile token in the catalogue is refused with its expected
//! reason, hostile key sets are handled, and arbitrary input never panics.

use journal_auth::AuthError;
use journal_testkit::{JwksServer, Reply, TestKey, hostile_tokens, jwks_of, standard_claims};
use proptest::prelude::*;

use crate::{SUBJECT, verifier_for};

#[tokio::test]
async fn every_hostile_token_is_refused_for_its_reason() {
    let (ours, ec) = (TestKey::ed25519(), TestKey::p256());
    let issuer = JwksServer::start(&jwks_of(&[&ours, &ec])).await;
    let attacker = JwksServer::start(&jwks_of(&[&TestKey::ed25519_attacker()])).await;
    let verifier = verifier_for(&issuer);

    let cases = hostile_tokens(&issuer.base_url(), SUBJECT, &attacker.base_url());
    assert!(
        cases.len() >= 30,
        "the battery has only {} cases",
        cases.len()
    );

    let mut wrong = Vec::new();
    for case in &cases {
        match verifier.verify(&case.token).await {
            Ok(_) => wrong.push(format!("{}: ACCEPTED", case.name)),
            Err(refusal) if refusal.code() != case.refusal => {
                wrong.push(format!(
                    "{}: {} instead of {}",
                    case.name,
                    refusal.code(),
                    case.refusal
                ));
            }
            Err(_) => {}
        }
    }

    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(attacker.hits(), 0, "a URL named by a token was fetched");
    assert!(
        verifier
            .verify(&ours.sign(&standard_claims(&issuer.base_url(), SUBJECT)))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_published_key_pinned_to_another_alg_is_not_used() {
    let (ours, ec) = (TestKey::ed25519(), TestKey::p256());
    let mut pinned = ours.public_jwk();
    pinned["alg"] = "RS256".into();
    let document = serde_json::json!({ "keys": [pinned, ec.public_jwk()] });
    let issuer = JwksServer::start(&document).await;
    let verifier = verifier_for(&issuer);

    let token = ours.sign(&standard_claims(&issuer.base_url(), SUBJECT));

    assert_eq!(verifier.verify(&token).await, Err(AuthError::UnknownKey));
}

#[tokio::test]
async fn a_token_without_kid_needs_a_single_key_set() {
    let (ours, ec) = (TestKey::ed25519(), TestKey::p256());
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.typ = None;

    let single = JwksServer::start(&jwks_of(&[&ours])).await;
    let token = ours.sign_with_header(&header, &standard_claims(&single.base_url(), SUBJECT));
    assert!(verifier_for(&single).verify(&token).await.is_ok());

    let double = JwksServer::start(&jwks_of(&[&ours, &ec])).await;
    let token = ours.sign_with_header(&header, &standard_claims(&double.base_url(), SUBJECT));
    assert_eq!(
        verifier_for(&double).verify(&token).await,
        Err(AuthError::KeyIdRequired)
    );
}

/// One issuer, verifier and runtime shared by every generated case.
struct Bench {
    runtime: tokio::runtime::Runtime,
    _issuer: JwksServer,
    verifier: journal_auth::Verifier,
    genuine: String,
}

fn bench() -> &'static Bench {
    static BENCH: std::sync::OnceLock<Bench> = std::sync::OnceLock::new();
    BENCH.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let key = TestKey::ed25519();
        let issuer = runtime.block_on(JwksServer::start(&jwks_of(&[&key])));
        let verifier = runtime.block_on(async { verifier_for(&issuer) });
        let genuine = key.sign(&standard_claims(&issuer.base_url(), SUBJECT));
        Bench {
            runtime,
            _issuer: issuer,
            verifier,
            genuine,
        }
    })
}

fn refused(token: &str) -> bool {
    let bench = bench();
    bench
        .runtime
        .block_on(bench.verifier.verify(token))
        .is_err()
}

/// Headers an attacker might put in front of a genuine payload and signature.
const HEADER_PATTERN: &str =
    "\\{\"alg\":\"(EdDSA|ES256|RS256|none|HS256)\"(,\"kid\":\"[a-z0-9./-]{0,12}\")?\\}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_text_is_always_refused(text in any::<String>()) {
        prop_assert!(refused(&text));
    }

    #[test]
    fn arbitrary_bytes_are_always_refused(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        prop_assert!(refused(&String::from_utf8_lossy(&bytes)));
    }

    #[test]
    fn arbitrary_token_shaped_strings_are_always_refused(
        token in "[A-Za-z0-9_-]{0,120}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,90}",
    ) {
        prop_assert!(refused(&token));
    }

    #[test]
    fn arbitrary_headers_over_a_genuine_payload_are_always_refused(
        header in HEADER_PATTERN,
    ) {
        let rest = bench().genuine.split_once('.').unwrap().1;
        let encoded = journal_testkit::raw_token(&header, "", b"");
        let forged = format!("{}.{rest}", encoded.split('.').next().unwrap());
        prop_assert!(refused(&forged));
    }

    #[test]
    fn flipping_any_byte_of_a_genuine_token_is_refused(position in 0usize..2000, bit in 0u8..7) {
        let genuine = bench().genuine.as_bytes();
        let mut bytes = genuine.to_vec();
        let index = position % bytes.len();
        bytes[index] ^= 1 << bit;
        let changed = String::from_utf8_lossy(&bytes).into_owned();
        prop_assume!(changed != bench().genuine);
        prop_assert!(refused(&changed));
    }
}

#[tokio::test]
async fn hostile_key_sets_leave_no_usable_key() {
    let ours = TestKey::ed25519();
    let good = ours.public_jwk();
    let changed = |field: &str, value: serde_json::Value| {
        let mut key = good.clone();
        key[field] = value;
        key
    };
    let with = |field: &str, value: serde_json::Value| {
        Reply::json(&serde_json::json!({ "keys": [changed(field, value)] }))
    };
    let json = |document: serde_json::Value| Reply::json(&document);
    let text = |content_type: &str, body: String| Reply {
        content_type: content_type.into(),
        body,
        ..Reply::json(&serde_json::Value::Null)
    };
    let many: Vec<_> = (0..40)
        .map(|n| changed("kid", format!("k{n}").into()))
        .collect();
    let short_rsa = serde_json::json!({"kty": "RSA", "e": "AQAB", "n": "A".repeat(171)});

    let cases = [
        (
            "an HTML maintenance page",
            text("text/html", "<html>down</html>".into()),
        ),
        (
            "invalid JSON",
            text("application/json", "{\"keys\": [".into()),
        ),
        (
            "keys that is not an array",
            json(serde_json::json!({"keys": {"kty": "OKP"}})),
        ),
        ("an empty key list", json(serde_json::json!({"keys": []}))),
        (
            "a document over the size cap",
            text(
                "application/json",
                format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(70_000)),
            ),
        ),
        (
            "more keys than allowed",
            json(serde_json::json!({ "keys": many })),
        ),
        ("only an encryption key", with("use", "enc".into())),
        (
            "only an HMAC secret",
            json(serde_json::json!({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "ed-1"}]})),
        ),
        ("an unsupported curve", with("crv", "Ed448".into())),
        (
            "an Ed25519 key of 31 bytes",
            with("x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
        ),
        (
            "a key whose x is not base64url",
            with("x", "not base64!".into()),
        ),
        (
            "a 1024-bit RSA key",
            json(serde_json::json!({"keys": [short_rsa]})),
        ),
        (
            "a server error",
            Reply {
                status: 500,
                ..Reply::json(&good)
            },
        ),
    ];

    for (name, reply) in cases {
        let issuer = JwksServer::start_with(reply).await;
        let verifier = verifier_for(&issuer);
        let token = ours.sign(&standard_claims(&issuer.base_url(), SUBJECT));

        let outcome = verifier.verify(&token).await;

        assert_eq!(outcome, Err(AuthError::KeysUnavailable), "{name}");
        assert_eq!(verifier.usable_key_count(), 0, "{name}");
    }
}
