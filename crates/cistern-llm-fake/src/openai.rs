//! OpenAI Chat Completions and Embeddings wire shapes.

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::embed;
use crate::ids::{id, now_secs};
use crate::render::{Ctx, EmbedUsage, ErrorKind, Frames, Resolved, split_args, words};
use crate::script::{Finish, Usage};

/// Constant per process, like a real deployment's backend fingerprint.
const FINGERPRINT: &str = "fp_fake0c15te";

fn finish_reason(f: Finish) -> &'static str {
    match f {
        Finish::Stop => "stop",
        Finish::ToolCalls => "tool_calls",
        Finish::Length => "length",
    }
}

fn usage_json(u: Usage) -> Value {
    json!({
        "prompt_tokens": u.input_tokens,
        "completion_tokens": u.output_tokens,
        "total_tokens": u.input_tokens + u.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0
        }
    })
}

/// A non-streaming `chat.completion` body.
pub(crate) fn response(r: &Resolved, ctx: &Ctx) -> Vec<u8> {
    let content = if r.text.is_empty() && !r.tool_calls.is_empty() {
        Value::Null
    } else {
        Value::String(r.text.clone())
    };
    let mut message = json!({
        "role": "assistant", "content": content, "refusal": null, "annotations": []
    });
    if !r.tool_calls.is_empty() {
        let calls: Vec<Value> = r
            .tool_calls
            .iter()
            .map(|c| {
                json!({
                    "id": id("call_", 24), "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments}
                })
            })
            .collect();
        message["tool_calls"] = Value::Array(calls);
    }
    let mut body = json!({
        "id": id("chatcmpl-", 29),
        "object": "chat.completion",
        "created": now_secs(),
        "model": ctx.model,
        "choices": [{
            "index": 0, "message": message, "logprobs": null,
            "finish_reason": finish_reason(r.finish)
        }],
        "service_tier": "default",
        "system_fingerprint": FINGERPRINT,
    });
    if let Some(u) = r.usage {
        body["usage"] = usage_json(u);
    }
    body.to_string().into_bytes()
}

fn sse(v: &Value) -> Bytes {
    Bytes::from(format!("data: {v}\n\n"))
}

/// The `data:` frames of a streamed completion, cut after `cut` content chunks if asked.
pub(crate) fn stream(r: &Resolved, ctx: &Ctx, cut: Option<usize>) -> Vec<Bytes> {
    let chat_id = id("chatcmpl-", 29);
    let created = now_secs();
    let with_usage = ctx.include_usage && r.usage.is_some();
    let chunk = |delta: Value, finish: Value| {
        let mut c = json!({
            "id": chat_id, "object": "chat.completion.chunk", "created": created,
            "model": ctx.model, "service_tier": "default", "system_fingerprint": FINGERPRINT,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]
        });
        if with_usage {
            // With include_usage, OpenAI puts `"usage": null` on every chunk but the last.
            c["usage"] = Value::Null;
        }
        sse(&c)
    };
    let mut f = Frames::new(cut);
    let first_content = if r.text.is_empty() && !r.tool_calls.is_empty() {
        Value::Null
    } else {
        json!("")
    };
    f.preamble(chunk(
        json!({"role": "assistant", "content": first_content, "refusal": null}),
        Value::Null,
    ));
    for piece in r.text_pieces() {
        if !f.content(chunk(json!({"content": piece}), Value::Null)) {
            return f.into_vec();
        }
    }
    for (index, call) in r.tool_calls.iter().enumerate() {
        let head = json!({"tool_calls": [{
            "index": index, "id": id("call_", 24), "type": "function",
            "function": {"name": call.name, "arguments": ""}
        }]});
        if !f.push(chunk(head, Value::Null)) {
            return f.into_vec();
        }
        for piece in split_args(&call.arguments) {
            let delta = json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]});
            if !f.content(chunk(delta, Value::Null)) {
                return f.into_vec();
            }
        }
    }
    f.terminal(chunk(json!({}), json!(finish_reason(r.finish))));
    if let (true, Some(u)) = (with_usage, r.usage) {
        f.terminal(sse(&json!({
            "id": chat_id, "object": "chat.completion.chunk", "created": created,
            "model": ctx.model, "service_tier": "default", "system_fingerprint": FINGERPRINT,
            "choices": [], "usage": usage_json(u)
        })));
    }
    f.terminal(Bytes::from_static(b"data: [DONE]\n\n"));
    f.into_vec()
}

