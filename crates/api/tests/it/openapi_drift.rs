//! The OpenAPI document and the server cannot drift apart: real responses for every documented
//! operation are checked against the document (status, content type, headers, body schema),
//! and every documented operation is exercised.

use std::collections::BTreeSet;

use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use journal_api::{ApiDoc, app};
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::{Answer, Fixture, bearer, send};

/// One request, named by the documented path template it exercises.
struct Call {
    template: &'static str,
    request: TestRequest,
    method: Method,
}

fn call(method: Method, template: &'static str, uri: &str) -> Call {
    Call {
        template,
        request: TestRequest::default().method(method.clone()).uri(uri),
        method,
    }
}

#[actix_web::test]
async fn every_documented_operation_answers_as_documented() {
    let fixture = Fixture::new().await;
    let state = fixture.state();
    state.verifier.refresh_keys().await.unwrap();
    let service = test::init_service(app(state)).await;
    let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let (_, token) = fixture.signed_in("alice@x.test").await;
    let stranger = fixture.token_for(journal_domain::UserId::new(uuid::Uuid::new_v4()));
    let created = send(
        &service,
        TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .set_json(json!({"content": "a"})),
    )
    .await;
    let id = created.body["id"].as_i64().unwrap();
    let tag = created.header("etag").unwrap().to_owned();
    for n in 0..3 {
        let body = json!({ "content": format!("filler {n}") });
        let request = TestRequest::post()
            .uri("/api/entries")
            .insert_header(bearer(&token))
            .set_json(body);
        send(&service, request).await;
    }
    let one = format!("/api/entries/{id}");
    let authed = |method: Method, template, uri: &str| {
        let mut c = call(method, template, uri);
        c.request = c.request.insert_header(bearer(&token));
        c
    };
    let with_json = |mut c: Call, body: Value| {
        c.request = c.request.set_json(body);
        c
    };

    let calls = vec![
        authed(Method::GET, "/api/entries", "/api/entries?limit=2"),
        authed(Method::GET, "/api/entries", "/api/entries?limit=0"),
        call(Method::GET, "/api/entries", "/api/entries"),
        with_json(
            authed(Method::POST, "/api/entries", "/api/entries"),
            json!({"content": "b"}),
        ),
        with_json(
            authed(Method::POST, "/api/entries", "/api/entries"),
            json!({"content": ""}),
        ),
        with_json(
            {
                let mut c = call(Method::POST, "/api/entries", "/api/entries");
                c.request = c.request.insert_header(bearer(&stranger));
                c
            },
            json!({"content": "no user row"}),
        ),
        authed(Method::GET, "/api/entries/{id}", &one),
        {
            let mut c = authed(Method::GET, "/api/entries/{id}", &one);
            c.request = c.request.insert_header(("If-None-Match", tag.as_str()));
            c
        },
        authed(Method::GET, "/api/entries/{id}", "/api/entries/999999"),
        with_json(
            authed(Method::PUT, "/api/entries/{id}", &one),
            json!({"content": "c"}),
        ),
        with_json(
            {
                let mut c = authed(Method::PUT, "/api/entries/{id}", &one);
                c.request = c.request.insert_header(("If-Match", tag.as_str()));
                c
            },
            json!({"content": "stale"}),
        ),
        {
            let mut c = authed(Method::DELETE, "/api/entries/{id}", &one);
            c.request = c.request.insert_header(("If-Match", tag.as_str()));
            c
        },
        authed(Method::DELETE, "/api/entries/{id}", &one),
        authed(Method::DELETE, "/api/entries/{id}", &one),
        call(Method::GET, "/healthz", "/healthz"),
        call(Method::GET, "/readyz", "/readyz"),
        call(Method::GET, "/metrics", "/metrics"),
        call(Method::GET, "/api/openapi.json", "/api/openapi.json"),
    ];

    let mut exercised = BTreeSet::new();
    for Call {
        template,
        request,
        method,
    } in calls
    {
        let answer = send(&service, request).await;
        let method_name = method.as_str().to_lowercase();
        let operation = &document["paths"][template][&method_name];
        assert!(
            operation.is_object(),
            "{method} {template} is not documented"
        );
        let documented = &operation["responses"][answer.status.as_str()];
        assert!(
            documented.is_object(),
            "{method} {template} answered {} which is not documented: {}",
            answer.status,
            answer.body
        );
        check_answer(
            &document,
            documented,
            &answer,
            &format!("{method} {template}"),
        );
        exercised.insert(format!("{method_name} {template}"));
    }

    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{method} {path}"))
        })
        .collect();
    assert_eq!(
        exercised, documented,
        "documented operations without a real request"
    );
}

fn check_answer(document: &Value, documented: &Value, answer: &Answer, name: &str) {
    for (header, _) in documented["headers"].as_object().into_iter().flatten() {
        // These are documented as sent only in some cases ("when more follow", …).
        let optional = ["Link", "Retry-After", "Idempotent-Replayed"].contains(&header.as_str());
        assert!(
            optional || answer.headers.contains_key(header.as_str()),
            "{name} {}: documented header {header} missing",
            answer.status
        );
    }

    let Some(content) = documented["content"].as_object() else {
        assert!(
            answer.body.is_null(),
            "{name} {}: body not documented: {}",
            answer.status,
            answer.body
        );
        return;
    };
    let content_type = answer.header("content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap().trim();
    let schema = &content
        .get(media)
        .unwrap_or_else(|| panic!("{name} {}: {media} not documented", answer.status))["schema"];
    let problems = schema_mismatches(document, schema, &answer.body, "$");
    assert!(
        problems.is_empty(),
        "{name} {}: {problems:#?}\n{}",
        answer.status,
        answer.body
    );
}

/// Where `value` breaks `schema` (a subset of JSON Schema: `$ref`, `type`, `properties`,
/// `required`, `items`, `oneOf`/`anyOf`/`allOf`, `additionalProperties`).
fn schema_mismatches(document: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return schema_mismatches(
            document,
            &document["components"]["schemas"][name],
            value,
            at,
        );
    }
    if let Some(choices) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let fits = choices
            .iter()
            .any(|choice| schema_mismatches(document, choice, value, at).is_empty());
        return if fits {
            vec![]
        } else {
            vec![format!("{at}: matches none of {choices:?}")]
        };
    }
    if let Some(parts) = schema["allOf"].as_array() {
        return parts
            .iter()
            .flat_map(|part| schema_mismatches(document, part, value, at))
            .collect();
    }

    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() && !types.iter().any(|kind| has_type(value, kind)) {
        return vec![format!("{at}: {value} is not {types:?}")];
    }

    let mut problems = Vec::new();
    if let (Some(object), Some(properties)) = (value.as_object(), schema["properties"].as_object())
    {
        for required in schema["required"].as_array().into_iter().flatten() {
            let key = required.as_str().unwrap();
            if !object.contains_key(key) {
                problems.push(format!("{at}: required {key} missing"));
            }
        }
        for (key, field) in object {
            match properties.get(key) {
                Some(property) => {
                    problems.extend(schema_mismatches(
                        document,
                        property,
                        field,
                        &format!("{at}.{key}"),
                    ));
                }
                None => problems.push(format!("{at}: {key} is not documented")),
            }
        }
    }
    if let (Some(items), Some(schema)) = (value.as_array(), schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            problems.extend(schema_mismatches(
                document,
                schema,
                item,
                &format!("{at}[{index}]"),
            ));
        }
    }
    problems
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}
