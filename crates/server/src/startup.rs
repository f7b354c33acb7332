//! Start-up steps shared by `serve` and `dev`: turning settings into the pool and the
//! verifier, and running the HTTP server until a shutdown signal.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpServer;
use journal_api::{
    AppState, CorsSettings, Metrics, NeonClaims, RateLimitSettings, SignIn, UserRateLimiter,
    WebClient,
};
use journal_auth::{Verifier, VerifierConfig};
use journal_domain::ContentRules;
use journal_storage::{ConnectSettings, Database, PoolSettings, StorageError};
use url::Url;

use crate::settings::{AuthSettings, Settings, SettingsError};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("database: {0}")]
    Storage(#[from] StorageError),
    #[error("auth: {0}")]
    Auth(#[from] journal_auth::SetupError),
    #[error("cannot listen on {address}: {cause}")]
    Bind {
        address: String,
        cause: std::io::Error,
    },
    #[error("server error: {0}")]
    Server(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

impl StartupError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Settings(_) => 2,
            _ => 1,
        }
    }
}

/// The pool described by the settings, over `connect`.
pub fn database(settings: &Settings, connect: ConnectSettings) -> Result<Database, StartupError> {
    let limits = PoolSettings {
        max_size: settings.database.max_connections,
        checkout_timeout: Duration::from_millis(settings.database.checkout_timeout_ms),
    };
    Ok(Database::new(connect, limits)?)
}

/// The verifier's configuration: Neon Auth defaults from `neon_auth_url` (or `auth_url`
/// when given), overridden by any explicit `[auth]` value.
pub fn verifier_config(
    auth: &AuthSettings,
    auth_url: Option<&Url>,
) -> Result<VerifierConfig, StartupError> {
    let named = match auth_url {
        Some(url) => Some(url.clone()),
        None if auth.neon_auth_url.trim().is_empty() => None,
        None => Some(Url::parse(auth.neon_auth_url.trim()).map_err(|error| {
            SettingsError::Invalid(format!("auth.neon_auth_url (NEON_AUTH_URL): {error}"))
        })?),
    };

    let mut config = match named {
        Some(url) => VerifierConfig::for_neon_auth(&url)?,
        None => {
            let missing = auth.jwks_url.is_empty() || auth.issuer.is_empty();
            if missing || auth.audiences.is_empty() {
                return Err(SettingsError::Invalid(
                    "auth.neon_auth_url is not set (set NEON_AUTH_URL, or auth.jwks_url, \
                     auth.issuer and auth.audiences)"
                        .into(),
                )
                .into());
            }
            let jwks_url = Url::parse(&auth.jwks_url)
                .map_err(|error| SettingsError::Invalid(format!("auth.jwks_url: {error}")))?;
            VerifierConfig::new(jwks_url, auth.issuer.clone(), auth.audiences.clone())
        }
    };

    if auth_url.is_none() {
        if !auth.jwks_url.is_empty() {
            config.jwks_url = Url::parse(&auth.jwks_url)
                .map_err(|error| SettingsError::Invalid(format!("auth.jwks_url: {error}")))?;
        }
        if !auth.issuer.is_empty() {
            config.issuer = auth.issuer.clone();
        }
        if !auth.audiences.is_empty() {
            config.audiences = auth.audiences.clone();
        }
    }
    config.algorithms = auth.algorithms.clone();
    config.leeway = Duration::from_secs(auth.leeway_seconds);
    config.refetch_cooldown = Duration::from_secs(auth.refetch_cooldown_seconds);
    config.cache_ttl = Duration::from_secs(auth.cache_ttl_seconds);
    config.max_token_bytes = auth.max_token_bytes;
    config.recent_tokens = auth.recent_tokens;

    if !fetched_privately(&config.jwks_url) {
        tracing::warn!(
            jwks.url = %config.jwks_url,
            "the issuer's keys are fetched over plain http: anyone on the way can swap them; \
             use https"
        );
    }
    Ok(config)
}

/// Whether keys fetched from `url` cannot be swapped on the way: https, or this machine.
fn fetched_privately(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    url.scheme() == "https" || loopback
}

