//! Sage's projects and ingests: CRUD with owner checks, ingests as text and as pasted JSON
//! scored with the project's memory (a new error template is labelled on the second ingest),
//! the risk history and the templates, and bad input refused with nothing stored.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};

/// A calm minute of a web service.
fn calm() -> String {
    (0..60)
        .map(|s| {
            format!(
                "2024-05-01 12:00:{s:02},120 INFO  [http-{}] api.Handler - GET /orders/{} answered 200 in {} ms\n",
                s % 4,
                1000 + s,
                20 + s % 7
            )
        })
        .collect()
}

/// The same minute, with the database refusing connections.
fn incident() -> String {
    let mut log = calm();
    for s in 30..60 {
        log.push_str(&format!(
            "2024-05-01 12:01:{s:02},500 ERROR [pool-{}] db.Pool - connection to 10.0.0.{}:5432 refused\n",
            s % 3,
            s % 5
        ));
    }
    log
}

async fn project(app: &TestApp, token: &str, name: &str) -> String {
    let p = app
        .call_json(
            Method::POST,
            "/api/v1/sage/projects",
            token,
            Some(json!({"name": name, "description": "the shop's API"})),
            201,
        )
        .await;
    assert_eq!(p["learning"], true, "{p}");
    p["id"].as_str().expect("id").to_owned()
}

async fn ingest_text(app: &TestApp, token: &str, id: &str, logs: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/sage/projects/{id}/ingest")))
        .bearer_auth(token)
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(logs.to_owned())
        .send()
        .await
        .expect("ingest")
}

