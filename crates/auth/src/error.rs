//! Why a verifier could not be built, and why a token was refused.

/// A mistake in the verifier's configuration, found when it is built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A configuration value is unusable; the message names it.
    #[error("invalid verifier configuration: {0}")]
    Invalid(&'static str),
    /// The HTTP client for fetching keys could not be built.
    #[error("cannot build the JWKS HTTP client: {0}")]
    HttpClient(String),
}

/// Why a token was refused. Messages name the failed check and never contain the token, so
/// they are safe to return to a client and to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token was presented.
    #[error("no bearer token was presented")]
    MissingToken,
    /// The token is longer than the configured cap.
    #[error("the token is longer than {max} bytes")]
    TooLarge {
        /// The cap, in bytes.
        max: usize,
    },
    /// The token is not three base64url segments with a JSON header.
    #[error("the token is malformed: {0}")]
    Malformed(&'static str),
    /// The header's `alg` is not allowed (this covers `none` and HMAC).
    #[error("the token's algorithm is not accepted")]
    AlgorithmNotAllowed,
    /// The header lists `crit` extensions, which this verifier does not understand.
    #[error("the token has critical header parameters this verifier does not support")]
    CriticalHeader,
    /// The token has no `kid` and the key set holds more than one key.
    #[error("the token names no key id and the issuer publishes several keys")]
    KeyIdRequired,
    /// No key with the token's `kid` is published by the issuer.
    #[error("the token's signing key is not published by the issuer")]
    UnknownKey,
    /// The key named by `kid` cannot verify the token's `alg`.
    #[error("the token's algorithm does not match its signing key")]
    KeyAlgorithmMismatch,
    /// The signature does not verify.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// The token has expired.
    #[error("the token has expired")]
    Expired,
    /// `exp` lies further ahead than the configured maximum lifetime.
    #[error("the token expires too far in the future")]
    ExpiresTooLate,
    /// `nbf` lies in the future.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iat` lies in the future.
    #[error("the token was issued in the future")]
    IssuedInFuture,
    /// `iss` is not the configured issuer.
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// `aud` names none of the configured audiences.
    #[error("the token is meant for another audience")]
    WrongAudience,
    /// A required claim is absent.
    #[error("the token lacks the required claim `{0}`")]
    MissingClaim(String),
    /// A claim has the wrong type or shape.
    #[error("the token's claim `{0}` is invalid")]
    InvalidClaim(String),
    /// No usable key is held and the issuer cannot be reached: the fault is the service's.
    #[error("the issuer's signing keys are unavailable")]
    KeysUnavailable,
}

impl AuthError {
    /// True when the failure is the service's (no usable keys), not the token's: callers should
    /// answer "try again later" rather than "sign in again".
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::KeysUnavailable)
    }

    /// A short stable code for logs and metrics, e.g. `expired` or `bad_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingToken => "missing_token",
            Self::TooLarge { .. } => "too_large",
            Self::Malformed(_) => "malformed",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::CriticalHeader => "critical_header",
            Self::KeyIdRequired => "key_id_required",
            Self::UnknownKey => "unknown_key",
            Self::KeyAlgorithmMismatch => "key_algorithm_mismatch",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::ExpiresTooLate => "expires_too_late",
            Self::NotYetValid => "not_yet_valid",
            Self::IssuedInFuture => "issued_in_future",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim(_) => "invalid_claim",
            Self::KeysUnavailable => "keys_unavailable",
        }
    }
}
