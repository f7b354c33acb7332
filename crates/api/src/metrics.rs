//! Prometheus metrics: requests by route template, method and status; a latency histogram;
//! the pool's size, use and waiters; the key cache's fetches, failures and keys. Request
//! metrics are recorded as requests end; the others are read when `/metrics` is scraped.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::{ApiError, AppState};

/// The API's metrics registry. One per process; cheap to share behind `web::Data`.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_max: IntGauge,
    pool_open: IntGauge,
    pool_in_use: IntGauge,
    pool_waiting: IntGauge,
    jwks_fetches: IntGauge,
    jwks_failures: IntGauge,
    jwks_keys: IntGauge,
}

impl Metrics {
    /// Registers every metric. Fails only on a programming mistake (a duplicate name).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let labels = ["route", "method", "status"];
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer a request")
                .buckets(vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ]),
            &["route", "method"],
        )?;
        let gauge = |name: &str, help: &str| IntGauge::new(name, help);
        let metrics = Self {
            pool_max: gauge("db_pool_max_connections", "Largest size of the pool")?,
            pool_open: gauge("db_pool_connections", "Connections open in the pool")?,
            pool_in_use: gauge("db_pool_connections_in_use", "Connections lent out")?,
            pool_waiting: gauge("db_pool_waiters", "Requests waiting for a connection")?,
            jwks_fetches: gauge("jwks_fetches_total", "JWKS fetches attempted")?,
            jwks_failures: gauge("jwks_fetch_failures_total", "JWKS fetches that failed")?,
            jwks_keys: gauge("jwks_keys", "Usable signing keys held")?,
            requests,
            latency,
            registry,
        };

        metrics
            .registry
            .register(Box::new(metrics.requests.clone()))?;
        metrics
            .registry
            .register(Box::new(metrics.latency.clone()))?;
        for gauge in metrics.gauges() {
            metrics.registry.register(Box::new(gauge.clone()))?;
        }
        Ok(metrics)
    }

    /// Records one answered request.
    pub(crate) fn observe_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let status = status.to_string();
        self.requests
            .with_label_values(&[route, method, status.as_str()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(took.as_secs_f64());
    }

    /// The text exposition of every metric, with the pool and key gauges read now.
    pub fn render(&self, state: &AppState) -> Result<String, prometheus::Error> {
        let pool = state.database.status();
        self.pool_max.set(to_gauge(pool.max_size));
        self.pool_open.set(to_gauge(pool.open));
        self.pool_in_use.set(to_gauge(pool.in_use));
        self.pool_waiting.set(to_gauge(pool.waiting));

        let keys = state.verifier.key_stats();
        self.jwks_fetches
            .set(i64::try_from(keys.fetches).unwrap_or(i64::MAX));
        self.jwks_failures
            .set(i64::try_from(keys.failures).unwrap_or(i64::MAX));
        self.jwks_keys.set(to_gauge(keys.keys));

        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }

    fn gauges(&self) -> [&IntGauge; 7] {
        [
            &self.pool_max,
            &self.pool_open,
            &self.pool_in_use,
            &self.pool_waiting,
            &self.jwks_fetches,
            &self.jwks_failures,
            &self.jwks_keys,
        ]
    }
}

fn to_gauge(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// `GET /metrics`.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", body = String,
               content_type = "text/plain"))
)]
pub(crate) async fn serve_metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let text = metrics
        .render(&state)
        .map_err(|error| ApiError::Internal(format!("rendering metrics failed: {error}")))?;
    Ok(HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(text))
}
