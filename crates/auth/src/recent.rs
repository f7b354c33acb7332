//! Tokens that verified recently, so a client presenting the same token again (an SPA keeps
//! one for its whole 15-minute life) skips the signature check and the claims parse. An entry
//! is the exact token text, the claims it yielded and the key set that verified it: a hit
//! counts only while that same key set is current, so any refresh of the keys (a rotation, a
//! key the issuer withdrew) sends every token through the full check again. `exp` is checked
//! again on every hit (`nbf` and `iat`, which passed once, only pass more as time goes on).
//! Only tokens that passed every check get in.

use std::sync::Arc;

use crate::keys::KeySet;
use crate::{AuthError, Verified};

/// A bounded map from token text to what verifying it found.
pub(crate) struct RecentTokens<C> {
    entries: Option<quick_cache::sync::Cache<Box<str>, Arc<Entry<C>>>>,
}

/// What a hit returns, and what it is checked against.
pub(crate) struct Entry<C> {
    key_set: Arc<KeySet>,
    verified: Verified<C>,
}

impl<C: Clone> RecentTokens<C> {
    /// Keeps at most `capacity` tokens; zero keeps none.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: (capacity > 0).then(|| quick_cache::sync::Cache::new(capacity)),
        }
    }

    /// The earlier result for `token`, when `key_set` is still the set that verified it: the
    /// claims, or `Expired` once `exp` (plus `leeway`) lies before `now` (seconds).
    /// `None` means: verify it in full.
    pub fn get(
        &self,
        token: &str,
        key_set: &Arc<KeySet>,
        now: u64,
        leeway: u64,
    ) -> Option<Result<Verified<C>, AuthError>> {
        let entry = self.entries.as_ref()?.get(token)?;
        if !Arc::ptr_eq(&entry.key_set, key_set) {
            return None;
        }

        let verified = &entry.verified;
        if verified.expires_at.saturating_add(leeway) < now {
            return Some(Err(AuthError::Expired));
        }
        Some(Ok(verified.clone()))
    }

    /// Remembers that `token` verified with `key_set`.
    pub fn insert(&self, token: &str, key_set: Arc<KeySet>, verified: &Verified<C>) {
        if let Some(entries) = &self.entries {
            let entry = Entry {
                key_set,
                verified: verified.clone(),
            };
            entries.insert(token.into(), Arc::new(entry));
        }
    }
}
