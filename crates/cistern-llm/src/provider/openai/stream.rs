//! OpenAI's `chat.completion.chunk` stream: `data: {chunk}` events, then `data: [DONE]`.

use std::borrow::Cow;

use serde::Deserialize;

use super::{WireUsage, finish_reason};
use crate::error::Error;
use crate::provider::malformed;
use crate::types::serde_util::null_as_default;
use crate::types::{StreamEvent, ToolCallDelta, Usage};

/// Streaming state: whether `[DONE]` (or at least a finish reason) arrived.
#[derive(Debug, Default)]
pub(crate) struct StreamState {
    done: bool,
    saw_finish: bool,
    saw_tool_call: bool,
}

#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    choices: Vec<ChunkChoice<'a>>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct ChunkChoice<'a> {
    #[serde(default, borrow)]
    delta: Option<Delta<'a>>,
    #[serde(default, borrow)]
    finish_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(default, borrow)]
    content: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    tool_calls: Vec<DeltaToolCall<'a>>,
}

#[derive(Deserialize)]
struct DeltaToolCall<'a> {
    #[serde(default)]
    index: u32,
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    function: Option<DeltaFunction<'a>>,
}

#[derive(Deserialize)]
struct DeltaFunction<'a> {
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    arguments: Option<Cow<'a, str>>,
}

impl StreamState {
    pub(crate) fn on_event(&mut self, data: &str, out: &mut Vec<StreamEvent>) -> Result<(), Error> {
        if data == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        if let Some(message) = error_in_stream(data) {
            return Err(Error::Unavailable(format!(
                "provider error mid-stream: {message}"
            )));
        }
        let chunk: Chunk<'_> = serde_json::from_str(data).map_err(malformed)?;
        for choice in chunk.choices {
            if let Some(delta) = choice.delta {
                if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
                    out.push(StreamEvent::TextDelta {
                        text: text.into_owned(),
                    });
                }
                for call in delta.tool_calls {
                    self.saw_tool_call = true;
                    let (name, arguments) = match call.function {
                        Some(f) => (
                            f.name.map(Cow::into_owned),
                            f.arguments.map(Cow::into_owned).unwrap_or_default(),
                        ),
                        None => (None, String::new()),
                    };
                    out.push(StreamEvent::ToolCallDelta(ToolCallDelta {
                        index: call.index,
                        id: call.id.map(Cow::into_owned),
                        name,
                        arguments,
                    }));
                }
            }
            if let Some(word) = choice.finish_reason {
                self.saw_finish = true;
                out.push(StreamEvent::Finish {
                    reason: finish_reason(Some(&word), self.saw_tool_call),
                });
            }
        }
        if let Some(usage) = chunk.usage {
            out.push(StreamEvent::Usage(Usage::from(usage)));
        }
        Ok(())
    }

    /// `[DONE]` arrived, or a finish reason did (some compatible servers end without
    /// `[DONE]`; a stream cut before the finish reason is still caught).
    pub(crate) fn finished(&self) -> bool {
        self.done || self.saw_finish
    }
}

/// Some servers report failures inside the stream as `{"error": {...}}`.
fn error_in_stream(data: &str) -> Option<String> {
    if !data.starts_with("{\"error\"") {
        return None;
    }
    #[derive(Deserialize)]
    struct E {
        error: Inner,
    }
    #[derive(Deserialize)]
    struct Inner {
        #[serde(default)]
        message: String,
    }
    serde_json::from_str::<E>(data)
        .ok()
        .map(|e| crate::error::truncate(&e.error.message, 300))
}
