//! TLS to the local server (whose certificate is Debian's self-signed one): `require`
//! encrypts, `disable` does not, and verifying modes refuse an untrusted certificate clearly.

use journal_storage::{ConnectSettings, run_migrations};
use journal_testkit::TestDatabase;

async fn encrypted(url: &str) -> bool {
    let client = ConnectSettings::parse(url)
        .unwrap()
        .connect_raw()
        .await
        .unwrap();
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    row.get(0)
}

#[tokio::test]
async fn sslmode_require_connects_over_tls() {
    let test_database = TestDatabase::create().await;

    assert!(encrypted(&test_database.url_with_query("sslmode=require")).await);
}

#[tokio::test]
async fn sslmode_disable_connects_in_plain_text() {
    let test_database = TestDatabase::create().await;

    assert!(!encrypted(&test_database.url_with_query("sslmode=disable")).await);
}

#[tokio::test]
async fn migrations_and_queries_work_over_tls() {
    let test_database = TestDatabase::create().await;
    let url = test_database.url_with_query("sslmode=require&application_name=tls-test");
    let settings = ConnectSettings::parse(&url).unwrap();

    let applied = run_migrations(&settings).await.unwrap();

    assert_eq!(applied.len(), 3);
}

#[tokio::test]
async fn verify_full_refuses_an_untrusted_certificate_with_a_clear_message() {
    let test_database = TestDatabase::create().await;
    let settings =
        ConnectSettings::parse(&test_database.url_with_query("sslmode=verify-full")).unwrap();

    let error = settings.connect_raw().await.unwrap_err();

    let message = format!("{error}: {:?}", std::error::Error::source(&error));
    assert!(message.to_lowercase().contains("certificate"), "{message}");
}

#[tokio::test]
async fn verify_ca_accepts_the_server_when_its_certificate_is_the_root() {
    let test_database = TestDatabase::create().await;
    let query = "sslmode=verify-ca&sslrootcert=/etc/ssl/certs/ssl-cert-snakeoil.pem";
    if !std::path::Path::new("/etc/ssl/certs/ssl-cert-snakeoil.pem").exists() {
        panic!("the test needs Debian's snakeoil certificate (package ssl-cert)");
    }

    assert!(encrypted(&test_database.url_with_query(query)).await);
}

#[tokio::test]
async fn channel_binding_require_logs_in_with_scram_bound_to_the_tls_channel() {
    let test_database = TestDatabase::create().await;
    let url = test_database
        .scram_url("sslmode=require&channel_binding=require")
        .await;

    assert!(encrypted(&url).await, "a bound SCRAM login over TLS");
    let settings = ConnectSettings::parse(&url).unwrap();
    run_migrations(&settings).await.unwrap();
}

#[tokio::test]
async fn channel_binding_require_refuses_a_server_that_cannot_bind_with_a_clear_message() {
    let test_database = TestDatabase::create().await;
    let url = test_database
        .scram_url("sslmode=disable&channel_binding=require")
        .await;
    let settings = ConnectSettings::parse(&url).unwrap();

    let refusal = settings
        .connect()
        .await
        .err()
        .expect("no binding without TLS");

    let message = refusal.to_string();
    println!("{message}");
    assert!(message.contains("channel binding"), "{message}");
    assert!(
        !message.contains("journal-scram-test-password"),
        "{message}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_not_echoed() {
    let test_database = TestDatabase::create().await;
    let url = test_database
        .scram_url("sslmode=require&channel_binding=require")
        .await
        .replace("journal-scram-test-password", "not-the-password");
    let settings = ConnectSettings::parse(&url).unwrap();

    let message = settings.connect().await.err().expect("refused").to_string();

    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert!(!message.contains("not-the-password"), "{message}");
}
