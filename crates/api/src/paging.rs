//! Paging of entry lists: the `limit` and `cursor` query parameters, the opaque cursor's
//! encoding, and the `Link: <…>; rel="next"` header.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use journal_domain::{EntryId, PagePosition, PageRequest};
use serde::Deserialize;

use crate::ApiError;

/// Entries per page when the client names no `limit`.
pub const DEFAULT_LIMIT: usize = 50;

/// Largest `limit` accepted.
pub const MAX_LIMIT: usize = 200;

/// The query string of `GET /api/entries`, read as text so every mistake gets a clear 400.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

impl ListQuery {
    /// The page asked for.
    pub(crate) fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    return Err(ApiError::BadQuery(format!(
                        "limit must be a whole number from 1 to {MAX_LIMIT}"
                    )));
                }
            },
        };

        let after = self.cursor.as_deref().map(decode_cursor).transpose()?;
        Ok(PageRequest { limit, after })
    }
}

/// The opaque cursor for "after this position".
pub(crate) fn encode_cursor(position: PagePosition) -> String {
    let text = format!(
        "{}.{}",
        position.created_at.timestamp_micros(),
        position.id.get()
    );
    URL_SAFE_NO_PAD.encode(text)
}

fn decode_cursor(cursor: &str) -> Result<PagePosition, ApiError> {
    let invalid = || ApiError::BadQuery("cursor is not one this server handed out".into());

    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (micros, id) = text.split_once('.').ok_or_else(invalid)?;
    let micros = canonical_integer(micros).ok_or_else(invalid)?;
    let id = canonical_integer(id).ok_or_else(invalid)?;
    // Cursors hold times this server stored; outside years 1 to 9999 one is forged, and
    // Postgres would refuse some of those times (before 4713 BC) with an error of its own.
    if !(FIRST_MICROS..=LAST_MICROS).contains(&micros) {
        return Err(invalid());
    }
    let created_at = DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(invalid)?;

    Ok(PagePosition {
        created_at,
        id: EntryId::new(id),
    })
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, in microseconds since 1970.
const FIRST_MICROS: i64 = -62_135_596_800_000_000;
const LAST_MICROS: i64 = 253_402_300_799_999_999;

/// `text` as an integer, when it is written the one way this server writes it (no sign but a
/// leading minus, no leading zeros).
fn canonical_integer(text: &str) -> Option<i64> {
    let number = text.parse::<i64>().ok()?;
    (number.to_string() == text).then_some(number)
}

/// The `Link` header value pointing at the page after `last`.
pub(crate) fn next_link(path: &str, limit: usize, last: PagePosition) -> String {
    format!(
        r#"<{path}?limit={limit}&cursor={}>; rel="next""#,
        encode_cursor(last)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(limit: Option<&str>, cursor: Option<&str>) -> ListQuery {
        ListQuery {
            limit: limit.map(str::to_owned),
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn a_cursor_round_trips() {
        let position = PagePosition {
            created_at: DateTime::from_timestamp_micros(1_796_325_818_302_562).unwrap(),
            id: EntryId::new(42),
        };

        let page = query(None, Some(&encode_cursor(position))).page().unwrap();

        assert_eq!(page.after, Some(position));
        assert_eq!(page.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn limits_outside_the_range_and_forged_cursors_are_refused() {
        for limit in ["0", "201", "-1", "ten", "1.5", ""] {
            assert!(query(Some(limit), None).page().is_err(), "{limit}");
        }
        let forged = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for cursor in [
            "".to_owned(),
            "!!!".to_owned(),
            "bm90IGEgY3Vyc29y".to_owned(),
            "MTIzNDU".to_owned(),
            forged("-210866803200000001.1"),
            forged("253402300800000000.1"),
            forged("+5.+5"),
            forged("01.1"),
            forged("5.01"),
        ] {
            assert!(query(None, Some(&cursor)).page().is_err(), "{cursor}");
        }
        assert!(
            query(None, Some(&forged("1796325818302562.7")))
                .page()
                .is_ok()
        );
        assert_eq!(query(Some("200"), None).page().unwrap().limit, 200);
    }
}
