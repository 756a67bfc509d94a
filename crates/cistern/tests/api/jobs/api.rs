//! `/api/v1/jobs…`: listing with filters and cursors, one job, cancel, retry — and another
//! user's job is a 404 everywhere.

use cistern::platform::jobs::Handlers;
use cistern_jobs::{JobContext, JobError, NewJob};
use reqwest::Method;
use serde_json::{Value, json};

use super::{IDLE_QUEUE, enqueue, wait_for};
use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn list_filters_paginates_and_shows_only_your_jobs() {
    let app = TestApp::spawn().await;
    let a = app.register("jobs-a@example.com").await;
    let b = app.register("jobs-b@example.com").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let job = NewJob::new("report", json!({ "n": i })).queue(IDLE_QUEUE);
        ids.push(enqueue(&app, &a.user_id, job).await);
    }
    let other = NewJob::new("digest", json!({})).queue("other");
    ids.push(enqueue(&app, &a.user_id, other).await);
    let theirs = enqueue(
        &app,
        &b.user_id,
        NewJob::new("report", json!({})).queue(IDLE_QUEUE),
    )
    .await;

    let all = app
        .call_json(Method::GET, "/api/v1/jobs", &a.access, None, 200)
        .await;
    let listed: Vec<&str> = all["items"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["id"].as_str().expect("id"))
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(
        listed, newest_first,
        "A sees exactly their jobs, newest first"
    );
    assert!(all["next_cursor"].is_null());
    let job = &all["items"][3];
    assert_eq!(job["status"], "queued");
    assert_eq!(job["name"], "report");
    assert_eq!(job["payload"], json!({ "n": 0 }));
    assert_eq!(job["attempts"], 0);
    assert_eq!(job["progress"], 0);

    let filtered = app
        .call_json(
            Method::GET,
            &format!("/api/v1/jobs?queue={IDLE_QUEUE}&name=report&status=queued"),
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(3));
    let none = app
        .call_json(
            Method::GET,
            "/api/v1/jobs?status=succeeded",
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(none["items"], json!([]));

    let page1 = app
        .call_json(Method::GET, "/api/v1/jobs?limit=3", &a.access, None, 200)
        .await;
    assert_eq!(page1["items"].as_array().map(Vec::len), Some(3));
    let cursor = page1["next_cursor"].as_str().expect("a next page");
    let page2 = app
        .call_json(
            Method::GET,
            &format!("/api/v1/jobs?limit=3&cursor={cursor}"),
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(
        page2["items"][0]["id"],
        ids[0].as_str(),
        "the oldest job is on page two"
    );
    assert_eq!(page2["items"].as_array().map(Vec::len), Some(1));

    let b_list = app
        .call_json(Method::GET, "/api/v1/jobs", &b.access, None, 200)
        .await;
    assert_eq!(b_list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(b_list["items"][0]["id"], theirs.as_str());
    app.stop().await;
}

#[tokio::test]
async fn another_users_job_is_not_found_everywhere() {
    let app = TestApp::spawn().await;
    let a = app.register("owner@example.com").await;
    let b = app.register("intruder@example.com").await;
    let id = enqueue(
        &app,
        &a.user_id,
        NewJob::new("report", json!({"secret": 1})).queue(IDLE_QUEUE),
    )
    .await;
    for (method, path) in [
        (Method::GET, format!("/api/v1/jobs/{id}")),
        (Method::GET, format!("/api/v1/jobs/{id}/events")),
        (Method::POST, format!("/api/v1/jobs/{id}/cancel")),
        (Method::POST, format!("/api/v1/jobs/{id}/retry")),
    ] {
        let response = app.call(method.clone(), &path, Some(&b.access), None).await;
        assert_error(response, 404, "not_found").await;
    }
    // Nothing B did touched it.
    let job = app
        .call_json(
            Method::GET,
            &format!("/api/v1/jobs/{id}"),
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(job["status"], "queued");
    assert_eq!(job["payload"], json!({"secret": 1}));
    // An unknown id is a 404 too; a malformed one names the field.
    let unknown = cistern_jobs::JobId::new();
    assert_error(
        app.call(
            Method::GET,
            &format!("/api/v1/jobs/{unknown}"),
            Some(&a.access),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let response = app
        .call(
            Method::GET,
            "/api/v1/jobs/not-a-uuid",
            Some(&a.access),
            None,
        )
        .await;
    assert_field(response, "id").await;
    app.stop().await;
}

/// Asserts a 422 whose `details.field` is `field`.
pub async fn assert_field(response: reqwest::Response, field: &str) {
    assert_eq!(response.status(), 422, "{field}");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_input", "{body}");
    assert_eq!(body["error"]["details"]["field"], field, "{body}");
}

#[tokio::test]
async fn bad_list_queries_name_their_field() {
    let app = TestApp::spawn().await;
    let a = app.register("query@example.com").await;
    for (query, field) in [
        ("status=finished", "status"),
        ("queue=no%20spaces", "queue"),
        ("cursor=abc", "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
    ] {
        let response = app
            .call(
                Method::GET,
                &format!("/api/v1/jobs?{query}"),
                Some(&a.access),
                None,
            )
            .await;
        assert_field(response, field).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn cancel_a_queued_job_then_retry_it_and_conflicts_are_409() {
    let app = TestApp::spawn().await;
    let a = app.register("cancel@example.com").await;
    let id = enqueue(
        &app,
        &a.user_id,
        NewJob::new("report", json!({})).queue(IDLE_QUEUE),
    )
    .await;

    let retry_path = format!("/api/v1/jobs/{id}/retry");
    let response = app
        .call(Method::POST, &retry_path, Some(&a.access), None)
        .await;
    let body: Value = {
        assert_eq!(response.status(), 409);
        response.json().await.expect("json")
    };
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(
        body["error"]["details"]["status"], "queued",
        "says why: {body}"
    );

    let cancelled = app
        .call_json(
            Method::POST,
            &format!("/api/v1/jobs/{id}/cancel"),
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(cancelled["outcome"], "cancelled");
    assert_eq!(cancelled["job"]["status"], "cancelled");
    assert!(cancelled["job"]["finished_at"].is_string());
    let again = app
        .call(
            Method::POST,
            &format!("/api/v1/jobs/{id}/cancel"),
            Some(&a.access),
            None,
        )
        .await;
    assert_error(again, 409, "conflict").await;

    let retried = app
        .call_json(Method::POST, &retry_path, &a.access, None, 200)
        .await;
    assert_eq!(retried["outcome"], "requeued");
    assert_eq!(retried["job"]["status"], "queued");
    app.stop().await;
}

fn failing_handlers() -> Handlers {
    Handlers::new()
        .handle("always-fails", |_ctx: JobContext, _p: Value| async move {
            Err::<Value, _>(JobError::retry("the upstream is down"))
        })
        .handle("bad-input", |_ctx: JobContext, _p: Value| async move {
            Err::<Value, _>(JobError::permanent("the input can never work"))
        })
        .handle("cooperative", |ctx: JobContext, _p: Value| async move {
            ctx.progress(10, Some("started")).await?;
            ctx.cancellation().cancelled().await;
            Err::<Value, _>(JobError::Cancelled)
        })
}

#[tokio::test]
async fn dead_and_failed_jobs_keep_their_errors_and_retry_runs_them_again() {
    let app = TestApp::builder()
        .handlers(failing_handlers())
        .spawn()
        .await;
    let a = app.register("retry@example.com").await;
    let dead = enqueue(
        &app,
        &a.user_id,
        NewJob::new("always-fails", json!({})).max_attempts(1),
    )
    .await;
    let failed = enqueue(&app, &a.user_id, NewJob::new("bad-input", json!({}))).await;

    let job = wait_for(&app, &a.access, &dead, |j| j["status"] == "dead").await;
    assert_eq!(job["attempts"], 1);
    assert_eq!(job["errors"][0]["error"], "the upstream is down");
    let job = wait_for(&app, &a.access, &failed, |j| j["status"] == "failed").await;
    assert_eq!(job["errors"][0]["error"], "the input can never work");

    let dead_list = app
        .call_json(
            Method::GET,
            "/api/v1/jobs?status=dead",
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(dead_list["items"][0]["id"], dead.as_str());

    for id in [&dead, &failed] {
        let retried = app
            .call_json(
                Method::POST,
                &format!("/api/v1/jobs/{id}/retry"),
                &a.access,
                None,
                200,
            )
            .await;
        assert_eq!(retried["outcome"], "requeued");
    }
    // Run again with a fresh budget, and end the same way, the history growing.
    let job = wait_for(&app, &a.access, &dead, |j| {
        j["status"] == "dead" && j["errors"].as_array().is_some_and(|e| e.len() == 2)
    })
    .await;
    assert_eq!(job["attempts"], 1, "a fresh attempt budget");
    wait_for(&app, &a.access, &failed, |j| {
        j["status"] == "failed" && j["errors"].as_array().is_some_and(|e| e.len() == 2)
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn cancelling_a_running_job_reaches_its_handler() {
    let app = TestApp::builder()
        .config(|c| {
            c.jobs.heartbeat_secs = 1;
            c.jobs.lease_secs = 5;
        })
        .handlers(failing_handlers())
        .spawn()
        .await;
    let a = app.register("running@example.com").await;
    let id = enqueue(&app, &a.user_id, NewJob::new("cooperative", json!({}))).await;
    wait_for(&app, &a.access, &id, |j| {
        j["status"] == "running" && j["progress"] == 10
    })
    .await;
    let answer = app
        .call_json(
            Method::POST,
            &format!("/api/v1/jobs/{id}/cancel"),
            &a.access,
            None,
            200,
        )
        .await;
    assert_eq!(answer["outcome"], "cancel_requested");
    assert_eq!(answer["job"]["cancel_requested"], true);
    // The handler learns it on its next heartbeat.
    wait_for(&app, &a.access, &id, |j| j["status"] == "cancelled").await;
    app.stop().await;
}

#[tokio::test]
async fn metrics_show_job_series_and_queue_depths() {
    let app = TestApp::builder()
        .config(|c| c.jobs.depth_interval_secs = 1)
        .spawn()
        .await;
    let a = app.register("metrics@example.com").await;
    enqueue(
        &app,
        &a.user_id,
        NewJob::new("report", json!({})).queue(IDLE_QUEUE),
    )
    .await;
    let wanted = format!("cistern_jobs_queue_depth{{queue=\"{IDLE_QUEUE}\",state=\"ready\"}} 1");
    let mut text = String::new();
    for _ in 0..100 {
        text = app.get("/metrics").await.text().await.expect("metrics");
        if text.contains(&wanted) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(text.contains(&wanted), "{text}");
    assert!(
        text.contains(&format!(
            "cistern_jobs_enqueued_total{{queue=\"{IDLE_QUEUE}\"}} 1"
        )),
        "{text}"
    );
    assert!(text.contains("http_requests_total"), "one registry: {text}");
    app.stop().await;
}
