//! Tool-call checks: the called tool exists, its arguments are a JSON object, and they match
//! the tool's JSON Schema (the `jsonschema` crate). A failed check leads to one repair round:
//! the model is shown its call and the error, and asked again with that tool forced — unless
//! the request asks for invalid calls back ([`crate::InvalidToolCalls::Return`]).

use serde_json::Value;

use crate::types::{ChatRequest, FinishReason, Message, ToolChoice};

/// What is wrong with a tool call of a response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ToolCallProblem {
    pub name: String,
    pub arguments: String,
    /// Whether the tool exists (else the repair cannot force it).
    pub known_tool: bool,
    pub problem: String,
}

impl std::fmt::Display for ToolCallProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tool call {:?}: {}", self.name, self.problem)
    }
}

/// Empty arguments mean "no arguments" (some providers stream nothing for them).
pub(crate) fn normalise_arguments(message: &mut Message) {
    for call in &mut message.tool_calls {
        if call.function.arguments.trim().is_empty() {
            call.function.arguments = "{}".to_owned();
        }
    }
}

/// What a call cut off by the token limit is told, after its parse error: why it happened and
/// what helps (the model, shown this in the repair round, can write less).
const CUT_OFF: &str = " — the reply hit its token limit (max_tokens, or the model's context) before \
                       the call was complete; a shorter call fits";

/// The first problem among `message`'s tool calls, if any. `finish` is why the reply ended: a
/// call cut off by the token limit says so (its JSON is merely unfinished).
pub(crate) fn check(
    req: &ChatRequest,
    message: &Message,
    finish: FinishReason,
) -> Option<ToolCallProblem> {
    let cut_off = if finish == FinishReason::Length {
        CUT_OFF
    } else {
        ""
    };
    message.tool_calls.iter().find_map(|call| {
        let problem = |known_tool, problem: String| ToolCallProblem {
            name: call.function.name.clone(),
            arguments: call.function.arguments.clone(),
            known_tool,
            problem,
        };
        let Some(tool) = req
            .tools
            .iter()
            .find(|t| t.function.name == call.function.name)
        else {
            let names: Vec<&str> = req.tools.iter().map(|t| t.function.name.as_str()).collect();
            return Some(problem(
                false,
                format!("there is no such tool (tools: {})", names.join(", ")),
            ));
        };
        let args: Value = match serde_json::from_str(&call.function.arguments) {
            Ok(v) => v,
            Err(e) => {
                let why = format!("arguments are not valid JSON: {e}{cut_off}");
                return Some(problem(true, why));
            }
        };
        if !args.is_object() {
            return Some(problem(true, "arguments must be a JSON object".into()));
        }
        let schema = tool.function.parameters.as_ref()?;
        match jsonschema::validator_for(schema) {
            Ok(validator) => validator.validate(&args).err().map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() {
                    String::new()
                } else {
                    format!(" at {at}")
                };
                problem(true, format!("arguments do not match the schema{at}: {e}"))
            }),
            // The caller's schema is broken: nothing the model can repair; let it through.
            Err(_) => None,
        }
    })
}

/// The request for the repair round: the conversation, the faulty call shown as assistant
/// text (a real tool call would need a tool result), the error, and the tool forced.
pub(crate) fn repair_request(req: &ChatRequest, problem: &ToolCallProblem) -> ChatRequest {
    let mut repair = req.clone();
    repair.messages.push(Message::assistant(format!(
        "(called tool `{}` with arguments: {})",
        problem.name, problem.arguments
    )));
    repair.messages.push(Message::user(format!(
        "That tool call was rejected: {}. Call the tool again with arguments that are one JSON object \
         matching its parameters schema.",
        problem.problem
    )));
    repair.tool_choice = Some(if problem.known_tool {
        ToolChoice::Function(problem.name.clone())
    } else {
        ToolChoice::Required
    });
    repair
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{FunctionCall, FunctionType, Tool, ToolCall};
    use serde_json::json;

    fn req() -> ChatRequest {
        let mut r = ChatRequest::new("m", vec![Message::user("weather?")]);
        r.tools = vec![Tool::function(
            "get_weather",
            "",
            json!({"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}),
        )];
        r
    }

    fn calling(name: &str, args: &str) -> Message {
        Message {
            content: None,
            tool_calls: vec![ToolCall {
                id: "c".into(),
                kind: FunctionType::Function,
                function: FunctionCall {
                    name: name.into(),
                    arguments: args.into(),
                },
            }],
            ..Message::assistant("")
        }
    }

    #[test]
    fn good_calls_pass_and_bad_ones_say_why() {
        assert_eq!(
            check(
                &req(),
                &calling("get_weather", r#"{"city":"Paris"}"#),
                FinishReason::ToolCalls
            ),
            None
        );
        let p = check(
            &req(),
            &calling("get_weather", r#"{"city": "Par"#),
            FinishReason::ToolCalls,
        )
        .unwrap();
        assert!(p.problem.contains("not valid JSON"), "{p}");
        let p = check(
            &req(),
            &calling("get_weather", r#"{"town":"Paris"}"#),
            FinishReason::ToolCalls,
        )
        .unwrap();
        assert!(p.problem.contains("schema"), "{p}");
        let p = check(
            &req(),
            &calling("get_weather", r#"{"city": 3}"#),
            FinishReason::ToolCalls,
        )
        .unwrap();
        assert!(p.problem.contains("/city"), "{p}");
        let p = check(&req(), &calling("launch", "{}"), FinishReason::ToolCalls).unwrap();
        assert!(!p.known_tool && p.problem.contains("get_weather"), "{p}");
        assert!(
            check(
                &req(),
                &calling("get_weather", "[1]"),
                FinishReason::ToolCalls
            )
            .unwrap()
            .problem
            .contains("object")
        );
    }

    #[test]
    fn a_call_cut_off_by_the_token_limit_says_so() {
        let cut = r#"{"city": "Par"#;
        let p = check(&req(), &calling("get_weather", cut), FinishReason::Length).unwrap();
        assert!(
            p.problem.contains("not valid JSON") && p.problem.contains("token limit"),
            "{p}"
        );
        let p = check(
            &req(),
            &calling("get_weather", cut),
            FinishReason::ToolCalls,
        )
        .unwrap();
        assert!(!p.problem.contains("token limit"), "{p}");
    }

    #[test]
    fn repair_forces_the_tool_and_shows_the_error() {
        let r = req();
        let p = check(&r, &calling("get_weather", "{"), FinishReason::ToolCalls).unwrap();
        let fixed = repair_request(&r, &p);
        assert_eq!(
            fixed.tool_choice,
            Some(ToolChoice::Function("get_weather".into()))
        );
        assert_eq!(fixed.messages.len(), 3);
        assert!(fixed.messages[2].text().contains("not valid JSON"));
        let mut m = calling("get_weather", " ");
        normalise_arguments(&mut m);
        assert_eq!(m.tool_calls[0].function.arguments, "{}");
    }
}
