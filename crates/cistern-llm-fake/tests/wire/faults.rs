//! Injected faults, in every protocol.

use std::time::Duration;

use cistern_llm_fake::{FakeLlm, Fault, Reply};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::common::*;

/// Asserts `v` is `p`'s documented error envelope.
fn assert_error_shape(p: P, v: &Value, status: u16) {
    match p {
        P::OpenAi => {
            let e = &v["error"];
            assert!(e["message"].is_string() && e["type"].is_string(), "{v}");
            assert!(e.get("param").is_some() && e.get("code").is_some(), "{v}");
        }
        P::Anthropic => {
            assert_eq!(v["type"], "error", "{v}");
            assert!(
                v["error"]["type"].is_string() && v["error"]["message"].is_string(),
                "{v}"
            );
        }
        P::Gemini => {
            assert_eq!(v["error"]["code"], status, "{v}");
            assert!(
                v["error"]["message"].is_string() && v["error"]["status"].is_string(),
                "{v}"
            );
        }
    }
}

#[tokio::test]
async fn status_faults_in_each_providers_error_shape() {
    let fake = FakeLlm::start().await.unwrap();
    for p in ALL {
        fake.enqueue(Fault::RateLimited {
            retry_after_secs: 7,
        });
        let r = chat(&fake, p, false, "x").await;
        assert_eq!(r.status(), 429, "{p:?}");
        assert_eq!(r.headers()["retry-after"], "7");
        let v: Value = r.json().await.unwrap();
        assert_error_shape(p, &v, 429);
        let kind = [
            &v["error"]["code"],
            &v["error"]["type"],
            &v["error"]["status"],
        ];
        assert!(
            kind.contains(&&json!("rate_limit_exceeded"))
                || kind.contains(&&json!("rate_limit_error"))
                || kind.contains(&&json!("RESOURCE_EXHAUSTED")),
            "{v}"
        );

        for (fault, status) in [
            (Fault::ServerError, 500),
            (Fault::Overloaded, if p == P::Anthropic { 529 } else { 503 }),
            (
                Fault::Status {
                    status: 404,
                    message: "no such model".into(),
                },
                404,
            ),
        ] {
            fake.enqueue(fault.clone());
            // Streaming requests get status faults as plain JSON errors too.
            let r = chat(&fake, p, true, "x").await;
            assert_eq!(r.status(), status, "{p:?} {fault:?}");
            assert_eq!(content_type(&r), "application/json");
            assert_error_shape(p, &r.json().await.unwrap(), status);
        }
    }
    let v: Value = chat(&fake, P::OpenAi, false, "x")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["error"]["type"].as_str(),
        None,
        "script exhausted: back to normal replies"
    );
    fake.shutdown().await;
}

/// Text content received in a stream, and whether the stream carried its terminator.
fn content_and_end(p: P, events: &[Event]) -> (Vec<String>, bool) {
    let mut content = Vec::new();
    let mut terminated = false;
    for e in events {
        if e.data == "[DONE]" {
            terminated = true;
            continue;
        }
        let d = e.json();
        match p {
            P::OpenAi => {
                let c = &d["choices"][0];
                terminated |= !c["finish_reason"].is_null();
                if let Some(t) = c["delta"]["content"].as_str().filter(|t| !t.is_empty()) {
                    content.push(t.to_owned());
                }
            }
            P::Anthropic => {
                terminated |= matches!(d["type"].as_str(), Some("message_delta" | "message_stop"));
                if let Some(t) = d["delta"]["text"].as_str() {
                    content.push(t.to_owned());
                }
            }
            P::Gemini => {
                terminated |= d["candidates"][0].get("finishReason").is_some();
                content.push(
                    d["candidates"][0]["content"]["parts"][0]["text"]
                        .as_str()
                        .expect("text part")
                        .to_owned(),
                );
            }
        }
    }
    (content, terminated)
}