/// The shared state for the API. The verifier fetches its keys in a background task from the
/// start, so the server starts even when the issuer is unreachable.
pub fn app_state(
    settings: &Settings,
    database: Database,
    verifier_config: VerifierConfig,
    sign_in: Option<SignIn>,
) -> Result<AppState, StartupError> {
    let verifier = Arc::new(Verifier::<NeonClaims>::new(verifier_config)?);
    let web_client = sign_in
        .map(|sign_in| web_client(settings, sign_in))
        .transpose()?;

    Ok(AppState {
        database,
        verifier,
        content_rules: ContentRules {
            max_bytes: settings.entries.max_content_bytes,
        },
        cors: CorsSettings {
            allowed_origins: settings.cors.allowed_origins.clone(),
            ..CorsSettings::default()
        },
        rate_limiter: UserRateLimiter::new(RateLimitSettings {
            requests_per_second: settings.rate_limit.requests_per_second,
            burst: settings.rate_limit.burst,
        })
        .map(Arc::new),
        metrics: Arc::new(
            Metrics::new().map_err(|error| StartupError::Other(format!("metrics: {error}")))?,
        ),
        metrics_on_api_port: settings.metrics.port == 0,
        web_client,
    })
}

fn web_client(settings: &Settings, sign_in: SignIn) -> Result<WebClient, StartupError> {
    let folder = Some(settings.web.dir.trim())
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from);
    let client = WebClient::new(folder.clone(), sign_in)
        .map_err(|error| StartupError::Other(format!("web client: {error}")))?;

    match (client.folder(), folder) {
        (Some(served), _) => tracing::info!(web.dir = %served.display(), "serving the web client"),
        (None, Some(wanted)) => tracing::warn!(
            web.dir = %wanted.display(),
            "no web client build (index.html) there; build it with \
             `npm --prefix web ci && npm --prefix web run build`"
        ),
        (None, None) => tracing::info!("web client off (web.dir is empty)"),
    }
    Ok(client)
}

/// Serves the API on `host:port` (and metrics on their own port when configured) until
/// SIGTERM or SIGINT; requests in flight get the shutdown timeout to finish; then the pool
/// closes.
pub async fn run_api(settings: &Settings, state: AppState, host: &str) -> Result<(), StartupError> {
    let database = state.database.clone();
    let address = format!("{host}:{}", settings.server.port);
    let metrics_server = match settings.metrics.port {
        0 => None,
        port => Some(metrics_server(state.clone(), host, port)?),
    };

    let for_workers = state;
    let mut server = HttpServer::new(move || journal_api::app(for_workers.clone()))
        .shutdown_timeout(settings.server.shutdown_timeout_seconds);
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    let server = server
        .disable_signals()
        .bind(&address)
        .map_err(|cause| StartupError::Bind {
            address: address.clone(),
            cause,
        })?
        .run();
    actix_web::rt::spawn(stop_on_signal(server.handle()));

    tracing::info!(http.address = %address, "journal API listening");
    let outcome = server.await;

    if let Some(metrics) = metrics_server {
        metrics.stop(true).await;
    }
    database.close();
    tracing::info!("journal API stopped");
    Ok(outcome?)
}

/// Stops `server` gracefully at the first SIGTERM or SIGINT (Ctrl-C): no new connections,
/// requests in flight get the shutdown timeout. A second signal stops it at once. (actix-web's
/// own handling would treat SIGINT as a forced stop and drop requests in flight.)
async fn stop_on_signal(server: actix_web::dev::ServerHandle) {
    use tokio::signal::unix::{SignalKind, signal};

    let (Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for SIGTERM and SIGINT; stop the server with SIGKILL");
        return;
    };

    let received = tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    };
    tracing::info!(
        signal = received,
        "shutting down: finishing requests in flight"
    );
    let graceful = server.stop(true);

    tokio::select! {
        () = graceful => {}
        _ = terminate.recv() => stop_at_once(&server).await,
        _ = interrupt.recv() => stop_at_once(&server).await,
    }
}

async fn stop_at_once(server: &actix_web::dev::ServerHandle) {
    tracing::warn!("second shutdown signal: stopping without waiting for requests in flight");
    server.stop(false).await;
}

fn metrics_server(
    state: AppState,
    host: &str,
    port: u16,
) -> Result<actix_web::dev::ServerHandle, StartupError> {
    let address = format!("{host}:{port}");
    let server = HttpServer::new(move || journal_api::metrics_app(state.clone()))
        .workers(1)
        .disable_signals()
        .bind(&address)
        .map_err(|cause| StartupError::Bind {
            address: address.clone(),
            cause,
        })?
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    tracing::info!(http.address = %address, "metrics listening");
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_over_https_or_from_this_machine_are_private_and_plain_http_elsewhere_is_not() {
        let private = |text: &str| fetched_privately(&Url::parse(text).unwrap());

        assert!(private("https://auth.example.com/.well-known/jwks.json"));
        assert!(private("http://127.0.0.1:3001/.well-known/jwks.json"));
        assert!(private("http://localhost:3001/.well-known/jwks.json"));
        assert!(private("http://[::1]:3001/.well-known/jwks.json"));
        assert!(!private("http://auth.example.com/.well-known/jwks.json"));
        assert!(!private("http://10.1.2.3/.well-known/jwks.json"));
    }
}
