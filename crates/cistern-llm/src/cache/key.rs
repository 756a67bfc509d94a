//! The cache key: SHA-256 of the normalised request — the fields that shape the answer, in a
//! fixed order, streamed into the hasher (no intermediate buffer). `user`, `stream` and
//! `stream_options` do not change the answer and are left out, so a streamed and a
//! non-streamed call share entries. `invalid_tool_calls` is left out too: only answers whose
//! tool calls pass the check are stored, and those are right for either setting.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::types::{ChatRequest, Message, ResponseFormat, Tool, ToolChoice};

/// A request's cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey(pub [u8; 32]);

impl CacheKey {
    pub(crate) fn hex(&self) -> String {
        use std::fmt::Write;
        let mut s = String::with_capacity(64);
        for b in self.0 {
            // Writing to a String cannot fail.
            write!(s, "{b:02x}").ok();
        }
        s
    }
}

#[derive(Serialize)]
struct Normalised<'a> {
    v: u8,
    model: &'a str,
    messages: &'a [Message],
    tools: &'a [Tool],
    tool_choice: &'a Option<ToolChoice>,
    parallel_tool_calls: Option<bool>,
    response_format: &'a Option<ResponseFormat>,
    temperature: Option<f32>,
    top_p: Option<f32>,
    max_tokens: Option<u32>,
    stop: &'a [String],
    seed: Option<i64>,
    presence_penalty: Option<f32>,
    frequency_penalty: Option<f32>,
}

struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn cache_key(req: &ChatRequest) -> CacheKey {
    let n = Normalised {
        v: 1, // bump when the cached format or the normalisation changes
        model: &req.model,
        messages: &req.messages,
        tools: &req.tools,
        tool_choice: &req.tool_choice,
        parallel_tool_calls: req.parallel_tool_calls,
        response_format: &req.response_format,
        temperature: req.temperature,
        top_p: req.top_p,
        max_tokens: req.max_tokens,
        stop: &req.stop,
        seed: req.seed,
        presence_penalty: req.presence_penalty,
        frequency_penalty: req.frequency_penalty,
    };
    let mut w = HashWriter(Sha256::new());
    // Writing to the hasher cannot fail, and these types always serialize.
    serde_json::to_writer(&mut w, &n).ok();
    CacheKey(w.0.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_question_same_key_and_every_answer_shaping_field_counts() {
        let base = ChatRequest::new("fast", vec![Message::user("hi")]);
        let mut streamed = base.clone();
        streamed.stream = true;
        streamed.user = Some("u1".into());
        assert_eq!(cache_key(&base), cache_key(&streamed));
        let variants: Vec<ChatRequest> = vec![
            ChatRequest {
                model: "smart".into(),
                ..base.clone()
            },
            ChatRequest {
                messages: vec![Message::user("hi!")],
                ..base.clone()
            },
            ChatRequest {
                temperature: Some(0.5),
                ..base.clone()
            },
            ChatRequest {
                max_tokens: Some(5),
                ..base.clone()
            },
            ChatRequest {
                stop: vec!["x".into()],
                ..base.clone()
            },
            ChatRequest {
                tool_choice: Some(ToolChoice::None),
                ..base.clone()
            },
            ChatRequest {
                response_format: Some(ResponseFormat::JsonObject),
                ..base.clone()
            },
        ];
        for v in &variants {
            assert_ne!(cache_key(&base), cache_key(v), "{v:?}");
        }
        assert_eq!(cache_key(&base).hex().len(), 64);
    }
}
