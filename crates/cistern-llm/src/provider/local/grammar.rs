//! Constrained decoding: what the output must look like, as a GBNF grammar for llama.cpp's
//! grammar sampler, so even a tiny model returns JSON that parses and matches the schema.
//!
//! JSON Schema → GBNF is llama.cpp's own converter (`common/json-schema-to-grammar`, exposed by
//! the binding); this module builds the schemas it is given and wraps its output:
//!
//! - `response_format` json_schema / json_object: the schema itself.
//! - tools, forced (`required` or one named tool): `<tool_call>` then one object
//!   `{"name": <one of the tools>, "arguments": <that tool's parameters>}`.
//! - tools, `auto`: that call, or free text that does not start with `<`.
// Used by the engine, which a build without the `local-model` feature does not have.
#![cfg_attr(not(feature = "local-model"), allow(dead_code))]

use serde_json::Value;

/// Written before a tool call's JSON: the one convention the model is held to.
pub(crate) const CALL_TAG: &str = "<tool_call>";

/// What the output must look like.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Constraint {
    /// Free text.
    Text,
    /// One JSON value matching the schema.
    Json(Value),
    /// A call of one of these tools `(name, parameters schema)`; with `forced` false, text is
    /// allowed instead.
    Tools {
        /// The tools the call may name.
        tools: Vec<(String, Value)>,
        /// Whether a call is required.
        forced: bool,
    },
}

/// Why no grammar could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the local model cannot constrain its output to this JSON Schema ({0}); simplify the schema or use a provider"
)]
pub(crate) struct GrammarError(pub String);

impl Constraint {
    /// The JSON Schema the converter gets; `None` for free text.
    pub(crate) fn schema(&self) -> Option<String> {
        match self {
            Constraint::Text => None,
            Constraint::Json(schema) => Some(schema.to_string()),
            Constraint::Tools { tools, .. } => Some(call_schema(tools)),
        }
    }

    /// The GBNF grammar, given the converter (llama.cpp's, or a stand-in in tests).
    pub(crate) fn grammar(
        &self,
        convert: impl Fn(&str) -> Result<String, GrammarError>,
    ) -> Result<Option<String>, GrammarError> {
        let Some(schema) = self.schema() else {
            return Ok(None);
        };
        let converted = convert(&schema)?;
        match self {
            Constraint::Text => Ok(None),
            Constraint::Json(_) => Ok(Some(converted)),
            Constraint::Tools { forced, .. } => {
                let call = rename_root(&converted, "cistern-call")?;
                let tag = gbnf_literal(CALL_TAG);
                let root = if *forced {
                    format!("root ::= {tag} cistern-call\n")
                } else {
                    // Text may not open with `<`, so it can never be a half-written call.
                    format!(
                        "root ::= {tag} cistern-call | cistern-text\ncistern-text ::= [^<] .*\n"
                    )
                };
                Ok(Some(format!("{root}{call}")))
            }
        }
    }
}

/// `{"name": <const>, "arguments": <schema>}` for one tool, `oneOf` them for several. Written
/// by hand so `name` comes first (the converter keeps the properties' order).
fn call_schema(tools: &[(String, Value)]) -> String {
    let one = |(name, params): &(String, Value)| {
        format!(
            r#"{{"type":"object","properties":{{"name":{{"const":{}}},"arguments":{}}},"required":["name","arguments"],"additionalProperties":false}}"#,
            Value::String(name.clone()),
            params
        )
    };
    match tools {
        [single] => one(single),
        many => format!(
            r#"{{"oneOf":[{}]}}"#,
            many.iter().map(one).collect::<Vec<_>>().join(",")
        ),
    }
}

/// Renames the converter's `root` rule (its definition only: no other rule refers to it).
fn rename_root(grammar: &str, to: &str) -> Result<String, GrammarError> {
    let mut found = false;
    let renamed = grammar
        .lines()
        .map(|line| match line.strip_prefix("root ::=") {
            Some(rest) => {
                found = true;
                format!("{to} ::={rest}")
            }
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    if found {
        Ok(renamed + "\n")
    } else {
        Err(GrammarError(
            "the converted grammar has no root rule".into(),
        ))
    }
}

/// A GBNF string literal.
fn gbnf_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stand_in(schema: &str) -> Result<String, GrammarError> {
        serde_json::from_str::<Value>(schema).map_err(|e| GrammarError(e.to_string()))?;
        Ok("root ::= \"{\" space \"}\"\nspace ::= \" \"?\n".to_owned())
    }

    #[test]
    fn text_has_no_grammar() {
        assert_eq!(Constraint::Text.grammar(stand_in).unwrap(), None);
    }

    #[test]
    fn a_call_schema_names_the_tool_first_and_parses() {
        let tools = vec![("submit".to_owned(), serde_json::json!({"type": "object"}))];
        let schema = call_schema(&tools);
        let v: Value = serde_json::from_str(&schema).unwrap();
        assert_eq!(v["properties"]["name"]["const"], "submit");
        assert!(schema.find("\"name\"").unwrap() < schema.find("\"arguments\"").unwrap());
        let two = call_schema(&[tools[0].clone(), ("b".into(), serde_json::json!({}))]);
        let v: Value = serde_json::from_str(&two).unwrap();
        assert_eq!(v["oneOf"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn forced_calls_must_start_with_the_tag_and_auto_allows_text() {
        let tools = vec![("t".to_owned(), serde_json::json!({"type": "object"}))];
        let forced = Constraint::Tools {
            tools: tools.clone(),
            forced: true,
        }
        .grammar(stand_in)
        .unwrap()
        .unwrap();
        assert!(
            forced.starts_with("root ::= \"<tool_call>\" cistern-call\n"),
            "{forced}"
        );
        assert!(forced.contains("cistern-call ::= \"{\""));
        assert!(!forced.contains("cistern-text"));
        let auto = Constraint::Tools {
            tools,
            forced: false,
        }
        .grammar(stand_in)
        .unwrap()
        .unwrap();
        assert!(auto.contains("| cistern-text"), "{auto}");
        assert_eq!(auto.matches("root ::=").count(), 1);
    }

    #[test]
    fn a_converter_failure_is_a_grammar_error() {
        let bad = |_: &str| -> Result<String, GrammarError> { Err(GrammarError("x".into())) };
        let c = Constraint::Json(serde_json::json!({"$ref": "http://x"}));
        assert!(c.grammar(bad).is_err());
        assert!(rename_root("space ::= \" \"", "x").is_err());
        assert_eq!(gbnf_literal("a\"b\\"), "\"a\\\"b\\\\\"");
    }
}
