//! Which endpoint a request hit, and the few facts the fake needs from a chat request.
//!
//! Requests are validated the way the real providers do for the mistakes a gateway is likely
//! to make (missing `max_tokens` for Anthropic, a `system` role inside Anthropic messages, an
//! `assistant` role for Gemini), so such bugs fail in tests rather than in production.

use axum::http::{HeaderMap, Method};
use serde_json::Value;

use crate::render::{Ctx, text_of, words};

/// The three wire protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Protocol {
    OpenAi,
    Anthropic,
    Gemini,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// OpenAI chat completions or Anthropic messages (`model` and streaming from the body).
    Chat(Protocol),
    /// Gemini generate/streamGenerate for the model in the path.
    GeminiChat {
        model: String,
        stream: bool,
        sse: bool,
    },
    OpenAiEmbeddings,
    GeminiEmbed {
        batch: bool,
    },
    Models(Protocol),
    NotFound(Protocol, String),
}

impl Endpoint {
    pub fn protocol(&self) -> Protocol {
        match self {
            Endpoint::Chat(p) | Endpoint::Models(p) | Endpoint::NotFound(p, _) => *p,
            Endpoint::GeminiChat { .. } | Endpoint::GeminiEmbed { .. } => Protocol::Gemini,
            Endpoint::OpenAiEmbeddings => Protocol::OpenAi,
        }
    }
}

/// Routes by path; `GET /v1/models` is Anthropic's when the request carries Anthropic headers.
pub(crate) fn route(method: &Method, path: &str, query: &str, headers: &HeaderMap) -> Endpoint {
    let post = method == Method::POST;
    let anthropic_headers =
        headers.contains_key("anthropic-version") || headers.contains_key("x-api-key");
    let not_found = |p| Endpoint::NotFound(p, format!("Invalid URL ({method} {path})"));
    if let Some(rest) = path.strip_prefix("/v1beta/") {
        let Some(target) = rest.strip_prefix("models/") else {
            return if rest == "models" && !post {
                Endpoint::Models(Protocol::Gemini)
            } else {
                not_found(Protocol::Gemini)
            };
        };
        let Some((model, action)) = target.rsplit_once(':') else {
            return not_found(Protocol::Gemini);
        };
        let model = model.to_owned();
        let sse = query.split('&').any(|kv| kv == "alt=sse");
        return match (post, action) {
            (true, "generateContent") => Endpoint::GeminiChat {
                model,
                stream: false,
                sse: false,
            },
            (true, "streamGenerateContent") => Endpoint::GeminiChat {
                model,
                stream: true,
                sse,
            },
            (true, "embedContent") => Endpoint::GeminiEmbed { batch: false },
            (true, "batchEmbedContents") => Endpoint::GeminiEmbed { batch: true },
            _ => not_found(Protocol::Gemini),
        };
    }
    match (post, path) {
        (true, "/v1/chat/completions") => Endpoint::Chat(Protocol::OpenAi),
        (true, "/v1/messages") => Endpoint::Chat(Protocol::Anthropic),
        (true, "/v1/embeddings") => Endpoint::OpenAiEmbeddings,
        (false, "/v1/models") if anthropic_headers => Endpoint::Models(Protocol::Anthropic),
        (false, "/v1/models") => Endpoint::Models(Protocol::OpenAi),
        _ if anthropic_headers => not_found(Protocol::Anthropic),
        _ => not_found(Protocol::OpenAi),
    }
}

/// A validated chat request.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub protocol: Protocol,
    pub ctx: Ctx,
    pub stream: bool,
    /// Gemini streaming as SSE (`alt=sse`) rather than a JSON array.
    pub sse: bool,
    /// Text of the last user message (what the default reply echoes).
    pub last_user: String,
    /// Words in the whole prompt, system text included.
    pub prompt_words: u32,
}

impl Call {
    /// A non-streaming call with an empty prompt (for faults on non-chat endpoints).
    pub fn plain(protocol: Protocol, model: String) -> Call {
        Call {
            protocol,
            ctx: Ctx {
                model,
                include_usage: false,
            },
            stream: false,
            sse: false,
            last_user: String::new(),
            prompt_words: 1,
        }
    }
}

