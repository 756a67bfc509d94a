//! Google Gemini `generateContent` / `streamGenerateContent` / embeddings wire shapes.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::embed;
use crate::ids::id;
use crate::render::{Ctx, ErrorKind, Frames, Resolved, args_value, text_of};
use crate::script::{Finish, Usage};

fn finish_reason(f: Finish) -> &'static str {
    match f {
        Finish::Stop | Finish::ToolCalls => "STOP",
        Finish::Length => "MAX_TOKENS",
    }
}

fn usage_full(u: Usage) -> Value {
    json!({
        "promptTokenCount": u.input_tokens,
        "candidatesTokenCount": u.output_tokens,
        "totalTokenCount": u.input_tokens + u.output_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": u.input_tokens}]
    })
}

/// Intermediate stream chunks carry the prompt count only, as the real API does, so a client
/// that sums usage over chunks (instead of taking the last) gets it wrong here too.
fn usage_partial(u: Usage) -> Value {
    json!({"promptTokenCount": u.input_tokens, "totalTokenCount": u.input_tokens})
}

fn chunk(
    ctx: &Ctx,
    response_id: &str,
    parts: Vec<Value>,
    finish: Option<&str>,
    usage: Option<Value>,
) -> Value {
    let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
    if let Some(f) = finish {
        candidate["finishReason"] = json!(f);
    }
    let mut body = json!({
        "candidates": [candidate],
        "modelVersion": ctx.model,
        "responseId": response_id,
    });
    if let Some(u) = usage {
        body["usageMetadata"] = u;
    }
    body
}

/// Parts in order: the text (if any, or if there is nothing else), then function calls.
fn parts(r: &Resolved, text_pieces: Vec<&str>) -> Vec<Value> {
    let mut parts: Vec<Value> = text_pieces
        .into_iter()
        .map(|t| json!({"text": t}))
        .collect();
    parts.extend(
        r.tool_calls
            .iter()
            .map(|c| json!({"functionCall": {"name": c.name, "args": args_value(&c.arguments)}})),
    );
    if parts.is_empty() {
        parts.push(json!({"text": ""}));
    }
    parts
}

/// A non-streaming `GenerateContentResponse`.
pub(crate) fn response(r: &Resolved, ctx: &Ctx) -> Vec<u8> {
    let text = if r.text.is_empty() {
        vec![]
    } else {
        vec![r.text.as_str()]
    };
    let body = chunk(
        ctx,
        &id("", 22),
        parts(r, text),
        Some(finish_reason(r.finish)),
        r.usage.map(usage_full),
    );
    body.to_string().into_bytes()
}

/// Stream chunks as JSON values, one part each; the last carries `finishReason` and the full
/// usage unless the stream is cut. Returns whether the stream is complete.
fn chunks(r: &Resolved, ctx: &Ctx, cut: Option<usize>) -> (Vec<Value>, bool) {
    let response_id = id("", 22);
    let parts = parts(r, r.text_pieces());
    let mut f = Frames::new(cut);
    let last = parts.len() - 1;
    for (i, part) in parts.into_iter().enumerate() {
        let c = if i == last && !f.cutting() {
            chunk(
                ctx,
                &response_id,
                vec![part],
                Some(finish_reason(r.finish)),
                r.usage.map(usage_full),
            )
        } else {
            chunk(
                ctx,
                &response_id,
                vec![part],
                None,
                r.usage.map(usage_partial),
            )
        };
        if !f.content(c) {
            break;
        }
    }
    let complete = !f.cutting();
    (f.into_vec(), complete)
}

/// Frames values as SSE (`alt=sse`, CRLF-separated like Google's servers) or as the JSON
/// array Gemini streams without `alt=sse`.
fn frame(values: Vec<Value>, close: bool, sse: bool) -> Vec<Bytes> {
    let mut out: Vec<Bytes> = values
        .iter()
        .enumerate()
        .map(|(i, v)| match (sse, i) {
            (true, _) => Bytes::from(format!("data: {v}\r\n\r\n")),
            (false, 0) => Bytes::from(format!("[{v}")),
            (false, _) => Bytes::from(format!(",\r\n{v}")),
        })
        .collect();
    if !sse && close {
        out.push(Bytes::from_static(if values.is_empty() {
            b"[]"
        } else {
            b"]"
        }));
    }
    out
}

