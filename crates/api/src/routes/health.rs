//! `/healthz` (the process answers) and `/readyz` (the database answers and a signing key is
//! held), for load balancers and orchestrators. Neither needs a token.

use crate::error::Problem;
use crate::openapi::{Health, Readiness};
use crate::{ApiError, AppState};
use actix_web::{HttpResponse, web};

/// `GET /healthz`: always `200` while the process serves.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process serves", body = Health))
)]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// `GET /readyz`: `200` when the database answers and the verifier holds a usable key;
/// otherwise `503` naming the check that failed.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "The database or the signing keys are unavailable",
         body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let database_ok = match state.database.ping().await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(error = %error, "readiness: the database does not answer");
            false
        }
    };
    let keys_ok = state.verifier.usable_key_count() > 0;

    if database_ok && keys_ok {
        return Ok(HttpResponse::Ok().json(Readiness {
            database: "ok",
            jwks: "ok",
        }));
    }
    let failed: Vec<&str> = [("database", database_ok), ("jwks", keys_ok)]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name)
        .collect();
    Err(ApiError::NotReady(failed.join(" and ")))
}