#[tokio::test]
async fn cut_stream_ends_cleanly_without_terminator() {
    let fake = FakeLlm::start().await.unwrap();
    for p in ALL {
        // A normal stream is terminated (the check below can tell the difference).
        fake.enqueue(Reply::text("a b c d e"));
        let events = sse(
            &sse_text(chat(&fake, p, true, "x").await).await,
            p == P::Gemini,
        );
        assert_eq!(
            content_and_end(p, &events),
            (
                vec!["a", " b", " c", " d", " e"]
                    .into_iter()
                    .map(String::from)
                    .collect(),
                true
            )
        );

        fake.enqueue(Fault::CutStream { after_chunks: 2 });
        let body = sse_text(chat(&fake, p, true, "a b c d e f").await).await;
        let (content, terminated) = content_and_end(p, &sse(&body, p == P::Gemini));
        assert_eq!(
            content,
            ["echo:", " a"],
            "{p:?}: the first two chunks of the echo"
        );
        assert!(!terminated, "{p:?}: {body}");
        if p == P::Anthropic {
            assert!(body.starts_with("event: message_start\n"));
        }

        // More chunks than the reply has: all content, still no terminator.
        fake.enqueue(Fault::CutStream { after_chunks: 100 });
        let body = sse_text(chat(&fake, p, true, "hi").await).await;
        let (content, terminated) = content_and_end(p, &sse(&body, p == P::Gemini));
        assert_eq!(content.concat(), "echo: hi");
        assert!(!terminated, "{p:?}: {body}");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn cut_or_aborted_body_is_a_read_error() {
    let fake = FakeLlm::start().await.unwrap();
    for p in ALL {
        fake.enqueue(Fault::CutStream { after_chunks: 1 });
        let r = chat(&fake, p, false, "x").await;
        assert_eq!(r.status(), 200);
        assert!(
            r.bytes().await.is_err(),
            "{p:?}: non-streaming body shorter than its Content-Length"
        );

        fake.enqueue(Fault::AbortStream { after_chunks: 1 });
        let r = chat(&fake, p, true, "x y z").await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.is_err(), "{p:?}: aborted stream");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn malformed_bodies_do_not_parse() {
    let fake = FakeLlm::start().await.unwrap();
    for p in ALL {
        fake.enqueue(Fault::MalformedBody);
        let r = chat(&fake, p, false, "x").await;
        assert_eq!(r.status(), 200);
        assert_eq!(content_type(&r), "application/json");
        let text = r.text().await.unwrap();
        assert!(
            !text.is_empty() && serde_json::from_str::<Value>(&text).is_err(),
            "{text}"
        );

        fake.enqueue(Fault::MalformedBody);
        let events = sse(
            &sse_text(chat(&fake, p, true, "x").await).await,
            p == P::Gemini,
        );
        let bad = events
            .iter()
            .filter(|e| e.data != "[DONE]" && serde_json::from_str::<Value>(&e.data).is_err())
            .count();
        assert_eq!(bad, 1, "{p:?}: {events:?}");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn stream_error_events() {
    let fake = FakeLlm::start().await.unwrap();
    for p in ALL {
        fake.enqueue(Fault::StreamError { after_chunks: 1 });
        let events = sse(
            &sse_text(chat(&fake, p, true, "x y").await).await,
            p == P::Gemini,
        );
        let last = events.last().unwrap();
        let v = last.json();
        match p {
            P::OpenAi => assert_eq!(v["error"]["type"], "server_error"),
            P::Anthropic => {
                assert_eq!(last.event.as_deref(), Some("error"));
                assert_eq!(v["error"]["type"], "overloaded_error");
            }
            P::Gemini => assert_eq!(v["error"]["code"], 500),
        }
        let (content, terminated) = content_and_end(p, &events[..events.len() - 1]);
        assert_eq!((content.len(), terminated), (1, false), "{p:?}");

        fake.enqueue(Fault::StreamError { after_chunks: 1 });
        assert_eq!(chat(&fake, p, false, "x").await.status(), 500);
    }
    fake.shutdown().await;
}

/// Waits (bounded) until the fake has recorded `n` requests.
async fn wait_for_requests(fake: &FakeLlm, n: usize) {
    for _ in 0..2000 {
        if fake.requests().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the fake never received request {n}");
}

#[tokio::test]
async fn hang_answers_nothing_until_shutdown_which_still_completes() {
    for p in ALL {
        let fake = FakeLlm::start().await.unwrap();
        fake.enqueue(Fault::Hang);
        let f2 = fake.clone();
        let pending = tokio::spawn(async move { chat(&f2, p, false, "x").await.status() });
        wait_for_requests(&fake, 1).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !pending.is_finished(),
            "{p:?}: a hung request must not be answered"
        );
        fake.shutdown().await;
        // The handler was released by shutdown and answered "overloaded" (a killed task would
        // instead have dropped the connection and failed the request).
        let status = pending.await.unwrap();
        assert_eq!(status, if p == P::Anthropic { 529 } else { 503 });
    }
}

#[tokio::test]
async fn stalled_stream_sends_chunks_then_nothing_until_shutdown() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Fault::StallStream { after_chunks: 1 });
    let r = chat(&fake, P::OpenAi, true, "one two three").await;
    assert_eq!(r.status(), 200);
    let mut body = r.bytes_stream();
    let mut seen = String::new();
    while !seen.contains(r#""content":"echo:""#) {
        let chunk = body.next().await.expect("stream open").expect("chunk");
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let shutdown = tokio::spawn(fake.shutdown());
    let mut ended_with_error = false;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(c) => seen.push_str(std::str::from_utf8(&c).unwrap()),
            Err(_) => ended_with_error = true,
        }
    }
    assert!(
        ended_with_error,
        "a stalled stream is aborted at shutdown, never completed"
    );
    assert!(!seen.contains("[DONE]") && !seen.contains(" two"), "{seen}");
    shutdown.await.unwrap();
}

#[tokio::test]
async fn faults_apply_to_embeddings_too() {
    let fake = FakeLlm::start().await.unwrap();
    fake.enqueue(Fault::RateLimited {
        retry_after_secs: 2,
    });
    let r = client()
        .post(format!("{}/embeddings", fake.openai_base_url()))
        .json(&json!({"model": "text-embedding-3-small", "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    fake.enqueue(Reply::text("").usage(42, 1));
    let v: Value = client()
        .post(format!("{}/embeddings", fake.openai_base_url()))
        .json(&json!({"model": "m", "input": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["usage"]["prompt_tokens"], 42,
        "a scripted reply sets embeddings usage"
    );
    fake.shutdown().await;
}
