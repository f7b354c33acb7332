//! What a [`crate::Verifier`] checks and how it fetches keys; every field has a safe default.

use std::time::Duration;

use url::Url;

use crate::{Algorithm, SetupError};

/// The rules a verifier applies and the limits of its key fetching.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// Where the issuer publishes its key set. Never taken from a token.
    pub jwks_url: Url,
    /// The exact `iss` value accepted.
    pub issuer: String,
    /// `aud` values accepted; a token passes when its `aud` (a string or an array) names one.
    /// Must not be empty: the audience is never silently unchecked.
    pub audiences: Vec<String>,
    /// Algorithms accepted. Default: EdDSA, ES256, RS256.
    pub algorithms: Vec<Algorithm>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`. Default: 30 s.
    pub leeway: Duration,
    /// Shortest time between two fetches caused by unknown `kid`s. Default: 30 s.
    pub refetch_cooldown: Duration,
    /// How long a fetched key set is used when the issuer sends no `Cache-Control: max-age`.
    /// Default: 10 min.
    pub cache_ttl: Duration,
    /// Bounds the issuer's `max-age` is clamped to. Default: 1 min to 24 h.
    pub cache_ttl_bounds: (Duration, Duration),
    /// Keys are still used this long past `cache_ttl` while the issuer cannot be reached.
    /// Default: 24 h.
    pub max_staleness: Duration,
    /// Tokens whose `exp` lies further ahead than this are refused. Default: 24 h.
    pub max_lifetime: Duration,
    /// Timeout for connecting to the issuer. Default: 5 s.
    pub connect_timeout: Duration,
    /// Timeout for a whole JWKS request. Default: 10 s.
    pub request_timeout: Duration,
    /// Largest JWKS document read, in bytes. Default: 64 KiB.
    pub max_jwks_bytes: usize,
    /// Most keys taken from one document. Default: 32.
    pub max_keys: usize,
    /// Tokens longer than this many bytes are refused before any parsing. Default: 8 KiB.
    pub max_token_bytes: usize,
    /// Claims that must be present besides `exp`, `iss` and `aud`. Default: `["sub"]`.
    pub required_claims: Vec<String>,
    /// The shape `sub` must have. Default: [`SubjectFormat::Uuid`].
    pub subject_format: SubjectFormat,
    /// How many recently verified tokens are remembered, so the same token presented again
    /// skips the signature check while the key set that verified it is current (`exp` is
    /// still checked each time). Zero turns this off. Default: 4096.
    pub recent_tokens: usize,
}

/// The format a token's `sub` must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectFormat {
    /// Any non-empty string.
    Any,
    /// A UUID in its hyphenated form, as Neon Auth issues.
    Uuid,
}

impl VerifierConfig {
    /// Defaults for Neon Auth: keys at `<auth_url>/.well-known/jwks.json`, issuer and audience
    /// both the origin of `auth_url`.
    pub fn for_neon_auth(auth_url: &Url) -> Result<Self, SetupError> {
        let origin = origin_of(auth_url)?;
        let jwks_url = join_path(auth_url, ".well-known/jwks.json")?;
        Ok(Self::new(jwks_url, origin.clone(), vec![origin]))
    }

    /// A configuration with the given key location, issuer and audiences, and defaults for
    /// everything else.
    pub fn new(jwks_url: Url, issuer: String, audiences: Vec<String>) -> Self {
        Self {
            jwks_url,
            issuer,
            audiences,
            algorithms: vec![Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256],
            leeway: Duration::from_secs(30),
            refetch_cooldown: Duration::from_secs(30),
            cache_ttl: Duration::from_secs(600),
            cache_ttl_bounds: (Duration::from_secs(60), Duration::from_secs(24 * 3600)),
            max_staleness: Duration::from_secs(24 * 3600),
            max_lifetime: Duration::from_secs(24 * 3600),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            max_jwks_bytes: 64 * 1024,
            max_keys: 32,
            max_token_bytes: 8 * 1024,
            required_claims: vec!["sub".to_owned()],
            subject_format: SubjectFormat::Uuid,
            recent_tokens: 4096,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), SetupError> {
        if self.issuer.is_empty() {
            return Err(SetupError::Invalid("the issuer must not be empty"));
        }
        if self.audiences.is_empty() || self.audiences.iter().any(String::is_empty) {
            return Err(SetupError::Invalid(
                "at least one non-empty audience is required",
            ));
        }
        if self.algorithms.is_empty() {
            return Err(SetupError::Invalid(
                "at least one algorithm must be allowed",
            ));
        }
        if self.cache_ttl_bounds.0 > self.cache_ttl_bounds.1 {
            return Err(SetupError::Invalid("the cache TTL bounds are reversed"));
        }
        if !matches!(self.jwks_url.scheme(), "https" | "http") {
            return Err(SetupError::Invalid("the JWKS URL must use https or http"));
        }
        Ok(())
    }
}

/// `scheme://host[:port]` of a URL, the form Neon Auth puts in `iss` and `aud`.
pub(crate) fn origin_of(url: &Url) -> Result<String, SetupError> {
    let origin = url.origin();
    if !origin.is_tuple() {
        return Err(SetupError::Invalid(
            "the auth URL has no origin (scheme and host)",
        ));
    }
    Ok(origin.ascii_serialization())
}

fn join_path(base: &Url, tail: &str) -> Result<Url, SetupError> {
    let mut joined = base.clone();
    let path = format!("{}/{tail}", base.path().trim_end_matches('/'));
    joined.set_path(&path);
    joined.set_query(None);
    joined.set_fragment(None);
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neon_auth_defaults_take_the_origin_and_append_the_well_known_path() {
        let url = Url::parse("https://ep-x.neonauth.example.tech/neondb/auth/").unwrap();

        let config = VerifierConfig::for_neon_auth(&url).unwrap();

        assert_eq!(
            config.jwks_url.as_str(),
            "https://ep-x.neonauth.example.tech/neondb/auth/.well-known/jwks.json"
        );
        assert_eq!(config.issuer, "https://ep-x.neonauth.example.tech");
        assert_eq!(
            config.audiences,
            vec!["https://ep-x.neonauth.example.tech".to_owned()]
        );
    }

    #[test]
    fn a_port_stays_in_the_origin() {
        let url = Url::parse("http://127.0.0.1:3100/api/auth").unwrap();

        let config = VerifierConfig::for_neon_auth(&url).unwrap();

        assert_eq!(config.issuer, "http://127.0.0.1:3100");
        assert_eq!(
            config.jwks_url.as_str(),
            "http://127.0.0.1:3100/api/auth/.well-known/jwks.json"
        );
    }

    #[test]
    fn an_empty_audience_list_is_a_setup_error() {
        let url = Url::parse("http://127.0.0.1:3100").unwrap();
        let mut config = VerifierConfig::for_neon_auth(&url).unwrap();
        config.audiences.clear();

        assert!(config.validate().is_err());
    }
}
