//! Every failure answers problem+json with the right status, and writes nothing.

use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use journal_api::app;
use journal_testkit::{Reply, TestKey, now, raw_token, standard_claims};
use serde_json::json;

use crate::{Fixture, bearer, send};

#[actix_web::test]
async fn a_request_without_a_token_gets_a_bearer_challenge() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    for request in [
        TestRequest::get().uri("/api/entries"),
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(("Authorization", "Basic dTpw")),
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(("Authorization", "Bearer ")),
    ] {
        let answer = send(&service, request).await;

        answer.assert_problem(401);
        assert!(
            answer
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer")
        );
    }
}

#[actix_web::test]
async fn bad_tokens_are_401_invalid_token_and_never_echoed() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (user, good) = fixture.signed_in("alice@x.test").await;
    let issuer = fixture.issuer.base_url();
    let mut expired = standard_claims(&issuer, &user.to_string());
    expired["exp"] = json!(now() - 3600);
    let mut wrong_audience = standard_claims(&issuer, &user.to_string());
    wrong_audience["aud"] = json!("https://someone-else.example");
    let payload = standard_claims(&issuer, &user.to_string()).to_string();
    let mut other = standard_claims(&issuer, &user.to_string());
    other["email"] = json!("mallory@x.test");
    let tampered_payload = raw_token("{}", &other.to_string(), b"");
    let tampered_payload = tampered_payload.split('.').nth(1).unwrap();
    let (head, rest) = good.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();

    let bad_tokens = [
        ("expired", fixture.key.sign(&expired)),
        ("wrong audience", fixture.key.sign(&wrong_audience)),
        ("unsigned", raw_token(r#"{"alg":"none"}"#, &payload, b"")),
        ("tampered", format!("{head}.{tampered_payload}.{signature}")),
        (
            "foreign key",
            TestKey::ed25519_attacker()
                .with_kid("ed-1")
                .sign(&standard_claims(&issuer, &user.to_string())),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];

    for (name, token) in bad_tokens {
        let request = TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(&token));

        let answer = send(&service, request).await;

        assert_eq!(answer.status, 401, "{name}");
        answer.assert_problem(401);
        let challenge = answer.header("www-authenticate").unwrap();
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{name}: {challenge}"
        );
        assert!(
            !answer.body.to_string().contains(&token),
            "{name}: token echoed"
        );
    }
}

#[actix_web::test]
async fn an_anonymous_request_is_refused_before_its_body_is_judged() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    for body in ["{not json", r#"{"content": 5}"#] {
        let request = TestRequest::post()
            .uri("/api/entries")
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body);

        send(&service, request).await.assert_problem(401);
    }
}

#[actix_web::test]
async fn no_usable_signing_key_is_503_with_retry_after_not_401() {
    let fixture = Fixture::new().await;
    fixture.issuer.set_reply(Reply {
        status: 502,
        ..Reply::json(&json!({}))
    });
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;

    let answer = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(&token)),
    )
    .await;

    answer.assert_problem(503);
    assert!(answer.header("retry-after").is_some());
    assert!(answer.header("www-authenticate").is_none());
}

