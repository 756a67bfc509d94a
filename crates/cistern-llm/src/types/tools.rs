//! Tools: declarations, the calls a model makes, and the tool choice.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The constant `"function"` of OpenAI's `type` fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionType {
    /// The only kind there is.
    #[default]
    Function,
}

/// What the gateway does with a tool call that fails its check (unknown tool, arguments not a
/// JSON object, or not matching the tool's JSON Schema). Not part of the wire format: only an
/// in-process caller sets it, so `/v1` clients always get [`InvalidToolCalls::Repair`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InvalidToolCalls {
    /// One repair round (non-streamed calls only: the model is shown the error and asked again
    /// with the tool forced); a call still invalid after it — or any invalid call in a stream —
    /// fails with [`crate::Error::InvalidOutput`]. For callers that hand the calls on as they are.
    #[default]
    Repair,
    /// No repair round and no error: the response comes back with its tool calls as the model
    /// made them (empty arguments read as `{}`), and the caller answers each invalid call
    /// itself — an agent that runs the tools does so with an error result the model can act
    /// on. Such a response is never cached.
    Return,
}

/// A call the model made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Id the tool result refers back to.
    pub id: String,
    /// Always `function`.
    #[serde(rename = "type", default)]
    pub kind: FunctionType,
    /// Name and arguments.
    pub function: FunctionCall,
}

/// The function of a tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// The tool's name.
    pub name: String,
    /// The arguments as JSON text, exactly as the model produced them.
    pub arguments: String,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// Always `function`.
    #[serde(rename = "type", default)]
    pub kind: FunctionType,
    /// The function.
    pub function: FunctionDef,
}

impl Tool {
    /// A function tool with a JSON-schema for its arguments.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Self {
        let function = FunctionDef {
            name: name.into(),
            description: Some(description.into()),
            parameters: Some(parameters),
            strict: None,
        };
        Self {
            kind: FunctionType::Function,
            function,
        }
    }
}

/// A function's declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDef {
    /// Name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the arguments object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// OpenAI's strict schema adherence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// Whether the model may, must, or must not call tools. Wire form: `"auto"`, `"none"`,
/// `"required"`, or `{"type":"function","function":{"name":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    /// The model decides.
    Auto,
    /// No tool calls.
    None,
    /// At least one tool call.
    Required,
    /// This tool, by name.
    Function(String),
}

impl Serialize for ToolChoice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ToolChoice::Auto => s.serialize_str("auto"),
            ToolChoice::None => s.serialize_str("none"),
            ToolChoice::Required => s.serialize_str("required"),
            ToolChoice::Function(name) => {
                serde_json::json!({"type": "function", "function": {"name": name}}).serialize(s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for ToolChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Named {
            name: String,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Word(String),
            Object { function: Named },
        }
        match Wire::deserialize(d)? {
            Wire::Word(w) => match w.as_str() {
                "auto" => Ok(ToolChoice::Auto),
                "none" => Ok(ToolChoice::None),
                "required" | "any" => Ok(ToolChoice::Required),
                other => Err(serde::de::Error::custom(format!(
                    "unknown tool_choice {other:?}"
                ))),
            },
            Wire::Object { function } => Ok(ToolChoice::Function(function.name)),
        }
    }
}
