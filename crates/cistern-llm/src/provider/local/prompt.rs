//! A canonical request as the plan one local generation follows: the conversation as plain
//! (role, text) turns for the model's chat template, the output mode, and the sampling options.
//!
//! The GGUF's chat template (applied by llama.cpp) knows only roles and text, so tools are
//! described in the system turn and the model's own earlier calls are written back in the one
//! convention it is held to: `<tool_call>{"name": …, "arguments": {…}}`.

use serde_json::Value;

use super::grammar::{CALL_TAG, Constraint};
use crate::types::{ChatRequest, ResponseFormat, Role, ToolChoice};

/// Default sampling temperature when the request names none: tiny models ramble at 1.0.
const DEFAULT_TEMPERATURE: f32 = 0.6;

/// What one generation does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// `(role, text)` turns for the chat template, system first.
    pub turns: Vec<(String, String)>,
    /// What the output must look like.
    pub constraint: Constraint,
    /// 0 = greedy.
    pub temperature: f32,
    /// Nucleus sampling; 1 = off.
    pub top_p: f32,
    /// Sampling seed; `None` draws one.
    pub seed: Option<u32>,
    /// Output token limit; `None` = what the context leaves.
    pub max_tokens: Option<u32>,
    /// Stop sequences (text mode only: they would cut a call's JSON).
    pub stop: Vec<String>,
}

impl Plan {
    /// The plan for `req`.
    pub(crate) fn new(req: &ChatRequest) -> Self {
        let offered = match &req.tool_choice {
            _ if req.tools.is_empty() => Vec::new(),
            Some(ToolChoice::None) => Vec::new(),
            Some(ToolChoice::Function(name)) => req
                .tools
                .iter()
                .filter(|t| &t.function.name == name)
                .collect(),
            Some(ToolChoice::Auto | ToolChoice::Required) | None => req.tools.iter().collect(),
        };
        let constraint = if !offered.is_empty() {
            let tools = offered
                .iter()
                .map(|t| {
                    let params = t
                        .function
                        .parameters
                        .clone()
                        .unwrap_or_else(|| serde_json::json!({"type": "object"}));
                    (t.function.name.clone(), params)
                })
                .collect();
            let forced = matches!(
                req.tool_choice,
                Some(ToolChoice::Required | ToolChoice::Function(_))
            );
            Constraint::Tools { tools, forced }
        } else {
            match &req.response_format {
                Some(ResponseFormat::JsonSchema { json_schema }) => {
                    Constraint::Json(json_schema.schema.clone())
                }
                Some(ResponseFormat::JsonObject) => {
                    Constraint::Json(serde_json::json!({"type": "object"}))
                }
                Some(ResponseFormat::Text) | None => Constraint::Text,
            }
        };
        let mut system: Vec<String> = req
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| m.text().into_owned())
            .filter(|t| !t.trim().is_empty())
            .collect();
        match &constraint {
            Constraint::Tools { tools, forced } => system.push(tools_prompt(req, tools, *forced)),
            Constraint::Json(schema) => system.push(json_prompt(req, schema)),
            Constraint::Text => {}
        }
        let mut turns = Vec::with_capacity(req.messages.len() + 1);
        if !system.is_empty() {
            turns.push(("system".to_owned(), system.join("\n\n")));
        }
        for m in &req.messages {
            let text = m.text();
            match m.role {
                Role::System => {}
                Role::User => turns.push(("user".to_owned(), text.into_owned())),
                Role::Assistant => {
                    let mut out = text.into_owned();
                    for call in &m.tool_calls {
                        let args: Value = serde_json::from_str(&call.function.arguments)
                            .unwrap_or_else(|_| Value::String(call.function.arguments.clone()));
                        let call =
                            serde_json::json!({"name": call.function.name, "arguments": args});
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(CALL_TAG);
                        out.push_str(&call.to_string());
                    }
                    turns.push(("assistant".to_owned(), out));
                }
                // As a user turn: a template that knows no `tool` role would fail on it.
                Role::Tool => {
                    let name = tool_name(req, m.tool_call_id.as_deref());
                    turns.push(("user".to_owned(), format!("Result of {name}:\n{text}")));
                }
            }
        }
        let temperature = req
            .temperature
            .unwrap_or(DEFAULT_TEMPERATURE)
            .clamp(0.0, 2.0);
        Self {
            turns,
            constraint,
            temperature,
            top_p: req.top_p.unwrap_or(1.0).clamp(0.0, 1.0),
            // Any i64 maps onto the sampler's u32 seed; equal seeds stay equal.
            seed: req.seed.map(|s| (s as u64 ^ ((s as u64) >> 32)) as u32),
            max_tokens: req.max_tokens,
            stop: req.stop.iter().filter(|s| !s.is_empty()).cloned().collect(),
        }
    }
}

