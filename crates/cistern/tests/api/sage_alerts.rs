//! Sage's alerts: an ingest over the threshold posts one alert to a local receiver through a
//! job — retried after the receiver's 500 — and a second one within the interval does not.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::TestApp;

/// A webhook on 127.0.0.1 that fails its first call with 500, then answers 200; it keeps every
/// body it was sent.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let seen = seen.clone();
            async move {
                let mut calls = seen.lock().expect("lock");
                calls.push(body);
                if calls.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

fn incident() -> String {
    let mut log = String::new();
    for s in 0..60 {
        log.push_str(&format!(
            "2024-05-01 12:00:{s:02},100 ERROR [pool-1] db.Pool - connection to 10.0.0.{}:5432 refused\n",
            s % 5
        ));
    }
    log
}

#[tokio::test]
async fn an_ingest_over_the_threshold_alerts_once_retried_after_a_500() {
    let app = TestApp::spawn().await;
    let (url, got) = receiver().await;
    let s = app.register("sage-alerts@example.com").await;
    let t = s.access.as_str();
    let p = app
        .call_json(
            Method::POST,
            "/api/v1/sage/projects",
            t,
            Some(json!({"name": "paged", "alert_threshold": 50, "alert_webhook": url})),
            201,
        )
        .await;
    let id = p["id"].as_str().expect("id");
    let ingest = |body: String| {
        let app = &app;
        async move {
            app.call_json(
                Method::POST,
                &format!("/api/v1/sage/projects/{id}/ingest"),
                t,
                Some(json!({ "logs": body })),
                200,
            )
            .await
        }
    };
    let first = ingest(incident()).await;
    assert!(first["score"].as_i64().expect("score") >= 50, "{first}");
    let alert_id = first["alert_id"]
        .as_str()
        .expect("an alert fired")
        .to_owned();

    // The job delivers it: the first attempt meets a 500, the retry a 200.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let delivered = loop {
        let alerts = app
            .get_json(&format!("/api/v1/sage/projects/{id}/alerts"), t)
            .await;
        if alerts["items"][0]["status"] == "delivered" {
            break alerts["items"][0].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not delivered: {alerts}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(delivered["id"], alert_id.as_str());
    assert_eq!(
        (
            delivered["attempts"].as_i64(),
            delivered["last_status"].as_i64()
        ),
        (Some(2), Some(200))
    );
    let calls = got.lock().expect("lock").clone();
    assert_eq!(calls.len(), 2, "one alert, delivered on its second attempt");
    assert!(
        calls[1]["text"]
            .as_str()
            .expect("slack text")
            .contains("paged scored"),
        "{}",
        calls[1]
    );
    assert_eq!(calls[1]["sage"]["ingest_id"], first["ingest"]["id"]);

    // Within the interval: scored, no second alert.
    let second = ingest(incident()).await;
    assert_eq!(second["alert_id"], Value::Null, "{second}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(got.lock().expect("lock").len(), 2, "no alert storm");
    let alerts = app
        .get_json(&format!("/api/v1/sage/projects/{id}/alerts"), t)
        .await;
    assert_eq!(alerts["items"].as_array().expect("items").len(), 1);
    app.stop().await;
}
