//! The canonical request and response types every provider adapter translates to and from.
//!
//! They follow OpenAI's Chat Completions wire shape field for field, so the server can
//! deserialize a `POST /v1/chat/completions` body straight into a [`ChatRequest`] and the
//! OpenAI adapter is close to a pass-through. Unknown fields are ignored, as OpenAI-compatible
//! servers do; `null` is accepted wherever a field is optional.

mod chat;
mod content;
mod embed;
mod response;
pub(crate) mod serde_util;

pub use chat::{
    ChatRequest, FunctionCall, FunctionDef, FunctionType, JsonSchemaFormat, Message,
    ResponseFormat, Role, StreamOptions, Tool, ToolCall, ToolChoice,
};
pub use content::{Content, ContentPart, ImageUrl};
pub use embed::{EmbedRequest, EmbedResponse};
pub use response::{ChatResponse, FinishReason, StreamEvent, ToolCallDelta, Usage};

#[cfg(test)]
mod tests;
