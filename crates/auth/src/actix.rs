//! An actix-web extractor for verified tokens, behind the `actix` feature.
//!
//! Register an `Arc<Verifier<C>>` as app data (`web::Data`), then take [`Authenticated<C>`] as
//! a handler argument. How a refusal becomes a response is the application's choice: register
//! an [`AuthErrorHandler`] as app data, or the default answers `401` (or `503` when no key is
//! available) with a `Bearer` challenge and an empty body.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use serde::de::DeserializeOwned;

use crate::{AuthError, Verified, Verifier};

/// A request whose bearer token verified.
#[derive(Debug, Clone)]
pub struct Authenticated<C>(pub Verified<C>);

/// Turns a refusal into the error actix-web answers with.
#[derive(Clone, Copy)]
pub struct AuthErrorHandler(pub fn(AuthError, &HttpRequest) -> actix_web::Error);

impl<C: DeserializeOwned + Clone + 'static> FromRequest for Authenticated<C> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let handler = request
                .app_data::<AuthErrorHandler>()
                .map_or(default_refusal as fn(_, &_) -> _, |handler| handler.0);

            let Some(verifier) = request.app_data::<web::Data<Verifier<C>>>().cloned() else {
                tracing::error!("no Verifier registered as app data for this claims type");
                return Err(handler(AuthError::KeysUnavailable, &request));
            };

            let token = match bearer_token(&request) {
                Ok(token) => token,
                Err(refusal) => return Err(handler(refusal, &request)),
            };

            match verifier.verify(token).await {
                Ok(verified) => Ok(Self(verified)),
                Err(refusal) => Err(handler(refusal, &request)),
            }
        })
    }
}

/// The token from an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
pub fn bearer_token(request: &HttpRequest) -> Result<&str, AuthError> {
    let mut values = request.headers().get_all(header::AUTHORIZATION);
    let value = values.next().ok_or(AuthError::MissingToken)?;
    if values.next().is_some() {
        return Err(AuthError::Malformed(
            "the request has more than one Authorization header",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| AuthError::Malformed("the Authorization header is not ASCII"))?;

    let (scheme, token) = value.split_once(' ').ok_or(AuthError::Malformed(
        "the Authorization header is not `Bearer <token>`",
    ))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MissingToken);
    }

    let token = token.trim_matches(' ');
    if token.is_empty() {
        return Err(AuthError::MissingToken);
    }
    Ok(token)
}

fn default_refusal(refusal: AuthError, _: &HttpRequest) -> actix_web::Error {
    let (status, challenge) = if refusal.is_unavailable() {
        (StatusCode::SERVICE_UNAVAILABLE, None)
    } else {
        (
            StatusCode::UNAUTHORIZED,
            Some(r#"Bearer error="invalid_token""#),
        )
    };
    let mut response = HttpResponse::build(status);
    if let Some(challenge) = challenge {
        response.insert_header((header::WWW_AUTHENTICATE, challenge));
    }
    actix_web::error::InternalError::from_response(refusal, response.finish()).into()
}
