//! Canonical responses rendered in OpenAI's wire format, for the server's OpenAI-compatible
//! API: `chat.completion` bodies, `chat.completion.chunk` SSE frames, embeddings lists.
//! Serialized from borrowed views, so no intermediate JSON value is built.

use serde::Serialize;

use crate::types::{
    ChatResponse, EmbedResponse, FinishReason, Message, StreamEvent, ToolCallDelta, Usage,
};

#[derive(Serialize)]
struct WireUsage {
    prompt_tokens: u32,
    completion_tokens: u32,
    total_tokens: u32,
}

impl From<&Usage> for WireUsage {
    fn from(u: &Usage) -> Self {
        Self {
            prompt_tokens: u.input_tokens,
            completion_tokens: u.output_tokens,
            total_tokens: u.input_tokens.saturating_add(u.output_tokens),
        }
    }
}

/// The body of a non-streamed `POST /v1/chat/completions` answer. `created` is Unix seconds.
pub fn completion_body(resp: &ChatResponse, created: u64) -> Vec<u8> {
    #[derive(Serialize)]
    struct Completion<'a> {
        id: &'a str,
        object: &'static str,
        created: u64,
        model: &'a str,
        choices: [Choice<'a>; 1],
        usage: WireUsage,
    }
    #[derive(Serialize)]
    struct Choice<'a> {
        index: u32,
        message: &'a Message,
        finish_reason: &'static str,
        logprobs: Option<()>,
    }
    let body = Completion {
        id: &resp.id,
        object: "chat.completion",
        created,
        model: &resp.model,
        choices: [Choice {
            index: 0,
            message: &resp.message,
            finish_reason: resp.finish_reason.as_str(),
            logprobs: None,
        }],
        usage: WireUsage::from(&resp.usage),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// The terminator frame of an OpenAI stream.
pub const DONE_FRAME: &[u8] = b"data: [DONE]\n\n";

/// Renders [`StreamEvent`]s as complete SSE frames (`data: {chunk}\n\n`) of one response.
#[derive(Debug, Clone)]
pub struct ChunkWriter {
    id: String,
    model: String,
    created: u64,
    include_usage: bool,
}

#[derive(Serialize)]
struct Chunk<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: &'a [ChunkChoice<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<WireUsage>,
}

#[derive(Serialize)]
struct ChunkChoice<'a> {
    index: u32,
    delta: Delta<'a>,
    finish_reason: Option<&'static str>,
}

#[derive(Serialize, Default)]
struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<[WireToolDelta<'a>; 1]>,
}

#[derive(Serialize)]
struct WireToolDelta<'a> {
    index: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    function: WireFunctionDelta<'a>,
}

#[derive(Serialize)]
struct WireFunctionDelta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    arguments: &'a str,
}

impl ChunkWriter {
    /// A writer for response `id` (e.g. `chatcmpl-…`) of `model`; `include_usage` is the
    /// client's `stream_options.include_usage`.
    pub fn new(
        id: impl Into<String>,
        model: impl Into<String>,
        created: u64,
        include_usage: bool,
    ) -> Self {
        Self {
            id: id.into(),
            model: model.into(),
            created,
            include_usage,
        }
    }

    /// The first frame: an empty assistant delta, as OpenAI sends.
    pub fn start(&self) -> Vec<u8> {
        self.frame(
            &[ChunkChoice {
                index: 0,
                delta: Delta {
                    role: Some("assistant"),
                    content: Some(""),
                    ..Delta::default()
                },
                finish_reason: None,
            }],
            None,
        )
    }

    /// The frame for one event; `None` for a usage event the client did not ask for.
    pub fn event(&self, event: &StreamEvent) -> Option<Vec<u8>> {
        let choice = |delta, finish_reason| {
            [ChunkChoice {
                index: 0,
                delta,
                finish_reason,
            }]
        };
        Some(match event {
            StreamEvent::TextDelta { text } => self.frame(
                &choice(
                    Delta {
                        content: Some(text),
                        ..Delta::default()
                    },
                    None,
                ),
                None,
            ),
            StreamEvent::ToolCallDelta(ToolCallDelta {
                index,
                id,
                name,
                arguments,
            }) => {
                let call = WireToolDelta {
                    index: *index,
                    id: id.as_deref(),
                    kind: id.as_ref().map(|_| "function"),
                    function: WireFunctionDelta {
                        name: name.as_deref(),
                        arguments,
                    },
                };
                self.frame(
                    &choice(
                        Delta {
                            tool_calls: Some([call]),
                            ..Delta::default()
                        },
                        None,
                    ),
                    None,
                )
            }
            StreamEvent::Finish { reason } => self.frame(
                &choice(Delta::default(), Some(FinishReason::as_str(*reason))),
                None,
            ),
            StreamEvent::Usage(usage) if self.include_usage => {
                self.frame(&[], Some(WireUsage::from(usage)))
            }
            StreamEvent::Usage(_) => return None,
        })
    }

    fn frame(&self, choices: &[ChunkChoice<'_>], usage: Option<WireUsage>) -> Vec<u8> {
        let chunk = Chunk {
            id: &self.id,
            object: "chat.completion.chunk",
            created: self.created,
            model: &self.model,
            choices,
            usage,
        };
        let mut out = Vec::with_capacity(160);
        out.extend_from_slice(b"data: ");
        // Serializing these borrowed views cannot fail (no maps with non-string keys).
        if let Err(error) = serde_json::to_writer(&mut out, &chunk) {
            tracing::error!(%error, "cannot serialize a stream chunk");
        }
        out.extend_from_slice(b"\n\n");
        out
    }
}

/// The body of a `POST /v1/embeddings` answer.
pub fn embeddings_body(resp: &EmbedResponse) -> Vec<u8> {
    #[derive(Serialize)]
    struct List<'a> {
        object: &'static str,
        data: Vec<Item<'a>>,
        model: &'a str,
        usage: EmbedUsage,
    }
    #[derive(Serialize)]
    struct Item<'a> {
        object: &'static str,
        index: usize,
        embedding: &'a [f32],
    }
    #[derive(Serialize)]
    struct EmbedUsage {
        prompt_tokens: u32,
        total_tokens: u32,
    }
    let data = resp
        .embeddings
        .iter()
        .enumerate()
        .map(|(index, e)| Item {
            object: "embedding",
            index,
            embedding: e,
        })
        .collect();
    let usage = EmbedUsage {
        prompt_tokens: resp.usage.input_tokens,
        total_tokens: resp.usage.input_tokens,
    };
    serde_json::to_vec(&List {
        object: "list",
        data,
        model: &resp.model,
        usage,
    })
    .unwrap_or_default()
}
