//! OpenAI Chat Completions, embeddings and model list shapes.

use base64::Engine as _;
use cistern_llm_fake::{FakeLlm, Finish, Reply};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn plain_reply_echoes_with_word_count_usage() {
    let fake = FakeLlm::start().await.unwrap();
    let r = openai(&fake, openai_body(false, "hello there friend")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "application/json");
    assert!(r.headers().contains_key("x-request-id"));
    let v: Value = r.json().await.unwrap();
    assert!(v["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(v["object"], "chat.completion");
    assert!(v["created"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(v["model"], "gpt-4o-mini");
    assert!(v["system_fingerprint"].as_str().unwrap().starts_with("fp_"));
    let choice = &v["choices"][0];
    assert_eq!(choice["index"], 0);
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["message"]["content"], "echo: hello there friend");
    assert!(choice["message"].get("tool_calls").is_none());
    assert_eq!(choice["finish_reason"], "stop");
    // Prompt: "Be brief." (2) + "hello there friend" (3); reply: 4 words.
    assert_eq!(v["usage"]["prompt_tokens"], 5);
    assert_eq!(v["usage"]["completion_tokens"], 4);
    assert_eq!(v["usage"]["total_tokens"], 9);
    fake.shutdown().await;
}

#[tokio::test]
async fn stream_with_include_usage_has_role_deltas_finish_usage_and_done() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("one two three").usage(7, 3));
    let mut body = openai_body(true, "hi");
    body["stream_options"] = json!({"include_usage": true});
    let events = sse(&sse_text(openai(&fake, body).await).await, false);
    assert!(
        events.iter().all(|e| e.event.is_none()),
        "OpenAI streams have no event: lines"
    );
    assert_eq!(events.last().unwrap().data, "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1].iter().map(Event::json).collect();
    let id = chunks[0]["id"].as_str().unwrap();
    assert!(id.starts_with("chatcmpl-"));
    for c in &chunks {
        assert_eq!(c["object"], "chat.completion.chunk");
        assert_eq!(c["id"], id, "one id for the whole stream");
        assert_eq!(c["model"], "gpt-4o-mini");
    }
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let deltas: Vec<&str> = chunks[1..4]
        .iter()
        .map(|c| c["choices"][0]["delta"]["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        deltas,
        ["one", " two", " three"],
        "one chunk per word by default"
    );
    let finish = &chunks[4];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert_eq!(finish["choices"][0]["delta"], json!({}));
    assert!(
        finish["usage"].is_null() && finish.get("usage").is_some(),
        "usage: null before the last chunk"
    );
    let usage = &chunks[5];
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["prompt_tokens"], 7);
    assert_eq!(usage["usage"]["completion_tokens"], 3);
    assert_eq!(usage["usage"]["total_tokens"], 10);
    assert_eq!(chunks.len(), 6);
    fake.shutdown().await;
}

#[tokio::test]
async fn stream_without_include_usage_or_without_usage_has_no_usage() {
    let fake = FakeLlm::start().await.unwrap();
    let events = sse(
        &sse_text(openai(&fake, openai_body(true, "hi")).await).await,
        false,
    );
    assert!(
        events.iter().all(|e| !e.data.contains("usage")),
        "{events:?}"
    );
    assert_eq!(events.last().unwrap().data, "[DONE]");

    fake.enqueue(Reply::text("a b").without_usage());
    let mut body = openai_body(true, "hi");
    body["stream_options"] = json!({"include_usage": true});
    let events = sse(&sse_text(openai(&fake, body).await).await, false);
    assert!(
        events.iter().all(|e| !e.data.contains("usage")),
        "{events:?}"
    );

    fake.enqueue(Reply::text("a b").without_usage());
    let v: Value = openai(&fake, openai_body(false, "hi"))
        .await
        .json()
        .await
        .unwrap();
    assert!(v.get("usage").is_none());
    fake.shutdown().await;
}

#[tokio::test]
async fn chunks_sets_the_number_of_content_deltas() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("abcdefghij").chunks(4));
    let events = sse(
        &sse_text(openai(&fake, openai_body(true, "hi")).await).await,
        false,
    );
    let deltas: Vec<String> = events
        .iter()
        .filter(|e| e.data != "[DONE]")
        .filter_map(|e| {
            e.json()["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(deltas.len(), 4);
    assert_eq!(deltas.concat(), "abcdefghij");
    fake.shutdown().await;
}

#[tokio::test]
async fn tool_calls_non_streaming_with_malformed_arguments_verbatim() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(
        Reply::tool_call("get_weather", r#"{"city":"Paris"}"#)
            .with_tool_call("broken", r#"{"a": tru"#),
    );
    let v: Value = openai(&fake, openai_body(false, "weather?"))
        .await
        .json()
        .await
        .unwrap();
    let message = &v["choices"][0]["message"];
    assert!(message["content"].is_null());
    let calls = message["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert!(calls[0]["id"].as_str().unwrap().starts_with("call_"));
    assert_ne!(calls[0]["id"], calls[1]["id"]);
    assert_eq!(calls[0]["type"], "function");
    assert_eq!(calls[0]["function"]["name"], "get_weather");
    assert_eq!(calls[0]["function"]["arguments"], r#"{"city":"Paris"}"#);
    assert_eq!(calls[1]["function"]["arguments"], r#"{"a": tru"#);
    assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
    fake.shutdown().await;
}

#[tokio::test]
async fn tool_calls_stream_split_arguments_by_index() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::tool_call("a", r#"{"x":1}"#).with_tool_call("b", r#"{"y":[2,3]}"#));
    let events = sse(
        &sse_text(openai(&fake, openai_body(true, "go")).await).await,
        false,
    );
    let chunks: Vec<Value> = events
        .iter()
        .filter(|e| e.data != "[DONE]")
        .map(Event::json)
        .collect();
    assert!(chunks[0]["choices"][0]["delta"]["content"].is_null());
    let mut args = [String::new(), String::new()];
    let mut names = [None, None];
    let mut pieces = 0;
    for c in &chunks {
        for tc in c["choices"][0]["delta"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let i = tc["index"].as_u64().unwrap() as usize;
            if let Some(name) = tc["function"]["name"].as_str() {
                assert!(tc["id"].as_str().unwrap().starts_with("call_"));
                assert_eq!(tc["type"], "function");
                names[i] = Some(name.to_owned());
            }
            let piece = tc["function"]["arguments"].as_str().unwrap();
            pieces += usize::from(!piece.is_empty());
            args[i].push_str(piece);
        }
    }
    assert_eq!(names, [Some("a".to_owned()), Some("b".to_owned())]);
    assert_eq!(args, [r#"{"x":1}"#, r#"{"y":[2,3]}"#]);
    assert!(pieces > 2, "arguments must be split across chunks");
    let finish: Vec<&Value> = chunks
        .iter()
        .map(|c| &c["choices"][0]["finish_reason"])
        .filter(|f| !f.is_null())
        .collect();
    assert_eq!(finish, [&json!("tool_calls")]);
    fake.shutdown().await;
}

#[tokio::test]
async fn finish_override_maps_to_length_and_stop() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Reply::text("cut sho").finish(Finish::Length));
    fake.enqueue(Reply::tool_call("f", "{}").finish(Finish::Stop));
    let v: Value = openai(&fake, openai_body(false, "x"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["choices"][0]["finish_reason"], "length");
    let v: Value = openai(&fake, openai_body(false, "x"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        v["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
        "f"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn embeddings_are_deterministic_with_usage_and_base64() {
    let fake = FakeLlm::start().await.unwrap();
    let url = format!("{}/embeddings", fake.openai_base_url());
    let post = |body: Value| {
        let url = url.clone();
        async move {
            client()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let v = post(json!({"model": "text-embedding-3-small", "input": ["hello world", "bye"]})).await;
    assert_eq!(v["object"], "list");
    assert_eq!(v["model"], "text-embedding-3-small");
    assert_eq!(v["usage"], json!({"prompt_tokens": 3, "total_tokens": 3}));
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[1]["index"], 1);
    assert_eq!(data[0]["object"], "embedding");
    let first: Vec<f64> = data[0]["embedding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(first.len(), 8);
    assert_ne!(data[0]["embedding"], data[1]["embedding"]);

    let again = post(json!({"model": "m", "input": "hello world"})).await;
    assert_eq!(
        again["data"][0]["embedding"], data[0]["embedding"],
        "same text, same vector"
    );

    let b64 =
        post(json!({"model": "m", "input": "hello world", "encoding_format": "base64"})).await;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64["data"][0]["embedding"].as_str().unwrap())
        .unwrap();
    let decoded: Vec<f64> = raw
        .chunks(4)
        .map(|b| f64::from(f32::from_le_bytes(b.try_into().unwrap())))
        .collect();
    assert_eq!(decoded, first);

    let wide = post(json!({"model": "m", "input": "x", "dimensions": 32})).await;
    assert_eq!(wide["data"][0]["embedding"].as_array().unwrap().len(), 32);

    let r = client()
        .post(&url)
        .json(&json!({"model": "m"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["type"],
        "invalid_request_error"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn models_list_and_unknown_path() {
    let fake = FakeLlm::start().await.unwrap();
    fake.set_models(&["m1", "m2"]);
    let v: Value = client()
        .get(format!("{}/models", fake.openai_base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["object"], "list");
    assert_eq!(v["data"][1]["id"], "m2");
    assert_eq!(v["data"][0]["object"], "model");
    let r = client()
        .post(format!("{}/nope", fake.openai_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["message"], "Invalid URL (POST /v1/nope)");
    fake.shutdown().await;
}

#[tokio::test]
async fn invalid_requests_get_400_in_openai_shape() {
    let fake = FakeLlm::start().await.unwrap();
    for body in [
        json!({"messages": [{"role": "user", "content": "x"}]}),
        json!({"model": "m", "messages": []}),
    ] {
        let r = openai(&fake, body).await;
        assert_eq!(r.status(), 400);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["type"], "invalid_request_error");
        assert!(e["error"].get("param").is_some() && e["error"].get("code").is_some());
    }
    fake.shutdown().await;
}
