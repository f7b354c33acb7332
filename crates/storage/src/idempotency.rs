//! Entry creation that a client may retry safely: the first `POST` with an idempotency key
//! creates the entry and records the key; a retry with the same key and content within 24 hours
//! gets the same entry back instead of a second one. The key and the entry are written in one
//! transaction, so a dropped connection leaves either both or neither.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use journal_domain::{EntryId, JournalEntry, NewEntry};
use sha2::{Digest, Sha256};

use crate::StorageError;
use crate::schema::journal_idempotency_keys as keys;

/// How long a key is remembered, in hours.
const KEY_LIFETIME_HOURS: i64 = 24;

/// What a keyed creation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// The entry was created now.
    Created(JournalEntry),
    /// The key was used before with the same content: the entry created then.
    Replayed(JournalEntry),
    /// The key was used before with different content.
    KeyReused,
}

/// Creates `entry` unless `key` already created one for this user in the last 24 hours.
pub async fn create_entry_once(
    connection: &mut AsyncPgConnection,
    entry: &NewEntry,
    key: &str,
) -> Result<Creation, StorageError> {
    let owner = entry.user_id.as_uuid();
    let fingerprint = content_fingerprint(entry.content.as_str());

    let outcome = connection
        .transaction::<_, StorageError, _>(async |connection| {
            let cutoff = Utc::now() - chrono::TimeDelta::hours(KEY_LIFETIME_HOURS);
            let expired = keys::user_id.eq(owner).and(keys::created_at.lt(cutoff));
            diesel::delete(keys::table.filter(expired))
                .execute(connection)
                .await?;

            let claimed = diesel::insert_into(keys::table)
                .values((
                    keys::user_id.eq(owner),
                    keys::key.eq(key),
                    keys::content_sha256.eq(&fingerprint),
                ))
                .on_conflict_do_nothing()
                .execute(connection)
                .await
                .map_err(crate::entries::unknown_user_or)?;

            if claimed == 0 {
                return earlier_creation(connection, entry, key, &fingerprint).await;
            }

            let created = crate::create_entry(connection, entry).await?;
            diesel::update(keys::table.find((owner, key)))
                .set((
                    keys::entry_id.eq(created.id.get()),
                    keys::entry_created_at.eq(created.created_at),
                ))
                .execute(connection)
                .await?;
            Ok(Creation::Created(created))
        })
        .await?;
    Ok(outcome)
}

/// The answer for a key already recorded (and committed: a concurrent first use holds the
/// row until it commits, so the insert above waited for it).
async fn earlier_creation(
    connection: &mut AsyncPgConnection,
    entry: &NewEntry,
    key: &str,
    fingerprint: &str,
) -> Result<Creation, StorageError> {
    let (recorded, entry_id, created_at): (String, Option<i64>, Option<DateTime<Utc>>) =
        keys::table
            .find((entry.user_id.as_uuid(), key))
            .select((keys::content_sha256, keys::entry_id, keys::entry_created_at))
            .first(connection)
            .await?;

    match (recorded == fingerprint, entry_id, created_at) {
        (true, Some(id), Some(created_at)) => Ok(Creation::Replayed(JournalEntry {
            id: EntryId::new(id),
            user_id: entry.user_id,
            content: entry.content.as_str().to_owned(),
            created_at,
            updated_at: created_at,
            version: 1,
        })),
        _ => Ok(Creation::KeyReused),
    }
}

fn content_fingerprint(content: &str) -> String {
    Sha256::digest(content.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
