//! Reading and writing one user's journal entries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use journal_domain::{EntryId, JournalEntry, NewEntry, UserId};
use uuid::Uuid;

use crate::StorageError;
use crate::schema::journal_entries;

/// The user's entries, newest first, ties broken by the higher id.
pub async fn list_entries(
    connection: &mut AsyncPgConnection,
    owner: UserId,
) -> Result<Vec<JournalEntry>, StorageError> {
    // Limitation: every entry is returned in one response, as the tutorial's SPA expects;
    // keyset paging arrives with the API issue.
    let rows = journal_entries::table
        .filter(journal_entries::user_id.eq(owner.as_uuid()))
        .order((
            journal_entries::created_at.desc(),
            journal_entries::id.desc(),
        ))
        .select(EntryRow::as_select())
        .load(connection)
        .await?;

    Ok(rows.into_iter().map(EntryRow::into_entry).collect())
}

/// Stores a new entry. A user without a row in `neon_auth."user"` is `UnknownUser`.
pub async fn create_entry(
    connection: &mut AsyncPgConnection,
    entry: &NewEntry,
) -> Result<JournalEntry, StorageError> {
    let inserted = diesel::insert_into(journal_entries::table)
        .values((
            journal_entries::user_id.eq(entry.user_id.as_uuid()),
            journal_entries::content.eq(entry.content.as_str()),
        ))
        .returning(EntryRow::as_returning())
        .get_result(connection)
        .await;

    match inserted {
        Ok(row) => Ok(row.into_entry()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => {
            Err(StorageError::UnknownUser)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = journal_entries)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct EntryRow {
    id: i64,
    user_id: Uuid,
    content: String,
    created_at: DateTime<Utc>,
}

impl EntryRow {
    fn into_entry(self) -> JournalEntry {
        JournalEntry {
            id: EntryId::new(self.id),
            user_id: UserId::new(self.user_id),
            content: self.content,
            created_at: self.created_at,
        }
    }
}
