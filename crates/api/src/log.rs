//! The edge of every request: its id (taken from a sane `X-Request-Id` or made up), a tracing
//! span that puts the id in every log line of the request, the one INFO line when it ends
//! (method, route template, status, latency, user id; never the query, a header value, a token
//! or a body), and the request metrics.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use journal_domain::UserId;
use tracing::Instrument;

use crate::metrics::Metrics;

/// The header a request id travels in, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest client-chosen request id kept.
const MAX_REQUEST_ID_LENGTH: usize = 128;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, for problem bodies.
pub(crate) fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

pub(crate) async fn trace_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_sane(id))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let method = request.method().clone();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let metrics = request.app_data::<actix_web::web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request.id = %request_id);

    let outcome = REQUEST_ID
        .scope(request_id.clone(), next.call(request))
        .instrument(span.clone())
        .await;
    let mut response = outcome?;

    let status = response.status().as_u16();
    let user = response
        .request()
        .extensions()
        .get::<UserId>()
        .map(ToString::to_string);
    let elapsed = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    if let Some(metrics) = metrics {
        metrics.observe_request(&route, method.as_str(), status, elapsed);
    }
    span.in_scope(|| {
        tracing::info!(
            http.method = %method,
            http.route = %route,
            http.status = status,
            duration_ms = (elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0,
            user.id = user.as_deref(),
            "request finished"
        );
    });
    Ok(response)
}

/// A client's request id is kept when it is short and plain; anything else is replaced, so
/// nothing a client sends can forge log structure.
fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LENGTH
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        assert!(is_sane("3f2a-77:retry.1_b"));
        assert!(!is_sane(""));
        assert!(!is_sane("has space"));
        assert!(!is_sane("line\nbreak"));
        assert!(!is_sane(&"a".repeat(129)));
    }
}
