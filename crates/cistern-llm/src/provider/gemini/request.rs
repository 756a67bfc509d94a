//! Canonical request → Gemini `generateContent` body.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::provider::{Target, to_body};
use crate::types::{ChatRequest, Content, ContentPart, Message, ResponseFormat, Role, ToolChoice};

/// Gemini 3 rejects replayed function calls without the thought signature it issued; this
/// documented placeholder skips the check for calls whose signature we did not keep.
const SKIP_SIGNATURE: &str = "skip_thought_signature_validator";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    contents: Vec<WireContent<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system_instruction: Option<SystemInstruction<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<[Tools<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_config: Option<ToolConfig<'a>>,
    generation_config: GenerationConfig<'a>,
}

#[derive(Serialize)]
struct SystemInstruction<'a> {
    parts: [Part<'a>; 1],
}

#[derive(Serialize)]
struct WireContent<'a> {
    role: &'static str,
    parts: Vec<Part<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Part<'a> {
    Text(Cow<'a, str>),
    InlineData {
        #[serde(rename = "mimeType")]
        mime_type: &'a str,
        data: &'a str,
    },
    FileData {
        #[serde(rename = "mimeType")]
        mime_type: &'static str,
        #[serde(rename = "fileUri")]
        file_uri: &'a str,
    },
    FunctionResponse {
        name: &'a str,
        response: Value,
    },
    /// Untagged (and so last): the signature sits beside `functionCall`, not inside it.
    #[serde(untagged)]
    FunctionCall {
        #[serde(rename = "functionCall")]
        function_call: FunctionCall<'a>,
        #[serde(rename = "thoughtSignature")]
        thought_signature: &'static str,
    },
}

