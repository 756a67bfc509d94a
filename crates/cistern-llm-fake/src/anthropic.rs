//! Anthropic Messages wire shapes.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::ids::id;
use crate::render::{Ctx, ErrorKind, Frames, Resolved, args_value, split_args};
use crate::script::{Finish, Reply};

fn stop_reason(f: Finish) -> &'static str {
    match f {
        Finish::Stop => "end_turn",
        Finish::ToolCalls => "tool_use",
        Finish::Length => "max_tokens",
    }
}

/// Whether the reply gets a text block: always unless it is only tool calls.
fn has_text_block(r: &Resolved) -> bool {
    !r.text.is_empty() || r.tool_calls.is_empty()
}

/// A non-streaming `message` body.
pub(crate) fn response(r: &Resolved, ctx: &Ctx) -> Vec<u8> {
    let mut content = Vec::new();
    if has_text_block(r) {
        content.push(json!({"type": "text", "text": r.text}));
    }
    for call in &r.tool_calls {
        content.push(json!({
            "type": "tool_use", "id": id("toolu_01", 22), "name": call.name,
            "input": args_value(&call.arguments)
        }));
    }
    let mut body = json!({
        "id": id("msg_01", 22),
        "type": "message",
        "role": "assistant",
        "model": ctx.model,
        "content": content,
        "stop_reason": stop_reason(r.finish),
        "stop_sequence": null,
    });
    if let Some(u) = r.usage {
        body["usage"] = json!({
            "input_tokens": u.input_tokens, "output_tokens": u.output_tokens,
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "service_tier": "standard"
        });
    }
    body.to_string().into_bytes()
}

fn event(v: &Value) -> Bytes {
    let name = v["type"].as_str().unwrap_or("unknown");
    Bytes::from(format!("event: {name}\ndata: {v}\n\n"))
}

/// The `event:`/`data:` frames of a streamed message, cut after `cut` content deltas if asked.
pub(crate) fn stream(r: &Resolved, ctx: &Ctx, cut: Option<usize>) -> Vec<Bytes> {
    let mut f = Frames::new(cut);
    let mut message = json!({
        "id": id("msg_01", 22), "type": "message", "role": "assistant", "model": ctx.model,
        "content": [], "stop_reason": null, "stop_sequence": null
    });
    if let Some(u) = r.usage {
        message["usage"] = json!({
            "input_tokens": u.input_tokens, "output_tokens": 1,
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "service_tier": "standard"
        });
    }
    f.preamble(event(&json!({"type": "message_start", "message": message})));
    let mut index = 0usize;
    // The first block's start and the ping belong to the opening, as in real streams.
    let start_block = |f: &mut Frames<Bytes>, index: usize, block: Value| {
        let frame =
            event(&json!({"type": "content_block_start", "index": index, "content_block": block}));
        if index == 0 {
            f.preamble(frame);
            f.preamble(event(&json!({"type": "ping"})));
            true
        } else {
            f.push(frame)
        }
    };
    if has_text_block(r) {
        start_block(&mut f, index, json!({"type": "text", "text": ""}));
        for piece in r.text_pieces() {
            let delta = json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "text_delta", "text": piece}});
            if !f.content(event(&delta)) {
                return f.into_vec();
            }
        }
        if !f.push(event(
            &json!({"type": "content_block_stop", "index": index}),
        )) {
            return f.into_vec();
        }
        index += 1;
    }
    for call in &r.tool_calls {
        let block =
            json!({"type": "tool_use", "id": id("toolu_01", 22), "name": call.name, "input": {}});
        if !start_block(&mut f, index, block) {
            return f.into_vec();
        }
        for piece in split_args(&call.arguments) {
            let delta = json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "input_json_delta", "partial_json": piece}});
            if !f.content(event(&delta)) {
                return f.into_vec();
            }
        }
        if !f.push(event(
            &json!({"type": "content_block_stop", "index": index}),
        )) {
            return f.into_vec();
        }
        index += 1;
    }
    let mut delta = json!({
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason(r.finish), "stop_sequence": null}
    });
    if let Some(u) = r.usage {
        delta["usage"] = json!({"output_tokens": u.output_tokens});
    }
    f.terminal(event(&delta));
    f.terminal(event(&json!({"type": "message_stop"})));
    f.into_vec()
}

/// Opening events, then a delta whose data is truncated JSON, then `message_stop`.
pub(crate) fn malformed_stream(ctx: &Ctx) -> Vec<Bytes> {
    let mut frames = stream(&Resolved::new(&Reply::text("x"), 1), ctx, Some(0));
    frames.push(Bytes::from_static(
        b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_de\n\n",
    ));
    frames.push(event(&json!({"type": "message_stop"})));
    frames
}

/// `(status, body)` in Anthropic's `{"type":"error","error":{type, message}}` shape.
pub(crate) fn error(kind: &ErrorKind) -> (u16, Value) {
    let (status, kind_str, message): (u16, &str, String) = match kind {
        ErrorKind::RateLimited(_) => (
            429,
            "rate_limit_error",
            "This request would exceed the rate limit for your organization of 50 requests per minute.".into(),
        ),
        ErrorKind::Server => (500, "api_error", "Internal server error".into()),
        ErrorKind::Overloaded => (529, "overloaded_error", "Overloaded".into()),
        ErrorKind::Unauthorized { missing: true } => {
            (401, "authentication_error", "x-api-key header is required".into())
        }
        ErrorKind::Unauthorized { missing: false } => {
            (401, "authentication_error", "invalid x-api-key".into())
        }
        ErrorKind::BadRequest(m) => (400, "invalid_request_error", m.clone()),
        ErrorKind::NotFound(m) => (404, "not_found_error", m.clone()),
        ErrorKind::Status(s, m) => {
            let t = match s {
                400 | 422 => "invalid_request_error",
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                413 => "request_too_large",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                _ => "api_error",
            };
            (*s, t, m.clone())
        }
    };
    let body = json!({
        "type": "error",
        "error": {"type": kind_str, "message": message},
        "request_id": id("req_011", 21),
    });
    (status, body)
}

/// The `event: error` Anthropic sends mid-stream when it becomes overloaded after the 200.
pub(crate) fn stream_error() -> Bytes {
    event(&json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
}

/// `GET /v1/models` as Anthropic answers it.
pub(crate) fn models(ids: &[String]) -> Value {
    let data: Vec<Value> = ids
        .iter()
        .map(|m| json!({"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"}))
        .collect();
    json!({
        "data": data,
        "has_more": false,
        "first_id": ids.first(),
        "last_id": ids.last(),
    })
}
