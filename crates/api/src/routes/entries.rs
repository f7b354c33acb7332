//! `/api/entries`: the caller's journal entries.

use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use journal_domain::NewEntry;
use journal_storage::{create_entry as insert_entry, list_entries as load_entries};

use crate::identity::CurrentUser;
use crate::{ApiError, AppState};

/// `GET /api/entries`: the caller's entries, newest first.
pub(crate) async fn list_entries(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let mut connection = state.database.connection().await?;

    let entries = load_entries(&mut connection, user).await?;

    Ok(HttpResponse::Ok().json(entries))
}

/// `POST /api/entries` with `{"content": "..."}`: stores an entry and answers `201` with it.
///
/// The body is read only after the token verified, so an anonymous client learns nothing
/// from how its body would have been judged.
pub(crate) async fn create_entry(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let body = web::Json::<serde_json::Value>::from_request(&request, &mut payload.into_inner())
        .await?
        .into_inner();

    let text = content_of(body)?;
    let content = state.content_rules.accept(text).map_err(ApiError::from)?;
    let entry = NewEntry {
        user_id: user,
        content,
    };

    let mut connection = state.database.connection().await.map_err(ApiError::from)?;
    let stored = insert_entry(&mut connection, &entry)
        .await
        .map_err(ApiError::from)?;

    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/entries/{}", stored.id.get())))
        .json(stored))
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
