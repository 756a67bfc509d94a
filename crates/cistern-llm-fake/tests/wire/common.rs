//! Helpers: a client, request shortcuts, and an SSE parser written from the spec (not shared
//! with the crate, so the crate's framing is checked independently).

use std::time::Duration;

use cistern_llm_fake::FakeLlm;
use serde_json::{Value, json};

thread_local! {
    // Building a client loads the TLS roots, which is slow; each test (a thread with its own
    // runtime) builds one and reuses it.
    static CLIENT: reqwest::Client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
}

/// Every test request is bounded; a hang fault is the only thing that may wait on shutdown.
pub fn client() -> reqwest::Client {
    CLIENT.with(Clone::clone)
}

pub async fn openai(fake: &FakeLlm, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}/chat/completions", fake.openai_base_url()))
        .bearer_auth("sk-test")
        .json(&body)
        .send()
        .await
        .expect("send")
}

pub async fn anthropic(fake: &FakeLlm, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}/v1/messages", fake.anthropic_base_url()))
        .header("x-api-key", "sk-ant-test")
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .expect("send")
}

/// `action` is e.g. `generateContent` or `streamGenerateContent?alt=sse`.
pub async fn gemini(fake: &FakeLlm, model: &str, action: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!(
            "{}/models/{model}:{action}",
            fake.gemini_base_url()
        ))
        .header("x-goog-api-key", "g-test")
        .json(&body)
        .send()
        .await
        .expect("send")
}

pub fn openai_body(stream: bool, text: &str) -> Value {
    json!({"model": "gpt-4o-mini", "stream": stream, "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": text}
    ]})
}

pub fn anthropic_body(stream: bool, text: &str) -> Value {
    json!({"model": "claude-3-5-haiku-latest", "max_tokens": 100, "stream": stream,
        "system": "Be brief.", "messages": [{"role": "user", "content": text}]})
}

pub fn gemini_body(text: &str) -> Value {
    json!({"systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": text}]}]})
}

/// The three protocols, for tests that must hold for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P {
    OpenAi,
    Anthropic,
    Gemini,
}

pub const ALL: [P; 3] = [P::OpenAi, P::Anthropic, P::Gemini];

/// A chat request in protocol `p`, streaming or not.
pub async fn chat(fake: &FakeLlm, p: P, stream: bool, text: &str) -> reqwest::Response {
    match (p, stream) {
        (P::OpenAi, _) => openai(fake, openai_body(stream, text)).await,
        (P::Anthropic, _) => anthropic(fake, anthropic_body(stream, text)).await,
        (P::Gemini, false) => {
            gemini(
                fake,
                "gemini-2.0-flash",
                "generateContent",
                gemini_body(text),
            )
            .await
        }
        (P::Gemini, true) => {
            gemini(
                fake,
                "gemini-2.0-flash",
                "streamGenerateContent?alt=sse",
                gemini_body(text),
            )
            .await
        }
    }
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub event: Option<String>,
    pub data: String,
}

impl Event {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("bad JSON {:?}: {e}", self.data))
    }
}

/// Splits an SSE body into events. Asserts the framing: every event is ended by a blank line
/// (`\n\n`, or `\r\n\r\n` when `crlf`), and every line is `event:` or `data:`.
pub fn sse(body: &str, crlf: bool) -> Vec<Event> {
    let (sep, nl) = if crlf {
        ("\r\n\r\n", "\r\n")
    } else {
        ("\n\n", "\n")
    };
    assert!(
        body.ends_with(sep),
        "body must end with a blank line: {body:?}"
    );
    body[..body.len() - sep.len()]
        .split(sep)
        .map(|block| {
            let mut ev = Event {
                event: None,
                data: String::new(),
            };
            for line in block.split(nl) {
                if let Some(name) = line.strip_prefix("event: ") {
                    ev.event = Some(name.to_owned());
                } else if let Some(data) = line.strip_prefix("data: ") {
                    ev.data = data.to_owned();
                } else {
                    panic!("unexpected SSE line {line:?} in {body:?}");
                }
            }
            ev
        })
        .collect()
}

pub fn content_type(r: &reqwest::Response) -> String {
    r.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Reads a streaming response as text, checking its content type first.
pub async fn sse_text(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 200);
    assert_eq!(content_type(&r), "text/event-stream");
    r.text().await.expect("body")
}
