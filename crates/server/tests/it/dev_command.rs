//! `journal-server dev`: the main job on one machine, with the built-in identity provider.

use std::time::Duration;

use journal_testkit::TestDatabase;
use serde_json::json;

use crate::harness::{client, dev_token, free_port, start_journal};

#[tokio::test]
async fn dev_prints_a_token_that_round_trips_an_entry_and_stops_cleanly() {
    let database = TestDatabase::create().await;
    let (port, auth_port) = (free_port(), free_port());
    let mut dev = start_journal(
        &["dev"],
        &[
            ("DATABASE_URL", database.url().to_owned()),
            ("PORT", port.to_string()),
            ("JOURNAL__DEV__AUTH_PORT", auth_port.to_string()),
        ],
        port,
    );

    let token = dev.printed_token();
    let api = format!("http://127.0.0.1:{port}/api/entries");

    let created = client()
        .post(&api)
        .bearer_auth(&token)
        .json(&json!({"content": "written in dev"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let listed: serde_json::Value = client()
        .get(&api)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["content"], "written in dev");

    let other = dev_token(auth_port, "someone@example.test").await;
    let others: serde_json::Value = client()
        .get(&api)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(others, json!([]));

    let bad_email = client()
        .post(format!("http://127.0.0.1:{auth_port}/token"))
        .json(&json!({"email": 42}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_email.status(), 422);
    let problem: serde_json::Value = bad_email.json().await.unwrap();
    assert_eq!(problem["code"], "invalid_request");

    let status = dev
        .terminate(Duration::from_secs(15))
        .expect("dev exits after SIGTERM");
    assert!(status.success(), "{status:?}");
}

#[test]
fn dev_refuses_a_database_on_another_machine() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_journal-server"))
        .arg("dev")
        .current_dir(std::env::temp_dir())
        .env(
            "DATABASE_URL",
            "postgresql://u:p@ep-cool-darkness-pooler.example.neon.tech/neondb",
        )
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("only runs against a database on this machine"),
        "{stderr}"
    );
    assert!(!stderr.contains("u:p@"), "{stderr}");
}

#[tokio::test]
async fn dev_builds_a_missing_web_client_with_npm_and_serves_it() {
    let database = TestDatabase::create().await;
    let sources = std::env::temp_dir().join(format!("journal-client-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(sources.join("node_modules")).unwrap();
    let build = "node -e \"require('fs').mkdirSync('dist',{recursive:true});\
                 require('fs').writeFileSync('dist/index.html','<p>built by npm</p>')\"";
    let manifest = json!({"name": "client", "private": true, "scripts": {"build": build}});
    std::fs::write(sources.join("package.json"), manifest.to_string()).unwrap();
    let (port, auth_port) = (free_port(), free_port());

    let mut dev = start_journal(
        &["dev"],
        &[
            ("DATABASE_URL", database.url().to_owned()),
            ("PORT", port.to_string()),
            ("JOURNAL__DEV__AUTH_PORT", auth_port.to_string()),
            (
                "JOURNAL__WEB__DIR",
                sources.join("dist").display().to_string(),
            ),
        ],
        port,
    );
    dev.printed_token();

    let page = client()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.text().await.unwrap(), "<p>built by npm</p>");
    assert!(sources.join("dist/index.html").is_file());

    dev.terminate(Duration::from_secs(15)).unwrap();
    std::fs::remove_dir_all(&sources).unwrap();
}
