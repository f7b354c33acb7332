//! The issuer's published keys: parsing a JWKS document into keys we can verify with, and the
//! in-memory cache that fetches it, refreshes it and refetches it for unknown key ids.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use crate::{Algorithm, AuthError, SetupError, VerifierConfig};

/// The background task refreshes keys once this fraction of their freshness has passed.
const REFRESH_AHEAD: f64 = 0.75;

/// Shortest pause of the background task, and the first step of its backoff.
const BACKGROUND_FLOOR: Duration = Duration::from_secs(1);

/// Longest pause between background attempts while the issuer keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Shortest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// One usable public key from the issuer's set.
pub(crate) struct PublishedKey {
    pub key_id: Option<String>,
    pub kind: KeyKind,
    /// The `alg` the issuer pinned this key to, if it did.
    pub pinned_algorithm: Option<Algorithm>,
    pub decoding: DecodingKey,
}

/// The key types we can verify with; each serves exactly one algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Ed25519,
    P256,
    Rsa,
}

impl KeyKind {
    fn algorithm(self) -> Algorithm {
        match self {
            Self::Ed25519 => Algorithm::EdDSA,
            Self::P256 => Algorithm::ES256,
            Self::Rsa => Algorithm::RS256,
        }
    }
}

impl PublishedKey {
    /// True when this key may verify a token whose header says `algorithm`.
    pub fn verifies(&self, algorithm: Algorithm) -> bool {
        self.kind.algorithm() == algorithm && self.pinned_algorithm.is_none_or(|a| a == algorithm)
    }
}

/// A fetched key set and when it stops being fresh.
pub(crate) struct KeySet {
    pub keys: Vec<PublishedKey>,
    fetched_at: Instant,
    fresh_for: Duration,
}

impl KeySet {
    /// The key a token must be verified with, chosen by its `kid`.
    pub fn find(&self, key_id: Option<&str>) -> Result<&PublishedKey, AuthError> {
        match key_id {
            Some(wanted) => self
                .keys
                .iter()
                .find(|key| key.key_id.as_deref() == Some(wanted))
                .ok_or(AuthError::UnknownKey),
            None if self.keys.len() == 1 => Ok(&self.keys[0]),
            None => Err(AuthError::KeyIdRequired),
        }
    }

    fn is_fresh(&self, now: Instant) -> bool {
        now.duration_since(self.fetched_at) < self.fresh_for
    }

    fn is_usable(&self, now: Instant, max_staleness: Duration) -> bool {
        now.duration_since(self.fetched_at) < self.fresh_for + max_staleness
    }
}

/// Holds the current key set and fetches a new one when it is stale or a token names an
/// unknown key. Readers never wait on each other; fetches go one at a time, each in a task of
/// its own so that a caller who goes away (a client hanging up) cannot abandon it half done.
pub(crate) struct KeyCache {
    shared: Arc<Shared>,
}

struct Shared {
    fetches: std::sync::atomic::AtomicU64,
    failures: std::sync::atomic::AtomicU64,
    config: Arc<VerifierConfig>,
    client: reqwest::Client,
    current: arc_swap::ArcSwapOption<KeySet>,
    fetch_gate: Arc<tokio::sync::Mutex<FetchHistory>>,
}

#[derive(Default)]
struct FetchHistory {
    last_attempt: Option<Instant>,
}

impl KeyCache {
    pub fn new(config: Arc<VerifierConfig>) -> Result<Self, SetupError> {
        let client = build_http_client(&config)?;
        let shared = Shared {
            fetches: std::sync::atomic::AtomicU64::new(0),
            failures: std::sync::atomic::AtomicU64::new(0),
            config,
            client,
            current: arc_swap::ArcSwapOption::empty(),
            fetch_gate: Arc::new(tokio::sync::Mutex::new(FetchHistory::default())),
        };
        let shared = Arc::new(shared);

        // With a runtime at hand, a task keeps the keys fresh ahead of their expiry; without
        // one, keys are still fetched on demand.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(keep_fresh(Arc::downgrade(&shared)));
        }

        Ok(Self { shared })
    }

    /// Fetches the key set now, whatever the cache holds. Returns the number of usable keys.
    pub async fn refresh(&self) -> Result<usize, AuthError> {
        let history = Arc::clone(&self.shared.fetch_gate).lock_owned().await;
        let set = self.shared.fetch_and_store(history).await?;
        Ok(set.keys.len())
    }

    /// Number of usable keys held now, fresh or stale-but-usable.
    pub fn usable_key_count(&self) -> usize {
        self.shared.usable_key_count()
    }

    /// A key set that holds the key for `key_id`, fetching when needed and allowed.
    pub async fn set_with(&self, key_id: Option<&str>) -> Result<Arc<KeySet>, AuthError> {
        self.shared.set_with(key_id).await
    }

    /// Fetches attempted and failed since start, and usable keys held now.
    pub fn stats(&self) -> crate::KeyStats {
        use std::sync::atomic::Ordering::Relaxed;
        crate::KeyStats {
            fetches: self.shared.fetches.load(Relaxed),
            failures: self.shared.failures.load(Relaxed),
            keys: self.shared.usable_key_count(),
        }
    }
}

