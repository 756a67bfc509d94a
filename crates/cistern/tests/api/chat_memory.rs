//! Episodic memory over HTTP: the summaries a long conversation leaves behind, per user.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::assert_error;
use crate::llm::spawn_with_fake;

#[tokio::test]
async fn summaries_of_a_long_conversation_are_listed_for_their_owner_only() {
    let (app, _fake) = spawn_with_fake(|c| {
        // A tiny window, so older turns fall out and get summarised.
        for deployment in &mut c.llm.models.get_mut("fast").expect("fast").deployments {
            deployment.context_window = Some(400);
        }
    })
    .await;
    let ada = app.register("ada@example.com").await;
    let bob = app.register("bob@example.com").await;

    let mut conversation = Value::Null;
    for i in 0..16 {
        let reply = app
            .call(
                Method::POST,
                "/api/v1/chat",
                Some(&ada.access),
                Some(json!({
                    "message": format!("Turn {i}: another detail about the river Aire and its weirs."),
                    "conversation_id": conversation,
                })),
            )
            .await;
        assert_eq!(reply.status(), 200, "turn {i}");
        let reply: Value = reply.json().await.expect("json");
        conversation = reply["conversation_id"].clone();
    }
    let id = conversation.as_str().expect("conversation id").to_owned();
    let path = format!("/api/v1/memory/episodes?conversation_id={id}");
    let mut episodes = Vec::new();
    for _ in 0..200 {
        episodes = app.get_json(&path, &ada.access).await["items"]
            .as_array()
            .expect("episodes")
            .clone();
        if !episodes.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!episodes.is_empty(), "a summary appears in the background");
    let newest = &episodes[0];
    assert_eq!(newest["conversation_id"], id.as_str());
    assert!(newest["to_seq"].as_i64().expect("to_seq") >= 2);
    assert!(!newest["summary"].as_str().expect("summary").is_empty());
    let all = app.get_json("/api/v1/memory/episodes", &ada.access).await;
    // The summariser may have added a newer one meanwhile: the unfiltered list holds it anyway.
    let all = all["items"].as_array().expect("episodes");
    assert!(
        all.iter().any(|e| e["id"] == newest["id"]),
        "the unfiltered list has it too: {all:?}"
    );

    let theirs = app.get_json(&path, &bob.access).await;
    assert_eq!(theirs["items"], json!([]), "B sees none of A's summaries");
    let theirs = app.get_json("/api/v1/memory/episodes", &bob.access).await;
    assert_eq!(theirs["items"], json!([]));

    let bad = app
        .call(
            Method::GET,
            "/api/v1/memory/episodes?limit=0",
            Some(&ada.access),
            None,
        )
        .await;
    assert_error(bad, 422, "invalid_input").await;
    let anonymous = app.get("/api/v1/memory/episodes").await;
    assert_eq!(anonymous.status(), 401);

    // They go with their conversation.
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/conversations/{id}"),
            Some(&ada.access),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    let after = app.get_json("/api/v1/memory/episodes", &ada.access).await;
    assert_eq!(after["items"], json!([]));
}
