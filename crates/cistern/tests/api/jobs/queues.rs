//! `/api/v1/queues…`: send, lease (long poll), ack, nack and depths — namespaced per user,
//! redelivering what is not acked, and naming the field of every bad input.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::api::assert_field;
use crate::helpers::{TestApp, assert_error};

async fn lease(app: &TestApp, token: &str, queue: &str, body: Value) -> Vec<Value> {
    let answer = app
        .call_json(
            Method::POST,
            &format!("/api/v1/queues/{queue}/lease"),
            token,
            Some(body),
            200,
        )
        .await;
    answer["messages"].as_array().expect("messages").clone()
}

async fn depths(app: &TestApp, token: &str) -> Value {
    app.call_json(Method::GET, "/api/v1/queues", token, None, 200)
        .await["queues"]
        .clone()
}

#[tokio::test]
async fn send_lease_ack_and_nack_with_redelivery() {
    let app = TestApp::spawn().await;
    let a = app.register("queues@example.com").await;
    let sent = app.call_json(Method::POST,
        "/api/v1/queues/emails/messages",
        &a.access,
        Some(json!({ "messages": [{ "body": { "to": "x@example.com" } }, { "body": [1, 2, 3] }, { "body": "later", "delay_s": 3600 }] })),
        201,
    )
    .await;
    let ids: Vec<&str> = sent["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        depths(&app, &a.access).await,
        json!([{ "queue": "emails", "ready": 2, "delayed": 1, "running": 0, "dead": 0 }])
    );

    let got = lease(
        &app,
        &a.access,
        "emails",
        json!({ "batch_size": 10, "visibility_timeout_s": 60 }),
    )
    .await;
    assert_eq!(got.len(), 2, "the delayed message is not visible yet");
    assert_eq!(got[0]["id"], ids[0]);
    assert_eq!(got[0]["body"], json!({ "to": "x@example.com" }));
    assert_eq!(got[0]["attempts"], 1);
    assert_eq!(got[1]["body"], json!([1, 2, 3]));
    assert_eq!(depths(&app, &a.access).await[0]["running"], 2);
    // Leased messages are invisible to another consumer.
    assert!(lease(&app, &a.access, "emails", json!({})).await.is_empty());

    let acked = app
        .call_json(
            Method::POST,
            "/api/v1/queues/emails/ack",
            &a.access,
            Some(json!({ "ids": [ids[0]] })),
            200,
        )
        .await;
    assert_eq!(acked["count"], 1);
    let nacked = app
        .call_json(
            Method::POST,
            "/api/v1/queues/emails/nack",
            &a.access,
            Some(json!({ "ids": [ids[1]] })),
            200,
        )
        .await;
    assert_eq!(nacked["count"], 1);
    let again = lease(&app, &a.access, "emails", json!({})).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["id"], ids[1], "a nacked message comes back");
    assert_eq!(again[0]["attempts"], 2);
    // Acking what is no longer leased counts nothing.
    let stale = app
        .call_json(
            Method::POST,
            "/api/v1/queues/emails/ack",
            &a.access,
            Some(json!({ "ids": [ids[0]] })),
            200,
        )
        .await;
    assert_eq!(stale["count"], 0);

    // A lease that is neither acked nor nacked is delivered again after its visibility timeout.
    let nack_delay = app
        .call_json(
            Method::POST,
            "/api/v1/queues/emails/nack",
            &a.access,
            Some(json!({ "ids": [ids[1]], "delay_s": 0 })),
            200,
        )
        .await;
    assert_eq!(nack_delay["count"], 1);
    let short = lease(
        &app,
        &a.access,
        "emails",
        json!({ "visibility_timeout_s": 1 }),
    )
    .await;
    assert_eq!(short[0]["attempts"], 3);
    let redelivered = lease(&app, &a.access, "emails", json!({ "wait_s": 10 })).await;
    assert_eq!(
        redelivered.len(),
        1,
        "redelivered once the visibility timeout passed"
    );
    assert_eq!(redelivered[0]["id"], ids[1]);
    assert_eq!(redelivered[0]["attempts"], 4);
    app.stop().await;
}

#[tokio::test]
async fn a_long_poll_returns_when_a_message_arrives() {
    let app = TestApp::spawn().await;
    let a = app.register("poller@example.com").await;
    let poll = {
        let client = app.client.clone();
        let url = app.url("/api/v1/queues/inbox/lease");
        let token = a.access.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "wait_s": 30 }))
                .send()
                .await
                .expect("lease")
                .json::<Value>()
                .await
                .expect("json")
        })
    };
    // Let the poll start waiting on the empty queue, then send.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.call_json(
        Method::POST,
        "/api/v1/queues/inbox/messages",
        &a.access,
        Some(json!({ "messages": [{ "body": "hello" }] })),
        201,
    )
    .await;
    let answer = poll.await.expect("poll task");
    assert_eq!(answer["messages"][0]["body"], "hello");
    app.stop().await;
}