/// A stream whose second event carries truncated JSON, then a normal `[DONE]`.
pub(crate) fn malformed_stream(ctx: &Ctx) -> Vec<Bytes> {
    let mut frames = stream(
        &Resolved::new(&crate::script::Reply::text(""), 1),
        ctx,
        Some(0),
    );
    frames.push(Bytes::from(format!(
        "data: {{\"id\":\"{}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"Hel\n\n",
        id("chatcmpl-", 29)
    )));
    frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
    frames
}

/// `(status, body)` in OpenAI's `{"error": {message, type, param, code}}` shape.
pub(crate) fn error(kind: &ErrorKind) -> (u16, Value) {
    let (status, message, kind_str, code): (u16, String, &str, Value) = match kind {
        ErrorKind::RateLimited(secs) => (
            429,
            format!("Rate limit reached for requests per min (RPM). Please try again in {secs}s."),
            "requests",
            json!("rate_limit_exceeded"),
        ),
        ErrorKind::Server => (
            500,
            "The server had an error while processing your request. Sorry about that!".into(),
            "server_error",
            Value::Null,
        ),
        ErrorKind::Overloaded => (
            503,
            "The engine is currently overloaded, please try again later.".into(),
            "server_error",
            Value::Null,
        ),
        ErrorKind::Unauthorized { missing: true } => (
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).".into(),
            "invalid_request_error",
            Value::Null,
        ),
        ErrorKind::Unauthorized { missing: false } => (
            401,
            "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.".into(),
            "invalid_request_error",
            json!("invalid_api_key"),
        ),
        ErrorKind::BadRequest(m) => (400, m.clone(), "invalid_request_error", Value::Null),
        ErrorKind::NotFound(m) => (404, m.clone(), "invalid_request_error", Value::Null),
        ErrorKind::Status(s, m) => {
            let t = if *s >= 500 { "server_error" } else { "invalid_request_error" };
            (*s, m.clone(), t, Value::Null)
        }
    };
    let body =
        json!({"error": {"message": message, "type": kind_str, "param": null, "code": code}});
    (status, body)
}

/// The in-stream error event OpenAI sends when a generation fails after the 200.
pub(crate) fn stream_error() -> Bytes {
    sse(&error(&ErrorKind::Server).1)
}

/// A `POST /v1/embeddings` body: one deterministic vector per input; `usage` from word counts
/// (or the scripted usage, or none).
pub(crate) fn embeddings(body: &Value, usage: EmbedUsage) -> Result<Vec<u8>, String> {
    let model = body["model"]
        .as_str()
        .ok_or("you must provide a model parameter")?;
    let inputs: Vec<(String, u32)> = match &body["input"] {
        Value::String(s) => vec![(s.clone(), words(s))],
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok((s.clone(), words(s))),
                Value::Number(_) => Ok((item.to_string(), 1)),
                Value::Array(tokens) => Ok((item.to_string(), tokens.len() as u32)),
                _ => Err("'input' must be a string, an array of strings or of token arrays"),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("'input' is a required property and must not be empty".into()),
    };
    // An array of plain numbers is one tokenised input, not many.
    let inputs = if body["input"]
        .as_array()
        .is_some_and(|a| a.iter().all(Value::is_number))
    {
        vec![(body["input"].to_string(), inputs.len() as u32)]
    } else {
        inputs
    };
    let dims = embed::dims(body["dimensions"].as_u64());
    let base64 = body["encoding_format"].as_str() == Some("base64");
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(index, (text, _))| {
            let v = embed::vector(text, dims);
            let embedding = if base64 {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                json!(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!(v)
            };
            json!({"object": "embedding", "index": index, "embedding": embedding})
        })
        .collect();
    let mut out = json!({"object": "list", "data": data, "model": model});
    let tokens = match usage {
        EmbedUsage::Computed => Some(inputs.iter().map(|(_, n)| *n).sum::<u32>().max(1)),
        EmbedUsage::Omitted => None,
        EmbedUsage::Exactly(n) => Some(n),
    };
    if let Some(t) = tokens {
        out["usage"] = json!({"prompt_tokens": t, "total_tokens": t});
    }
    Ok(out.to_string().into_bytes())
}

/// `GET /v1/models`.
pub(crate) fn models(ids: &[String]) -> Value {
    let data: Vec<Value> = ids
        .iter()
        .map(
            |m| json!({"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "system"}),
        )
        .collect();
    json!({"object": "list", "data": data})
}
