//! The chat response and the events of a streamed response.

use serde::{Deserialize, Serialize};

use super::chat::Message;

/// A completed chat response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The provider's response id (`chatcmpl-…`, `msg_…`), or one made up when it gave none.
    pub id: String,
    /// The upstream model that answered, as the provider reported it.
    pub model: String,
    /// The assistant's message: text and/or tool calls. Push it onto the next request's
    /// messages to continue the conversation.
    pub message: Message,
    /// Why generation stopped.
    pub finish_reason: FinishReason,
    /// Tokens used.
    pub usage: Usage,
}

/// Why generation stopped, in OpenAI's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// Natural end or a stop sequence.
    Stop,
    /// The output token limit.
    Length,
    /// The model called tools.
    ToolCalls,
    /// A safety filter stopped it.
    ContentFilter,
}

impl FinishReason {
    /// The OpenAI wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::ContentFilter => "content_filter",
        }
    }
}

/// Token counts and cost of one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u32,
    /// Completion tokens (including reasoning tokens where the provider reports them).
    pub output_tokens: u32,
    /// True when the provider reported no usage and the gateway counted with a tokenizer.
    #[serde(default)]
    pub estimated: bool,
    /// What the whole call cost in USD at the answering deployment's prices (a repair round
    /// included) — the number its accounting record carries. Set by the gateway when the call
    /// ends: 0 for a cache hit or an unpriced deployment, and always 0 as a provider parsed it.
    /// Not part of the OpenAI wire format (`/v1` renders tokens only).
    #[serde(default)]
    pub cost_usd: f64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        // Estimated if any part was.
        self.estimated = self.estimated || other.estimated;
        self.cost_usd += other.cost_usd;
    }
}

impl Usage {
    /// Usage as reported by a provider.
    pub fn new(input_tokens: u32, output_tokens: u32) -> Self {
        Self {
            input_tokens,
            output_tokens,
            estimated: false,
            cost_usd: 0.0,
        }
    }
}

/// One event of a streamed response.
///
/// The gateway guarantees the order: any number of deltas, then exactly one [`Finish`]
/// followed by exactly one [`Usage`] (estimated if the provider sent none), then the end of
/// the stream. A stream that breaks off ends with an `Err` item instead, never silently.
///
/// [`Finish`]: StreamEvent::Finish
/// [`Usage`]: StreamEvent::Usage
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// More assistant text.
    TextDelta {
        /// The text to append.
        text: String,
    },
    /// A piece of a tool call.
    ToolCallDelta(ToolCallDelta),
    /// Why generation stopped.
    Finish {
        /// The reason.
        reason: FinishReason,
    },
    /// Token counts of the whole call.
    Usage(Usage),
}

/// A piece of a tool call, as in OpenAI's chunks: the first piece of call `index` carries its
/// id and name, later ones append to its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallDelta {
    /// Which call of this response (0, 1, …).
    pub index: u32,
    /// The call id, on the first piece.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The function name, on the first piece.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Text to append to the arguments JSON.
    #[serde(default)]
    pub arguments: String,
}
