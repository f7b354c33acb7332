//! One log line per request: method, route template, status, latency and user id. Never the
//! path's query, a header value, a token or a body.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use journal_domain::UserId;

pub(crate) async fn log_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_owned());

    let response = next.call(request).await?;

    let status = response.status().as_u16();
    let user = response
        .request()
        .extensions()
        .get::<UserId>()
        .map(ToString::to_string);
    let duration_ms = (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0;
    tracing::info!(
        http.method = %method,
        http.route = %route,
        http.status = status,
        duration_ms,
        user.id = user.as_deref(),
        "request finished"
    );
    Ok(response)
}
