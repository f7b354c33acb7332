//! One entry at a time: reading with `ETag`/`If-None-Match`, editing and deleting with
//! `If-Match`, paging through the list, and other users' entries staying invisible.

use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use journal_api::app;
use serde_json::json;

use crate::{Fixture, bearer, send};

fn post(token: &str, text: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/entries")
        .insert_header(bearer(token))
        .set_json(json!({ "content": text }))
}

fn on_entry(method: Method, id: &serde_json::Value, token: &str) -> TestRequest {
    TestRequest::default()
        .method(method)
        .uri(&format!("/api/entries/{id}"))
        .insert_header(bearer(token))
}

#[actix_web::test]
async fn an_entry_is_read_edited_and_deleted_with_its_etag() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;
    let created = send(&service, post(&token, "first draft")).await;
    let id = created.body["id"].clone();
    let created_tag = created.header("etag").unwrap().to_owned();

    let read = send(&service, on_entry(Method::GET, &id, &token)).await;
    let unchanged = send(
        &service,
        on_entry(Method::GET, &id, &token).insert_header(("If-None-Match", created_tag.as_str())),
    )
    .await;
    let edited = send(
        &service,
        on_entry(Method::PUT, &id, &token)
            .insert_header(("If-Match", created_tag.as_str()))
            .set_json(json!({"content": "second draft"})),
    )
    .await;
    let edited_tag = edited.header("etag").unwrap().to_owned();
    let deleted = send(
        &service,
        on_entry(Method::DELETE, &id, &token).insert_header(("If-Match", edited_tag.as_str())),
    )
    .await;
    let gone = send(&service, on_entry(Method::GET, &id, &token)).await;

    assert_eq!(read.status, 200);
    assert_eq!(read.body, created.body);
    assert_eq!(read.header("etag"), Some(created_tag.as_str()));
    assert_eq!(unchanged.status, 304);
    assert_eq!(edited.status, 200);
    assert_eq!(edited.body["content"], "second draft");
    assert_eq!(edited.body["createdAt"], created.body["createdAt"]);
    assert_ne!(edited.body["updatedAt"], created.body["updatedAt"]);
    assert_ne!(edited_tag, created_tag);
    assert_eq!(deleted.status, 204);
    gone.assert_problem(404);
}

#[actix_web::test]
async fn two_devices_editing_the_same_entry_cannot_overwrite_each_other() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;
    let created = send(&service, post(&token, "shared")).await;
    let id = created.body["id"].clone();
    let tag = created.header("etag").unwrap().to_owned();
    let edit = |text: &str| {
        on_entry(Method::PUT, &id, &token)
            .insert_header(("If-Match", tag.as_str()))
            .set_json(json!({ "content": text }))
    };

    let phone = send(&service, edit("from the phone")).await;
    let laptop = send(&service, edit("from the laptop")).await;
    let stale_delete = send(
        &service,
        on_entry(Method::DELETE, &id, &token).insert_header(("If-Match", tag.as_str())),
    )
    .await;

    assert_eq!(phone.status, 200);
    laptop.assert_problem(412);
    assert_eq!(laptop.body["current"]["content"], "from the phone");
    assert_eq!(laptop.header("etag"), phone.header("etag"));
    stale_delete.assert_problem(412);
    let kept = send(&service, on_entry(Method::GET, &id, &token)).await;
    assert_eq!(kept.body["content"], "from the phone");
}

#[actix_web::test]
async fn another_users_entry_answers_404_to_every_method_and_changes_nothing() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, alice) = fixture.signed_in("alice@x.test").await;
    let (_, bob) = fixture.signed_in("bob@x.test").await;
    let created = send(&service, post(&alice, "alice's")).await;
    let id = created.body["id"].clone();
    let missing = json!(id.as_i64().unwrap() + 1000);

    for target in [&id, &missing] {
        let read = send(&service, on_entry(Method::GET, target, &bob)).await;
        let edit = send(
            &service,
            on_entry(Method::PUT, target, &bob).set_json(json!({"content": "bob was here"})),
        )
        .await;
        let delete = send(&service, on_entry(Method::DELETE, target, &bob)).await;
        let conditional = send(
            &service,
            on_entry(Method::DELETE, target, &bob).insert_header(("If-Match", "\"v1\"")),
        )
        .await;

        for answer in [read, edit, delete, conditional] {
            answer.assert_problem(404);
            assert_eq!(answer.body["code"], "entry_not_found");
        }
    }
    let kept = send(&service, on_entry(Method::GET, &id, &alice)).await;
    assert_eq!(kept.body, created.body);
}

