//! Who is calling: the extractor that turns a verified bearer token into the caller's
//! [`UserId`], and the claims Neon Auth adds to its tokens.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use journal_auth::actix::{AuthErrorHandler, Authenticated};
use journal_domain::UserId;
use serde::Deserialize;

use crate::{ApiError, AppState};

/// Claims Neon Auth (Better Auth's `jwt` plugin) puts in its tokens beside the standard ones.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NeonClaims {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}

/// The caller, authenticated by a verified token. Also recorded in the request's extensions
/// so the request log can name the user.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser(pub UserId);

impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let authenticated = Authenticated::<NeonClaims>::from_request(request, payload);
        let request = request.clone();
        Box::pin(async move {
            let Authenticated(verified) = authenticated.await?;

            // The verifier checked `sub` is a UUID; a failure here would be our bug.
            let id = uuid::Uuid::try_parse(&verified.subject)
                .map_err(|_| ApiError::Internal("verified subject is not a UUID".into()))?;

            let user = UserId::new(id);
            request.extensions_mut().insert(user);

            let limiter = request
                .app_data::<web::Data<AppState>>()
                .and_then(|state| state.rate_limiter.clone());
            if let Some(limiter) = limiter {
                limiter.check(user)?;
            }
            Ok(Self(user))
        })
    }
}

/// Registered as app data so token refusals become [`ApiError`] responses.
pub(crate) fn auth_error_handler() -> AuthErrorHandler {
    AuthErrorHandler(|refusal, _request| ApiError::from(refusal).into())
}
