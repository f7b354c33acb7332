//! Assembles the actix-web application: state, middleware and routes.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, web};

use crate::identity::auth_error_handler;
use crate::metrics::serve_metrics;
use crate::routes::{entries, fallback, health};
use crate::{ApiError, AppState, web_client};

/// The journal API as an actix-web `App`, ready for `HttpServer::new` or `test::init_service`.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let json_config = web::JsonConfig::default()
        .limit(state.body_limit())
        .error_handler(|error, _request| ApiError::from(error).into());
    let path_config =
        web::PathConfig::default().error_handler(|_error, _request| ApiError::NotFound.into());
    let query_config = web::QueryConfig::default().error_handler(|_error, _request| {
        ApiError::BadQuery(
            "the query string cannot be read; name limit and cursor at most once each".into(),
        )
        .into()
    });

    App::new()
        .app_data(web::Data::new(state.clone()))
        .app_data(web::Data::from(state.verifier.clone()))
        .app_data(auth_error_handler())
        .app_data(json_config)
        .app_data(path_config)
        .app_data(query_config)
        .app_data(web::Data::from(state.metrics.clone()))
        .wrap(state.cors.middleware())
        .wrap(ErrorHandlers::new().default_handler(fallback::problem_for_plain_errors))
        .wrap(from_fn(crate::log::trace_request))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route(
            "/api/openapi.json",
            web::get().to(crate::openapi::serve_openapi),
        )
        .configure(|config| {
            if state.metrics_on_api_port {
                config.route("/metrics", web::get().to(serve_metrics));
            }
            if let Some(client) = &state.web_client {
                config
                    .app_data(web::Data::new(client.clone()))
                    .route("/config.json", web::get().to(web_client::serve_config));
            }
        })
        .service(
            web::resource("/api/entries")
                .route(web::get().to(entries::list_entries))
                .route(web::post().to(entries::create_entry))
                .default_service(web::to(fallback::method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource("/api/entries/{id}")
                .route(web::get().to(entries::get_entry))
                .route(web::put().to(entries::update_entry))
                .route(web::delete().to(entries::delete_entry))
                .default_service(web::to(fallback::method_not_allowed("GET, PUT, DELETE"))),
        )
        .default_service(web::to(web_client::serve_file_or_not_found))
}

/// `GET /metrics` alone, for serving on a port of its own.
pub fn metrics_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::from(state.metrics.clone()))
        .app_data(web::Data::new(state))
        .wrap(ErrorHandlers::new().default_handler(fallback::problem_for_plain_errors))
        .route("/metrics", web::get().to(serve_metrics))
        .default_service(web::to(fallback::not_found))
}