/// Validates a chat body and extracts what the fake needs; `Err` is a 400 message.
pub(crate) fn parse_chat(endpoint: &Endpoint, body: &Value) -> Result<Call, String> {
    if !body.is_object() {
        return Err(
            "We could not parse the JSON body of your request. The body must be a JSON object."
                .into(),
        );
    }
    match endpoint {
        Endpoint::Chat(Protocol::OpenAi) => openai(body),
        Endpoint::Chat(Protocol::Anthropic) => anthropic(body),
        Endpoint::GeminiChat { model, stream, sse } => gemini(body, model, *stream, *sse),
        _ => Err("not a chat endpoint".into()),
    }
}

fn model_of(body: &Value) -> Result<String, String> {
    match body["model"].as_str() {
        Some(m) if !m.is_empty() => Ok(m.to_owned()),
        _ => Err("model: Field required".into()),
    }
}

fn messages_of<'a>(body: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    match body[key].as_array() {
        Some(m) if !m.is_empty() => Ok(m),
        Some(_) => Err(format!("{key}: at least one message is required")),
        None => Err(format!("{key}: Field required")),
    }
}

/// The prompt's word count and the last message whose role is one of `user_roles`.
fn prompt(
    system: &Value,
    messages: &[Value],
    role_key: &str,
    user_roles: &[&str],
) -> (String, u32) {
    let mut total = words(&text_of(system));
    let mut last_user = String::new();
    for m in messages {
        let text = text_of(
            m.get("content")
                .or_else(|| m.get("parts"))
                .unwrap_or(&Value::Null),
        );
        total += words(&text);
        if user_roles.contains(&m[role_key].as_str().unwrap_or("")) {
            last_user = text;
        }
    }
    (last_user, total.max(1))
}

fn openai(body: &Value) -> Result<Call, String> {
    let model = model_of(body)?;
    let messages = messages_of(body, "messages")?;
    let (last_user, prompt_words) = prompt(&Value::Null, messages, "role", &["user"]);
    Ok(Call {
        protocol: Protocol::OpenAi,
        ctx: Ctx {
            model,
            include_usage: body["stream_options"]["include_usage"].as_bool() == Some(true),
        },
        stream: body["stream"].as_bool() == Some(true),
        sse: true,
        last_user,
        prompt_words,
    })
}

fn anthropic(body: &Value) -> Result<Call, String> {
    let model = model_of(body)?;
    if !body["max_tokens"].is_u64() {
        return Err("max_tokens: Field required".into());
    }
    let messages = messages_of(body, "messages")?;
    for (i, m) in messages.iter().enumerate() {
        let role = m["role"].as_str().unwrap_or("");
        if role != "user" && role != "assistant" {
            return Err(format!(
                "messages.{i}.role: Input should be 'user' or 'assistant' (got {role:?}); use the top-level `system` parameter for system prompts"
            ));
        }
    }
    // Anthropic refuses a history with tool blocks unless the request declares tools.
    let tool_blocks = messages.iter().any(|m| {
        m["content"].as_array().is_some_and(|blocks| {
            blocks
                .iter()
                .any(|b| matches!(b["type"].as_str(), Some("tool_use" | "tool_result")))
        })
    });
    if tool_blocks && body["tools"].as_array().is_none_or(Vec::is_empty) {
        return Err(
            "Requests which include `tool_use` or `tool_result` blocks must define tools.".into(),
        );
    }
    let (last_user, prompt_words) = prompt(&body["system"], messages, "role", &["user"]);
    Ok(Call {
        protocol: Protocol::Anthropic,
        ctx: Ctx {
            model,
            include_usage: false,
        },
        stream: body["stream"].as_bool() == Some(true),
        sse: true,
        last_user,
        prompt_words,
    })
}

fn gemini(body: &Value, model: &str, stream: bool, sse: bool) -> Result<Call, String> {
    let contents = messages_of(body, "contents")
        .map_err(|_| "* GenerateContentRequest.contents: contents is not specified".to_owned())?;
    for (i, c) in contents.iter().enumerate() {
        let role = c["role"].as_str().unwrap_or("");
        if !matches!(role, "" | "user" | "model" | "function") {
            return Err(format!(
                "* GenerateContentRequest.contents[{i}].role: Please use a valid role: user, model."
            ));
        }
    }
    let (last_user, prompt_words) =
        prompt(&body["systemInstruction"], contents, "role", &["user", ""]);
    Ok(Call {
        protocol: Protocol::Gemini,
        ctx: Ctx {
            model: model.to_owned(),
            include_usage: false,
        },
        stream,
        sse,
        last_user,
        prompt_words,
    })
}
