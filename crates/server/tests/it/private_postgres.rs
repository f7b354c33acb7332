//! `dev` without a database URL runs a private PostgreSQL cluster: entries and the tokens of an
//! earlier run survive a restart, nothing is left running after SIGTERM, and a `dev` killed
//! outright is recovered from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::harness::{Running, client, free_port, start_journal};

struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start_dev(data: &Path) -> (Running, String, String) {
    start_dev_on(data, free_port())
}

/// `dev` on the private cluster in `data`, with its identity provider on `auth_port`.
fn start_dev_on(data: &Path, auth_port: u16) -> (Running, String, String) {
    let port = free_port();
    let mut dev = start_journal(
        &["dev"],
        &[
            ("PORT", port.to_string()),
            ("JOURNAL__DEV__AUTH_PORT", auth_port.to_string()),
            ("JOURNAL__DEV__DATA_DIR", data.display().to_string()),
        ],
        port,
    );
    let token = dev.printed_token();
    (dev, token, format!("http://127.0.0.1:{port}/api/entries"))
}

fn cluster_processes(data: &Path) -> usize {
    let output = std::process::Command::new("pgrep")
        .args(["-f", &format!("postgres -D {}", data.display())])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).lines().count()
}

#[tokio::test]
async fn entries_survive_a_restart_and_nothing_is_left_running() {
    let folder = Folder(std::env::temp_dir().join(format!("journal-dev-{}", uuid::Uuid::new_v4())));
    let data = folder.0.join("postgres");

    let auth_port = free_port();
    let (mut first, token, api) = start_dev_on(&data, auth_port);
    let created = client()
        .post(&api)
        .bearer_auth(&token)
        .json(&json!({"content": "kept across restarts"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let status = first
        .terminate(Duration::from_secs(60))
        .expect("dev stops on SIGTERM");
    assert!(status.success(), "{status:?}\n{}", first.log_text());
    assert_eq!(
        cluster_processes(&data),
        0,
        "a postgres of the cluster is still running"
    );
    assert!(!data.join("postmaster.pid").exists());

    let (_second, _, api) = start_dev_on(&data, auth_port);
    let listed: serde_json::Value = client()
        .get(&api)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(listed[0]["content"], "kept across restarts", "{listed}");
}

#[tokio::test]
async fn a_dev_killed_outright_is_recovered_and_a_second_dev_is_refused() {
    let folder = Folder(std::env::temp_dir().join(format!("journal-dev-{}", uuid::Uuid::new_v4())));
    let data = folder.0.join("postgres");

    let (mut crashed, _, _) = start_dev(&data);
    let busy = std::process::Command::new(env!("CARGO_BIN_EXE_journal-server"))
        .arg("dev")
        .env_remove("DATABASE_URL")
        .env("PORT", free_port().to_string())
        .env("JOURNAL__DEV__AUTH_PORT", free_port().to_string())
        .env("JOURNAL__DEV__DATA_DIR", data.display().to_string())
        .output()
        .unwrap();
    crashed.child.kill().unwrap();
    crashed.child.wait().unwrap();
    assert_eq!(
        cluster_processes(&data),
        1,
        "the killed dev's cluster is orphaned"
    );

    let (_recovered, token, api) = start_dev(&data);
    let listed = client().get(&api).bearer_auth(&token).send().await.unwrap();

    let refusal = String::from_utf8_lossy(&busy.stderr);
    assert!(!busy.status.success());
    assert!(
        refusal.contains("another journal-server dev is using"),
        "{refusal}"
    );
    assert_eq!(listed.status(), 200);
}