/// The tool an earlier call id belongs to, for the result's label.
fn tool_name(req: &ChatRequest, id: Option<&str>) -> String {
    req.messages
        .iter()
        .flat_map(|m| &m.tool_calls)
        .find(|c| Some(c.id.as_str()) == id)
        .map_or_else(|| "the tool call".to_owned(), |c| c.function.name.clone())
}

fn tools_prompt(req: &ChatRequest, tools: &[(String, Value)], forced: bool) -> String {
    let mut out = String::from("You can call these tools:\n");
    for (name, params) in tools {
        let description = req
            .tools
            .iter()
            .find(|t| &t.function.name == name)
            .and_then(|t| t.function.description.as_deref())
            .unwrap_or("");
        out.push_str(&format!(
            "- {name}: {description}\n  arguments (JSON Schema): {params}\n"
        ));
    }
    out.push_str(&format!(
        "To call a tool, answer with {CALL_TAG} followed by one JSON object: \
         {{\"name\": \"<tool>\", \"arguments\": {{…}}}}."
    ));
    if forced {
        out.push_str(" You must call a tool now.");
    }
    out
}

fn json_prompt(req: &ChatRequest, schema: &Value) -> String {
    let description = match &req.response_format {
        Some(ResponseFormat::JsonSchema { json_schema }) => {
            json_schema.description.clone().unwrap_or_default()
        }
        _ => String::new(),
    };
    format!("Answer with one JSON value only, matching this JSON Schema: {schema}\n{description}")
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{FunctionCall, FunctionType, JsonSchemaFormat, Message, Tool, ToolCall};

    fn tool(name: &str) -> Tool {
        Tool::function(
            name,
            "does a thing",
            serde_json::json!({"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}),
        )
    }

    #[test]
    fn a_forced_tool_constrains_to_that_tool_and_says_so() {
        let mut req =
            ChatRequest::new("m", vec![Message::system("Be brief."), Message::user("Go")]);
        req.tools = vec![tool("a"), tool("submit")];
        req.tool_choice = Some(ToolChoice::Function("submit".into()));
        let plan = Plan::new(&req);
        match &plan.constraint {
            Constraint::Tools { tools, forced } => {
                assert!(*forced);
                assert_eq!(tools.len(), 1);
                assert_eq!(tools[0].0, "submit");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(plan.turns[0].0, "system");
        assert!(plan.turns[0].1.starts_with("Be brief."));
        assert!(plan.turns[0].1.contains("submit"));
        assert!(plan.turns[0].1.contains("must call"));
        assert_eq!(plan.turns[1], ("user".to_owned(), "Go".to_owned()));
    }

    #[test]
    fn tool_choice_none_and_no_tools_leave_text_free() {
        let mut req = ChatRequest::new("m", vec![Message::user("Hi")]);
        assert_eq!(Plan::new(&req).constraint, Constraint::Text);
        req.tools = vec![tool("a")];
        req.tool_choice = Some(ToolChoice::None);
        assert_eq!(Plan::new(&req).constraint, Constraint::Text);
        req.tool_choice = None;
        assert!(matches!(
            Plan::new(&req).constraint,
            Constraint::Tools { forced: false, .. }
        ));
    }

    #[test]
    fn json_schema_output_becomes_a_json_constraint() {
        let mut req = ChatRequest::new("m", vec![Message::user("Hi")]);
        let schema =
            serde_json::json!({"type": "object", "properties": {"ok": {"type": "boolean"}}});
        req.response_format = Some(ResponseFormat::JsonSchema {
            json_schema: JsonSchemaFormat {
                name: "r".into(),
                description: None,
                schema: schema.clone(),
                strict: None,
            },
        });
        let plan = Plan::new(&req);
        assert_eq!(plan.constraint, Constraint::Json(schema));
        assert_eq!(plan.turns[0].0, "system");
    }

    #[test]
    fn earlier_calls_and_results_are_written_in_the_models_convention() {
        let mut req = ChatRequest::new("m", vec![Message::user("Hi")]);
        req.messages.push(Message {
            tool_calls: vec![ToolCall {
                id: "c1".into(),
                kind: FunctionType::Function,
                function: FunctionCall {
                    name: "look".into(),
                    arguments: "{\"x\":1}".into(),
                },
            }],
            content: None,
            ..Message::assistant("")
        });
        req.messages.push(Message::tool_result("c1", "42"));
        req.seed = Some(-1);
        req.temperature = Some(9.0);
        let plan = Plan::new(&req);
        assert_eq!(plan.turns[1].0, "assistant");
        assert!(plan.turns[1].1.starts_with(CALL_TAG), "{}", plan.turns[1].1);
        assert!(plan.turns[1].1.contains("\"look\""));
        assert_eq!(plan.turns[2], ("user".into(), "Result of look:\n42".into()));
        assert_eq!(plan.temperature, 2.0);
        assert!(plan.seed.is_some());
    }
}