#[tokio::test]
async fn ingests_are_scored_with_the_projects_memory_and_make_its_history() {
    let app = TestApp::spawn().await;
    let s = app.register("sage-owner@example.com").await;
    let t = s.access.as_str();
    let id = project(&app, t, "shop").await;

    let r = ingest_text(&app, t, &id, &calm()).await;
    assert_eq!(r.status(), 200);
    let first: Value = r.json().await.expect("json");
    assert_eq!(first["ingest"]["status"], "scored", "{first}");
    assert_eq!(first["ingest"]["source"], "text");
    assert_eq!(first["ingest"]["lines"], 60);
    assert!(
        first["score"].as_u64().expect("score") < 30,
        "calm: {first}"
    );
    assert_eq!(first["learning"], true);
    assert!(!first["new_templates"].as_array().expect("new").is_empty());

    // Pasted as JSON: the same requests, and an error template the project has never seen.
    let second = app
        .call_json(
            Method::POST,
            &format!("/api/v1/sage/projects/{id}/ingest"),
            t,
            Some(json!({"logs": incident()})),
            200,
        )
        .await;
    assert_eq!(second["ingest"]["source"], "paste");
    let labels: Vec<&str> = second["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(labels.contains(&"New Error Template"), "{second}");
    assert!(
        second["score"].as_u64().expect("score") > first["score"].as_u64().expect("score"),
        "{second}"
    );
    let new: Vec<&str> = second["new_templates"]
        .as_array()
        .expect("new")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(new.len(), 1, "only the refusal is new: {new:?}");
    assert!(new[0].contains("refused"), "{new:?}");

    // The history: two points, oldest first; the project remembers both.
    let history = app
        .get_json(
            &format!("/api/v1/sage/projects/{id}/risk-history?days=30"),
            t,
        )
        .await;
    let points = history["points"].as_array().expect("points");
    assert_eq!(points.len(), 2, "{history}");
    assert_eq!(points[0]["score"], first["score"]);
    assert_eq!(points[1]["score"], second["score"]);
    assert!(
        points[1]["labels"]
            .to_string()
            .contains("New Error Template")
    );
    assert_eq!(points[1]["counts"]["new_templates"], 1);
    let p = app
        .get_json(&format!("/api/v1/sage/projects/{id}"), t)
        .await;
    assert_eq!(
        (p["ingests"].as_i64(), &p["last_score"]),
        (Some(2), &second["score"])
    );

    let templates = app
        .get_json(&format!("/api/v1/sage/projects/{id}/templates"), t)
        .await;
    let top = templates["top"].as_array().expect("top");
    assert_eq!(
        top[0]["records"], 120,
        "the request line, over both ingests: {templates}"
    );
    assert!(
        top[0]["example"]
            .as_str()
            .expect("example")
            .contains("GET /orders/1000")
    );
    let refused = top
        .iter()
        .find(|t| {
            t["template"]
                .as_str()
                .is_some_and(|x| x.contains("refused"))
        })
        .expect("the refusal");
    assert_eq!(
        (refused["records"].as_i64(), refused["errors"].as_i64()),
        (Some(30), Some(30))
    );
    // Everything is new within the last day; nothing after now.
    assert_eq!(templates["new"].as_array().expect("new").len(), top.len());
    let later = app
        .get_json(
            &format!("/api/v1/sage/projects/{id}/templates?since=2999-01-01T00:00:00Z"),
            t,
        )
        .await;
    assert_eq!(later["new"], json!([]));
    let ingests = app
        .get_json(&format!("/api/v1/sage/projects/{id}/ingests"), t)
        .await;
    assert_eq!(ingests["items"].as_array().expect("items").len(), 2);
    assert_eq!(ingests["items"][0]["source"], "paste", "newest first");
    assert_eq!(
        ingests["items"][0]["factors"], second["factors"],
        "the factors stay with the ingest"
    );
    app.stop().await;
}

#[tokio::test]
async fn another_users_project_is_a_404_and_bad_input_is_refused_storing_nothing() {
    let app = TestApp::builder()
        .config(|c| c.sage.max_ingest_bytes = 4_096)
        .spawn()
        .await;
    let alice = app.register("sage-alice@example.com").await;
    let bob = app.register("sage-bob@example.com").await;
    let id = project(&app, &alice.access, "private").await;
    let base = format!("/api/v1/sage/projects/{id}");
    for (method, path, body) in [
        (Method::GET, base.clone(), None),
        (Method::PATCH, base.clone(), Some(json!({"name": "mine"}))),
        (
            Method::POST,
            format!("{base}/ingest"),
            Some(json!({"logs": "x"})),
        ),
        (Method::GET, format!("{base}/ingests"), None),
        (Method::GET, format!("{base}/risk-history"), None),
        (Method::GET, format!("{base}/templates"), None),
        (Method::DELETE, base.clone(), None),
    ] {
        let r = app.call(method, &path, Some(&bob.access), body).await;
        assert_error(r, 404, "not_found").await;
    }
    let listed = app.get_json("/api/v1/sage/projects", &bob.access).await;
    assert_eq!(listed["items"], json!([]));

    let a = alice.access.as_str();
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (
            json!({"name": "x", "alert_threshold": 101}),
            "alert_threshold",
        ),
        (
            json!({"name": "x", "alert_webhook": "ftp://example.com/hook"}),
            "alert_webhook",
        ),
        (
            json!({"name": "x", "alert_interval_secs": 5}),
            "alert_interval_secs",
        ),
    ] {
        let r = app
            .call(Method::POST, "/api/v1/sage/projects", Some(a), Some(body))
            .await;
        assert_eq!(r.status(), 422, "{field}");
        let e: Value = r.json().await.expect("json");
        assert_eq!(e["error"]["details"]["field"], field, "{e}");
    }
    let updated = app
        .call_json(
            Method::PATCH,
            &base,
            a,
            Some(json!({"alert_threshold": 70, "alert_webhook": "http://127.0.0.1:9/hook"})),
            200,
        )
        .await;
    assert_eq!(
        (
            updated["alert_threshold"].as_i64(),
            updated["name"].as_str()
        ),
        (Some(70), Some("private"))
    );
    let cleared = app
        .call_json(
            Method::PATCH,
            &base,
            a,
            Some(json!({"alert_threshold": null})),
            200,
        )
        .await;
    assert_eq!(cleared["alert_threshold"], Value::Null);
    assert_eq!(
        cleared["alert_webhook"], "http://127.0.0.1:9/hook",
        "untouched"
    );

    let big = "2024-05-01 12:00:00 INFO a line of log\n".repeat(200);
    let r = ingest_text(&app, a, &id, &big).await;
    assert_error(r, 413, "too_large").await;
    let r = ingest_text(&app, a, &id, "\n  \n").await;
    assert_error(r, 422, "invalid_input").await;
    let r = app
        .client
        .post(app.url(&format!("{base}/ingest")))
        .bearer_auth(a)
        .header("Content-Type", "application/json")
        .body("{\"logs\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    let r = app
        .client
        .post(app.url(&format!("{base}/ingest")))
        .bearer_auth(a)
        .header("Content-Type", "application/xml")
        .body("<logs/>")
        .send()
        .await
        .expect("send");
    assert_error(r, 415, "unsupported_media_type").await;
    let ingests = app.get_json(&format!("{base}/ingests"), a).await;
    assert_eq!(ingests["items"], json!([]), "nothing stored");

    app.call(Method::DELETE, &base, Some(a), None).await;
    let r = app.call(Method::GET, &base, Some(a), None).await;
    assert_error(r, 404, "not_found").await;
    app.stop().await;
}

/// What an ingest sends: a name, its headers, its body, the source it is recorded as.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, &'a str);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

async fn post(
    app: &TestApp,
    token: &str,
    id: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> reqwest::Response {
    let mut r = app
        .client
        .post(app.url(&format!("/api/v1/sage/projects/{id}/ingest")))
        .bearer_auth(token);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(body).send().await.expect("ingest")
}

#[tokio::test]
async fn every_input_kind_is_ingested_beyond_the_servers_body_limit_and_bad_encodings_are_400() {
    // Bodies far above the edge's limit: the ingest reads its own (sage.max_ingest_bytes).
    let app = TestApp::builder()
        .config(|c| c.server.body_limit_bytes = 1_024)
        .spawn()
        .await;
    let s = app.register("sage-kinds@example.com").await;
    let t = s.access.as_str();
    let id = project(&app, t, "kinds").await;
    let text = calm();
    assert!(text.len() > 4 * 1_024);
    let ndjson: String = (0..60)
        .map(|i| {
            format!(
                "{{\"timestamp\":\"2024-05-01T12:00:{i:02}Z\",\"level\":\"info\",\"message\":\"GET /orders/{} answered 200\",\"host\":\"web-1\"}}\n",
                1000 + i
            )
        })
        .collect();
    let boundary = "cistern-boundary-42";
    let mut multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"app.log.gz\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    multipart.extend(gzip(text.as_bytes()));
    multipart.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let form = format!("multipart/form-data; boundary={boundary}");
    let cases: Vec<Case> = vec![
        (
            "text",
            vec![("Content-Type", "text/plain")],
            text.clone().into_bytes(),
            "text",
        ),
        (
            "gzip-encoded text",
            vec![("Content-Type", "text/plain"), ("Content-Encoding", "gzip")],
            gzip(text.as_bytes()),
            "text",
        ),
        (
            "gzip file",
            vec![("Content-Type", "application/gzip")],
            gzip(text.as_bytes()),
            "file",
        ),
        (
            "ndjson",
            vec![("Content-Type", "application/x-ndjson")],
            ndjson.clone().into_bytes(),
            "ndjson",
        ),
        (
            "gzip ndjson",
            vec![
                ("Content-Type", "application/x-ndjson"),
                ("Content-Encoding", "gzip"),
            ],
            gzip(ndjson.as_bytes()),
            "ndjson",
        ),
        (
            "multipart",
            vec![("Content-Type", form.as_str())],
            multipart,
            "file",
        ),
        (
            "json paste",
            vec![("Content-Type", "application/json")],
            serde_json::to_vec(&json!({"logs": text})).expect("json"),
            "paste",
        ),
    ];
    for (what, headers, body, source) in cases {
        let r = post(&app, t, &id, &headers, body).await;
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, 200, "{what}: {v}");
        assert_eq!(v["ingest"]["source"], source, "{what}");
        assert_eq!(v["ingest"]["lines"], 60, "{what}: {v}");
        assert_eq!(v["ingest"]["status"], "scored", "{what}");
    }
    let ingests = app
        .get_json(&format!("/api/v1/sage/projects/{id}/ingests?limit=100"), t)
        .await;
    assert_eq!(ingests["items"].as_array().expect("items").len(), 7);
    // The NDJSON records were read as timestamped, levelled lines: one template for the 60.
    let templates = app
        .get_json(&format!("/api/v1/sage/projects/{id}/templates"), t)
        .await;
    assert!(
        templates["top"]
            .as_array()
            .expect("top")
            .iter()
            .any(|x| x["template"]
                .as_str()
                .is_some_and(|s| s == "GET <*> answered <*>")
                && x["records"] == 120),
        "{templates}"
    );

    for (what, headers, body, status, code) in [
        (
            "not gzip",
            vec![("Content-Type", "application/gzip")],
            b"plain text".to_vec(),
            400,
            "bad_request",
        ),
        (
            "truncated gzip",
            vec![("Content-Type", "text/plain"), ("Content-Encoding", "gzip")],
            gzip(text.as_bytes())[..200].to_vec(),
            400,
            "bad_request",
        ),
        (
            "ndjson not objects",
            vec![("Content-Type", "application/x-ndjson")],
            b"[1,2]\n".to_vec(),
            400,
            "bad_request",
        ),
        (
            "brotli",
            vec![("Content-Type", "text/plain"), ("Content-Encoding", "br")],
            b"x".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "empty",
            vec![("Content-Type", "text/plain")],
            Vec::new(),
            422,
            "invalid_input",
        ),
    ] {
        let r = post(&app, t, &id, &headers, body).await;
        let message = assert_error(r, status, code).await;
        assert!(!message.is_empty(), "{what}");
    }
    let ingests = app
        .get_json(&format!("/api/v1/sage/projects/{id}/ingests?limit=100"), t)
        .await;
    assert_eq!(
        ingests["items"].as_array().expect("items").len(),
        7,
        "bad input stores nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_remote_scorer_and_the_in_process_one_make_the_same_history() {
    let service = crate::scorer::start_scorer(|_| {}).await;
    let url = service.url.clone();
    let remote = TestApp::builder()
        .config(move |c| {
            c.scorer.url = url;
            c.scorer.api_key = cistern::config::Secret::new(crate::scorer::KEY);
        })
        .spawn()
        .await;
    let local = TestApp::spawn().await;
    let mut histories = Vec::new();
    for app in [&local, &remote] {
        let s = app.register("sage-twins@example.com").await;
        let id = project(app, &s.access, "twins").await;
        for logs in [calm(), incident()] {
            app.call_json(
                Method::POST,
                &format!("/api/v1/sage/projects/{id}/ingest"),
                &s.access,
                Some(json!({ "logs": logs })),
                200,
            )
            .await;
        }
        let h = app
            .get_json(
                &format!("/api/v1/sage/projects/{id}/risk-history"),
                &s.access,
            )
            .await;
        let t = app
            .get_json(&format!("/api/v1/sage/projects/{id}/templates"), &s.access)
            .await;
        let points: Vec<Value> = h["points"]
            .as_array()
            .expect("points")
            .iter()
            .map(|p| json!([p["score"], p["labels"], p["counts"]]))
            .collect();
        let templates: Vec<Value> = t["top"]
            .as_array()
            .expect("top")
            .iter()
            .map(|t| json!([t["template"], t["records"], t["errors"], t["example"]]))
            .collect();
        histories.push((points, templates));
    }
    assert_eq!(histories[0], histories[1]);
    assert_eq!(histories[0].0.len(), 2);
    service.stop.cancel();
    local.stop().await;
    remote.stop().await;
}
