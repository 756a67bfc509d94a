//! Gemini generateContent / streamGenerateContent / embeddings shapes.

use cistern_llm_fake::{FakeLlm, Finish, Reply};
use serde_json::{Value, json};

use crate::common::*;

const MODEL: &str = "gemini-2.0-flash";

#[tokio::test]
async fn generate_content_with_usage_metadata() {
    let fake = FakeLlm::start().await.unwrap();
    let r = gemini(&fake, MODEL, "generateContent", gemini_body("hello there")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "application/json");
    let v: Value = r.json().await.unwrap();
    let cand = &v["candidates"][0];
    assert_eq!(cand["content"]["role"], "model");
    assert_eq!(
        cand["content"]["parts"],
        json!([{"text": "echo: hello there"}])
    );
    assert_eq!(cand["finishReason"], "STOP");
    assert_eq!(v["usageMetadata"]["promptTokenCount"], 4);
    assert_eq!(v["usageMetadata"]["candidatesTokenCount"], 3);
    assert_eq!(v["usageMetadata"]["totalTokenCount"], 7);
    assert_eq!(v["modelVersion"], MODEL);
    fake.shutdown().await;
}

#[tokio::test]
async fn sse_stream_uses_crlf_and_finishes_on_the_last_chunk() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("one two three").usage(5, 3));
    let r = gemini(
        &fake,
        MODEL,
        "streamGenerateContent?alt=sse",
        gemini_body("hi"),
    )
    .await;
    let events = sse(&sse_text(r).await, true);
    assert_eq!(events.len(), 3);
    let chunks: Vec<Value> = events.iter().map(Event::json).collect();
    let text: String = chunks
        .iter()
        .map(|c| {
            c["candidates"][0]["content"]["parts"][0]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(text, "one two three");
    for c in &chunks[..2] {
        assert!(c["candidates"][0].get("finishReason").is_none());
        assert!(c["usageMetadata"].get("candidatesTokenCount").is_none());
    }
    let last = &chunks[2];
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    assert_eq!(last["usageMetadata"]["promptTokenCount"], 5);
    assert_eq!(last["usageMetadata"]["candidatesTokenCount"], 3);
    assert_eq!(last["usageMetadata"]["totalTokenCount"], 8);
    fake.shutdown().await;
}

#[tokio::test]
async fn stream_without_alt_sse_is_a_json_array() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("a b").chunks(2));
    let r = gemini(&fake, MODEL, "streamGenerateContent", gemini_body("hi")).await;
    assert_eq!(content_type(&r), "application/json");
    let v: Value = r.json().await.unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["candidates"][0]["finishReason"], "STOP");
    fake.shutdown().await;
}

#[tokio::test]
async fn function_calls_carry_parsed_args() {
    let fake = FakeLlm::start().await.unwrap();
    let reply = Reply::tool_call("get_weather", r#"{"city":"Paris"}"#);
    fake.enqueue(reply.clone());
    fake.enqueue(reply);
    let v: Value = gemini(&fake, MODEL, "generateContent", gemini_body("w"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["candidates"][0]["content"]["parts"],
        json!([{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}])
    );
    assert_eq!(v["candidates"][0]["finishReason"], "STOP");
    let r = gemini(
        &fake,
        MODEL,
        "streamGenerateContent?alt=sse",
        gemini_body("w"),
    )
    .await;
    let events = sse(&sse_text(r).await, true);
    assert_eq!(events.len(), 1);
    let c = events[0].json();
    assert_eq!(
        c["candidates"][0]["content"]["parts"][0]["functionCall"]["args"]["city"],
        "Paris"
    );
    assert_eq!(c["candidates"][0]["finishReason"], "STOP");
    fake.shutdown().await;
}

#[tokio::test]
async fn max_tokens_finish_reason() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("x").finish(Finish::Length));
    let v: Value = gemini(&fake, MODEL, "generateContent", gemini_body("w"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["candidates"][0]["finishReason"], "MAX_TOKENS");
    fake.shutdown().await;
}

#[tokio::test]
async fn embed_and_batch_embed_are_deterministic() {
    let fake = FakeLlm::start().await.unwrap();
    let one: Value = gemini(
        &fake,
        "text-embedding-004",
        "embedContent",
        json!({"content": {"parts": [{"text": "hello"}]}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let values = one["embedding"]["values"].as_array().unwrap();
    assert_eq!(values.len(), 8);
    let batch: Value = gemini(
        &fake,
        "text-embedding-004",
        "batchEmbedContents",
        json!({"requests": [
            {"model": "models/text-embedding-004", "content": {"parts": [{"text": "hello"}]}},
            {"model": "models/text-embedding-004", "content": {"parts": [{"text": "other"}]}, "outputDimensionality": 3}
        ]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(batch["embeddings"][0]["values"], one["embedding"]["values"]);
    assert_eq!(
        batch["embeddings"][1]["values"].as_array().unwrap().len(),
        3
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn invalid_role_and_missing_contents_get_400_invalid_argument() {
    let fake = FakeLlm::start().await.unwrap();
    for body in [
        json!({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}),
        json!({"contents": []}),
    ] {
        let r = gemini(&fake, MODEL, "generateContent", body).await;
        assert_eq!(r.status(), 400);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], 400);
        assert_eq!(e["error"]["status"], "INVALID_ARGUMENT");
    }
    let r = gemini(&fake, MODEL, "countTokens", gemini_body("x")).await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["status"],
        "NOT_FOUND"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn models_list() {
    let fake = FakeLlm::start().await.unwrap();
    fake.set_models(&["gemini-x"]);
    let v: Value = client()
        .get(format!("{}/models", fake.gemini_base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["models"][0]["name"], "models/gemini-x");
    fake.shutdown().await;
}
