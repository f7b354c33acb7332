//! Bad configuration stops the server at start with a message naming the setting, never a
//! panic.

use std::process::{Command, Stdio};

fn run(environment: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_journal-server"));
    command
        .arg("serve")
        .current_dir(std::env::temp_dir())
        .env_remove("DATABASE_URL")
        .env_remove("NEON_AUTH_URL")
        .stdin(Stdio::null());
    for (name, value) in environment {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_missing_database_url_is_named() {
    let (code, stderr) = run(&[("NEON_AUTH_URL", "http://127.0.0.1:9/api/auth")]);

    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_missing_auth_url_is_named() {
    let (code, stderr) = run(&[(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    )]);

    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("NEON_AUTH_URL"), "{stderr}");
}

#[test]
fn a_malformed_value_is_named() {
    let (code, stderr) = run(&[("JOURNAL__SERVER__PORT", "three thousand")]);

    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("server.port"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_malformed_database_url_is_reported_without_a_panic() {
    let (code, stderr) = run(&[
        (
            "DATABASE_URL",
            "postgres://u:secret-password@h/db?sslmode=sometimes",
        ),
        ("NEON_AUTH_URL", "http://127.0.0.1:9/api/auth"),
    ]);

    assert_ne!(code, 0);
    assert!(stderr.contains("sslmode"), "{stderr}");
    assert!(!stderr.contains("secret-password"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn serve_starts_without_its_issuer_and_answers_503_until_keys_arrive() {
    let database = journal_testkit::TestDatabase::create().await;
    let port = crate::harness::free_port();
    let closed_port = crate::harness::free_port();
    let _server = crate::harness::start_journal(
        &["serve"],
        &[
            ("DATABASE_URL", database.url().to_owned()),
            (
                "NEON_AUTH_URL",
                format!("http://127.0.0.1:{closed_port}/api/auth"),
            ),
            ("PORT", port.to_string()),
            ("JOURNAL__SERVER__HOST", "127.0.0.1".to_owned()),
        ],
        port,
    );

    let response = crate::harness::client()
        .get(format!("http://127.0.0.1:{port}/api/entries"))
        .bearer_auth("eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}
