//! What every handler shares: the database, the token verifier and the request rules.

use std::sync::Arc;

use journal_auth::Verifier;
use journal_domain::ContentRules;
use journal_storage::Database;

use crate::{CorsSettings, Metrics, NeonClaims, UserRateLimiter, WebClient};

/// Shared state of the API. Cheap to clone: every field is reference-counted or small.
#[derive(Clone)]
pub struct AppState {
    pub database: Database,
    pub verifier: Arc<Verifier<NeonClaims>>,
    pub content_rules: ContentRules,
    pub cors: CorsSettings,
    /// Per-user request limit; `None` turns it off.
    pub rate_limiter: Option<Arc<UserRateLimiter>>,
    /// The process's metrics.
    pub metrics: Arc<Metrics>,
    /// Serve `GET /metrics` on the API's own port (otherwise [`crate::metrics_app`] serves it).
    pub metrics_on_api_port: bool,
    /// The browser client and its `/config.json`; `None` serves neither.
    pub web_client: Option<WebClient>,
}

impl AppState {
    /// Largest request body accepted: room for `content` at its maximum size even when every
    /// character is written as a six-byte `\uXXXX` escape, plus the surrounding JSON.
    pub fn body_limit(&self) -> usize {
        self.content_rules
            .max_bytes
            .saturating_mul(6)
            .saturating_add(1024)
    }
}
