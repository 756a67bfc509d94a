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
mod tools;

pub use chat::{ChatRequest, JsonSchemaFormat, Message, ResponseFormat, Role, StreamOptions};
pub use content::{Content, ContentPart, ImageUrl};
pub use embed::{EmbedRequest, EmbedResponse};
pub use response::{ChatResponse, FinishReason, StreamEvent, ToolCallDelta, Usage};
pub use tools::{
    FunctionCall, FunctionDef, FunctionType, InvalidToolCalls, Tool, ToolCall, ToolChoice,
};

#[cfg(test)]
mod tests;
