//! The API's one error type. Every failure a client can see is written here, as
//! `application/problem+json` (RFC 9457) with the right status; causes of our own faults go to
//! the log once, never into a response body.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use journal_auth::AuthError;
use journal_domain::{ContentError, JournalEntry};
use journal_storage::StorageError;
use serde::Serialize;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client is told to wait after a `503`.
const RETRY_AFTER_SECONDS: &str = "5";

/// Everything the API can answer instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The bearer token is missing or was refused.
    #[error("{0}")]
    Unauthenticated(AuthError),
    /// The token is valid but its user has no row in `neon_auth."user"`.
    #[error("the signed-in user is not known to this database")]
    UnknownUser,
    /// A request header has a bad value; the text names it.
    #[error("{0}")]
    BadHeader(String),
    /// The `Idempotency-Key` was used before with different content.
    #[error("this Idempotency-Key was already used with different content")]
    IdempotencyKeyReused,
    /// The query string has a bad parameter.
    #[error("{0}")]
    BadQuery(String),
    /// The caller has no entry with this id (whether or not someone else does).
    #[error("no such entry")]
    EntryNotFound,
    /// `If-Match` named a version that is no longer current.
    #[error("the entry changed since it was read")]
    PreconditionFailed(Box<JournalEntry>),
    /// The body is not well-formed JSON.
    #[error("{0}")]
    MalformedBody(String),
    /// The JSON is well-formed but not a valid entry.
    #[error("{0}")]
    InvalidEntry(String),
    /// The body is larger than the limit.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    /// The body is not `application/json`.
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    /// No route matches the path.
    #[error("no resource at this path")]
    NotFound,
    /// The route exists but not for this method; `allow` lists the methods it serves.
    #[error("this method is not allowed here; use {allow}")]
    MethodNotAllowed { allow: &'static str },
    /// The body did not arrive in time.
    #[error("the request body did not arrive within {seconds} seconds")]
    BodyTimeout { seconds: u64 },
    /// The body uses a content coding this server does not decode.
    #[error("the request body must not be compressed (Content-Encoding is not supported)")]
    UnsupportedEncoding,
    /// A request to the development identity provider is not acceptable; the text says why.
    #[error("{0}")]
    InvalidRequest(String),
    /// A browser's cross-origin request that the CORS policy does not allow.
    #[error("this origin, method or header is not allowed by the server's CORS policy")]
    CorsRefused,
    /// A dependency (the database or the issuer's keys) is unavailable; try again later.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// The database connection broke while a write was in flight: it may have been stored.
    #[error(
        "the connection to the database broke during this write, so it may or may not have \
         been stored; retry it (a create with the same Idempotency-Key is stored only once)"
    )]
    WriteOutcomeUnknown(String),
    /// Too many requests from this user; try again after the given number of seconds.
    #[error("too many requests; slow down")]
    RateLimited { retry_after_seconds: u64 },
    /// A readiness check failed; the text names which.
    #[error("not ready: {0} unavailable")]
    NotReady(String),
    /// A fault of ours. The text goes to the log only.
    #[error("internal error")]
    Internal(String),
    /// Any other error response, rewritten as a problem with only its status.
    #[error("{}", .0.canonical_reason().unwrap_or("error"))]
    Status(StatusCode),
}

/// An RFC 9457 problem document, as every error is answered.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Problem<'a> {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The status's reason phrase.
    title: &'static str,
    /// The HTTP status.
    status: u16,
    /// What went wrong, in words for a person.
    detail: String,
    /// A stable machine-readable code, e.g. `invalid_token` or `entry_changed`.
    code: &'a str,
    /// The id of the request, as in the `X-Request-Id` response header.
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    /// With `412`: the entry as it is now, so the client can show the newer text.
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<&'a JournalEntry>,
}

