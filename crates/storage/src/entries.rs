//! Reading and writing one user's journal entries. Every query is scoped by the owner: an
//! entry of another user is indistinguishable from one that does not exist.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use journal_domain::{EntryContent, EntryId, JournalEntry, NewEntry, PageRequest, UserId};
use uuid::Uuid;

use crate::StorageError;
use crate::schema::journal_entries;

/// What a conditional change found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// The change was made.
    Done(T),
    /// The owner has no entry with that id.
    NotFound,
    /// The entry exists but its version is no longer the one the caller expected; the
    /// current entry is returned so the caller can show it.
    Conflict(JournalEntry),
}

/// One page of the user's entries, newest first (ties broken by the higher id), starting after
/// `page.after`. Keyset paging: entries added or deleted between pages neither repeat nor
/// push others out of sight.
pub async fn list_entries(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    page: PageRequest,
) -> Result<Vec<JournalEntry>, StorageError> {
    let mut query = journal_entries::table
        .filter(journal_entries::user_id.eq(owner.as_uuid()))
        .order((
            journal_entries::created_at.desc(),
            journal_entries::id.desc(),
        ))
        .limit(i64::try_from(page.limit).unwrap_or(i64::MAX))
        .select(EntryRow::as_select())
        .into_boxed();

    if let Some(after) = page.after {
        query = query.filter(
            journal_entries::created_at
                .lt(after.created_at)
                .or(journal_entries::created_at
                    .eq(after.created_at)
                    .and(journal_entries::id.lt(after.id.get()))),
        );
    }

    let rows = query.load(connection).await?;
    Ok(rows.into_iter().map(EntryRow::into_entry).collect())
}

/// The owner's entry with `id`, if there is one.
pub async fn get_entry(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    id: EntryId,
) -> Result<Option<JournalEntry>, StorageError> {
    let row = owned(owner, id)
        .select(EntryRow::as_select())
        .first(connection)
        .await
        .optional()?;
    Ok(row.map(EntryRow::into_entry))
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

    inserted.map(EntryRow::into_entry).map_err(unknown_user_or)
}

/// `UnknownUser` for a foreign-key violation (the owner has no user row), else the error.
pub(crate) fn unknown_user_or(error: DieselError) -> StorageError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            StorageError::UnknownUser
        }
        other => other.into(),
    }
}

/// Replaces the content of the owner's entry `id`, when its version is `expected_version`
/// (or whatever it is, when `None`).
pub async fn update_entry(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    id: EntryId,
    content: &EntryContent,
    expected_version: Option<i64>,
) -> Result<Change<JournalEntry>, StorageError> {
    let target = owned(owner, id).filter(version_is(expected_version));
    let updated = diesel::update(target)
        .set((
            journal_entries::content.eq(content.as_str()),
            journal_entries::updated_at.eq(diesel::dsl::now),
            journal_entries::version.eq(journal_entries::version + 1),
        ))
        .returning(EntryRow::as_returning())
        .get_result(connection)
        .await
        .optional()?;

    match updated {
        Some(row) => Ok(Change::Done(row.into_entry())),
        None => why_unchanged(connection, owner, id).await,
    }
}

/// Deletes the owner's entry `id`, when its version is `expected_version` (or whatever it is,
/// when `None`).
pub async fn delete_entry(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    id: EntryId,
    expected_version: Option<i64>,
) -> Result<Change<()>, StorageError> {
    let target = owned(owner, id).filter(version_is(expected_version));
    let deleted = diesel::delete(target).execute(connection).await?;

    if deleted > 0 {
        return Ok(Change::Done(()));
    }
    why_unchanged(connection, owner, id).await
}

async fn why_unchanged<T>(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    id: EntryId,
) -> Result<Change<T>, StorageError> {
    Ok(match get_entry(connection, owner, id).await? {
        Some(current) => Change::Conflict(current),
        None => Change::NotFound,
    })
}

/// `version = expected`, or true when nothing is expected.
fn version_is(
    expected: Option<i64>,
) -> diesel::dsl::Or<
    diesel::dsl::Eq<journal_entries::version, i64>,
    diesel::dsl::AsExprOf<bool, diesel::sql_types::Bool>,
> {
    use diesel::IntoSql;

    journal_entries::version
        .eq(expected.unwrap_or(0))
        .or(expected.is_none().into_sql::<diesel::sql_types::Bool>())
}

type OwnedEntry = diesel::dsl::Filter<
    diesel::dsl::Filter<journal_entries::table, diesel::dsl::Eq<journal_entries::user_id, Uuid>>,
    diesel::dsl::Eq<journal_entries::id, i64>,
>;

/// The owner's entry `id`, and nobody else's.
fn owned(owner: UserId, id: EntryId) -> OwnedEntry {
    journal_entries::table
        .filter(journal_entries::user_id.eq(owner.as_uuid()))
        .filter(journal_entries::id.eq(id.get()))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = journal_entries)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct EntryRow {
    id: i64,
    user_id: Uuid,
    content: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl EntryRow {
    fn into_entry(self) -> JournalEntry {
        JournalEntry {
            id: EntryId::new(self.id),
            user_id: UserId::new(self.user_id),
            content: self.content,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}
