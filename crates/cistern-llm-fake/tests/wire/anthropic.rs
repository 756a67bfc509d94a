//! Anthropic Messages shapes.

use cistern_llm_fake::{FakeLlm, Finish, Reply};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn plain_message_with_usage() {
    let fake = FakeLlm::start().await.unwrap();
    let r = anthropic(&fake, anthropic_body(false, "hello there")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "application/json");
    assert!(r.headers().contains_key("request-id"));
    let v: Value = r.json().await.unwrap();
    assert!(v["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(v["type"], "message");
    assert_eq!(v["role"], "assistant");
    assert_eq!(v["model"], "claude-3-5-haiku-latest");
    assert_eq!(
        v["content"],
        json!([{"type": "text", "text": "echo: hello there"}])
    );
    assert_eq!(v["stop_reason"], "end_turn");
    assert!(v["stop_sequence"].is_null());
    // System "Be brief." counts toward input.
    assert_eq!(v["usage"]["input_tokens"], 4);
    assert_eq!(v["usage"]["output_tokens"], 3);
    fake.shutdown().await;
}

#[tokio::test]
async fn stream_events_in_order_with_matching_event_lines() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("alpha beta").usage(11, 2));
    let events = sse(
        &sse_text(anthropic(&fake, anthropic_body(true, "hi")).await).await,
        false,
    );
    let names: Vec<&str> = events.iter().map(|e| e.event.as_deref().unwrap()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    for e in &events {
        assert_eq!(
            e.json()["type"],
            e.event.as_deref().unwrap(),
            "event: line matches data.type"
        );
    }
    let start = events[0].json();
    assert!(start["message"]["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(start["message"]["content"], json!([]));
    assert_eq!(start["message"]["usage"]["input_tokens"], 11);
    assert_eq!(
        events[1].json()["content_block"],
        json!({"type": "text", "text": ""})
    );
    let text: String = events[3..5]
        .iter()
        .map(|e| {
            let d = e.json();
            assert_eq!(d["delta"]["type"], "text_delta");
            assert_eq!(d["index"], 0);
            d["delta"]["text"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(text, "alpha beta");
    let delta = events[6].json();
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(delta["usage"]["output_tokens"], 2);
    fake.shutdown().await;
}

#[tokio::test]
async fn tool_use_streams_partial_json_and_parses_input_when_not_streaming() {
    let fake = FakeLlm::start().await.unwrap();
    let reply =
        Reply::text("Let me check.").with_tool_call("get_weather", r#"{"city":"Paris","days":3}"#);
    fake.enqueue(reply.clone());
    fake.enqueue(reply);
    let v: Value = anthropic(&fake, anthropic_body(false, "weather"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["content"][0],
        json!({"type": "text", "text": "Let me check."})
    );
    let tool = &v["content"][1];
    assert_eq!(tool["type"], "tool_use");
    assert!(tool["id"].as_str().unwrap().starts_with("toolu_"));
    assert_eq!(tool["name"], "get_weather");
    assert_eq!(tool["input"], json!({"city": "Paris", "days": 3}));
    assert_eq!(v["stop_reason"], "tool_use");

    let events = sse(
        &sse_text(anthropic(&fake, anthropic_body(true, "weather")).await).await,
        false,
    );
    let starts: Vec<Value> = events
        .iter()
        .filter(|e| e.event.as_deref() == Some("content_block_start"))
        .map(Event::json)
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(starts[1]["index"], 1);
    assert_eq!(starts[1]["content_block"]["type"], "tool_use");
    assert_eq!(starts[1]["content_block"]["name"], "get_weather");
    assert_eq!(starts[1]["content_block"]["input"], json!({}));
    let partial: Vec<String> = events
        .iter()
        .map(Event::json)
        .filter(|d| d["delta"]["type"] == "input_json_delta")
        .map(|d| {
            assert_eq!(d["index"], 1);
            d["delta"]["partial_json"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(partial.len() > 1, "arguments split across deltas");
    assert_eq!(partial.concat(), r#"{"city":"Paris","days":3}"#);
    let stops = events
        .iter()
        .filter(|e| e.event.as_deref() == Some("content_block_stop"))
        .count();
    assert_eq!(stops, 2);
    let delta = events
        .iter()
        .find(|e| e.event.as_deref() == Some("message_delta"))
        .unwrap()
        .json();
    assert_eq!(delta["delta"]["stop_reason"], "tool_use");
    fake.shutdown().await;
}

#[tokio::test]
async fn max_tokens_stop_reason_and_no_usage() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("trunc").finish(Finish::Length).without_usage());
    fake.enqueue(Reply::text("trunc").finish(Finish::Length).without_usage());
    let v: Value = anthropic(&fake, anthropic_body(false, "x"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["stop_reason"], "max_tokens");
    assert!(v.get("usage").is_none());
    let body = sse_text(anthropic(&fake, anthropic_body(true, "x")).await).await;
    assert!(!body.contains("usage"), "{body}");
    assert!(body.contains(r#""stop_reason":"max_tokens""#));
    fake.shutdown().await;
}

#[tokio::test]
async fn requests_real_api_rejects_get_400_and_consume_no_step() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("scripted"));
    let mut no_max = anthropic_body(false, "x");
    no_max.as_object_mut().unwrap().remove("max_tokens");
    let system_role = json!({"model": "c", "max_tokens": 5,
        "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]});
    for body in [no_max, system_role] {
        let r = anthropic(&fake, body).await;
        assert_eq!(r.status(), 400);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["type"], "error");
        assert_eq!(e["error"]["type"], "invalid_request_error");
    }
    assert_eq!(fake.pending_steps(), 1);
    let v: Value = anthropic(&fake, anthropic_body(false, "x"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["content"][0]["text"], "scripted");
    fake.shutdown().await;
}

#[tokio::test]
async fn models_list_in_anthropic_shape() {
    let fake = FakeLlm::start().await.unwrap();
    fake.set_models(&["claude-a", "claude-b"]);
    let v: Value = client()
        .get(format!("{}/v1/models", fake.anthropic_base_url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"][0]["type"], "model");
    assert_eq!(v["data"][1]["id"], "claude-b");
    assert_eq!(v["has_more"], false);
    assert_eq!(v["first_id"], "claude-a");
    fake.shutdown().await;
}
