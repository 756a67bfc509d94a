//! The served OpenAPI document is snapshot-tested against `docs/openapi.json`, which the web UI's
//! typed client is generated from. Run with `UPDATE_SNAPSHOTS=1` to accept a change.

use std::path::PathBuf;

use crate::helpers::TestApp;

#[tokio::test]
async fn openapi_document_matches_the_committed_snapshot() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.expect("json");
    let pretty = serde_json::to_string_pretty(&served).expect("pretty") + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &pretty).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == pretty,
        "the API changed: review the difference and run `UPDATE_SNAPSHOTS=1 cargo test -p cistern openapi` \
         to update docs/openapi.json (then `npm run gen:api` in web/)"
    );
    app.stop().await;
}

#[tokio::test]
async fn every_documented_operation_has_a_tag_and_a_200_or_error_response() {
    let doc = serde_json::to_value(cistern::http::openapi::document()).expect("serialise");
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.1")),
        Some(true)
    );
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/health",
        "/health/detailed",
        "/metrics",
        "/api/openapi.json",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has a tag"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has responses"
            );
        }
    }
}

#[test]
fn operation_ids_are_unique() {
    // openapi-typescript keys operations by id: two handlers named alike would merge their types.
    let doc = serde_json::to_value(cistern::http::openapi::document()).expect("serialise");
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId {id} is used by {other} and {method} {path}");
            }
        }
    }
}

#[test]
fn statuses_the_middleware_answers_are_documented_on_every_operation() {
    let doc = serde_json::to_value(cistern::http::openapi::document()).expect("serialise");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let responses = &op["responses"];
            let mut expected = vec!["503"];
            if path.starts_with("/api/v1/") || path.starts_with("/v1/") {
                expected.push("429");
            }
            if op.get("requestBody").is_some() {
                expected.extend(["400", "413", "415", "422"]);
            }
            for status in expected {
                assert!(
                    responses[status].is_object(),
                    "{method} {path} does not document {status}"
                );
            }
        }
    }
}

#[test]
fn the_job_event_stream_documents_every_kind() {
    let doc = serde_json::to_value(cistern::http::openapi::document()).expect("serialise");
    let kinds: Vec<&str> = doc["components"]["schemas"]["JobEventKind"]["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .filter_map(|k| k.as_str())
        .collect();
    for kind in [
        "progress",
        "log",
        "attempt_failed",
        "retried",
        "succeeded",
        "failed",
        "dead",
        "cancelled",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}
