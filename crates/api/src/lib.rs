//! The journal's HTTP API on actix-web: routes, the authenticated-user extractor, CORS, the
//! request log line, and the one error type that answers every failure as
//! `application/problem+json` (RFC 9457).
//!
//! Invariant: this is the only crate that speaks HTTP. It verifies tokens through
//! `journal-auth`'s public interface and reads and writes through `journal-storage`; it never
//! builds SQL and never reads configuration files or the environment.

mod app;
mod cors;
mod dev_identity;
mod error;
mod identity;
mod log;
mod metrics;
mod openapi;
mod paging;
mod preconditions;
mod rate_limit;
mod routes;
mod state;
mod web_client;

pub use app::app;
pub use app::metrics_app;
pub use cors::CorsSettings;
pub use dev_identity::{DevIdentity, IssuedToken, dev_identity_app};
pub use error::ApiError;
pub use identity::NeonClaims;
pub use log::REQUEST_ID_HEADER;
pub use metrics::Metrics;
pub use openapi::ApiDoc;
pub use rate_limit::{RateLimitSettings, UserRateLimiter};
pub use state::AppState;
pub use web_client::{SignIn, WebClient, WebClientError};
