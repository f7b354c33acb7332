//! The main job: a verified user writes and reads their own entries.

use actix_web::test::{self, TestRequest};
use journal_api::app;
use serde_json::json;

use crate::{Fixture, bearer, send};

#[actix_web::test]
async fn a_posted_entry_comes_back_in_the_list() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (user, token) = fixture.signed_in("alice@x.test").await;

    let created = send(
        &service,
        TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .set_json(json!({"content": "Dear diary 📓"})),
    )
    .await;
    let listed = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(&token)),
    )
    .await;

    assert_eq!(created.status, 201);
    assert_eq!(created.body["content"], "Dear diary 📓");
    assert_eq!(created.body["userId"], user.to_string());
    assert!(created.body["id"].is_i64());
    assert!(created.body["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, json!([created.body]));
}

#[actix_web::test]
async fn the_list_is_newest_first() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;

    for text in ["one", "two", "three"] {
        let request = TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .set_json(json!({ "content": text }));
        assert_eq!(send(&service, request).await.status, 201);
    }
    let listed = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(&token)),
    )
    .await;

    let texts: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["content"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["three", "two", "one"]);
}

#[actix_web::test]
async fn one_user_never_sees_another_users_entries() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, alice) = fixture.signed_in("alice@x.test").await;
    let (_, bob) = fixture.signed_in("bob@x.test").await;
    let post = TestRequest::post()
        .uri("/api/entries")
        .insert_header(bearer(&alice))
        .set_json(json!({"content": "alice only"}));
    assert_eq!(send(&service, post).await.status, 201);

    let bobs = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(&bob)),
    )
    .await;

    assert_eq!(bobs.status, 200);
    assert_eq!(bobs.body, json!([]));
}

#[actix_web::test]
async fn a_valid_token_for_a_user_without_a_row_reads_nothing_and_cannot_write() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let stranger = journal_domain::UserId::new(uuid::Uuid::new_v4());
    let token = fixture.token_for(stranger);

    let listed = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(&token)),
    )
    .await;
    let posted = send(
        &service,
        TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .set_json(json!({"content": "hello"})),
    )
    .await;

    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, json!([]));
    posted.assert_problem(403);
    assert_eq!(fixture.entry_count().await, 0);
}

#[actix_web::test]
async fn a_browser_preflight_from_the_configured_origin_is_answered() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    let preflight = send(
        &service,
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/entries")
            .insert_header(("Origin", "http://localhost:5173"))
            .insert_header(("Access-Control-Request-Method", "POST"))
            .insert_header((
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key, if-match, x-request-id",
            )),
    )
    .await;

    assert_eq!(preflight.status, 200, "{}", preflight.body);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    let methods = preflight.header("access-control-allow-methods").unwrap();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    for header in [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-match",
    ] {
        assert!(headers.contains(header), "{headers}");
    }

    let (_, token) = fixture.signed_in("cors@x.test").await;
    let listed = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(("Origin", "http://localhost:5173"))
            .insert_header(("Authorization", format!("Bearer {token}"))),
    )
    .await;
    let exposed = listed
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    for header in ["link", "etag", "location", "retry-after", "x-request-id"] {
        assert!(exposed.contains(header), "{exposed}");
    }
    assert!(exposed.contains("idempotent-replayed"), "{exposed}");
}

#[actix_web::test]
async fn a_preflight_from_another_origin_is_refused_as_a_problem() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    let preflight = send(
        &service,
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/entries")
            .insert_header(("Origin", "https://evil.example"))
            .insert_header(("Access-Control-Request-Method", "GET")),
    )
    .await;

    preflight.assert_problem(400);
    assert_eq!(preflight.body["code"], "cors_refused");
    assert!(preflight.header("access-control-allow-origin").is_none());
}