#[actix_web::test]
async fn bad_bodies_get_the_fitting_4xx_and_write_nothing() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;
    let over_limit = json!({ "content": "a".repeat(64 * 1024 + 1) }).to_string();
    let far_over_body_limit = "a".repeat(2 * 1024 * 1024);

    let cases: Vec<(&str, Option<&str>, String, u16)> = vec![
        (
            "malformed JSON",
            Some("application/json"),
            r#"{"content": "#.into(),
            400,
        ),
        (
            "not JSON at all",
            Some("application/json"),
            "content=hello".into(),
            400,
        ),
        (
            "missing content",
            Some("application/json"),
            "{}".into(),
            422,
        ),
        (
            "null content",
            Some("application/json"),
            r#"{"content": null}"#.into(),
            422,
        ),
        (
            "numeric content",
            Some("application/json"),
            r#"{"content": 5}"#.into(),
            422,
        ),
        (
            "array body",
            Some("application/json"),
            r#"["hello"]"#.into(),
            422,
        ),
        (
            "empty content",
            Some("application/json"),
            r#"{"content": ""}"#.into(),
            422,
        ),
        (
            "whitespace content",
            Some("application/json"),
            r#"{"content": " \n\t "}"#.into(),
            422,
        ),
        (
            "NUL in content",
            Some("application/json"),
            r#"{"content": "a\u0000b"}"#.into(),
            422,
        ),
        (
            "content over the maximum",
            Some("application/json"),
            over_limit,
            422,
        ),
        (
            "body over the limit",
            Some("application/json"),
            far_over_body_limit,
            413,
        ),
        (
            "plain text",
            Some("text/plain"),
            r#"{"content": "hi"}"#.into(),
            415,
        ),
        ("no content type", None, r#"{"content": "hi"}"#.into(), 415),
    ];
    let gzip = TestRequest::post()
        .uri("/api/entries")
        .insert_header(bearer(&token))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Content-Encoding", "gzip"))
        .set_payload(r#"{"content": "not really gzip"}"#);
    send(&service, gzip).await.assert_problem(415);

    for (name, content_type, body, status) in cases {
        let mut request = TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .set_payload(body);
        if let Some(content_type) = content_type {
            request = request.insert_header(("Content-Type", content_type));
        }

        let answer = send(&service, request).await;

        assert_eq!(answer.status.as_u16(), status, "{name}: {}", answer.body);
        answer.assert_problem(status);
    }
    assert_eq!(fixture.entry_count().await, 0);
}

#[actix_web::test]
async fn the_content_maximum_is_configurable() {
    let fixture = Fixture::new().await;
    let mut state = fixture.state();
    state.content_rules.max_bytes = 8;
    let service = test::init_service(app(state)).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;
    let post = |text: &str| {
        TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .set_json(json!({ "content": text }))
    };

    assert_eq!(send(&service, post("12345678")).await.status, 201);
    send(&service, post("123456789")).await.assert_problem(422);
}

#[actix_web::test]
async fn unknown_paths_and_methods_are_problems() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    send(&service, TestRequest::get().uri("/nope"))
        .await
        .assert_problem(404);
    send(
        &service,
        TestRequest::get().uri("/api/entries/../../etc/passwd"),
    )
    .await
    .assert_problem(404);
    for method in [Method::DELETE, Method::PUT, Method::PATCH] {
        let request = TestRequest::default()
            .method(method.clone())
            .uri("/api/entries");
        let refused = send(&service, request).await;
        refused.assert_problem(405);
        assert_eq!(refused.header("allow"), Some("GET, POST"));
    }
    let one = TestRequest::default()
        .method(Method::PATCH)
        .uri("/api/entries/1");
    let refused = send(&service, one).await;
    refused.assert_problem(405);
    assert_eq!(refused.header("allow"), Some("GET, PUT, DELETE"));
}

#[actix_web::test]
async fn the_hostile_token_catalogue_is_refused_over_http() {
    let fixture = Fixture::new().await;
    let ec = TestKey::p256();
    fixture
        .issuer
        .set_document(&journal_testkit::jwks_of(&[&fixture.key, &ec]));
    let attacker = journal_testkit::JwksServer::start(&json!({"keys": []})).await;
    let service = test::init_service(app(fixture.state())).await;
    let (user, _) = fixture.signed_in("alice@x.test").await;

    let cases = journal_testkit::hostile_tokens(
        &fixture.issuer.base_url(),
        &user.to_string(),
        &attacker.base_url(),
    );
    assert!(cases.len() >= 12);

    for case in cases {
        let request = TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&case.token))
            .set_json(json!({"content": "should never be stored"}));

        let answer = send(&service, request).await;

        assert_eq!(answer.status, 401, "{}: {}", case.name, answer.body);
        answer.assert_problem(401);
        let expected = if case.token.is_empty() {
            "missing_token"
        } else {
            "invalid_token"
        };
        assert_eq!(answer.body["code"], expected, "{}", case.name);
    }
    assert_eq!(fixture.entry_count().await, 0);
    assert_eq!(attacker.hits(), 0);
}

#[actix_web::test]
async fn two_authorization_headers_are_refused() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, alice) = fixture.signed_in("alice@x.test").await;
    let (_, bob) = fixture.signed_in("bob@x.test").await;

    let request = TestRequest::get()
        .uri("/api/entries")
        .append_header(bearer(&alice))
        .append_header(bearer(&bob));
    let answer = send(&service, request).await;

    answer.assert_problem(401);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("more than one")
    );
}
