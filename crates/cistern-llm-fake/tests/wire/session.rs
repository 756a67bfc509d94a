//! The script, key checking, recording, shutdown and the binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use cistern_llm_fake::{FakeLlm, Reply, Step};
use serde_json::{Value, json};

use crate::common::*;

/// The reply text of a non-streaming response in any protocol.
async fn reply_text(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("JSON body");
    [
        &v["choices"][0]["message"]["content"],
        &v["content"][0]["text"],
        &v["candidates"][0]["content"]["parts"][0]["text"],
    ]
    .into_iter()
    .find_map(|t| t.as_str())
    .unwrap_or_else(|| panic!("no text in {v}"))
    .to_owned()
}

#[tokio::test]
async fn one_fifo_script_across_protocols_then_echo() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Step::Reply(Reply::text("first")));
    fake.enqueue(Reply::text("second"));
    fake.enqueue(Reply::text("third"));
    assert_eq!(fake.pending_steps(), 3);
    assert_eq!(
        reply_text(chat(&fake, P::Gemini, false, "x").await).await,
        "first"
    );
    assert_eq!(
        reply_text(chat(&fake, P::OpenAi, false, "x").await).await,
        "second"
    );
    assert_eq!(
        reply_text(chat(&fake, P::Anthropic, false, "x").await).await,
        "third"
    );
    assert_eq!(fake.pending_steps(), 0);
    // Model listings do not consume steps.
    fake.enqueue(Reply::text("kept"));
    client()
        .get(format!("{}/models", fake.openai_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(fake.pending_steps(), 1);
    assert_eq!(
        reply_text(chat(&fake, P::OpenAi, false, "x").await).await,
        "kept"
    );
    assert_eq!(
        reply_text(chat(&fake, P::OpenAi, false, "last words").await).await,
        "echo: last words"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn echo_uses_the_last_user_message() {
    let fake = FakeLlm::start().await.unwrap();
    let body = json!({"model": "m", "messages": [
        {"role": "user", "content": "old question"},
        {"role": "assistant", "content": "old answer"},
        {"role": "user", "content": [{"type": "text", "text": "new"}, {"type": "text", "text": "question"}]}
    ]});
    assert_eq!(
        reply_text(openai(&fake, body).await).await,
        "echo: new question"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn openai_key_checking() {
    let fake = FakeLlm::start().await.unwrap();
    fake.require_key("sk-right");
    fake.enqueue(Reply::text("after auth"));
    let url = format!("{}/chat/completions", fake.openai_base_url());
    let body = openai_body(false, "x");
    let r = client().post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "invalid_request_error");
    let r = client()
        .post(&url)
        .bearer_auth("sk-wrong")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_api_key"
    );
    assert_eq!(fake.pending_steps(), 1, "rejected requests consume no step");
    let r = client()
        .post(&url)
        .bearer_auth("sk-right")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply_text(r).await, "after auth");
    fake.accept_any_key();
    assert_eq!(
        client()
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn anthropic_key_checking_needs_key_and_version() {
    let fake = FakeLlm::start().await.unwrap();
    fake.require_key("sk-ant-right");
    let url = format!("{}/v1/messages", fake.anthropic_base_url());
    let body = anthropic_body(false, "x");
    let send = |key: Option<&'static str>, version: bool| {
        let mut req = client().post(&url).json(&body);
        if let Some(k) = key {
            req = req.header("x-api-key", k);
        }
        if version {
            req = req.header("anthropic-version", "2023-06-01");
        }
        req.send()
    };
    let r = send(Some("sk-ant-wrong"), true).await.unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        (e["type"].as_str(), e["error"]["type"].as_str()),
        (Some("error"), Some("authentication_error"))
    );
    assert_eq!(send(None, true).await.unwrap().status(), 401);
    let r = send(Some("sk-ant-right"), false).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("anthropic-version"));
    assert_eq!(
        send(Some("sk-ant-right"), true).await.unwrap().status(),
        200
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn gemini_key_checking_header_or_query_like_the_real_api() {
    let fake = FakeLlm::start().await.unwrap();
    fake.require_key("g-right");
    let base = format!(
        "{}/models/gemini-2.0-flash:generateContent",
        fake.gemini_base_url()
    );
    let body = gemini_body("x");
    let r = client()
        .post(&base)
        .header("x-goog-api-key", "g-right")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .post(format!("{base}?key=g-right"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .post(format!("{base}?key=g-wrong"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["status"], "INVALID_ARGUMENT");
    assert_eq!(e["error"]["details"][0]["reason"], "API_KEY_INVALID");
    let r = client().post(&base).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["status"],
        "PERMISSION_DENIED"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn records_every_request_in_order() {
    let fake = FakeLlm::start().await.unwrap();
    let sent = json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}}});
    openai(&fake, sent.clone()).await;
    chat(&fake, P::Gemini, true, "g")
        .await
        .text()
        .await
        .unwrap();
    client()
        .get(format!("{}/models", fake.openai_base_url()))
        .send()
        .await
        .unwrap();
    client()
        .post(format!("{}/v1/messages", fake.url()))
        .body("not json")
        .send()
        .await
        .unwrap();
    let got = fake.requests();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/v1/chat/completions");
    assert_eq!(got[0].body, sent, "the exact body the client sent");
    assert_eq!(got[0].header("Authorization"), Some("Bearer sk-test"));
    assert!(
        got[0].headers.iter().any(|(k, _)| k == "content-type"),
        "names lower-cased"
    );
    assert_eq!(
        got[1].path,
        "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(got[1].header("x-goog-api-key"), Some("g-test"));
    assert_eq!(
        (got[2].method.as_str(), &got[2].body),
        ("GET", &Value::Null)
    );
    assert_eq!(got[3].body, json!("not json"));
    fake.clear_requests();
    assert!(fake.requests().is_empty());
    fake.shutdown().await;
}

#[tokio::test]
async fn urls_and_shutdown() {
    let fake = FakeLlm::start().await.unwrap();
    let url = fake.url();
    assert_eq!(url, format!("http://127.0.0.1:{}", fake.addr().port()));
    assert_eq!(fake.openai_base_url(), format!("{url}/v1"));
    assert_eq!(fake.anthropic_base_url(), url);
    assert_eq!(fake.gemini_base_url(), format!("{url}/v1beta"));
    fake.shutdown().await;
    assert!(
        client()
            .get(format!("{url}/v1/models"))
            .send()
            .await
            .is_err(),
        "port closed after shutdown"
    );
}

#[tokio::test]
async fn dropping_the_last_handle_stops_the_server() {
    let fake = FakeLlm::start().await.unwrap();
    let url = format!("{}/v1/models", fake.url());
    let clone = fake.clone();
    drop(fake);
    assert!(
        client().get(&url).send().await.is_ok(),
        "a clone keeps it alive"
    );
    drop(clone);
    for _ in 0..2000 {
        if client().get(&url).send().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("server still answering after the last handle was dropped");
}

#[tokio::test]
async fn fixed_reply_is_served_for_every_protocol_and_script_still_wins() {
    let fake = FakeLlm::builder()
        .record(false)
        .fixed_reply(Reply::text("canned one two").usage(9, 3).chunks(5))
        .start()
        .await
        .unwrap();
    for p in ALL {
        assert_eq!(
            reply_text(chat(&fake, p, false, "x").await).await,
            "canned one two"
        );
        // Twice: the second comes from the pre-serialised cache.
        for _ in 0..2 {
            let events = sse(
                &sse_text(chat(&fake, p, true, "x").await).await,
                p == P::Gemini,
            );
            assert!(events.len() >= 5, "{p:?}: five content chunks");
        }
    }
    let mut body = openai_body(false, "x");
    body["model"] = json!("other-model");
    let v: Value = openai(&fake, body).await.json().await.unwrap();
    assert_eq!(v["model"], "other-model");
    assert_eq!(v["usage"]["prompt_tokens"], 9);
    fake.enqueue(Reply::text("scripted"));
    assert_eq!(
        reply_text(chat(&fake, P::OpenAi, false, "x").await).await,
        "scripted"
    );
    assert!(fake.requests().is_empty(), "recording off");
    fake.shutdown().await;
}

/// Kills the child on drop so a failing assertion cannot leak the process.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        // Best effort in Drop: the process may have exited already.
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

#[tokio::test]
async fn binary_prints_its_url_and_streams_n_chunks() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_fake-llm"))
            .args(["--port", "0", "--stream-chunks", "64"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("fake-llm listening on ")
        .unwrap_or_else(|| panic!("{line:?}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let r = client()
        .post(format!("{url}/v1/chat/completions"))
        .json(&openai_body(true, "hi"))
        .send()
        .await
        .unwrap();
    let events = sse(&sse_text(r).await, false);
    let deltas = events
        .iter()
        .filter(|e| e.data != "[DONE]")
        .filter(|e| {
            e.json()["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
        })
        .count();
    assert_eq!(deltas, 64);
}
