//! `/healthz` (the process answers) and `/readyz` (the database answers and a signing key is
//! held), for load balancers and orchestrators. Neither needs a token.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::{ApiError, AppState};

/// `GET /healthz`: always `200` while the process serves.
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: `200` when the database answers and the verifier holds a usable key;
/// otherwise `503` naming the check that failed.
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
        return Ok(HttpResponse::Ok().json(json!({ "database": "ok", "jwks": "ok" })));
    }
    let failed: Vec<&str> = [("database", database_ok), ("jwks", keys_ok)]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name)
        .collect();
    Err(ApiError::NotReady(failed.join(" and ")))
}
