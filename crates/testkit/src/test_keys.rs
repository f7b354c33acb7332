//! Signing keys generated for tests (in `keys/`, never used anywhere else) and helpers that
//! sign or hand-assemble tokens with them.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};

const ED25519_PEM: &[u8] = include_bytes!("../keys/ed25519.pem");
const ED25519_ATTACKER_PEM: &[u8] = include_bytes!("../keys/ed25519-attacker.pem");
const P256_PEM: &[u8] = include_bytes!("../keys/p256.pem");
const RSA2048_PEM: &[u8] = include_bytes!("../keys/rsa2048.pem");

/// A private key for signing test tokens, with the `kid` it is published under.
#[derive(Clone)]
pub struct TestKey {
    pub algorithm: Algorithm,
    pub kid: String,
    encoding: EncodingKey,
}

impl TestKey {
    /// The issuer's Ed25519 key (`EdDSA`), kid `ed-1`.
    pub fn ed25519() -> Self {
        let encoding = EncodingKey::from_ed_pem(ED25519_PEM).expect("test Ed25519 key");
        Self {
            algorithm: Algorithm::EdDSA,
            kid: "ed-1".into(),
            encoding,
        }
    }

    /// Another Ed25519 key, for tokens an attacker signs. kid `attacker`.
    pub fn ed25519_attacker() -> Self {
        let encoding = EncodingKey::from_ed_pem(ED25519_ATTACKER_PEM).expect("test Ed25519 key");
        Self {
            algorithm: Algorithm::EdDSA,
            kid: "attacker".into(),
            encoding,
        }
    }

    /// A P-256 key (`ES256`), kid `ec-1`.
    pub fn p256() -> Self {
        let encoding = EncodingKey::from_ec_pem(P256_PEM).expect("test P-256 key");
        Self {
            algorithm: Algorithm::ES256,
            kid: "ec-1".into(),
            encoding,
        }
    }

    /// A 2048-bit RSA key (`RS256`), kid `rsa-1`.
    pub fn rsa2048() -> Self {
        let encoding = EncodingKey::from_rsa_pem(RSA2048_PEM).expect("test RSA key");
        Self {
            algorithm: Algorithm::RS256,
            kid: "rsa-1".into(),
            encoding,
        }
    }

    /// The same key published under another kid.
    pub fn with_kid(mut self, kid: &str) -> Self {
        self.kid = kid.to_owned();
        self
    }

    /// The public half as a JWK, with `kid`, `alg` and `use`.
    pub fn public_jwk(&self) -> serde_json::Value {
        let jwk = Jwk::from_encoding_key(&self.encoding, self.algorithm).expect("a public JWK");
        let mut value = serde_json::to_value(jwk).expect("a JWK serialises");
        value["kid"] = self.kid.clone().into();
        value["alg"] = format!("{:?}", self.algorithm).into();
        value["use"] = "sig".into();
        value
    }

    /// Signs `claims` with a header of this key's `alg` and `kid`.
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let mut header = Header::new(self.algorithm);
        header.typ = None;
        header.kid = Some(self.kid.clone());
        self.sign_with_header(&header, claims)
    }

    /// Signs `claims` under `header` as given.
    pub fn sign_with_header(&self, header: &Header, claims: &serde_json::Value) -> String {
        jsonwebtoken::encode(header, claims, &self.encoding).expect("a test token signs")
    }
}

/// A JWKS document publishing `keys`.
pub fn jwks_of(keys: &[&TestKey]) -> serde_json::Value {
    serde_json::json!({ "keys": keys.iter().map(|key| key.public_jwk()).collect::<Vec<_>>() })
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs()
}

/// Claims shaped like Neon Auth's, valid for 15 minutes from now.
pub fn standard_claims(issuer: &str, subject: &str) -> serde_json::Value {
    let issued = now();
    serde_json::json!({
        "iss": issuer,
        "aud": issuer,
        "sub": subject,
        "iat": issued,
        "exp": issued + 900,
        "email": "someone@example.test",
        "name": "Someone",
    })
}

/// A token assembled by hand from a raw header, raw payload and raw signature bytes.
pub fn raw_token(header: &str, payload: &str, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}
