//! Journal entries and the ids that name them and their owners.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::EntryContent;

/// The id of a user, as issued by the identity provider (the token's `sub`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(Uuid);

impl UserId {
    pub fn new(id: Uuid) -> Self {
        Self(id)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(formatter)
    }
}

/// The id of a stored entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(i64);

impl EntryId {
    pub fn new(id: i64) -> Self {
        Self(id)
    }

    pub fn get(&self) -> i64 {
        self.0
    }
}

/// A stored entry, serialised with the field names the tutorial's SPA reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Entry))]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1))]
    pub id: EntryId,
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub user_id: UserId,
    pub content: String,
    #[serde(serialize_with = "rfc3339_utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339_utc")]
    pub updated_at: DateTime<Utc>,
    /// Grows by one with every change; the API's ETag. Not part of the JSON body.
    #[serde(skip)]
    pub version: i64,
}

impl JournalEntry {
    /// Where a page of entries that starts after this one begins.
    pub fn position(&self) -> PagePosition {
        PagePosition {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

/// A place in the newest-first order of one user's entries: after the entry with this
/// creation time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePosition {
    pub created_at: DateTime<Utc>,
    pub id: EntryId,
}

/// One page of a listing: at most `limit` entries, starting after `after` when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub after: Option<PagePosition>,
}

/// An entry a user asked to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub user_id: UserId,
    pub content: EntryContent,
}

fn rfc3339_utc<S: serde::Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let text = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    serializer.serialize_str(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serialises_in_camel_case_with_a_utc_timestamp() {
        let user = Uuid::parse_str("52c582b6-6d80-46d3-899a-9baba1d0d35f").unwrap();
        let entry = JournalEntry {
            id: EntryId::new(7),
            user_id: UserId::new(user),
            content: "hello".to_owned(),
            created_at: DateTime::parse_from_rfc3339("2026-12-03T18:48:00.716+02:00")
                .unwrap()
                .with_timezone(&Utc),
            updated_at: DateTime::parse_from_rfc3339("2026-12-03T18:49:00Z")
                .unwrap()
                .with_timezone(&Utc),
            version: 3,
        };

        let json = serde_json::to_value(&entry).unwrap();

        assert_eq!(
            json,
            serde_json::json!({
                "id": 7,
                "userId": "52c582b6-6d80-46d3-899a-9baba1d0d35f",
                "content": "hello",
                "createdAt": "2026-12-03T16:48:00.716000Z",
                "updatedAt": "2026-12-03T18:49:00.000000Z",
            })
        );
    }
}
