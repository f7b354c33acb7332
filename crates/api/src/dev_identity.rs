//! A development identity provider: an Ed25519 key made at start, its JWKS, and a token
//! endpoint that signs Neon-Auth-shaped tokens for any email. It exists so the whole system
//! runs offline on one machine; `journal-server dev` binds it to loopback only, and it must
//! never be exposed.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use journal_domain::UserId;
use journal_storage::{Database, ensure_user};
use jsonwebtoken::{EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::routes::fallback;
use crate::{ApiError, CorsSettings};

/// DER prefix of a PKCS#8 v1 Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Longest email accepted by the token endpoint.
const MAX_EMAIL_BYTES: usize = 254;

/// The provider's key and the issuer name it signs with.
#[derive(Clone)]
pub struct DevIdentity {
    issuer: String,
    key_id: String,
    public_key: [u8; 32],
    signing_key: Arc<EncodingKey>,
    token_lifetime: Duration,
}

/// What `POST /token` answers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedToken {
    pub token: String,
    pub user_id: UserId,
    pub expires_at: u64,
}

#[derive(Serialize)]
struct DevClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: String,
    iat: u64,
    exp: u64,
    email: &'a str,
    name: &'a str,
}

impl DevIdentity {
    /// 32 random bytes for [`DevIdentity::from_seed`].
    pub fn new_seed() -> Result<[u8; 32], ApiError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|error| ApiError::Internal(format!("no randomness for a key: {error}")))?;
        Ok(seed)
    }

    /// The provider whose Ed25519 key grows from `seed`, so that a seed kept between runs keeps
    /// the tokens of earlier runs verifying. The key id is derived from the public key.
    /// `issuer` is the provider's origin, used as both `iss` and `aud`.
    pub fn from_seed(issuer: String, token_lifetime: Duration, seed: &[u8; 32]) -> Self {
        let public_key = ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes();

        let mut pkcs8 = PKCS8_ED25519_PREFIX.to_vec();
        pkcs8.extend_from_slice(seed);

        Self {
            issuer,
            key_id: format!("dev-{}", URL_SAFE_NO_PAD.encode(&public_key[..12])),
            public_key,
            signing_key: Arc::new(EncodingKey::from_ed_der(&pkcs8)),
            token_lifetime,
        }
    }

    /// The issuer (and audience) of the tokens this provider signs.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The JWKS document publishing the public key.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(self.public_key),
                "kid": self.key_id,
                "alg": "EdDSA",
                "use": "sig",
            }]
        })
    }

    /// Signs a token for `user`, shaped like the ones Neon Auth issues.
    pub fn sign(&self, user: UserId, email: &str, name: &str) -> Result<IssuedToken, ApiError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let expires_at = now + self.token_lifetime.as_secs();
        let claims = DevClaims {
            iss: &self.issuer,
            aud: &self.issuer,
            sub: user.to_string(),
            iat: now,
            exp: expires_at,
            email,
            name,
        };

        let mut header = Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.signing_key)
            .map_err(|error| ApiError::Internal(format!("signing a dev token failed: {error}")))?;

        Ok(IssuedToken {
            token,
            user_id: user,
            expires_at,
        })
    }

    /// Creates (or finds) the user with `email` and signs a token for them.
    pub async fn issue(&self, database: &Database, email: &str) -> Result<IssuedToken, ApiError> {
        let name = email.split('@').next().unwrap_or(email);
        let user = database
            .write(async |connection| ensure_user(connection, email, name).await)
            .await?;
        self.sign(user, email, name)
    }
}

/// The provider's HTTP app: `GET /.well-known/jwks.json` and `POST /token`.
pub fn dev_identity_app(
    identity: DevIdentity,
    database: Database,
    cors: CorsSettings,
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
        .limit(4096)
        .error_handler(|error, _request| ApiError::from(error).into());

    App::new()
        .app_data(web::Data::new(identity))
        .app_data(web::Data::new(database))
        .app_data(json_config)
        .wrap(cors.middleware())
        .wrap(ErrorHandlers::new().default_handler(fallback::problem_for_plain_errors))
        .wrap(from_fn(crate::log::trace_request))
        .service(
            web::resource("/.well-known/jwks.json")
                .route(web::get().to(publish_keys))
                .default_service(web::to(fallback::method_not_allowed("GET"))),
        )
        .service(
            web::resource("/token")
                .route(web::post().to(issue_token))
                .default_service(web::to(fallback::method_not_allowed("POST"))),
        )
        .default_service(web::to(fallback::not_found))
}

async fn publish_keys(identity: web::Data<DevIdentity>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "max-age=300"))
        .json(identity.jwks())
}

async fn issue_token(
    identity: web::Data<DevIdentity>,
    database: web::Data<Database>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let email = match body.get("email") {
        Some(serde_json::Value::String(email)) if is_plausible_email(email) => {
            email.trim().to_lowercase()
        }
        _ => {
            let reason = "the body must be {\"email\": \"someone@example.com\"}";
            return Err(ApiError::InvalidRequest(reason.into()));
        }
    };

    let issued = identity.issue(&database, &email).await?;

    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(issued))
}

/// A plain address: one `@`, a dotted domain, no quotes, spaces, controls or formatting
/// characters (such as right-to-left overrides).
fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= MAX_EMAIL_BYTES
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email
            .chars()
            .all(|c| c.is_alphanumeric() || "@.+-_'".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_emails_pass_and_junk_does_not() {
        assert!(is_plausible_email("demo@example.com"));
        assert!(!is_plausible_email("demo"));
        assert!(!is_plausible_email("@example.com"));
        assert!(!is_plausible_email("a b@example.com"));
        assert!(!is_plausible_email(&format!("{}@x.y", "a".repeat(300))));
        assert!(!is_plausible_email("a@b@c.d"));
        assert!(!is_plausible_email("\"q\"@x.y"));
        assert!(!is_plausible_email("evil\u{202e}@x.y"));
        assert!(!is_plausible_email("a@localhost"));
    }

    #[test]
    fn one_seed_gives_one_key_and_another_seed_another() {
        let lifetime = Duration::from_secs(60);
        let issuer = || "http://127.0.0.1:1".to_owned();

        let first = DevIdentity::from_seed(issuer(), lifetime, &[7; 32]);
        let again = DevIdentity::from_seed(issuer(), lifetime, &[7; 32]);
        let other = DevIdentity::from_seed(issuer(), lifetime, &[8; 32]);

        assert_eq!(first.jwks(), again.jwks());
        assert_ne!(
            first.jwks()["keys"][0]["kid"],
            other.jwks()["keys"][0]["kid"]
        );
        assert_ne!(first.jwks()["keys"][0]["x"], other.jwks()["keys"][0]["x"]);
    }

    #[test]
    fn the_published_key_matches_the_signing_key() {
        let identity = DevIdentity::from_seed(
            "http://127.0.0.1:1".into(),
            Duration::from_secs(60),
            &DevIdentity::new_seed().unwrap(),
        );
        let user = UserId::new(uuid::Uuid::new_v4());

        let issued = identity.sign(user, "a@b.c", "a").unwrap();

        let x = identity.jwks()["keys"][0]["x"].as_str().unwrap().to_owned();
        let key = jsonwebtoken::DecodingKey::from_ed_components(&x).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        validation.set_audience(&["http://127.0.0.1:1"]);
        let data =
            jsonwebtoken::decode::<serde_json::Value>(&issued.token, &key, &validation).unwrap();
        assert_eq!(data.claims["sub"], user.to_string());
    }
}
