//! Every list route pages the same way: `?limit=` (1–200, default 50) and `?cursor=` (the
//! previous page's `next_cursor`), answering `{"items": […], "next_cursor": …}`; a bad value is
//! a 422 whose `details.field` names the parameter. The list routes are found in the OpenAPI
//! document, so a new one cannot opt out.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The list routes the product has today; the document must list at least these as paged.
const EXPECTED: &[&str] = &[
    "/api/v1/jobs",
    "/api/v1/conversations",
    "/api/v1/conversations/{id}/messages",
    "/api/v1/memory/facts",
    "/api/v1/memory/episodes",
    "/api/v1/audit",
    "/api/v1/llm/calls",
    "/api/v1/extensions",
    "/api/v1/generations",
];

/// GET operations that take a `cursor`, from the served document.
fn paged_routes(doc: &Value) -> Vec<String> {
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
        if names.contains(&"cursor") {
            assert!(
                names.contains(&"limit"),
                "{path} takes a cursor but no limit"
            );
            let schema = &get["responses"]["200"]["content"]["application/json"]["schema"];
            let name = schema["$ref"].as_str().unwrap_or_default();
            let name = name.rsplit('/').next().unwrap_or_default();
            let page = &doc["components"]["schemas"][name];
            assert!(
                page["properties"]["items"].is_object()
                    && page["properties"]["next_cursor"].is_object(),
                "{path} answers {schema}, not a page of items with a next_cursor"
            );
            for status in ["422", "429", "503"] {
                assert!(
                    get["responses"][status].is_object(),
                    "{path} does not document {status}"
                );
            }
            routes.push(path.clone());
        }
    }
    routes
}

#[tokio::test]
async fn every_list_route_takes_the_same_parameters_and_answers_the_same_page() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("doc");
    let routes = paged_routes(&doc);
    for expected in EXPECTED {
        assert!(
            routes.iter().any(|r| r == expected),
            "{expected} is not paged: {routes:?}"
        );
    }
    let user = app.register("pager@example.com").await;
    let t = Some(user.access.as_str());
    for route in &routes {
        let path = route.replace("{id}", "nope");
        for (query, field) in [
            ("limit=abc", "limit"),
            ("limit=0", "limit"),
            ("limit=201", "limit"),
            ("limit=-1", "limit"),
            ("cursor=not-a-cursor", "cursor"),
        ] {
            let response = app
                .call(Method::GET, &format!("{path}?{query}"), t, None)
                .await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.expect("JSON");
            assert_eq!(status, 422, "{path}?{query}: {body}");
            assert_eq!(
                body["error"]["details"]["field"], field,
                "{path}?{query}: {body}"
            );
        }
        if route.contains('{') {
            continue;
        }
        let page = app
            .call_json(
                Method::GET,
                &format!("{path}?limit=200"),
                &user.access,
                None,
                200,
            )
            .await;
        assert!(page["items"].is_array(), "{path}: {page}");
        assert!(page.get("next_cursor").is_some(), "{path}: {page}");
    }
    app.stop().await;
}

#[tokio::test]
async fn pages_follow_their_cursor_to_the_end_without_repeats() {
    let app = TestApp::spawn().await;
    let user = app.register("pages@example.com").await;
    let mut jobs = Vec::new();
    for n in 0..5 {
        let accepted = app
            .call_json(
                Method::POST,
                "/api/v1/extensions",
                &user.access,
                Some(json!({"prompt": format!("extension number {n}")})),
                202,
            )
            .await;
        jobs.push(accepted["job_id"].as_str().expect("job_id").to_owned());
    }
    // The list is ordered by activity: a generation that ends moves its extension to the top,
    // so the pages are read once every generation has ended (else a row may move past the
    // cursor mid-walk — right for a live list, a flake for this test).
    for job in &jobs {
        app.wait_job(&user.access, job).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/extensions?limit=2&cursor={c}"),
            None => "/api/v1/extensions?limit=2".to_owned(),
        };
        let page = app
            .call_json(Method::GET, &path, &user.access, None, 200)
            .await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2, "{page}");
        seen.extend(
            items
                .iter()
                .map(|e| e["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (5, 5), "{seen:?}");
    app.stop().await;
}

/// Every route with an `{id}` refuses a malformed one with a 422 naming `id` — before any
/// lookup, and the same on every route (the OpenAPI document says so too).
#[tokio::test]
async fn malformed_ids_are_a_422_naming_the_id_on_every_route() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("doc");
    let user = app.register("ids@example.com").await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if !path.contains("{id}") || !path.starts_with("/api/v1/") || path.contains("/admin/") {
            continue;
        }
        let concrete = path
            .replace("{id}", "not.an.id")
            .replace("{version}", "1.0.0")
            .replace("{path}", "manifest.json");
        for (method, op) in item.as_object().expect("item") {
            assert!(
                op["responses"]["422"].is_object(),
                "{method} {path} does not document 422"
            );
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            let response = app
                .call(method.clone(), &concrete, Some(&user.access), body)
                .await;
            let status = response.status().as_u16();
            let text = response.text().await.expect("body");
            assert_eq!(status, 422, "{method} {concrete}: {text}");
            let body: Value = serde_json::from_str(&text).expect("json");
            assert_eq!(
                body["error"]["details"]["field"], "id",
                "{method} {concrete}: {text}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} operations with an id");
    app.stop().await;
}
