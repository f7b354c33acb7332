//! `/api/entries` and `/api/entries/{id}`: the caller's journal entries. Every lookup is
//! scoped to the caller, so another user's entry answers exactly like a missing one.

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use journal_domain::{EntryContent, EntryId, JournalEntry, NewEntry, UserId};
use journal_storage::{Change, Creation};

use crate::error::Problem;
use crate::identity::CurrentUser;
use crate::openapi::{AuthRefusals, BodyRefusals, EntryBody, EntryChanged, NoSuchEntry};
use crate::paging::{ListQuery, next_link};
use crate::preconditions::{IfMatch, entity_tag, none_match_hits};
use crate::{ApiError, AppState};

/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Longest wait for a request body once its headers arrived.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// `GET /api/entries?limit=&cursor=`: a page of the caller's entries, newest first, as a JSON
/// array; `Link: <…>; rel="next"` when more follow.
#[utoipa::path(
    get,
    path = "/api/entries",
    tag = "entries",
    security(("bearer" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200,
         description = "Entries per page, 1 to 200; default 50"),
        ("cursor" = Option<String>, Query, description = "From the previous page's Link"),
    ),
    responses(
        (status = 200, description = "A page of entries, newest first", body = [JournalEntry],
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more follow"))),
        (status = 400, description = "A bad limit or cursor", body = Problem,
         content_type = "application/problem+json"),
        AuthRefusals,
    )
)]
pub(crate) async fn list_entries(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut page = query.page()?;
    let limit = page.limit;
    page.limit += 1;

    let mut entries = state
        .database
        .read(async |connection| journal_storage::list_entries(connection, user, page).await)
        .await?;

    let mut response = HttpResponse::Ok();
    if entries.len() > limit {
        entries.truncate(limit);
        if let Some(last) = entries.last() {
            let link = next_link(request.path(), limit, last.position());
            response.insert_header((header::LINK, link));
        }
    }
    Ok(response.json(entries))
}

/// `POST /api/entries` with `{"content": "..."}`: stores an entry and answers `201` with it.
///
/// The body is read only after the token verified, so an anonymous client learns nothing
/// from how its body would have been judged.
#[utoipa::path(
    post,
    path = "/api/entries",
    tag = "entries",
    security(("bearer" = [])),
    request_body = EntryBody,
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Retrying with the same key and content within 24 h returns the first \
                           answer instead of creating a second entry")),
    responses(
        (status = 201, description = "Stored (or, for a repeated Idempotency-Key, stored before)",
         body = JournalEntry,
         headers(("Location" = String, description = "The entry's URL"),
                 ("ETag" = String, description = "The entry's version"),
                 ("Idempotent-Replayed" = String,
                  description = "`true` when this answers a retry"))),
        (status = 403, description = "The signed-in user has no user row", body = Problem,
         content_type = "application/problem+json"),
        BodyRefusals,
        AuthRefusals,
    )
)]
pub(crate) async fn create_entry(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let key = idempotency_key(&request)?;
    let content = read_content(&request, payload, &state).await?;
    let entry = NewEntry {
        user_id: user,
        content,
    };

    let creation = match key {
        None => state
            .database
            .write(async |connection| journal_storage::create_entry(connection, &entry).await)
            .await
            .map(Creation::Created),
        Some(key) => {
            state
                .database
                .write(async |connection| {
                    journal_storage::create_entry_once(connection, &entry, key).await
                })
                .await
        }
    };
    let (stored, replayed) = match creation.map_err(ApiError::from_write)? {
        Creation::Created(stored) => (stored, false),
        Creation::Replayed(stored) => (stored, true),
        Creation::KeyReused => return Err(ApiError::IdempotencyKeyReused.into()),
    };

    let mut response = HttpResponse::Created();
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response
        .insert_header((
            header::LOCATION,
            format!("/api/entries/{}", stored.id.get()),
        ))
        .insert_header((header::ETAG, entity_tag(stored.version)))
        .json(stored))
}

/// `GET /api/entries/{id}`: one entry with its `ETag`; `304` when `If-None-Match` names it.
#[utoipa::path(
    get,
    path = "/api/entries/{id}",
    tag = "entries",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The entry's id"),
           ("If-None-Match" = Option<String>, Header, description = "A tag from an earlier read")),
    responses(
        (status = 200, description = "The entry", body = JournalEntry,
         headers(("ETag" = String, description = "The entry's version"))),
        (status = 304, description = "Unchanged since the tag in If-None-Match",
         headers(("ETag" = String, description = "The entry's version"))),
        NoSuchEntry,
        AuthRefusals,
    )
)]
pub(crate) async fn get_entry(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(&path)?;

    let entry = state
        .database
        .read(async |connection| journal_storage::get_entry(connection, user, id).await)
        .await?
        .ok_or(ApiError::EntryNotFound)?;

    let tag = entity_tag(entry.version);
    if none_match_hits(&request, entry.version) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(entry))
}

