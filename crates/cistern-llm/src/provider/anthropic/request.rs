//! Canonical request → Anthropic Messages request body.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use super::{JSON_TOOL, wants_json_tool};
use crate::error::Error;
use crate::provider::{Target, to_body};
use crate::types::{ChatRequest, Content, ContentPart, Message, ResponseFormat, Role, ToolChoice};

/// Anthropic requires `max_tokens`; used when the caller gives none.
const DEFAULT_MAX_TOKENS: u32 = 4096;

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<WireToolChoice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f32>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop_sequences: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    user_id: &'a str,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: Vec<Block<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block<'a> {
    Text {
        text: Cow<'a, str>,
    },
    Image {
        source: ImageSource<'a>,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: Value,
    },
    ToolResult {
        tool_use_id: &'a str,
        content: Cow<'a, str>,
    },
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ImageSource<'a> {
    Base64 { media_type: &'a str, data: &'a str },
    Url { url: &'a str },
}

#[derive(Serialize)]
struct WireTool<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    input_schema: Cow<'a, Value>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireToolChoice<'a> {
    Auto,
    Any,
    None,
    Tool { name: &'a str },
}

pub(crate) fn chat_request(
    t: &Target<'_>,
    req: &ChatRequest,
    stream: bool,
) -> Result<reqwest::RequestBuilder, Error> {
    let mut system: Option<String> = None;
    let mut messages: Vec<WireMessage<'_>> = Vec::with_capacity(req.messages.len());
    for m in &req.messages {
        if m.role == Role::System {
            let s = system.get_or_insert_with(String::new);
            if !s.is_empty() {
                s.push_str("\n\n");
            }
            s.push_str(&m.text());
            continue;
        }
        let role = if m.role == Role::Assistant {
            "assistant"
        } else {
            "user"
        };
        let blocks = blocks(m)?;
        // Anthropic wants tool results of one turn in one user message; merging every run
        // of same-role messages covers that and keeps the roles alternating.
        match messages.last_mut() {
            Some(last) if last.role == role => last.content.extend(blocks),
            _ => messages.push(WireMessage {
                role,
                content: blocks,
            }),
        }
    }
    let (tools, tool_choice) = tools(req);
    let body = Body {
        model: t.model,
        max_tokens: req.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        system,
        messages,
        tools,
        tool_choice,
        temperature: req.temperature,
        top_p: req.top_p,
        stop_sequences: &req.stop,
        stream,
        metadata: req.user.as_deref().map(|user_id| Metadata { user_id }),
    };
    Ok(
        t.post_json(format!("{}/v1/messages", t.base_url), to_body(&body)?)
            .header("anthropic-version", "2023-06-01"),
    )
}

fn blocks(m: &Message) -> Result<Vec<Block<'_>>, Error> {
    let mut out = Vec::with_capacity(1 + m.tool_calls.len());
    if m.role == Role::Tool {
        let id = m.tool_call_id.as_deref().unwrap_or_default();
        out.push(Block::ToolResult {
            tool_use_id: id,
            content: m.text(),
        });
        return Ok(out);
    }
    match &m.content {
        Some(Content::Text(t)) if !t.is_empty() => out.push(Block::Text {
            text: Cow::Borrowed(t),
        }),
        Some(Content::Parts(parts)) => {
            for p in parts {
                match p {
                    ContentPart::Text { text } if !text.is_empty() => out.push(Block::Text {
                        text: Cow::Borrowed(text),
                    }),
                    ContentPart::Text { .. } => {}
                    ContentPart::ImageUrl { image_url } => out.push(Block::Image {
                        source: image_source(&image_url.url)?,
                    }),
                }
            }
        }
        _ => {}
    }
    for call in &m.tool_calls {
        let input = serde_json::from_str(&call.function.arguments).map_err(|e| {
            Error::BadRequest(format!(
                "tool call {} has arguments that are not JSON: {e}",
                call.id
            ))
        })?;
        out.push(Block::ToolUse {
            id: &call.id,
            name: &call.function.name,
            input,
        });
    }
    Ok(out)
}

/// `data:image/png;base64,…` → inline base64; anything else is fetched by Anthropic.
fn image_source(url: &str) -> Result<ImageSource<'_>, Error> {
    match url.strip_prefix("data:") {
        Some(rest) => {
            let (meta, data) = rest
                .split_once(',')
                .ok_or_else(|| Error::BadRequest("image data URL without a comma".into()))?;
            let media_type = meta.strip_suffix(";base64").ok_or_else(|| {
                Error::BadRequest("image data URLs must be base64 (data:image/png;base64,…)".into())
            })?;
            Ok(ImageSource::Base64 { media_type, data })
        }
        None => Ok(ImageSource::Url { url }),
    }
}

fn tools(req: &ChatRequest) -> (Vec<WireTool<'_>>, Option<WireToolChoice<'_>>) {
    static EMPTY_OBJECT: std::sync::LazyLock<Value> =
        std::sync::LazyLock::new(|| serde_json::json!({"type": "object", "properties": {}}));
    let mut tools: Vec<WireTool<'_>> = req
        .tools
        .iter()
        .map(|t| WireTool {
            name: &t.function.name,
            description: t.function.description.as_deref(),
            input_schema: t
                .function
                .parameters
                .as_ref()
                .map_or(Cow::Borrowed(&*EMPTY_OBJECT), Cow::Borrowed),
        })
        .collect();
    let mut choice = match &req.tool_choice {
        None => None,
        Some(ToolChoice::Auto) => Some(WireToolChoice::Auto),
        Some(ToolChoice::Required) => Some(WireToolChoice::Any),
        Some(ToolChoice::None) => Some(WireToolChoice::None),
        Some(ToolChoice::Function(name)) => Some(WireToolChoice::Tool { name }),
    };
    if wants_json_tool(req) {
        let (description, schema) = match &req.response_format {
            Some(ResponseFormat::JsonSchema { json_schema }) => (
                json_schema.description.as_deref(),
                Cow::Borrowed(&json_schema.schema),
            ),
            _ => (None, Cow::Owned(serde_json::json!({"type": "object"}))),
        };
        let description = description.or(Some("Give your answer as the input of this tool."));
        tools.push(WireTool {
            name: JSON_TOOL,
            description,
            input_schema: schema,
        });
        if req.tools.is_empty() {
            choice = Some(WireToolChoice::Tool { name: JSON_TOOL });
        }
    }
    (tools, choice)
}
