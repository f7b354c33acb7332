//! Integration tests of the verifier against a real JWKS server on loopback and tokens signed
//! with real keys.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod attacks;
mod key_cache;
mod load;
mod recent_tokens;
mod token_checks;

use std::time::Duration;

use journal_auth::{NoExtraClaims, Verifier, VerifierConfig};
use journal_testkit::JwksServer;

/// A verifier for the issuer `server` stands in for, with the default rules.
pub fn verifier_for(server: &JwksServer) -> Verifier<NoExtraClaims> {
    Verifier::new(config_for(server)).expect("a valid configuration")
}

/// The default configuration for `server`'s issuer.
pub fn config_for(server: &JwksServer) -> VerifierConfig {
    let jwks_url = url::Url::parse(&server.jwks_url()).expect("a URL");
    let mut config = VerifierConfig::new(jwks_url, server.base_url(), vec![server.base_url()]);
    config.request_timeout = Duration::from_secs(2);
    config
}

pub const SUBJECT: &str = "52c582b6-6d80-46d3-899a-9baba1d0d35f";
