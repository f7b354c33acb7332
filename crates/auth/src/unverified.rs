//! Reads the parts of a token that must be looked at before its signature can be checked: its
//! shape and its header. Nothing returned from here may be trusted as an identity; the header
//! only chooses which published key to try.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::{Algorithm, AuthError};

/// Longest `kid` looked up; longer ones cannot name a key we hold.
const MAX_KEY_ID_BYTES: usize = 256;

/// The header fields the verifier acts on. `jku`, `x5u`, `jwk` and `x5c` are never read, so a
/// token can never point the verifier at a key or a URL of its choosing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnverifiedHeader {
    pub algorithm: Algorithm,
    pub key_id: Option<String>,
}

/// Checks that `token` is a compact JWS and reads its header.
pub(crate) fn read_header(
    token: &str,
    max_token_bytes: usize,
    allowed: &[Algorithm],
) -> Result<UnverifiedHeader, AuthError> {
    if token.len() > max_token_bytes {
        return Err(AuthError::TooLarge {
            max: max_token_bytes,
        });
    }

    let segments: Vec<&str> = token.split('.').collect();
    if segments.len() != 3 {
        return Err(AuthError::Malformed(
            "a token has exactly three dot-separated segments",
        ));
    }
    if segments.iter().any(|segment| !is_base64url(segment)) {
        return Err(AuthError::Malformed("segments must be unpadded base64url"));
    }

    let header_bytes = URL_SAFE_NO_PAD
        .decode(segments[0])
        .map_err(|_| AuthError::Malformed("the header is not base64url"))?;
    let raw: RawHeader = serde_json::from_slice(&header_bytes)
        .map_err(|_| AuthError::Malformed("the header is not a JSON object with an alg"))?;

    let algorithm = match raw
        .alg
        .as_str()
        .and_then(|name| name.parse::<Algorithm>().ok())
    {
        Some(algorithm) if allowed.contains(&algorithm) => algorithm,
        _ => return Err(AuthError::AlgorithmNotAllowed),
    };

    if raw.crit.is_some() {
        return Err(AuthError::CriticalHeader);
    }

    let key_id = match raw.kid {
        None => None,
        Some(serde_json::Value::String(kid)) if kid.len() <= MAX_KEY_ID_BYTES => Some(kid),
        Some(serde_json::Value::String(_)) => return Err(AuthError::UnknownKey),
        Some(_) => return Err(AuthError::Malformed("the header's kid is not a string")),
    };

    Ok(UnverifiedHeader { algorithm, key_id })
}

#[derive(Deserialize)]
struct RawHeader {
    alg: serde_json::Value,
    #[serde(default)]
    kid: Option<serde_json::Value>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

fn is_base64url(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Algorithm; 3] = [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256];

    fn token_with_header(header: &str) -> String {
        format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header))
    }

    #[test]
    fn a_plain_eddsa_header_is_read() {
        let token = token_with_header(r#"{"alg":"EdDSA","kid":"k1"}"#);

        let header = read_header(&token, 8192, &ALL).unwrap();

        assert_eq!(header.algorithm, Algorithm::EdDSA);
        assert_eq!(header.key_id.as_deref(), Some("k1"));
    }

    #[test]
    fn none_and_hmac_are_not_allowed() {
        for alg in ["none", "None", "NONE", "HS256", "HS384"] {
            let token = token_with_header(&format!(r#"{{"alg":"{alg}"}}"#));

            assert_eq!(
                read_header(&token, 8192, &ALL),
                Err(AuthError::AlgorithmNotAllowed)
            );
        }
    }

    #[test]
    fn an_algorithm_outside_the_allowlist_is_refused() {
        let token = token_with_header(r#"{"alg":"RS256"}"#);

        let refused = read_header(&token, 8192, &[Algorithm::EdDSA]);

        assert_eq!(refused, Err(AuthError::AlgorithmNotAllowed));
    }

    #[test]
    fn wrong_segment_counts_and_characters_are_malformed() {
        let good = token_with_header(r#"{"alg":"EdDSA"}"#);
        let cases = [
            "abc.def".to_owned(),
            format!("{good}.extra"),
            format!("{good}=="),
            format!(" {good}"),
            good.replacen('.', "..", 1),
        ];

        for case in cases {
            assert!(
                matches!(read_header(&case, 8192, &ALL), Err(AuthError::Malformed(_))),
                "{case}"
            );
        }
    }

    #[test]
    fn an_oversized_token_is_refused_before_parsing() {
        let token = "x".repeat(9000);

        assert_eq!(
            read_header(&token, 8192, &ALL),
            Err(AuthError::TooLarge { max: 8192 })
        );
    }

    #[test]
    fn critical_headers_are_refused() {
        let token = token_with_header(r#"{"alg":"EdDSA","crit":["exp"],"exp":1}"#);

        assert_eq!(
            read_header(&token, 8192, &ALL),
            Err(AuthError::CriticalHeader)
        );
    }
}