impl ApiError {
    /// A stable machine-readable code, sent as the problem's `code` member.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(refusal) if refusal.is_unavailable() => "keys_unavailable",
            Self::Unauthenticated(AuthError::MissingToken) => "missing_token",
            Self::Unauthenticated(_) => "invalid_token",
            Self::UnknownUser => "unknown_user",
            Self::BadHeader(_) => "bad_header",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::BadQuery(_) => "bad_query",
            Self::EntryNotFound => "entry_not_found",
            Self::PreconditionFailed(_) => "entry_changed",
            Self::MalformedBody(_) => "malformed_body",
            Self::InvalidEntry(_) => "invalid_entry",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::BodyTimeout { .. } => "body_timeout",
            Self::UnsupportedEncoding => "unsupported_encoding",
            Self::InvalidRequest(_) => "invalid_request",
            Self::CorsRefused => "cors_refused",
            Self::Unavailable(_) => "unavailable",
            Self::WriteOutcomeUnknown(_) => "write_outcome_unknown",
            Self::RateLimited { .. } => "rate_limited",
            Self::NotReady(_) => "not_ready",
            Self::Internal(_) => "internal",
            Self::Status(_) => "error",
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Unauthenticated(refusal) if refusal.is_unavailable() => {
                "the identity provider's signing keys cannot be fetched; try again shortly".into()
            }
            Self::Unavailable(_) => "a dependency is unavailable; try again shortly".into(),
            Self::Internal(_) => "an internal error occurred".into(),
            other => other.to_string(),
        }
    }

    fn log(&self) {
        match self {
            Self::Internal(cause) => tracing::error!(error.cause = %cause, "internal error"),
            Self::Unavailable(cause) => tracing::warn!(error.cause = %cause, "dependency down"),
            Self::WriteOutcomeUnknown(cause) => {
                tracing::warn!(error.cause = %cause, "connection lost during a write");
            }
            Self::Unauthenticated(refusal) => {
                tracing::debug!(auth.refusal = refusal.code(), reason = %refusal, "token refused");
            }
            other => tracing::debug!(error.code = other.code(), "request refused"),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(refusal) if refusal.is_unavailable() => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::UnknownUser => StatusCode::FORBIDDEN,
            Self::BadHeader(_) => StatusCode::BAD_REQUEST,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadQuery(_) => StatusCode::BAD_REQUEST,
            Self::EntryNotFound => StatusCode::NOT_FOUND,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::MalformedBody(_) => StatusCode::BAD_REQUEST,
            Self::InvalidEntry(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedEncoding => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::InvalidRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::CorsRefused => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::WriteOutcomeUnknown(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Status(status) => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();

        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        response.insert_header((header::CACHE_CONTROL, "no-store"));

        match self {
            Self::Unauthenticated(AuthError::MissingToken) => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="journal""#));
            }
            Self::Unauthenticated(refusal) if !refusal.is_unavailable() => {
                let challenge = format!(
                    "Bearer realm=\"journal\", error=\"invalid_token\", \
                     error_description=\"{refusal}\""
                );
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            _ => {}
        }
        if let Self::MethodNotAllowed { allow } = self {
            response.insert_header((header::ALLOW, *allow));
        }
        if let Self::PreconditionFailed(current) = self {
            response.insert_header((
                header::ETAG,
                crate::preconditions::entity_tag(current.version),
            ));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
        }
        if let Self::RateLimited {
            retry_after_seconds,
        } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
        }

        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code(),
            request_id: crate::log::current_request_id(),
            current: match self {
                Self::PreconditionFailed(current) => Some(current),
                _ => None,
            },
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        response.body(body)
    }
}

impl From<AuthError> for ApiError {
    fn from(refusal: AuthError) -> Self {
        Self::Unauthenticated(refusal)
    }
}

impl From<ContentError> for ApiError {
    fn from(error: ContentError) -> Self {
        Self::InvalidEntry(error.to_string())
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::UnknownUser => Self::UnknownUser,
            StorageError::Unavailable(cause) | StorageError::ConnectionLost(cause) => {
                Self::Unavailable(cause)
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// As `From<StorageError>`, for the error of a write: a lost connection means the write
    /// may have committed, and the client is told so.
    pub(crate) fn from_write(error: StorageError) -> Self {
        match error {
            StorageError::ConnectionLost(cause) => Self::WriteOutcomeUnknown(cause),
            other => Self::from(other),
        }
    }
}

impl From<actix_web::error::JsonPayloadError> for ApiError {
    fn from(error: actix_web::error::JsonPayloadError) -> Self {
        use actix_web::error::JsonPayloadError as Json;
        match error {
            Json::OverflowKnownLength { limit, .. } | Json::Overflow { limit } => {
                Self::BodyTooLarge { limit }
            }
            Json::ContentType => Self::UnsupportedMediaType,
            Json::Deserialize(cause) => {
                Self::MalformedBody(format!("the body is not valid JSON: {cause}"))
            }
            _ => Self::MalformedBody("the body could not be read completely".into()),
        }
    }
}