impl Shared {
    fn usable_key_count(&self) -> usize {
        let now = Instant::now();
        self.snapshot()
            .filter(|set| set.is_usable(now, self.config.max_staleness))
            .map_or(0, |set| set.keys.len())
    }

    async fn set_with(self: &Arc<Self>, key_id: Option<&str>) -> Result<Arc<KeySet>, AuthError> {
        let now = Instant::now();
        let held = self.snapshot();

        if let Some(set) = held
            .as_ref()
            .filter(|set| set.is_fresh(now) && set.find(key_id).is_ok())
        {
            return Ok(Arc::clone(set));
        }

        self.fetch_for(key_id, held).await
    }

    /// The fetch path: one caller at a time; a caller that waited reuses what the one before it
    /// fetched; unknown key ids cause at most one fetch per cooldown.
    async fn fetch_for(
        self: &Arc<Self>,
        key_id: Option<&str>,
        seen: Option<Arc<KeySet>>,
    ) -> Result<Arc<KeySet>, AuthError> {
        let history = Arc::clone(&self.fetch_gate).lock_owned().await;
        let now = Instant::now();
        let held = self.snapshot();

        let replaced_while_waiting = match (&held, &seen) {
            (Some(held), Some(seen)) => !Arc::ptr_eq(held, seen),
            (Some(_), None) => true,
            _ => false,
        };
        let cooling_down = history
            .last_attempt
            .is_some_and(|at| now.duration_since(at) < self.config.refetch_cooldown);

        let usable = held
            .as_ref()
            .filter(|set| set.is_usable(now, self.config.max_staleness));
        if let Some(set) = usable {
            let has_key = set.find(key_id).is_ok();
            if has_key && (set.is_fresh(now) || replaced_while_waiting) {
                return Ok(Arc::clone(set));
            }
            if replaced_while_waiting || cooling_down {
                set.find(key_id)?;
                return Ok(Arc::clone(set));
            }
        } else if cooling_down {
            return Err(AuthError::KeysUnavailable);
        }

        match self.fetch_and_store(history).await {
            Ok(set) => {
                set.find(key_id)?;
                Ok(set)
            }
            Err(_) => match held.filter(|set| set.is_usable(now, self.config.max_staleness)) {
                Some(stale) => {
                    stale.find(key_id)?;
                    Ok(stale)
                }
                None => Err(AuthError::KeysUnavailable),
            },
        }
    }

    /// Fetches in a task of its own, which holds the fetch gate until it is done and stores
    /// what it fetched even when the caller has stopped waiting.
    async fn fetch_and_store(
        self: &Arc<Self>,
        mut history: tokio::sync::OwnedMutexGuard<FetchHistory>,
    ) -> Result<Arc<KeySet>, AuthError> {
        let shared = Arc::clone(self);
        let task = tokio::spawn(async move {
            let outcome = shared.fetch_and_store_now().await;
            history.last_attempt = Some(Instant::now());
            outcome
        });
        task.await.unwrap_or(Err(AuthError::KeysUnavailable))
    }

    async fn fetch_and_store_now(&self) -> Result<Arc<KeySet>, AuthError> {
        use std::sync::atomic::Ordering::Relaxed;
        self.fetches.fetch_add(1, Relaxed);
        let url = self.config.jwks_url.as_str();

        match self.fetch().await {
            Ok((keys, max_age)) => {
                let fresh_for = max_age.map_or(self.config.cache_ttl, |age| {
                    age.clamp(
                        self.config.cache_ttl_bounds.0,
                        self.config.cache_ttl_bounds.1,
                    )
                });
                tracing::info!(
                    jwks.url = url,
                    jwks.keys = keys.len(),
                    jwks.fresh_for_s = fresh_for.as_secs(),
                    "fetched the issuer's key set"
                );
                let set = Arc::new(KeySet {
                    keys,
                    fetched_at: Instant::now(),
                    fresh_for,
                });
                self.current.store(Some(Arc::clone(&set)));
                Ok(set)
            }
            Err(failure) => {
                self.failures.fetch_add(1, Relaxed);
                tracing::warn!(jwks.url = url, error = %failure, "fetching the key set failed");
                Err(AuthError::KeysUnavailable)
            }
        }
    }

