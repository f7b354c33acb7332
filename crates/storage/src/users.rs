//! The rows of `neon_auth."user"` the journal needs: whether a user exists, and (for the
//! development identity provider) creating one.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use journal_domain::UserId;

use crate::StorageError;
use crate::schema::user;

/// True when `neon_auth."user"` has a row for `id`.
pub async fn user_exists(
    connection: &mut AsyncPgConnection,
    id: UserId,
) -> Result<bool, StorageError> {
    let found = diesel::select(diesel::dsl::exists(
        user::table.filter(user::id.eq(id.as_uuid())),
    ))
    .get_result(connection)
    .await?;
    Ok(found)
}

/// The id of the user with `email`, creating the row when there is none.
pub async fn ensure_user(
    connection: &mut AsyncPgConnection,
    email: &str,
    name: &str,
) -> Result<UserId, StorageError> {
    let id = diesel::insert_into(user::table)
        .values((
            user::email.eq(email),
            user::name.eq(name),
            user::email_verified.eq(false),
        ))
        .on_conflict(user::email)
        .do_update()
        .set(user::updated_at.eq(diesel::dsl::now))
        .returning(user::id)
        .get_result(connection)
        .await?;
    Ok(UserId::new(id))
}
