//! Answers for requests no route takes.

use actix_web::dev::ServiceResponse;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError, http::header};

use crate::ApiError;
use crate::error::PROBLEM_JSON;

/// Any path without a route.
pub(crate) async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// The answer for a method a resource does not serve, naming those it does.
pub(crate) fn method_not_allowed(
    allow: &'static str,
) -> impl Fn() -> std::future::Ready<Result<HttpResponse, ApiError>> + Clone + 'static {
    move || std::future::ready(Err(ApiError::MethodNotAllowed { allow }))
}

/// Rewrites an error response that is not yet problem+json (from actix itself or a
/// middleware such as CORS) into one, keeping its status and headers.
pub(crate) fn problem_for_plain_errors<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let already_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_JSON.as_bytes());
    if already_problem {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }

    let (request, original) = response.into_parts();
    let cross_origin_refused = original.status() == actix_web::http::StatusCode::BAD_REQUEST
        && request.headers().contains_key(header::ORIGIN);
    let error = if cross_origin_refused {
        ApiError::CorsRefused
    } else {
        ApiError::Status(original.status())
    };
    let mut problem = error.error_response();
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }

    let rewritten = ServiceResponse::new(request, problem).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(rewritten))
}