/// A streamed reply, cut after `cut` content chunks if asked.
pub(crate) fn stream(r: &Resolved, ctx: &Ctx, cut: Option<usize>, sse: bool) -> Vec<Bytes> {
    let (values, complete) = chunks(r, ctx, cut);
    frame(values, complete, sse)
}

/// `after` content chunks, then an error object in the stream.
pub(crate) fn stream_then_error(r: &Resolved, ctx: &Ctx, after: usize, sse: bool) -> Vec<Bytes> {
    let (mut values, _) = chunks(r, ctx, Some(after));
    values.push(error(&ErrorKind::Server).1);
    frame(values, true, sse)
}

/// One chunk of truncated JSON, then the end of the body.
pub(crate) fn malformed_stream(sse: bool) -> Vec<Bytes> {
    let broken = "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel";
    vec![Bytes::from(if sse {
        format!("data: {broken}\r\n\r\n")
    } else {
        format!("[{broken}]")
    })]
}

fn status_name(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        500 => "INTERNAL",
        501 => "NOT_IMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    }
}

/// `(status, body)` in Google's `{"error": {code, message, status}}` shape. Key failures
/// follow the real API: a wrong key is 400 INVALID_ARGUMENT with reason `API_KEY_INVALID`,
/// a missing key is 403 PERMISSION_DENIED.
pub(crate) fn error(kind: &ErrorKind) -> (u16, Value) {
    let (code, message, details): (u16, String, Option<Value>) = match kind {
        ErrorKind::RateLimited(secs) => (
            429,
            "You exceeded your current quota, please check your plan and billing details.".into(),
            Some(json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{secs}s")}])),
        ),
        ErrorKind::Server => (
            500,
            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting".into(),
            None,
        ),
        ErrorKind::Overloaded => (503, "The model is overloaded. Please try again later.".into(), None),
        ErrorKind::Unauthorized { missing: true } => (
            403,
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.".into(),
            None,
        ),
        ErrorKind::Unauthorized { missing: false } => (
            400,
            "API key not valid. Please pass a valid API key.".into(),
            Some(json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}
            }])),
        ),
        ErrorKind::BadRequest(m) => (400, m.clone(), None),
        ErrorKind::NotFound(m) => (404, m.clone(), None),
        ErrorKind::Status(s, m) => (*s, m.clone(), None),
    };
    let mut err = json!({"code": code, "message": message, "status": status_name(code)});
    if let Some(d) = details {
        err["details"] = d;
    }
    (code, json!({"error": err}))
}

fn content_vector(content: &Value, dims: Option<u64>) -> Result<Value, String> {
    if !content.is_object() {
        return Err("* EmbedContentRequest.content: contents is not specified".into());
    }
    Ok(json!({"values": embed::vector(&text_of(content), embed::dims(dims))}))
}

/// `:embedContent` → `{"embedding": {"values": [...]}}` (Gemini reports no usage here).
pub(crate) fn embed(body: &Value) -> Result<Vec<u8>, String> {
    let v = content_vector(&body["content"], body["outputDimensionality"].as_u64())?;
    Ok(json!({"embedding": v}).to_string().into_bytes())
}

/// `:batchEmbedContents` → `{"embeddings": [{"values": [...]}, ...]}`.
pub(crate) fn batch_embed(body: &Value) -> Result<Vec<u8>, String> {
    let requests = body["requests"]
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or("* BatchEmbedContentsRequest.requests: at least one request is required")?;
    let vectors = requests
        .iter()
        .map(|r| content_vector(&r["content"], r["outputDimensionality"].as_u64()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({"embeddings": vectors}).to_string().into_bytes())
}

/// `GET /v1beta/models`.
pub(crate) fn models(ids: &[String]) -> Value {
    let models: Vec<Value> = ids
        .iter()
        .map(|m| {
            json!({
                "name": format!("models/{m}"), "displayName": m,
                "supportedGenerationMethods": ["generateContent", "streamGenerateContent", "embedContent"]
            })
        })
        .collect();
    json!({"models": models})
}
