//! The verifier: from a raw token to claims a caller can trust, or the reason it cannot.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::Validation;
use jsonwebtoken::errors::ErrorKind;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::keys::KeyCache;
use crate::recent::RecentTokens;
use crate::{Algorithm, AuthError, SetupError, SubjectFormat, VerifierConfig, unverified};

/// Checks tokens against one issuer. Cheap to share: wrap it in an `Arc` and call
/// [`Verifier::verify`] from any number of tasks.
///
/// `C` is the caller's type for claims beyond the standard ones (for Neon Auth: `email`,
/// `name`, …); the default ignores them.
pub struct Verifier<C = NoExtraClaims> {
    config: Arc<VerifierConfig>,
    keys: KeyCache,
    validations: Vec<(Algorithm, Validation)>,
    recent: RecentTokens<C>,
    extra_claims: PhantomData<fn() -> C>,
}

/// A token whose signature and claims passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<C> {
    /// The `sub` claim, in the configured format.
    pub subject: String,
    /// The `exp` claim, seconds since the Unix epoch.
    pub expires_at: u64,
    /// The `iat` claim, when present.
    pub issued_at: Option<u64>,
    /// The algorithm the token was signed with.
    pub algorithm: Algorithm,
    /// The id of the key that verified it, when the token named one.
    pub key_id: Option<String>,
    /// The caller's own claims.
    pub claims: C,
}

/// The key cache's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyStats {
    /// JWKS fetches attempted since the verifier was built.
    pub fetches: u64,
    /// Of those, the ones that failed.
    pub failures: u64,
    /// Usable keys held now.
    pub keys: usize,
}

/// Claims type for callers that need only the standard claims.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct NoExtraClaims {}

impl<C: DeserializeOwned + Clone> Verifier<C> {
    /// Builds a verifier. No network call happens here; see [`Verifier::refresh_keys`].
    pub fn new(config: VerifierConfig) -> Result<Self, SetupError> {
        config.validate()?;
        let config = Arc::new(config);
        let validations = config
            .algorithms
            .iter()
            .map(|algorithm| (*algorithm, validation_rules(&config, *algorithm)))
            .collect();

        Ok(Self {
            keys: KeyCache::new(Arc::clone(&config))?,
            recent: RecentTokens::new(config.recent_tokens),
            config,
            validations,
            extra_claims: PhantomData,
        })
    }

    /// The configuration this verifier applies.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Fetches the issuer's key set now. Call it at start-up so the first request does not
    /// wait; a failure is logged and returned, and later requests try again.
    pub async fn refresh_keys(&self) -> Result<usize, AuthError> {
        self.keys.refresh().await
    }

    /// Counters of the key cache, for metrics.
    pub fn key_stats(&self) -> KeyStats {
        self.keys.stats()
    }

    /// Number of keys currently held that tokens can be verified with.
    pub fn usable_key_count(&self) -> usize {
        self.keys.usable_key_count()
    }

    /// Verifies `token` (the compact JWS, without any `Bearer ` prefix).
    pub async fn verify(&self, token: &str) -> Result<Verified<C>, AuthError> {
        let header =
            unverified::read_header(token, self.config.max_token_bytes, &self.config.algorithms)?;

        let key_set = self.keys.set_with(header.key_id.as_deref()).await?;
        let leeway = self.config.leeway.as_secs();
        if let Some(earlier) = self.recent.get(token, &key_set, now_seconds(), leeway) {
            return earlier;
        }
        let key = key_set.find(header.key_id.as_deref())?;
        if !key.verifies(header.algorithm) {
            return Err(AuthError::KeyAlgorithmMismatch);
        }

        let validation = self
            .validations
            .iter()
            .find(|(algorithm, _)| *algorithm == header.algorithm)
            .map(|(_, validation)| validation)
            .ok_or(AuthError::AlgorithmNotAllowed)?;
        let payload = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &key.decoding,
            validation,
        )
        .map_err(|error| refusal_for(error.kind()))?
        .claims;

