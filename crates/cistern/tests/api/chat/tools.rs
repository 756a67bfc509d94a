//! Memory tools called with bad arguments: the model gets the tool's error result and the turn
//! is answered (plain and streamed); a model that never stops calling tools ends its turn in a
//! 502 `invalid_output` naming why — never a 500 — with the user's message kept.

use cistern_llm_fake::Reply;
use reqwest::Method;
use serde_json::{Value, json};

use super::{frames, messages, send, spawn_chat};
use crate::helpers::assert_error;

const ANSWER: &str = "I could not save that, but I will keep it in mind.";

/// Two bad `remember` calls — enough to exhaust the gateway's repair round — then an answer.
fn two_bad_calls_then_an_answer(fake: &cistern_llm_fake::FakeLlm) {
    fake.enqueue(Reply::tool_call("remember", r#"{"text":"x"}"#));
    fake.enqueue(Reply::tool_call("remember", "not json"));
    fake.enqueue(Reply::text(ANSWER));
}

/// The history holds the user's message, both calls with an error result each, the answer.
fn check_history(history: &[Value]) {
    let shape: Vec<(&str, &str)> = history
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap_or_default(),
                m["status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("user", "complete"),
            ("assistant", "complete"),
            ("tool", "complete"),
            ("assistant", "complete"),
            ("tool", "complete"),
            ("assistant", "complete"),
        ]
    );
    assert_eq!(history[0]["content"], "Remember that I like teal.");
    for call in [&history[1], &history[3]] {
        assert!(
            call["tool_calls"].to_string().contains("remember"),
            "{call}"
        );
    }
    let first = history[2]["content"].as_str().unwrap_or_default();
    assert!(
        first.contains("invalid arguments: missing field `fact`"),
        "{first}"
    );
    let second = history[4]["content"].as_str().unwrap_or_default();
    assert!(second.contains("invalid arguments"), "{second}");
    assert_eq!(history[5]["content"], ANSWER);
}

#[tokio::test]
async fn a_model_calling_remember_badly_twice_still_answers_the_turn() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    two_bad_calls_then_an_answer(&fake);
    let turn = send(
        &app,
        &user.access,
        json!({"message": "Remember that I like teal."}),
    )
    .await;
    assert_eq!(turn["message"], ANSWER);
    assert_eq!(turn["message_count"], 6);
    let id = turn["conversation_id"].as_str().expect("id");
    check_history(&messages(&app, &user.access, id).await);
    let facts = app
        .call_json(Method::GET, "/api/v1/memory/facts", &user.access, None, 200)
        .await;
    assert_eq!(facts["items"], json!([]), "nothing was remembered");
    app.stop().await;
}

#[tokio::test]
async fn a_streamed_turn_with_bad_tool_arguments_is_answered_too() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    two_bad_calls_then_an_answer(&fake);
    let response = app
        .call(
            Method::POST,
            "/api/v1/chat/stream",
            Some(&user.access),
            Some(json!({"message": "Remember that I like teal."})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let frames = frames(&body);
    let events: Vec<&str> = frames.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        events.iter().filter(|e| **e == "tool_call").count(),
        2,
        "{body}"
    );
    let (last, done) = frames.last().expect("frames");
    assert_eq!(last, "done", "{body}");
    assert_eq!(done["message"], ANSWER);
    let id = done["conversation_id"].as_str().expect("id");
    check_history(&messages(&app, &user.access, id).await);
    app.stop().await;
}

#[tokio::test]
async fn a_model_that_never_stops_calling_tools_ends_in_a_502_not_a_500() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Reply::text("Hello."));
    let first = send(&app, &user.access, json!({"message": "hi"})).await;
    let id = first["conversation_id"].as_str().expect("id").to_owned();
    // The default four tool rounds, then a last call that offers no tools: five bad calls.
    for _ in 0..5 {
        fake.enqueue(Reply::tool_call("remember", r#"{"text":"x"}"#));
    }
    let response = app
        .call(
            Method::POST,
            "/api/v1/chat",
            Some(&user.access),
            Some(json!({"message": "Remember that I like teal.", "conversation_id": id})),
        )
        .await;
    let message = assert_error(response, 502, "invalid_output").await;
    assert!(message.contains("tool rounds"), "{message}");

    let history = messages(&app, &user.access, &id).await;
    assert_eq!(history.len(), 2 + 1 + 4 * 2 + 1, "every round is kept");
    assert_eq!(history[2]["content"], "Remember that I like teal.");
    let reply = history.last().expect("reply");
    assert_eq!(
        (&reply["role"], &reply["status"]),
        (&json!("assistant"), &json!("error"))
    );
    app.stop().await;
}