/// `PUT /api/entries/{id}` with `{"content": "..."}`: replaces the content; `412` with the
/// current entry when `If-Match` names a version that is no longer current.
#[utoipa::path(
    put,
    path = "/api/entries/{id}",
    tag = "entries",
    security(("bearer" = [])),
    request_body = EntryBody,
    params(("id" = i64, Path, description = "The entry's id"),
           ("If-Match" = Option<String>, Header, description = "Change only this version")),
    responses(
        (status = 200, description = "Changed", body = JournalEntry,
         headers(("ETag" = String, description = "The new version"))),
        NoSuchEntry,
        EntryChanged,
        BodyRefusals,
        AuthRefusals,
    )
)]
pub(crate) async fn update_entry(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let id = entry_id(&path)?;
    let content = read_content(&request, payload, &state).await?;

    let expected = expected_version(&state, user, id, IfMatch::of(&request)).await?;
    let change = state
        .database
        .write(async |connection| {
            journal_storage::update_entry(connection, user, id, &content, expected).await
        })
        .await
        .map_err(ApiError::from_write)?;

    match change {
        Change::Done(entry) => Ok(HttpResponse::Ok()
            .insert_header((header::ETAG, entity_tag(entry.version)))
            .json(entry)),
        Change::NotFound => Err(ApiError::EntryNotFound.into()),
        Change::Conflict(current) => Err(ApiError::PreconditionFailed(Box::new(current)).into()),
    }
}

/// `DELETE /api/entries/{id}`: `204`; `412` when `If-Match` names a stale version.
#[utoipa::path(
    delete,
    path = "/api/entries/{id}",
    tag = "entries",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The entry's id"),
           ("If-Match" = Option<String>, Header, description = "Delete only this version")),
    responses(
        (status = 204, description = "Deleted"),
        NoSuchEntry,
        EntryChanged,
        AuthRefusals,
    )
)]
pub(crate) async fn delete_entry(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(&path)?;

    let expected = expected_version(&state, user, id, IfMatch::of(&request)).await?;
    let change = state
        .database
        .write(async |connection| {
            journal_storage::delete_entry(connection, user, id, expected).await
        })
        .await
        .map_err(ApiError::from_write)?;

    match change {
        Change::Done(()) => Ok(HttpResponse::NoContent().finish()),
        Change::NotFound => Err(ApiError::EntryNotFound),
        Change::Conflict(current) => Err(ApiError::PreconditionFailed(Box::new(current))),
    }
}

/// The `Idempotency-Key` header: absent, or once with 1 to 255 visible ASCII characters.
fn idempotency_key(request: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let mut values = request.headers().get_all("idempotency-key");
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::BadHeader(
            "Idempotency-Key must be sent once, not repeated".into(),
        ));
    }
    let key = value.to_str().unwrap_or_default();
    let sane = (1..=MAX_IDEMPOTENCY_KEY).contains(&key.len())
        && key.bytes().all(|byte| byte.is_ascii_graphic());
    if !sane {
        return Err(ApiError::BadHeader(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
        )));
    }
    Ok(Some(key))
}

/// An entry id from the path: a positive integer, or the entry does not exist.
fn entry_id(text: &str) -> Result<EntryId, ApiError> {
    // Only the spelling this server hands out names an entry: not `01`, not `+1`.
    match text.parse::<i64>() {
        Ok(id) if id > 0 && id.to_string() == text => Ok(EntryId::new(id)),
        _ => Err(ApiError::EntryNotFound),
    }
}

/// The version a change must find, from `If-Match`. With several tags the current version
/// is looked up; the change itself still checks it, so a concurrent edit cannot slip in.
async fn expected_version(
    state: &AppState,
    user: UserId,
    id: EntryId,
    if_match: IfMatch,
) -> Result<Option<i64>, ApiError> {
    match if_match {
        IfMatch::Absent | IfMatch::Any => Ok(None),
        IfMatch::Versions(versions) if versions.len() == 1 => Ok(Some(versions[0])),
        // Versions start at 1: zero matches nothing, so the change reports 404 or 412.
        IfMatch::Versions(versions) if versions.is_empty() => Ok(Some(0)),
        IfMatch::Versions(versions) => {
            let current = state
                .database
                .read(async |connection| journal_storage::get_entry(connection, user, id).await)
                .await?
                .ok_or(ApiError::EntryNotFound)?;
            if versions.contains(&current.version) {
                Ok(Some(current.version))
            } else {
                Err(ApiError::PreconditionFailed(Box::new(current)))
            }
        }
    }
}

/// Reads the body as JSON (after authentication, within [`BODY_TIMEOUT`]) and checks its
/// `content`.
async fn read_content(
    request: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> actix_web::Result<EntryContent> {
    let encoded = request
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|coding| !coding.as_bytes().eq_ignore_ascii_case(b"identity"));
    if encoded {
        return Err(ApiError::UnsupportedEncoding.into());
    }

    let reading = web::Json::<serde_json::Value>::from_request(request, &mut payload.into_inner());
    let body = tokio::time::timeout(BODY_TIMEOUT, reading)
        .await
        .map_err(|_| ApiError::BodyTimeout {
            seconds: BODY_TIMEOUT.as_secs(),
        })??
        .into_inner();

    let text = content_of(body)?;
    Ok(state.content_rules.accept(text).map_err(ApiError::from)?)
}

/// The `content` member of a request body, which must be a JSON object.
fn content_of(body: serde_json::Value) -> Result<String, ApiError> {
    let serde_json::Value::Object(mut fields) = body else {
        return Err(ApiError::InvalidEntry(
            "the body must be a JSON object".into(),
        ));
    };
    match fields.remove("content") {
        Some(serde_json::Value::String(text)) => Ok(text),
        Some(_) => Err(ApiError::InvalidEntry("content must be a string".into())),
        None => Err(ApiError::InvalidEntry("content is required".into())),
    }
}