    async fn fetch(&self) -> Result<(Vec<PublishedKey>, Option<Duration>), FetchFailure> {
        let mut response = self
            .client
            .get(self.config.jwks_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|error| FetchFailure::Transport(error.without_url().to_string()))?;

        let status = response.status();
        if !status.is_success() {
            return Err(FetchFailure::Status(status.as_u16()));
        }

        let max_age = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_max_age);

        let limit = self.config.max_jwks_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(FetchFailure::TooLarge(limit));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| FetchFailure::Transport(error.without_url().to_string()))?
        {
            if body.len() + chunk.len() > limit {
                return Err(FetchFailure::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }

        let keys = parse_key_set(&body, self.config.max_keys)?;
        Ok((keys, max_age))
    }

    fn snapshot(&self) -> Option<Arc<KeySet>> {
        self.current.load_full()
    }

    /// How long the background task waits before its next look at the keys.
    fn next_refresh_in(&self, failures: u32) -> Duration {
        if failures > 0 {
            let backoff = BACKGROUND_FLOOR.saturating_mul(1 << failures.min(8));
            return backoff.min(MAX_BACKOFF);
        }
        match self.snapshot() {
            None => Duration::ZERO,
            Some(set) => {
                let refresh_at = set.fetched_at + set.fresh_for.mul_f64(REFRESH_AHEAD);
                refresh_at
                    .saturating_duration_since(Instant::now())
                    .max(BACKGROUND_FLOOR)
            }
        }
    }

    /// True when no keys are held or they are past the refresh-ahead point.
    fn needs_refresh(&self) -> bool {
        self.snapshot().is_none_or(|set| {
            Instant::now() >= set.fetched_at + set.fresh_for.mul_f64(REFRESH_AHEAD)
        })
    }
}

/// The background task: fetches the keys at start and again before they go stale, backing off
/// while the issuer fails. Ends when the cache is dropped.
async fn keep_fresh(cache: Weak<Shared>) {
    let mut failures: u32 = 0;
    loop {
        let Some(wait) = cache
            .upgrade()
            .map(|shared| shared.next_refresh_in(failures))
        else {
            return;
        };
        tokio::time::sleep(wait).await;

        let Some(shared) = cache.upgrade() else {
            return;
        };
        // A fetch already under way (for an unknown kid, say) makes this one unnecessary.
        let Ok(history) = Arc::clone(&shared.fetch_gate).try_lock_owned() else {
            continue;
        };
        if !shared.needs_refresh() {
            continue;
        }
        failures = match shared.fetch_and_store(history).await {
            Ok(_) => 0,
            Err(_) => failures.saturating_add(1),
        };
    }
}

/// Why a fetch of the key set failed; logged, never shown to a client.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchFailure {
    #[error("request failed: {0}")]
    Transport(String),
    #[error("the issuer answered HTTP {0}")]
    Status(u16),
    #[error("the key set is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the key set is not a JSON object with a keys array")]
    NotAKeySet,
    #[error("the key set has more than {0} keys")]
    TooManyKeys(usize),
    #[error("the key set has no usable key")]
    NoUsableKey,
}

/// Parses a JWKS document, skipping (with a warning) every key we cannot or must not use.
pub(crate) fn parse_key_set(
    body: &[u8],
    max_keys: usize,
) -> Result<Vec<PublishedKey>, FetchFailure> {
    let document: RawKeySet = serde_json::from_slice(body).map_err(|_| FetchFailure::NotAKeySet)?;
    if document.keys.len() > max_keys {
        return Err(FetchFailure::TooManyKeys(max_keys));
    }

    let mut keys = Vec::with_capacity(document.keys.len());
    for raw in document.keys {
        let key_id = raw
            .get("kid")
            .and_then(|kid| kid.as_str())
            .map(str::to_owned);
        match parse_key(raw) {
            Ok(key) => keys.push(key),
            Err(reason) => {
                tracing::warn!(
                    jwks.kid = key_id.as_deref(),
                    reason,
                    "skipping a published key"
                );
            }
        }
    }

    if keys.is_empty() {
        return Err(FetchFailure::NoUsableKey);
    }
    Ok(keys)
}

#[derive(Deserialize)]
struct RawKeySet {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawKey {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

fn parse_key(value: serde_json::Value) -> Result<PublishedKey, &'static str> {
    let raw: RawKey = serde_json::from_value(value).map_err(|_| "not a JWK object")?;

    if raw.usage.as_deref().is_some_and(|usage| usage != "sig") {
        return Err("the key is not for signatures");
    }

    let pinned_algorithm = match raw.alg.as_deref() {
        None => None,
        Some(name) => Some(name.parse::<Algorithm>().map_err(|_| "unsupported alg")?),
    };

