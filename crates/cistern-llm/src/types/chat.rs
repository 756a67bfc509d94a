//! The chat request: messages, sampling options and the output format.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::content::Content;
use super::serde_util::{is_false, null_as_default, one_or_many};
use super::tools::{InvalidToolCalls, Tool, ToolCall, ToolChoice};

/// A chat completion request, in OpenAI's shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// A configured model name (`fast`, `smart`) or, with passthrough, an upstream model name.
    pub model: String,
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// Functions the model may call.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tools: Vec<Tool>,
    /// Whether and which tool the model must call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// OpenAI's switch for several tool calls in one turn; passed on where supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Plain text, any JSON object, or JSON matching a schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Nucleus sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Output token limit (`max_completion_tokens` is read as the same thing).
    #[serde(
        default,
        alias = "max_completion_tokens",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_tokens: Option<u32>,
    /// Stop sequences (a string or an array on the wire).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub stop: Vec<String>,
    /// Sampling seed, where the provider supports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// OpenAI's presence penalty; passed to OpenAI-compatible providers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f32>,
    /// OpenAI's frequency penalty; passed to OpenAI-compatible providers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f32>,
    /// End-user id for the provider's abuse monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The client asked for a stream; the server picks `chat` or `chat_stream` from it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stream: bool,
    /// The client's stream options (the gateway always asks upstream for usage itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// Number of choices; only 1 is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// What to do with tool calls that fail their check; never read from or written to the
    /// wire, so only in-process callers choose (see [`InvalidToolCalls`]).
    #[serde(skip)]
    pub invalid_tool_calls: InvalidToolCalls,
}

/// `stream_options` of a streaming request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamOptions {
    /// Send a final chunk with usage.
    #[serde(default)]
    pub include_usage: bool,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions (OpenAI's newer `developer` role is read as this).
    #[serde(alias = "developer")]
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool result, answering the assistant's tool call `tool_call_id`.
    Tool,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Text or parts; `None` for an assistant message that only calls tools.
    #[serde(default)]
    pub content: Option<Content>,
    /// Optional participant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tool calls made by an assistant message.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tool_calls: Vec<ToolCall>,
    /// For a `tool` message: the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    fn new(role: Role, text: impl Into<String>) -> Self {
        Self {
            role,
            content: Some(Content::Text(text.into())),
            name: None,
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
    /// A system message.
    pub fn system(text: impl Into<String>) -> Self {
        Self::new(Role::System, text)
    }
    /// A user message.
    pub fn user(text: impl Into<String>) -> Self {
        Self::new(Role::User, text)
    }
    /// An assistant message with text.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::new(Role::Assistant, text)
    }
    /// A tool result answering `tool_call_id`.
    pub fn tool_result(tool_call_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            tool_call_id: Some(tool_call_id.into()),
            ..Self::new(Role::Tool, text)
        }
    }
    /// The message's text (empty when it has none).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        self.content
            .as_ref()
            .map_or(std::borrow::Cow::Borrowed(""), Content::text)
    }
}

/// The output format asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    /// Free text.
    Text,
    /// Any JSON object.
    JsonObject,
    /// JSON matching a schema.
    JsonSchema {
        /// The schema and its name.
        json_schema: JsonSchemaFormat,
    },
}

/// A named JSON schema for structured output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSchemaFormat {
    /// Schema name (`[a-zA-Z0-9_-]`).
    pub name: String,
    /// What the output is, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON Schema.
    #[serde(default)]
    pub schema: Value,
    /// OpenAI's strict schema adherence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

impl ChatRequest {
    /// A request for `model` with these messages and no options.
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> Self {
        Self {
            model: model.into(),
            messages,
            ..Self::default()
        }
    }

    /// Checks what no provider would accept, so the caller gets a 400 without an upstream
    /// round trip. Returns the problem in words.
    pub fn check(&self) -> Result<(), String> {
        if self.messages.is_empty() {
            return Err("messages must not be empty".into());
        }
        if self.n.is_some_and(|n| n != 1) {
            return Err("only n = 1 is supported".into());
        }
        for (i, m) in self.messages.iter().enumerate() {
            if m.role == Role::Tool && m.tool_call_id.is_none() {
                return Err(format!("messages[{i}]: a tool message needs tool_call_id"));
            }
            if m.role != Role::Assistant && !m.tool_calls.is_empty() {
                return Err(format!(
                    "messages[{i}]: only assistant messages carry tool_calls"
                ));
            }
        }
        if let Some(ToolChoice::Function(name)) = &self.tool_choice
            && !self.tools.iter().any(|t| &t.function.name == name)
        {
            return Err(format!("tool_choice names {name:?}, which is not in tools"));
        }
        if matches!(self.tool_choice, Some(ToolChoice::Required)) && self.tools.is_empty() {
            return Err("tool_choice is required but no tools are given".into());
        }
        Ok(())
    }
}