#[derive(Serialize)]
struct FunctionCall<'a> {
    name: &'a str,
    args: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tools<'a> {
    function_declarations: Vec<FunctionDeclaration<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionDeclaration<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    /// Full JSON Schema (`parameters` takes only Gemini's OpenAPI subset).
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters_json_schema: Option<&'a Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolConfig<'a> {
    function_calling_config: FunctionCallingConfig<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionCallingConfig<'a> {
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_function_names: Option<[&'a str; 1]>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct GenerationConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop_sequences: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_json_schema: Option<&'a Value>,
}

pub(crate) fn chat_request(
    t: &Target<'_>,
    req: &ChatRequest,
    stream: bool,
) -> Result<reqwest::RequestBuilder, Error> {
    let mut system: Option<String> = None;
    let mut contents: Vec<WireContent<'_>> = Vec::with_capacity(req.messages.len());
    for (i, m) in req.messages.iter().enumerate() {
        if m.role == Role::System {
            let s = system.get_or_insert_with(String::new);
            if !s.is_empty() {
                s.push_str("\n\n");
            }
            s.push_str(&m.text());
            continue;
        }
        let role = if m.role == Role::Assistant {
            "model"
        } else {
            "user"
        };
        let parts = parts(m, &req.messages[..i])?;
        match contents.last_mut() {
            Some(last) if last.role == role => last.parts.extend(parts),
            _ => contents.push(WireContent { role, parts }),
        }
    }
    let declarations: Vec<_> = req
        .tools
        .iter()
        .map(|t| FunctionDeclaration {
            name: &t.function.name,
            description: t.function.description.as_deref(),
            parameters_json_schema: t.function.parameters.as_ref(),
        })
        .collect();
    let tool_config = req.tool_choice.as_ref().map(|c| {
        let (mode, allowed) = match c {
            ToolChoice::Auto => ("AUTO", None),
            ToolChoice::None => ("NONE", None),
            ToolChoice::Required => ("ANY", None),
            ToolChoice::Function(name) => ("ANY", Some([name.as_str()])),
        };
        ToolConfig {
            function_calling_config: FunctionCallingConfig {
                mode,
                allowed_function_names: allowed,
            },
        }
    });
    let (response_mime_type, response_json_schema) = match &req.response_format {
        Some(ResponseFormat::JsonObject) => (Some("application/json"), None),
        Some(ResponseFormat::JsonSchema { json_schema }) => {
            (Some("application/json"), Some(&json_schema.schema))
        }
        _ => (None, None),
    };
    let body = Body {
        contents,
        system_instruction: system.map(|s| SystemInstruction {
            parts: [Part::Text(Cow::Owned(s))],
        }),
        tools: (!declarations.is_empty()).then_some([Tools {
            function_declarations: declarations,
        }]),
        tool_config,
        generation_config: GenerationConfig {
            temperature: req.temperature,
            top_p: req.top_p,
            max_output_tokens: req.max_tokens,
            stop_sequences: &req.stop,
            seed: req.seed,
            response_mime_type,
            response_json_schema,
        },
    };
    let url = if stream {
        format!(
            "{}/models/{}:streamGenerateContent?alt=sse",
            t.base_url, t.model
        )
    } else {
        format!("{}/models/{}:generateContent", t.base_url, t.model)
    };
    Ok(t.post_json(url, to_body(&body)?))
}

fn parts<'a>(m: &'a Message, earlier: &'a [Message]) -> Result<Vec<Part<'a>>, Error> {
    let mut out = Vec::with_capacity(1 + m.tool_calls.len());
    if m.role == Role::Tool {
        let id = m.tool_call_id.as_deref().unwrap_or_default();
        // Gemini names the function, not the call: find the call this result answers.
        let name = earlier
            .iter()
            .rev()
            .flat_map(|e| &e.tool_calls)
            .find(|c| c.id == id)
            .map(|c| c.function.name.as_str())
            .ok_or_else(|| {
                Error::BadRequest(format!("tool message answers unknown tool_call_id {id:?}"))
            })?;
        let text = m.text();
        let response = match serde_json::from_str::<Value>(&text) {
            Ok(v @ Value::Object(_)) => v,
            Ok(v) => serde_json::json!({ "content": v }),
            Err(_) => serde_json::json!({ "content": text }),
        };
        out.push(Part::FunctionResponse { name, response });
        return Ok(out);
    }
    match &m.content {
        Some(Content::Text(t)) if !t.is_empty() => out.push(Part::Text(Cow::Borrowed(t))),
        Some(Content::Parts(ps)) => {
            for p in ps {
                match p {
                    ContentPart::Text { text } if !text.is_empty() => {
                        out.push(Part::Text(Cow::Borrowed(text)))
                    }
                    ContentPart::Text { .. } => {}
                    ContentPart::ImageUrl { image_url } => out.push(image_part(&image_url.url)?),
                }
            }
        }
        _ => {}
    }
    for call in &m.tool_calls {
        let args = serde_json::from_str(&call.function.arguments).map_err(|e| {
            Error::BadRequest(format!(
                "tool call {} has arguments that are not JSON: {e}",
                call.id
            ))
        })?;
        out.push(Part::FunctionCall {
            function_call: FunctionCall {
                name: &call.function.name,
                args,
            },
            thought_signature: SKIP_SIGNATURE,
        });
    }
    Ok(out)
}

fn image_part(url: &str) -> Result<Part<'_>, Error> {
    match url.strip_prefix("data:") {
        Some(rest) => {
            let (meta, data) = rest
                .split_once(',')
                .ok_or_else(|| Error::BadRequest("image data URL without a comma".into()))?;
            let mime_type = meta.strip_suffix(";base64").ok_or_else(|| {
                Error::BadRequest("image data URLs must be base64 (data:image/png;base64,…)".into())
            })?;
            Ok(Part::InlineData { mime_type, data })
        }
        None => {
            let lower = url.to_ascii_lowercase();
            let mime_type = if lower.ends_with(".png") {
                "image/png"
            } else if lower.ends_with(".webp") {
                "image/webp"
            } else {
                "image/jpeg"
            };
            Ok(Part::FileData {
                mime_type,
                file_uri: url,
            })
        }
    }
}