#[actix_web::test]
async fn malformed_ids_are_404_problems() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;

    for id in [
        "abc",
        "0",
        "-1",
        "1.5",
        "99999999999999999999999",
        "%00",
        "1;drop",
    ] {
        let request = TestRequest::get()
            .uri(&format!("/api/entries/{id}"))
            .insert_header(bearer(&token));
        send(&service, request).await.assert_problem(404);
    }

    let created = send(&service, post(&token, "only one spelling")).await;
    let id = &created.body["id"];
    for other_spelling in [format!("0{id}"), format!("%2B{id}")] {
        let request = TestRequest::get()
            .uri(&format!("/api/entries/{other_spelling}"))
            .insert_header(bearer(&token));
        send(&service, request).await.assert_problem(404);
    }
}

#[actix_web::test]
async fn the_list_pages_through_link_headers_while_entries_come_and_go() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;
    let mut ids = Vec::new();
    for n in 0..7 {
        ids.push(
            send(&service, post(&token, &format!("entry {n}")))
                .await
                .body["id"]
                .clone(),
        );
    }

    let mut seen = Vec::new();
    let mut next = Some("/api/entries?limit=3".to_owned());
    let mut pages = 0;
    while let Some(uri) = next.take() {
        let page = send(
            &service,
            TestRequest::get().uri(&uri).insert_header(bearer(&token)),
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(
            page.body
                .as_array()
                .unwrap()
                .iter()
                .map(|entry| entry["id"].clone()),
        );
        next = page.header("link").map(|link| {
            assert!(link.ends_with(r#">; rel="next""#), "{link}");
            link.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_owned()
        });
        if pages == 0 {
            send(&service, post(&token, "written between pages")).await;
            send(&service, on_entry(Method::DELETE, &ids[3], &token)).await;
        }
        pages += 1;
    }

    let expected: Vec<_> = [6, 5, 4, 2, 1, 0].iter().map(|n| ids[*n].clone()).collect();
    assert_eq!(seen, expected);
    assert_eq!(pages, 2);
}

#[actix_web::test]
async fn bad_paging_parameters_are_400_problems() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;

    for query in [
        "limit=0",
        "limit=201",
        "limit=abc",
        "cursor=%21%21",
        "cursor=bm9wZQ",
        // "-210866803200000001.1": a time chrono takes and Postgres does not (before 4713 BC).
        "cursor=LTIxMDg2NjgwMzIwMDAwMDAwMS4x",
        "limit=1&limit=2",
        "cursor=a&cursor=b",
    ] {
        let request = TestRequest::get()
            .uri(&format!("/api/entries?{query}"))
            .insert_header(bearer(&token));
        let answer = send(&service, request).await;
        answer.assert_problem(400);
        let detail = answer.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("limit") || detail.contains("cursor"),
            "{detail}"
        );
        assert!(!detail.contains("deserialize"), "{detail}");
    }
    let ok = TestRequest::get()
        .uri("/api/entries?limit=200&unknown=1")
        .insert_header(bearer(&token));
    assert_eq!(send(&service, ok).await.status, 200);
}

#[actix_web::test]
async fn paging_headers_are_exposed_to_the_browser() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;

    let answer = send(
        &service,
        TestRequest::get()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .insert_header(("Origin", "http://localhost:5173")),
    )
    .await;

    let exposed = answer
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("link") && exposed.contains("etag"),
        "{exposed}"
    );
}

#[actix_web::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_entry() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("alice@x.test").await;
    let keyed = |key: &str, text: &str| post(&token, text).insert_header(("Idempotency-Key", key));

    let first = send(&service, keyed("retry-7", "only once")).await;
    let retry = send(&service, keyed("retry-7", "only once")).await;
    let reused = send(&service, keyed("retry-7", "something else")).await;
    let malformed = send(&service, keyed("has space", "x")).await;
    let repeated = post(&token, "x")
        .append_header(("Idempotency-Key", "k1"))
        .append_header(("Idempotency-Key", "k2"));
    let repeated = send(&service, repeated).await;

    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(retry.status, 201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body);
    reused.assert_problem(422);
    assert_eq!(reused.body["code"], "idempotency_key_reused");
    malformed.assert_problem(400);
    repeated.assert_problem(400);
    assert_eq!(fixture.entry_count().await, 1);
}
