//! `/health`, `/health/detailed` and `/metrics`.

use cistern_jobs::NewJob;
use serde_json::json;

use crate::helpers::TestApp;
use crate::jobs::{IDLE_QUEUE, enqueue};

#[tokio::test]
async fn liveness_answers_ok() {
    let app = TestApp::spawn().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    insta::assert_json_snapshot!(body, @r#"
    {
      "status": "ok"
    }
    "#);
    app.stop().await;
}

#[tokio::test]
async fn detailed_health_reports_each_store_with_its_backend() {
    let app = TestApp::spawn().await;
    // A job no worker takes (nothing serves the idle queue), so its depth is stable.
    let user = app.register("ops@example.com").await;
    enqueue(
        &app,
        &user.user_id,
        NewJob::new("report", json!({})).queue(IDLE_QUEUE),
    )
    .await;
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    let checks = body["checks"].as_array().expect("checks");
    let find = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .expect(name)
    };
    let (sql, blobs, jobs) = (find("sql"), find("blobs"), find("jobs"));
    assert_eq!(jobs["status"], "ok", "the job engine answers: {jobs}");
    assert_eq!(jobs["detail"], cistern_store::testing::sql_from_env());
    let idle = body["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["queue"] == IDLE_QUEUE)
        .cloned()
        .expect("the idle queue's depth is reported");
    assert_eq!(idle["ready"], 1, "{idle}");
    assert_eq!(sql["status"], "ok");
    assert_eq!(sql["detail"], cistern_store::testing::sql_from_env());
    assert_eq!(blobs["status"], "ok");
    assert_eq!(blobs["detail"], cistern_store::testing::blobs_from_env());
    assert!(sql["latency_ms"].as_f64().expect("latency") >= 0.0);
    insta::assert_json_snapshot!(body, {
        ".uptime_seconds" => "[uptime]",
        ".version" => "[version]",
        ".checks[].latency_ms" => "[latency]",
        ".checks[].detail" => "[backend]",
        ".queues" => "[queues]",
        // Depends on the environment's provider keys; tests/api/llm.rs covers it.
        ".llm" => "[llm]",
    });
    app.stop().await;
}

#[tokio::test]
async fn detailed_health_is_503_when_a_store_is_down() {
    let app = TestApp::spawn().await;
    app.state.db.close().await; // the pool refuses every query from now on
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "degraded");
    let sql = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "sql")
        .expect("sql")
        .clone();
    assert_eq!(sql["status"], "error");
    assert!(
        !sql["detail"].as_str().expect("detail").contains("pool"),
        "internal error text stays in the log: {sql}"
    );
    // Liveness does not depend on the stores.
    assert_eq!(app.get("/health").await.status(), 200);
}

#[tokio::test]
async fn scale_out_backends_report_themselves() {
    let Some(app) = TestApp::builder().scale_out().try_spawn().await else {
        return;
    };
    let body: serde_json::Value = app
        .get("/health/detailed")
        .await
        .json()
        .await
        .expect("json");
    let details: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["detail"].as_str().expect("detail"))
        .collect();
    assert_eq!(details, ["postgres", "s3", "postgres"], "{body}");
    assert_eq!(body["status"], "ok");
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        assert_eq!(app.get("/health").await.status(), 200);
    }
    assert_eq!(app.get("/api/v1/does-not-exist/42").await.status(), 404);
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.expect("text");
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/health",status="200"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="unmatched",status="404"} 1"#),
        "raw paths never become labels: {text}"
    );
    assert!(text.contains(
        r#"http_request_duration_seconds_count{method="GET",route="/health",status="200"} 3"#
    ));
    assert!(text.contains(&format!(
        r#"cistern_build_info{{version="{}"}} 1"#,
        env!("CARGO_PKG_VERSION")
    )));
    assert!(!text.contains("does-not-exist"));
    app.stop().await;
}
