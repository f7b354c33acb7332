//! The browser client served beside the API: the built single-page app (`web/dist`) and
//! `GET /config.json`, which tells that one build how its users sign in here. Hashed files under
//! `/assets/` may be cached for a year; `index.html` is never stored; any other path outside the
//! API answers `index.html`, so a reload on a client-side route still finds the app. Every file
//! carries a Content-Security-Policy that lets scripts and styles come only from our origin and
//! connections go only to our origin and the identity provider's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::ApiError;

/// How the client's users sign in, as `/config.json` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Neon Auth (or any Better Auth server with the jwt plugin) at this URL, e.g.
    /// `https://ep-….neonauth.….neon.tech/neondb/auth`.
    Neon { auth_url: String },
    /// The development identity provider of `journal-server dev` at this base URL.
    Dev { auth_url: String },
}

/// The SPA's files (when a build is present) and its run-time configuration.
#[derive(Clone)]
pub struct WebClient {
    inner: Arc<Inner>,
}

struct Inner {
    folder: Option<PathBuf>,
    config_json: String,
    content_security_policy: HeaderValue,
}

/// Why a [`WebClient`] could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum WebClientError {
    #[error("the identity provider's URL `{0}` is not an absolute http(s) URL")]
    BadAuthUrl(String),
}

impl WebClient {
    /// Serves the build in `folder` when it holds an `index.html`; without one, only
    /// `/config.json` is answered and other paths stay `404`.
    pub fn new(folder: Option<PathBuf>, sign_in: SignIn) -> Result<Self, WebClientError> {
        let (mode, auth_url) = match &sign_in {
            SignIn::Neon { auth_url } => ("neon", auth_url.trim_end_matches('/')),
            SignIn::Dev { auth_url } => ("dev", auth_url.trim_end_matches('/')),
        };
        let auth_origin = origin_of(auth_url)?;

        let config_json = serde_json::to_string(&ClientConfig {
            auth_mode: mode,
            auth_url,
        })
        .unwrap_or_default();
        let policy = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; manifest-src 'self'; connect-src 'self' {auth_origin}; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        );
        let content_security_policy = HeaderValue::from_str(&policy)
            .map_err(|_| WebClientError::BadAuthUrl(auth_url.to_owned()))?;
        let folder = folder.filter(|folder| folder.join("index.html").is_file());

        Ok(Self {
            inner: Arc::new(Inner {
                folder,
                config_json,
                content_security_policy,
            }),
        })
    }

    /// The folder served, or `None` when no build was found there.
    pub fn folder(&self) -> Option<&Path> {
        self.inner.folder.as_deref()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientConfig<'a> {
    auth_mode: &'a str,
    auth_url: &'a str,
}

/// `GET /config.json`.
pub(crate) async fn serve_config(client: web::Data<WebClient>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(client.inner.config_json.clone())
}

/// Every request no route takes: a file of the build, `index.html` for a client-side route, or
/// the API's `404`.
pub(crate) async fn serve_file_or_not_found(
    request: HttpRequest,
    client: Option<web::Data<WebClient>>,
) -> Result<HttpResponse, ApiError> {
    let path = request.path();
    let outside_api = path != "/api" && !path.starts_with("/api/");
    let readable = request.method() == Method::GET || request.method() == Method::HEAD;
    let (Some(client), Some(folder), true, true) = (
        client.as_ref(),
        client.as_ref().and_then(|client| client.folder()),
        outside_api,
        readable,
    ) else {
        return Err(ApiError::NotFound);
    };

    let (file, cache_control) = match file_in(folder, path) {
        Some(file) if path.starts_with("/assets/") => (file, "public, max-age=31536000, immutable"),
        Some(file) if path == "/index.html" => (file, "no-store"),
        Some(file) => (file, "no-cache"),
        None if path.starts_with("/assets/") => return Err(ApiError::NotFound),
        None => (folder.join("index.html"), "no-store"),
    };

    let opened = web::block({
        let file = file.clone();
        move || NamedFile::open(file)
    })
    .await;
    let named = match opened {
        Ok(Ok(named)) => named,
        Ok(Err(error)) => {
            tracing::warn!(file = %file.display(), %error, "web client file unreadable");
            return Err(ApiError::NotFound);
        }
        Err(_) => return Err(ApiError::Status(StatusCode::SERVICE_UNAVAILABLE)),
    };
    let mut response = named
        .disable_content_disposition()
        .prefer_utf8(true)
        .into_response(&request);
    if response.status() == StatusCode::OK || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            client.inner.content_security_policy.clone(),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    Ok(response)
}

/// The file a URL path names inside `folder`, if it exists. Only plain names are followed
/// (ASCII letters, digits, `.`, `_`, `-`, not starting with a dot), so no path leaves the
/// folder, reaches a hidden file or depends on percent-decoding.
fn file_in(folder: &Path, path: &str) -> Option<PathBuf> {
    let relative = path.strip_prefix('/')?;
    if relative.is_empty() {
        return None;
    }

    let mut file = folder.to_path_buf();
    for segment in relative.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"._-".contains(&byte));
        if !plain {
            return None;
        }
        file.push(segment);
    }
    file.is_file().then_some(file)
}

fn origin_of(url: &str) -> Result<String, WebClientError> {
    let parsed = url::Url::parse(url).map_err(|_| WebClientError::BadAuthUrl(url.to_owned()))?;
    let origin = parsed.origin();
    let web_scheme = parsed.scheme() == "http" || parsed.scheme() == "https";
    if !web_scheme || !origin.is_tuple() {
        return Err(WebClientError::BadAuthUrl(url.to_owned()));
    }
    Ok(origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_inside_the_folder_are_files() {
        let folder = std::env::temp_dir().join(format!("journal-web-{}", std::process::id()));
        std::fs::create_dir_all(folder.join("assets")).unwrap();
        std::fs::write(folder.join("assets/app-1a2B.js"), "x").unwrap();
        std::fs::write(folder.join(".secret"), "x").unwrap();

        assert!(file_in(&folder, "/assets/app-1a2B.js").is_some());
        for path in [
            "/",
            "/.secret",
            "/assets/../.secret",
            "/assets/%2e%2e/.secret",
            "/assets//app-1a2B.js",
            "/assets/missing.js",
            "/assets",
            "assets/app-1a2B.js",
        ] {
            assert_eq!(file_in(&folder, path), None, "{path}");
        }
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[test]
    fn the_policy_names_the_identity_providers_origin_only() {
        let client = WebClient::new(
            None,
            SignIn::Neon {
                auth_url: "https://auth.example.com:8443/neondb/auth/".into(),
            },
        )
        .unwrap();
        let policy = client.inner.content_security_policy.to_str().unwrap();
        assert!(policy.contains("connect-src 'self' https://auth.example.com:8443;"));
        assert!(!policy.contains("unsafe"));
        assert_eq!(
            client.inner.config_json,
            r#"{"authMode":"neon","authUrl":"https://auth.example.com:8443/neondb/auth"}"#
        );

        for bad in ["", "auth.example.com", "file:///etc", "javascript:alert(1)"] {
            let sign_in = SignIn::Dev {
                auth_url: bad.into(),
            };
            assert!(WebClient::new(None, sign_in).is_err(), "{bad}");
        }
    }
}
