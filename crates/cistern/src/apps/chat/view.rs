//! The chat API's bodies and answers, as documented in the OpenAPI document.

use cistern_agents::{Conversation, Fact, StoredMessage, TurnResult, TurnUsage};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Body of `POST /api/v1/chat` and `POST /api/v1/chat/stream`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatBody {
    /// What the user says.
    pub message: String,
    /// Continue this conversation; absent: start a new one.
    pub conversation_id: Option<String>,
    /// Model for this turn (and the conversation from now on); absent: the conversation's, or
    /// `chat.default_model`.
    pub model: Option<String>,
}

/// Body of `POST /api/v1/conversations/{id}/retry` (and `…/retry/stream`); `{}` retries
/// with the conversation's model.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryBody {
    /// Model for the retry (and the conversation from now on); absent: the conversation's.
    pub model: Option<String>,
}

/// Token counts and cost of a turn, over every model call it made (a call that failed or was
/// stopped counts in `model_calls` only).
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// Model calls (1 + tool rounds).
    pub model_calls: u32,
    /// What the calls cost in USD at the models' configured prices, as the LLM accounting
    /// recorded them (0 for cached answers and unpriced models).
    pub cost_usd: f64,
}

impl From<TurnUsage> for UsageView {
    fn from(u: TurnUsage) -> Self {
        Self {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            model_calls: u.model_calls,
            cost_usd: u.cost_usd,
        }
    }
}

/// A completed turn: the reply is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatReply {
    /// The assistant's reply.
    pub message: String,
    /// Messages in the conversation now, exactly.
    pub message_count: i64,
    /// The conversation (new when none was given).
    pub conversation_id: String,
    /// The reply's position in the conversation.
    pub seq: i64,
    /// Token counts.
    pub usage: UsageView,
}

impl From<TurnResult> for ChatReply {
    fn from(r: TurnResult) -> Self {
        Self {
            message: r.message,
            message_count: r.message_count,
            conversation_id: r.conversation_id,
            seq: r.seq,
            usage: r.usage.into(),
        }
    }
}

/// A conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationView {
    /// Its id.
    pub id: String,
    /// The first line of its first message until renamed.
    pub title: String,
    /// The model it last used; null: the default.
    pub model: Option<String>,
    /// Messages stored.
    pub message_count: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds of the last message or rename.
    pub updated_at: i64,
}

impl From<Conversation> for ConversationView {
    fn from(c: Conversation) -> Self {
        Self {
            id: c.id,
            title: c.title,
            model: c.model,
            message_count: c.message_count,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// One stored message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// Position in the conversation, from 1, gapless.
    pub seq: i64,
    /// `user`, `assistant` or `tool`.
    pub role: String,
    /// Its text.
    pub content: String,
    /// `complete`; `partial` (the stream was stopped) or `error` (the model failed mid-way).
    pub status: String,
    /// Why a reply is partial or failed.
    pub error: Option<String>,
    /// An assistant's tool calls (OpenAI-shaped JSON text).
    pub tool_calls: Option<String>,
    /// A tool result: the call it answers.
    pub tool_call_id: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// What the turn cost, on its final assistant reply (also a partial or failed one); null
    /// on user and tool messages, on a tool round's message, and on replies stored before
    /// usage was kept.
    pub usage: Option<UsageView>,
}

impl From<StoredMessage> for MessageView {
    fn from(m: StoredMessage) -> Self {
        Self {
            seq: m.seq,
            role: m.role.as_str().to_owned(),
            content: m.content,
            status: m.status.as_str().to_owned(),
            error: m.error,
            tool_calls: m.tool_calls,
            tool_call_id: m.tool_call_id,
            created_at: m.created_at,
            usage: m.usage.map(UsageView::from),
        }
    }
}

/// Body of `PATCH /api/v1/conversations/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    /// The new title (one line, 1–200 characters).
    pub title: String,
}

/// The user's standing instructions to the chat model.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemPromptBody {
    /// The instructions; empty clears them.
    pub system_prompt: String,
}

/// Body of `POST /api/v1/memory/facts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactBody {
    /// What to remember.
    pub content: String,
}

/// A remembered fact.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactView {
    /// Its id.
    pub id: String,
    /// The fact.
    pub content: String,
    /// Who stored it: `api`, or `tool` when the chat model remembered it.
    pub source: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Relevance to the search (`?q=` only).
    pub score: Option<f64>,
}

impl From<Fact> for FactView {
    fn from(f: Fact) -> Self {
        Self {
            id: f.id,
            content: f.content,
            source: f.source,
            created_at: f.created_at,
            score: None,
        }
    }
}

/// A summary of a stretch of conversation that fell out of the model's context window
/// (episodic memory). Each one rolls the previous in, so a conversation's newest covers it all.
#[derive(Debug, Serialize, ToSchema)]
pub struct EpisodeView {
    /// Its id.
    pub id: String,
    /// The conversation summarised.
    pub conversation_id: String,
    /// It covers messages 1 to this one.
    pub to_seq: i64,
    /// The summary.
    pub summary: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl From<cistern_agents::Episode> for EpisodeView {
    fn from(e: cistern_agents::Episode) -> Self {
        Self {
            id: e.id,
            conversation_id: e.conversation_id,
            to_seq: e.to_seq,
            summary: e.summary,
            created_at: e.created_at,
        }
    }
}
