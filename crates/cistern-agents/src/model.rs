//! The data the API hands out: conversations, messages, pages, turn results.

use serde::{Deserialize, Serialize};

/// Who wrote a stored message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool's result, answering an assistant's tool call.
    Tool,
}

impl Role {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "user" => Ok(Role::User),
            "assistant" => Ok(Role::Assistant),
            "tool" => Ok(Role::Tool),
            _ => Err(format!("unknown role {s:?}")),
        }
    }
}

/// Whether a stored message is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Written in full.
    Complete,
    /// A reply cut short on purpose (the caller stopped the stream); the text is what came.
    Partial,
    /// A reply the model failed to finish; the text is what came before the failure.
    Error,
}

impl MessageStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Complete => "complete",
            MessageStatus::Partial => "partial",
            MessageStatus::Error => "error",
        }
    }
}

impl TryFrom<String> for MessageStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "complete" => Ok(MessageStatus::Complete),
            "partial" => Ok(MessageStatus::Partial),
            "error" => Ok(MessageStatus::Error),
            _ => Err(format!("unknown message status {s:?}")),
        }
    }
}

/// A conversation's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Conversation {
    /// UUIDv7.
    pub id: String,
    /// The user it belongs to.
    pub owner: String,
    /// Shown in lists; the first line of the first message until renamed.
    pub title: String,
    /// The model it last used (`None`: the configured default).
    pub model: Option<String>,
    /// Messages stored, exactly; the last message's `seq`.
    pub message_count: i64,
    /// Bumped by every write to the conversation row.
    pub version: i64,
    /// Messages `1..=summarized_seq` are covered by its latest episodic summary.
    pub summarized_seq: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds of the last message or rename.
    pub updated_at: i64,
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StoredMessage {
    /// Position in the conversation, 1-based and gapless.
    pub seq: i64,
    /// Who wrote it.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Its text (empty for an assistant message that only calls tools).
    pub content: String,
    /// An assistant's tool calls, as OpenAI-shaped JSON text.
    pub tool_calls: Option<String>,
    /// A tool result: the call it answers.
    pub tool_call_id: Option<String>,
    /// Estimated tokens (see [`crate::estimate_tokens`]).
    pub tokens: i64,
    /// Whether it is whole.
    #[sqlx(try_from = "String")]
    pub status: MessageStatus,
    /// Why a reply is partial or failed.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// What the turn cost, on its final assistant message (whatever its status); `None` on
    /// other messages and on replies stored before usage was kept.
    #[sqlx(json(nullable))]
    pub usage: Option<TurnUsage>,
}

/// A page of messages, oldest first, and where the next (older) page ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagePage {
    /// Messages in ascending `seq`.
    pub messages: Vec<StoredMessage>,
    /// Pass as `before` for the previous page; `None` at the start of the conversation.
    pub next: Option<i64>,
}

/// A page of conversations, most recently active first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    /// The conversations.
    pub conversations: Vec<Conversation>,
    /// Pass as `before` for the next page; `None` when this is the last.
    pub next: Option<String>,
}

/// Token counts and cost of a turn: every model call it made (tool rounds included). A call
/// that failed or was stopped counts in `model_calls` only (its usage never arrived).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TurnUsage {
    /// Prompt tokens, summed over the turn's model calls.
    pub input_tokens: u64,
    /// Completion tokens, summed.
    pub output_tokens: u64,
    /// Model calls made (1 + tool rounds).
    pub model_calls: u32,
    /// USD, summed over the calls as the gateway's accounting recorded them (0 for cache hits
    /// and unpriced models).
    #[serde(default)]
    pub cost_usd: f64,
}

/// What a completed turn returns, once its reply is durable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnResult {
    /// The conversation (new when none was given).
    pub conversation_id: String,
    /// The assistant's reply.
    pub message: String,
    /// The reply's `seq`.
    pub seq: i64,
    /// Messages in the conversation after this turn, exactly.
    pub message_count: i64,
    /// Token counts.
    pub usage: TurnUsage,
}

/// One event of a streamed turn: `Started`, any number of `Delta`/`ToolCall`, then `Done`
/// (or an `Err` item: the partial reply is then stored with status `error`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TurnEvent {
    /// The user's message is stored; the conversation id is known (new ones included).
    Started {
        /// The conversation.
        conversation_id: String,
        /// The user message's `seq`.
        user_seq: i64,
    },
    /// More reply text.
    Delta {
        /// Text to append.
        text: String,
    },
    /// The model called a tool (it runs before the reply continues).
    ToolCall {
        /// The tool's name.
        name: String,
    },
    /// The reply is stored.
    Done(TurnResult),
}
