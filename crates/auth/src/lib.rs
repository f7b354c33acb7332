//! Verifies JSON Web Tokens against an issuer's published key set (JWKS), for services that
//! sit behind Neon Auth, Better Auth or any OIDC-style issuer that signs with EdDSA, ES256 or
//! RS256.
//!
//! [`Verifier::verify`] takes the raw token and either returns [`Verified`] claims, typed by the
//! caller, or an [`AuthError`] naming the check that failed. Keys are fetched over HTTPS with
//! timeouts and a size cap, cached in memory, and refetched at most once per cooldown when a
//! token names an unknown key.
//!
//! Invariant: this crate uses no other crate of the journal and no web framework, except for
//! the optional extractor behind the `actix` feature. Nothing read from a token is trusted
//! before its signature is checked; code that reads unverified parts lives in `unverified`.
#![warn(missing_docs)]

mod algorithm;
mod config;
mod error;
mod keys;
mod recent;
mod unverified;
mod verifier;

#[cfg(feature = "actix")]
pub mod actix;

pub use algorithm::Algorithm;
pub use config::{SubjectFormat, VerifierConfig};
pub use error::{AuthError, SetupError};
pub use verifier::{KeyStats, NoExtraClaims, Verified, Verifier};
