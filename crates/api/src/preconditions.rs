//! Entity tags and the conditional headers built on them: `ETag` carries an entry's version,
//! `If-Match` makes a change conditional on it, `If-None-Match` lets a client skip a body it
//! already has.

use actix_web::HttpRequest;
use actix_web::http::header;

/// The strong entity tag of an entry at `version`.
pub(crate) fn entity_tag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IfMatch {
    /// No header: change whatever the current version is.
    Absent,
    /// `*`: change the entry if it exists.
    Any,
    /// Change only if the current version is one of these (strong comparison).
    Versions(Vec<i64>),
}

impl IfMatch {
    pub(crate) fn of(request: &HttpRequest) -> Self {
        let values: Vec<&str> = request
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|value| value.to_str().ok())
            .collect();
        if values.is_empty() {
            return Self::Absent;
        }

        let tags: Vec<&str> = values
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        if tags.contains(&"*") {
            return Self::Any;
        }
        Self::Versions(
            tags.iter()
                .filter_map(|tag| version_of(tag, false))
                .collect(),
        )
    }
}

/// True when an `If-None-Match` header names `version` (weak comparison) or is `*`.
pub(crate) fn none_match_hits(request: &HttpRequest, version: i64) -> bool {
    request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || version_of(tag, true) == Some(version))
}

/// The version in a tag we issued; weak tags (`W/"…"`) only when `weak_allowed`.
fn version_of(tag: &str, weak_allowed: bool) -> Option<i64> {
    let strong = match tag.strip_prefix("W/") {
        Some(_) if !weak_allowed => return None,
        Some(rest) => rest,
        None => tag,
    };
    strong.strip_prefix("\"v")?.strip_suffix('"')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_match_reads_star_lists_and_ignores_weak_or_foreign_tags() {
        let parse = |value: &str| {
            IfMatch::of(
                &TestRequest::default()
                    .insert_header((header::IF_MATCH, value))
                    .to_http_request(),
            )
        };

        assert_eq!(
            IfMatch::of(&TestRequest::default().to_http_request()),
            IfMatch::Absent
        );
        assert_eq!(parse("*"), IfMatch::Any);
        assert_eq!(parse("\"v3\""), IfMatch::Versions(vec![3]));
        assert_eq!(parse("\"v3\", \"v4\""), IfMatch::Versions(vec![3, 4]));
        assert_eq!(parse("W/\"v3\""), IfMatch::Versions(vec![]));
        assert_eq!(parse("\"abc\""), IfMatch::Versions(vec![]));
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let request = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "W/\"v7\""))
            .to_http_request();

        assert!(none_match_hits(&request, 7));
        assert!(!none_match_hits(&request, 8));
    }
}
