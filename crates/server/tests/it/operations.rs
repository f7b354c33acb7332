//! Running the binary as an operator would: graceful shutdown, metrics on their own port, and
//! JSON log lines that carry the request id and never a token.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use journal_testkit::TestDatabase;
use serde_json::json;

use crate::harness::{Running, client, dev_token, free_port, start_journal};

struct DevServer {
    _database: TestDatabase,
    process: Running,
    port: u16,
    auth_port: u16,
}

async fn start_dev(extra: &[(&str, String)]) -> DevServer {
    let database = TestDatabase::create().await;
    let (port, auth_port) = (free_port(), free_port());
    let mut environment = vec![
        ("DATABASE_URL", database.url().to_owned()),
        ("PORT", port.to_string()),
        ("JOURNAL__DEV__AUTH_PORT", auth_port.to_string()),
    ];
    environment.extend(extra.iter().cloned());
    let process = start_journal(&["dev"], &environment, port);
    DevServer {
        _database: database,
        process,
        port,
        auth_port,
    }
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_then_exits_cleanly() {
    a_request_in_flight_outlives("-TERM").await;
}

#[tokio::test]
async fn ctrl_c_lets_a_request_in_flight_finish_then_exits_cleanly() {
    a_request_in_flight_outlives("-INT").await;
}

/// Sends `signal` while a POST's body is half sent, then sends the rest: the POST is answered,
/// the process exits 0 and the port is closed.
async fn a_request_in_flight_outlives(signal: &str) {
    let mut server = start_dev(&[]).await;
    let token = dev_token(server.auth_port, "slow@example.test").await;
    let body = json!({"content": "sent slowly, across a shutdown"}).to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);

    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /api/entries HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{first_half}",
        body.len()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let _ = std::process::Command::new("kill")
        .args([signal, &server.process.child.id().to_string()])
        .status();
    std::thread::sleep(Duration::from_millis(500));
    stream.write_all(second_half.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = server.process.terminate(Duration::from_secs(20));

    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    assert!(status.is_some_and(|status| status.success()), "{status:?}");
    assert!(
        TcpStream::connect(("127.0.0.1", server.port)).is_err(),
        "still accepting"
    );
}

#[tokio::test]
async fn metrics_can_live_on_a_port_of_their_own() {
    let metrics_port = free_port();
    let server = start_dev(&[("JOURNAL__METRICS__PORT", metrics_port.to_string())]).await;
    let token = dev_token(server.auth_port, "m@example.test").await;
    client()
        .get(format!("http://127.0.0.1:{}/api/entries", server.port))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    let on_api_port = client()
        .get(format!("http://127.0.0.1:{}/metrics", server.port))
        .send()
        .await
        .unwrap();
    let text = client()
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert_eq!(on_api_port.status(), 404);
    assert!(
        text.contains(r#"route="/api/entries",status="200""#),
        "{text}"
    );
}

#[tokio::test]
async fn every_log_line_of_a_request_carries_its_id_and_never_the_token() {
    let server = start_dev(&[]).await;
    let token = dev_token(server.auth_port, "log@example.test").await;

    let response = client()
        .post(format!("http://127.0.0.1:{}/api/entries", server.port))
        .bearer_auth(&token)
        .header("X-Request-Id", "trace-me-123")
        .json(&json!({"content": "a private thought"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    std::thread::sleep(Duration::from_millis(200));

    let log = server.process.log_text();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let finished: Vec<_> = lines
        .iter()
        .filter(|line| {
            line["message"] == "request finished" && line["http.route"] == "/api/entries"
        })
        .collect();
    assert_eq!(finished.len(), 1, "{log}");
    let line = finished[0];
    assert_eq!(line["span"]["request.id"], "trace-me-123", "{line}");
    assert_eq!(line["http.route"], "/api/entries");
    assert_eq!(line["http.status"], 201);
    assert!(line["user.id"].is_string());
    assert!(line["duration_ms"].is_number());
    assert!(!log.contains(&token), "the token reached the log");
    assert!(
        !log.contains("a private thought"),
        "entry content reached the log"
    );
}

#[tokio::test]
async fn a_create_retried_after_a_dropped_connection_leaves_exactly_one_entry() {
    let server = start_dev(&[]).await;
    let token = dev_token(server.auth_port, "retry@example.test").await;
    let api = format!("http://127.0.0.1:{}/api/entries", server.port);
    let body = json!({"content": "written once, sent twice"}).to_string();

    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        stream,
        "POST /api/entries HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nIdempotency-Key: dropped-1\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    drop(stream);
    std::thread::sleep(Duration::from_millis(300));

    let retry = client()
        .post(&api)
        .bearer_auth(&token)
        .header("Idempotency-Key", "dropped-1")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let listed: serde_json::Value = client()
        .get(&api)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(retry.status(), 201);
    let entries = listed.as_array().unwrap();
    println!(
        "dropped-connection retry: requests sent 2, answered 1 ({}), entries expected 1, found {}",
        retry
            .headers()
            .get("idempotent-replayed")
            .map_or("created", |_| "replayed"),
        entries.len()
    );
    assert_eq!(entries.len(), 1, "{listed}");
}
