//! Google Gemini `generateContent` / `streamGenerateContent?alt=sse` and embeddings.
//!
//! Function calls carry no ids on Gemini, so the adapter makes them up, and finds a tool
//! result's function name from the call id earlier in the conversation. Schemas go in the
//! full-JSON-Schema fields (`parametersJsonSchema`, `responseJsonSchema`).

mod request;
mod stream;

use serde::{Deserialize, Serialize};

pub(crate) use request::chat_request;
pub(crate) use stream::StreamState;

use super::{Target, make_call_id, malformed, to_body};
use crate::error::Error;
use crate::types::{
    ChatResponse, EmbedRequest, EmbedResponse, FinishReason, FunctionCall, FunctionType, Message,
    Role, ToolCall, Usage,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Resp {
    #[serde(default)]
    pub(crate) candidates: Vec<Candidate>,
    #[serde(default)]
    pub(crate) usage_metadata: Option<UsageMetadata>,
    #[serde(default)]
    model_version: Option<String>,
    #[serde(default)]
    response_id: Option<String>,
    #[serde(default)]
    pub(crate) prompt_feedback: Option<PromptFeedback>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Candidate {
    #[serde(default)]
    pub(crate) content: Option<CandidateContent>,
    #[serde(default)]
    pub(crate) finish_reason: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct CandidateContent {
    #[serde(default)]
    pub(crate) parts: Vec<RespPart>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RespPart {
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) function_call: Option<RespFunctionCall>,
    /// Thinking summaries are not part of the answer.
    #[serde(default)]
    pub(crate) thought: bool,
}

#[derive(Deserialize)]
pub(crate) struct RespFunctionCall {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) args: serde_json::Value,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageMetadata {
    #[serde(default)]
    prompt_token_count: u32,
    #[serde(default)]
    candidates_token_count: u32,
    #[serde(default)]
    thoughts_token_count: u32,
}

impl From<UsageMetadata> for Usage {
    fn from(u: UsageMetadata) -> Self {
        Usage::new(
            u.prompt_token_count,
            u.candidates_token_count
                .saturating_add(u.thoughts_token_count),
        )
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PromptFeedback {
    #[serde(default)]
    pub(crate) block_reason: Option<String>,
}

pub(crate) fn finish_reason(word: &str, has_tool_calls: bool) -> FinishReason {
    match word {
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            FinishReason::ContentFilter
        }
        _ if has_tool_calls => FinishReason::ToolCalls,
        _ => FinishReason::Stop,
    }
}

pub(crate) fn parse_chat(body: &[u8]) -> Result<ChatResponse, Error> {
    let r: Resp = serde_json::from_slice(body).map_err(malformed)?;
    let blocked = r
        .prompt_feedback
        .as_ref()
        .and_then(|f| f.block_reason.as_ref())
        .is_some();
    let Some(candidate) = r.candidates.into_iter().next() else {
        if blocked {
            return Ok(ChatResponse {
                id: r.response_id.unwrap_or_default(),
                model: r.model_version.unwrap_or_default(),
                message: Message::assistant(""),
                finish_reason: FinishReason::ContentFilter,
                usage: r.usage_metadata.map(Usage::from).unwrap_or(Usage {
                    estimated: true,
                    ..Usage::default()
                }),
            });
        }
        return Err(malformed("no candidates"));
    };
    let mut text = String::new();
    let mut tool_calls = Vec::new();
    for part in candidate.content.map(|c| c.parts).unwrap_or_default() {
        if let Some(call) = part.function_call {
            tool_calls.push(ToolCall {
                id: make_call_id(),
                kind: FunctionType::Function,
                function: FunctionCall {
                    name: call.name,
                    arguments: call.args.to_string(),
                },
            });
        } else if let Some(t) = part.text.filter(|_| !part.thought) {
            text.push_str(&t);
        }
    }
    let finish = finish_reason(
        candidate.finish_reason.as_deref().unwrap_or("STOP"),
        !tool_calls.is_empty(),
    );
    let content = if text.is_empty() && !tool_calls.is_empty() {
        None
    } else {
        Some(text.into())
    };
    Ok(ChatResponse {
        id: r
            .response_id
            .unwrap_or_else(|| format!("gemini-{:016x}", fastrand::u64(..))),
        model: r.model_version.unwrap_or_default(),
        message: Message {
            role: Role::Assistant,
            content,
            name: None,
            tool_calls,
            tool_call_id: None,
        },
        finish_reason: finish,
        usage: r.usage_metadata.map(Usage::from).unwrap_or(Usage {
            estimated: true,
            ..Usage::default()
        }),
    })
}

pub(crate) fn embed_request(
    t: &Target<'_>,
    req: &EmbedRequest,
) -> Result<reqwest::RequestBuilder, Error> {
    #[derive(Serialize)]
    struct Body<'a> {
        requests: Vec<One<'a>>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct One<'a> {
        model: &'a str,
        content: Parts<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        output_dimensionality: Option<u32>,
    }
    #[derive(Serialize)]
    struct Parts<'a> {
        parts: [Text<'a>; 1],
    }
    #[derive(Serialize)]
    struct Text<'a> {
        text: &'a str,
    }
    let model = format!("models/{}", t.model);
    let requests = req
        .input
        .iter()
        .map(|text| One {
            model: &model,
            content: Parts {
                parts: [Text { text }],
            },
            output_dimensionality: req.dimensions,
        })
        .collect();
    let url = format!("{}/models/{}:batchEmbedContents", t.base_url, t.model);
    Ok(t.post_json(url, to_body(&Body { requests })?))
}

pub(crate) fn parse_embed(body: &[u8]) -> Result<EmbedResponse, Error> {
    #[derive(Deserialize)]
    struct Resp {
        embeddings: Vec<Values>,
    }
    #[derive(Deserialize)]
    struct Values {
        values: Vec<f32>,
    }
    let r: Resp = serde_json::from_slice(body).map_err(malformed)?;
    Ok(EmbedResponse {
        model: String::new(),
        embeddings: r.embeddings.into_iter().map(|e| e.values).collect(),
        // Gemini reports no usage for embeddings; the gateway counts.
        usage: Usage {
            estimated: true,
            ..Usage::default()
        },
    })
}
