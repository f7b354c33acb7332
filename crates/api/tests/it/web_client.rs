//! The browser client served beside the API: its files, their caching, the fallback to
//! `index.html`, the Content-Security-Policy, `/config.json`, and same-origin writes.

use actix_web::test::{self, TestRequest};
use journal_api::{SignIn, WebClient, app};
use serde_json::json;

use crate::{Fixture, bearer, send};

const INDEX: &str = "<!doctype html><title>journal</title><script type=module \
                     src=/assets/index-Ab12.js></script>";

/// A folder laid out like `vite build` output, removed when dropped.
struct Build(std::path::PathBuf);

impl Build {
    fn new() -> Self {
        let folder = std::env::temp_dir().join(format!("journal-web-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(folder.join("assets")).unwrap();
        std::fs::write(folder.join("index.html"), INDEX).unwrap();
        std::fs::write(folder.join("assets/index-Ab12.js"), "console.log(1)").unwrap();
        std::fs::write(folder.join("favicon.svg"), "<svg/>").unwrap();
        std::fs::write(folder.join(".env"), "SECRET=1").unwrap();
        Self(folder)
    }
}

impl Drop for Build {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dev_client(build: &Build) -> WebClient {
    let sign_in = SignIn::Dev {
        auth_url: "http://127.0.0.1:3001".into(),
    };
    WebClient::new(Some(build.0.clone()), sign_in).unwrap()
}

#[actix_web::test]
async fn the_app_shell_is_served_uncached_with_a_strict_policy_for_any_client_route() {
    let fixture = Fixture::new().await;
    let build = Build::new();
    let mut state = fixture.state();
    state.web_client = Some(dev_client(&build));
    let service = test::init_service(app(state)).await;

    for path in [
        "/",
        "/index.html",
        "/entries/42",
        "/settings?tab=1",
        "/a/%2e%2e/.env",
    ] {
        let answer = send(&service, TestRequest::get().uri(path)).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.body, INDEX, "{path}");
        assert!(
            answer
                .header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        assert_eq!(answer.header("cache-control"), Some("no-store"), "{path}");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        let policy = answer.header("content-security-policy").unwrap();
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(
            policy.contains("connect-src 'self' http://127.0.0.1:3001;"),
            "{policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{policy}");
    }
}

#[actix_web::test]
async fn hashed_assets_are_cached_for_a_year_and_revalidate_with_their_tag() {
    let fixture = Fixture::new().await;
    let build = Build::new();
    let mut state = fixture.state();
    state.web_client = Some(dev_client(&build));
    let service = test::init_service(app(state)).await;

    let asset = send(&service, TestRequest::get().uri("/assets/index-Ab12.js")).await;
    assert_eq!(asset.status, 200);
    assert_eq!(asset.body, "console.log(1)");
    assert!(asset.header("content-type").unwrap().contains("javascript"));
    assert_eq!(
        asset.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let tag = asset.header("etag").unwrap().to_owned();
    let again = TestRequest::get()
        .uri("/assets/index-Ab12.js")
        .insert_header(("If-None-Match", tag));
    assert_eq!(send(&service, again).await.status, 304);

    let icon = send(&service, TestRequest::get().uri("/favicon.svg")).await;
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("cache-control"), Some("no-cache"));

    let head = send(
        &service,
        TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/assets/index-Ab12.js"),
    )
    .await;
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}

#[actix_web::test]
async fn missing_assets_api_paths_hidden_files_and_writes_are_problems_not_the_app_shell() {
    let fixture = Fixture::new().await;
    let build = Build::new();
    let mut state = fixture.state();
    state.web_client = Some(dev_client(&build));
    let service = test::init_service(app(state)).await;

    for path in [
        "/assets/index-Old9.js",
        "/api",
        "/api/nothing",
        "/api/entries/1/x",
    ] {
        send(&service, TestRequest::get().uri(path))
            .await
            .assert_problem(404);
    }
    let hidden = send(&service, TestRequest::get().uri("/.env")).await;
    assert_eq!(hidden.body, INDEX, "a hidden file is never served");
    send(&service, TestRequest::post().uri("/settings"))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn config_json_tells_the_client_how_to_sign_in() {
    let fixture = Fixture::new().await;
    let mut state = fixture.state();
    let sign_in = SignIn::Neon {
        auth_url: "https://ep-x.neonauth.example.com/neondb/auth".into(),
    };
    state.web_client = Some(WebClient::new(None, sign_in).unwrap());
    let service = test::init_service(app(state)).await;

    let answer = send(&service, TestRequest::get().uri("/config.json")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(
        answer.body,
        json!({"authMode": "neon", "authUrl": "https://ep-x.neonauth.example.com/neondb/auth"})
    );
    send(&service, TestRequest::get().uri("/"))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn without_a_client_nothing_but_the_api_is_served() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;

    for path in ["/", "/config.json", "/index.html"] {
        send(&service, TestRequest::get().uri(path))
            .await
            .assert_problem(404);
    }
}

#[actix_web::test]
async fn a_page_served_here_may_write_and_a_foreign_page_fails_its_preflight() {
    let fixture = Fixture::new().await;
    let service = test::init_service(app(fixture.state())).await;
    let (_, token) = fixture.signed_in("same@example.com").await;

    let same_origin = TestRequest::post()
        .uri("/api/entries")
        .insert_header(("Host", "journal.example:3000"))
        .insert_header(("Origin", "http://journal.example:3000"))
        .insert_header(bearer(&token))
        .set_json(json!({"content": "from the served page"}));
    assert_eq!(send(&service, same_origin).await.status, 201);

    for origin in ["http://evil.example", "http://journal.example:3001", "null"] {
        let preflight = TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/entries")
            .insert_header(("Host", "journal.example:3000"))
            .insert_header(("Origin", origin))
            .insert_header(("Access-Control-Request-Method", "POST"))
            .insert_header((
                "Access-Control-Request-Headers",
                "authorization,content-type",
            ));
        let answer = send(&service, preflight).await;
        answer.assert_problem(400);
        assert_eq!(answer.body["code"], "cors_refused", "{origin}");
    }
    assert_eq!(fixture.entry_count().await, 1);
}