#[tokio::test]
async fn a_long_poll_outlasts_the_request_timeout() {
    // Sign up under the default timeout (password hashing is slow in debug builds), then restart
    // the same stores with a 1 s request timeout: the access token stays valid.
    let first = TestApp::spawn().await;
    let a = first.register("patient@example.com").await;
    let database_url = first.state.config.database.url.clone();
    let data_dir = first.stop().await;
    let app = TestApp::builder()
        .data_dir(data_dir)
        .config(move |c| {
            c.database.url = database_url;
            c.server.request_timeout_secs = 1;
        })
        .spawn()
        .await;
    // Waits 2 s on an empty queue with a 1 s request timeout: answered, not a 503.
    let got = lease(&app, &a.access, "quiet", json!({ "wait_s": 2 })).await;
    assert!(got.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn queues_are_per_user() {
    let app = TestApp::spawn().await;
    let a = app.register("qa@example.com").await;
    let b = app.register("qb@example.com").await;
    let sent = app
        .call_json(
            Method::POST,
            "/api/v1/queues/shared-name/messages",
            &a.access,
            Some(json!({ "messages": [{ "body": 1 }] })),
            201,
        )
        .await;
    let id = sent["ids"][0].as_str().expect("id").to_owned();
    assert_eq!(
        depths(&app, &b.access).await,
        json!([]),
        "B sees none of A's queues"
    );
    assert!(
        lease(&app, &b.access, "shared-name", json!({}))
            .await
            .is_empty(),
        "the same name is B's own queue"
    );

    let leased = lease(&app, &a.access, "shared-name", json!({})).await;
    assert_eq!(leased[0]["id"], id.as_str());
    for op in ["ack", "nack"] {
        let answer = app
            .call_json(
                Method::POST,
                &format!("/api/v1/queues/shared-name/{op}"),
                &b.access,
                Some(json!({ "ids": [id] })),
                200,
            )
            .await;
        assert_eq!(answer["count"], 0, "B cannot {op} A's message");
    }
    assert_eq!(
        depths(&app, &a.access).await[0]["running"],
        1,
        "still leased by A"
    );
    // And jobs listings never show queue messages.
    let jobs = app
        .call_json(Method::GET, "/api/v1/jobs", &a.access, None, 200)
        .await;
    assert_eq!(jobs["items"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn bad_queue_requests_name_their_field() {
    let app = TestApp::spawn().await;
    let a = app.register("badq@example.com").await;
    let id = cistern_jobs::JobId::new().to_string();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "bad.name/messages",
            json!({ "messages": [{ "body": 1 }] }),
            "queue",
        ),
        ("q/messages", json!({ "messages": [] }), "messages"),
        (
            "q/messages",
            json!({ "messages": (0..101).map(|i| json!({ "body": i })).collect::<Vec<_>>() }),
            "messages",
        ),
        (
            "q/messages",
            json!({ "messages": [{ "body": 1 }, { "body": 2, "delay_s": 43201 }] }),
            "messages[1].delay_s",
        ),
        (
            "q/messages",
            json!({ "messages": [{ "body": "x".repeat(300 * 1024) }] }),
            "messages[0].body",
        ),
        ("q/lease", json!({ "batch_size": 0 }), "batch_size"),
        ("q/lease", json!({ "batch_size": 101 }), "batch_size"),
        (
            "q/lease",
            json!({ "visibility_timeout_s": 0 }),
            "visibility_timeout_s",
        ),
        (
            "q/lease",
            json!({ "visibility_timeout_s": 43201 }),
            "visibility_timeout_s",
        ),
        ("q/lease", json!({ "wait_s": 31 }), "wait_s"),
        ("q/ack", json!({ "ids": [] }), "ids"),
        ("q/ack", json!({ "ids": ["nope"] }), "ids"),
        (
            "q/nack",
            json!({ "ids": [id], "delay_s": 43201 }),
            "delay_s",
        ),
    ];
    for (path, body, field) in cases {
        let response = app
            .call(
                Method::POST,
                &format!("/api/v1/queues/{path}"),
                Some(&a.access),
                Some(body),
            )
            .await;
        assert_field(response, field).await;
    }
    // Wrong shapes are 422 too, and serde's message names the field.
    for (path, body, field) in [
        ("q/lease", json!({ "wait": 5 }), "wait"),
        ("q/messages", json!({ "message": [] }), "message"),
        ("q/lease", json!({ "batch_size": "ten" }), "batch_size"),
        ("q/ack", json!({}), "ids"),
    ] {
        let response = app
            .call(
                Method::POST,
                &format!("/api/v1/queues/{path}"),
                Some(&a.access),
                Some(body),
            )
            .await;
        let message = assert_error(response, 422, "invalid_body").await;
        assert!(message.contains(field), "{message:?} names {field}");
    }
    let response = app
        .client
        .post(app.url("/api/v1/queues/q/lease"))
        .bearer_auth(&a.access)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_error(response, 400, "invalid_json").await;
    app.stop().await;
}
