//! Embeddings request and response.

use serde::{Deserialize, Serialize};

use super::response::Usage;
use super::serde_util::one_or_many;

/// An embeddings request, in OpenAI's shape (`input` may be a string or an array of strings).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbedRequest {
    /// A configured model name or, with passthrough, an upstream embedding model.
    pub model: String,
    /// The texts to embed.
    #[serde(deserialize_with = "one_or_many")]
    pub input: Vec<String>,
    /// Output dimensions, where the model supports shortening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<u32>,
    /// End-user id for the provider's abuse monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// Embeddings, one per input, in input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbedResponse {
    /// The upstream model that answered.
    pub model: String,
    /// One vector per input.
    pub embeddings: Vec<Vec<f32>>,
    /// Input tokens (output is always 0).
    pub usage: Usage,
}
