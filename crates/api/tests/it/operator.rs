//! What an operator relies on: health and readiness, metrics, request ids and the rate limit.

use std::sync::Arc;

use actix_web::test::{self, TestRequest};
use journal_api::{RateLimitSettings, UserRateLimiter, app};
use journal_testkit::Reply;
use serde_json::json;

use crate::{Fixture, bearer, send};

#[actix_web::test]
async fn healthz_answers_without_a_token() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    let answer = send(&service, TestRequest::get().uri("/healthz")).await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, json!({"status": "ok"}));
}

#[actix_web::test]
async fn readyz_reports_which_dependency_is_missing() {
    let fixture = Fixture::new().await;
    fixture.issuer.set_reply(Reply {
        status: 500,
        ..Reply::json(&json!({}))
    });
    let service = test::init_service(app(fixture.state())).await;

    let not_ready = send(&service, TestRequest::get().uri("/readyz")).await;
    fixture
        .issuer
        .set_document(&journal_testkit::jwks_of(&[&fixture.key]));
    let state = fixture.state();
    state.verifier.refresh_keys().await.unwrap();
    let ready_service = test::init_service(app(state)).await;
    let ready = send(&ready_service, TestRequest::get().uri("/readyz")).await;

    not_ready.assert_problem(503);
    assert!(
        not_ready.body["detail"].as_str().unwrap().contains("jwks"),
        "{}",
        not_ready.body
    );
    assert!(
        !not_ready.body["detail"]
            .as_str()
            .unwrap()
            .contains("database")
    );
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.body, json!({"database": "ok", "jwks": "ok"}));
}

#[actix_web::test]
async fn readyz_fails_when_the_database_is_gone() {
    let fixture = Fixture::new().await;
    let mut state = fixture.state();
    state.verifier.refresh_keys().await.unwrap();
    let unreachable =
        journal_storage::ConnectSettings::parse("postgres://u@127.0.0.1:1/x").unwrap();
    let limits = journal_storage::PoolSettings {
        max_size: 1,
        checkout_timeout: std::time::Duration::from_millis(300),
    };
    state.database = journal_storage::Database::new(unreachable, limits).unwrap();
    let service = test::init_service(app(state)).await;

    let answer = send(&service, TestRequest::get().uri("/readyz")).await;

    answer.assert_problem(503);
    assert!(answer.body["detail"].as_str().unwrap().contains("database"));
    assert!(answer.header("retry-after").is_some());
}

#[actix_web::test]
async fn metrics_count_requests_by_route_template_and_show_pool_and_keys() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;
    for _ in 0..3 {
        send(
            &service,
            TestRequest::get()
                .uri("/api/entries")
                .insert_header(bearer(&token)),
        )
        .await;
    }
    send(
        &service,
        TestRequest::get()
            .uri("/api/entries/12345")
            .insert_header(bearer(&token)),
    )
    .await;

    let answer = send(&service, TestRequest::get().uri("/metrics")).await;

    let text = answer.body.as_str().unwrap().to_owned();
    assert_eq!(answer.status, 200);
    let line = r#"http_requests_total{method="GET",route="/api/entries",status="200"} 3"#;
    assert!(text.contains(line), "{text}");
    assert!(
        text.contains(r#"route="/api/entries/{id}",status="404""#),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    for gauge in [
        "db_pool_connections_in_use",
        "db_pool_waiters",
        "jwks_fetches_total 1",
        "jwks_keys 1",
    ] {
        assert!(text.contains(gauge), "{gauge} missing from {text}");
    }
}

#[actix_web::test]
async fn a_sane_request_id_is_kept_and_an_insane_one_replaced() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    let kept = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(("X-Request-Id", "client-req.42")),
    )
    .await;
    let replaced = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(("X-Request-Id", "a b\"c")),
    )
    .await;

    assert_eq!(kept.header("x-request-id"), Some("client-req.42"));
    assert_eq!(kept.body["requestId"], "client-req.42");
    let generated = replaced.header("x-request-id").unwrap();
    assert_ne!(generated, "a b\"c");
    assert!(uuid::Uuid::parse_str(generated).is_ok());
    assert_eq!(replaced.body["requestId"], generated);
}

#[actix_web::test]
async fn a_user_over_the_rate_limit_gets_429_with_retry_after() {
    let fixture = Fixture::new().await;
    let mut state = fixture.state();
    let limit = RateLimitSettings {
        requests_per_second: 1,
        burst: 3,
    };
    state.rate_limiter = UserRateLimiter::new(limit).map(Arc::new);
    let service = test::init_service(app(state)).await;
    let (_, alice) = fixture.signed_in("alice@x.test").await;
    let (_, bob) = fixture.signed_in("bob@x.test").await;
    let list = |token: &str| {
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(token))
    };

    for _ in 0..3 {
        assert_eq!(send(&service, list(&alice)).await.status, 200);
    }
    let limited = send(&service, list(&alice)).await;
    let other_user = send(&service, list(&bob)).await;

    limited.assert_problem(429);
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(other_user.status, 200);
}
