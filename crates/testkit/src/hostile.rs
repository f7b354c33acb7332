//! A catalogue of hostile tokens, each named and paired with the refusal code
//! (`journal_auth::AuthError::code`) a correct verifier answers with. The issuer publishes
//! [`TestKey::ed25519`] (`ed-1`) and [`TestKey::p256`] (`ec-1`); the attacker holds
//! [`TestKey::ed25519_attacker`] and runs a server at `attacker_url`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::{TestKey, now, raw_token, standard_claims};

/// One hostile token and the refusal expected for it.
#[derive(Debug, Clone)]
pub struct HostileCase {
    pub name: &'static str,
    pub token: String,
    pub refusal: &'static str,
}

/// The catalogue, for tokens aimed at `issuer` on behalf of `subject`.
pub fn hostile_tokens(issuer: &str, subject: &str, attacker_url: &str) -> Vec<HostileCase> {
    let ours = TestKey::ed25519();
    let ec = TestKey::p256();
    let attacker = TestKey::ed25519_attacker();
    let claims = standard_claims(issuer, subject);
    let payload = claims.to_string();
    let genuine = ours.sign(&claims);
    let (genuine_header, genuine_rest) = genuine.split_once('.').expect("three segments");
    let (genuine_payload, genuine_signature) = genuine_rest.split_once('.').expect("segments");
    let with = |name: &str, value: serde_json::Value| {
        let mut changed = claims.clone();
        changed[name] = value;
        ours.sign(&changed)
    };
    let without = |name: &str| {
        let mut changed = claims.clone();
        changed.as_object_mut().expect("an object").remove(name);
        ours.sign(&changed)
    };
    let encode = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let case = |name, token: String, refusal| HostileCase {
        name,
        token,
        refusal,
    };

    vec![
        case(
            "alg none, lowercase",
            raw_token(r#"{"alg":"none"}"#, &payload, b"x"),
            ALG,
        ),
        case(
            "alg None",
            raw_token(r#"{"alg":"None","kid":"ed-1"}"#, &payload, b"x"),
            ALG,
        ),
        case(
            "alg NONE",
            raw_token(r#"{"alg":"NONE","kid":"ed-1"}"#, &payload, b"x"),
            ALG,
        ),
        case(
            "alg nOnE",
            raw_token(r#"{"alg":"nOnE","kid":"ed-1"}"#, &payload, b"x"),
            ALG,
        ),
        case(
            "alg none with an empty signature",
            format!(
                "{}.{}.",
                encode(br#"{"alg":"none"}"#),
                encode(payload.as_bytes())
            ),
            MALFORMED,
        ),
        case(
            "alg missing",
            raw_token(r#"{"kid":"ed-1"}"#, &payload, b"x"),
            MALFORMED,
        ),
        case(
            "alg as a number",
            raw_token(r#"{"alg":1}"#, &payload, b"x"),
            ALG,
        ),
        case(
            "HS256 keyed with the public key's x",
            hmac_token(&ours, &claims, true),
            ALG,
        ),
        case(
            "HS256 keyed with the public key's bytes",
            hmac_token(&ours, &claims, false),
            ALG,
        ),
        case(
            "ES256 with r = s = 0",
            raw_token(r#"{"alg":"ES256","kid":"ec-1"}"#, &payload, &[0; 64]),
            BAD_SIGNATURE,
        ),
        case(
            "EdDSA signature of the wrong length",
            format!(
                "{genuine_header}.{genuine_payload}.{}",
                truncated(genuine_signature, 32)
            ),
            BAD_SIGNATURE,
        ),
        case(
            "payload changed after signing",
            format!(
                "{genuine_header}.{}.{genuine_signature}",
                encode(with_admin(&claims).as_bytes())
            ),
            BAD_SIGNATURE,
        ),
        case(
            "header changed after signing",
            format!(
                "{}.{genuine_payload}.{genuine_signature}",
                encode(br#"{"alg":"EdDSA","kid":"ed-1","typ":"JWT"}"#)
            ),
            BAD_SIGNATURE,
        ),
        case(
            "two segments",
            format!("{genuine_header}.{genuine_payload}"),
            MALFORMED,
        ),
        case(
            "four segments",
            format!("{genuine}.{genuine_signature}"),
            MALFORMED,
        ),
        case(
            "a five-part JWE",
            format!(
                "{}.a.b.c.d",
                encode(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
            ),
            MALFORMED,
        ),
        case(
            "non-base64url characters",
            genuine.replacen('-', "+", 1).replacen('_', "/", 1) + "+/",
            MALFORMED,
        ),
        case("base64 padding", format!("{genuine}=="), MALFORMED),
        case(
            "whitespace inside",
            format!("{genuine_header} .{genuine_payload}.{genuine_signature}"),
            MALFORMED,
        ),
        case("an empty token", String::new(), MALFORMED),
        case(
            "exp as a string",
            with("exp", json!((now() + 600).to_string())),
            MISSING_CLAIM,
        ),
        case(
            "exp as a float",
            with("exp", json!(now() as f64 + 600.5)),
            "invalid_claim",
        ),
        case("exp far in the past", with("exp", json!(1)), "expired"),
        case(
            "exp far in the future",
            with("exp", json!(253_402_300_799_u64)),
            "expires_too_late",
        ),
        case("exp missing", without("exp"), MISSING_CLAIM),
        case(
            "nbf in the future",
            with("nbf", json!(now() + 3600)),
            "not_yet_valid",
        ),
        case(
            "iat in the future",
            with("iat", json!(now() + 3600)),
            "issued_in_future",
        ),
        case(
            "issuer with a trailing slash",
            with("iss", json!(format!("{issuer}/"))),
            "wrong_issuer",
        ),
        case(
            "another issuer",
            with("iss", json!("https://evil.example")),
            "wrong_issuer",
        ),
        case(
            "wrong audience",
            with("aud", json!("https://evil.example")),
            "wrong_audience",
        ),
        case(
            "audience array without us",
            with("aud", json!(["https://a.example", "b"])),
            "wrong_audience",
        ),
        case(
            "sub that is not a UUID",
            with("sub", json!("admin")),
            "invalid_claim",
        ),
        case("sub missing", without("sub"), MISSING_CLAIM),
        case(
            "kid ../../etc/passwd",
            ours.clone().with_kid("../../etc/passwd").sign(&claims),
            "unknown_key",
        ),
        case(
            "kid of 10,000 characters",
            ours.clone().with_kid(&"k".repeat(10_000)).sign(&claims),
            "too_large",
        ),
        case(
            "jku naming the attacker's key set",
            attacker_header_token(&attacker, &claims, "jku", attacker_url),
            BAD_SIGNATURE,
        ),
        case(
            "x5u naming the attacker's server",
            attacker_header_token(&attacker, &claims, "x5u", attacker_url),
            BAD_SIGNATURE,
        ),
        case(
            "an embedded jwk with the attacker's key",
            embedded_jwk_token(&attacker, &claims),
            BAD_SIGNATURE,
        ),
        case(
            "another issuer's token whose kid collides with ours",
            attacker
                .clone()
                .with_kid("ed-1")
                .sign(&standard_claims("https://evil.example", subject)),
            BAD_SIGNATURE,
        ),
        case(
            "over the size cap",
            with("padding", json!("p".repeat(9000))),
            "too_large",
        ),
        case(
            "ES256 token naming the Ed25519 key",
            es256_naming(&ec, "ed-1", &claims),
            "key_algorithm_mismatch",
        ),
        case(
            "crit header",
            critical_token(&ours, &claims),
            "critical_header",
        ),
        case(
            "header that is not JSON",
            format!(
                "{}.{genuine_payload}.{genuine_signature}",
                encode(b"alg=EdDSA")
            ),
            MALFORMED,
        ),
        case(
            "payload that is not an object",
            ours.sign(&json!("just a string")),
            MALFORMED,
        ),
    ]
}

const ALG: &str = "algorithm_not_allowed";
const MALFORMED: &str = "malformed";
const BAD_SIGNATURE: &str = "bad_signature";
const MISSING_CLAIM: &str = "missing_claim";

fn truncated(signature: &str, length: usize) -> String {
    let bytes = URL_SAFE_NO_PAD
        .decode(signature)
        .expect("a base64url signature");
    URL_SAFE_NO_PAD.encode(&bytes[..length])
}

fn with_admin(claims: &serde_json::Value) -> String {
    let mut changed = claims.clone();
    changed["role"] = json!("admin");
    changed.to_string()
}

fn hmac_token(key: &TestKey, claims: &serde_json::Value, as_text: bool) -> String {
    let x = key.public_jwk()["x"]
        .as_str()
        .expect("an OKP key")
        .to_owned();
    let secret = if as_text {
        x.into_bytes()
    } else {
        URL_SAFE_NO_PAD.decode(x).expect("b64")
    };
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(key.kid.clone());
    let hmac = EncodingKey::from_secret(&secret).expect("an HMAC key");
    jsonwebtoken::encode(&header, claims, &hmac).expect("an HMAC token")
}

fn attacker_header_token(
    attacker: &TestKey,
    claims: &serde_json::Value,
    parameter: &str,
    url: &str,
) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("ed-1".into());
    match parameter {
        "jku" => header.jku = Some(format!("{url}/.well-known/jwks.json")),
        _ => header.x5u = Some(format!("{url}/certificate.pem")),
    }
    attacker.sign_with_header(&header, claims)
}

fn embedded_jwk_token(attacker: &TestKey, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("ed-1".into());
    header.jwk = serde_json::from_value(attacker.public_jwk()).ok();
    attacker.sign_with_header(&header, claims)
}

fn es256_naming(ec: &TestKey, kid: &str, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    ec.sign_with_header(&header, claims)
}

fn critical_token(key: &TestKey, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    header.crit = Some(vec!["exp".into()]);
    header.extras.insert("exp", json!(1));
    key.sign_with_header(&header, claims)
}
