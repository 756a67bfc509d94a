//! `POST /api/v1/conversations/{id}/retry[/stream]`: the last reply again, appended after the
//! old one, which stays in history and never goes back to the model.

use cistern_llm_fake::{Fault, Reply};
use reqwest::Method;
use serde_json::json;

use super::{frames, messages, send, spawn_chat};
use crate::helpers::assert_error;

/// The chat requests the fake received, as JSON text.
fn chat_requests(fake: &cistern_llm_fake::FakeLlm) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .map(|r| r.body.to_string())
        .collect()
}

#[tokio::test]
async fn a_cut_reply_is_retried_into_a_complete_one_after_it() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Reply::text("Hello."));
    let first = send(&app, &user.access, json!({"message": "hi"})).await;
    let id = first["conversation_id"].as_str().unwrap().to_owned();

    fake.enqueue(Fault::CutStream { after_chunks: 2 });
    let response = app
        .call(
            Method::POST,
            "/api/v1/chat/stream",
            Some(&user.access),
            Some(json!({"message": "tell me a long story", "conversation_id": id})),
        )
        .await;
    let body = response.text().await.expect("body");
    assert_eq!(frames(&body).last().expect("frames").0, "error", "{body}");
    let cut = messages(&app, &user.access, &id).await[3].clone();
    assert_eq!(cut["status"], "error");
    let partial = cut["content"].as_str().expect("content").to_owned();
    assert!(!partial.is_empty(), "some text came before the cut");

    fake.enqueue(Reply::text("Once upon a time."));
    let retried = app
        .call_json(
            Method::POST,
            &format!("/api/v1/conversations/{id}/retry"),
            &user.access,
            Some(json!({})),
            200,
        )
        .await;
    assert_eq!(retried["message"], "Once upon a time.");
    assert_eq!(retried["message_count"], 5);
    assert_eq!(retried["seq"], 5);
    assert_eq!(retried["conversation_id"], id.as_str());

    let history = messages(&app, &user.access, &id).await;
    let shape: Vec<(i64, &str, &str)> = history
        .iter()
        .map(|m| {
            (
                m["seq"].as_i64().unwrap(),
                m["role"].as_str().unwrap(),
                m["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (1, "user", "complete"),
            (2, "assistant", "complete"),
            (3, "user", "complete"),
            (4, "assistant", "error"),
            (5, "assistant", "complete"),
        ],
        "nothing deleted or reordered"
    );
    assert_eq!(
        history[3]["content"],
        partial.as_str(),
        "the failed reply is kept"
    );
    let conversation = app
        .call_json(
            Method::GET,
            &format!("/api/v1/conversations/{id}"),
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(conversation["message_count"], 5);
    let asked = chat_requests(&fake).pop().expect("the retry's request");
    assert!(asked.contains("tell me a long story"), "{asked}");
    assert!(
        asked.contains("Hello."),
        "earlier turns are context: {asked}"
    );
    assert!(
        !asked.contains(&partial),
        "the failed partial text went back to the model: {asked}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_streamed_retry_of_a_complete_reply_supersedes_it() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Reply::text("Paris, I think."));
    let first = send(&app, &user.access, json!({"message": "capital of France?"})).await;
    let id = first["conversation_id"].as_str().unwrap().to_owned();

    fake.enqueue(Reply::text("It is Paris.").chunks(3));
    let response = app
        .call(
            Method::POST,
            &format!("/api/v1/conversations/{id}/retry/stream"),
            Some(&user.access),
            Some(json!({})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let frames = frames(&body);
    assert_eq!(frames[0].0, "started", "{body}");
    assert_eq!(frames[0].1["user_seq"], 1, "answers the same message again");
    let tokens: String = frames
        .iter()
        .filter(|(e, _)| e == "token")
        .map(|(_, d)| d["text"].as_str().unwrap())
        .collect();
    assert_eq!(tokens, "It is Paris.");
    let (last, done) = frames.last().expect("frames");
    assert_eq!(last, "done", "{body}");
    assert_eq!(done["message_count"], 3);
    let asked = chat_requests(&fake).pop().expect("request");
    assert!(!asked.contains("Paris, I think."), "{asked}");

    // Later turns see the new reply, not the superseded one (which stays in history).
    fake.enqueue(Reply::text("Berlin."));
    let next = send(
        &app,
        &user.access,
        json!({"message": "and Germany?", "conversation_id": id}),
    )
    .await;
    assert_eq!(next["message_count"], 5);
    let asked = chat_requests(&fake).pop().expect("request");
    assert!(asked.contains("It is Paris."), "{asked}");
    assert!(!asked.contains("Paris, I think."), "{asked}");
    let history = messages(&app, &user.access, &id).await;
    assert_eq!(history[1]["content"], "Paris, I think.");
    assert_eq!(history[2]["content"], "It is Paris.");
    app.stop().await;
}

#[tokio::test]
async fn another_users_conversation_cannot_be_retried() {
    let (app, fake) = spawn_chat().await;
    let a = app.register("a@example.com").await;
    let b = app.register("b@example.com").await;
    fake.enqueue(Reply::text("secret reply"));
    let first = send(&app, &a.access, json!({"message": "my secret"})).await;
    let id = first["conversation_id"].as_str().unwrap();
    for path in [
        format!("/api/v1/conversations/{id}/retry"),
        format!("/api/v1/conversations/{id}/retry/stream"),
        "/api/v1/conversations/no-such-id/retry".to_owned(),
    ] {
        let response = app
            .call(Method::POST, &path, Some(&b.access), Some(json!({})))
            .await;
        assert_error(response, 404, "not_found").await;
    }
    let response = app
        .call(
            Method::POST,
            &format!("/api/v1/conversations/{id}/retry"),
            Some(&a.access),
            Some(json!({"model": " "})),
        )
        .await;
    assert_error(response, 422, "invalid_input").await;
    assert_eq!(messages(&app, &a.access, id).await.len(), 2, "untouched");
    assert_eq!(
        chat_requests(&fake).len(),
        1,
        "no model call for refused retries"
    );
    app.stop().await;
}