    let (kind, decoding) = match (raw.kty.as_str(), raw.crv.as_deref()) {
        ("OKP", Some("Ed25519")) => {
            let x = component(raw.x.as_deref(), 32, "x")?;
            (
                KeyKind::Ed25519,
                DecodingKey::from_ed_components(x).map_err(|_| "bad Ed25519 key")?,
            )
        }
        ("EC", Some("P-256")) => {
            let x = component(raw.x.as_deref(), 32, "x")?;
            let y = component(raw.y.as_deref(), 32, "y")?;
            let key = DecodingKey::from_ec_components(x, y).map_err(|_| "bad P-256 key")?;
            (KeyKind::P256, key)
        }
        ("RSA", _) => {
            let n = raw.n.as_deref().ok_or("missing n")?;
            let e = raw.e.as_deref().ok_or("missing e")?;
            let modulus = URL_SAFE_NO_PAD
                .decode(n)
                .map_err(|_| "n is not base64url")?;
            let significant = modulus.iter().skip_while(|byte| **byte == 0).count();
            if significant * 8 < MIN_RSA_BITS {
                return Err("the RSA modulus is shorter than 2048 bits");
            }
            URL_SAFE_NO_PAD
                .decode(e)
                .map_err(|_| "e is not base64url")?;
            (
                KeyKind::Rsa,
                DecodingKey::from_rsa_components(n, e).map_err(|_| "bad RSA key")?,
            )
        }
        _ => return Err("unsupported kty or crv"),
    };

    if pinned_algorithm.is_some_and(|alg| alg != kind.algorithm()) {
        return Err("the key's alg does not match its type");
    }

    Ok(PublishedKey {
        key_id: raw.kid,
        kind,
        pinned_algorithm,
        decoding,
    })
}

/// A base64url key component that must decode to exactly `length` bytes.
fn component<'a>(
    value: Option<&'a str>,
    length: usize,
    name: &'static str,
) -> Result<&'a str, &'static str> {
    let value = value.ok_or(name)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| "a key component is not base64url")?;
    if bytes.len() != length {
        return Err("a key component has the wrong length");
    }
    Ok(value)
}

fn parse_max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        value
            .trim()
            .trim_matches('"')
            .parse::<u64>()
            .ok()
            .map(Duration::from_secs)
    })
}

fn build_http_client(config: &VerifierConfig) -> Result<reqwest::Client, SetupError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for certificate in rustls_native_certs::load_native_certs().certs {
        // A platform certificate rustls cannot parse is simply not trusted.
        let _ = roots.add(certificate);
    }

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| SetupError::HttpClient(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();

    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .redirect(reqwest::redirect::Policy::limited(2))
        .user_agent(concat!("journal-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| SetupError::HttpClient(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_X: &str = "Ue6LmfS0uGDX5dysXyiRwxOidQqqJsXR0lwA8GRDrbw";

    #[test]
    fn a_neon_auth_key_set_parses() {
        let body = format!(
            r#"{{"keys":[{{"alg":"EdDSA","crv":"Ed25519","x":"{ED_X}","kty":"OKP","kid":"k"}}]}}"#
        );

        let keys = parse_key_set(body.as_bytes(), 32).unwrap();

        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kind, KeyKind::Ed25519);
        assert!(keys[0].verifies(Algorithm::EdDSA));
        assert!(!keys[0].verifies(Algorithm::ES256));
    }

    #[test]
    fn unusable_keys_are_skipped_and_the_rest_still_serve() {
        let body = format!(
            r#"{{"keys":[
                {{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","use":"enc","kid":"enc"}},
                {{"kty":"OKP","crv":"X25519","x":"{ED_X}","kid":"x25519"}},
                {{"kty":"oct","k":"c2VjcmV0","kid":"hmac"}},
                {{"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"short"}},
                {{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","alg":"RS256","kid":"pinned-wrong"}},
                {{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"good"}}
            ]}}"#
        );

        let keys = parse_key_set(body.as_bytes(), 32).unwrap();

        let ids: Vec<_> = keys.iter().map(|key| key.key_id.as_deref()).collect();
        assert_eq!(ids, vec![Some("good")]);
    }

    #[test]
    fn a_set_with_nothing_usable_or_too_many_keys_is_a_failure() {
        let junk = br#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#;
        assert!(matches!(
            parse_key_set(junk, 32),
            Err(FetchFailure::NoUsableKey)
        ));

        let html = b"<html>maintenance</html>";
        assert!(matches!(
            parse_key_set(html, 32),
            Err(FetchFailure::NotAKeySet)
        ));

        let many = format!(
            r#"{{"keys":[{}]}}"#,
            vec![format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}"}}"#); 3].join(",")
        );
        assert!(matches!(
            parse_key_set(many.as_bytes(), 2),
            Err(FetchFailure::TooManyKeys(2))
        ));
    }

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            parse_max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(parse_max_age("no-store"), None);
        assert_eq!(parse_max_age("max-age=abc"), None);
    }
}
