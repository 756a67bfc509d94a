//! What each reply cost: a turn's usage — tokens summed over its model calls and the cost the
//! gateway's accounting recorded at the model's prices — is stored on its final reply and comes
//! back with the history (so it survives a reload), for plain, streamed and retried turns.

use cistern_llm_fake::Reply;
use reqwest::Method;
use serde_json::{Value, json};

use super::{frames, messages, send, spawn_chat};

/// `fast` costs $1 per million input tokens and $2 per million output tokens (`with_fake`).
fn cost(input: u64, output: u64) -> f64 {
    (input as f64 + 2.0 * output as f64) / 1e6
}

#[track_caller]
fn assert_usage(usage: &Value, input: u64, output: u64, calls: u64) {
    assert_eq!(
        (
            usage["input_tokens"].as_u64(),
            usage["output_tokens"].as_u64(),
            usage["model_calls"].as_u64()
        ),
        (Some(input), Some(output), Some(calls)),
        "{usage}"
    );
    let got = usage["cost_usd"].as_f64().expect("cost_usd");
    assert!((got - cost(input, output)).abs() < 1e-12, "{usage}");
}

/// Role and whether the stored message carries usage, per message.
fn shape(history: &[Value]) -> Vec<(&str, bool)> {
    history
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap_or_default(),
                !m["usage"].is_null(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_reply_keeps_its_tokens_and_cost_across_reloads() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;

    // A tool round, then the answer: two model calls, one reply that carries both.
    fake.enqueue(Reply::tool_call("remember", r#"{"fact":"Ada likes tea"}"#).usage(100, 20));
    fake.enqueue(Reply::text("Noted: tea.").usage(150, 5));
    let reply = send(&app, &user.access, json!({"message": "I like tea."})).await;
    assert_eq!(reply["message"], "Noted: tea.");
    assert_usage(&reply["usage"], 250, 25, 2);
    let id = reply["conversation_id"].as_str().expect("id").to_owned();
    let history = messages(&app, &user.access, &id).await;
    assert_eq!(
        shape(&history),
        [
            ("user", false),
            ("assistant", false),
            ("tool", false),
            ("assistant", true)
        ]
    );
    assert_eq!(history[3]["usage"], reply["usage"]);

    // Streamed: the done event carries the cost, and so does the stored reply.
    fake.enqueue(Reply::text("one two three").chunks(3).usage(7, 3));
    let response = app
        .call(
            Method::POST,
            "/api/v1/chat/stream",
            Some(&user.access),
            Some(json!({"message": "count", "conversation_id": id})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let (event, done) = frames(&body).pop().expect("frames");
    assert_eq!(event, "done", "{body}");
    assert_usage(&done["usage"], 7, 3, 1);

    // A retry's reply has its own usage; the reply it supersedes keeps its.
    fake.enqueue(Reply::text("Three, two, one.").usage(9, 4));
    let retried = app
        .call_json(
            Method::POST,
            &format!("/api/v1/conversations/{id}/retry"),
            &user.access,
            Some(json!({})),
            200,
        )
        .await;
    assert_usage(&retried["usage"], 9, 4, 1);

    let history = messages(&app, &user.access, &id).await;
    assert_eq!(
        shape(&history)[4..],
        [("user", false), ("assistant", true), ("assistant", true)]
    );
    assert_eq!(history[3]["usage"], reply["usage"]);
    assert_eq!(history[5]["usage"], done["usage"]);
    assert_eq!(history[6]["usage"], retried["usage"]);
    app.stop().await;
}