        let verified = self.check_claims(payload, header.algorithm, header.key_id)?;
        self.recent.insert(token, Arc::clone(&key_set), &verified);
        Ok(verified)
    }

    /// Checks the claims `jsonwebtoken` does not know about, then types them. Runs only after
    /// the signature verified.
    fn check_claims(
        &self,
        payload: serde_json::Map<String, serde_json::Value>,
        algorithm: Algorithm,
        key_id: Option<String>,
    ) -> Result<Verified<C>, AuthError> {
        for claim in &self.config.required_claims {
            if payload.get(claim).is_none_or(serde_json::Value::is_null) {
                return Err(AuthError::MissingClaim(claim.clone()));
            }
        }

        let expires_at = payload
            .get("exp")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| AuthError::InvalidClaim("exp".to_owned()))?;

        let latest_expiry =
            now_seconds() + (self.config.max_lifetime + self.config.leeway).as_secs();
        if expires_at > latest_expiry {
            return Err(AuthError::ExpiresTooLate);
        }

        let issued_at = match payload.get("iat") {
            None => None,
            Some(value) => Some(
                value
                    .as_u64()
                    .ok_or(AuthError::InvalidClaim("iat".into()))?,
            ),
        };
        if issued_at.is_some_and(|iat| iat > now_seconds() + self.config.leeway.as_secs()) {
            return Err(AuthError::IssuedInFuture);
        }

        let subject = match payload.get("sub") {
            Some(serde_json::Value::String(sub))
                if subject_is_valid(sub, self.config.subject_format) =>
            {
                sub.clone()
            }
            Some(_) => return Err(AuthError::InvalidClaim("sub".to_owned())),
            None => return Err(AuthError::MissingClaim("sub".to_owned())),
        };

        let claims = serde_json::from_value::<C>(serde_json::Value::Object(payload))
            .map_err(|_| AuthError::InvalidClaim("payload".to_owned()))?;

        Ok(Verified {
            subject,
            expires_at,
            issued_at,
            algorithm,
            key_id,
            claims,
        })
    }
}

/// The one place the rules handed to `jsonwebtoken` are decided.
fn validation_rules(config: &VerifierConfig, algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm.to_jsonwebtoken());
    validation.leeway = config.leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.validate_aud = true;
    validation.set_issuer(&[config.issuer.as_str()]);
    validation.set_audience(&config.audiences);

    let mut required = vec!["exp", "iss", "aud"];
    required.extend(
        config
            .required_claims
            .iter()
            .map(String::as_str)
            .filter(|claim| matches!(*claim, "sub" | "nbf")),
    );
    validation.set_required_spec_claims(&required);
    validation
}

fn refusal_for(kind: &ErrorKind) -> AuthError {
    match kind {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
        ErrorKind::InvalidClaimFormat(claim) => AuthError::InvalidClaim(claim.clone()),
        ErrorKind::InvalidAlgorithm => AuthError::KeyAlgorithmMismatch,
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) | ErrorKind::InvalidToken => {
            AuthError::Malformed("a segment does not decode")
        }
        ErrorKind::Json(_) => AuthError::Malformed("the payload is not a JSON object"),
        _ => AuthError::BadSignature,
    }
}

fn subject_is_valid(subject: &str, format: SubjectFormat) -> bool {
    match format {
        SubjectFormat::Any => !subject.is_empty(),
        SubjectFormat::Uuid => subject.len() == 36 && uuid::Uuid::try_parse(subject).is_ok(),
    }
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyphenated_uuids_pass_the_uuid_format() {
        assert!(subject_is_valid(
            "52c582b6-6d80-46d3-899a-9baba1d0d35f",
            SubjectFormat::Uuid
        ));
        assert!(!subject_is_valid(
            "52c582b66d8046d3899a9baba1d0d35f",
            SubjectFormat::Uuid
        ));
        assert!(!subject_is_valid("admin", SubjectFormat::Uuid));
        assert!(subject_is_valid("admin", SubjectFormat::Any));
        assert!(!subject_is_valid("", SubjectFormat::Any));
    }
}
