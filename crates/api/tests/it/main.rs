//! Integration tests of the HTTP API, run in-process against the real Postgres (a database
//! per test) and a local JWKS server, with tokens signed by real keys.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod entries;
mod errors;
mod openapi_drift;
mod operator;
mod single_entries;
mod web_client;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use journal_api::{AppState, CorsSettings, NeonClaims};
use journal_auth::{Verifier, VerifierConfig};
use journal_domain::{ContentRules, UserId};
use journal_storage::{ConnectSettings, Database, PoolSettings, ensure_user, run_migrations};
use journal_testkit::{JwksServer, TestDatabase, TestKey, jwks_of, standard_claims};

/// Everything a test needs besides the service itself.
pub struct Fixture {
    pub test_database: TestDatabase,
    pub database: Database,
    pub issuer: JwksServer,
    pub key: TestKey,
}

impl Fixture {
    pub async fn new() -> Self {
        let test_database = TestDatabase::create().await;
        let settings = ConnectSettings::parse(test_database.url()).unwrap();
        run_migrations(&settings).await.unwrap();
        let database = Database::new(settings, PoolSettings::default()).unwrap();
        let key = TestKey::ed25519();
        let issuer = JwksServer::start(&jwks_of(&[&key])).await;
        Self {
            test_database,
            database,
            issuer,
            key,
        }
    }

    pub fn state(&self) -> AppState {
        let jwks_url = url::Url::parse(&self.issuer.jwks_url()).unwrap();
        let issuer = self.issuer.base_url();
        let config = VerifierConfig::new(jwks_url, issuer.clone(), vec![issuer]);
        AppState {
            database: self.database.clone(),
            verifier: Arc::new(Verifier::<NeonClaims>::new(config).unwrap()),
            content_rules: ContentRules::default(),
            cors: CorsSettings::default(),
            rate_limiter: None,
            metrics: Arc::new(journal_api::Metrics::new().unwrap()),
            metrics_on_api_port: true,
            web_client: None,
        }
    }

    /// A user row and a valid token for it.
    pub async fn signed_in(&self, email: &str) -> (UserId, String) {
        let mut connection = self.database.connection().await.unwrap();
        let user = ensure_user(&mut connection, email, "Test").await.unwrap();
        (user, self.token_for(user))
    }

    pub fn token_for(&self, user: UserId) -> String {
        self.key
            .sign(&standard_claims(&self.issuer.base_url(), &user.to_string()))
    }

    pub async fn entry_count(&self) -> i64 {
        self.test_database
            .query_i64("SELECT count(*) FROM journal_entries")
            .await
    }
}

/// A response's status, headers and body parsed as JSON (`Null` when empty).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: serde_json::Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts the answer is a problem+json document with `status`.
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string());
        assert!(self.body["detail"].is_string());
    }
}

pub async fn send<S, B>(service: &S, request: TestRequest) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(service, request.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    let body = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        })
    };
    Answer {
        status,
        headers,
        body,
    }
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}
