//! The signature algorithms this crate accepts, and the key types each one needs.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// An asymmetric JWS algorithm. `none` and the HMAC family are deliberately absent: a verifier
/// that holds only public keys can never accept them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Algorithm {
    /// Ed25519 signatures (`alg: EdDSA`), what Neon Auth and Better Auth issue by default.
    EdDSA,
    /// ECDSA over P-256 with SHA-256.
    ES256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
}

impl Algorithm {
    /// The `alg` header value naming this algorithm.
    pub fn name(self) -> &'static str {
        match self {
            Self::EdDSA => "EdDSA",
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
        }
    }

    pub(crate) fn to_jsonwebtoken(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::EdDSA => jsonwebtoken::Algorithm::EdDSA,
            Self::ES256 => jsonwebtoken::Algorithm::ES256,
            Self::RS256 => jsonwebtoken::Algorithm::RS256,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = String;

    /// Parses an `alg` value exactly as written; `none`, `HS256` and friends are refused.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "EdDSA" => Ok(Self::EdDSA),
            "ES256" => Ok(Self::ES256),
            "RS256" => Ok(Self::RS256),
            other => Err(format!("unsupported algorithm {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_asymmetric_names_parse() {
        assert_eq!("EdDSA".parse::<Algorithm>(), Ok(Algorithm::EdDSA));
        assert_eq!("ES256".parse::<Algorithm>(), Ok(Algorithm::ES256));
        assert_eq!("RS256".parse::<Algorithm>(), Ok(Algorithm::RS256));

        for refused in [
            "none", "None", "NONE", "nOnE", "", "HS256", "HS512", "eddsa", "ES384",
        ] {
            assert!(refused.parse::<Algorithm>().is_err(), "{refused}");
        }
    }
}
